#ifndef DRAINIT_DUR_H
#define DRAINIT_DUR_H

#include <stddef.h>
#include <stdint.h>

/* Durations are whole milliseconds. The longest accepted is a year. */
#define DUR_MAX_MS (365LL * 24 * 3600 * 1000)

/* Parses "500ms", "15s", "1.5s", "2m", "1h" or plain seconds ("10").
 * Returns 0, or -1 with a reason in err. */
int dur_parse(const char *s, int64_t *ms, char *err, size_t errlen);

/* Writes the shortest exact form: "0s", "250ms", "1.5s", "25s", "2m", "90s". */
void dur_format(int64_t ms, char *buf, size_t len);

#endif
