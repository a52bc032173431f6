/* app: what every request can reach: the read-only configuration loaded at
 * start and the version string.  One per process; never mutated after
 * start (SIGHUP replaces workers instead). */
#ifndef HAAS_APP_H
#define HAAS_APP_H

#include "config.h"

struct metrics;

struct app {
	struct config cfg;
	const char *version;
	/* haasd's shared counters (metrics.h), made by the master before
	 * it forks; NULL elsewhere (haasctl, the helpers, tests). */
	struct metrics *metrics;
};

#endif
