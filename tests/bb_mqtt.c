/* bb_mqtt: the sensor side of parking through the real broker: what the
 * broker's ACL lets a sensor and the ingest account do, and that every
 * accepted message reaches MariaDB, in order, once, through database and
 * broker outages, sensor reboots, bursts and crashes of haas-ingestd in
 * the middle of a batch.  Clients are mosquitto_pub and mosquitto_sub;
 * what counts is the space the API shows and the rows afterwards. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bb.h"
#include "cunit_main.h"
#include "util.h"

/* The ingest daemon's broker account in the test stack (scripts/lib.sh). */
#define INGEST_USER "ingest"

static const char sql_last_seq[] =
	"SELECT COALESCE(last_seq, -1) FROM parking_spaces WHERE id = ?";
static const char sql_history_source[] =
	"SELECT COUNT(*) FROM parking_history"
	" WHERE space_id = ? AND source = ?";
static const char sql_sensor_seqs[] =
	"SELECT COALESCE(GROUP_CONCAT(seq ORDER BY id SEPARATOR ','), '')"
	" FROM parking_history WHERE space_id = ? AND source = 'sensor'";
static const char sql_sensor_statuses[] =
	"SELECT COALESCE(GROUP_CONCAT(status ORDER BY id SEPARATOR ','), '')"
	" FROM parking_history WHERE space_id = ? AND source = 'sensor'";
static const char sql_last_boot[] =
	"SELECT COALESCE(last_boot, '') FROM parking_spaces WHERE id = ?";
static const char sql_sensor_count[] =
	"SELECT COUNT(*) FROM parking_sensors WHERE sensor_id = ?";

static char *admin;

/* A sensor with its broker account and the space it is bound to. */
struct sensor {
	char *id;		/* sensor_id, the broker user name */
	char *pw;
	long long space;
};

/* ---- helpers ------------------------------------------------------------ */

static const char *
mqtt_port(void)
{
	const char *p = getenv("HAAS_MQTT_PORT");

	return p ? p : "18830";
}

/* A new space bound to a new sensor. */
static void
sensor_new(struct sensor *s, const char *prefix)
{
	char *code = bb_unique("Q"), *b;
	struct bb_resp *r;
	json_object *o, *v;

	s->id = bb_unique(prefix);
	b = xasprintf("{\"code\": \"%s\", \"zone\": \"mqtt\","
		      " \"sensor_id\": \"%s\"}", code, s->id);
	r = bb_json("POST", "/api/parking-spaces", admin, b);
	CU_ASSERT_EQUAL(r->status, 201);
	s->pw = xstrdup(bb_str(r, "sensor_password"));
	s->space = 0;
	if (r->json && json_object_object_get_ex(r->json, "parking_space", &o)
	    && json_object_object_get_ex(o, "space_id", &v))
		s->space = strtoll(json_object_get_string(v), NULL, 10);
	CU_ASSERT(s->space > 0);
	bb_free(r);
	free(b);
	free(code);
}

static void
sensor_free(struct sensor *s)
{
	free(s->id);
	free(s->pw);
}

/* The first line of a file, without its newline ("" when unreadable). */
static char *
file_line(const char *path)
{
	char line[512] = "";
	FILE *f = fopen(path, "r");

	if (f && !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}

/* The value of key in the stack's haas.conf, the last line naming it
 * winning ("" when absent; caller frees). */
static char *
conf_value(const char *key)
{
	char line[1024], *v = NULL;
	size_t n = strlen(key);
	FILE *f = fopen(getenv("HAAS_CONFIG"), "r");

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, key, n) && !strncmp(line + n, " = ", 3)) {
			free(v);
			v = xstrdup(line + n + 3);
		}
	}
	if (f)
		fclose(f);
	return v ? v : xstrdup("");
}

/* How often needle occurs in the file at path. */
static int
count_in_file(const char *path, const char *needle)
{
	struct buf b = { 0 };
	char chunk[65536];
	size_t got;
	const char *p;
	int n = 0;
	FILE *f = fopen(path, "r");

	while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	if (f)
		fclose(f);
	for (p = b.s; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	buf_release(&b);
	return n;
}

/* The ingest daemon's broker password, as the stack keeps it. */
static char *
ingest_password(void)
{
	char *path = xasprintf("%s/secrets/mqtt-ingest.txt",
			       getenv("HAAS_STATE_DIR"));
	char *pw = file_line(path);

	free(path);
	return pw;
}

/* mosquitto_pub at QoS 1 as user on topic; its exit status. */
static int
pub(const char *user, const char *pw, const char *topic, const char *msg)
{
	char *cmd = xasprintf("mosquitto_pub -h 127.0.0.1 -p %s -q 1 -u '%s'"
			      " -P '%s' -t '%s' -m '%s' 2>/dev/null",
			      mqtt_port(), user, pw, topic, msg);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

/* A status message from user onto owner's status topic; boot may be
 * NULL (no boot id in the payload). */
static int
pub_as(const char *user, const char *pw, const char *owner,
       const char *status, long long seq, const char *boot)
{
	char *topic = xasprintf("haas/parking/%s/status", owner);
	char *bootf = boot ? xasprintf(", \"boot\": \"%s\"", boot)
			   : xstrdup("");
	char *m = xasprintf("{\"status\": \"%s\", \"seq\": %lld%s}", status,
			    seq, bootf);
	int rc = pub(user, pw, topic, m);

	free(m);
	free(bootf);
	free(topic);
	return rc;
}

/* A sensor's own status message. */
static int
pub_status(const struct sensor *s, const char *status, long long seq,
	   const char *boot)
{
	return pub_as(s->id, s->pw, s->id, status, seq, boot);
}

/* Statuses alternate with seq, so every message is a change with its own
 * history row. */
static const char *
alternate(long long seq)
{
	return seq % 2 ? "occupied" : "free";
}

static long long
last_seq(const struct sensor *s)
{
	return bb_db_int(sql_last_seq, DB_P(db_int(s->space)));
}

/* Waits up to seconds for the space's last applied seq to be seq. */
static bool
wait_seq(const struct sensor *s, long long seq, int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (last_seq(s) == seq)
			return true;
		usleep(50000);
	}
	return false;
}

/* Waits up to seconds for the space to have n history rows from source. */
static bool
wait_history(const struct sensor *s, const char *source, long long n,
	     int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (bb_db_int(sql_history_source, DB_P(db_int(s->space),
						       db_str(source))) == n)
			return true;
		usleep(50000);
	}
	return false;
}

/* A one-column, one-row query as a string (caller frees). */
static char *
db_text(const char *q, long long id)
{
	struct db_rows *rows;
	char *v = NULL;

	if (db_query(bb_db(), q, DB_P(db_int(id)), 1, &rows) != ERR_OK)
		return xstrdup("(query failed)");
	if (db_next(rows) && db_col(rows, 0))
		v = xstrdup(db_col(rows, 0));
	db_rows_free(rows);
	return v ? v : xstrdup("");
}

/* "from,...,to" */
static char *
seq_list(long long from, long long to)
{
	struct buf b = { 0 };
	long long i;

	for (i = from; i <= to; i++)
		buf_addf(&b, i > from ? ",%lld" : "%lld", i);
	return b.s ? b.s : xstrdup("");
}

/* alternate(from),...,alternate(to) */
static char *
status_list(long long from, long long to)
{
	struct buf b = { 0 };
	long long i;

	for (i = from; i <= to; i++)
		buf_addf(&b, i > from ? ",%s" : "%s", alternate(i));
	return b.s ? b.s : xstrdup("");
}

/* The statuses of the space's sensor history as the API shows them, oldest
 * first, comma-separated (caller frees). */
static char *
api_sensor_history(const struct sensor *s)
{
	char *p = xasprintf("/api/parking-spaces/%lld/history?limit=500",
			    s->space);
	struct bb_resp *r = bb_get(p, admin);
	json_object *h, *e, *v;
	struct buf b = { 0 };
	size_t i;

	CU_ASSERT_EQUAL(r->status, 200);
	if (!r->json || !json_object_object_get_ex(r->json, "history", &h))
		h = NULL;
	for (i = h ? json_object_array_length(h) : 0; i-- > 0;) {
		e = json_object_array_get_idx(h, i);
		if (!json_object_object_get_ex(e, "source", &v) ||
		    strcmp(json_object_get_string(v), "sensor") ||
		    !json_object_object_get_ex(e, "status", &v))
			continue;
		buf_addf(&b, "%s%s", b.len ? "," : "",
			 json_object_get_string(v));
	}
	bb_free(r);
	free(p);
	return b.s ? b.s : xstrdup("");
}

/* Asserts that the space's sensor history holds exactly the seqs from..to
 * in this order. */
static void
assert_seqs(const struct sensor *s, long long from, long long to)
{
	char *want = seq_list(from, to), *got = db_text(sql_sensor_seqs,
							 s->space);

	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want))
		fprintf(stderr, "\n    %s: history seqs %s, want %s\n", s->id,
			got, want);
	free(want);
	free(got);
}

/* The status the API shows for the sensor's space. */
static char *
api_status(const struct sensor *s)
{
	char *p = xasprintf("/api/parking-spaces/%lld", s->space);
	struct bb_resp *r = bb_get(p, NULL);
	json_object *o, *v;
	char *st = xstrdup("");

	if (r->status == 200 && r->json &&
	    json_object_object_get_ex(r->json, "parking_space", &o) &&
	    json_object_object_get_ex(o, "status", &v)) {
		free(st);
		st = xstrdup(json_object_get_string(v));
	}
	bb_free(r);
	free(p);
	return st;
}

/* ---- mosquitto_sub in the background ------------------------------------ */

struct sub {
	pid_t pid;
	char out[64];		/* its stdout and stderr (-v -d) */
};

/* Starts mosquitto_sub as user on topic, line-buffered into s->out; with
 * will, it sets that last will topic (payload "offline"). */
static void
sub_start(struct sub *s, const char *user, const char *pw,
	  const char *topic, const char *will)
{
	const char *argv[32] = { "stdbuf", "-oL", "-eL", "mosquitto_sub",
		"-h", "127.0.0.1", "-p", mqtt_port(), "-u", user, "-P", pw,
		"-t", topic, "-q", "1", "-v", "-d" };
	size_t n = 18;
	int fd;

	if (will) {
		argv[n++] = "--will-topic";
		argv[n++] = will;
		argv[n++] = "--will-payload";
		argv[n++] = "offline";
		argv[n++] = "--will-qos";
		argv[n++] = "1";
	}
	snprintf(s->out, sizeof(s->out), "/tmp/bb_mqtt_sub_XXXXXX");
	fd = mkstemp(s->out);
	CU_ASSERT_FATAL(fd >= 0);
	s->pid = fork();
	CU_ASSERT_FATAL(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd);
}

/* Ends it with sig (SIGKILL: no DISCONNECT, so the broker sends the
 * will) and removes its output file. */
static void
sub_stop(struct sub *s, int sig)
{
	int status;

	kill(s->pid, sig);
	waitpid(s->pid, &status, 0);
	unlink(s->out);
}

static bool
file_has(const char *path, const char *needle)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static bool
wait_file(const char *path, const char *needle, int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (file_has(path, needle))
			return true;
		usleep(50000);
	}
	return false;
}

/* ---- ACL ---------------------------------------------------------------- */

/* A sensor publishing on another's topics, and the ingest account
 * publishing at all, change nothing: not the status, not the seq series,
 * no will.  The victim's own next message still applies. */
static void
test_acl_publish(void)
{
	struct sensor a, b;
	char *ipw = ingest_password(), *st;
	char *online;

	sensor_new(&a, "acl_a");
	sensor_new(&b, "acl_b");
	online = xasprintf("haas/parking/%s/online", b.id);
	CU_ASSERT_EQUAL(pub_status(&b, "occupied", 1, NULL), 0);
	CU_ASSERT(wait_seq(&b, 1, 10));
	/* forgeries: a huge seq (the space would ignore B for good), a
	 * will, and the same from the ingest account */
	pub_as(a.id, a.pw, b.id, "free", 9223372036854775806LL, NULL);
	pub(a.id, a.pw, online, "offline");
	pub_as(INGEST_USER, ipw, b.id, "free", 9223372036854775805LL, NULL);
	pub(INGEST_USER, ipw, online, "offline");
	CU_ASSERT_EQUAL(pub_status(&b, "free", 2, NULL), 0);
	CU_ASSERT(wait_seq(&b, 2, 10));
	st = api_status(&b);
	CU_ASSERT_STRING_EQUAL(st, "free");
	free(st);
	st = db_text(sql_sensor_seqs, b.space);
	CU_ASSERT_STRING_EQUAL(st, "1,2");
	free(st);
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(b.space), db_str("will"))), 0);
	free(online);
	free(ipw);
	sensor_free(&a);
	sensor_free(&b);
}

/* Sensor A subscribed to "#" receives nothing of B's, while the ingest
 * account, subscribed at the same time, receives B's messages. */
static void
test_acl_read(void)
{
	struct sensor a, b;
	struct sub sa, si;
	char *ipw = ingest_password();
	char *topic;

	sensor_new(&a, "acl_ra");
	sensor_new(&b, "acl_rb");
	topic = xasprintf("haas/parking/%s/status", b.id);
	sub_start(&sa, a.id, a.pw, "#", NULL);
	sub_start(&si, INGEST_USER, ipw, "haas/parking/#", NULL);
	CU_ASSERT(wait_file(sa.out, "Subscribed", 10));
	CU_ASSERT(wait_file(si.out, "Subscribed", 10));
	pub_status(&b, "occupied", 1, NULL);
	pub_status(&b, "free", 2, NULL);
	/* the broker queues a message for every subscriber at once; the
	 * second one reaching the ingest reader leaves A time for both */
	CU_ASSERT(wait_file(si.out, "\"seq\": 2", 10));
	CU_ASSERT(file_has(si.out, topic));
	CU_ASSERT_FALSE(file_has(sa.out, topic));
	CU_ASSERT_FALSE(file_has(sa.out, "PUBLISH"));
	sub_stop(&sa, SIGTERM);
	sub_stop(&si, SIGTERM);
	CU_ASSERT(wait_seq(&b, 2, 10));
	free(topic);
	free(ipw);
	sensor_free(&a);
	sensor_free(&b);
}

/* A sensor's last will works on its own topic only: A's connection dies
 * with a will on its own online topic and one on B's; A's space turns
 * unknown by will, B's gets no will. */
static void
test_acl_will(void)
{
	struct sensor a, b;
	struct sub forged, own;
	char *btopic, *atopic;

	sensor_new(&a, "will_a");
	sensor_new(&b, "will_b");
	btopic = xasprintf("haas/parking/%s/online", b.id);
	atopic = xasprintf("haas/parking/%s/online", a.id);
	pub_status(&a, "occupied", 1, NULL);
	pub_status(&b, "occupied", 1, NULL);
	CU_ASSERT(wait_seq(&a, 1, 10) && wait_seq(&b, 1, 10));
	sub_start(&forged, a.id, a.pw, "x/none", btopic);
	sub_start(&own, a.id, a.pw, "x/none", atopic);
	CU_ASSERT(wait_file(forged.out, "CONNACK", 10));
	CU_ASSERT(wait_file(own.out, "Subscribed", 10));
	sub_stop(&forged, SIGKILL);
	sub_stop(&own, SIGKILL);
	/* A's own will arrives, after the forged one would have */
	CU_ASSERT(wait_history(&a, "will", 1, 10));
	CU_ASSERT_EQUAL(bb_db_int(sql_history_source,
		DB_P(db_int(b.space), db_str("will"))), 0);
	free(btopic);
	free(atopic);
	sensor_free(&a);
	sensor_free(&b);
}

/* ---- durability ---------------------------------------------------------- */

/* QoS 1 messages queued for the ingest daemon's session survive a broker
 * restart: ingestd stopped, sensor publishes, broker restarted, ingestd
 * started: every message applied, in order. */
static void
test_broker_restart(void)
{
	struct sensor s;
	long long i, n = 10;
	char *st;

	sensor_new(&s, "persist");
	CU_ASSERT_EQUAL_FATAL(bb_stack("ingestd-stop"), 0);
	for (i = 1; i <= n; i++)
		CU_ASSERT_EQUAL(pub_status(&s, alternate(i), i, NULL), 0);
	CU_ASSERT_EQUAL(bb_stack("mqtt-stop"), 0);
	CU_ASSERT_EQUAL(bb_stack("mqtt-start"), 0);
	CU_ASSERT_EQUAL_FATAL(bb_stack("ingestd-start"), 0);
	CU_ASSERT(wait_seq(&s, n, 30));
	assert_seqs(&s, 1, n);
	st = api_status(&s);
	CU_ASSERT(!strcmp(st, alternate(n)) || !strcmp(st, "unknown"));
	free(st);
	sensor_free(&s);
}

/* MariaDB stopped for 30 s while three sensors publish: once it is back,
 * every message is applied, in seq order per sensor, and the API's history
 * shows each change. */
static void
test_db_outage(void)
{
	struct sensor s[3];
	long long n = 0;
	time_t until;
	char *want, *got;
	int i;

	for (i = 0; i < 3; i++)
		sensor_new(&s[i], "outage");
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-stop"), 0);
	for (until = time(NULL) + 30; time(NULL) < until; usleep(300000)) {
		n++;
		for (i = 0; i < 3; i++)
			CU_ASSERT_EQUAL(pub_status(&s[i], alternate(n), n,
						   NULL), 0);
	}
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-start"), 0);
	want = status_list(1, n);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(wait_seq(&s[i], n, 60));
		assert_seqs(&s[i], 1, n);
		got = api_sensor_history(&s[i]);
		CU_ASSERT_STRING_EQUAL(got, want);
		free(got);
		sensor_free(&s[i]);
	}
	free(want);
}

/* Messages in the spool while MariaDB is down survive a crash of
 * haas-ingestd (SIGKILL, after the broker handed them over): started
 * again, it applies them once the database is back, each once. */
static void
test_spool_replay(void)
{
	struct sensor s;
	long long i, n = 8;
	char *spool = conf_value("ingest_spool"), *needle;
	int k;

	sensor_new(&s, "replay");
	needle = xasprintf("\"sensor\":\"%s\"", s.id);
	pub_status(&s, alternate(1), 1, NULL);
	CU_ASSERT(wait_seq(&s, 1, 10));
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-stop"), 0);
	for (i = 2; i <= n; i++)
		CU_ASSERT_EQUAL(pub_status(&s, alternate(i), i, NULL), 0);
	for (k = 0; k < 200 && count_in_file(spool, needle) < n - 1; k++)
		usleep(50000);
	CU_ASSERT(count_in_file(spool, needle) >= n - 1);
	CU_ASSERT_EQUAL(bb_stack("ingestd-kill"), 0);
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-start"), 0);
	CU_ASSERT(wait_seq(&s, n, 30));
	assert_seqs(&s, 1, n);
	free(needle);
	free(spool);
	sensor_free(&s);
}

/* A sensor whose counter restarts after a power cut says so with a new
 * boot id: its messages count again, ordered by seq within the new boot;
 * without a boot id, or with the same one, a lower seq is still old. */
static void
test_reboot(void)
{
	struct sensor s;
	long long i;
	char *st;

	sensor_new(&s, "reboot");
	for (i = 1; i <= 5; i++)
		pub_status(&s, alternate(i), i, "boot-a");
	CU_ASSERT(wait_seq(&s, 5, 10));
	/* power cut: seq starts again under a new boot id */
	pub_status(&s, "free", 1, "boot-b");
	pub_status(&s, "occupied", 1, "boot-b");	/* duplicate */
	pub_status(&s, "occupied", 2, "boot-b");
	pub_status(&s, "free", 1, "boot-b");		/* old news */
	pub_status(&s, "free", 1, NULL);		/* no boot id: old */
	pub_status(&s, "occupied", 9, "bad boot");	/* malformed */
	pub_status(&s, "free", 3, "boot-b");
	CU_ASSERT(wait_seq(&s, 3, 10));
	st = db_text(sql_sensor_seqs, s.space);
	CU_ASSERT_STRING_EQUAL(st, "1,2,3,4,5,1,2,3");
	free(st);
	st = db_text(sql_sensor_statuses, s.space);
	CU_ASSERT_STRING_EQUAL(st, "occupied,free,occupied,free,occupied,"
			       "free,occupied,free");
	free(st);
	st = api_sensor_history(&s);
	CU_ASSERT_STRING_EQUAL(st, "occupied,free,occupied,free,occupied,"
			       "free,occupied,free");
	free(st);
	st = db_text(sql_last_boot, s.space);
	CU_ASSERT_STRING_EQUAL(st, "boot-b");
	free(st);
	sensor_free(&s);
}

/* ---- bursts -------------------------------------------------------------- */

#define BURST_SENSORS 3
#define BURST_BOOTS 40		/* per sensor, each one's seqs 1 to 4 */
#define BURST_SEQS 4
#define BURST_MAX (BURST_BOOTS * BURST_SEQS * 3 + 2)

static const char sql_space_seen[] =
	"SELECT COALESCE(last_seq, -1) FROM parking_spaces WHERE id = ?"
	" AND last_boot = ?";

/* One status message of a burst; boot NULL: none. */
struct bmsg {
	const char *status;
	long long seq;
	const char *boot;
};

/* A sensor's burst: its messages in publishing order, and what the
 * README's rules make of them.  The sensor reboots every few messages:
 * a batch applied twice would start its older boots' series again and
 * show as extra history rows. */
struct burst {
	struct sensor s;
	char *boot[BURST_BOOTS];
	struct bmsg m[BURST_MAX];
	size_t n;
	char *file;		/* the payloads, one a line */
	char *want_seqs, *want_statuses;	/* the sensor history */
	long long want_last_seq;
	const char *want_status;
};

static unsigned long rnd_state;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd_state >> 33) % n;
}

static const char *
rnd_status(void)
{
	return rnd(2) ? "occupied" : "free";
}

static void
burst_push(struct burst *b, const char *status, long long seq,
	   const char *boot)
{
	CU_ASSERT_FATAL(b->n < BURST_MAX);
	b->m[b->n++] = (struct bmsg){ status, seq, boot };
}

/* One boot's messages: seqs 1..BURST_SEQS with random statuses, some
 * duplicated (with any status), some swapped with their predecessor, and
 * after the first boot some without a boot id and a low seq. */
static void
burst_boot(struct burst *b, const char *boot, bool later)
{
	size_t first = b->n;
	struct bmsg t;
	long long seq;

	for (seq = 1; seq <= BURST_SEQS; seq++) {
		burst_push(b, rnd_status(), seq, boot);
		if (rnd(4) == 0)
			burst_push(b, rnd_status(), b->m[first + rnd(
				(unsigned)(b->n - first))].seq, boot);
		if (rnd(4) == 0 && b->n - first >= 2) {
			t = b->m[b->n - 1];
			b->m[b->n - 1] = b->m[b->n - 2];
			b->m[b->n - 2] = t;
		}
		if (later && rnd(8) == 0)
			burst_push(b, rnd_status(), 1 + rnd(2), NULL);
	}
}

/* What the rules make of the burst: a message whose seq is not above the
 * last applied one of its series (its boot id, or any when it has none)
 * is old news; every other one that changes the status is a history
 * row.  A new space starts unknown. */
static void
burst_expect(struct burst *b)
{
	struct buf seqs = { 0 }, sts = { 0 };
	const char *boot = "", *st = "unknown";
	bool has_seq = false;
	long long last = 0;
	size_t i;

	free(b->want_seqs);
	free(b->want_statuses);
	for (i = 0; i < b->n; i++) {
		const struct bmsg *m = &b->m[i];

		if (has_seq && (!m->boot || !strcmp(m->boot, boot)) &&
		    m->seq <= last)
			continue;
		has_seq = true;
		last = m->seq;
		if (m->boot)
			boot = m->boot;
		if (strcmp(st, m->status)) {
			buf_addf(&seqs, "%s%lld", seqs.len ? "," : "", m->seq);
			buf_addf(&sts, "%s%s", sts.len ? "," : "", m->status);
			st = m->status;
		}
	}
	b->want_seqs = seqs.s ? seqs.s : xstrdup("");
	b->want_statuses = sts.s ? sts.s : xstrdup("");
	b->want_last_seq = last;
	b->want_status = st;
}

/* A new sensor with its burst written to a file: its boots, then one
 * last message (a change, in the last boot, above every seq) that says
 * the burst is through. */
static void
burst_new(struct burst *b, const char *prefix, unsigned seed)
{
	const struct bmsg *m;
	FILE *f;
	size_t i;

	memset(b, 0, sizeof(*b));
	sensor_new(&b->s, prefix);
	rnd_state = seed;
	for (i = 0; i < BURST_BOOTS; i++) {
		b->boot[i] = xasprintf("%s-%zu", b->s.id, i);
		burst_boot(b, b->boot[i], i > 0);
	}
	burst_expect(b);
	burst_push(b, strcmp(b->want_status, "free") ? "free" : "occupied",
		   BURST_SEQS + 1, b->boot[BURST_BOOTS - 1]);
	burst_expect(b);
	b->file = xasprintf("/tmp/bb_mqtt_burst_%s", b->s.id);
	f = fopen(b->file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < b->n; i++) {
		m = &b->m[i];
		fprintf(f, "{\"status\": \"%s\", \"seq\": %lld", m->status,
			m->seq);
		if (m->boot)
			fprintf(f, ", \"boot\": \"%s\"", m->boot);
		fprintf(f, "}\n");
	}
	fclose(f);
}

static void
burst_free(struct burst *b)
{
	size_t i;

	unlink(b->file);
	free(b->file);
	for (i = 0; i < BURST_BOOTS; i++)
		free(b->boot[i]);
	free(b->want_seqs);
	free(b->want_statuses);
	sensor_free(&b->s);
}

/* Every sensor publishes its burst at once, one connection each (so each
 * sensor's messages keep their order and the sensors interleave). */
static void
bursts_publish(struct burst *b, int n)
{
	struct buf cmd = { 0 };
	int i;

	for (i = 0; i < n; i++)
		buf_addf(&cmd, "mosquitto_pub -h 127.0.0.1 -p %s -q 1 -u '%s'"
			 " -P '%s' -t 'haas/parking/%s/status' -l < '%s' &\n",
			 mqtt_port(), b[i].s.id, b[i].s.pw, b[i].s.id,
			 b[i].file);
	buf_adds(&cmd, "wait\n");
	CU_ASSERT_EQUAL(system(cmd.s), 0);
	buf_release(&cmd);
}

/* The space's last seq in the burst's last boot (-1: another boot). */
static long long
burst_seen(const struct burst *b)
{
	return bb_db_int(sql_space_seen, DB_P(db_int(b->s.space),
			 db_str(b->boot[BURST_BOOTS - 1])));
}

/* Waits up to 30 s for the burst's last message to be applied. */
static void
burst_wait(const struct burst *b)
{
	int i;

	for (i = 0; i < 600 && burst_seen(b) != b->want_last_seq; i++)
		usleep(50000);
	CU_ASSERT_EQUAL(burst_seen(b), b->want_last_seq);
}

/* One more message for the sensor, a change, published once the burst
 * is applied: when it is applied too, whatever the daemon did once more
 * with the spooled batch before it (a retry, a restart) is done. */
static void
burst_settle(struct burst *b)
{
	const char *boot = b->boot[BURST_BOOTS - 1];
	const char *st = strcmp(b->want_status, "free") ? "free" : "occupied";

	burst_push(b, st, BURST_SEQS + 2, boot);
	burst_expect(b);
	CU_ASSERT_EQUAL(pub_status(&b->s, st, BURST_SEQS + 2, boot), 0);
}

/* Waits for the burst's last message, then checks the space against
 * the rules: the sensor history row for row (nothing lost, nothing
 * twice), the last seq and boot, and the status (or unknown, when the
 * TTL sweep came after the burst). */
static void
burst_check(const struct burst *b)
{
	char *got;

	burst_wait(b);
	got = db_text(sql_sensor_seqs, b->s.space);
	CU_ASSERT_STRING_EQUAL(got, b->want_seqs);
	if (strcmp(got, b->want_seqs))
		fprintf(stderr, "\n    %s: history seqs\n      %s\n    want\n"
			"      %s\n", b->s.id, got, b->want_seqs);
	free(got);
	got = db_text(sql_sensor_statuses, b->s.space);
	CU_ASSERT_STRING_EQUAL(got, b->want_statuses);
	free(got);
	got = api_status(&b->s);
	CU_ASSERT(!strcmp(got, b->want_status) || (!strcmp(got, "unknown") &&
		  bb_db_int(sql_history_source, DB_P(db_int(b->s.space),
			    db_str("ttl"))) > 0));
	free(got);
}

/* A burst of several sensors at once, interleaved, with duplicates, late
 * messages and a reboot each, waiting at the broker while haas-ingestd
 * is stopped, so that it takes them in a few large batches: each space
 * ends where the rules say, with exactly the history rows they make, in
 * order. */
static void
test_burst(void)
{
	struct burst b[BURST_SENSORS];
	int i;

	for (i = 0; i < BURST_SENSORS; i++)
		burst_new(&b[i], "burst", 17u + (unsigned)i);
	CU_ASSERT_EQUAL_FATAL(bb_stack("ingestd-stop"), 0);
	bursts_publish(b, BURST_SENSORS);
	CU_ASSERT_EQUAL_FATAL(bb_stack("ingestd-start"), 0);
	for (i = 0; i < BURST_SENSORS; i++) {
		burst_check(&b[i]);
		burst_free(&b[i]);
	}
}

/* The ingest daemon's log. */
static char *
ingestd_log(void)
{
	return xasprintf("%s/log/ingestd.log", getenv("HAAS_STATE_DIR"));
}

/* Waits until the spool holds every burst's last message. */
static bool
bursts_spooled(const struct burst *b, int n)
{
	char *spool = conf_value("ingest_spool"), *needle;
	int i, k, have = 0;

	for (k = 0; k < 600 && have < n; k++) {
		for (i = 0, have = 0; i < n; i++) {
			needle = xasprintf("\"seq\":%d,\"boot\":\"%s\"",
					   BURST_SEQS + 1,
					   b[i].boot[BURST_BOOTS - 1]);
			have += count_in_file(spool, needle) > 0;
			free(needle);
		}
		if (have < n)
			usleep(50000);
	}
	free(spool);
	return have == n;
}

/* Writes a fault for haas-ingestd's next batch (its test hook: a file
 * next to its spool, read when fault_injection = 1). */
static char *
fault_write(const char *fault)
{
	char *spool = conf_value("ingest_spool");
	char *path = xasprintf("%s.fault", spool);
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "%s\n", fault);
	fclose(f);
	free(spool);
	return path;
}

/* The same burst, spooled while MariaDB is down so that one batch takes
 * all of it, with a fault injected into that batch: killed after the
 * history rows were written but before COMMIT (the batch is applied
 * again, whole), killed right after COMMIT (the spool still holds the
 * batch: skipped, not applied again), COMMIT's answer lost (the daemon
 * retries on a new connection and finds it applied).  A batch applied
 * twice would show as extra rows (the reboots' older series again); one
 * more message after it shows when the daemon is through with it. */
static void
burst_fault(const char *fault, const char *logged, unsigned seed)
{
	struct burst b[BURST_SENSORS];
	char *log = ingestd_log(), *path;
	int i, before = count_in_file(log, logged);

	for (i = 0; i < BURST_SENSORS; i++)
		burst_new(&b[i], "fault", seed + (unsigned)i);
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-stop"), 0);
	bursts_publish(b, BURST_SENSORS);
	CU_ASSERT(bursts_spooled(b, BURST_SENSORS));
	path = fault_write(fault);
	CU_ASSERT_EQUAL_FATAL(bb_stack("db-start"), 0);
	for (i = 0; i < BURST_SENSORS; i++)
		burst_wait(&b[i]);
	for (i = 0; i < BURST_SENSORS; i++)
		burst_settle(&b[i]);
	for (i = 0; i < BURST_SENSORS; i++) {
		burst_check(&b[i]);
		burst_free(&b[i]);
	}
	/* the fault did fire, once, and was used up */
	CU_ASSERT_EQUAL(count_in_file(log, logged), before + 1);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	free(path);
	free(log);
}

static void
test_burst_crash_before_commit(void)
{
	burst_fault("crash-after:ORDER BY j.n",
		    "injected crash after: INSERT INTO parking_history", 101);
}

static void
test_burst_crash_after_commit(void)
{
	burst_fault("crash-after:COMMIT", "injected crash after: COMMIT", 202);
}

static void
test_burst_commit_lost(void)
{
	burst_fault("lost-after:COMMIT", "injected lost reply after: COMMIT",
		    303);
}

/* ---- the reserved sensor id --------------------------------------------- */

/* haasctl sensor add as a test process would run it; its exit status. */
static int
haasctl_sensor_add(const char *id)
{
	char *cmd = xasprintf("%s/haasctl -c %s sensor add %s >/dev/null 2>&1",
			      getenv("HAAS_BUILD_DIR"), getenv("HAAS_CONFIG"),
			      id);
	int rc = system(cmd);

	free(cmd);
	return rc;
}

/* A sensor named like the ingest account would overwrite its broker
 * password: refused by the API and haasctl, and ingest keeps working
 * after a restart (a fresh login with its password). */
static void
test_sensor_id_reserved(void)
{
	struct sensor s;
	char *p, *code = bb_unique("R");
	char *b = xasprintf("{\"code\": \"%s\", \"zone\": \"mqtt\","
			    " \"sensor_id\": \"" INGEST_USER "\"}", code);
	struct bb_resp *r = bb_json("POST", "/api/parking-spaces", admin, b);

	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "sensor_id_reserved");
	CU_ASSERT_STRING_EQUAL(bb_str(r, "error"), "sensor_id is reserved: it"
			       " is the ingest daemon's broker account");
	bb_free(r);
	sensor_new(&s, "resv");
	p = xasprintf("/api/parking-spaces/%lld", s.space);
	r = bb_json("PATCH", p, admin, "{\"sensor_id\": \"" INGEST_USER "\"}");
	CU_ASSERT_EQUAL(r->status, 400);
	CU_ASSERT_STRING_EQUAL(bb_str(r, "code"), "sensor_id_reserved");
	bb_free(r);
	CU_ASSERT_NOT_EQUAL(haasctl_sensor_add(INGEST_USER), 0);
	CU_ASSERT_EQUAL(bb_db_int(sql_sensor_count,
		DB_P(db_str(INGEST_USER))), 0);
	CU_ASSERT_EQUAL(bb_stack("ingestd-restart"), 0);
	CU_ASSERT_EQUAL(pub_status(&s, "occupied", 1, NULL), 0);
	CU_ASSERT(wait_seq(&s, 1, 20));
	free(p);
	free(b);
	free(code);
	sensor_free(&s);
}

static CU_TestInfo tests[] = {
	{ "ACL: no writes on another sensor's topics", test_acl_publish },
	{ "ACL: a sensor reads nothing", test_acl_read },
	{ "ACL: a last will only on the sensor's own topic", test_acl_will },
	{ "broker restart keeps messages queued for ingestd",
	  test_broker_restart },
	{ "MariaDB down 30 s: every message applied, in order",
	  test_db_outage },
	{ "spooled messages survive an ingestd crash", test_spool_replay },
	{ "a rebooted sensor (new boot id) is heard again", test_reboot },
	{ "a burst of sensors interleaved, duplicated, late: every change once,"
	  " in order", test_burst },
	{ "ingestd killed mid-batch: the batch applied again, once",
	  test_burst_crash_before_commit },
	{ "ingestd killed after COMMIT: the batch not applied twice",
	  test_burst_crash_after_commit },
	{ "COMMIT's answer lost: the batch not applied twice",
	  test_burst_commit_lost },
	/* last: on a broken build it would lock ingestd out of the broker */
	{ "sensor_id of the ingest account refused", test_sensor_id_reserved },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = { SUITE("mqtt", tests), CU_SUITE_INFO_NULL };

int
main(void)
{
	bb_init();
	admin = bb_admin_token();
	return cunit_run(suites);
}
