/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal TAP producer for the C unit tests (automake's tap-driver.sh
 * reads it).  Usage:
 *
 *	tap_plan(3);
 *	tap_ok(x == 1, "x is one");
 *	tap_is_int(rc, -EINVAL, "bad size is refused");
 *	tap_skip(1, "needs root");
 *	return tap_done();
 *
 * A test that cannot run at all prints "1..0 # SKIP <reason>" with
 * tap_skip_all() and exits 0.
 */
#ifndef ISM_TESTS_TAP_H
#define ISM_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_state {
	int planned;
	int run;
	int failed;
};

extern struct tap_state tap_state;

/* Define the state once, in the file that holds main(). */
#define TAP_MAIN struct tap_state tap_state

static inline void tap_plan(int n)
{
	tap_state.planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline __attribute__((format(printf, 1, 2))) void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline __attribute__((format(printf, 2, 3))) int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_state.run++;
	if (!cond)
		tap_state.failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_state.run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

#define tap_is_int(got, want, ...)                                        \
	({                                                                \
		long long tap_g_ = (got), tap_w_ = (want);                \
		int tap_r_ = tap_ok(tap_g_ == tap_w_, __VA_ARGS__);       \
		if (!tap_r_)                                              \
			tap_diag("  got %lld, want %lld (%s:%d)", tap_g_, \
				 tap_w_, __FILE__, __LINE__);             \
		tap_r_;                                                   \
	})

#define tap_is_str(got, want, ...)                                          \
	({                                                                  \
		const char *tap_g_ = (got), *tap_w_ = (want);               \
		int tap_r_ =                                                \
			tap_ok(tap_g_ && tap_w_ && !strcmp(tap_g_, tap_w_), \
			       __VA_ARGS__);                                \
		if (!tap_r_)                                                \
			tap_diag("  got \"%s\", want \"%s\" (%s:%d)",       \
				 tap_g_ ? tap_g_ : "(null)",                \
				 tap_w_ ? tap_w_ : "(null)", __FILE__,      \
				 __LINE__);                                 \
		tap_r_;                                                     \
	})

static inline void tap_skip(int n, const char *reason)
{
	while (n-- > 0) {
		tap_state.run++;
		printf("ok %d # SKIP %s\n", tap_state.run, reason);
	}
	fflush(stdout);
}

static inline void tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
	fflush(stdout);
}

/* Returns the exit status for main(): 0 only if all planned tests passed. */
static inline int tap_done(void)
{
	if (tap_state.run != tap_state.planned) {
		tap_diag("planned %d tests but ran %d", tap_state.planned,
			 tap_state.run);
		return 1;
	}
	return tap_state.failed ? 1 : 0;
}

#endif /* ISM_TESTS_TAP_H */
