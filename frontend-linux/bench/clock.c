// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clock.c - time, and the watchdog that ends a run that stopped moving.
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static unsigned int watchdog_s;
static const char *volatile watchdog_what = "start";

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time this process used, user and system, in ns (0 if unknown). */
uint64_t bench_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) *
		       1000000000u +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) *
		       1000u;
}

void bench_span_start(struct bench_span *sp)
{
	sp->c0 = bench_cpu_ns();
	sp->t0 = bench_now_ns();
}

void bench_span_end(const struct bench_span *sp, uint64_t *ns, uint64_t *cpu_ns)
{
	*ns = bench_now_ns() - sp->t0;
	*cpu_ns = bench_cpu_ns() - sp->c0;
}

/* In a Xen PV guest under emulation a clock read is a slow system call:
 * the benchmarks time batches, and report what one read costs. */
double bench_clock_cost_ns(void)
{
	uint64_t t0 = bench_now_ns(), t1 = t0;
	unsigned int i;

	for (i = 0; i < 1000; i++)
		t1 = bench_now_ns();
	return (double)(t1 - t0) / 1000;
}

static void put(const char *s)
{
	(void)!write(STDERR_FILENO, s, strlen(s));
}

/* A signal handler: only async-signal-safe calls. */
static void watchdog_fire(int sig)
{
	(void)sig;
	put("ism-bench: timed out (--timeout) in ");
	put(watchdog_what);
	put("\n");
	_exit(BENCH_EX_TIMEOUT);
}

void bench_watchdog_init(unsigned int timeout_s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_fire;
	sigaction(SIGALRM, &sa, NULL);
	watchdog_s = timeout_s;
}

void bench_watchdog(const char *what)
{
	watchdog_what = what;
	alarm(watchdog_s);
}
