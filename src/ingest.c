/* ingest: a batch of sensor messages carried through its spaces (see
 * ingest.h). */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

const char *
ingest_status(const char *s)
{
	static const char *const names[] = { "free", "occupied", "unknown",
					     "out_of_service" };
	size_t i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return NULL;
}

static int
space_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ingest_space *)a)->sensor,
		      ((const struct ingest_space *)b)->sensor);
}

void
ingest_spaces_sort(struct ingest_space *spaces, size_t n)
{
	if (n > 1)
		qsort(spaces, n, sizeof(*spaces), space_cmp);
}

struct ingest_space *
ingest_space_find(struct ingest_space *spaces, size_t n, const char *sensor)
{
	struct ingest_space key;

	if (n == 0)
		return NULL;
	memcpy(key.sensor, sensor, strnlen(sensor, INGEST_SENSOR_MAX));
	key.sensor[strnlen(sensor, INGEST_SENSOR_MAX)] = '\0';
	return bsearch(&key, spaces, n, sizeof(*spaces), space_cmp);
}

/* Whether m is old news for sp: a seq not above the last applied one of
 * the same series.  A boot id other than the stored one starts a new
 * series; a will is never old. */
static bool
stale(const struct ingest_space *sp, const struct ingest_msg *m)
{
	if (m->seq < 0 || !sp->has_seq)
		return false;
	if (m->boot[0] && strcmp(sp->boot, m->boot))
		return false;
	return m->seq <= sp->last_seq;
}

bool
ingest_apply(struct ingest_space *sp, const struct ingest_msg *m,
	     struct ingest_change *ch, bool *changed)
{
	*changed = false;
	if (stale(sp, m))
		return false;
	sp->applied = true;
	sp->seen_us = m->at_us;
	if (m->seq >= 0) {
		sp->has_seq = true;
		sp->last_seq = m->seq;
	}
	if (m->boot[0])
		memcpy(sp->boot, m->boot, sizeof(sp->boot));
	/* a space a staff member took out of service stays so */
	if (sp->status != ingest_status(m->status) &&
	    sp->status != ingest_status("out_of_service")) {
		sp->status = ingest_status(m->status);
		sp->updated_us = m->at_us;
		sp->source = m->seq < 0 ? "will" : "sensor";
		*ch = (struct ingest_change){ .space_id = sp->id,
			.status = sp->status, .source = sp->source,
			.seq = m->seq, .at_us = m->at_us };
		*changed = true;
	}
	/* a status (not a will) from a sensor the sweep found silent */
	if (sp->silent && m->seq >= 0) {
		sp->silent = false;
		sp->back = sp->status;
	}
	return true;
}
