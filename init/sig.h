#ifndef DRAINIT_SIG_H
#define DRAINIT_SIG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses "TERM", "SIGTERM", "term", "15", "RTMIN+3" or "SIGRTMAX-1".
 * Returns the signal number, or 0 with a reason in err. */
int sig_parse(const char *s, char *err, size_t errlen);

/* "SIGTERM", "SIGRTMIN+3"; "signal 99" for numbers with no name. */
const char *sig_name(int sig, char *buf, size_t len);

/* A signal that container engines commonly send to stop a container when it
 * is not SIGTERM: an image's STOPSIGNAL (SIGQUIT for nginx and php-fpm),
 * Ctrl-C's SIGINT, SIGPWR, or systemd's SIGRTMIN+3. Pure. */
bool sig_engine_stop(int sig);

/* Fills set with every signal, also the C library's own (32 and 33 in
 * glibc, 32-34 in musl) that sigfillset() leaves out, without reaching into
 * sigset_t, and blocks them all with rt_sigprocmask (the C library's
 * sigprocmask would quietly leave those unblocked, so they would kill
 * drainit or never be seen). Returns 0, or -1 with errno set. */
int sig_block_all(sigset_t *set);

/* Sets every signal's disposition to SIG_DFL, also the two that glibc keeps
 * for itself and refuses in sigaction() (a parent such as make may leave
 * them ignored). drainit calls it once at start and never sets a handler,
 * so every child it forks starts from the defaults without calling it
 * again. */
void sig_reset_dispositions(void);

#endif
