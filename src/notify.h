/* notify: the transactional outbox (sql/012_notify.sql).  A change that
 * someone must hear about calls notify() inside the transaction that makes
 * it: the notices are rows of that transaction, so a rolled-back change
 * sends nothing and a committed one cannot lose its notice.  haas-notifyd
 * delivers them (src/notifyd.c). */
#ifndef HAAS_NOTIFY_H
#define HAAS_NOTIFY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "req.h"

struct db;

/* The kinds of notice.  The name is the template's file name
 * (<template_dir>/<name>.txt), the webhook's event kind and the key of a
 * preference. */
enum notice_kind {
	NK_ACCOUNT_RESET,		/* a password reset link, to its owner */
	NK_ACCOUNT_VERIFY,		/* an address to verify, to its owner */
	NK_REGISTRATION_SUBMITTED,	/* a driver applied (to staff) */
	NK_REGISTRATION_DECIDED,	/* approved or rejected (to the driver) */
	NK_RESERVATION_STARTING,	/* a lab PC reservation starts soon */
	NK_HARDWARE_DUE,		/* borrowed hardware is due soon */
	NK_HARDWARE_OVERDUE,		/* ... and now overdue */
	NK_ORDER_STATUS,		/* an order moved (to its buyer) */
	NK_STOCK_LOW,			/* a product fell below its threshold */
	NK_SENSOR_SILENT,		/* a parking sensor went silent */
	NK_SENSOR_BACK,			/* ... and spoke again */
	NK_WEBHOOK_TEST,		/* an admin's test of a webhook */
	NK_DIGEST,			/* a user's daily digest */
	NK_COUNT
};

enum notice_flags {
	NKF_FORCED = 1 << 0,	/* no preference: always immediate */
	NKF_SECRET = 1 << 1,	/* fields.link is a secret: never shown,
				 * removed once delivered */
	NKF_NO_HOOK = 1 << 2,	/* never to webhooks */
	NKF_HOOK_ONLY = 1 << 3,	/* only to webhooks */
};

struct notice_kind_info {
	const char *name;	/* "registration.decided" */
	const char *label;	/* for the preferences page */
	enum role audience;	/* who may set a preference for it */
	unsigned flags;		/* enum notice_flags */
};

const struct notice_kind_info *notice_kind_info(enum notice_kind k);
/* The kind named name, or -1. */
int notice_kind_parse(const char *name);

/* One notice to write.  fields (borrowed) are the template's fields, a
 * JSON object.  Recipients by e-mail: users[0..nusers) and, with staff
 * set, every active user of that role or above (ROLE_OPERATOR: operators
 * and admins; ROLE_ADMIN: admins); each as their preference for the kind
 * says (immediate, held for the digest, or not at all).  email, with at
 * most one user, is the address instead of the account's (a registration
 * whose pending account is gone, an address being verified); with no user
 * it is a notice to an address with no account.  Every active webhook
 * that takes the kind gets one too.  once, when set, names the event: the
 * first transaction to notify it writes the notices, later ones (another
 * sweep, a retried request) write nothing. */
struct notice {
	enum notice_kind kind;
	json_object *fields;
	const long long *users;
	size_t nusers;
	enum role staff;
	const char *email;
	const char *once;
};

/* Writes n's notices in the caller's transaction (ERR_INTERNAL outside
 * one).  *written, when not NULL, counts the rows written (0: the event
 * was notified before). */
enum err notify(struct db *db, const struct notice *n, int *written);

struct config;

/* One candidate of a sweep (a reminder due, a user's digest), handled in
 * a transaction of its own: step re-reads and locks it, and notifies. */
typedef enum err (*notify_step_fn)(struct db *db, const struct config *cfg,
				   long long id, void *arg);

/* A sweep of haas-notifyd: the ids sql selects (its first column; at
 * most NOTIFY_SWEEP_PAGE, the statement's last parameter), then step for
 * each in its own transaction.  A deadlock or lock wait leaves that one
 * to the next sweep; any other error stops the sweep. */
#define NOTIFY_SWEEP_PAGE 100
enum err notify_sweep(struct db *db, const struct config *cfg,
		      const char *sql, const struct db_param *p, size_t np,
		      notify_step_fn step, void *arg);

/* A new message id: 32 lower-case hex digits. */
void notify_msg_id(char out[33]);

/* A webhook's X-Haas-Signature: "sha256=" and the lower-case hex of
 * HMAC-SHA256(secret, "<timestamp>.<body>") (README, "Webhooks"). */
#define NOTIFY_SIGNATURE_MAX (7 + 64 + 1)
void notify_sign(const char *secret, long long timestamp, const char *body,
		 size_t n, char out[NOTIFY_SIGNATURE_MAX]);

#endif
