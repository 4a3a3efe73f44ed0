#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "script.h"

#define SCRIPT_READ_MAX ((size_t)256 * 1024)

static const char *const shells[] = { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh" };

static const char *base_of(const char *s, size_t len, size_t *blen)
{
	const char *b = s;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			b = s + i + 1;
	*blen = (size_t)(s + len - b);
	return b;
}

static const char *shell_named(const char *s, size_t len)
{
	size_t blen;
	const char *b = base_of(s, len, &blen);
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		if (strlen(shells[i]) == blen && memcmp(shells[i], b, blen) == 0)
			return shells[i];
	return NULL;
}

bool script_is_shell(const char *path)
{
	return shell_named(path, strlen(path)) != NULL;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

const char *script_shell_of_shebang(const char *line, size_t len)
{
	size_t i = 2, start;

	if (len < 2 || line[0] != '#' || line[1] != '!')
		return NULL;
	for (;;) {
		while (i < len && blank(line[i]))
			i++;
		start = i;
		while (i < len && !blank(line[i]))
			i++;
		if (i == start)
			return NULL;
		size_t blen;
		const char *b = base_of(line + start, i - start, &blen);
		/* #!/usr/bin/env [-S] bash: the shell is env's argument */
		if ((blen == 3 && memcmp(b, "env", 3) == 0) || line[start] == '-')
			continue;
		return shell_named(line + start, i - start);
	}
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

/* "<file", ">log", "2>&1", "&>log": a redirection, not a program. */
static bool redirection(const char *w, size_t n)
{
	size_t i = 0;
	while (i < n && w[i] >= '0' && w[i] <= '9')
		i++;
	return i < n && (w[i] == '<' || w[i] == '>' || (w[i] == '&' && i + 1 < n && w[i + 1] == '>'));
}

static bool assignment(const char *w, size_t n)
{
	if (n == 0 || !((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z') || w[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (w[i] == '=')
			return true;
		if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' && w[i] <= 'z') ||
		      (w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
			return false;
	}
	return false;
}

/* The length of the word at line[i]: up to a blank or an operator, quotes
 * and backslashes kept inside it, '&' kept after '<' or '>' ("2>&1"). */
static size_t word_len(const char *line, size_t len, size_t i)
{
	size_t j = i;
	while (j < len && !blank(line[j])) {
		char c = line[j];
		if (c == '\'' || c == '"') {
			for (j++; j < len && line[j] != c; j++)
				if (c == '"' && line[j] == '\\')
					j++;
			j++;
			continue;
		}
		if (c == '\\') {
			j += 2;
			continue;
		}
		if (c == ';' || c == '|' || c == '(' || c == ')')
			break;
		if (c == '&' && !(j > i && (line[j - 1] == '>' || line[j - 1] == '<')) &&
		    !(j + 1 < len && line[j + 1] == '>'))
			break;
		j++;
	}
	return j > len ? len - i : j - i;
}

void script_scan_line(struct script_scan *sc, const char *line, size_t len)
{
	bool cmdpos = true, after_exec = false, in_trap = false;
	size_t i = 0;

	while (i < len) {
		char c = line[i];
		if (blank(c)) {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (c == ';' || c == '|' || c == '(' || c == ')' ||
		    (c == '&' && !(i + 1 < len && line[i + 1] == '>'))) {
			if (c == '&' && i + 1 < len && line[i + 1] == '&')
				i++;
			else if (c == '&')
				sc->background = true;
			else if (c == '|' && i + 1 < len && (line[i + 1] == '|' || line[i + 1] == '&'))
				i++;  /* || and |& (a pipe of stdout and stderr) */
			/* after ')' too: `case $1 in web) exec app ;;` */
			cmdpos = true;
			after_exec = in_trap = false;
			i++;
			continue;
		}
		size_t n = word_len(line, len, i);
		const char *w = line + i;
		i += n;
		if (n == 0) {
			i++;
			continue;
		}
		if (after_exec) {
			if (!redirection(w, n)) {
				sc->execs = true;
				after_exec = false;
			}
			continue;
		}
		if (in_trap) {
			/* bash and dash take signal names in any case */
			if ((n == 4 && strncasecmp(w, "TERM", 4) == 0) ||
			    (n == 7 && strncasecmp(w, "SIGTERM", 7) == 0) || word_is(w, n, "15"))
				sc->traps = true;
			continue;
		}
		if (!cmdpos)
			continue;
		if (word_is(w, n, "then") || word_is(w, n, "do") || word_is(w, n, "else") ||
		    word_is(w, n, "elif") || word_is(w, n, "if") || word_is(w, n, "while") ||
		    word_is(w, n, "until") || word_is(w, n, "!") || word_is(w, n, "{") ||
		    assignment(w, n) || redirection(w, n))
			continue;
		cmdpos = false;
		if (word_is(w, n, "exec"))
			after_exec = true;
		else if (word_is(w, n, "trap"))
			in_trap = true;
	}
}

bool script_needs_hint(const struct script_scan *sc)
{
	return !sc->execs && !sc->traps;
}

/* Feeds text line by line, carrying a line cut by a chunk boundary in
 * carry. A line longer than carry is skipped whole: scanned in pieces, its
 * quotes and comments would be misread, and a missed exec only costs a
 * needless hint. */
struct feeder {
	struct script_scan sc;
	char carry[16384];
	size_t have;
	bool too_long;           /* the current line outgrew carry: skip it */
	bool first;              /* the next line is the file's first */
	char shebang[128];       /* the first line, for the caller */
};

static void feed_line(struct feeder *f, const char *s, size_t n)
{
	if (f->first) {
		size_t k = n < sizeof f->shebang - 1 ? n : sizeof f->shebang - 1;
		memcpy(f->shebang, s, k);
		f->shebang[k] = '\0';
		f->first = false;
		return;
	}
	script_scan_line(&f->sc, s, n);
}

static void feed(struct feeder *f, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (!f->too_long)
				feed_line(f, f->carry, f->have);
			f->have = 0;
			f->too_long = false;
		} else if (f->have == sizeof f->carry) {
			f->too_long = true;
			f->first = false;
		} else {
			f->carry[f->have++] = buf[i];
		}
	}
}

/* Scans the file at path; false when it cannot be read as a regular file.
 * With need_shell, stops as soon as the first line shows no shell's #!: an
 * ELF binary costs one read. */
static bool scan_file(const char *path, struct feeder *f, bool need_shell)
{
	char buf[4096];
	struct stat st;
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	while (total < SCRIPT_READ_MAX && (n = read(fd, buf, sizeof buf)) > 0) {
		if (need_shell && total == 0 && (n < 2 || buf[0] != '#' || buf[1] != '!'))
			break;
		feed(f, buf, (size_t)n);
		total += (size_t)n;
		if (need_shell && !f->first &&
		    !script_shell_of_shebang(f->shebang, strlen(f->shebang)))
			break;
	}
	close(fd);
	if (f->have && !f->too_long)
		feed_line(f, f->carry, f->have);
	f->have = 0;
	return true;
}

size_t script_shebang_words(const char *line, size_t len, char *buf, size_t buflen,
			    const char **words, size_t max)
{
	size_t i = 2, o = 0, n = 0;
	bool split = false;

	if (len < 2 || line[0] != '#' || line[1] != '!' || buflen == 0)
		return 0;
	/* the line ends at its newline, or at a NUL, as the kernel reads it */
	size_t end_of_line = 2;
	while (end_of_line < len && line[end_of_line] != '\n' && line[end_of_line] != '\0')
		end_of_line++;
	len = end_of_line;
	while (i < len && n < max) {
		while (i < len && blank(line[i]))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		/* after the interpreter the kernel passes the rest as one word,
		 * blanks at its end cut; env -S splits it again */
		bool whole = n == 1 && !split;
		while (i < len && (whole || !blank(line[i])))
			i++;
		size_t end = i;
		while (whole && end > start && blank(line[end - 1]))
			end--;
		if (o + (end - start) + 1 > buflen)
			break;
		words[n++] = buf + o;
		memcpy(buf + o, line + start, end - start);
		o += end - start;
		buf[o++] = '\0';
		if (n == 1) {
			size_t blen;
			const char *b = base_of(words[0], strlen(words[0]), &blen);
			/* "#!/usr/bin/env -S CMD ARG": the words after -S, split */
			if (blen == 3 && memcmp(b, "env", 3) == 0) {
				size_t j = i;
				while (j < len && blank(line[j]))
					j++;
				const char *rest = line + j;
				size_t left = len - j;
				/* cppcheck takes the interpreter's word to end the line */
				// cppcheck-suppress knownConditionTrueFalse ; it need not
				if (left >= 2 && rest[0] == '-' && rest[1] == 'S') {
					split = true;
					i = j + 2;
				// cppcheck-suppress knownConditionTrueFalse ; as above
				} else if (left >= 14 && memcmp(rest, "--split-string", 14) == 0) {
					split = true;
					i = j + 14 + (j + 14 < len && line[j + 14] == '=');
				}
			}
		}
	}
	return n;
}

size_t script_shebang_program(const char *const *words, size_t n)
{
	size_t blen, i = 0;
	if (n == 0)
		return n;
	const char *b = base_of(words[0], strlen(words[0]), &blen);
	if (blen == 3 && memcmp(b, "env", 3) == 0)
		for (i = 1; i < n && (words[i][0] == '-' || strchr(words[i], '=')); i++)
			; /* env's own options and NAME=VALUE */
	return i;
}

void script_first_line(const char *path, char *line, size_t len)
{
	struct stat st;
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			n = read(fd, line, len - 1);
		close(fd);
	}
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
}

bool script_check(char *const argv[], char *what, size_t len)
{
	struct feeder f = { .first = true };
	char path[4096];
	const char *shell = shell_named(argv[0], strlen(argv[0]));

	if (shell) {
		/* sh [-opts] [-o opt] (-c STRING | FILE) */
		bool dash_c = false;
		int i = 1;
		for (; argv[i] && (argv[i][0] == '-' || argv[i][0] == '+'); i++) {
			if (strcmp(argv[i], "--") == 0) {
				i++;
				break;
			}
			if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "+o") == 0 ||
			     strcmp(argv[i], "-O") == 0 || strcmp(argv[i], "+O") == 0) && argv[i + 1])
				i++;
			else if (argv[i][1] != '-' && strchr(argv[i], 'c'))
				dash_c = true;
		}
		if (!argv[i])
			return false;
		if (dash_c) {
			/* A -c string's last command may be exec'd by the shell
			 * itself (bash does); one started in the background never is. */
			f.first = false;
			feed(&f, argv[i], strlen(argv[i]));
			if (!f.too_long)
				feed_line(&f, f.carry, f.have);
			if (!f.sc.background || !script_needs_hint(&f.sc))
				return false;
			snprintf(what, len, "'%s -c ...' starts its app in the background", shell);
			return true;
		}
		/* no #! needed: the first line is a command like the rest */
		f.first = false;
		if (!scan_file(argv[i], &f, false))
			return false;
		if (!script_needs_hint(&f.sc))
			return false;
		snprintf(what, len, "%s, a %s script, starts its app without exec", argv[i], shell);
		return true;
	}
	if (child_find(argv[0], path, sizeof path) != 0 || !scan_file(path, &f, true))
		return false;
	shell = script_shell_of_shebang(f.shebang, strlen(f.shebang));
	if (!shell || !script_needs_hint(&f.sc))
		return false;
	snprintf(what, len, "%s, a %s script, starts its app without exec", path, shell);
	return true;
}
