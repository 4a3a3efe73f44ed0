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

#define assert_parse_fails(list, text) do { \
		uint64_t out_ = 0; \
		strcpy(err, ""); \
		ck_assert_msg(caps_parse((list), CAPS_ALL, CAPS_ALL, &out_, err, sizeof err) == -1, \
			      "'%s' parsed, as %#llx", (list), (unsigned long long)out_); \
		ck_assert_str_eq(err, (text)); \
	} while (0)

START_TEST(test_parse_none)
{
	assert_parse("none", CAPS_ALL, 0);
	assert_parse("NONE", CAPS_ALL, 0);
	assert_parse("None", BIT(CAP_KILL), 0);
	assert_parse("none", 0, 0);
}
END_TEST

START_TEST(test_parse_all)
{
	/* all is the base: what the app would get anyway */
	assert_parse("all", CAPS_ALL, CAPS_ALL);
	assert_parse("ALL", BIT(CAP_CHOWN) | BIT(CAP_KILL), BIT(CAP_CHOWN) | BIT(CAP_KILL));
	assert_parse("All", 0, 0);
	assert_parse("all", KNOWN, KNOWN);
}
END_TEST

START_TEST(test_parse_names)
{
	/* exactly these, whatever the base */
	assert_parse("net_bind_service", CAPS_ALL, BIT(CAP_NET_BIND_SERVICE));
	assert_parse("net_bind_service", 0, BIT(CAP_NET_BIND_SERVICE));
	assert_parse("CAP_NET_RAW,chown", CAPS_ALL, BIT(CAP_NET_RAW) | BIT(CAP_CHOWN));
	assert_parse("chown,CAP_NET_RAW", 0, BIT(CAP_NET_RAW) | BIT(CAP_CHOWN));
	/* the prefix optional, any case */
	assert_parse("cap_net_raw", 0, BIT(CAP_NET_RAW));
	assert_parse("Cap_Net_Raw", 0, BIT(CAP_NET_RAW));
	assert_parse("NET_RAW", 0, BIT(CAP_NET_RAW));
	assert_parse("nEt_RaW", 0, BIT(CAP_NET_RAW));
	assert_parse("CAP_chown", 0, BIT(CAP_CHOWN));
	/* a name twice is once */
	assert_parse("chown,chown,cap_chown", 0, BIT(CAP_CHOWN));
	assert_parse("sys_admin,kill,setuid,setgid", CAPS_ALL,
		     BIT(CAP_SYS_ADMIN) | BIT(CAP_KILL) | BIT(CAP_SETUID) | BIT(CAP_SETGID));
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

START_TEST(test_parse_changes)
{
	const uint64_t base = BIT(CAP_CHOWN) | BIT(CAP_KILL);
	assert_parse("+net_raw", base, base | BIT(CAP_NET_RAW));
	assert_parse("-chown", base, BIT(CAP_KILL));
	assert_parse("+net_raw,-chown", base, BIT(CAP_KILL) | BIT(CAP_NET_RAW));
	assert_parse("-chown,+net_raw", base, BIT(CAP_KILL) | BIT(CAP_NET_RAW));
	assert_parse("+CAP_NET_RAW,-Cap_Chown", base, BIT(CAP_KILL) | BIT(CAP_NET_RAW));
	/* taking what is not there, adding what is */
	assert_parse("-net_raw", base, base);
	assert_parse("+chown", base, base);
	/* from nothing (a user that is not root) and from everything */
	assert_parse("+net_bind_service", 0, BIT(CAP_NET_BIND_SERVICE));
	assert_parse("-chown", 0, 0);
	assert_parse("-sys_admin,-net_raw", CAPS_ALL, CAPS_ALL & ~BIT(CAP_SYS_ADMIN) & ~BIT(CAP_NET_RAW));
	/* (base | adds) & ~drops: a drop wins over an add, in either order */
	assert_parse("+net_raw,-net_raw", 0, 0);
	assert_parse("-net_raw,+net_raw", 0, 0);
	assert_parse("+chown,-chown", base, BIT(CAP_KILL));
	/* the same change twice */
	assert_parse("+net_raw,+net_raw", 0, BIT(CAP_NET_RAW));
	assert_parse("-kill,-kill", base, BIT(CAP_CHOWN));
}
END_TEST

START_TEST(test_parse_mixed)
{
	static const char tail[] = ": give either names (exactly these) or only +NAME/-NAME "
				   "(changes to the default set), not both";
	char want[256];
	static const char *const mixed[] = {
		"net_raw,+chown", "+chown,net_raw", "-chown,net_raw", "net_raw,-chown",
		"+chown,-kill,net_raw", "kill,chown,+net_raw",
	};
	for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++) {
		snprintf(want, sizeof want, "'%s'%s", mixed[i], tail);
		assert_parse_fails(mixed[i], want);
	}
}
END_TEST

START_TEST(test_parse_empty_items)
{
	assert_parse_fails("", "unknown capability ''");
	assert_parse_fails(",", "unknown capability ''");
	assert_parse_fails("net_raw,", "unknown capability ''");
	assert_parse_fails(",net_raw", "unknown capability ''");
	assert_parse_fails("net_raw,,chown", "unknown capability ''");
	assert_parse_fails("+", "unknown capability '+'");
	assert_parse_fails("-", "unknown capability '-'");
	assert_parse_fails("+net_raw,-", "unknown capability '-'");
	assert_parse_fails("+net_raw,", "unknown capability ''");
}
END_TEST

START_TEST(test_parse_unknown)
{
	assert_parse_fails("bogus", "unknown capability 'bogus'");
	assert_parse_fails("net_raw,bogus", "unknown capability 'bogus'");
	assert_parse_fails("+bogus", "unknown capability '+bogus'");
	assert_parse_fails("-bogus", "unknown capability '-bogus'");
	assert_parse_fails("cap_", "unknown capability 'cap_'");
	assert_parse_fails("CAP_", "unknown capability 'CAP_'");
	assert_parse_fails("cap", "unknown capability 'cap'");
	assert_parse_fails("cap_cap_chown", "unknown capability 'cap_cap_chown'");
	assert_parse_fails("cap_net", "unknown capability 'cap_net'");    /* a prefix of a name */
	assert_parse_fails("net", "unknown capability 'net'");
	assert_parse_fails("chow", "unknown capability 'chow'");
	assert_parse_fails("chownx", "unknown capability 'chownx'");
	assert_parse_fails("++chown", "unknown capability '++chown'");
	assert_parse_fails("+-chown", "unknown capability '+-chown'");
	/* none and all are whole values, not names in a list */
	assert_parse_fails("all,chown", "unknown capability 'all'");
	assert_parse_fails("none,chown", "unknown capability 'none'");
	assert_parse_fails("+all", "unknown capability '+all'");
	assert_parse_fails("-none", "unknown capability '-none'");
	assert_parse_fails("cap_all", "unknown capability 'cap_all'");
	/* the first bad item is named, before a mix is noticed */
	assert_parse_fails("chown,+bogus", "unknown capability '+bogus'");
	/* too long to be a name */
	assert_parse_fails("net_bind_service_net_bind_service_net_bind_service",
			   "unknown capability 'net_bind_service_net_bind_service_net_bind_service'");
}
END_TEST

START_TEST(test_parse_numbers)
{
	/* numbers are not names */
	assert_parse_fails("7", "unknown capability '7'");
	assert_parse_fails("0", "unknown capability '0'");
	assert_parse_fails("+7", "unknown capability '+7'");
	assert_parse_fails("-0", "unknown capability '-0'");
	assert_parse_fails("cap_7", "unknown capability 'cap_7'");
	assert_parse_fails("0x7", "unknown capability '0x7'");
	assert_parse_fails("chown,21", "unknown capability '21'");
	assert_parse_fails("63", "unknown capability '63'");
}
END_TEST

START_TEST(test_parse_whitespace)
{
	/* no spaces around names */
	assert_parse_fails(" chown", "unknown capability ' chown'");
	assert_parse_fails("net_raw, chown", "unknown capability ' chown'");
	assert_parse_fails("+ net_raw", "unknown capability '+ net_raw'");
}
END_TEST

START_TEST(test_parse_trailing_junk)
{
	/* A name is the whole item: a name followed by anything but a comma
	 * is unknown. (libcap's cap_from_name stops at the first character
	 * that is not a letter or '_' and ignores the rest.) */
	assert_parse_fails("chown2", "unknown capability 'chown2'");
	assert_parse_fails("net_raw!", "unknown capability 'net_raw!'");
	assert_parse_fails("net_bind_service:80", "unknown capability 'net_bind_service:80'");
	assert_parse_fails("chown ", "unknown capability 'chown '");
	assert_parse_fails("net_raw;chown", "unknown capability 'net_raw;chown'");
	assert_parse_fails("+net_raw1", "unknown capability '+net_raw1'");
	assert_parse_fails("cap_sys_admin=ep", "unknown capability 'cap_sys_admin=ep'");
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

static struct capsets own_all(void)
{
	return (struct capsets){ .eff = KNOWN, .prm = KNOWN, .bnd = KNOWN };
}

static const char *missing_of(const struct privs *p, const struct capsets *own, uid_t euid,
			      bool *lacks)
{
	static char buf[512];
	memset(buf, 'X', sizeof buf);
	buf[sizeof buf - 1] = '\0';
	*lacks = caps_missing(p, own, euid, buf, sizeof buf);
	return buf;
}

#define assert_missing(p, own, euid, want) do { \
		bool lacks_; \
		const char *m_ = missing_of((p), (own), (euid), &lacks_); \
		ck_assert_str_eq(m_, (want)); \
		ck_assert_msg(lacks_ == (strcmp((want), "none") != 0), "returned %d for %s", \
			      (int)lacks_, (want)); \
	} while (0)

START_TEST(test_missing_nothing_asked)
{
	struct privs p = { 0 };
	struct capsets none = { 0 };
	struct capsets all = own_all();
	assert_missing(&p, &all, 0, "none");
	assert_missing(&p, &none, 1000, "none");
	/* no_new_privs needs no capability */
	p.no_new_privs = true;
	assert_missing(&p, &none, 1000, "none");
	/* fields of a part not asked for are ignored */
	p = (struct privs){ .uid = 5, .set = BIT(CAP_SYS_ADMIN) };
	assert_missing(&p, &none, 1000, "none");
}
END_TEST

START_TEST(test_missing_user)
{
	gid_t g[] = { 1000 };
	struct privs p = { .user = true, .uid = 1000, .gid = 1000, .groups = g, .ngroups = 1 };
	struct capsets all = own_all(), none = { 0 }, c;

	assert_missing(&p, &all, 0, "none");
	/* another uid needs cap_setuid; groups always need cap_setgid */
	assert_missing(&p, &none, 0, "cap_setgid,cap_setuid");
	assert_missing(&p, &none, 2000, "cap_setgid,cap_setuid");
	/* the same uid: setgroups still needs cap_setgid */
	assert_missing(&p, &none, 1000, "cap_setgid");
	c = (struct capsets){ .eff = BIT(CAP_SETGID), .prm = BIT(CAP_SETGID), .bnd = KNOWN };
	assert_missing(&p, &c, 1000, "none");
	assert_missing(&p, &c, 0, "cap_setuid");
	/* effective and permitted both */
	c = (struct capsets){ .eff = BIT(CAP_SETGID) | BIT(CAP_SETUID), .prm = BIT(CAP_SETGID),
			      .bnd = KNOWN };
	assert_missing(&p, &c, 0, "cap_setuid");
	c = (struct capsets){ .eff = BIT(CAP_SETGID), .prm = BIT(CAP_SETGID) | BIT(CAP_SETUID),
			      .bnd = KNOWN };
	assert_missing(&p, &c, 0, "cap_setuid");
	/* the bounding set does not matter to --user alone */
	c = (struct capsets){ .eff = BIT(CAP_SETGID) | BIT(CAP_SETUID),
			      .prm = BIT(CAP_SETGID) | BIT(CAP_SETUID) };
	assert_missing(&p, &c, 0, "none");
	/* user root from root */
	p.uid = 0;
	c = (struct capsets){ .eff = BIT(CAP_SETGID), .prm = BIT(CAP_SETGID), .bnd = KNOWN };
	assert_missing(&p, &c, 0, "none");
	assert_missing(&p, &all, 0, "none");
	/* user root from another user */
	assert_missing(&p, &c, 1000, "cap_setuid");
}
END_TEST

START_TEST(test_missing_caps)
{
	struct privs p = { .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	struct capsets all = own_all(), c;

	assert_missing(&p, &all, 0, "none");
	/* the bounding set shrinks: cap_setpcap */
	c = all;
	c.eff &= ~BIT(CAP_SETPCAP);
	assert_missing(&p, &c, 0, "cap_setpcap");
	c = all;
	c.prm &= ~BIT(CAP_SETPCAP);
	assert_missing(&p, &c, 0, "cap_setpcap");
	/* the bounding set already is the set: no cap_setpcap needed */
	c = (struct capsets){ .eff = BIT(CAP_NET_BIND_SERVICE), .prm = BIT(CAP_NET_BIND_SERVICE),
			      .bnd = BIT(CAP_NET_BIND_SERVICE) };
	assert_missing(&p, &c, 0, "none");
	assert_missing(&p, &c, 1000, "none");
	/* the set itself, effective and permitted */
	c = all;
	c.eff &= ~BIT(CAP_NET_BIND_SERVICE);
	assert_missing(&p, &c, 0, "cap_net_bind_service");
	c = all;
	c.prm &= ~BIT(CAP_NET_BIND_SERVICE);
	assert_missing(&p, &c, 0, "cap_net_bind_service");
	/* outside the bounding set, nothing can grant it */
	c = all;
	c.bnd &= ~BIT(CAP_NET_BIND_SERVICE);
	assert_missing(&p, &c, 0, "cap_net_bind_service");
	/* several, in the order of the numbers */
	p.set = BIT(CAP_NET_RAW) | BIT(CAP_CHOWN) | BIT(CAP_KILL);
	c = (struct capsets){ .eff = BIT(CAP_KILL), .prm = BIT(CAP_KILL), .bnd = KNOWN };
	assert_missing(&p, &c, 0, "cap_chown,cap_setpcap,cap_net_raw");
	/* --caps none: only the bounding set to empty */
	p.set = 0;
	assert_missing(&p, &all, 0, "none");
	c = (struct capsets){ .bnd = KNOWN };
	assert_missing(&p, &c, 1000, "cap_setpcap");
	c = (struct capsets){ 0 };
	assert_missing(&p, &c, 1000, "none");
}
END_TEST

START_TEST(test_missing_user_and_caps)
{
	gid_t g[] = { 65534 };
	struct privs p = { .user = true, .uid = 65534, .gid = 65534, .groups = g, .ngroups = 1,
			   .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	struct capsets all = own_all(), none = { .bnd = KNOWN }, c;

	assert_missing(&p, &all, 0, "none");
	assert_missing(&p, &none, 0, "cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service");
	/* a set that holds what the switch needs is no help without them */
	p.set = BIT(CAP_SETUID) | BIT(CAP_SETGID);
	c = (struct capsets){ .eff = BIT(CAP_SETUID), .prm = BIT(CAP_SETUID),
			      .bnd = BIT(CAP_SETUID) | BIT(CAP_SETGID) };
	assert_missing(&p, &c, 0, "cap_setgid");
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

START_TEST(test_keep)
{
	gid_t g[] = { 1 };
	const uint64_t kill = BIT(CAP_KILL), dac = BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH);
	const uint64_t nbs = BIT(CAP_NET_BIND_SERVICE), pcap = BIT(CAP_SETPCAP);
	const uint64_t ids = BIT(CAP_SETUID) | BIT(CAP_SETGID);
	struct privs none = { 0 };
	struct privs user = { .user = true, .uid = 1, .gid = 1, .groups = g, .ngroups = 1 };
	struct privs caps = { .caps = true, .set = nbs };
	struct privs both = { .user = true, .uid = 1, .gid = 1, .groups = g, .ngroups = 1,
			      .caps = true, .set = nbs };
	struct privs caps_none = { .caps = true, .set = 0 };
	struct privs nnp = { .no_new_privs = true };

	/* no exec checks: CAP_KILL, and CAP_DAC_OVERRIDE (with searching) when the folder needs it */
	ck_assert_uint_eq(caps_keep(&none, false, false, false), kill);
	ck_assert_uint_eq(caps_keep(&none, false, false, true), kill | dac);
	ck_assert_uint_eq(caps_keep(&user, false, false, false), kill);
	ck_assert_uint_eq(caps_keep(&caps, false, false, false), kill);
	ck_assert_uint_eq(caps_keep(&both, false, false, true), kill | dac);
	ck_assert_uint_eq(caps_keep(&nnp, false, false, false), kill);
	/* exec checks without --caps: everything, the check runs as drainit would */
	ck_assert_uint_eq(caps_keep(&none, true, false, false), CAPS_ALL);
	ck_assert_uint_eq(caps_keep(&none, true, false, true), CAPS_ALL);
	ck_assert_uint_eq(caps_keep(&user, true, false, false), CAPS_ALL);
	ck_assert_uint_eq(caps_keep(&nnp, true, false, false), CAPS_ALL);
	/* exec checks with --caps: the set and what it takes to give it */
	ck_assert_uint_eq(caps_keep(&caps, true, false, false), kill | nbs | pcap);
	ck_assert_uint_eq(caps_keep(&caps, true, false, true), kill | dac | nbs | pcap);
	ck_assert_uint_eq(caps_keep(&both, true, false, false), kill | nbs | pcap | ids);
	ck_assert_uint_eq(caps_keep(&both, true, false, true), kill | dac | nbs | pcap | ids);
	ck_assert_uint_eq(caps_keep(&caps_none, true, false, false), kill | pcap);
	/* a user that is root is still a switch of groups */
	both.uid = 0;
	ck_assert_uint_eq(caps_keep(&both, true, false, false), kill | nbs | pcap | ids);
	/* a file: condition searches the app's folders */
	const uint64_t search = BIT(CAP_DAC_READ_SEARCH);
	ck_assert_uint_eq(caps_keep(&none, false, true, false), kill | search);
	ck_assert_uint_eq(caps_keep(&both, false, true, false), kill | search);
	ck_assert_uint_eq(caps_keep(&none, false, true, true), kill | dac);
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

START_TEST(test_become_caps_as_root)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	struct privs p = { .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.bnd, 0x400);
	ck_assert_uint_eq(r.status.eff, 0x400);
	ck_assert_uint_eq(r.status.prm, 0x400);
	ck_assert_uint_eq(r.status.inh, 0);
	ck_assert_uint_eq(r.status.amb, 0); /* a root app gets them at exec from the bounding set */
	ck_assert_uint_eq(r.ruid, 0);
	ck_assert_uint_eq(r.euid, 0);
	ck_assert_int_eq(r.nnp, 0);
}
END_TEST

START_TEST(test_become_caps_as_user)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	gid_t g[] = { 65534 };
	struct privs p = { .user = true, .uid = 65534, .gid = 65534, .groups = g, .ngroups = 1,
			   .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.ruid, 65534);
	ck_assert_uint_eq(r.euid, 65534);
	ck_assert_uint_eq(r.rgid, 65534);
	ck_assert_uint_eq(r.egid, 65534);
	ck_assert_int_eq(r.ngroups, 1);
	ck_assert_uint_eq(r.groups[0], 65534);
	ck_assert_uint_eq(r.status.amb, 0x400);
	ck_assert_uint_eq(r.status.inh, 0x400);
	ck_assert_uint_eq(r.status.eff, 0x400);
	ck_assert_uint_eq(r.status.prm, 0x400);
	ck_assert_uint_eq(r.status.bnd, 0x400);
}
END_TEST

START_TEST(test_become_several_caps_as_user)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	gid_t g[] = { 65534, 100, 5 };
	const uint64_t set = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW) | BIT(CAP_CHOWN);
	struct privs p = { .user = true, .uid = 1000, .gid = 100, .groups = g, .ngroups = 3,
			   .caps = true, .set = set, .no_new_privs = true };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.euid, 1000);
	ck_assert_uint_eq(r.egid, 100);
	/* the kernel keeps the groups sorted */
	ck_assert_int_eq(r.ngroups, 3);
	ck_assert_uint_eq(r.groups[0], 5);
	ck_assert_uint_eq(r.groups[1], 100);
	ck_assert_uint_eq(r.groups[2], 65534);
	ck_assert_uint_eq(r.status.amb, set);
	ck_assert_uint_eq(r.status.eff, set);
	ck_assert_uint_eq(r.status.prm, set);
	ck_assert_uint_eq(r.status.inh, set);
	ck_assert_uint_eq(r.status.bnd, set);
	ck_assert_int_eq(r.nnp, 1);
}
END_TEST

START_TEST(test_become_user_only)
{
	/* a user that is not root, no --caps: no capabilities at all; the
	 * bounding set is left alone */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	gid_t g[] = { 65534 };
	struct privs p = { .user = true, .uid = 65534, .gid = 65534, .groups = g, .ngroups = 1 };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.euid, 65534);
	ck_assert_uint_eq(r.ruid, 65534);
	ck_assert_uint_eq(r.egid, 65534);
	ck_assert_uint_eq(r.status.eff, 0);
	ck_assert_uint_eq(r.status.prm, 0);
	ck_assert_uint_eq(r.status.amb, 0);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
	ck_assert_int_eq(r.nnp, 0);
}
END_TEST

START_TEST(test_become_root_groups)
{
	/* user root with other groups: the groups change, the sets do not */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	gid_t g[] = { 5, 6, 7 };
	struct privs p = { .user = true, .uid = 0, .gid = 5, .groups = g, .ngroups = 3 };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.euid, 0);
	ck_assert_uint_eq(r.rgid, 5);
	ck_assert_uint_eq(r.egid, 5);
	ck_assert_int_eq(r.ngroups, 3);
	ck_assert_uint_eq(r.groups[0], 5);
	ck_assert_uint_eq(r.groups[2], 7);
	ck_assert_uint_eq(r.status.eff, own.eff);
	ck_assert_uint_eq(r.status.prm, own.prm);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
}
END_TEST

START_TEST(test_become_no_caps)
{
	/* --caps none as root: empty sets, empty bounding set */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	struct privs p = { .caps = true, .set = 0 };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0);
	ck_assert_uint_eq(r.status.prm, 0);
	ck_assert_uint_eq(r.status.bnd, 0);
	ck_assert_uint_eq(r.status.amb, 0);
	ck_assert_uint_eq(r.euid, 0);
}
END_TEST

START_TEST(test_become_nothing)
{
	/* nothing asked: nothing changes */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	struct privs p = { 0 };
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, own.eff);
	ck_assert_uint_eq(r.status.prm, own.prm);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
	ck_assert_uint_eq(r.euid, 0);
	ck_assert_int_eq(r.nnp, 0);
	/* no_new_privs alone */
	p.no_new_privs = true;
	in_child(do_become, &p, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.nnp, 1);
	ck_assert_uint_eq(r.status.eff, own.eff);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
}
END_TEST

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

START_TEST(test_become_fails)
{
	/* the errno of the step that failed */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	struct privs caps = { .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	in_child(drop_then_become, &caps, &r);
	ck_assert_int_eq(r.rc, EPERM); /* the bounding set cannot shrink */

	gid_t g[] = { 0 };
	struct privs root = { .user = true, .uid = 0, .gid = 0, .groups = g, .ngroups = 1 };
	in_child(setuid_then_become, &root, &r);
	ck_assert_int_eq(r.rc, EPERM); /* no way back to root */
	ck_assert_uint_eq(r.euid, 65534);

	/* a set beyond the permitted one */
	struct privs more = { .caps = true, .set = BIT(CAP_SYS_ADMIN) };
	in_child(setuid_then_become, &more, &r);
	ck_assert_int_eq(r.rc, EPERM);
	ck_assert_uint_eq(r.status.eff, 0);
}
END_TEST

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

START_TEST(test_become_then_exec)
{
	/* what the exec'd program gets: a user with ambient capabilities, and
	 * root with its bounding set */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	if (!have_cat())
		return;
	gid_t g[] = { 65534 };
	struct privs user = { .user = true, .uid = 65534, .gid = 65534, .groups = g, .ngroups = 1,
			      .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) };
	in_child(do_become_exec, &user, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_msg(strstr(r.exec_status, "CapEff:\t0000000000000400\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapPrm:\t0000000000000400\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapAmb:\t0000000000000400\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapBnd:\t0000000000000400\n") != NULL, "%s", r.exec_status);

	struct privs root = { .caps = true, .set = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_KILL) };
	in_child(do_become_exec, &root, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_msg(strstr(r.exec_status, "CapEff:\t0000000000000420\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapPrm:\t0000000000000420\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapBnd:\t0000000000000420\n") != NULL, "%s", r.exec_status);

	/* a user without --caps has none after exec either */
	struct privs plain = { .user = true, .uid = 65534, .gid = 65534, .groups = g, .ngroups = 1 };
	in_child(do_become_exec, &plain, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_msg(strstr(r.exec_status, "CapEff:\t0000000000000000\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapPrm:\t0000000000000000\n") != NULL, "%s", r.exec_status);
}
END_TEST

/* ---- caps_drop_own ---- */

static void do_drop(struct report *r, const void *arg)
{
	errno = 0;
	r->rc = caps_drop_own(*(const uint64_t *)arg, true);
	r->err = errno;
}

START_TEST(test_drop_own_kill)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL);
	in_child(do_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0x20);
	ck_assert_uint_eq(r.status.prm, 0x20);
	ck_assert_uint_eq(r.status.bnd, 0x20);
	ck_assert_uint_eq(r.status.inh, 0);
	ck_assert_uint_eq(r.status.amb, 0);
	ck_assert_uint_eq(r.euid, 0);
}
END_TEST

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

START_TEST(test_drop_own_no_exec_sets_no_new_privs)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	if (!have_cat())
		return;
	uint64_t keep = BIT(CAP_KILL);
	in_child(do_drop_nnp_exec, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(r.nnp, 1);
	ck_assert_uint_eq(r.status.eff, 0x20);
	ck_assert_uint_eq(r.status.prm, 0x20);
	ck_assert_uint_eq(r.status.inh, 0);
	ck_assert_uint_eq(r.status.amb, 0);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
	/* root's exec would take the whole bounding set; no_new_privs holds it
	 * to the permitted set */
	ck_assert_msg(strstr(r.exec_status, "CapPrm:\t0000000000000020\n") != NULL, "%s", r.exec_status);
	ck_assert_msg(strstr(r.exec_status, "CapEff:\t0000000000000020\n") != NULL, "%s", r.exec_status);
}
END_TEST

START_TEST(test_drop_own_several)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_SETPCAP);
	in_child(do_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, keep);
	ck_assert_uint_eq(r.status.prm, keep);
	ck_assert_uint_eq(r.status.bnd, keep);
	/* nothing at all */
	keep = 0;
	in_child(do_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0);
	ck_assert_uint_eq(r.status.prm, 0);
	ck_assert_uint_eq(r.status.bnd, 0);
}
END_TEST

START_TEST(test_drop_own_keeps_only_what_it_has)
{
	/* what drainit never had is not gained: keep is cut to the permitted set */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL) | BIT(63);
	in_child(do_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0x20);
	ck_assert_uint_eq(r.status.prm, 0x20);
	ck_assert_uint_eq(r.status.bnd, 0x20);
	/* keeping everything changes nothing */
	keep = CAPS_ALL;
	in_child(do_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, own.prm);
	ck_assert_uint_eq(r.status.prm, own.prm);
	ck_assert_uint_eq(r.status.bnd, own.bnd & own.prm);
}
END_TEST

static void no_setpcap_then_drop(struct report *r, const void *arg)
{
	/* first without cap_setpcap (which also leaves the bounding set) */
	if (caps_drop_own(CAPS_ALL & ~BIT(CAP_SETPCAP), true) != 0) {
		r->rc = -999;
		return;
	}
	do_drop(r, arg);
}

START_TEST(test_drop_own_without_setpcap)
{
	/* the bounding set cannot shrink without cap_setpcap: it is left as it
	 * is, and the rest is still dropped */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL);
	in_child(no_setpcap_then_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0x20);
	ck_assert_uint_eq(r.status.prm, 0x20);
	ck_assert_uint_eq(r.status.bnd, own.bnd & own.prm & ~BIT(CAP_SETPCAP));
}
END_TEST

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

START_TEST(test_drop_own_clears_ambient)
{
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	in_child(ambient_then_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.amb, 0);
	ck_assert_uint_eq(r.status.inh, 0);
	ck_assert_uint_eq(r.status.eff, keep);
	ck_assert_uint_eq(r.status.prm, keep);
}
END_TEST

static void setuid_then_drop(struct report *r, const void *arg)
{
	if (setuid(65534) != 0) {
		r->rc = -999;
		return;
	}
	do_drop(r, arg);
}

START_TEST(test_drop_own_with_nothing)
{
	/* a process without capabilities drops nothing, and that is fine */
	struct capsets own;
	struct report r;
	REQUIRE_ROOT(own);
	uint64_t keep = BIT(CAP_KILL);
	in_child(setuid_then_drop, &keep, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.status.eff, 0);
	ck_assert_uint_eq(r.status.prm, 0);
	ck_assert_uint_eq(r.status.bnd, own.bnd);
}
END_TEST

Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_none);
	tcase_add_test(tc, test_parse_all);
	tcase_add_test(tc, test_parse_names);
	tcase_add_test(tc, test_parse_every_name);
	tcase_add_test(tc, test_parse_changes);
	tcase_add_test(tc, test_parse_mixed);
	tcase_add_test(tc, test_parse_empty_items);
	tcase_add_test(tc, test_parse_unknown);
	tcase_add_test(tc, test_parse_numbers);
	tcase_add_test(tc, test_parse_whitespace);
	tcase_add_test(tc, test_parse_trailing_junk);
	tcase_add_test(tc, test_parse_error_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_parses_back);
	tcase_add_test(tc, test_format_all_bits);
	tcase_add_test(tc, test_format_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_test(tc, test_missing_nothing_asked);
	tcase_add_test(tc, test_missing_user);
	tcase_add_test(tc, test_missing_caps);
	tcase_add_test(tc, test_missing_user_and_caps);
	tcase_add_test(tc, test_missing_buffer);
	tcase_add_test(tc, test_keep);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_become_caps_as_root);
	tcase_add_test(tc, test_become_caps_as_user);
	tcase_add_test(tc, test_become_several_caps_as_user);
	tcase_add_test(tc, test_become_user_only);
	tcase_add_test(tc, test_become_root_groups);
	tcase_add_test(tc, test_become_no_caps);
	tcase_add_test(tc, test_become_nothing);
	tcase_add_test(tc, test_become_fails);
	tcase_add_test(tc, test_become_then_exec);
	tcase_add_test(tc, test_become_bounding_already_the_set);
	tcase_add_test(tc, test_drop_own_kill);
	tcase_add_test(tc, test_drop_own_no_exec_sets_no_new_privs);
	tcase_add_test(tc, test_drop_own_several);
	tcase_add_test(tc, test_drop_own_keeps_only_what_it_has);
	tcase_add_test(tc, test_drop_own_without_setpcap);
	tcase_add_test(tc, test_drop_own_clears_ambient);
	tcase_add_test(tc, test_drop_own_with_nothing);
	suite_add_tcase(s, tc);
	return s;
}
