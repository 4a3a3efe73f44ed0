#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "user.h"

/* An image's /etc/passwd and /etc/group, with the odd lines real files
 * have: comments, short lines, bad ids, duplicates. */
static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	"# a comment: ghost is not a user\n"
	"#ghost:x:1500:1500::/:/bin/sh\n"
	"\n"
	"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
	"bob:x:1001:100::/home/bob:/bin/sh\n"
	"short:x:1002\n"
	"badgid:x:1003:abc::/:/bin/sh\n"
	"baduid:x:-5:1::/:/bin/sh\n"
	"nogid:x:1004:\n"
	"emptyuid:x::1::/:/bin/sh\n"
	"bigid:x:4294967295:1::/:/bin/sh\n"
	"toor:x:0:0:second root:/root:/bin/sh\n"
	"alice:x:7777:7777:a later alice:/:/bin/sh\n"
	"extra:x:1005:1005:gecos:/home/extra:/bin/sh:more:fields\n"
	"minimal:x:1006:1006\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"last:x:1007:1007::/:/bin/sh"; /* no newline at the end */

static const char group[] =
	"root:x:0:\n"
	"# wheel's comment lists alice, but it is a comment\n"
	"#secret:x:999:alice\n"
	"wheel:x:10:alice\n"                 /* alice alone */
	"users:x:100:bob,alice,carol\n"      /* alice in the middle; bob's primary */
	"dev:x:200:alice,bob\n"              /* alice first */
	"ops:x:300:carol,alice\n"            /* alice last */
	"alice:x:1000:\n"                    /* her own group, no members */
	"near:x:400:alice2,malice,alic,aliceb,ALICE\n" /* names that are not alice */
	"badg:x:zz:alice\n"                  /* a bad gid: not a group */
	"three:x:500\n"                      /* short: no member field */
	"commas:x:600:,alice,\n"             /* empty members around her */
	"dup:x:200:alice\n"                  /* gid 200 again: no duplicate */
	"twice:x:700:alice,alice\n"
	"more:x:800:alice:extra\n"           /* a fifth field is not a member */
	"nogroup:x:65534:\n"
	"extras:x:900:extra,minimal,last";   /* no newline at the end */

static struct user u;
static char err[512];

static int resolve(const char *spec, const char *pw, const char *gr)
{
	memset(&u, 0xA5, sizeof u); /* user_resolve must set every field */
	strcpy(err, "");
	return user_resolve(spec, pw, gr, &u, err, sizeof err);
}

/* The groups, "1000,10,100" */
static const char *groups_of(const struct user *x)
{
	static char out[1024];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < x->ngroups && i < USER_GROUPS_MAX; i++)
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%u", i ? "," : "", (unsigned)x->groups[i]);
	return out;
}

#define assert_ok(spec, pw, gr) \
	ck_assert_msg(resolve((spec), (pw), (gr)) == 0, "'%s': %s", (spec), err)

#define assert_user(uid_, gid_, in_, name_, groups_) do { \
		ck_assert_uint_eq(u.uid, (uid_)); \
		ck_assert_uint_eq(u.gid, (gid_)); \
		ck_assert_msg(u.in_passwd == (in_), "in_passwd is %d", (int)u.in_passwd); \
		ck_assert_str_eq(u.name, (name_)); \
		ck_assert_str_eq(groups_of(&u), (groups_)); \
	} while (0)

#define assert_fails(spec, pw, gr, text) do { \
		ck_assert_msg(resolve((spec), (pw), (gr)) == -1, "'%s' resolved", (spec)); \
		ck_assert_str_eq(err, (text)); \
	} while (0)

/* ---- the cases: a spec resolved against files, or refused ---- */

/* Files of the cases that need their own. */
static const char numeric_pw[] = "1234:x:2000:2000::/:/bin/sh\n"; /* a user named like a number */
static const char numeric_gr[] = "g:x:50:1234\n";
/* near lists alice2, malice, alic, aliceb and ALICE: none is alice */
static const char near_gr[] = "near:x:400:alice2,malice,alic,aliceb,ALICE, alice,alice \n";
static const char alic_pw[] = "alic:x:5:5::/:/bin/sh\n";
/* the group named like the user, with no members */
static const char own_name_gr[] = "alice:x:1234:\nbob:x:1000:\n";

/* What a case checks of the user it resolves to. */
enum fields { EVERY_FIELD, UID_ONLY, GID_ONLY, NOT_AMONG_GROUPS };

struct resolve_case {
	const char *spec, *pw, *gr;   /* pw, gr: NULL is no such file */
	const char *err;              /* refused with this message; or resolved to: */
	enum fields check;
	unsigned uid, gid;
	bool in_passwd;
	const char *name;
	const char *groups;           /* "1000,10,100": the primary one first */
};

#define OK(spec, pw, gr, uid, gid, in, name, groups) \
	{ spec, pw, gr, NULL, EVERY_FIELD, uid, gid, in, name, groups }
#define UID_IS(spec, pw, gr, uid) { spec, pw, gr, NULL, UID_ONLY, uid, 0, false, NULL, NULL }
#define GID_IS(spec, pw, gr, gid) { spec, pw, gr, NULL, GID_ONLY, 0, gid, false, NULL, NULL }
/* groups_of(), as text, does not hold `text` */
#define GROUPS_LACK(spec, pw, gr, text) \
	{ spec, pw, gr, NULL, NOT_AMONG_GROUPS, 0, 0, false, NULL, text }
#define FAILS(spec, pw, gr, text) { spec, pw, gr, text, EVERY_FIELD, 0, 0, false, NULL, NULL }
#define ALICE_GROUPS "10,100,200,300,600,700,800" /* alice's member groups in /etc/group */
#define NOT_PASSWD(name) "unknown user '" name "': not in /etc/passwd"
#define NOT_GROUP(name) "unknown group '" name "': not in /etc/group"
#define BAD_ENTRY(spec) "user '" spec "': bad entry in /etc/passwd"
#define BAD_SPEC(spec) "bad user '" spec "': expected USER or USER:GROUP"

static const struct resolve_case cases[] = {
	/* by name: the primary group first, then every group listing her, in
	 * file order */
	OK("alice", passwd, group, 1000, 1000, true, "alice", "1000," ALICE_GROUPS),
	/* bob's primary group 100 lists him too: once, first */
	OK("bob", passwd, group, 1001, 100, true, "bob", "100,200"),
	/* no member groups */
	OK("root", passwd, group, 0, 0, true, "root", "0"),
	OK("nobody", passwd, group, 65534, 65534, true, "nobody", "65534"),
	OK("daemon", passwd, group, 1, 1, true, "daemon", "1"), /* a primary gid without a group entry */

	/* a uid with an entry is that user: name, gid and groups */
	OK("1000", passwd, group, 1000, 1000, true, "alice", "1000," ALICE_GROUPS),
	OK("1001", passwd, group, 1001, 100, true, "bob", "100,200"),
	/* the first entry with the uid wins: root, not toor */
	OK("0", passwd, group, 0, 0, true, "root", "0"),
	OK("65534", passwd, group, 65534, 65534, true, "nobody", "65534"),

	/* a uid without an entry, as Docker and Kubernetes: gid 0, no
	 * supplementary groups but it */
	OK("4242", passwd, group, 4242, 0, false, "", "0"),
	/* the highest uid the kernel takes (-1 is "no change") */
	OK("4294967294", passwd, group, 4294967294u, 0, false, "", "0"),
	/* leading zeros are still the number */
	OK("007", passwd, group, 7, 0, false, "", "0"),

	/* the first entry of a name wins: a second alice (uid 7777) is never
	 * used; but the later entry's uid still finds it */
	UID_IS("alice", passwd, group, 1000),
	OK("7777", passwd, group, 7777, 7777, true, "alice", "7777," ALICE_GROUPS),

	/* odd lines: more than seven fields, only four, no newline at the end */
	OK("extra", passwd, group, 1005, 1005, true, "extra", "1005,900"),
	OK("minimal", passwd, group, 1006, 1006, true, "minimal", "1006,900"),
	OK("last", passwd, group, 1007, 1007, true, "last", "1007,900"),
	OK("1007", passwd, group, 1007, 1007, true, "last", "1007,900"),

	/* a commented-out entry is no entry, by name or by id */
	FAILS("ghost", passwd, group, NOT_PASSWD("ghost")),
	FAILS("#ghost", passwd, group, NOT_PASSWD("#ghost")),
	OK("1500", passwd, group, 1500, 0, false, "", "0"),
	/* and a commented-out group lists nobody: 999 is not among alice's */
	GROUPS_LACK("alice", passwd, group, "999"),
	FAILS("alice:secret", passwd, group, NOT_GROUP("secret")),
	OK("alice:999", passwd, group, 1000, 999, true, "alice", "999," ALICE_GROUPS),

	/* three fields are no entry: the name is unknown, the uid has none */
	FAILS("short", passwd, group, NOT_PASSWD("short")),
	OK("1002", passwd, group, 1002, 0, false, "", "0"),
	/* an empty line is no entry with an empty name */
	OK("3", "\n\n\nx\n:\n", group, 3, 0, false, "", "0"),

	/* bad entries */
	FAILS("badgid", passwd, group, BAD_ENTRY("badgid")),
	FAILS("baduid", passwd, group, BAD_ENTRY("baduid")),
	FAILS("nogid", passwd, group, BAD_ENTRY("nogid")),
	FAILS("emptyuid", passwd, group, BAD_ENTRY("emptyuid")),
	FAILS("bigid", passwd, group, BAD_ENTRY("bigid")),
	/* found by uid, with a bad gid */
	FAILS("1003", passwd, group, BAD_ENTRY("1003")),
	FAILS("1004", passwd, group, BAD_ENTRY("1004")),
	/* with a group, the user's entry is still read, and still bad */
	FAILS("badgid:0", passwd, group, BAD_ENTRY("badgid")),

	/* A user named like a number: a number is always a uid, never a name
	 * (as Kubernetes' runAsUser), so "1234" is uid 1234, which has no
	 * entry; the user "1234" is found by its own uid. */
	OK("1234", numeric_pw, numeric_gr, 1234, 0, false, "", "0"),
	OK("2000", numeric_pw, numeric_gr, 2000, 2000, true, "1234", "2000,50"),
	/* and a group named like a number is a gid */
	GID_IS("2000:50", numeric_pw, "50:x:60:\ng:x:50:\n", 50),

	/* what is not a uid is a name, and there is no such name */
	FAILS("4294967295", passwd, group, NOT_PASSWD("4294967295")),
	FAILS("99999999999", passwd, group, NOT_PASSWD("99999999999")),
	FAILS("-1", passwd, group, NOT_PASSWD("-1")),
	FAILS("+5", passwd, group, NOT_PASSWD("+5")),
	FAILS("0x10", passwd, group, NOT_PASSWD("0x10")),
	FAILS(" 5", passwd, group, NOT_PASSWD(" 5")),
	FAILS("5 ", passwd, group, NOT_PASSWD("5 ")),
	FAILS("alice:4294967295", passwd, group, NOT_GROUP("4294967295")),
	FAILS("alice:-1", passwd, group, NOT_GROUP("-1")),

	/* member names match exactly: near lists no alice */
	OK("alice", passwd, near_gr, 1000, 1000, true, "alice", "1000"),
	/* and the other way round: alic is a member of near, alice is not */
	OK("alic", alic_pw, near_gr, 5, 5, true, "alic", "5,400"),

	/* the group named like the user, with no members, is not hers by name */
	OK("alice", passwd, own_name_gr, 1000, 1000, true, "alice", "1000"),
	/* a group with a bad gid is skipped even when it lists her */
	OK("alice", passwd, "badg:x:zz:alice\nneg:x:-1:alice\nbig:x:4294967295:alice\nok:x:3:alice\n",
	   1000, 1000, true, "alice", "1000,3"),

	/* GROUP by name replaces the primary gid; the member groups follow */
	OK("alice:dev", passwd, group, 1000, 200, true, "alice", "200,10,100,300,600,700,800"),
	OK("alice:nogroup", passwd, group, 1000, 65534, true, "alice", "65534," ALICE_GROUPS),
	OK("bob:root", passwd, group, 1001, 0, true, "bob", "0,100,200"),
	OK("1000:wheel", passwd, group, 1000, 10, true, "alice", "10,100,200,300,600,700,800"),
	/* a uid without an entry with a named group */
	OK("4242:dev", passwd, group, 4242, 200, false, "", "200"),
	/* the first group of a name wins, as for users */
	GID_IS("4242:x", passwd, "x:x:1:\nx:x:2:\n", 1),

	/* GROUP by gid, with an entry */
	OK("alice:300", passwd, group, 1000, 300, true, "alice", "300,10,100,200,600,700,800"),
	OK("alice:0", passwd, group, 1000, 0, true, "alice", "0," ALICE_GROUPS),
	/* without an entry: the number as it is */
	OK("alice:4242", passwd, group, 1000, 4242, true, "alice", "4242," ALICE_GROUPS),
	OK("4242:4243", passwd, group, 4242, 4243, false, "", "4243"),
	OK("4242:0", passwd, group, 4242, 0, false, "", "0"),
	OK("0:0", passwd, group, 0, 0, true, "root", "0"),
	GID_IS("alice:4294967294", passwd, group, 4294967294u),

	/* unknown groups */
	FAILS("alice:nosuch", passwd, group, NOT_GROUP("nosuch")),
	FAILS("4242:nosuch", passwd, group, NOT_GROUP("nosuch")),
	/* a group whose gid is bad is no group */
	FAILS("alice:badg", passwd, group, NOT_GROUP("badg")),
	/* a short group line is no group */
	FAILS("alice:three", passwd, group, NOT_GROUP("three")),
	/* a second colon is part of the group, which then does not exist */
	FAILS("alice:dev:x", passwd, group, NOT_GROUP("dev:x")),
	FAILS("alice:dev:", passwd, group, NOT_GROUP("dev:")),
	/* the user is checked first */
	FAILS("nosuch:dev", passwd, group, NOT_PASSWD("nosuch")),
	FAILS("nosuch:nosuch2", passwd, group, NOT_PASSWD("nosuch")),

	/* malformed specs */
	FAILS("", passwd, group, BAD_SPEC("")),
	FAILS(":", passwd, group, BAD_SPEC(":")),
	FAILS(":dev", passwd, group, BAD_SPEC(":dev")),
	FAILS(":0", passwd, group, BAD_SPEC(":0")),
	FAILS("alice:", passwd, group, BAD_SPEC("alice:")),
	FAILS("0:", passwd, group, BAD_SPEC("0:")),
	FAILS("::", passwd, group, BAD_SPEC("::")),
	/* a newline would split a passwd line in two */
	FAILS("alice\nbob", passwd, group, BAD_SPEC("alice\nbob")),
	FAILS("alice:dev\n", passwd, group, BAD_SPEC("alice:dev\n")),
	/* names are case sensitive */
	FAILS("Alice", passwd, group, NOT_PASSWD("Alice")),
	FAILS("alice:DEV", passwd, group, NOT_GROUP("DEV")),
	/* no prefix matches */
	FAILS("ali", passwd, group, NOT_PASSWD("ali")),
	FAILS("alicex", passwd, group, NOT_PASSWD("alicex")),
	FAILS("alice:de", passwd, group, NOT_GROUP("de")),

	/* carol is a member of groups but has no passwd entry */
	FAILS("carol", passwd, group, NOT_PASSWD("carol")),

	/* no /etc/passwd: names are unknown, uids have no entry */
	FAILS("alice", NULL, group, NOT_PASSWD("alice")),
	FAILS("root", NULL, NULL, NOT_PASSWD("root")),
	OK("1000", NULL, group, 1000, 0, false, "", "0"),
	OK("1000:dev", NULL, group, 1000, 200, false, "", "200"),
	OK("0", NULL, NULL, 0, 0, false, "", "0"),
	/* no /etc/group: gids as they are, names unknown, no member groups */
	OK("alice", passwd, NULL, 1000, 1000, true, "alice", "1000"),
	OK("alice:5", passwd, NULL, 1000, 5, true, "alice", "5"),
	OK("1000:5", NULL, NULL, 1000, 5, false, "", "5"),
	FAILS("alice:dev", passwd, NULL, NOT_GROUP("dev")),
	FAILS("1000:dev", NULL, NULL, NOT_GROUP("dev")),
	/* empty files are no different */
	FAILS("alice", "", "", NOT_PASSWD("alice")),
	OK("1000:5", "", "", 1000, 5, false, "", "5"),
	OK("alice", passwd, "", 1000, 1000, true, "alice", "1000"),
};

/* A file of a case, for the failure messages: the fixture's name, or the
 * text itself with its newlines written as \n. */
static const char *file_text(const char *f, char *buf, size_t len)
{
	size_t o = 0;
	if (!f)
		return "no file";
	if (f == passwd || f == group)
		return f == passwd ? "passwd" : "group";
	for (; *f && o + 3 < len; f++) {
		if (*f == '\n')
			buf[o++] = '\\', buf[o++] = 'n';
		else
			buf[o++] = *f;
	}
	buf[o] = '\0';
	return buf[0] ? buf : "empty file";
}

START_TEST(test_resolve_cases)
{
	const struct resolve_case *c = &cases[_i];
	char pw[128], gr[128];
	int rc = resolve(c->spec, c->pw, c->gr);
	const char *files_pw = file_text(c->pw, pw, sizeof pw);
	const char *files_gr = file_text(c->gr, gr, sizeof gr);

	if (c->err) {
		ck_assert_msg(rc == -1 && strcmp(err, c->err) == 0,
			      "case %d: '%s' (%s; %s): got %d '%s', want -1 '%s'", _i, c->spec, files_pw,
			      files_gr, rc, err, c->err);
		return;
	}
	ck_assert_msg(rc == 0, "case %d: '%s' (%s; %s): %s", _i, c->spec, files_pw, files_gr, err);
	switch (c->check) {
	case UID_ONLY:
		ck_assert_msg(u.uid == c->uid, "case %d: '%s' (%s; %s): uid %u, want %u", _i, c->spec,
			      files_pw, files_gr, (unsigned)u.uid, c->uid);
		return;
	case GID_ONLY:
		ck_assert_msg(u.gid == c->gid, "case %d: '%s' (%s; %s): gid %u, want %u", _i, c->spec,
			      files_pw, files_gr, (unsigned)u.gid, c->gid);
		return;
	case NOT_AMONG_GROUPS:
		ck_assert_msg(!strstr(groups_of(&u), c->groups),
			      "case %d: '%s' (%s; %s): groups %s hold %s", _i, c->spec, files_pw,
			      files_gr, groups_of(&u), c->groups);
		return;
	case EVERY_FIELD:
		break;
	}
	/* as many groups as the string lists, and those */
	size_t n = 1;
	for (const char *p = c->groups; *p; p++)
		n += *p == ',';
	ck_assert_msg(u.uid == c->uid && u.gid == c->gid && u.in_passwd == c->in_passwd &&
		      strcmp(u.name, c->name) == 0 && u.ngroups == n &&
		      strcmp(groups_of(&u), c->groups) == 0,
		      "case %d: '%s' (%s; %s): got uid %u gid %u in_passwd %d name '%s' groups %s "
		      "(%zu), want %u %u %d '%s' %s", _i, c->spec, files_pw, files_gr, (unsigned)u.uid,
		      (unsigned)u.gid, (int)u.in_passwd, u.name, groups_of(&u), u.ngroups, c->uid,
		      c->gid, (int)c->in_passwd, c->name, c->groups);
}
END_TEST

/* ---- groups ---- */

START_TEST(test_member_positions)
{
	/* alone (wheel), middle (users), first (dev), last (ops), among empty
	 * members (commas), twice (twice), before a fifth field (more) */
	assert_ok("alice", passwd, group);
	const char *g = groups_of(&u);
	ck_assert_str_eq(g, "1000,10,100,200,300,600,700,800");
	/* ops lists "carol,alice": alice is last and must be found */
	ck_assert_msg(strstr(g, "300") != NULL, "ops (300, alice last) missing: %s", g);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_many_groups)
{
	/* more groups list the user than fit: an error, not groups lost */
	size_t len = (USER_GROUPS_MAX + 10) * 32, o = 0;
	char *gr = malloc(len);
	ck_assert_ptr_nonnull(gr);
	for (int i = 0; i < USER_GROUPS_MAX + 10; i++)
		o += (size_t)snprintf(gr + o, len - o, "g%d:x:%d:a,many,b\n", i, 5000 + i);
	ck_assert_uint_lt(o, len - 1);
	char want[128];
	snprintf(want, sizeof want, "user 'many' is in more than %d groups", USER_GROUPS_MAX);
	assert_fails("many", "many:x:3000:3000::/:/bin/sh\n", gr, want);
	free(gr);
}
END_TEST

START_TEST(test_exactly_max_groups)
{
	/* the primary one and USER_GROUPS_MAX - 1 others fit exactly;
	 * duplicates do not count */
	size_t len = USER_GROUPS_MAX * 64, o = 0;
	char *gr = malloc(len);
	ck_assert_ptr_nonnull(gr);
	for (int i = 0; i < USER_GROUPS_MAX - 1; i++)
		o += (size_t)snprintf(gr + o, len - o, "g%d:x:%d:many\ndup%d:x:%d:many\n", i,
				      5000 + i, i, 5000 + i);
	o += (size_t)snprintf(gr + o, len - o, "own:x:3000:many\n");
	ck_assert_uint_lt(o, len - 1);
	assert_ok("many", "many:x:3000:3000::/:/bin/sh\n", gr);
	free(gr);
	ck_assert_uint_eq(u.ngroups, USER_GROUPS_MAX);
	ck_assert_uint_eq(u.groups[0], 3000);
	ck_assert_uint_eq(u.groups[USER_GROUPS_MAX - 1], 5000 + USER_GROUPS_MAX - 2);
	for (size_t i = 1; i < USER_GROUPS_MAX; i++)
		ck_assert_uint_eq(u.groups[i], 5000 + i - 1);
	ck_assert_str_eq(u.name, "many");
}
END_TEST

START_TEST(test_long_name)
{
	/* The longest names fit (63 bytes), and their groups are found. */
	char name63[64], pw[256], gr[256];
	memset(name63, 'n', 63);
	name63[63] = '\0';
	snprintf(pw, sizeof pw, "%s:x:2000:2000::/:/bin/sh\n", name63);
	snprintf(gr, sizeof gr, "g:x:42:%s\n", name63);
	assert_ok(name63, pw, gr);
	assert_user(2000, 2000, true, name63, "2000,42");
}
END_TEST

START_TEST(test_longer_name_member_groups)
{
	/* A user name longer than struct user's name[64] (Linux allows up to
	 * LOGIN_NAME_MAX, 256; useradd takes 32 by default, but images made
	 * by hand have longer ones): the user is found, and so must be the
	 * groups that list the name. Nor may a group that lists only the
	 * first 63 bytes of it (another user) be given. */
	char name[81], prefix[64], pw[512], gr[512];
	memset(name, 'n', 80);
	name[80] = '\0';
	memcpy(prefix, name, 63);
	prefix[63] = '\0';
	snprintf(pw, sizeof pw, "%s:x:2000:2000::/:/bin/sh\n%s:x:2001:2001::/:/bin/sh\n", name, prefix);
	snprintf(gr, sizeof gr, "mine:x:42:%s\nprefixs:x:43:%s\n", name, prefix);
	assert_ok(name, pw, gr);
	ck_assert_uint_eq(u.uid, 2000);
	ck_assert_msg(strcmp(groups_of(&u), "2000,42") == 0,
		      "an 80-byte user name gets groups %s, want 2000,42 (its own group 42, "
		      "not 43 of the 63-byte user)", groups_of(&u));
}
END_TEST

START_TEST(test_error_buffer)
{
	/* a short buffer is cut, never overrun; 0 bytes writes nothing */
	char small[16];
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(user_resolve("nosuchuser", passwd, group, &u, small, 8), -1);
	ck_assert_str_eq(small, "unknown");
	ck_assert_int_eq(small[8], 'X');
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(user_resolve("", passwd, group, &u, small, 0), -1);
	ck_assert_int_eq(small[0], 'X');
	/* a long spec makes a long message, cut to the buffer */
	static char spec[2000];
	memset(spec, 'q', sizeof spec - 1);
	ck_assert_int_eq(resolve(spec, passwd, group), -1);
	ck_assert_uint_eq(strlen(err), sizeof err - 1);
	ck_assert(strncmp(err, "unknown user 'qqq", 17) == 0);
}
END_TEST

START_TEST(test_struct_cleared)
{
	/* whatever was in the struct before, a uid without an entry has an
	 * empty name and one group */
	assert_ok("4242", passwd, group);
	ck_assert_str_eq(u.name, "");
	ck_assert_uint_eq(u.ngroups, 1);
	ck_assert(!u.in_passwd);
}
END_TEST

/* ---- the real files ---- */

START_TEST(test_lookup_real_files)
{
	/* every image this runs in has root as uid 0 */
	struct user r;
	char e[256] = "";
	ck_assert_msg(user_lookup("root", &r, e, sizeof e) == 0, "%s", e);
	ck_assert_uint_eq(r.uid, 0);
	ck_assert(r.in_passwd);
	ck_assert_str_eq(r.name, "root");
	ck_assert_uint_ge(r.ngroups, 1);
	ck_assert_uint_eq(r.groups[0], r.gid);
	ck_assert_int_eq(user_lookup("0:0", &r, e, sizeof e), 0);
	ck_assert_uint_eq(r.uid, 0);
	ck_assert_uint_eq(r.gid, 0);
	ck_assert_int_eq(user_lookup("3999999999", &r, e, sizeof e), 0);
	ck_assert_uint_eq(r.uid, 3999999999u);
	ck_assert(!r.in_passwd);
	ck_assert_int_eq(user_lookup("no-such-user-drainit", &r, e, sizeof e), -1);
	ck_assert_str_eq(e, "unknown user 'no-such-user-drainit': not in /etc/passwd");
	ck_assert_int_eq(user_lookup("root:no-such-group-drainit", &r, e, sizeof e), -1);
	ck_assert_str_eq(e, "unknown group 'no-such-group-drainit': not in /etc/group");
}
END_TEST

START_TEST(test_same)
{
	struct user me = { .uid = 10, .gid = 20, .groups = { 20, 30, 40 }, .ngroups = 3 };
	gid_t with_primary[] = { 20, 30, 40 }, without_primary[] = { 40, 30 };
	gid_t fewer[] = { 30 }, more[] = { 20, 30, 40, 50 };
	ck_assert(user_same(&me, 10, 20, with_primary, 3));
	ck_assert(user_same(&me, 10, 20, without_primary, 2)); /* the primary need not be listed */
	ck_assert(!user_same(&me, 10, 20, fewer, 1));
	ck_assert(!user_same(&me, 10, 20, more, 4));
	ck_assert(!user_same(&me, 11, 20, with_primary, 3));
	ck_assert(!user_same(&me, 10, 21, with_primary, 3));
	/* a uid without an entry: gid 0, no supplementary groups */
	struct user bare = { .uid = 4242, .gid = 0, .groups = { 0 }, .ngroups = 1 };
	ck_assert(user_same(&bare, 4242, 0, NULL, 0));
	ck_assert(!user_same(&bare, 4242, 0, more, 1));
}
END_TEST

Suite *user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("users");
	tcase_add_test(tc, test_same);
	tcase_add_loop_test(tc, test_resolve_cases, 0, sizeof cases / sizeof cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("groups");
	tcase_add_test(tc, test_member_positions);
	suite_add_tcase(s, tc);

	tc = tcase_create("specs");
	tcase_add_test(tc, test_many_groups);
	tcase_add_test(tc, test_exactly_max_groups);
	tcase_add_test(tc, test_long_name);
	tcase_add_test(tc, test_longer_name_member_groups);
	tcase_add_test(tc, test_error_buffer);
	tcase_add_test(tc, test_struct_cleared);
	tcase_add_test(tc, test_lookup_real_files);
	suite_add_tcase(s, tc);
	return s;
}
