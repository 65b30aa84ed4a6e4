/* checks.h - PASS/FAIL bookkeeping.  Each check prints exactly one line. */
#ifndef CHECKS_H
#define CHECKS_H

#include <stdbool.h>

void check_begin(const char *name);
/* Records a failure of the current check (or prints a standalone FAIL line
 * if no check is open).  Only the first detail is printed. */
void check_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void check_end(void);
/* For errors that stop the guest: closes the open check (as failed) and
 * prints "FAIL vmm: <detail>" on its own line. */
void check_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "RESULT: <n> passed, <m> failed". */
void checks_summary(void);

#endif
