#ifndef DRAINIT_USER_H
#define DRAINIT_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* --user USER[:GROUP]: who the app runs as. Names are looked up in the
 * image's /etc/passwd and /etc/group, read as files: a static drainit has no
 * NSS modules, and a container's users live in those files. */

#define USER_GROUPS_MAX 1024
#define USER_NAME_MAX 256

struct user {
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_GROUPS_MAX];  /* supplementary groups, the primary one first */
	size_t ngroups;
	bool in_passwd;                 /* the user has an entry */
	char name[USER_NAME_MAX + 1];   /* "" without an entry */
};

/* Resolves spec against the contents of /etc/passwd and /etc/group (either
 * may be NULL: no such file). USER is a name or a uid; a uid without an
 * entry gets gid 0, as Docker and Kubernetes give it, and no supplementary
 * groups. GROUP, a name or a gid, replaces the primary group. Pure. Returns
 * 0, or -1 with a reason in err. */
int user_resolve(const char *spec, const char *passwd, const char *group, struct user *u,
		 char *err, size_t errlen);

/* Whether a process with uid, gid and supplementary groups g[0..n) already
 * is u (the primary group may or may not be among the supplementary ones):
 * then --user has nothing to change. Pure. */
bool user_same(const struct user *u, uid_t uid, gid_t gid, const gid_t *g, size_t n);

/* The same, reading the files: -1 as user_resolve, -2 when a file could
 * not be read (out of memory, an I/O error, no permission). */
int user_lookup(const char *spec, struct user *u, char *err, size_t errlen);

#endif
