#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user.h"

#define FIELDS_MAX 7

/* Splits one line (up to its newline) at ':' into at most FIELDS_MAX fields,
 * each a pointer and a length. Returns the number of fields. */
static int fields(const char *line, const char **f, size_t *len)
{
	int n = 0;
	const char *p = line;
	for (;;) {
		size_t k = strcspn(p, ":\n");
		f[n] = p;
		len[n] = k;
		n++;
		if (p[k] != ':' || n == FIELDS_MAX)
			return n;
		p += k + 1;
	}
}

static bool field_is(const char *f, size_t len, const char *s)
{
	return strlen(s) == len && strncmp(f, s, len) == 0;
}

/* A decimal id up to 2^32 - 2 (-1 is "no id" to the kernel). */
static int parse_id(const char *s, size_t len, unsigned *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Finds the line of a passwd or group file whose field `key` (0: name,
 * 2: id) is `name` (len) or the id; fills f and len. */
static bool find(const char *file, int key, const char *name, size_t nlen, bool by_id, unsigned id,
		 const char **f, size_t *len)
{
	for (const char *line = file; line && *line;) {
		int n = fields(line, f, len);
		unsigned v;
		if (n >= 4 && *line != '#') {
			if (by_id ? parse_id(f[key], len[key], &v) == 0 && v == id
				  : len[key] == nlen && strncmp(f[key], name, nlen) == 0)
				return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static int add_group(struct user *u, gid_t g)
{
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == g)
			return 0;
	if (u->ngroups == USER_GROUPS_MAX)
		return -1;
	u->groups[u->ngroups++] = g;
	return 0;
}

/* The groups that list name among their members. Returns -1 when they
 * are too many. */
static int member_groups(struct user *u, const char *group)
{
	const char *f[FIELDS_MAX];
	size_t len[FIELDS_MAX];
	for (const char *line = group; line && *line;) {
		unsigned gid;
		int n = fields(line, f, len);
		if (n >= 4 && *line != '#' && parse_id(f[2], len[2], &gid) == 0) {
			for (const char *m = f[3]; m < f[3] + len[3];) {
				size_t k = strcspn(m, ",\n");
				if (k > (size_t)(f[3] + len[3] - m))
					k = (size_t)(f[3] + len[3] - m);
				if (field_is(m, k, u->name) && add_group(u, gid) != 0)
					return -1;
				m += k + 1;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct user *u,
		 char *err, size_t errlen)
{
	const char *f[FIELDS_MAX];
	size_t len[FIELDS_MAX];
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *gspec = colon ? colon + 1 : NULL;
	unsigned id = 0;

	memset(u, 0, sizeof *u);
	if (ulen == 0 || (gspec && *gspec == '\0') || strchr(spec, '\n')) {
		snprintf(err, errlen, "bad user '%s': expected USER or USER:GROUP", spec);
		return -1;
	}
	bool numeric = parse_id(spec, ulen, &id) == 0;
	if (find(passwd, numeric ? 2 : 0, spec, ulen, numeric, id, f, len)) {
		unsigned uid, gid;
		if (parse_id(f[2], len[2], &uid) != 0 || parse_id(f[3], len[3], &gid) != 0) {
			snprintf(err, errlen, "user '%.*s': bad entry in /etc/passwd", (int)ulen, spec);
			return -1;
		}
		if (len[0] > USER_NAME_MAX) {
			snprintf(err, errlen, "user '%.*s': name longer than %d bytes", (int)ulen, spec,
				 USER_NAME_MAX);
			return -1;
		}
		u->uid = uid;
		u->gid = gid;
		u->in_passwd = true;
		snprintf(u->name, sizeof u->name, "%.*s", (int)len[0], f[0]);
	} else if (numeric) {
		u->uid = id;
		u->gid = 0;
	} else {
		snprintf(err, errlen, "unknown user '%.*s': not in /etc/passwd", (int)ulen, spec);
		return -1;
	}
	if (gspec) {
		size_t glen = strlen(gspec);
		bool gnum = parse_id(gspec, glen, &id) == 0;
		if (find(group, gnum ? 2 : 0, gspec, glen, gnum, id, f, len) &&
		    parse_id(f[2], len[2], &id) == 0)
			u->gid = id;
		else if (gnum)
			u->gid = id;
		else {
			snprintf(err, errlen, "unknown group '%s': not in /etc/group", gspec);
			return -1;
		}
	}
	add_group(u, u->gid);
	if (u->in_passwd && member_groups(u, group) != 0) {
		snprintf(err, errlen, "user '%s' is in more than %d groups", u->name, USER_GROUPS_MAX);
		return -1;
	}
	return 0;
}

static bool member(gid_t x, const gid_t *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (g[i] == x)
			return true;
	return false;
}

bool user_same(const struct user *u, uid_t uid, gid_t gid, const gid_t *g, size_t n)
{
	if (u->uid != uid || u->gid != gid)
		return false;
	for (size_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] != u->gid && !member(u->groups[i], g, n))
			return false;
	for (size_t k = 0; k < n; k++)
		if (!member(g[k], u->groups, u->ngroups))
			return false;
	return true;
}

/* Reads a whole small file; NULL when it does not exist. */
static char *slurp(const char *path, char *err, size_t errlen, bool *bad)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			*bad = true;
		}
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;
	while (buf && (r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap && cap < (16u << 20)) {
			char *more = realloc(buf, cap * 2 + 1);
			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
	}
	close(fd);
	if (!buf) {
		snprintf(err, errlen, "cannot read %s: out of memory", path);
		*bad = true;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

int user_lookup(const char *spec, struct user *u, char *err, size_t errlen)
{
	bool bad = false;
	char *passwd = slurp("/etc/passwd", err, errlen, &bad);
	char *group = bad ? NULL : slurp("/etc/group", err, errlen, &bad);
	int r = bad ? -2 : user_resolve(spec, passwd, group, u, err, errlen);
	free(passwd);
	free(group);
	return r;
}
