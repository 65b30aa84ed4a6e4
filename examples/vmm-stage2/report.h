/*
 * report.h - test results and the end of the run.
 *
 * Every check prints exactly one line, "PASS <name>" or
 * "FAIL <name>: <details>"; a check that cannot run on this CPU prints
 * "SKIP <name>: <reason>".  The run ends with
 * "RESULT: <n> passed, <m> failed" and a PSCI SYSTEM_OFF.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>

bool check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pass(const char *name);
void skip(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the RESULT line and switch the machine off. */
void __attribute__((noreturn)) finish(void);
/* Count one failure with a message, then finish(). */
void __attribute__((noreturn)) vmm_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
