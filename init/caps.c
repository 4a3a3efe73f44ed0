#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"

#define BIT(c) ((uint64_t)1 << (c))

/* One name of a list: "net_bind_service", "CAP_NET_RAW". */
static int cap_named(const char *s, size_t n, int *cap)
{
	char name[64];
	cap_value_t v;
	size_t o = 0;

	if (n == 0 || n > 40)
		return -1;
	/* letters and '_' only: libcap stops reading at anything else and
	 * would take "net_raw;chown" for net_raw */
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '_')
			return -1;
	if (n < 4 || strncasecmp(s, "cap_", 4) != 0)
		o = (size_t)snprintf(name, sizeof name, "cap_");
	for (size_t i = 0; i < n; i++)
		name[o++] = (char)tolower((unsigned char)s[i]);
	name[o] = '\0';
	if (cap_from_name(name, &v) != 0 || v < 0 || v > 63)
		return -1;
	*cap = v;
	return 0;
}

int caps_parse(const char *list, uint64_t base, uint64_t all, uint64_t *out, char *err,
	       size_t errlen)
{
	uint64_t set = 0, add = 0, drop = 0;
	int signed_items = 0, plain = 0;

	if (strcasecmp(list, "none") == 0) {
		*out = 0;
		return 0;
	}
	if (strcasecmp(list, "all") == 0) {
		*out = all;
		return 0;
	}
	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");
		char sign = n > 0 && (*p == '+' || *p == '-') ? *p : 0;
		int cap;
		if (cap_named(p + (sign != 0), n - (sign != 0), &cap) != 0) {
			snprintf(err, errlen, "unknown capability '%.*s'", (int)n, p);
			return -1;
		}
		if (sign == '+')
			add |= BIT(cap);
		else if (sign == '-')
			drop |= BIT(cap);
		else
			set |= BIT(cap);
		signed_items += sign != 0;
		plain += sign == 0;
		p += n;
		if (*p == '\0')
			break;
	}
	if (signed_items && plain) {
		snprintf(err, errlen, "'%s': give either names (exactly these) or only +NAME/-NAME "
			 "(changes to the default set), not both", list);
		return -1;
	}
	*out = plain ? set : (base | add) & ~drop;
	return 0;
}

const char *caps_format(uint64_t set, char *buf, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (set == 0) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (int c = 0; c < 64; c++) {
		if (!(set & BIT(c)))
			continue;
		char *name = cap_to_name(c);
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", name ? name : "?");
		cap_free(name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	return buf;
}

static int last_cap(void)
{
	static int last = -1;
	if (last < 0) {
		last = (int)cap_max_bits() - 1;
		if (last < 0 || last > 63)
			last = CAP_LAST_CAP;
	}
	return last;
}

int caps_read_sets(struct capsets *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } }; /* valgrind sees the kernel fill d[0] only */

	memset(c, 0, sizeof *c);
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int caps_read(struct capsets *c)
{
	if (caps_read_sets(c) != 0)
		return -1;
	for (int cap = 0; cap <= last_cap(); cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			c->bnd |= BIT(cap);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			c->amb |= BIT(cap);
	}
	return 0;
}

static int set_caps(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};
	return (int)syscall(SYS_capset, &h, d);
}

/* Drops every capability outside keep from the bounding set. One already
 * out is left alone: dropping needs CAP_SETPCAP even then, which a drainit
 * given exactly the app's set (drop ALL, add NET_BIND_SERVICE) lacks. */
static int drop_bounding(uint64_t keep)
{
	for (int cap = 0; cap <= last_cap(); cap++)
		if (!(keep & BIT(cap)) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			return -1;
	return 0;
}

int caps_become(const struct privs *p)
{
	uid_t uid = p->user ? p->uid : getuid();

	if (p->caps && drop_bounding(p->set) != 0)
		return errno;
	if (p->user) {
		/* keep the permitted set across setuid, to hand it on below */
		if (p->caps && uid != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
			return errno;
		if (setgroups(p->ngroups, p->groups) != 0 || setgid(p->gid) != 0 || setuid(p->uid) != 0)
			return errno;
	}
	if (p->caps) {
		/* A root app gets its sets from the bounding set at exec; one
		 * that is not root gets them through the ambient set, which
		 * needs them inheritable. */
		if (set_caps(p->set, p->set, uid != 0 ? p->set : 0) != 0)
			return errno;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
			return errno;
		for (int cap = 0; uid != 0 && cap <= last_cap(); cap++)
			if ((p->set & BIT(cap)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
				return errno;
	}
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return errno;
	return 0;
}

bool caps_missing(const struct privs *p, const struct capsets *own, uid_t euid,
		  char *missing, size_t len)
{
	uint64_t need = 0;
	if (p->user) {
		need |= BIT(CAP_SETGID); /* setgroups, even to the same gid */
		if (p->uid != euid)
			need |= BIT(CAP_SETUID);
	}
	if (p->caps) {
		need |= p->set;
		if (own->bnd & ~p->set)
			need |= BIT(CAP_SETPCAP); /* to shrink the bounding set */
	}
	/* what drainit does not hold, and what no process here can have */
	uint64_t lacking = (need & ~(own->eff & own->prm)) | (p->caps ? p->set & ~own->bnd : 0);
	caps_format(lacking, missing, len);
	return lacking != 0;
}

uint64_t caps_keep(const struct privs *p, bool exec_checks, bool file_check, bool folder_dac)
{
	uint64_t keep = BIT(CAP_KILL);
	if (file_check)
		keep |= BIT(CAP_DAC_READ_SEARCH);
	if (folder_dac)
		keep |= BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH);
	if (exec_checks) {
		/* an exec check runs as the app does */
		if (!p->caps)
			return CAPS_ALL;
		keep |= p->set | BIT(CAP_SETPCAP);
		if (p->user)
			keep |= BIT(CAP_SETUID) | BIT(CAP_SETGID);
	}
	return keep;
}

int caps_effective(uint64_t eff)
{
	struct capsets c;
	if (caps_read_sets(&c) != 0)
		return -1;
	return set_caps(eff & c.prm, c.prm, c.inh);
}

int caps_drop_own(uint64_t keep, bool exec_later)
{
	struct capsets c;
	if (caps_read_sets(&c) != 0)
		return -1;
	keep &= c.prm;
	if (!exec_later) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			return -1;
	} else if ((c.eff & BIT(CAP_SETPCAP)) && drop_bounding(keep) != 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return -1;
	return set_caps(keep, keep, 0);
}

/* Names for a few, a mask and a count for many. */
static const char *describe(uint64_t set, char *buf, size_t len)
{
	int n = __builtin_popcountll(set);
	if (n <= 8)
		return caps_format(set, buf, len);
	snprintf(buf, len, "%d capabilities (%#llx)", n, (unsigned long long)set);
	return buf;
}

void caps_log(struct log *l, const char *what)
{
	struct capsets c;
	char e[512], p[512], b[512];
	if (l->verbosity < V_DEBUG)
		return;
	if (caps_read(&c) != 0) {
		log_event(l, V_DEBUG, "caps", "%s: cannot read them: %m", what);
		return;
	}
	log_event(l, V_DEBUG, "caps", "%s: effective %s; permitted %s; bounding %s%s%s", what,
		  describe(c.eff, e, sizeof e), describe(c.prm, p, sizeof p),
		  c.bnd == c.prm ? "the same" : describe(c.bnd, b, sizeof b),
		  c.inh || c.amb ? "; inheritable or ambient set too" : "",
		  prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? "; no_new_privs" : "");
}
