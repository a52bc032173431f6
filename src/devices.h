/* devices: lab PC reservations (the MSMP seed): devices with lock-agent
 * keys or a bound address, /set-reservation and /get-reservation at the
 * root, and the /api/devices API (list, reservations, cancel and kick,
 * verify). */
#ifndef HAAS_DEVICES_H
#define HAAS_DEVICES_H

#include "err.h"
#include "openapi.h"
#include "router.h"

extern const struct route devices_routes[];
/* Device, Reservation, DeviceKey (/api/openapi.json). */
extern const struct schema_def devices_schemas[];

/* An address or network a device is bound to.  lo and hi are the lowest
 * and highest address it holds as lower-case hex, 8 digits for IPv4 and
 * 32 for IPv6 (so one family's addresses compare as strings, in order);
 * prefix is its length in bits; text is its canonical form: "10.0.5.21"
 * for one address, "10.0.5.0/24", "2001:db8::/32". */
struct device_net {
	char lo[33], hi[33];
	unsigned prefix;
	char text[64];
};

/* Parses s, an IPv4 or IPv6 address ("10.0.5.21", "2001:db8::15") or a
 * network in CIDR notation ("10.0.5.0/24", "2001:db8::/32"), into *out.
 * An IPv4-mapped IPv6 address or network (::ffff:10.0.5.21) is its IPv4
 * one, so it matches the IPv4 clients it names.  Errors:
 * ERR_DEVICE_ADDRESS_INVALID (neither; a zone index, a prefix out of
 * range or written with a leading zero), ERR_DEVICE_ADDRESS_WIDE (a /0),
 * ERR_DEVICE_ADDRESS_HOST_BITS (bits set after the prefix, as in
 * 10.0.5.21/24; *out then holds the network it lies in, 10.0.5.0/24, so
 * the caller can name it). */
enum err devices_net_parse(const char *s, struct device_net *out);

struct config;
struct db;

/* haas-notifyd's sweep (its own transactions, one per reservation): a
 * reminder (reservation.starting) to the user of each live reservation
 * that starts within reminder_lead and has not started, once per
 * reservation; none for one cancelled, replaced or kicked before.
 * Errors: database errors. */
enum err devices_notify_sweep(struct db *db, const struct config *cfg);

#endif
