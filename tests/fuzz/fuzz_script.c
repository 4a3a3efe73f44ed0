/* The start-up hint's reading of a shell script: the #! line
 * (script_shell_of_shebang, and script_shebang_words as the kernel splits
 * it) and each line after it (script_scan_line), and
 * script_check on `sh -c TEXT`, which reads no file. Input: the script.
 * Each line is handed over in an allocation of exactly its length, so a
 * read past it is caught. */
#include "fuzz.h"
#include "script.h"

#define CARRY_MAX 16384 /* script.c skips longer lines */

static const char *const shells[] = { "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh" };

static void scan(struct script_scan *sc, const char *line, size_t len)
{
	char *exact = fz_mem((const uint8_t *)line, len);
	struct script_scan before = *sc;
	script_scan_line(sc, exact, len);
	CHECK((sc->execs || !before.execs) && (sc->traps || !before.traps) &&
	      (sc->background || !before.background), "a line took back a finding");

	/* blanks in front change nothing */
	struct script_scan a = { 0 }, b = { 0 };
	script_scan_line(&a, exact, len);
	char *indented = malloc(len + 2);
	if (!indented)
		abort();
	indented[0] = '\t';
	indented[1] = ' ';
	memcpy(indented + 2, exact, len);
	script_scan_line(&b, indented, len + 2);
	CHECK(a.execs == b.execs && a.traps == b.traps && a.background == b.background,
	      "indenting '%.*s' changes the scan", (int)len, exact);
	free(indented);
	free(exact);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the #! line: a shell's name or nothing */
	const uint8_t *nl = memchr(data, '\n', size);
	size_t first = nl ? (size_t)(nl - data) : size;
	char *line = fz_mem(data, first);
	const char *sh = script_shell_of_shebang(line, first);
	if (sh) {
		bool known = false;
		for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
			known |= strcmp(sh, shells[i]) == 0;
		CHECK(known, "shell '%s'", sh);
		CHECK(first >= 2 && line[0] == '#' && line[1] == '!', "a shell without #!");
	}
	/* the words the kernel (and env -S) would run: each non-empty, no line
	 * break, all within the buffer given */
	const char *w[8];
	size_t buflen = 1 + size % 300;
	char *buf = malloc(buflen);
	if (!buf)
		abort();
	size_t n = script_shebang_words(line, first, buf, buflen, w, 8);
	CHECK(n <= 8, "%zu words", n);
	CHECK(n == 0 || (first >= 2 && line[0] == '#' && line[1] == '!'), "words without #!");
	for (size_t i = 0; i < n; i++) {
		CHECK(w[i] >= buf && w[i] + strlen(w[i]) < buf + buflen, "word %zu out of the buffer", i);
		CHECK(w[i][0] != '\0' && !strchr(w[i], '\n'), "word %zu: '%s'", i, w[i]);
		CHECK(w[i][0] != ' ' && w[i][0] != '\t', "word %zu starts with a blank", i);
	}
	size_t prog = script_shebang_program(w, n);
	CHECK(prog <= n, "program word %zu of %zu", prog, n);
	CHECK(n == 0 || prog == 0 || strstr(w[0], "env"), "word %zu without env", prog);
	free(buf);
	free(line);

	/* every line as `sh -c` feeds them, with script_scan_line */
	char *text = fz_str(data, size);
	size_t tlen = strlen(text);
	struct script_scan sc = { 0 };
	for (size_t i = 0; i <= tlen;) {
		const char *e = memchr(text + i, '\n', tlen - i);
		size_t n = e ? (size_t)(e - (text + i)) : tlen - i;
		if (n <= CARRY_MAX)
			scan(&sc, text + i, n);
		i += n + 1;
	}
	CHECK(script_needs_hint(&sc) == (!sc.execs && !sc.traps), "script_needs_hint");

	/* script_check agrees: the hint for `sh -c` wants something in the
	 * background and neither an exec nor a trap */
	char *argv[] = { (char *)"sh", (char *)"-c", text, NULL };
	char what[512];
	memset(what, 0x5a, sizeof what);
	bool hint = script_check(argv, what, sizeof what);
	bool want = text[0] != '-' && text[0] != '+' && sc.background && script_needs_hint(&sc);
	CHECK(hint == want, "script_check says %d, the lines say %d (bg %d exec %d trap %d)", hint,
	      want, sc.background, sc.execs, sc.traps);
	if (hint)
		CHECK(fz_terminated(what, sizeof what) && strstr(what, "background"), "what '%.64s'",
		      what);

	free(text);
	return 0;
}
