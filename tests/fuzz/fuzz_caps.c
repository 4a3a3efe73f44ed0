/* --caps LIST: "none", "all", "chown,net_bind_service", "+net_raw,-chown".
 * Input: 16 bytes of base and all sets, then the list. A list of names
 * must come back the same through caps_format. */
#include <strings.h>

#include "caps.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data;
	size_t n = size;
	uint64_t base = fz_take_u64(&d, &n, 8), all = fz_take_u64(&d, &n, 8);
	char *list = fz_str(d, n);
	size_t errlen = 1 + size % 128;
	char *err = fz_errbuf(errlen);
	uint64_t set = 0x5a5a5a5a5a5a5a5aULL;

	if (caps_parse(list, base, all, &set, err, errlen) == 0) {
		bool signed_list = list[0] == '+' || list[0] == '-';
		if (strcasecmp(list, "all") == 0)
			CHECK(set == all, "all");
		else if (strcasecmp(list, "none") == 0)
			CHECK(set == 0, "none");
		else if (!signed_list) {
			/* names alone: exactly these, so formatting them reads back */
			char out[64 * 32];
			caps_format(set, out, sizeof out);
			CHECK(fz_terminated(out, sizeof out), "caps_format not terminated");
			uint64_t again = 0;
			char err2[256];
			CHECK(caps_parse(out, 0, 0, &again, err2, sizeof err2) == 0,
			      "'%s' (from '%s') does not parse: %s", out, list, err2);
			CHECK(again == set, "'%s' is %#llx, '%s' %#llx", list, (unsigned long long)set,
			      out, (unsigned long long)again);
			CHECK(set != 0, "a list of names gave none");
		} else {
			/* changes to base: what is not named stays as in base */
			uint64_t named = 0, add = 0, drop = 0;
			for (const char *p = list; *p;) {
				size_t k = strcspn(p, ",");
				char one[64];
				uint64_t bit = 0;
				CHECK(k >= 2 && k < sizeof one, "item '%.*s' accepted", (int)k, p);
				memcpy(one, p + 1, k - 1);
				one[k - 1] = '\0';
				char e2[128];
				CHECK(caps_parse(one, 0, 0, &bit, e2, sizeof e2) == 0 && bit &&
				      (bit & (bit - 1)) == 0, "item '%s' alone: %s", one, e2);
				named |= bit;
				if (*p == '+')
					add |= bit;
				else
					drop |= bit; /* a -NAME wins over a +NAME */
				p += k;
				if (*p == ',')
					p++;
			}
			CHECK((set & ~named) == (base & ~named), "unnamed capabilities changed");
			CHECK((set & named) == (add & ~drop), "'%s' over %#llx gave %#llx", list,
			      (unsigned long long)base, (unsigned long long)set);
		}
	} else {
		CHECK(fz_terminated(err, errlen), "error not terminated");
		CHECK(set == 0x5a5a5a5a5a5a5a5aULL, "refused '%s' but wrote a set", list);
	}

	/* caps_format of any set, in a tight buffer */
	size_t olen = 1 + (size_t)(base >> 56) % 64;
	char *tight = malloc(olen);
	if (!tight)
		abort();
	caps_format(base, tight, olen);
	CHECK(fz_terminated(tight, olen), "caps_format in %zu bytes not terminated", olen);
	free(tight);

	free(err);
	free(list);
	return 0;
}
