#ifndef DRAINIT_CAPS_H
#define DRAINIT_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct log;

/* Capabilities and identity: parsing --caps, giving the app the user and
 * capabilities asked for, and dropping what drainit itself no longer needs.
 * A set is a bit mask, bit N for capability N. */

#define CAPS_ALL (~(uint64_t)0)

/* --caps LIST: "none", "all" (the set all), or names (the cap_ prefix
 * optional, any case) for exactly those; or only +NAME and -NAME, which add
 * to or take from base. Pure. Returns 0, or -1 with a reason in err. */
int caps_parse(const char *list, uint64_t base, uint64_t all, uint64_t *out, char *err,
	       size_t errlen);

/* "cap_chown,cap_net_bind_service", or "none"; pure. */
const char *caps_format(uint64_t set, char *buf, size_t len);

struct capsets {
	uint64_t eff, prm, inh, bnd, amb;
};

/* The calling process's sets. Returns 0, or -1 with errno set. */
int caps_read(struct capsets *c);

/* The effective, permitted and inheritable sets alone, bnd and amb left 0:
 * one system call, where caps_read makes two more per capability. */
int caps_read_sets(struct capsets *c);

/* What the app (and an exec readiness check) runs as. */
struct privs {
	bool user;                  /* switch to uid, gid, groups */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
	bool caps;                  /* give exactly `set` */
	uint64_t set;
	bool no_new_privs;
};

/* In the child between fork and exec, with raw system calls only: bounding
 * set, user, permitted/effective/inheritable/ambient sets, no_new_privs.
 * Returns 0, or the errno of the step that failed. */
int caps_become(const struct privs *p);

/* What drainit lacks to grant p, as "cap_setuid,cap_setgid" in missing;
 * false when it has all it needs. Pure. */
bool caps_missing(const struct privs *p, const struct capsets *own, uid_t euid,
		  char *missing, size_t len);

/* What drainit keeps once the app runs: CAP_KILL (the app or its workers
 * may run as other users), what an exec check needs to become p,
 * CAP_DAC_READ_SEARCH for a file: condition (the app's file may sit in a
 * folder only it may search), and CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
 * when the readiness folder cannot be written without them. Pure. */
uint64_t caps_keep(const struct privs *p, bool exec_checks, bool file_check, bool folder_dac);

/* Sets drainit's effective set to eff (within its permitted set, which
 * stays): to try whether something works without the rest. Returns 0, or
 * -1 with errno set. */
int caps_effective(uint64_t eff);

/* Drops drainit's own sets to keep, and makes sure an exec cannot give
 * the rest back: when drainit will exec (readiness checks, which need the
 * bounding set the app has) by shrinking its bounding set, a prctl and a
 * credentials commit per capability; otherwise by setting no_new_privs,
 * one call, with which no exec grants more than the permitted set.
 * Returns 0, or -1 with errno set. */
int caps_drop_own(uint64_t keep, bool exec_later);

/* Logs drainit's sets at debug level, after `what`. */
void caps_log(struct log *l, const char *what);

#endif
