#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inspect.h"
#include "suites.h"

#define BIT(sig) ((uint64_t)1 << ((sig) - 1))

/* ---- /proc/PID/status text ---- */

/* A real /proc/PID/status (Linux 6.x) with %s for Name and the three masks;
 * SigPnd and ShdPnd hold values of their own, so that a parser taking a
 * neighbour's line shows. */
static const char status_fmt[] =
	"Name:\t%s\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t5037\n"
	"Ngid:\t0\n"
	"Pid:\t5037\n"
	"PPid:\t5035\n"
	"TracerPid:\t0\n"
	"Uid:\t0\t0\t0\t0\n"
	"Gid:\t0\t0\t0\t0\n"
	"FDSize:\t256\n"
	"Groups:\t \n"
	"NStgid:\t5037\t3\n"
	"NSpid:\t5037\t3\n"
	"NSpgid:\t5035\t2\n"
	"NSsid:\t3845\t1\n"
	"Kthread:\t0\n"
	"VmPeak:\t    3060 kB\n"
	"VmSize:\t    3060 kB\n"
	"VmRSS:\t    1688 kB\n"
	"THP_enabled:\t1\n"
	"untag_mask:\t0xffffffffffffffff\n"
	"Threads:\t1\n"
	"SigQ:\t1/96365\n"
	"SigPnd:\t0000000000000100\n"
	"ShdPnd:\t0000000000000200\n"
	"SigBlk:\t%s\n"
	"SigIgn:\t%s\n"
	"SigCgt:\t%s\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t000001fffeffffff\n"
	"CapEff:\t000001fffeffffff\n"
	"CapBnd:\t000001fffeffffff\n"
	"CapAmb:\t0000000000000000\n"
	"NoNewPrivs:\t0\n"
	"Seccomp:\t0\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed:\t00000000,00000001\n"
	"Mems_allowed_list:\t0\n"
	"voluntary_ctxt_switches:\t0\n"
	"nonvoluntary_ctxt_switches:\t1\n";

static char text[4096];

static const char *status(const char *name, const char *blk, const char *ign, const char *cgt)
{
	snprintf(text, sizeof text, status_fmt, name, blk, ign, cgt);
	return text;
}

/* status text without the line starting with `key` */
static const char *without(const char *key)
{
	static char out[4096];
	const char *full = status("app", "0000000000000001", "0000000000000002", "0000000000000004");
	size_t n = 0, k = strlen(key);
	for (const char *p = full; *p;) {
		size_t len = strcspn(p, "\n") + 1;
		if (!(strncmp(p, key, k) == 0 && p[k] == ':')) {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	ck_assert_msg(strlen(out) < strlen(full), "no line %s in the template", key);
	return out;
}

START_TEST(test_parse_real_status)
{
	struct sigstate st;
	memset(&st, 0x5a, sizeof st);
	/* a python3 that blocks nothing, ignores SIGINT... as drainit's log
	 * would see it: SIGTERM (bit 14) caught, SIGPIPE (bit 12) ignored */
	ck_assert_int_eq(inspect_parse_status(status("python3", "0000000000000000", "0000000001001000",
						     "0000000180004002"), &st), 0);
	ck_assert_str_eq(st.name, "python3");
	ck_assert_uint_eq(st.blocked, 0);
	ck_assert_uint_eq(st.ignored, 0x1001000);
	ck_assert_uint_eq(st.caught, 0x180004002ULL);
	ck_assert(st.ignored & BIT(SIGPIPE));
	ck_assert(st.caught & BIT(SIGTERM));
	ck_assert(st.caught & BIT(SIGINT));
	ck_assert_uint_eq(st.threads, 1);

	/* drainit itself: everything blocked but KILL and STOP */
	ck_assert_int_eq(inspect_parse_status(status("drainit", "fffffffffffbfeff", "0000000000000000",
						     "0000000000000000"), &st), 0);
	ck_assert_str_eq(st.name, "drainit");
	ck_assert_uint_eq(st.blocked, 0xfffffffffffbfeffULL);
	ck_assert(!(st.blocked & BIT(SIGKILL)));
	ck_assert(!(st.blocked & BIT(SIGSTOP)));
	ck_assert(st.blocked & BIT(SIGTERM));
	ck_assert_uint_eq(st.ignored, 0);
	ck_assert_uint_eq(st.caught, 0);
}
END_TEST

START_TEST(test_parse_hex_masks)
{
	struct sigstate st;
	/* all 16 digits count: the top bit is signal 64 */
	ck_assert_int_eq(inspect_parse_status(status("a", "ffffffffffffffff", "8000000000000000",
						     "0000000000000001"), &st), 0);
	ck_assert_uint_eq(st.blocked, UINT64_MAX);
	ck_assert_uint_eq(st.ignored, BIT(64));
	ck_assert_uint_eq(st.caught, BIT(1));
	ck_assert_int_eq(inspect_parse_status(status("a", "0123456789abcdef", "fedcba9876543210",
						     "00000000ffffffff"), &st), 0);
	ck_assert_uint_eq(st.blocked, 0x0123456789abcdefULL);
	ck_assert_uint_eq(st.ignored, 0xfedcba9876543210ULL);
	ck_assert_uint_eq(st.caught, 0xffffffffULL);
	/* each field from its own line, not a neighbour's (SigPnd, ShdPnd) */
	ck_assert_int_eq(inspect_parse_status(status("a", "0000000000000000", "0000000000000000",
						     "0000000000000000"), &st), 0);
	ck_assert_uint_eq(st.blocked, 0);
	ck_assert_uint_eq(st.ignored, 0);
	ck_assert_uint_eq(st.caught, 0);
}
END_TEST

START_TEST(test_parse_name)
{
	struct sigstate st;
	const char *z = "0000000000000000";
	/* Name is the first line, and its value is the rest of the line */
	ck_assert_int_eq(inspect_parse_status(status("my app", z, z, z), &st), 0);
	ck_assert_str_eq(st.name, "my app");
	ck_assert_int_eq(inspect_parse_status(status("kworker/0:1", z, z, z), &st), 0);
	ck_assert_str_eq(st.name, "kworker/0:1");
	/* 15 bytes, the kernel's longest comm, and the escapes it writes */
	ck_assert_int_eq(inspect_parse_status(status("abcdefghijklmno", z, z, z), &st), 0);
	ck_assert_str_eq(st.name, "abcdefghijklmno");
	ck_assert_int_eq(inspect_parse_status(status("a\\nb\\\\c", z, z, z), &st), 0);
	ck_assert_str_eq(st.name, "a\\nb\\\\c");
	/* an empty name is still a name */
	ck_assert_int_eq(inspect_parse_status(status("", z, z, z), &st), 0);
	ck_assert_str_eq(st.name, "");
	/* longer than the buffer: cut, terminated */
	char longname[200];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ck_assert_int_eq(inspect_parse_status(status(longname, z, z, z), &st), 0);
	ck_assert_uint_eq(strlen(st.name), sizeof st.name - 1);
	ck_assert(strspn(st.name, "x") == sizeof st.name - 1);
}
END_TEST

START_TEST(test_parse_missing_fields)
{
	struct sigstate st;
	ck_assert_int_eq(inspect_parse_status(without("Name"), &st), -1);
	ck_assert_int_eq(inspect_parse_status(without("SigBlk"), &st), -1);
	ck_assert_int_eq(inspect_parse_status(without("SigIgn"), &st), -1);
	ck_assert_int_eq(inspect_parse_status(without("SigCgt"), &st), -1);
	/* the others are not needed */
	ck_assert_int_eq(inspect_parse_status(without("SigPnd"), &st), 0);
	ck_assert_int_eq(inspect_parse_status(without("Threads"), &st), 0);
	ck_assert_uint_eq(st.threads, 0); /* unknown: every thread is read */
	ck_assert_str_eq(st.name, "app");
	ck_assert_uint_eq(st.blocked, 1);
	ck_assert_uint_eq(st.ignored, 2);
	ck_assert_uint_eq(st.caught, 4);

	ck_assert_int_eq(inspect_parse_status("", &st), -1);
	ck_assert_int_eq(inspect_parse_status("Name:\tx\n", &st), -1);
	/* only the four lines needed */
	ck_assert_int_eq(inspect_parse_status("Name:\tx\nSigBlk:\t0000000000000010\n"
					      "SigIgn:\t0000000000000020\nSigCgt:\t0000000000000040\n", &st), 0);
	ck_assert_str_eq(st.name, "x");
	ck_assert_uint_eq(st.blocked, 0x10);
	ck_assert_uint_eq(st.ignored, 0x20);
	ck_assert_uint_eq(st.caught, 0x40);
	/* a key must start its line and end at the colon */
	ck_assert_int_eq(inspect_parse_status("Name:\tx\nXSigBlk:\t0000000000000010\n"
					      "SigIgn:\t0000000000000020\nSigCgt:\t0000000000000040\n", &st), -1);
	ck_assert_int_eq(inspect_parse_status("Name:\tx\nSigBlkX:\t0000000000000010\n"
					      "SigIgn:\t0000000000000020\nSigCgt:\t0000000000000040\n", &st), -1);
	/* a value that is not hex */
	ck_assert_int_eq(inspect_parse_status("Name:\tx\nSigBlk:\tzzzz\n"
					      "SigIgn:\t0000000000000020\nSigCgt:\t0000000000000040\n", &st), -1);
	/* Name must be a line of its own, not part of another key */
	ck_assert_int_eq(inspect_parse_status("XName:\tx\nSigBlk:\t0000000000000010\n"
					      "SigIgn:\t0000000000000020\nSigCgt:\t0000000000000040\n", &st), -1);
}
END_TEST

START_TEST(test_parse_syscall)
{
	long nr = 0;
	uint64_t a = 0;
	/* a thread in rt_sigtimedwait, as this kernel writes it */
	ck_assert_int_eq(inspect_parse_syscall("128 0x7ffe256a7ee0 0x7ffe256a7e10 0x4ab020 0x8 0x7 "
					       "0x3c246d0 0x7ffe256a7de0 0x40a2bf\n", &nr, &a), 0);
	ck_assert_int_eq(nr, 128);
	ck_assert_uint_eq(a, 0x7ffe256a7ee0ULL);
	ck_assert_int_eq(inspect_parse_syscall("7 0x0", &nr, &a), 0);
	ck_assert_int_eq(nr, 7);
	ck_assert_uint_eq(a, 0);
	/* blocked outside a system call: -1, then the stack and program counter */
	ck_assert_int_eq(inspect_parse_syscall("-1 0x7ffd1000 0x401000\n", &nr, &a), 0);
	ck_assert_int_eq(nr, -1);
	/* running, or not that text */
	ck_assert_int_eq(inspect_parse_syscall("running\n", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128\n", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 7ffe", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0x", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0xzz", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0x12g", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("x128 0x1", &nr, &a), -1);
	/* blanks and signs that strtol and strtoull would take */
	ck_assert_int_eq(inspect_parse_syscall(" 128 0x1", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("+128 0x1", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("- 1 0x1", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0x 1", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0x-1", &nr, &a), -1);
	ck_assert_int_eq(inspect_parse_syscall("128 0x+1", &nr, &a), -1);
}
END_TEST

/* ---- the verdict ---- */

static struct sigstate masks(uint64_t blk, uint64_t ign, uint64_t cgt)
{
	struct sigstate st;
	memset(&st, 0, sizeof st);
	st.blocked = blk;
	st.ignored = ign;
	st.caught = cgt;
	return st;
}

START_TEST(test_disp_each_case)
{
	struct sigstate st = masks(BIT(SIGHUP), BIT(SIGINT), BIT(SIGTERM));
	ck_assert_int_eq(inspect_disposition(&st, SIGHUP), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(&st, SIGINT), DISP_IGNORES);
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, SIGQUIT), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&st, SIGTSTP), DISP_STOPS);
	ck_assert_int_eq(inspect_disposition(&st, SIGWINCH), DISP_NOTHING);
}
END_TEST

START_TEST(test_disp_sigwait)
{
	/* blocked and waited for: taken by sigwait; blocked alone: pending */
	struct sigstate st = masks(BIT(SIGTERM) | BIT(SIGHUP), 0, 0);
	st.waited = BIT(SIGTERM) | BIT(SIGINT);
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_WAITS);
	ck_assert_int_eq(inspect_disposition(&st, SIGHUP), DISP_BLOCKS);
	/* waited for by one thread while another neither blocks nor waits:
	 * the mask says not blocked, and the default is what counts */
	ck_assert_int_eq(inspect_disposition(&st, SIGINT), DISP_DIES);
	/* a set that could not be read: unknown, unless the masks settle it */
	st = masks(BIT(SIGHUP), BIT(SIGINT), BIT(SIGUSR1));
	st.waits_unread = true;
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_UNKNOWN);
	ck_assert_int_eq(inspect_disposition(&st, SIGWINCH), DISP_UNKNOWN);
	ck_assert_int_eq(inspect_disposition(&st, SIGHUP), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(&st, SIGINT), DISP_IGNORES);
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, SIGKILL), DISP_DIES);
	/* a sleeping thread whose wait could not be read at all: a signal that
	 * would kill may yet be waited for; the masks and the other defaults
	 * still settle theirs */
	st = masks(BIT(SIGHUP), BIT(SIGINT), BIT(SIGUSR1));
	st.waits_maybe = true;
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_MAYBE);
	ck_assert_int_eq(inspect_disposition(&st, SIGHUP), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(&st, SIGINT), DISP_IGNORES);
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, SIGWINCH), DISP_NOTHING);
	ck_assert_int_eq(inspect_disposition(&st, SIGTSTP), DISP_STOPS);
	ck_assert_int_eq(inspect_disposition(&st, SIGKILL), DISP_DIES);
	char words[160];
	ck_assert_str_eq(inspect_words(DISP_MAYBE, SIGTERM, words, sizeof words),
			 "has no handler for SIGTERM: dies of it at once, unless a thread waits for it "
			 "in sigwait, which only ptrace access can tell");
}
END_TEST

START_TEST(test_disp_precedence)
{
	/* blocked beats ignored (the kernel queues a blocked signal, even an
	 * ignored one, since the handler may change before it is unblocked)
	 * beats caught */
	struct sigstate st = masks(BIT(SIGTERM), BIT(SIGTERM), BIT(SIGTERM));
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_BLOCKS);
	st = masks(BIT(SIGTERM), BIT(SIGTERM), 0);
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_BLOCKS);
	st = masks(BIT(SIGTERM), 0, BIT(SIGTERM));
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_BLOCKS);
	st = masks(0, BIT(SIGTERM), BIT(SIGTERM));
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_IGNORES);
	/* the same over a default-ignored and a default-stop signal */
	st = masks(BIT(SIGCHLD), BIT(SIGCHLD), BIT(SIGCHLD));
	ck_assert_int_eq(inspect_disposition(&st, SIGCHLD), DISP_BLOCKS);
	st = masks(0, BIT(SIGTSTP), BIT(SIGTSTP));
	ck_assert_int_eq(inspect_disposition(&st, SIGTSTP), DISP_IGNORES);
	st = masks(0, 0, BIT(SIGTSTP) | BIT(SIGWINCH));
	ck_assert_int_eq(inspect_disposition(&st, SIGTSTP), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, SIGWINCH), DISP_CATCHES);
}
END_TEST

START_TEST(test_disp_kill_and_stop)
{
	/* no process can catch, ignore or block them, whatever the masks say */
	struct sigstate all = masks(UINT64_MAX, UINT64_MAX, UINT64_MAX);
	struct sigstate none = masks(0, 0, 0);
	ck_assert_int_eq(inspect_disposition(&all, SIGKILL), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&none, SIGKILL), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&all, SIGSTOP), DISP_STOPS);
	ck_assert_int_eq(inspect_disposition(&none, SIGSTOP), DISP_STOPS);
	struct sigstate one = masks(0, BIT(SIGKILL), BIT(SIGSTOP));
	ck_assert_int_eq(inspect_disposition(&one, SIGKILL), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&one, SIGSTOP), DISP_STOPS);
}
END_TEST

/* The default action of every signal 1-64 with empty masks. */
START_TEST(test_disp_defaults)
{
	struct sigstate none = masks(0, 0, 0);
	for (int sig = 1; sig <= 64; sig++) {
		enum disposition want;
		switch (sig) {
		case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
			want = DISP_NOTHING;
			break;
		case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
			want = DISP_STOPS;
			break;
		default:
			want = DISP_DIES; /* also the core dumpers and 32-64 */
		}
		ck_assert_msg(inspect_disposition(&none, sig) == want, "signal %d: expected %d, got %d",
			      sig, (int)want, (int)inspect_disposition(&none, sig));
	}
}
END_TEST

START_TEST(test_disp_bits)
{
	/* signal N is bit N-1, and only that bit: every other bit set changes
	 * nothing, its own bit set changes the verdict */
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		struct sigstate none = masks(0, 0, 0);
		enum disposition dflt = inspect_disposition(&none, sig);
		struct sigstate others = masks(~BIT(sig), ~BIT(sig), ~BIT(sig));
		ck_assert_msg(inspect_disposition(&others, sig) == dflt, "signal %d: other bits count", sig);
		struct sigstate b = masks(BIT(sig), 0, 0), i = masks(0, BIT(sig), 0), c = masks(0, 0, BIT(sig));
		ck_assert_msg(inspect_disposition(&b, sig) == DISP_BLOCKS, "signal %d blocked", sig);
		ck_assert_msg(inspect_disposition(&i, sig) == DISP_IGNORES, "signal %d ignored", sig);
		ck_assert_msg(inspect_disposition(&c, sig) == DISP_CATCHES, "signal %d caught", sig);
	}
}
END_TEST

START_TEST(test_disp_realtime)
{
	/* 32 and 33 (glibc's own), SIGRTMIN..SIGRTMAX, 64 the top bit */
	struct sigstate st = masks(BIT(64), BIT(32), BIT(33) | BIT(40));
	ck_assert_int_eq(inspect_disposition(&st, 64), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(&st, 32), DISP_IGNORES);
	ck_assert_int_eq(inspect_disposition(&st, 33), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, 40), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(&st, 34), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&st, 63), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&st, SIGRTMIN), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&st, SIGRTMAX), DISP_BLOCKS);
}
END_TEST

START_TEST(test_disp_out_of_range)
{
	/* no signal: nothing happens, and no mask is looked at (no shift by
	 * 64 or more) */
	struct sigstate all = masks(UINT64_MAX, UINT64_MAX, UINT64_MAX);
	struct sigstate none = masks(0, 0, 0);
	int bad[] = { 0, -1, -15, 65, 66, 128, 1000, INT32_MIN, INT32_MAX };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		ck_assert_msg(inspect_disposition(&all, bad[k]) == DISP_NOTHING, "signal %d", bad[k]);
		ck_assert_msg(inspect_disposition(&none, bad[k]) == DISP_NOTHING, "signal %d", bad[k]);
	}
}
END_TEST

/* ---- the words ---- */

static char words[160];
#define WORDS(d, sig) inspect_words((d), (sig), words, sizeof words)

START_TEST(test_words_exact)
{
	ck_assert_str_eq(WORDS(DISP_CATCHES, SIGTERM), "catches SIGTERM");
	ck_assert_str_eq(WORDS(DISP_IGNORES, SIGTERM), "ignores SIGTERM: only SIGKILL stops it");
	ck_assert_str_eq(WORDS(DISP_BLOCKS, SIGTERM),
			 "blocks SIGTERM: pending until it unblocks it or reads it (signalfd, sigwait)");
	ck_assert_str_eq(WORDS(DISP_DIES, SIGTERM), "has no handler for SIGTERM: dies of it at once");
	ck_assert_str_eq(WORDS(DISP_WAITS, SIGTERM), "waits for SIGTERM in sigwait: takes it at once");
	ck_assert_str_eq(WORDS(DISP_UNKNOWN, SIGTERM),
			 "waits in sigwait for signals that only ptrace access can read: "
			 "takes SIGTERM if it is one, else has no handler for it");
	ck_assert_str_eq(WORDS(DISP_STOPS, SIGTSTP), "has no handler for SIGTSTP: is stopped by it");
	ck_assert_str_eq(WORDS(DISP_NOTHING, SIGWINCH), "has no handler for SIGWINCH: nothing happens");

	ck_assert_str_eq(WORDS(DISP_CATCHES, SIGINT), "catches SIGINT");
	ck_assert_str_eq(WORDS(DISP_IGNORES, SIGQUIT), "ignores SIGQUIT: only SIGKILL stops it");
	ck_assert_str_eq(WORDS(DISP_DIES, SIGKILL), "has no handler for SIGKILL: dies of it at once");
	ck_assert_str_eq(WORDS(DISP_STOPS, SIGSTOP), "has no handler for SIGSTOP: is stopped by it");
	ck_assert_str_eq(WORDS(DISP_NOTHING, SIGCHLD), "has no handler for SIGCHLD: nothing happens");
}
END_TEST

START_TEST(test_words_signal_names)
{
	ck_assert_str_eq(WORDS(DISP_CATCHES, SIGRTMIN + 3), "catches SIGRTMIN+3");
	ck_assert_str_eq(WORDS(DISP_BLOCKS, SIGRTMIN),
			 "blocks SIGRTMIN: pending until it unblocks it or reads it (signalfd, sigwait)");
	ck_assert_str_eq(WORDS(DISP_DIES, SIGRTMAX), "has no handler for SIGRTMAX: dies of it at once");
	ck_assert_str_eq(WORDS(DISP_DIES, 32), "has no handler for signal 32: dies of it at once");
	ck_assert_str_eq(WORDS(DISP_CATCHES, SIGUSR2), "catches SIGUSR2");
	ck_assert_str_eq(WORDS(DISP_NOTHING, 0), "has no handler for signal 0: nothing happens");
}
END_TEST

START_TEST(test_words_buffer)
{
	/* returns buf, cut and terminated when it is short */
	char small[12];
	memset(small, 'z', sizeof small);
	ck_assert_ptr_eq(inspect_words(DISP_DIES, SIGTERM, small, sizeof small), small);
	ck_assert_str_eq(small, "has no hand");
	ck_assert_ptr_eq(inspect_words(DISP_CATCHES, SIGTERM, words, sizeof words), words);
	/* the longest text fits the 128 bytes drainit gives it */
	char b[128];
	inspect_words(DISP_BLOCKS, SIGRTMIN + 15, b, sizeof b);
	ck_assert_str_eq(b, "blocks SIGRTMIN+15: pending until it unblocks it or reads it (signalfd, sigwait)");
}
END_TEST

/* ---- reading /proc ---- */

typedef void (*setup_fn)(void);

static int ready_pipe[2];

/* A child that runs setup, says so, and waits to be killed; it dies with
 * the test process should a failed assertion skip reap(). */
static pid_t spawn(setup_fn setup)
{
	char c;
	pid_t parent = getpid();
	ck_assert_int_eq(pipe(ready_pipe), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(3);
		close(ready_pipe[0]);
		setup();
		if (write(ready_pipe[1], "x", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(ready_pipe[1]);
	ck_assert_int_eq(read(ready_pipe[0], &c, 1), 1);
	close(ready_pipe[0]);
	return pid;
}

static void reap(pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

/* The leader's own /proc/PID/status, parsed: what drainit would see
 * without looking at the threads. */
static struct sigstate leader_status(pid_t pid)
{
	char path[64], buf[8192];
	struct sigstate st;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_int_eq(inspect_parse_status(buf, &st), 0);
	return st;
}

static void on_sig(int sig)
{
	(void)sig;
}

static void set(int sig, void (*h)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(how, &s, NULL);
}

static void setup_mixed(void)
{
	prctl(PR_SET_NAME, "inspectee", 0, 0, 0);
	set(SIGUSR1, on_sig);
	set(SIGUSR2, SIG_IGN);
	set(SIGTERM, SIG_DFL);
	set(SIGCHLD, SIG_DFL);
	set(SIGRTMIN + 2, on_sig);
	block(SIGHUP, SIG_BLOCK);
	block(SIGRTMIN + 6, SIG_BLOCK);
	block(SIGTERM, SIG_UNBLOCK);
}

static void check_mixed(const struct sigstate *st)
{
	ck_assert_str_eq(st->name, "inspectee");
	ck_assert_int_eq(inspect_disposition(st, SIGUSR1), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(st, SIGUSR2), DISP_IGNORES);
	ck_assert_int_eq(inspect_disposition(st, SIGHUP), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(st, SIGTERM), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(st, SIGCHLD), DISP_NOTHING);
	ck_assert_int_eq(inspect_disposition(st, SIGRTMIN + 2), DISP_CATCHES);
	ck_assert_int_eq(inspect_disposition(st, SIGRTMIN + 6), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(st, SIGKILL), DISP_DIES);
}

/* Blocks SIGTERM, SIGUSR1 and SIGHUP, says it is ready, and waits in
 * sigwaitinfo for SIGTERM and SIGHUP, as tini and dumb-init wait. */
static void setup_sigwait(void)
{
	sigset_t all, wait;
	prctl(PR_SET_NAME, "sigwaiter", 0, 0, 0);
	set(SIGTERM, SIG_DFL);
	set(SIGHUP, SIG_DFL);
	set(SIGINT, SIG_DFL);
	set(SIGUSR1, SIG_DFL);
	sigemptyset(&all);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGHUP);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigemptyset(&wait);
	sigaddset(&wait, SIGTERM);
	sigaddset(&wait, SIGHUP);
	if (write(ready_pipe[1], "x", 1) != 1)
		_exit(3);
	for (;;)
		sigwaitinfo(&wait, NULL);
}

/* Whether pid's thread sits in rt_sigtimedwait now: its wait channel. */
static bool in_sigwait(pid_t pid)
{
	char path[64], buf[128] = "";
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "sigtimedwait") != NULL;
}

START_TEST(test_read_sigwait)
{
	pid_t pid = spawn(setup_sigwait);
	for (int i = 0; i < 5000 && !in_sigwait(pid); i++)
		usleep(1000);
	ck_assert_msg(in_sigwait(pid), "the child never waited in sigwaitinfo");
	/* the kernel takes the waited set out of SigBlk for the wait: the
	 * status alone says SIGTERM would kill it */
	struct sigstate st, leader = leader_status(pid);
	ck_assert_int_eq(inspect_disposition(&leader, SIGTERM), DISP_DIES);
	ck_assert_int_eq(inspect_disposition(&leader, SIGUSR1), DISP_BLOCKS);
	ck_assert_int_eq(inspect_read(pid, &st), 0);
	ck_assert_str_eq(st.name, "sigwaiter");
	ck_assert(!st.waits_unread);
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_WAITS);
	ck_assert_int_eq(inspect_disposition(&st, SIGHUP), DISP_WAITS);
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_BLOCKS);
	ck_assert_int_eq(inspect_disposition(&st, SIGINT), DISP_DIES);
	reap(pid);
}
END_TEST

START_TEST(test_read_child)
{
	pid_t pid = spawn(setup_mixed);
	struct sigstate st, leader = leader_status(pid);
	memset(&st, 0x5a, sizeof st);
	ck_assert_int_eq(inspect_read(pid, &st), 0);
	check_mixed(&st);
	/* one thread: the same masks as its status */
	ck_assert_uint_eq(st.blocked, leader.blocked);
	ck_assert_uint_eq(st.ignored, leader.ignored);
	ck_assert_uint_eq(st.caught, leader.caught);
	reap(pid);
}
END_TEST

START_TEST(test_read_self)
{
	/* the test process reading itself (in a child, so that the runner's
	 * own signals stay as they are): the result goes back as the exit
	 * status, 0 when it matches */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sigstate st;
		setup_mixed();
		if (inspect_read(getpid(), &st) != 0)
			_exit(10);
		if (strcmp(st.name, "inspectee") != 0)
			_exit(11);
		if (inspect_disposition(&st, SIGUSR1) != DISP_CATCHES)
			_exit(12);
		if (inspect_disposition(&st, SIGUSR2) != DISP_IGNORES)
			_exit(13);
		if (inspect_disposition(&st, SIGHUP) != DISP_BLOCKS)
			_exit(14);
		if (inspect_disposition(&st, SIGTERM) != DISP_DIES)
			_exit(15);
		if (inspect_disposition(&st, SIGRTMIN + 6) != DISP_BLOCKS)
			_exit(16);
		/* a change shows at the next read */
		set(SIGUSR1, SIG_IGN);
		block(SIGHUP, SIG_UNBLOCK);
		set(SIGHUP, on_sig);
		if (inspect_read(getpid(), &st) != 0)
			_exit(17);
		if (inspect_disposition(&st, SIGUSR1) != DISP_IGNORES)
			_exit(18);
		if (inspect_disposition(&st, SIGHUP) != DISP_CATCHES)
			_exit(19);
		_exit(0);
	}
	int ws;
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "self-read check %d failed",
		      WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
}
END_TEST

/* Threads: each sleeps after it set its mask. */
static sem_t thread_ready;

static void *idle_thread(void *arg)
{
	if (arg)
		block(SIGUSR1, SIG_BLOCK);
	sem_post(&thread_ready);
	for (;;)
		pause();
	return NULL;
}

static void start_thread(int blocks)
{
	pthread_t t;
	if (pthread_create(&t, NULL, idle_thread, blocks ? (void *)1 : NULL) != 0)
		_exit(4);
	while (sem_wait(&thread_ready) != 0)
		;
}

/* Only the main thread blocks SIGUSR1; another thread takes it. */
static void setup_main_blocks(void)
{
	sem_init(&thread_ready, 0, 0);
	set(SIGUSR1, SIG_DFL);
	block(SIGUSR1, SIG_UNBLOCK);
	start_thread(0);
	start_thread(0);
	block(SIGUSR1, SIG_BLOCK);
}

/* Only a second thread blocks it. */
static void setup_thread_blocks(void)
{
	sem_init(&thread_ready, 0, 0);
	set(SIGUSR1, SIG_DFL);
	block(SIGUSR1, SIG_UNBLOCK);
	start_thread(1);
}

/* Every thread blocks it: the main thread, before the others start. */
static void setup_all_block(void)
{
	sem_init(&thread_ready, 0, 0);
	set(SIGUSR1, SIG_DFL);
	block(SIGUSR1, SIG_BLOCK);
	start_thread(0);
	start_thread(1);
}

/* The Threads: line of pid's status. */
static int threads_of(pid_t pid)
{
	char path[64], buf[8192];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t k = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(k, 0);
	buf[k] = '\0';
	const char *t = strstr(buf, "\nThreads:\t");
	ck_assert_ptr_nonnull(t);
	return atoi(t + 10);
}

/* ShdPnd: signals pending for the whole process. */
static uint64_t shared_pending(pid_t pid)
{
	char path[64], buf[8192];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t k = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(k, 0);
	buf[k] = '\0';
	const char *t = strstr(buf, "\nShdPnd:\t");
	ck_assert_ptr_nonnull(t);
	return strtoull(t + 9, NULL, 16);
}

START_TEST(test_read_threads_main_blocks)
{
	pid_t pid = spawn(setup_main_blocks);
	ck_assert_int_eq(threads_of(pid), 3);
	/* its status alone says blocked: the leader's mask */
	struct sigstate leader = leader_status(pid), st;
	ck_assert(leader.blocked & BIT(SIGUSR1));
	ck_assert_int_eq(inspect_disposition(&leader, SIGUSR1), DISP_BLOCKS);
	/* but the other threads take it: it kills at once */
	ck_assert_int_eq(inspect_read(pid, &st), 0);
	ck_assert(!(st.blocked & BIT(SIGUSR1)));
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_DIES);
	/* and it does */
	int ws;
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGUSR1);
}
END_TEST

START_TEST(test_read_threads_one_other_blocks)
{
	pid_t pid = spawn(setup_thread_blocks);
	ck_assert_int_eq(threads_of(pid), 2);
	struct sigstate st;
	ck_assert_int_eq(inspect_read(pid, &st), 0);
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_DIES);
	reap(pid);
}
END_TEST

START_TEST(test_read_threads_all_block)
{
	pid_t pid = spawn(setup_all_block);
	ck_assert_int_eq(threads_of(pid), 3);
	struct sigstate st;
	ck_assert_int_eq(inspect_read(pid, &st), 0);
	ck_assert(st.blocked & BIT(SIGUSR1));
	ck_assert_int_eq(inspect_disposition(&st, SIGUSR1), DISP_BLOCKS);
	/* and it stays pending (kill queues it at once): the process lives */
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	ck_assert(shared_pending(pid) & BIT(SIGUSR1));
	int ws;
	ck_assert_int_eq(waitpid(pid, &ws, WNOHANG), 0);
	reap(pid);
}
END_TEST

START_TEST(test_read_gone)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	int ws;
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	struct sigstate st;
	errno = 0;
	ck_assert_int_eq(inspect_read(pid, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* above any pid_max */
	errno = 0;
	ck_assert_int_eq(inspect_read(4194304, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* Many supplementary groups make the Groups line, which comes before the
 * signal masks, long: 700 gids of 7 digits are about 5600 bytes. */
static gid_t many[700];

static void setup_many_groups(void)
{
	prctl(PR_SET_NAME, "grouped", 0, 0, 0);
	set(SIGTERM, on_sig);
	if (setgroups(sizeof many / sizeof many[0], many) != 0)
		_exit(5);
}

START_TEST(test_read_many_groups)
{
	for (size_t k = 0; k < sizeof many / sizeof many[0]; k++)
		many[k] = (gid_t)(1000000 + k);
	/* can we set them at all? (needs CAP_SETGID) */
	pid_t probe = fork();
	ck_assert_int_ge(probe, 0);
	if (probe == 0)
		_exit(setgroups(sizeof many / sizeof many[0], many) == 0 ? 0 : 1);
	int ws;
	ck_assert_int_eq(waitpid(probe, &ws, 0), probe);
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return; /* not privileged: nothing to test here */

	pid_t pid = spawn(setup_many_groups);
	struct sigstate leader = leader_status(pid), st;
	errno = 0;
	int rc = inspect_read(pid, &st), err = errno;
	reap(pid);
	/* the masks are there, past the first 4096 bytes */
	ck_assert_int_eq(inspect_disposition(&leader, SIGTERM), DISP_CATCHES);
	ck_assert_msg(rc == 0, "inspect_read fails (%s) on a process with 700 supplementary groups",
		      strerror(err));
	ck_assert_str_eq(st.name, "grouped");
	ck_assert_int_eq(inspect_disposition(&st, SIGTERM), DISP_CATCHES);
}
END_TEST

Suite *inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("status");
	tcase_add_test(tc, test_parse_real_status);
	tcase_add_test(tc, test_parse_hex_masks);
	tcase_add_test(tc, test_parse_name);
	tcase_add_test(tc, test_parse_missing_fields);
	tcase_add_test(tc, test_parse_syscall);
	suite_add_tcase(s, tc);

	tc = tcase_create("disposition");
	tcase_add_test(tc, test_disp_each_case);
	tcase_add_test(tc, test_disp_sigwait);
	tcase_add_test(tc, test_disp_precedence);
	tcase_add_test(tc, test_disp_kill_and_stop);
	tcase_add_test(tc, test_disp_defaults);
	tcase_add_test(tc, test_disp_bits);
	tcase_add_test(tc, test_disp_realtime);
	tcase_add_test(tc, test_disp_out_of_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_test(tc, test_words_exact);
	tcase_add_test(tc, test_words_signal_names);
	tcase_add_test(tc, test_words_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_test(tc, test_read_child);
	tcase_add_test(tc, test_read_sigwait);
	tcase_add_test(tc, test_read_self);
	tcase_add_test(tc, test_read_threads_main_blocks);
	tcase_add_test(tc, test_read_threads_one_other_blocks);
	tcase_add_test(tc, test_read_threads_all_block);
	tcase_add_test(tc, test_read_gone);
	tcase_add_test(tc, test_read_many_groups);
	suite_add_tcase(s, tc);
	return s;
}
