#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "suites.h"

#define BIT(c) ((uint64_t)1 << (c))

/* Every capability this kernel header knows: CAP_CHOWN .. CAP_LAST_CAP. */
#define KNOWN (CAP_LAST_CAP >= 63 ? CAPS_ALL : BIT(CAP_LAST_CAP + 1) - 1)

static char err[512];

/* ---- caps_parse ---- */

static uint64_t parse_ok(const char *list, uint64_t base)
{
	uint64_t out = 0xdeadbeef;
	strcpy(err, "");
	ck_assert_msg(caps_parse(list, base, base, &out, err, sizeof err) == 0, "'%s': %s", list, err);
	return out;
}

#define assert_parse(list, base, want) do { \
		uint64_t got_ = parse_ok((list), (base)); \
		ck_assert_msg(got_ == (uint64_t)(want), "'%s': got %#llx, want %#llx", (list), \
			      (unsigned long long)got_, (unsigned long long)(want)); \
	} while (0)

/* One list given to caps_parse (as the default set and the bounding set
 * both `base`): the set it gives, or the error it refuses the list with. */
struct parse_case {
	const char *list;
	uint64_t base;
	uint64_t want;
	const char *err;
};

#define PARSES(list, base, want) { list, base, want, NULL }
#define REFUSED(list, text) { list, CAPS_ALL, 0, text }
#define UNKNOWN(list, item) REFUSED(list, "unknown capability '" item "'")
/* names and changes in one list */
#define MIXED(list) REFUSED(list, "'" list "': give either names (exactly these) or only " \
			    "+NAME/-NAME (changes to the default set), not both")
#define KILL_CHOWN (BIT(CAP_CHOWN) | BIT(CAP_KILL)) /* a default set to change */

static const struct parse_case parse_cases[] = {
	/* none */
	PARSES("none", CAPS_ALL, 0),
	PARSES("NONE", CAPS_ALL, 0),
	PARSES("None", BIT(CAP_KILL), 0),
	PARSES("none", 0, 0),

	/* all is the base: what the app would get anyway */
	PARSES("all", CAPS_ALL, CAPS_ALL),
	PARSES("ALL", BIT(CAP_CHOWN) | BIT(CAP_KILL), BIT(CAP_CHOWN) | BIT(CAP_KILL)),
	PARSES("All", 0, 0),
	PARSES("all", KNOWN, KNOWN),

	/* names: exactly these, whatever the base */
	PARSES("net_bind_service", CAPS_ALL, BIT(CAP_NET_BIND_SERVICE)),
	PARSES("net_bind_service", 0, BIT(CAP_NET_BIND_SERVICE)),
	PARSES("CAP_NET_RAW,chown", CAPS_ALL, BIT(CAP_NET_RAW) | BIT(CAP_CHOWN)),
	PARSES("chown,CAP_NET_RAW", 0, BIT(CAP_NET_RAW) | BIT(CAP_CHOWN)),
	/* the prefix optional, any case */
	PARSES("cap_net_raw", 0, BIT(CAP_NET_RAW)),
	PARSES("Cap_Net_Raw", 0, BIT(CAP_NET_RAW)),
	PARSES("NET_RAW", 0, BIT(CAP_NET_RAW)),
	PARSES("nEt_RaW", 0, BIT(CAP_NET_RAW)),
	PARSES("CAP_chown", 0, BIT(CAP_CHOWN)),
	/* a name twice is once */
	PARSES("chown,chown,cap_chown", 0, BIT(CAP_CHOWN)),
	PARSES("sys_admin,kill,setuid,setgid", CAPS_ALL,
	       BIT(CAP_SYS_ADMIN) | BIT(CAP_KILL) | BIT(CAP_SETUID) | BIT(CAP_SETGID)),

	/* changes to the default set */
	PARSES("+net_raw", KILL_CHOWN, KILL_CHOWN | BIT(CAP_NET_RAW)),
	PARSES("-chown", KILL_CHOWN, BIT(CAP_KILL)),
	PARSES("+net_raw,-chown", KILL_CHOWN, BIT(CAP_KILL) | BIT(CAP_NET_RAW)),
	PARSES("-chown,+net_raw", KILL_CHOWN, BIT(CAP_KILL) | BIT(CAP_NET_RAW)),
	PARSES("+CAP_NET_RAW,-Cap_Chown", KILL_CHOWN, BIT(CAP_KILL) | BIT(CAP_NET_RAW)),
	/* taking what is not there, adding what is */
	PARSES("-net_raw", KILL_CHOWN, KILL_CHOWN),
	PARSES("+chown", KILL_CHOWN, KILL_CHOWN),
	/* from nothing (a user that is not root) and from everything */
	PARSES("+net_bind_service", 0, BIT(CAP_NET_BIND_SERVICE)),
	PARSES("-chown", 0, 0),
	PARSES("-sys_admin,-net_raw", CAPS_ALL, CAPS_ALL & ~BIT(CAP_SYS_ADMIN) & ~BIT(CAP_NET_RAW)),
	/* (base | adds) & ~drops: a drop wins over an add, in either order */
	PARSES("+net_raw,-net_raw", 0, 0),
	PARSES("-net_raw,+net_raw", 0, 0),
	PARSES("+chown,-chown", KILL_CHOWN, BIT(CAP_KILL)),
	/* the same change twice */
	PARSES("+net_raw,+net_raw", 0, BIT(CAP_NET_RAW)),
	PARSES("-kill,-kill", KILL_CHOWN, BIT(CAP_CHOWN)),

	/* names and changes are not mixed */
	MIXED("net_raw,+chown"),
	MIXED("+chown,net_raw"),
	MIXED("-chown,net_raw"),
	MIXED("net_raw,-chown"),
	MIXED("+chown,-kill,net_raw"),
	MIXED("kill,chown,+net_raw"),

	/* empty items */
	UNKNOWN("", ""),
	UNKNOWN(",", ""),
	UNKNOWN("net_raw,", ""),
	UNKNOWN(",net_raw", ""),
	UNKNOWN("net_raw,,chown", ""),
	UNKNOWN("+", "+"),
	UNKNOWN("-", "-"),
	UNKNOWN("+net_raw,-", "-"),
	UNKNOWN("+net_raw,", ""),

	/* unknown names */
	UNKNOWN("bogus", "bogus"),
	UNKNOWN("net_raw,bogus", "bogus"),
	UNKNOWN("+bogus", "+bogus"),
	UNKNOWN("-bogus", "-bogus"),
	UNKNOWN("cap_", "cap_"),
	UNKNOWN("CAP_", "CAP_"),
	UNKNOWN("cap", "cap"),
	UNKNOWN("cap_cap_chown", "cap_cap_chown"),
	UNKNOWN("cap_net", "cap_net"), /* a prefix of a name */
	UNKNOWN("net", "net"),
	UNKNOWN("chow", "chow"),
	UNKNOWN("chownx", "chownx"),
	UNKNOWN("++chown", "++chown"),
	UNKNOWN("+-chown", "+-chown"),
	/* none and all are whole values, not names in a list */
	UNKNOWN("all,chown", "all"),
	UNKNOWN("none,chown", "none"),
	UNKNOWN("+all", "+all"),
	UNKNOWN("-none", "-none"),
	UNKNOWN("cap_all", "cap_all"),
	/* the first bad item is named, before a mix is noticed */
	UNKNOWN("chown,+bogus", "+bogus"),
	/* too long to be a name */
	UNKNOWN("net_bind_service_net_bind_service_net_bind_service",
		"net_bind_service_net_bind_service_net_bind_service"),

	/* numbers are not names */
	UNKNOWN("7", "7"),
	UNKNOWN("0", "0"),
	UNKNOWN("+7", "+7"),
	UNKNOWN("-0", "-0"),
	UNKNOWN("cap_7", "cap_7"),
	UNKNOWN("0x7", "0x7"),
	UNKNOWN("chown,21", "21"),
	UNKNOWN("63", "63"),

	/* no spaces around names */
	UNKNOWN(" chown", " chown"),
	UNKNOWN("net_raw, chown", " chown"),
	UNKNOWN("+ net_raw", "+ net_raw"),

	/* A name is the whole item: a name followed by anything but a comma
	 * is unknown. (libcap's cap_from_name stops at the first character
	 * that is not a letter or '_' and ignores the rest.) */
	UNKNOWN("chown2", "chown2"),
	UNKNOWN("net_raw!", "net_raw!"),
	UNKNOWN("net_bind_service:80", "net_bind_service:80"),
	UNKNOWN("chown ", "chown "),
	UNKNOWN("net_raw;chown", "net_raw;chown"),
	UNKNOWN("+net_raw1", "+net_raw1"),
	UNKNOWN("cap_sys_admin=ep", "cap_sys_admin=ep"),
};

START_TEST(test_parse_cases)
{
	const struct parse_case *c = &parse_cases[_i];
	uint64_t out = 0xdeadbeef;
	strcpy(err, "");
	int rc = caps_parse(c->list, c->base, c->base, &out, err, sizeof err);
	if (c->err)
		ck_assert_msg(rc == -1 && strcmp(err, c->err) == 0,
			      "case %d: '%s': got %d (%#llx, '%s'), want -1 '%s'", _i, c->list, rc,
			      (unsigned long long)out, err, c->err);
	else
		ck_assert_msg(rc == 0 && out == c->want,
			      "case %d: '%s' from %#llx: got %d (%#llx, '%s'), want %#llx", _i, c->list,
			      (unsigned long long)c->base, rc, (unsigned long long)out, err,
			      (unsigned long long)c->want);
}
END_TEST

START_TEST(test_parse_every_name)
{
	/* every capability by its name from libcap, with and without the
	 * prefix, in upper case; and back through caps_format */
	char name[64], up[64], buf[64];
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		char *n = cap_to_name(c);
		ck_assert_ptr_nonnull(n);
		snprintf(name, sizeof name, "%s", n);
		cap_free(n);
		ck_assert_msg(strncmp(name, "cap_", 4) == 0, "%d is %s", c, name);
		assert_parse(name, 0, BIT(c));
		assert_parse(name + 4, 0, BIT(c));
		for (size_t i = 0; i <= strlen(name); i++)
			up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
		assert_parse(up, 0, BIT(c));
		assert_parse(up + 4, 0, BIT(c));
		ck_assert_str_eq(caps_format(BIT(c), buf, sizeof buf), name);
	}
	assert_parse("checkpoint_restore", 0, BIT(40));
	assert_parse("cap_setfcap", 0, BIT(CAP_SETFCAP));
}
END_TEST

START_TEST(test_parse_error_buffer)
{
	char small[16];
	uint64_t out;
	memset(small, 'X', sizeof small);
	ck_assert_int_eq(caps_parse("bogus", 0, 0, &out, small, 8), -1);
	ck_assert_str_eq(small, "unknown");
	ck_assert_int_eq(small[8], 'X');
	/* a long list in the message is cut to the buffer */
	static char list[3000];
	size_t o = 0;
	while (o < sizeof list - 20)
		o += (size_t)snprintf(list + o, sizeof list - o, "chown,");
	snprintf(list + o, sizeof list - o, "+kill");
	strcpy(err, "");
	ck_assert_int_eq(caps_parse(list, 0, 0, &out, err, sizeof err), -1);
	ck_assert_uint_eq(strlen(err), sizeof err - 1);
	ck_assert(strncmp(err, "'chown,chown,", 13) == 0);
}
END_TEST

/* ---- caps_format ---- */

START_TEST(test_format)
{
	char buf[512];
	ck_assert_str_eq(caps_format(0, buf, sizeof buf), "none");
	ck_assert_str_eq(caps_format(BIT(CAP_CHOWN), buf, sizeof buf), "cap_chown");
	ck_assert_str_eq(caps_format(BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE), buf, sizeof buf),
			 "cap_chown,cap_net_bind_service");
	/* in the order of the numbers */
	ck_assert_str_eq(caps_format(BIT(CAP_NET_RAW) | BIT(CAP_KILL) | BIT(CAP_CHOWN), buf, sizeof buf),
			 "cap_chown,cap_kill,cap_net_raw");
	ck_assert_str_eq(caps_format(BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETPCAP), buf, sizeof buf),
			 "cap_setgid,cap_setuid,cap_setpcap");
	ck_assert_ptr_eq(caps_format(BIT(CAP_KILL), buf, sizeof buf), buf);
	/* the last one this header knows */
	char *last = cap_to_name(CAP_LAST_CAP);
	ck_assert_str_eq(caps_format(BIT(CAP_LAST_CAP), buf, sizeof buf), last);
	cap_free(last);
}
END_TEST

START_TEST(test_format_parses_back)
{
	/* what caps_format writes, caps_parse reads back as the same set */
	static const uint64_t sets[] = {
		BIT(CAP_CHOWN), BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW),
		BIT(CAP_SYS_ADMIN) | BIT(CAP_KILL) | BIT(CAP_SETPCAP) | BIT(CAP_AUDIT_READ), KNOWN,
	};
	char buf[2048];
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		assert_parse(caps_format(sets[i], buf, sizeof buf), CAPS_ALL, sets[i]);
	assert_parse(caps_format(0, buf, sizeof buf), CAPS_ALL, 0);
}
END_TEST

START_TEST(test_format_all_bits)
{
	/* 64 entries, one per bit, whatever libcap calls those it does not know */
	char buf[4096];
	caps_format(CAPS_ALL, buf, sizeof buf);
	ck_assert(strncmp(buf, "cap_chown,cap_dac_override,", 27) == 0);
	int commas = 0;
	for (const char *p = buf; *p; p++)
		commas += *p == ',';
	ck_assert_int_eq(commas, 63);
}
END_TEST

START_TEST(test_format_truncated)
{
	/* Whatever the length: nothing written at or past len, a string that
	 * ends within len, a prefix of the whole text. */
	static const uint64_t sets[] = {
		0, BIT(CAP_CHOWN), BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE),
		BIT(CAP_KILL) | BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_SYS_ADMIN), KNOWN, CAPS_ALL,
	};
	char full[4096], buf[4096 + 16];
	for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
		caps_format(sets[s], full, sizeof full);
		size_t whole = strlen(full);
		for (size_t len = 0; len <= whole + 2; len++) {
			memset(buf, 'X', sizeof buf);
			ck_assert_ptr_eq(caps_format(sets[s], buf, len), buf);
			for (size_t k = len; k < len + 16; k++)
				ck_assert_msg(buf[k] == 'X', "set %zu, len %zu: byte %zu written", s, len, k);
			if (len == 0)
				continue;
			size_t n = strnlen(buf, len);
			ck_assert_msg(n < len, "set %zu, len %zu: not terminated", s, len);
			ck_assert_msg(strncmp(buf, full, n) == 0, "set %zu, len %zu: '%s' is not a prefix of '%s'",
				      s, len, buf, full);
			if (len > whole)
				ck_assert_str_eq(buf, full);
		}
	}
}
END_TEST

/* ---- caps_missing ---- */

/* What caps_missing and caps_keep are asked about: --user (with one
 * group, the primary one), --caps, --no-new-privs. */
static const gid_t g1000[] = { 1000 }, g65534[] = { 65534 }, g1[] = { 1 };
#define NO_PRIVS { 0 }
#define USER(uid_, gid_, groups_) \
	.user = true, .uid = (uid_), .gid = (gid_), .groups = (groups_), .ngroups = 1
#define CAPS(set_) .caps = true, .set = (set_)

/* drainit's own sets: effective, permitted, bounding */
#define SETS(e, p, b) { .eff = (e), .prm = (p), .bnd = (b) }
#define OWN_ALL SETS(KNOWN, KNOWN, KNOWN)
#define NO_SETS SETS(0, 0, 0)
#define ONLY(caps) SETS((caps), (caps), KNOWN) /* in the effective and permitted sets */
#define GID BIT(CAP_SETGID)
#define UID BIT(CAP_SETUID)
#define NBS BIT(CAP_NET_BIND_SERVICE)

/* What drainit, with the sets `own` and the effective uid `euid`, lacks
 * to give `p`: "none", or the names. */
struct missing_case {
	struct privs p;
	struct capsets own;
	uid_t euid;
	const char *want;
};

static const struct missing_case missing_cases[] = {
	/* nothing asked */
	{ NO_PRIVS, OWN_ALL, 0, "none" },
	{ NO_PRIVS, NO_SETS, 1000, "none" },
	/* no_new_privs needs no capability */
	{ { .no_new_privs = true }, NO_SETS, 1000, "none" },
	/* fields of a part not asked for are ignored */
	{ { .uid = 5, .set = BIT(CAP_SYS_ADMIN) }, NO_SETS, 1000, "none" },

	/* --user 1000 */
	{ { USER(1000, 1000, g1000) }, OWN_ALL, 0, "none" },
	/* another uid needs cap_setuid; groups always need cap_setgid */
	{ { USER(1000, 1000, g1000) }, NO_SETS, 0, "cap_setgid,cap_setuid" },
	{ { USER(1000, 1000, g1000) }, NO_SETS, 2000, "cap_setgid,cap_setuid" },
	/* the same uid: setgroups still needs cap_setgid */
	{ { USER(1000, 1000, g1000) }, NO_SETS, 1000, "cap_setgid" },
	{ { USER(1000, 1000, g1000) }, ONLY(GID), 1000, "none" },
	{ { USER(1000, 1000, g1000) }, ONLY(GID), 0, "cap_setuid" },
	/* effective and permitted both */
	{ { USER(1000, 1000, g1000) }, SETS(GID | UID, GID, KNOWN), 0, "cap_setuid" },
	{ { USER(1000, 1000, g1000) }, SETS(GID, GID | UID, KNOWN), 0, "cap_setuid" },
	/* the bounding set does not matter to --user alone */
	{ { USER(1000, 1000, g1000) }, SETS(GID | UID, GID | UID, 0), 0, "none" },
	/* user root from root */
	{ { USER(0, 1000, g1000) }, ONLY(GID), 0, "none" },
	{ { USER(0, 1000, g1000) }, OWN_ALL, 0, "none" },
	/* user root from another user */
	{ { USER(0, 1000, g1000) }, ONLY(GID), 1000, "cap_setuid" },

	/* --caps net_bind_service */
	{ { CAPS(NBS) }, OWN_ALL, 0, "none" },
	/* the bounding set shrinks: cap_setpcap */
	{ { CAPS(NBS) }, SETS(KNOWN & ~BIT(CAP_SETPCAP), KNOWN, KNOWN), 0, "cap_setpcap" },
	{ { CAPS(NBS) }, SETS(KNOWN, KNOWN & ~BIT(CAP_SETPCAP), KNOWN), 0, "cap_setpcap" },
	/* the bounding set already is the set: no cap_setpcap needed */
	{ { CAPS(NBS) }, SETS(NBS, NBS, NBS), 0, "none" },
	{ { CAPS(NBS) }, SETS(NBS, NBS, NBS), 1000, "none" },
	/* the set itself, effective and permitted */
	{ { CAPS(NBS) }, SETS(KNOWN & ~NBS, KNOWN, KNOWN), 0, "cap_net_bind_service" },
	{ { CAPS(NBS) }, SETS(KNOWN, KNOWN & ~NBS, KNOWN), 0, "cap_net_bind_service" },
	/* outside the bounding set, nothing can grant it */
	{ { CAPS(NBS) }, SETS(KNOWN, KNOWN, KNOWN & ~NBS), 0, "cap_net_bind_service" },
	/* several, in the order of the numbers */
	{ { CAPS(BIT(CAP_NET_RAW) | BIT(CAP_CHOWN) | BIT(CAP_KILL)) }, ONLY(BIT(CAP_KILL)), 0,
	  "cap_chown,cap_setpcap,cap_net_raw" },
	/* --caps none: only the bounding set to empty */
	{ { CAPS(0) }, OWN_ALL, 0, "none" },
	{ { CAPS(0) }, SETS(0, 0, KNOWN), 1000, "cap_setpcap" },
	{ { CAPS(0) }, NO_SETS, 1000, "none" },

	/* --user 65534 --caps net_bind_service */
	{ { USER(65534, 65534, g65534), CAPS(NBS) }, OWN_ALL, 0, "none" },
	{ { USER(65534, 65534, g65534), CAPS(NBS) }, SETS(0, 0, KNOWN), 0,
	  "cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service" },
	/* a set that holds what the switch needs is no help without them */
	{ { USER(65534, 65534, g65534), CAPS(UID | GID) }, SETS(UID, UID, UID | GID), 0, "cap_setgid" },
};

START_TEST(test_missing_cases)
{
	const struct missing_case *c = &missing_cases[_i];
	static char buf[512];
	memset(buf, 'X', sizeof buf);
	buf[sizeof buf - 1] = '\0';
	bool lacks = caps_missing(&c->p, &c->own, c->euid, buf, sizeof buf);
	ck_assert_msg(strcmp(buf, c->want) == 0 && lacks == (strcmp(c->want, "none") != 0),
		      "case %d: user=%d uid=%u caps=%d set=%#llx nnp=%d, own eff=%#llx prm=%#llx "
		      "bnd=%#llx, euid %u: got '%s' (%d), want '%s'", _i, c->p.user, (unsigned)c->p.uid,
		      c->p.caps, (unsigned long long)c->p.set, c->p.no_new_privs,
		      (unsigned long long)c->own.eff, (unsigned long long)c->own.prm,
		      (unsigned long long)c->own.bnd, (unsigned)c->euid, buf, lacks, c->want);
}
END_TEST

START_TEST(test_missing_buffer)
{
	/* a short buffer is cut, never overrun; the answer stays true */
	struct privs p = { .user = true, .uid = 1 };
	struct capsets none = { 0 };
	char small[16];
	memset(small, 'X', sizeof small);
	ck_assert(caps_missing(&p, &none, 0, small, 5));
	ck_assert_str_eq(small, "cap_");
	ck_assert_int_eq(small[5], 'X');
	memset(small, 'X', sizeof small);
	ck_assert(caps_missing(&p, &none, 0, small, 0));
	ck_assert_int_eq(small[0], 'X');
}
END_TEST

/* ---- caps_keep ---- */

/* What drainit keeps of its own capabilities once the app runs, for `p`,
 * with exec readiness checks or not, a file: condition or not, and a
 * readiness folder that needs CAP_DAC_OVERRIDE or not. */
struct keep_case {
	struct privs p;
	bool exec_checks, file_check, folder_dac;
	uint64_t want;
};

#define KILL BIT(CAP_KILL)
#define DAC (BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH))
#define PCAP BIT(CAP_SETPCAP)
#define IDS (BIT(CAP_SETUID) | BIT(CAP_SETGID))
#define SEARCH BIT(CAP_DAC_READ_SEARCH)

static const struct keep_case keep_cases[] = {
	/* no exec checks: CAP_KILL, and CAP_DAC_OVERRIDE (with searching) when the folder needs it */
	{ NO_PRIVS, false, false, false, KILL },
	{ NO_PRIVS, false, false, true, KILL | DAC },
	{ { USER(1, 1, g1) }, false, false, false, KILL },
	{ { CAPS(NBS) }, false, false, false, KILL },
	{ { USER(1, 1, g1), CAPS(NBS) }, false, false, true, KILL | DAC },
	{ { .no_new_privs = true }, false, false, false, KILL },
	/* exec checks without --caps: everything, the check runs as drainit would */
	{ NO_PRIVS, true, false, false, CAPS_ALL },
	{ NO_PRIVS, true, false, true, CAPS_ALL },
	{ { USER(1, 1, g1) }, true, false, false, CAPS_ALL },
	{ { .no_new_privs = true }, true, false, false, CAPS_ALL },
	/* exec checks with --caps: the set and what it takes to give it */
	{ { CAPS(NBS) }, true, false, false, KILL | NBS | PCAP },
	{ { CAPS(NBS) }, true, false, true, KILL | DAC | NBS | PCAP },
	{ { USER(1, 1, g1), CAPS(NBS) }, true, false, false, KILL | NBS | PCAP | IDS },
	{ { USER(1, 1, g1), CAPS(NBS) }, true, false, true, KILL | DAC | NBS | PCAP | IDS },
	{ { CAPS(0) }, true, false, false, KILL | PCAP },
	/* a user that is root is still a switch of groups */
	{ { USER(0, 1, g1), CAPS(NBS) }, true, false, false, KILL | NBS | PCAP | IDS },
	/* a file: condition searches the app's folders */
	{ NO_PRIVS, false, true, false, KILL | SEARCH },
	{ { USER(0, 1, g1), CAPS(NBS) }, false, true, false, KILL | SEARCH },
	{ NO_PRIVS, false, true, true, KILL | DAC },
};

START_TEST(test_keep_cases)
{
	const struct keep_case *c = &keep_cases[_i];
	uint64_t got = caps_keep(&c->p, c->exec_checks, c->file_check, c->folder_dac);
	ck_assert_msg(got == c->want,
		      "case %d: user=%d uid=%u caps=%d set=%#llx nnp=%d, exec checks %d, file %d, "
		      "folder dac %d: got %#llx, want %#llx", _i, c->p.user, (unsigned)c->p.uid,
		      c->p.caps, (unsigned long long)c->p.set, c->p.no_new_privs, c->exec_checks,
		      c->file_check, c->folder_dac, (unsigned long long)got, (unsigned long long)c->want);
}
END_TEST

/* ---- the sets of a process ---- */

/* The hex value of a Cap* line of /proc/self/status. */
static uint64_t status_caps(const char *key)
{
	char line[256];
	uint64_t v = 0;
	bool found = false;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return ~(uint64_t)0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 16);
			found = true;
		}
	fclose(f);
	return found ? v : ~(uint64_t)0;
}

static void status_sets(struct capsets *c)
{
	c->eff = status_caps("CapEff");
	c->prm = status_caps("CapPrm");
	c->inh = status_caps("CapInh");
	c->bnd = status_caps("CapBnd");
	c->amb = status_caps("CapAmb");
}

#define assert_sets_eq(a, b) do { \
		ck_assert_uint_eq((a).eff, (b).eff); \
		ck_assert_uint_eq((a).prm, (b).prm); \
		ck_assert_uint_eq((a).inh, (b).inh); \
		ck_assert_uint_eq((a).bnd, (b).bnd); \
		ck_assert_uint_eq((a).amb, (b).amb); \
	} while (0)

START_TEST(test_read)
{
	struct capsets got, want;
	memset(&got, 0xA5, sizeof got);
	ck_assert_int_eq(caps_read(&got), 0);
	status_sets(&want);
	ck_assert_uint_ne(want.bnd, ~(uint64_t)0);
	assert_sets_eq(got, want);
	/* nothing outside what the kernel knows */
	ck_assert_uint_eq(got.bnd & ~KNOWN, 0);
}
END_TEST

/* What a forked child reports after doing something to itself. */
struct report {
	int rc;                 /* what the call returned */
	int err;                /* errno after it */
	int read_rc;
	struct capsets got;     /* caps_read after the call */
	struct capsets status;  /* /proc/self/status after the call */
	uid_t ruid, euid;
	gid_t rgid, egid;
	int ngroups;
	gid_t groups[16];
	int nnp;
	char exec_status[512];  /* Cap lines of an exec'd cat, when asked */
};

typedef void (*child_fn)(struct report *r, const void *arg);

/* Runs fn in a forked child and fills r with what the child saw after it. */
static void in_child(child_fn fn, const void *arg, struct report *r)
{
	int fd[2];
	ck_assert_int_eq(pipe(fd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct report c;
		memset(&c, 0, sizeof c);
		close(fd[0]);
		fn(&c, arg);
		c.read_rc = caps_read(&c.got);
		status_sets(&c.status);
		c.ruid = getuid();
		c.euid = geteuid();
		c.rgid = getgid();
		c.egid = getegid();
		c.ngroups = getgroups(16, c.groups);
		c.nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
		ssize_t w = write(fd[1], &c, sizeof c);
		_exit(w == (ssize_t)sizeof c ? 0 : 1);
	}
	close(fd[1]);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof *r && (n = read(fd[0], (char *)r + got, sizeof *r - got)) > 0)
		got += (size_t)n;
	close(fd[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	ck_assert_uint_eq(got, sizeof *r);
	/* caps_read agrees with the kernel's own account, whatever was done */
	ck_assert_int_eq(r->read_rc, 0);
	assert_sets_eq(r->got, r->status);
}

/* The syscall tests need root with the usual container capabilities; as
 * another user they pass without checking anything (Check cannot skip).
 * The unit tests are run as root in CI (tests/run.sh via make check). */
static bool privileged(struct capsets *own)
{
	const uint64_t need = BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_SETPCAP) |
			      BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) |
			      BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE);
	if (geteuid() != 0 || caps_read(own) != 0)
		return false;
	return (own->eff & need) == need && (own->prm & need) == need && (own->bnd & need) == need;
}

#define REQUIRE_ROOT(own) do { \
		if (!privileged(&(own))) { \
			fprintf(stderr, "%s: skipped: needs root with capabilities\n", __func__); \
			return; \
		} \
	} while (0)

static void do_become(struct report *r, const void *arg)
{
	errno = 0;
	r->rc = caps_become(arg);
	r->err = errno;
}

/* caps_become, then exec cat /proc/self/status and keep its Cap lines:
 * what the app gets is what counts. */
static void exec_cat_status(struct report *r)
{
	int fd[2];
	if (pipe(fd) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	static char all[8192];
	size_t got = 0;
	ssize_t n;
	while (got < sizeof all - 1 && (n = read(fd[0], all + got, sizeof all - 1 - got)) > 0)
		got += (size_t)n;
	all[got] = '\0';
	close(fd[0]);
	waitpid(pid, NULL, 0);
	size_t o = 0;
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, "Cap", 3) == 0)
			o += (size_t)snprintf(r->exec_status + o, sizeof r->exec_status - o, "%s\n", line);
}

static void do_become_exec(struct report *r, const void *arg)
{
	r->rc = caps_become(arg);
	if (r->rc == 0)
		exec_cat_status(r);
}

static void drop_then_become(struct report *r, const void *arg)
{
	/* as root, but without cap_setpcap, cap_setuid, cap_setgid */
	caps_drop_own(BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE), true);
	do_become(r, arg);
}

static void setuid_then_become(struct report *r, const void *arg)
{
	if (setgid(65534) != 0 || setuid(65534) != 0) {
		r->rc = -999;
		return;
	}
	do_become(r, arg);
}

static void narrow_then_become(struct report *r, const void *arg)
{
	/* drainit started with exactly the set, bounding set included (as with
	 * Kubernetes' drop: [ALL], add: [NET_BIND_SERVICE]), so no cap_setpcap */
	const struct privs *p = arg;
	struct capsets own;
	char lacking[256];
	if (caps_drop_own(p->set, true) != 0 || caps_read(&own) != 0 || own.bnd != p->set) {
		r->rc = -999;
		return;
	}
	/* what drainit decides before it starts the app */
	r->err = caps_missing(p, &own, geteuid(), lacking, sizeof lacking);
	r->rc = caps_become(p);
}

START_TEST(test_become_bounding_already_the_set)
{
	/* caps_missing finds nothing lacking (the bounding set need not
	 * shrink), so caps_become must succeed: it may not ask for
	 * cap_setpcap to drop what is already out of the bounding set. */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	struct privs p = { .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	in_child(narrow_then_become, &p, &r);
	ck_assert_msg(r.err == 0, "caps_missing says drainit lacks something");
	ck_assert_msg(r.rc == 0, "caps_become with --caps net_bind_service, drainit holding exactly "
		      "cap_net_bind_service (bounding set too): returned %d (%s), but caps_missing "
		      "found nothing lacking", r.rc, r.rc > 0 ? strerror(r.rc) : "?");
	ck_assert_uint_eq(r.status.eff, 0x400);
	ck_assert_uint_eq(r.status.bnd, 0x400);
}
END_TEST

static bool have_cat(void)
{
	return access("/bin/cat", X_OK) == 0;
}

/* ---- caps_drop_own ---- */

static void do_drop(struct report *r, const void *arg)
{
	errno = 0;
	r->rc = caps_drop_own(*(const uint64_t *)arg, true);
	r->err = errno;
}

/* drainit's drop when it will exec nothing: no_new_privs, bounding set
 * left; then what an exec'd root program gets */
static void do_drop_nnp_exec(struct report *r, const void *arg)
{
	errno = 0;
	r->rc = caps_drop_own(*(const uint64_t *)arg, false);
	r->err = errno;
	if (r->rc == 0)
		exec_cat_status(r);
}

static void no_setpcap_then_drop(struct report *r, const void *arg)
{
	/* first without cap_setpcap (which also leaves the bounding set) */
	if (caps_drop_own(CAPS_ALL & ~BIT(CAP_SETPCAP), true) != 0) {
		r->rc = -999;
		return;
	}
	do_drop(r, arg);
}

static void ambient_then_drop(struct report *r, const void *arg)
{
	/* an inheritable and ambient cap_net_bind_service first */
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_NET_BIND_SERVICE;
	if (!c || cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET) != 0 || cap_set_proc(c) != 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0) != 0) {
		r->rc = -999;
		return;
	}
	cap_free(c);
	struct capsets before;
	caps_read(&before);
	if (before.amb != BIT(CAP_NET_BIND_SERVICE) || before.inh != BIT(CAP_NET_BIND_SERVICE)) {
		r->rc = -998;
		return;
	}
	do_drop(r, arg);
}

static void setuid_then_drop(struct report *r, const void *arg)
{
	if (setuid(65534) != 0) {
		r->rc = -999;
		return;
	}
	do_drop(r, arg);
}

/* ---- the cases of a process: what a forked child gets ---- */

/* An expected value: not checked, a number, or drainit's own sets ANDed
 * (and with a mask): OWN(O_BND | O_PRM) is own.bnd & own.prm. */
enum { UNCHECKED = 0, EXACTLY = 1, O_EFF = 2, O_PRM = 4, O_BND = 8 };
struct want {
	unsigned how;
	uint64_t v;
};
#define ANY { UNCHECKED, 0 }
#define IS(x) { EXACTLY, (uint64_t)(x) }
#define OWN(sets) { (sets), CAPS_ALL }
#define OWN_BUT(sets, drop) { (sets), ~(uint64_t)(drop) }

/* The child runs fn(arg): a struct privs for caps_become, a uint64_t keep
 * for caps_drop_own; what it returned, its sets after (as the kernel tells
 * them), its ids and groups, no_new_privs, and the Cap lines an exec'd cat
 * shows must be these. */
struct proc_case {
	const char *what;
	child_fn fn;
	const void *arg;
	int rc;
	struct want eff, prm, inh, bnd, amb;
	struct want ruid, euid, rgid, egid;
	struct want ngroups, groups[3];
	struct want nnp;
	const char *exec[5]; /* needs /bin/cat */
};

#define PRIVS(...) (&(const struct privs){ __VA_ARGS__ })
#define KEEP(caps) (&(const uint64_t){ (caps) })
#define SETS_ARE(e, p, b) .eff = e, .prm = p, .bnd = b
#define NO_GROUPS_BUT(g) .ngroups = IS(1), .groups = { IS(g) }
#define THREE (NBS | BIT(CAP_NET_RAW) | BIT(CAP_CHOWN))
#define KILL_DAC_PCAP (KILL | BIT(CAP_DAC_OVERRIDE) | PCAP)

static const struct proc_case proc_cases[] = {
	/* caps_become */
	{ .what = "--caps net_bind_service as root", .fn = do_become, .arg = PRIVS(CAPS(NBS)),
	  SETS_ARE(IS(0x400), IS(0x400), IS(0x400)), .inh = IS(0),
	  .amb = IS(0), /* a root app gets them at exec from the bounding set */
	  .ruid = IS(0), .euid = IS(0), .nnp = IS(0) },
	{ .what = "--user 65534 --caps net_bind_service", .fn = do_become,
	  .arg = PRIVS(USER(65534, 65534, g65534), CAPS(NBS)),
	  .ruid = IS(65534), .euid = IS(65534), .rgid = IS(65534), .egid = IS(65534),
	  NO_GROUPS_BUT(65534),
	  .amb = IS(0x400), .inh = IS(0x400), SETS_ARE(IS(0x400), IS(0x400), IS(0x400)) },
	{ .what = "--user 1000:100, groups 65534,100,5, three --caps, --no-new-privs", .fn = do_become,
	  .arg = PRIVS(.user = true, .uid = 1000, .gid = 100, .groups = (const gid_t[]){ 65534, 100, 5 },
		       .ngroups = 3, CAPS(THREE), .no_new_privs = true),
	  .euid = IS(1000), .egid = IS(100),
	  /* the kernel keeps the groups sorted */
	  .ngroups = IS(3), .groups = { IS(5), IS(100), IS(65534) },
	  .amb = IS(THREE), SETS_ARE(IS(THREE), IS(THREE), IS(THREE)), .inh = IS(THREE), .nnp = IS(1) },
	/* a user that is not root, no --caps: no capabilities at all; the
	 * bounding set is left alone */
	{ .what = "--user 65534 alone", .fn = do_become, .arg = PRIVS(USER(65534, 65534, g65534)),
	  .euid = IS(65534), .ruid = IS(65534), .egid = IS(65534),
	  SETS_ARE(IS(0), IS(0), OWN(O_BND)), .amb = IS(0), .nnp = IS(0) },
	/* user root with other groups: the groups change, the sets do not */
	{ .what = "--user 0:5, groups 5,6,7", .fn = do_become,
	  .arg = PRIVS(.user = true, .uid = 0, .gid = 5, .groups = (const gid_t[]){ 5, 6, 7 },
		       .ngroups = 3),
	  .euid = IS(0), .rgid = IS(5), .egid = IS(5), .ngroups = IS(3), .groups = { IS(5), ANY, IS(7) },
	  SETS_ARE(OWN(O_EFF), OWN(O_PRM), OWN(O_BND)) },
	/* --caps none as root: empty sets, empty bounding set */
	{ .what = "--caps none as root", .fn = do_become, .arg = PRIVS(CAPS(0)),
	  SETS_ARE(IS(0), IS(0), IS(0)), .amb = IS(0), .euid = IS(0) },
	/* nothing asked: nothing changes */
	{ .what = "nothing asked", .fn = do_become, .arg = PRIVS(0),
	  SETS_ARE(OWN(O_EFF), OWN(O_PRM), OWN(O_BND)), .euid = IS(0), .nnp = IS(0) },
	{ .what = "--no-new-privs alone", .fn = do_become, .arg = PRIVS(.no_new_privs = true),
	  .nnp = IS(1), .eff = OWN(O_EFF), .bnd = OWN(O_BND) },
	/* failing: the errno of the step that failed */
	{ .what = "--caps net_bind_service without cap_setpcap", .fn = drop_then_become,
	  .arg = PRIVS(CAPS(NBS)), .rc = EPERM }, /* the bounding set cannot shrink */
	{ .what = "--user 0 from uid 65534", .fn = setuid_then_become,
	  .arg = PRIVS(.user = true, .uid = 0, .gid = 0, .groups = (const gid_t[]){ 0 }, .ngroups = 1),
	  .rc = EPERM, .euid = IS(65534) }, /* no way back to root */
	{ .what = "--caps sys_admin from uid 65534", .fn = setuid_then_become,
	  .arg = PRIVS(CAPS(BIT(CAP_SYS_ADMIN))), /* a set beyond the permitted one */
	  .rc = EPERM, .eff = IS(0) },
	/* what the exec'd program gets: a user with ambient capabilities, and
	 * root with its bounding set */
	{ .what = "--user 65534 --caps net_bind_service, exec", .fn = do_become_exec,
	  .arg = PRIVS(USER(65534, 65534, g65534), CAPS(NBS)),
	  .exec = { "CapEff:\t0000000000000400\n", "CapPrm:\t0000000000000400\n",
		    "CapAmb:\t0000000000000400\n", "CapBnd:\t0000000000000400\n" } },
	{ .what = "--caps net_bind_service,kill as root, exec", .fn = do_become_exec,
	  .arg = PRIVS(CAPS(NBS | KILL)),
	  .exec = { "CapEff:\t0000000000000420\n", "CapPrm:\t0000000000000420\n",
		    "CapBnd:\t0000000000000420\n" } },
	/* a user without --caps has none after exec either */
	{ .what = "--user 65534 alone, exec", .fn = do_become_exec,
	  .arg = PRIVS(USER(65534, 65534, g65534)),
	  .exec = { "CapEff:\t0000000000000000\n", "CapPrm:\t0000000000000000\n" } },

	/* caps_drop_own */
	{ .what = "drop all but kill", .fn = do_drop, .arg = KEEP(KILL),
	  SETS_ARE(IS(0x20), IS(0x20), IS(0x20)), .inh = IS(0), .amb = IS(0), .euid = IS(0) },
	/* drainit's drop when it will exec nothing: no_new_privs, bounding
	 * set left; root's exec would take the whole bounding set, and
	 * no_new_privs holds it to the permitted set */
	{ .what = "drop all but kill, no exec later", .fn = do_drop_nnp_exec, .arg = KEEP(KILL),
	  .nnp = IS(1), SETS_ARE(IS(0x20), IS(0x20), OWN(O_BND)), .inh = IS(0), .amb = IS(0),
	  .exec = { "CapPrm:\t0000000000000020\n", "CapEff:\t0000000000000020\n" } },
	{ .what = "drop all but kill, dac_override, setpcap", .fn = do_drop,
	  .arg = KEEP(KILL_DAC_PCAP),
	  SETS_ARE(IS(KILL_DAC_PCAP), IS(KILL_DAC_PCAP), IS(KILL_DAC_PCAP)) },
	/* nothing at all */
	{ .what = "drop all", .fn = do_drop, .arg = KEEP(0), SETS_ARE(IS(0), IS(0), IS(0)) },
	/* what drainit never had is not gained: keep is cut to the permitted set */
	{ .what = "drop all but kill and 63", .fn = do_drop, .arg = KEEP(KILL | BIT(63)),
	  SETS_ARE(IS(0x20), IS(0x20), IS(0x20)) },
	/* keeping everything changes nothing */
	{ .what = "keep everything", .fn = do_drop, .arg = KEEP(CAPS_ALL),
	  SETS_ARE(OWN(O_PRM), OWN(O_PRM), OWN(O_BND | O_PRM)) },
	/* the bounding set cannot shrink without cap_setpcap: it is left as it
	 * is, and the rest is still dropped */
	{ .what = "drop all but kill, without cap_setpcap", .fn = no_setpcap_then_drop,
	  .arg = KEEP(KILL),
	  SETS_ARE(IS(0x20), IS(0x20), OWN_BUT(O_BND | O_PRM, PCAP)) },
	{ .what = "drop all but kill and net_bind_service, ambient before", .fn = ambient_then_drop,
	  .arg = KEEP(KILL | NBS), .amb = IS(0), .inh = IS(0), .eff = IS(KILL | NBS),
	  .prm = IS(KILL | NBS) },
	/* a process without capabilities drops nothing, and that is fine */
	{ .what = "drop all but kill as uid 65534", .fn = setuid_then_drop, .arg = KEEP(KILL),
	  SETS_ARE(IS(0), IS(0), OWN(O_BND)) },
};

static void assert_want(int i, const char *what, const char *field, const struct want *w,
			uint64_t got, const struct capsets *own)
{
	uint64_t want = w->v;
	if (w->how == UNCHECKED)
		return;
	if (w->how & O_EFF)
		want &= own->eff;
	if (w->how & O_PRM)
		want &= own->prm;
	if (w->how & O_BND)
		want &= own->bnd;
	ck_assert_msg(got == want, "case %d (%s): %s is %#llx, want %#llx", i, what, field,
		      (unsigned long long)got, (unsigned long long)want);
}

START_TEST(test_process_cases)
{
	const struct proc_case *c = &proc_cases[_i];
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	if (c->exec[0] && !have_cat())
		return;
	in_child(c->fn, c->arg, &r);
	ck_assert_msg(r.rc == c->rc, "case %d (%s): returned %d, want %d", _i, c->what, r.rc, c->rc);
	assert_want(_i, c->what, "CapEff", &c->eff, r.status.eff, &own);
	assert_want(_i, c->what, "CapPrm", &c->prm, r.status.prm, &own);
	assert_want(_i, c->what, "CapInh", &c->inh, r.status.inh, &own);
	assert_want(_i, c->what, "CapBnd", &c->bnd, r.status.bnd, &own);
	assert_want(_i, c->what, "CapAmb", &c->amb, r.status.amb, &own);
	assert_want(_i, c->what, "ruid", &c->ruid, r.ruid, &own);
	assert_want(_i, c->what, "euid", &c->euid, r.euid, &own);
	assert_want(_i, c->what, "rgid", &c->rgid, r.rgid, &own);
	assert_want(_i, c->what, "egid", &c->egid, r.egid, &own);
	assert_want(_i, c->what, "ngroups", &c->ngroups, (uint64_t)r.ngroups, &own);
	for (int g = 0; g < 3; g++)
		assert_want(_i, c->what, "a group", &c->groups[g], r.groups[g], &own);
	assert_want(_i, c->what, "no_new_privs", &c->nnp, (uint64_t)r.nnp, &own);
	for (int e = 0; c->exec[e]; e++)
		ck_assert_msg(strstr(r.exec_status, c->exec[e]) != NULL, "case %d (%s): no %s in %s", _i,
			      c->what, c->exec[e], r.exec_status);
}
END_TEST

Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_every_name);
	tcase_add_test(tc, test_parse_error_buffer);
	tcase_add_loop_test(tc, test_parse_cases, 0, sizeof parse_cases / sizeof parse_cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_parses_back);
	tcase_add_test(tc, test_format_all_bits);
	tcase_add_test(tc, test_format_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_loop_test(tc, test_missing_cases, 0, sizeof missing_cases / sizeof missing_cases[0]);
	tcase_add_test(tc, test_missing_buffer);
	tcase_add_loop_test(tc, test_keep_cases, 0, sizeof keep_cases / sizeof keep_cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_add_test(tc, test_read);
	tcase_add_loop_test(tc, test_process_cases, 0, sizeof proc_cases / sizeof proc_cases[0]);
	tcase_add_test(tc, test_become_bounding_already_the_set);
	suite_add_tcase(s, tc);
	return s;
}
