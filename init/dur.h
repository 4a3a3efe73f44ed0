#ifndef DRAINIT_DUR_H
#define DRAINIT_DUR_H

#include <stddef.h>
#include <stdint.h>

/* Durations are whole milliseconds. The longest accepted is a year. */
#define DUR_MAX_MS (365LL * 24 * 3600 * 1000)

/* Parses "500ms", "15s", "1.5s", "2m", "1h", plain seconds ("10") and the
 * compounds Go and Kubernetes write: "1m30s", "1h2m3s", "2m0.5s", "1s500ms".
 * The units are h, m, s and ms; in a compound they go from hours down, each
 * at most once, and the parts add up. Any part may have decimals ("1.5h30m"),
 * as long as that part comes to whole milliseconds. A number without a unit
 * is seconds, and only when it stands alone ("30", not "1m30"). The total is
 * at most 8760h (DUR_MAX_MS). No sign, no blanks, units in lower case.
 * Returns 0, or -1 with a reason in err, which starts "bad duration 'S': ". */
int dur_parse(const char *s, int64_t *ms, char *err, size_t errlen);

/* Writes the shortest exact form: "0s", "250ms", "1.5s", "25s", "2m", "90s". */
void dur_format(int64_t ms, char *buf, size_t len);

/* dur_format, returning buf: for the arguments of one printf. */
const char *dur_text(int64_t ms, char *buf, size_t len);

#endif
