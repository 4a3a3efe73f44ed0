/* --user USER[:GROUP] against an image's /etc/passwd and /etc/group, read
 * as files. Input: SPEC [NUL PASSWD [NUL GROUP]]; a file left out is one
 * that does not exist (NULL). */
#include "fuzz.h"
#include "user.h"

static bool numeric(const char *s, size_t n, unsigned long long *v)
{
	*v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v < 0xffffffffULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_parts p = fz_split(data, size, 0, 0, 3);
	const char *spec = p.n > 0 ? p.v[0] : "";
	const char *passwd = p.n > 1 ? p.v[1] : NULL;
	const char *group = p.n > 2 ? p.v[2] : NULL;
	struct user *u = malloc(sizeof *u), *u2 = malloc(sizeof *u2);
	size_t errlen = 1 + size % 200;
	char *err = fz_errbuf(errlen);
	if (!u || !u2)
		abort();

	int r = user_resolve(spec, passwd, group, u, err, errlen);
	if (r == 0) {
		CHECK(u->ngroups >= 1 && u->ngroups <= USER_GROUPS_MAX, "%zu groups", u->ngroups);
		CHECK(u->groups[0] == u->gid, "first group %u, primary %u", (unsigned)u->groups[0],
		      (unsigned)u->gid);
		for (size_t i = 0; i < u->ngroups; i++)
			for (size_t k = i + 1; k < u->ngroups; k++)
				CHECK(u->groups[i] != u->groups[k], "group %u twice", (unsigned)u->groups[i]);
		CHECK(u->uid != (uid_t)-1 && u->gid != (gid_t)-1, "uid or gid -1");
		CHECK(fz_terminated(u->name, sizeof u->name), "name not terminated");
		CHECK(strpbrk(u->name, ":\n") == NULL, "name '%s'", u->name);
		CHECK(u->in_passwd || (u->name[0] == '\0' && u->ngroups == 1),
		      "a user without an entry has a name or groups");

		const char *colon = strchr(spec, ':');
		size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
		unsigned long long id;
		if (numeric(spec, ulen, &id))
			CHECK(u->uid == (uid_t)id, "uid %u for '%s'", (unsigned)u->uid, spec);
		else
			CHECK(u->in_passwd && strlen(u->name) == ulen && memcmp(u->name, spec, ulen) == 0,
			      "name '%s' for '%s'", u->name, spec);
		if (colon && numeric(colon + 1, strlen(colon + 1), &id))
			CHECK(u->gid == (gid_t)id, "gid %u for '%s'", (unsigned)u->gid, spec);
		if (!colon && !u->in_passwd)
			CHECK(u->gid == 0, "a uid without an entry gets gid %u", (unsigned)u->gid);

		/* already that user: with or without the primary group listed */
		CHECK(user_same(u, u->uid, u->gid, u->groups, u->ngroups), "not the same as itself");
		CHECK(user_same(u, u->uid, u->gid, u->groups + 1, u->ngroups - 1),
		      "not the same without the primary group listed");
		CHECK(!user_same(u, u->uid + 1, u->gid, u->groups, u->ngroups), "another uid is the same");

		/* pure */
		char err2[256];
		memset(u2, 0x5a, sizeof *u2);
		CHECK(user_resolve(spec, passwd, group, u2, err2, sizeof err2) == 0 &&
		      memcmp(u, u2, sizeof *u) == 0, "user_resolve differs the second time");
	} else {
		CHECK(r == -1, "returned %d", r);
		CHECK(fz_terminated(err, errlen), "error not terminated");
		CHECK(errlen < 2 || (err[0] != '\0' && (unsigned char)err[0] != 0x5a), "no reason");
		CHECK(fz_one_line(err) || !fz_one_line(spec), "two-line error '%s'", err);
	}

	free(err);
	free(u2);
	free(u);
	fz_free_parts(&p);
	return 0;
}
