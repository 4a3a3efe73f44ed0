/* ptyrun [-e ERRFILE] [-t SECONDS] WAIT-FILE PREFIX BYTE [--] COMMAND [ARG...]
 *
 * Runs COMMAND on a new pseudo-terminal (forkpty: its own session, the pty as
 * controlling terminal and as stdin/stdout/stderr; with -e, stderr goes to
 * ERRFILE instead). Copies everything COMMAND writes to the terminal to
 * stdout. Once WAIT-FILE holds a line starting with PREFIX, writes BYTE once
 * to the terminal, as a user typing it would (BYTE: a number such as 3,
 * 0x03 or 003, or ^C). Exits with COMMAND's status (128+N when it died of
 * signal N). After SECONDS (default 30) it gives up: SIGKILLs every process
 * of COMMAND's session and exits 124.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int file_has_prefix(const char *path, const char *prefix)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f))
		found = strncmp(line, prefix, strlen(prefix)) == 0;
	fclose(f);
	return found;
}

/* SIGKILLs every process whose session is sid. */
static void kill_session(pid_t sid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], buf[1024];
		int pid = atoi(e->d_name), s = 0;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		char *close = strrchr(buf, ')');
		if (close && sscanf(close + 1, " %*c %*d %*d %d", &s) == 1 && s == sid)
			kill(pid, SIGKILL);
	}
	closedir(d);
}

static void copy_out(int master, int *open_master)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof buf);
	if (n > 0) {
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0) { /* nothing to do */ }
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		*open_master = 0; /* EIO: every slave fd is closed */
	}
}

int main(int argc, char **argv)
{
	const char *errfile = NULL;
	long timeout_s = 30;
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-e"))
			errfile = argv[i + 1];
		else if (!strcmp(argv[i], "-t"))
			timeout_s = atol(argv[i + 1]);
		else
			break;
	}
	if (argc - i < 4) {
		fprintf(stderr, "usage: ptyrun [-e ERRFILE] [-t SECONDS] WAIT-FILE PREFIX BYTE "
			"[--] COMMAND [ARG...]\n");
		return 2;
	}
	const char *wait_file = argv[i], *prefix = argv[i + 1], *bytearg = argv[i + 2];
	i += 3;
	if (!strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "ptyrun: no command\n");
		return 2;
	}
	unsigned char byte = bytearg[0] == '^' && bytearg[1]
		? (unsigned char)(bytearg[1] & 0x1f)
		: (unsigned char)strtol(bytearg, NULL, 0);

	int master;
	pid_t child = forkpty(&master, NULL, NULL, NULL);
	if (child < 0) {
		perror("ptyrun: forkpty");
		return 2;
	}
	if (child == 0) {
		if (errfile) {
			int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
				perror("ptyrun: stderr file");
				_exit(2);
			}
			close(fd);
		}
		execvp(argv[i], argv + i);
		perror("ptyrun: exec");
		_exit(127);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

	long long end = now_ms() + timeout_s * 1000;
	int sent = 0, open_master = 1, status = 0;
	for (;;) {
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child)
			break;
		if (now_ms() > end) {
			fprintf(stderr, "ptyrun: timed out after %lds\n", timeout_s);
			kill_session(child);
			waitpid(child, &status, 0);
			return 124;
		}
		if (!sent && file_has_prefix(wait_file, prefix)) {
			while (write(master, &byte, 1) < 0 && errno == EINTR)
				;
			sent = 1;
			fprintf(stderr, "ptyrun: wrote byte 0x%02x\n", byte);
		}
		if (open_master) {
			struct pollfd p = { .fd = master, .events = POLLIN };
			if (poll(&p, 1, 20) > 0)
				copy_out(master, &open_master);
		} else {
			poll(NULL, 0, 20);
		}
	}
	/* What the command wrote last. */
	for (int k = 0; open_master && k < 1000; k++) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			break;
		copy_out(master, &open_master);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
