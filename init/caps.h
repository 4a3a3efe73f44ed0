#ifndef DRAINIT_CAPS_H
#define DRAINIT_CAPS_H

#include "log.h"

/* Logs drainit's own capability sets at debug level. */
void caps_log(struct log *l);

#endif
