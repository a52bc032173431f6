/* devices: lab PC reservations (the MSMP seed): devices with lock-agent
 * keys, /set-reservation and /get-reservation at the root, and the
 * /api/devices API (list, reservations, cancel and kick, verify). */
#ifndef HAAS_DEVICES_H
#define HAAS_DEVICES_H

#include "router.h"

extern const struct route devices_routes[];

#endif
