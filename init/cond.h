#ifndef DRAINIT_COND_H
#define DRAINIT_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Readiness conditions (--ready-when) and the little protocols they speak,
 * as pure functions: parsing a condition, the HTTP request and status line,
 * notify datagrams. checks.c runs them. */

enum cond_kind {
	COND_START,     /* ready once the command was exec'd */
	COND_TCP,       /* a TCP connect succeeds */
	COND_HTTP,      /* GET answers 2xx */
	COND_EXEC,      /* a command exits 0 */
	COND_FILE,      /* a file exists */
	COND_NOTIFY,    /* READY=1 on the notify socket */
};

#define COND_ARGS_MAX 64
#define COND_TEXT_MAX 2048

/* A numeric address and port: where a tcp: or http: check connects, or
 * where --ready-http listens. */
struct hostport {
	int family;                 /* AF_INET or AF_INET6; 0: every address (a listener's) */
	unsigned char addr[16];
	unsigned short port;
	char host[64];              /* as the Host header writes it: "127.0.0.1:8080", "[::1]:80" */
};

/* [HOST:]PORT from s up to end: 8080, 10.0.0.5:8080, [::1]:8080,
 * localhost:8080. Without HOST, 127.0.0.1, or with any_host every address
 * (family 0, host ":PORT"). Returns 0, or -1 with a reason in err; pure. */
int cond_hostport(const char *s, const char *end, bool any_host, struct hostport *hp, char *err,
		  size_t errlen);

struct sockaddr_storage;

/* The socket address of addr and port (IPv6 for AF_INET6, else IPv4) into
 * *sa, for connect or bind; returns its length. Pure. */
size_t cond_sockaddr(int family, const unsigned char *addr, unsigned short port,
		     struct sockaddr_storage *sa);

struct cond {
	enum cond_kind kind;
	/* tcp, http: a numeric address (no name lookups in PID 1) */
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned short port;
	char host[64];              /* as the Host header writes it: "127.0.0.1:8080", "[::1]:80" */
	/* http: the request path; file: the file */
	char path[COND_TEXT_MAX];
	/* exec: the words of the command, argv pointing into words; the
	 * struct must not be copied */
	char words[COND_TEXT_MAX];
	char *argv[COND_ARGS_MAX + 1];
	/* what made the app ready, one word: "tcp:8080", "exec:curl" */
	char name[128];
};

/* Parses COND: start, tcp:[HOST:]PORT, http:[HOST:]PORT[/PATH],
 * exec:CMD ARGS, file:PATH or notify. HOST is an IPv4 address, [IPv6] or
 * localhost; the default is 127.0.0.1. Any address will do, such as the
 * pod's own, but host names are refused (a lookup would block PID 1), and
 * so is https: (no TLS), each with a reason that says what to use instead.
 * Returns 0, or -1 with a reason in err. */
int cond_parse(const char *s, struct cond *c, char *err, size_t errlen);

/* Whether the condition is checked by drainit (everything but start and notify). */
bool cond_polled(const struct cond *c);

/* The GET request for an http condition; returns its length. */
size_t cond_http_request(const struct cond *c, char *buf, size_t len);

/* The status code in the first line of an HTTP response held in buf[0..len):
 * 100-599, 0 when more bytes are needed, -1 when it is not HTTP. */
int cond_http_status(const char *buf, size_t len);

/* What a series of check results makes of readiness: before the first
 * success, one success makes the app ready; once ready, `failures` failures
 * in a row withdraw it, and the next success restores it. */
struct cond_tally {
	bool ready;
	unsigned failed;        /* failures in a row */
};

enum cond_change { COND_SAME, COND_NOW_READY, COND_NOW_UNREADY };

enum cond_change cond_tally_add(struct cond_tally *t, bool ok, unsigned failures);

/* When the next check starts: one period after the last one started, or at
 * once when that is past (a slow check does not bunch the next ones up). */
int64_t cond_next_due(int64_t started, int64_t now, int64_t period);

/* What a notify datagram says; unknown keys are counted, never acted on. */
struct notify_msg {
	bool ready;             /* READY=1 */
	bool stopping;          /* STOPPING=1 */
	char status[256];       /* STATUS=..., "" when absent */
	bool has_status;
	unsigned unknown;       /* other KEY=VALUE lines */
	unsigned bad;           /* lines that are not KEY=VALUE */
};

/* Parses one datagram of newline-separated KEY=VALUE lines; the last
 * READY=1 or STOPPING=1 in it wins. */
void cond_notify_parse(const char *buf, size_t len, struct notify_msg *m);

/* Who sent a notify datagram, on the kernel's word (SCM_CREDENTIALS, filled
 * in at send time), and what /proc says of it now. */
struct notify_sender {
	bool creds;             /* the kernel attached credentials */
	pid_t pid;              /* 0: a process of another PID namespace */
	uid_t uid;
	int descends;           /* proc_descends(pid, drainit): 1, 0, or -1 gone */
};

enum notify_trust {
	NOTIFY_OK,
	NOTIFY_NO_CREDS,        /* no credentials: cannot tell who sent it */
	NOTIFY_BAD_UID,         /* neither the app's uid, drainit's nor root */
	NOTIFY_OTHER_NS,        /* pid 0: another PID namespace */
	NOTIFY_OUTSIDE,         /* alive, not started under drainit (docker exec) */
	NOTIFY_GONE_UID,        /* exited, and its uid is neither the app's nor drainit's */
};

/* Whether a sender of this uid may speak for the app at all: the app's,
 * drainit's or root's (root in the container could write the readiness
 * file itself). Decides before anything is read from /proc. */
bool cond_notify_uid_ok(uid_t uid, uid_t app, uid_t self);

/* Whether the sender may speak for the app: a trusted uid, and a process
 * started under drainit; one that has exited already (a one-line notifier in
 * the app's script) only with the app's uid or drainit's. */
enum notify_trust cond_notify_trust(const struct notify_sender *s, uid_t app, uid_t self);

/* Why a sender was refused, for the log. */
const char *cond_notify_refusal(enum notify_trust t);

/* Refused notify datagrams, logged at most once a second: the first at once,
 * those that follow within the second only counted. */
#define COND_REFUSAL_QUIET_MS 1000
struct cond_refusals {
	unsigned untold;        /* refused since the last line, not logged */
	int64_t told_at;        /* the last line; -1: none yet */
};

/* A refusal at now: true when it is to be logged now (no line for a
 * second); false when it was only counted. Call cond_refusal_flush first,
 * so that a count still untold is logged before. */
bool cond_refusal_add(struct cond_refusals *r, int64_t now);

/* The count still untold, to be logged now: when a second has passed since
 * the last line (another datagram came), or at the end (force); else 0.
 * Logging it counts as a line. */
unsigned cond_refusal_flush(struct cond_refusals *r, int64_t now, bool force);

/* The end of an HTTP answer's head: feeds buf[0..len) to the scan, whose
 * progress *matched carries from call to call (0 at the start of the
 * answer); returns true once the blank line that ends the head was seen. */
bool cond_http_head_end(unsigned *matched, const char *buf, size_t len);

#endif
