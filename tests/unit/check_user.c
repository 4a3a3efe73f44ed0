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

/* ---- users by name and by id ---- */

START_TEST(test_name)
{
	/* primary group first, then every group listing her, in file order */
	assert_ok("alice", passwd, group);
	assert_user(1000, 1000, true, "alice", "1000,10,100,200,300,600,700,800");
	ck_assert_uint_eq(u.ngroups, 8);
}
END_TEST

START_TEST(test_name_primary_also_member)
{
	/* bob's primary group 100 lists him too: once, first */
	assert_ok("bob", passwd, group);
	assert_user(1001, 100, true, "bob", "100,200");
}
END_TEST

START_TEST(test_name_no_member_groups)
{
	assert_ok("root", passwd, group);
	assert_user(0, 0, true, "root", "0");
	assert_ok("nobody", passwd, group);
	assert_user(65534, 65534, true, "nobody", "65534");
	assert_ok("daemon", passwd, group);
	assert_user(1, 1, true, "daemon", "1"); /* a primary gid without a group entry */
}
END_TEST

START_TEST(test_uid_in_passwd)
{
	/* a uid with an entry is that user: name, gid and groups */
	assert_ok("1000", passwd, group);
	assert_user(1000, 1000, true, "alice", "1000,10,100,200,300,600,700,800");
	assert_ok("1001", passwd, group);
	assert_user(1001, 100, true, "bob", "100,200");
	/* the first entry with the uid wins: root, not toor */
	assert_ok("0", passwd, group);
	assert_user(0, 0, true, "root", "0");
	assert_ok("65534", passwd, group);
	assert_user(65534, 65534, true, "nobody", "65534");
}
END_TEST

START_TEST(test_uid_without_entry)
{
	/* as Docker and Kubernetes: gid 0, no supplementary groups but it */
	assert_ok("4242", passwd, group);
	assert_user(4242, 0, false, "", "0");
	ck_assert_uint_eq(u.ngroups, 1);
	/* the highest uid the kernel takes (-1 is "no change") */
	assert_ok("4294967294", passwd, group);
	assert_user(4294967294u, 0, false, "", "0");
	/* leading zeros are still the number */
	assert_ok("007", passwd, group);
	assert_user(7, 0, false, "", "0");
}
END_TEST

START_TEST(test_first_entry_wins)
{
	/* a second alice (uid 7777) is never used */
	assert_ok("alice", passwd, group);
	ck_assert_uint_eq(u.uid, 1000);
	/* but the later entry's uid still finds it */
	assert_ok("7777", passwd, group);
	assert_user(7777, 7777, true, "alice", "7777,10,100,200,300,600,700,800");
}
END_TEST

START_TEST(test_odd_lines)
{
	/* more than seven fields, only four, no newline at the end */
	assert_ok("extra", passwd, group);
	assert_user(1005, 1005, true, "extra", "1005,900");
	assert_ok("minimal", passwd, group);
	assert_user(1006, 1006, true, "minimal", "1006,900");
	assert_ok("last", passwd, group);
	assert_user(1007, 1007, true, "last", "1007,900");
	assert_ok("1007", passwd, group);
	assert_user(1007, 1007, true, "last", "1007,900");
}
END_TEST

START_TEST(test_comments)
{
	/* a commented-out entry is no entry, by name or by id */
	assert_fails("ghost", passwd, group, "unknown user 'ghost': not in /etc/passwd");
	assert_fails("#ghost", passwd, group, "unknown user '#ghost': not in /etc/passwd");
	assert_ok("1500", passwd, group);
	assert_user(1500, 0, false, "", "0");
	/* and a commented-out group lists nobody: 999 is not among alice's */
	assert_ok("alice", passwd, group);
	ck_assert_ptr_null(strstr(groups_of(&u), "999"));
	assert_fails("alice:secret", passwd, group, "unknown group 'secret': not in /etc/group");
	assert_ok("alice:999", passwd, group);
	assert_user(1000, 999, true, "alice", "999,10,100,200,300,600,700,800");
}
END_TEST

START_TEST(test_short_lines)
{
	/* three fields are no entry: the name is unknown, the uid has none */
	assert_fails("short", passwd, group, "unknown user 'short': not in /etc/passwd");
	assert_ok("1002", passwd, group);
	assert_user(1002, 0, false, "", "0");
	/* an empty line is no entry with an empty name */
	assert_ok("3", "\n\n\nx\n:\n", group);
	assert_user(3, 0, false, "", "0");
}
END_TEST

START_TEST(test_bad_entries)
{
	assert_fails("badgid", passwd, group, "user 'badgid': bad entry in /etc/passwd");
	assert_fails("baduid", passwd, group, "user 'baduid': bad entry in /etc/passwd");
	assert_fails("nogid", passwd, group, "user 'nogid': bad entry in /etc/passwd");
	assert_fails("emptyuid", passwd, group, "user 'emptyuid': bad entry in /etc/passwd");
	assert_fails("bigid", passwd, group, "user 'bigid': bad entry in /etc/passwd");
	/* found by uid, with a bad gid */
	assert_fails("1003", passwd, group, "user '1003': bad entry in /etc/passwd");
	assert_fails("1004", passwd, group, "user '1004': bad entry in /etc/passwd");
	/* with a group, the user's entry is still read, and still bad */
	assert_fails("badgid:0", passwd, group, "user 'badgid': bad entry in /etc/passwd");
}
END_TEST

START_TEST(test_numeric_name)
{
	/* A user named like a number: a number is always a uid, never a
	 * name (as Kubernetes' runAsUser), so "1234" is uid 1234, which has
	 * no entry; the user "1234" is found by its own uid. */
	static const char pw[] = "1234:x:2000:2000::/:/bin/sh\n";
	static const char gr[] = "g:x:50:1234\n";
	assert_ok("1234", pw, gr);
	assert_user(1234, 0, false, "", "0");
	assert_ok("2000", pw, gr);
	assert_user(2000, 2000, true, "1234", "2000,50");
	/* and a group named like a number is a gid */
	assert_ok("2000:50", pw, "50:x:60:\ng:x:50:\n");
	ck_assert_uint_eq(u.gid, 50);
}
END_TEST

START_TEST(test_not_ids)
{
	/* what is not a uid is a name, and there is no such name */
	assert_fails("4294967295", passwd, group, "unknown user '4294967295': not in /etc/passwd");
	assert_fails("99999999999", passwd, group, "unknown user '99999999999': not in /etc/passwd");
	assert_fails("-1", passwd, group, "unknown user '-1': not in /etc/passwd");
	assert_fails("+5", passwd, group, "unknown user '+5': not in /etc/passwd");
	assert_fails("0x10", passwd, group, "unknown user '0x10': not in /etc/passwd");
	assert_fails(" 5", passwd, group, "unknown user ' 5': not in /etc/passwd");
	assert_fails("5 ", passwd, group, "unknown user '5 ': not in /etc/passwd");
	assert_fails("alice:4294967295", passwd, group,
		     "unknown group '4294967295': not in /etc/group");
	assert_fails("alice:-1", passwd, group, "unknown group '-1': not in /etc/group");
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

START_TEST(test_member_names_match_exactly)
{
	/* near lists alice2, malice, alic, aliceb and ALICE: none is alice */
	static const char gr[] = "near:x:400:alice2,malice,alic,aliceb,ALICE, alice,alice \n";
	assert_ok("alice", passwd, gr);
	assert_user(1000, 1000, true, "alice", "1000");
	/* and the other way round: alic is a member of near, alice is not */
	static const char pw[] = "alic:x:5:5::/:/bin/sh\n";
	assert_ok("alic", pw, gr);
	assert_user(5, 5, true, "alic", "5,400");
}
END_TEST

START_TEST(test_member_groups_by_name_only)
{
	/* the group named like the user, with no members, is not hers by name */
	static const char gr[] = "alice:x:1234:\nbob:x:1000:\n";
	assert_ok("alice", passwd, gr);
	assert_user(1000, 1000, true, "alice", "1000");
	/* a group with a bad gid is skipped even when it lists her */
	assert_ok("alice", passwd, "badg:x:zz:alice\nneg:x:-1:alice\nbig:x:4294967295:alice\nok:x:3:alice\n");
	assert_user(1000, 1000, true, "alice", "1000,3");
}
END_TEST

START_TEST(test_group_by_name)
{
	/* GROUP replaces the primary gid; the member groups follow */
	assert_ok("alice:dev", passwd, group);
	assert_user(1000, 200, true, "alice", "200,10,100,300,600,700,800");
	assert_ok("alice:nogroup", passwd, group);
	assert_user(1000, 65534, true, "alice", "65534,10,100,200,300,600,700,800");
	assert_ok("bob:root", passwd, group);
	assert_user(1001, 0, true, "bob", "0,100,200");
	assert_ok("1000:wheel", passwd, group);
	assert_user(1000, 10, true, "alice", "10,100,200,300,600,700,800");
	/* a uid without an entry with a named group */
	assert_ok("4242:dev", passwd, group);
	assert_user(4242, 200, false, "", "200");
	/* the first group of a name wins, as for users */
	assert_ok("4242:x", passwd, "x:x:1:\nx:x:2:\n");
	ck_assert_uint_eq(u.gid, 1);
}
END_TEST

START_TEST(test_group_by_gid)
{
	/* with an entry */
	assert_ok("alice:300", passwd, group);
	assert_user(1000, 300, true, "alice", "300,10,100,200,600,700,800");
	assert_ok("alice:0", passwd, group);
	assert_user(1000, 0, true, "alice", "0,10,100,200,300,600,700,800");
	/* without an entry: the number as it is */
	assert_ok("alice:4242", passwd, group);
	assert_user(1000, 4242, true, "alice", "4242,10,100,200,300,600,700,800");
	assert_ok("4242:4243", passwd, group);
	assert_user(4242, 4243, false, "", "4243");
	assert_ok("4242:0", passwd, group);
	assert_user(4242, 0, false, "", "0");
	assert_ok("0:0", passwd, group);
	assert_user(0, 0, true, "root", "0");
	assert_ok("alice:4294967294", passwd, group);
	ck_assert_uint_eq(u.gid, 4294967294u);
}
END_TEST

START_TEST(test_group_errors)
{
	assert_fails("alice:nosuch", passwd, group, "unknown group 'nosuch': not in /etc/group");
	assert_fails("4242:nosuch", passwd, group, "unknown group 'nosuch': not in /etc/group");
	/* a group whose gid is bad is no group */
	assert_fails("alice:badg", passwd, group, "unknown group 'badg': not in /etc/group");
	/* a short group line is no group */
	assert_fails("alice:three", passwd, group, "unknown group 'three': not in /etc/group");
	/* a second colon is part of the group, which then does not exist */
	assert_fails("alice:dev:x", passwd, group, "unknown group 'dev:x': not in /etc/group");
	assert_fails("alice:dev:", passwd, group, "unknown group 'dev:': not in /etc/group");
	/* the user is checked first */
	assert_fails("nosuch:dev", passwd, group, "unknown user 'nosuch': not in /etc/passwd");
	assert_fails("nosuch:nosuch2", passwd, group, "unknown user 'nosuch': not in /etc/passwd");
}
END_TEST

/* ---- malformed specs ---- */

START_TEST(test_bad_specs)
{
	assert_fails("", passwd, group, "bad user '': expected USER or USER:GROUP");
	assert_fails(":", passwd, group, "bad user ':': expected USER or USER:GROUP");
	assert_fails(":dev", passwd, group, "bad user ':dev': expected USER or USER:GROUP");
	assert_fails(":0", passwd, group, "bad user ':0': expected USER or USER:GROUP");
	assert_fails("alice:", passwd, group, "bad user 'alice:': expected USER or USER:GROUP");
	assert_fails("0:", passwd, group, "bad user '0:': expected USER or USER:GROUP");
	assert_fails("::", passwd, group, "bad user '::': expected USER or USER:GROUP");
	/* a newline would split a passwd line in two */
	assert_fails("alice\nbob", passwd, group,
		     "bad user 'alice\nbob': expected USER or USER:GROUP");
	assert_fails("alice:dev\n", passwd, group,
		     "bad user 'alice:dev\n': expected USER or USER:GROUP");
	/* names are case sensitive */
	assert_fails("Alice", passwd, group, "unknown user 'Alice': not in /etc/passwd");
	assert_fails("alice:DEV", passwd, group, "unknown group 'DEV': not in /etc/group");
	/* no prefix matches */
	assert_fails("ali", passwd, group, "unknown user 'ali': not in /etc/passwd");
	assert_fails("alicex", passwd, group, "unknown user 'alicex': not in /etc/passwd");
	assert_fails("alice:de", passwd, group, "unknown group 'de': not in /etc/group");
}
END_TEST

START_TEST(test_only_known_to_group)
{
	/* carol is a member of groups but has no passwd entry */
	assert_fails("carol", passwd, group, "unknown user 'carol': not in /etc/passwd");
}
END_TEST

/* ---- missing files ---- */

START_TEST(test_no_files)
{
	/* no /etc/passwd: names are unknown, uids have no entry */
	assert_fails("alice", NULL, group, "unknown user 'alice': not in /etc/passwd");
	assert_fails("root", NULL, NULL, "unknown user 'root': not in /etc/passwd");
	assert_ok("1000", NULL, group);
	assert_user(1000, 0, false, "", "0");
	assert_ok("1000:dev", NULL, group);
	assert_user(1000, 200, false, "", "200");
	assert_ok("0", NULL, NULL);
	assert_user(0, 0, false, "", "0");
	/* no /etc/group: gids as they are, names unknown, no member groups */
	assert_ok("alice", passwd, NULL);
	assert_user(1000, 1000, true, "alice", "1000");
	assert_ok("alice:5", passwd, NULL);
	assert_user(1000, 5, true, "alice", "5");
	assert_ok("1000:5", NULL, NULL);
	assert_user(1000, 5, false, "", "5");
	assert_fails("alice:dev", passwd, NULL, "unknown group 'dev': not in /etc/group");
	assert_fails("1000:dev", NULL, NULL, "unknown group 'dev': not in /etc/group");
	/* empty files are no different */
	assert_fails("alice", "", "", "unknown user 'alice': not in /etc/passwd");
	assert_ok("1000:5", "", "");
	assert_user(1000, 5, false, "", "5");
	assert_ok("alice", passwd, "");
	assert_user(1000, 1000, true, "alice", "1000");
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
	tcase_add_test(tc, test_name);
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_name_primary_also_member);
	tcase_add_test(tc, test_name_no_member_groups);
	tcase_add_test(tc, test_uid_in_passwd);
	tcase_add_test(tc, test_uid_without_entry);
	tcase_add_test(tc, test_first_entry_wins);
	tcase_add_test(tc, test_odd_lines);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_short_lines);
	tcase_add_test(tc, test_bad_entries);
	tcase_add_test(tc, test_numeric_name);
	tcase_add_test(tc, test_not_ids);
	suite_add_tcase(s, tc);

	tc = tcase_create("groups");
	tcase_add_test(tc, test_member_positions);
	tcase_add_test(tc, test_member_names_match_exactly);
	tcase_add_test(tc, test_member_groups_by_name_only);
	tcase_add_test(tc, test_group_by_name);
	tcase_add_test(tc, test_group_by_gid);
	tcase_add_test(tc, test_group_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("specs");
	tcase_add_test(tc, test_bad_specs);
	tcase_add_test(tc, test_only_known_to_group);
	tcase_add_test(tc, test_no_files);
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
