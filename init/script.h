#ifndef DRAINIT_SCRIPT_H
#define DRAINIT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

/* Is the command a shell script that starts its app without exec? Then the
 * shell stays drainit's child: its exit status (143 once SIGTERM kills it)
 * becomes drainit's, and with --single-child the app never hears the stop
 * signal. drainit says so at start. */

/* What one pass over a script's lines found. */
struct script_scan {
	bool execs;     /* some command is `exec PROGRAM` (not only redirections) */
	bool traps;     /* a `trap` names TERM (SIGTERM, 15, any case) */
	bool background;/* a command ends with a single '&' */
};

/* The shell named by a script's first line ("#!/bin/sh",
 * "#!/usr/bin/env bash"), or of a command's basename; NULL: not a shell. Pure. */
const char *script_shell_of_shebang(const char *line, size_t len);
bool script_is_shell(const char *path);

/* Feeds one line (without its newline); pure. */
void script_scan_line(struct script_scan *sc, const char *line, size_t len);

/* Whether the scan calls for the hint: a script that never execs its app and
 * does not trap the stop signal itself. */
bool script_needs_hint(const struct script_scan *sc);

/* Checks argv as drainit will run it: a script with a shell's #!, `sh
 * FILE`, or `sh -c STRING` that runs something in the background. Returns
 * true when the hint applies, with what in `what` ("/app/start.sh, a bash
 * script"). Reads at most the first 256 KiB, skips lines over 16 KiB,
 * allocates nothing. */
bool script_check(char *const argv[], char *what, size_t len);

/* The words the kernel runs for a script's first line, as execve(2) does:
 * "#!INTERP ARG" gives INTERP and at most one ARG (the rest of the line,
 * blanks inside kept); through env with -S (env -S "drainit -- bash") the
 * ARG is split at blanks, as env does. Writes them into buf, pointed to by
 * words (at most max), and returns how many; 0 when line is no #! line.
 * Pure. */
size_t script_shebang_words(const char *line, size_t len, char *buf, size_t buflen,
			    const char **words, size_t max);

/* Which of a #! line's words (script_shebang_words) is the program that
 * runs the script: the first, or after env the first that is neither one
 * of env's options nor a NAME=VALUE. n when there is none. Pure. */
size_t script_shebang_program(const char *const *words, size_t n);

/* The first line of the file at path, up to len - 1 bytes, without its
 * newline; "" when it cannot be read or is not a regular file. */
void script_first_line(const char *path, char *line, size_t len);

#endif
