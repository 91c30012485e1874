/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench.h - ism-bench: xen-ism measured against its limits and against
 * libxenvchan and TCP, between two guests, in one run.  See ism-bench(1).
 *
 * Two processes take part: the driver (--connect) runs every workload and
 * prints the results; the server (--listen) does the other half of each
 * workload when the driver asks (struct bench_page carries the commands).
 */
#ifndef ISM_BENCH_H
#define ISM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xenism.h>

/* Exit codes, as documented in ism-bench(1). */
enum {
	BENCH_EX_OK = 0,
	BENCH_EX_FAIL = 1,
	BENCH_EX_USAGE = 2,
	BENCH_EX_TIMEOUT = 3,
};

/* Workloads (--only). */
#define BENCH_W_RTT 0x1u
#define BENCH_W_STREAM 0x2u
#define BENCH_W_SETUP 0x4u
#define BENCH_W_BACKEND 0x8u
#define BENCH_W_ALL 0xfu /* the default: all of the above */
#define BENCH_W_SCALE 0x10u /* only when asked for */

#define BENCH_MAX_REPS 100
#define BENCH_TCP_PORT_DEFAULT 5001
#define BENCH_TIMEOUT_DEFAULT_S 120
#define BENCH_REPS_DEFAULT 5
/*
 * The stream's wait policy, in every variant that can spin: polls of the
 * other side's count before sleeping.  The wake-up is the expensive part
 * (a hypercall, a scheduler round trip, under emulation milliseconds); a
 * message of 64 KiB is tens of microseconds.
 */
#define BENCH_STREAM_SPIN 16384

/* The control channel's transport (--control; ctl.h). */
enum bench_control {
	BENCH_CONTROL_AUTO = 0, /* xen if its devices open, else ism */
	BENCH_CONTROL_XEN,
	BENCH_CONTROL_ISM,
};

struct bench_opts {
	bool listen;
	uint16_t peer_domid; /* --connect, or --listen's --peer (0: none) */
	enum bench_control control;
	uint32_t devid;
	const char *tcp_addr; /* NULL: no TCP baselines */
	uint16_t tcp_port;
	unsigned int reps;
	bool quick;
	unsigned int only; /* BENCH_W_* */
	const char *json_path;
	bool backend_sync;
	unsigned int timeout_s;
	bool help;
	bool version;
};

/* opts.c: 0, or -EINVAL with a message for the user in @err. */
int bench_opts_parse(int argc, char **argv, struct bench_opts *o, char *err,
		     size_t errlen);
extern const char bench_usage[];

/* pattern.c: payloads that tell their sequence number and every octet. */
void bench_pattern_fill(void *p, size_t len, uint64_t seq);
/* 0, or -EILSEQ if any octet differs from what fill wrote for @seq. */
int bench_pattern_check(const void *p, size_t len, uint64_t seq);

/* results.c: samples (one per repetition), ratios, table and JSON. */
struct bench_result {
	char name[40];
	const char *unit;
	double v[BENCH_MAX_REPS];
	unsigned int n;
	/* Not measured, and why (n is 0): shown as such, never as 0. */
	const char *why;
};

struct bench_summary {
	double median, min, max;
};

#define BENCH_RESULTS_MAX 128

struct bench_results {
	struct bench_result r[BENCH_RESULTS_MAX];
	unsigned int n;
};

int bench_result_add(struct bench_results *rs, const char *name,
		     const char *unit, double v);
/* A result this run cannot measure, and why (@why must outlive @rs):
 * once, whatever the repetitions; -EEXIST if it has samples. */
int bench_result_skip(struct bench_results *rs, const char *name,
		      const char *unit, const char *why);
const struct bench_result *bench_result_find(const struct bench_results *rs,
					     const char *name);
int bench_summarize(const double *v, unsigned int n, struct bench_summary *s);

/* A ratio of two results, taken per repetition, with its target. */
struct bench_ratio {
	const char *num, *den;
	char op; /* '<' at most, '>' at least, 0 for information */
	double target;
};

extern const struct bench_ratio bench_ratios[];
/* Per-repetition ratios of @q into @out (at most BENCH_MAX_REPS); count. */
unsigned int bench_ratio_values(const struct bench_results *rs,
				const struct bench_ratio *q, double *out);

struct bench_env {
	uint16_t self_domid, peer_domid;
	uint32_t devid;
	unsigned int reps;
	bool quick;
	bool fast_path;
	double clock_ns; /* cost of one clock_gettime() */
	uint32_t ring; /* the stream's ring in every variant; 0: no stream */
	char date[32];
	char kernel[80];
	/* libxenism's frontend measured, "user" or "kernel"; NULL when the
	 * guest has no kernel frontend (/dev/xen-ism): not shown. */
	const char *frontend;
	/* A frontend of libxenism not measured, and why (NULL: none). */
	const char *fe_missing, *fe_missing_why;
	/* The kernel frontend's pass: the userspace path's results of the
	 * same run, to compare with (NULL: no such pass). */
	const struct bench_results *user;
};

void bench_results_table(FILE *out, const struct bench_results *rs,
			 const struct bench_env *env);
int bench_results_json(FILE *out, const struct bench_results *rs,
		       const struct bench_env *env);

/* clock.c */
uint64_t bench_now_ns(void);
uint64_t bench_cpu_ns(void);
/* A timed span: its time and this process's CPU time in it. */
struct bench_span {
	uint64_t t0, c0;
};
void bench_span_start(struct bench_span *sp);
void bench_span_end(const struct bench_span *sp, uint64_t *ns,
		    uint64_t *cpu_ns);
double bench_clock_cost_ns(void);
/* Re-arm the watchdog: exit 3 naming @what after the timeout. */
void bench_watchdog(const char *what);
void bench_watchdog_init(unsigned int timeout_s);

#endif /* ISM_BENCH_H */
