#ifndef DRAINIT_UNIT_SUITES_H
#define DRAINIT_UNIT_SUITES_H

#include <check.h>

/* One suite per module of init/; run.c runs them all. */
Suite *dur_suite(void);
Suite *sig_suite(void);
Suite *opt_suite(void);
Suite *state_suite(void);
Suite *child_suite(void);
Suite *ready_suite(void);
Suite *log_suite(void);
Suite *plan_suite(void);
Suite *proc_suite(void);
Suite *probe_suite(void);
Suite *cond_suite(void);
Suite *caps_suite(void);
Suite *user_suite(void);
Suite *inspect_suite(void);
Suite *opt_inspect_suite(void);
Suite *plancmd_suite(void);
Suite *script_suite(void);
Suite *httpd_suite(void);

#endif
