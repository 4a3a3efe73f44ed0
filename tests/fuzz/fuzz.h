/* Shared by the libFuzzer targets in tests/fuzz: invariant checks that end
 * the run like a crash, and turning the fuzzer's bytes into the strings the
 * parsers take. Every string gets its own allocation of exactly its size, so
 * that AddressSanitizer catches a read past its end. */
#ifndef DRAINIT_FUZZ_H
#define DRAINIT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant: say which, then abort, which libFuzzer reports as a
 * crash (an artifact, a nonzero exit). The message is a printf format. */
#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "\n==fuzz== invariant broken at %s:%d: %s\n==fuzz== ", \
				__FILE__, __LINE__, #cond);                           \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The bytes as a C string in an allocation of exactly n + 1 (an embedded
 * NUL ends the string early, as it would for the real input). */
static inline char *fz_str(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

/* An exact-size copy of n bytes, not terminated: for (pointer, length) APIs. */
static inline char *fz_mem(const uint8_t *d, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, d, n);
	return s;
}

/* Strings cut out of the input at a separator byte. v has room for `lead`
 * entries in front (the caller's argv[0]) and ends in NULL, like an argv.
 * No bytes give no parts; "a<sep>" gives "a" and "". */
struct fz_parts {
	size_t n;      /* parts, not counting lead */
	char **v;      /* v[lead .. lead + n) the parts, v[lead + n] NULL */
	size_t lead;
};

static inline struct fz_parts fz_split(const uint8_t *d, size_t size, uint8_t sep, size_t lead,
				       size_t max)
{
	struct fz_parts p = { 0, NULL, lead };
	size_t count = 0;
	if (size > 0) {
		count = 1;
		for (size_t i = 0; i < size; i++)
			count += d[i] == sep;
	}
	if (count > max)
		count = max;
	p.v = calloc(lead + count + 1, sizeof *p.v);
	if (!p.v)
		abort();
	size_t start = 0;
	for (size_t k = 0; k < count; k++) {
		const uint8_t *e = memchr(d + start, sep, size - start);
		size_t end = e ? (size_t)(e - d) : size;
		if (k + 1 == count)
			end = size; /* the last part takes the rest when parts were capped */
		p.v[lead + k] = fz_str(d + start, end - start);
		start = end + 1;
	}
	p.n = count;
	return p;
}

static inline void fz_free_parts(struct fz_parts *p)
{
	for (size_t k = 0; k < p->n; k++)
		free(p->v[p->lead + k]);
	free(p->v);
	p->v = NULL;
}

/* A NUL within buf[0..len). */
static inline bool fz_terminated(const char *buf, size_t len)
{
	return memchr(buf, '\0', len) != NULL;
}

/* No newline in s. */
static inline bool fz_one_line(const char *s)
{
	return strchr(s, '\n') == NULL;
}

/* Whether any of the strings holds a line break: then an error message
 * that quotes them may hold one too. */
static inline bool fz_any_newline(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !fz_one_line(v[i]))
			return true;
	return false;
}

/* A fresh error buffer of exactly len bytes (so an overrun is caught), with
 * a marker that shows whether the callee wrote to it. */
static inline char *fz_errbuf(size_t len)
{
	char *e = malloc(len);
	if (!e)
		abort();
	memset(e, 0x5a, len);
	e[len - 1] = '\0';
	return e;
}

/* Reads a little-endian integer from the front of the input, consuming it;
 * zero when the input is short. */
static inline uint64_t fz_take_u64(const uint8_t **d, size_t *n, size_t bytes)
{
	uint64_t v = 0;
	for (size_t i = 0; i < bytes && *n > 0; i++) {
		v |= (uint64_t)**d << (8 * i);
		(*d)++;
		(*n)--;
	}
	return v;
}

#endif
