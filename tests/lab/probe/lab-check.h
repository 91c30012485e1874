/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab-check.h - how the lab's checking programs report: one line
 * "ok - what" or "not ok - what" per check, which the scenario turns into
 * a test; failures counts the "not ok" ones.
 */
#ifndef LAB_CHECK_H
#define LAB_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

static __attribute__((format(printf, 2, 3))) void check(bool ok,
							const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		failures++;
	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#endif /* LAB_CHECK_H */
