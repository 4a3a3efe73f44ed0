#ifndef DRAINIT_EXITCODE_H
#define DRAINIT_EXITCODE_H

/* Exit codes of drainit itself; everything else is the app's status. */
#define EXIT_USAGE 64       /* bad option, value, environment variable or no command */
#define EXIT_READY_PATH 73  /* the readiness file cannot be created where asked */
#define EXIT_OSERR 71       /* drainit could not set itself up (signalfd, fork, ...) */
#define EXIT_NOPERM 77      /* drainit lacks the privilege to grant --user or --caps */
#define EXIT_NOEXEC 126     /* the command exists but cannot be executed */
#define EXIT_NOTFOUND 127   /* the command was not found */

#endif
