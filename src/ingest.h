/* ingest: what haas-ingestd makes of a batch of sensor messages, without
 * the broker or the database.  Each space's row, as its transaction locked
 * it, is carried forward through the batch's messages in spool order: old
 * news (a seq not above the last applied one of its series) is dropped, a
 * new boot id starts a new series, every change of status is one history
 * row, and what is left is the one row to write back per space. */
#ifndef HAAS_INGEST_H
#define HAAS_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#define INGEST_SENSOR_MAX 64
#define INGEST_BOOT_MAX 64

/* A status message or a last will, as spooled. */
struct ingest_msg {
	char sensor[INGEST_SENSOR_MAX + 1];
	const char *status;	/* "free" or "occupied"; "unknown" for a will */
	long long seq;		/* -1 for a will */
	char boot[INGEST_BOOT_MAX + 1];	/* "" when the sensor sent none */
	long long at_us;	/* when ingestd received it */
};

/* A space of the batch: its row as locked (the first block), then what the
 * batch has done to it so far.  Room for the columns' longest utf8mb4
 * values (32 and 64 characters). */
struct ingest_space {
	char sensor[INGEST_SENSOR_MAX + 1];
	long long id;
	char code[32 * 4 + 1], zone[64 * 4 + 1];
	const char *status;	/* now; one of ingest_status's constants */
	bool has_seq;		/* last_seq is not NULL */
	long long last_seq;
	char boot[INGEST_BOOT_MAX + 1];	/* last_boot; "" for NULL */
	bool silent;		/* sensor_silent_at is set */

	bool applied;		/* a message was applied: write the row back */
	long long seen_us;	/* last_seen_at, once applied */
	long long updated_us;	/* updated_at, once changed (0: unchanged) */
	const char *source;	/* of the last change (NULL: none) */
	const char *back;	/* the silence ended: the status right after
				 * the message that ended it (NULL: did not) */
};

/* A change the batch made: one parking_history row, in order. */
struct ingest_change {
	long long space_id;
	const char *status;
	const char *source;	/* "sensor" or "will" */
	long long seq;		/* -1: none (a will) */
	long long at_us;
};

/* The static constant for a parking status ("free", "occupied",
 * "unknown", "out_of_service"), so that statuses compare as pointers;
 * NULL for anything else. */
const char *ingest_status(const char *s);

/* Sorts spaces by sensor for ingest_space_find. */
void ingest_spaces_sort(struct ingest_space *spaces, size_t n);

/* The space of sensor among n sorted spaces (borrowed), or NULL: the
 * sensor is bound to no live space. */
struct ingest_space *ingest_space_find(struct ingest_space *spaces, size_t n,
				       const char *sensor);

/* Applies m to sp, the space of m's sensor.  Returns false when m is old
 * news and changes nothing.  Otherwise sp is seen at m's time (and its
 * series moves on: seq and boot, when m has them); when its status
 * changes (a space out of service stays so), *ch gets the history row and
 * *changed is set. */
bool ingest_apply(struct ingest_space *sp, const struct ingest_msg *m,
		  struct ingest_change *ch, bool *changed);

#endif
