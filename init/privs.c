/* Privileges: what the app and exec checks run as (--user, --caps,
 * --no-new-privs), settled before anything starts, and the drop of
 * drainit's own capabilities once the app runs. */
#include <unistd.h>

#include "caps.h"
#include "exitcode.h"
#include "log.h"
#include "opt.h"
#include "ready.h"
#include "super.h"
#include "user.h"

/* Whether drainit already is u: then --user has nothing to change, and
 * needs no privilege. */
static bool user_is_current(const struct user *u)
{
	gid_t g[USER_GROUPS_MAX + 1];
	int n = getgroups(USER_GROUPS_MAX + 1, g);
	return n >= 0 && user_same(u, geteuid(), getegid(), g, (size_t)n);
}

/* --user, --caps, --no-new-privs into s->privs, before anything starts:
 * unknown names are usage errors, and what drainit cannot grant is said,
 * with what it lacks. Returns 0 or drainit's exit code. */
int privs_resolve(struct super *s)
{
	const struct config *cfg = s->cfg;
	struct privs *p = &s->privs;
	struct capsets own;
	char err[512], lacking[512];

	p->no_new_privs = cfg->no_new_privs;
	if (!cfg->user && !cfg->caps)
		return 0;
	if (cfg->user) {
		int r = user_lookup(cfg->user, &s->user, err, sizeof err);
		if (r != 0) {
			/* an unknown name is a usage error, an unreadable file is not */
			report_start_error(s->log, r == -2 ? EXIT_OSERR : EXIT_USAGE, "--user: %s", err);
			return r == -2 ? EXIT_OSERR : EXIT_USAGE;
		}
		p->user = !user_is_current(&s->user);
		p->uid = s->user.uid;
		p->gid = s->user.gid;
		p->groups = s->user.groups;
		p->ngroups = s->user.ngroups;
	}
	if (caps_read(&own) != 0) {
		log_event(s->log, V_ERROR, "start", "cannot read drainit's capabilities: %m");
		return EXIT_OSERR;
	}
	if (cfg->caps) {
		/* +NAME and -NAME change what the app would get anyway: drainit's
		 * set for a root app, nothing for another user */
		uint64_t base = p->user && p->uid != 0 ? 0 : own.prm;
		if (caps_parse(cfg->caps, base, own.prm, &p->set, err, sizeof err) != 0) {
			report_start_error(s->log, EXIT_USAGE, "--caps: %s", err);
			return EXIT_USAGE;
		}
		p->caps = true;
	}
	if (caps_missing(p, &own, geteuid(), lacking, sizeof lacking)) {
		log_event(s->log, V_ERROR, "start", "%s%s%s: drainit lacks %s to grant it",
			  cfg->user ? "--user" : "", cfg->user && cfg->caps ? " and " : "",
			  cfg->caps ? "--caps" : "", lacking);
		return EXIT_NOPERM;
	}
	return 0;
}

/* Once the app runs, drainit keeps only what it still needs: to signal
 * processes of other users, to start exec checks as the app, to look for a
 * file: condition's file, to write into the readiness folder. The last is
 * tried for real with the effective set lowered (the permitted set stays
 * until the drop): permissions along the whole path count. */
void privs_drop_own(struct super *s)
{
	struct capsets own;
	const struct config *cfg = s->cfg;

	if (caps_read_sets(&own) != 0 || own.prm == 0)
		return;
	bool exec = cfg->ready_when.kind == COND_EXEC, file = cfg->ready_when.kind == COND_FILE;
	uint64_t keep = caps_keep(&s->privs, exec, file, false);
	if ((own.prm & ~keep) == 0)
		return;
	if (cfg->ready_file && caps_effective(keep) == 0) {
		bool writable = ready_folder_writable(s->ready_dir, cfg->ready_file) == 0;
		caps_effective(own.eff);
		keep = caps_keep(&s->privs, exec, file, !writable);
	}
	if (caps_drop_own(keep, exec) != 0)
		log_event(s->log, V_WARN, "caps", "cannot drop drainit's own capabilities: %m");
	caps_log(s->log, "drainit keeps, once the app runs");
}
