#ifndef DRAINIT_SUPERVISE_H
#define DRAINIT_SUPERVISE_H

struct config;
struct log;

/* Runs the command under drainit's lifecycle and returns drainit's exit code.
 * Fatal errors are possible only before the app starts. */
int supervise(const struct config *cfg, struct log *log);

#endif
