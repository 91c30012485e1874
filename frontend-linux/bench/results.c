// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * results.c - what ism-bench measured: one sample per result and
 * repetition, the ratios it is judged by (taken within each repetition,
 * then summarized), printed as a table and as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/*
 * The targets of issue 12, each on like-for-like figures: the same
 * messages, ring and wait policy in every variant of a workload, every
 * setup cycle ending with its teardown done.  '<' at most, '>' at least,
 * 0 for information.
 */
const struct bench_ratio bench_ratios[] = {
	{ "rtt.ism", "rtt.evtchn", '<', 1.1 },
	{ "rtt.ism", "rtt.tcp", '<', 0.3 },
	{ "rtt.evtchn-epoll", "rtt.evtchn", 0, 0 },
	{ "rtt.ism", "rtt.evtchn-epoll", 0, 0 },
	{ "rtt.vchan", "rtt.evtchn", 0, 0 },
	{ "rtt.tcp", "rtt.evtchn", 0, 0 },
	/* In place: what ISM users do, against what the others must do. */
	{ "stream.ism.65536", "stream.vchan.65536", '>', 1.5 },
	{ "stream.ism.65536", "stream.tcp.65536", '>', 15 },
	{ "stream.ism.65536", "stream.check.65536", 0, 0 },
	{ "stream.fill.65536", "stream.check.65536", 0, 0 },
	/* Copy in and out: the same semantics as libxenvchan and TCP. */
	{ "stream.ism-copy.65536", "stream.vchan.65536", '>', 1.0 },
	{ "stream.ism-copy.65536", "stream.tcp.65536", 0, 0 },
	{ "stream.ism-copy.65536", "stream.memcpy.65536", 0, 0 },
	{ "stream.vchan.65536", "stream.memcpy.65536", 0, 0 },
	{ "stream.ism.4096", "stream.vchan.4096", 0, 0 },
	{ "stream.ism-copy.4096", "stream.vchan.4096", 0, 0 },
	{ "stream.ism.64", "stream.vchan.64", 0, 0 },
	{ "stream.ism-copy.64", "stream.vchan.64", 0, 0 },
	{ "setup.ism.1048576", "setup.grant.1048576", '<', 1.5 },
	{ "setup.ism.1048576", "setup.vchan.1048576", '<', 0.5 },
	{ "setup.vchan.1048576", "setup.grant.1048576", 0, 0 },
	{ "setup.ism.65536", "setup.grant.65536", 0, 0 },
	{ "setup.ism.65536", "setup.vchan.65536", 0, 0 },
	{ "rtt.ism-relay", "rtt.ism-fastpath", 0, 0 },
	{ NULL, NULL, 0, 0 },
};

int bench_result_add(struct bench_results *rs, const char *name,
		     const char *unit, double v)
{
	struct bench_result *r =
		(struct bench_result *)bench_result_find(rs, name);

	if (!r) {
		if (rs->n == BENCH_RESULTS_MAX ||
		    strlen(name) >= sizeof(r->name))
			return -ENOSPC;
		r = &rs->r[rs->n++];
		memset(r, 0, sizeof(*r));
		strcpy(r->name, name);
		r->unit = unit;
	}
	if (r->why)
		return -EEXIST;
	if (r->n == BENCH_MAX_REPS)
		return -ENOSPC;
	r->v[r->n++] = v;
	return 0;
}

int bench_result_skip(struct bench_results *rs, const char *name,
		      const char *unit, const char *why)
{
	struct bench_result *r =
		(struct bench_result *)bench_result_find(rs, name);

	if (r)
		return r->n ? -EEXIST : 0;
	if (rs->n == BENCH_RESULTS_MAX || strlen(name) >= sizeof(r->name))
		return -ENOSPC;
	r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->unit = unit;
	r->why = why && *why ? why : "not available";
	return 0;
}

const struct bench_result *bench_result_find(const struct bench_results *rs,
					     const char *name)
{
	unsigned int i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].name, name))
			return &rs->r[i];
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int bench_summarize(const double *v, unsigned int n, struct bench_summary *s)
{
	double sorted[BENCH_MAX_REPS];

	if (!n || n > BENCH_MAX_REPS)
		return -EINVAL;
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = n % 2 ? sorted[n / 2] :
			    (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	return 0;
}

/*
 * The kernel frontend against the userspace path of the same run (they
 * take turns in each repetition), repetition by repetition; issue 14's
 * target: setup no slower.
 */
static const struct bench_ratio against_user[] = {
	{ "rtt.ism", "rtt.ism", 0, 0 },
	{ "cpu.rtt.ism", "cpu.rtt.ism", 0, 0 },
	{ "stream.ism.65536", "stream.ism.65536", 0, 0 },
	{ "stream.ism-copy.65536", "stream.ism-copy.65536", 0, 0 },
	{ "setup.ism.65536", "setup.ism.65536", '<', 1.0 },
	{ "setup.ism.1048576", "setup.ism.1048576", '<', 1.0 },
	{ NULL, NULL, 0, 0 },
};

/* Per-repetition ratios of @q, its numerator from @a, denominator from @b. */
static unsigned int ratio_values(const struct bench_results *a,
				 const struct bench_results *b,
				 const struct bench_ratio *q, double *out)
{
	const struct bench_result *x = bench_result_find(a, q->num),
				  *y = bench_result_find(b, q->den);
	unsigned int i, n = 0;

	if (!x || !y)
		return 0;
	for (i = 0; i < x->n && i < y->n; i++)
		if (y->v[i] > 0)
			out[n++] = x->v[i] / y->v[i];
	return n;
}

unsigned int bench_ratio_values(const struct bench_results *rs,
				const struct bench_ratio *q, double *out)
{
	return ratio_values(rs, rs, q, out);
}

/* Why a ratio of two results that are there cannot be taken: one of them
 * was not measured (NULL: both were, or one is not there at all). */
static const struct bench_result *ratio_missing(const struct bench_results *a,
						const struct bench_results *b,
						const struct bench_ratio *q)
{
	const struct bench_result *x = bench_result_find(a, q->num),
				  *y = bench_result_find(b, q->den);

	if (!x || !y)
		return NULL;
	return x->why ? x : y->why ? y : NULL;
}

static bool ratio_met(const struct bench_ratio *q, double median)
{
	return q->op == '<' ? median <= q->target : median >= q->target;
}

/* What a result is, for the table. */
static const char *describe(const char *name)
{
	static const struct {
		const char *prefix, *what;
	} d[] = {
		{ "rtt.evtchn-epoll", "raw channel, epoll first" },
		{ "rtt.evtchn", "raw event channel (limit)" },
		{ "rtt.ism-relay", "xen-ism via the backend" },
		{ "rtt.ism-fastpath", "xen-ism, backend phase" },
		{ "rtt.ism", "xen-ism" },
		{ "rtt.vchan", "libxenvchan" },
		{ "rtt.tcp", "TCP over netfront" },
		{ "cpu.rtt", "its CPU per round trip, driver" },
		{ "stream.memcpy", "memcpy in one guest (for copy)" },
		{ "stream.fill", "payload fill alone, one guest" },
		{ "stream.check", "payload check alone, one guest" },
		{ "stream.ism-copy", "xen-ism, copy in and out" },
		{ "stream.ism", "xen-ism, in place" },
		{ "stream.vchan", "libxenvchan, copy in and out" },
		{ "stream.tcp", "TCP over netfront" },
		{ "setup.ism.request", "one request to the backend" },
		{ "setup.grant", "raw grant cycle (limit)" },
		{ "setup.ism", "xen-ism region cycle" },
		{ "setup.vchan", "libxenvchan connect + close" },
		{ "sleeps.", "ring sleeps per 1000 messages" },
		{ "scale.rtt", "xen-ism round trip, this pair" },
		{ "scale.stream", "64 KiB in place, this pair" },
		{ "scale.notify", "notifications, both sides" },
	};
	unsigned int i, dots = 0;

	for (i = 0; name[i]; i++)
		dots += name[i] == '.';
	if (!strncmp(name, "setup.", 6) && dots == 3)
		return "one step, per cycle";
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (!strncmp(name, d[i].prefix, strlen(d[i].prefix)))
			return d[i].what;
	return "";
}

/* A table's ratios @qs, each numerator from @a, denominator from @b. */
static void ratio_rows(FILE *out, const char *title,
		       const struct bench_ratio *qs,
		       const struct bench_results *a,
		       const struct bench_results *b, const char *suffix)
{
	double v[BENCH_MAX_REPS];
	const struct bench_ratio *q;
	struct bench_summary s;
	char name[96], target[24];
	unsigned int n;

	fprintf(out, "\n%-45s %8s %8s %8s %8s %4s\n", title, "median", "min",
		"max", "target", "met");
	for (q = qs; q->num; q++) {
		if (a == b)
			snprintf(name, sizeof(name), "%s / %s", q->num, q->den);
		else
			snprintf(name, sizeof(name), "%s%s", q->num, suffix);
		snprintf(target, sizeof(target), "%s %.2f",
			 q->op == '<' ? "<=" : ">=", q->target);
		if (ratio_missing(a, b, q)) {
			fprintf(out, "%-45s %8s %8s %8s %8s %4s\n", name, "n/a",
				"n/a", "n/a", q->op ? target : "-",
				q->op ? "n/a" : "-");
			continue;
		}
		n = ratio_values(a, b, q, v);
		if (!n || bench_summarize(v, n, &s))
			continue;
		fprintf(out, "%-45s %8.3f %8.3f %8.3f %8s %4s\n", name,
			s.median, s.min, s.max, q->op ? target : "-",
			!q->op		       ? "-" :
			ratio_met(q, s.median) ? "yes" :
						 "NO");
	}
}

void bench_results_table(FILE *out, const struct bench_results *rs,
			 const struct bench_env *env)
{
	struct bench_summary s;
	unsigned int i;

	fprintf(out,
		"ism-bench %s: domain %u -> domain %u, ism device %u, "
		"%u repetition%s%s, fast path %s, clock read %.1f us\n",
		env->date, env->self_domid, env->peer_domid, env->devid,
		env->reps, env->reps == 1 ? "" : "s",
		env->quick ? " (quick)" : "", env->fast_path ? "on" : "off",
		env->clock_ns / 1000);
	if (env->frontend)
		fprintf(out, "frontend: %s (libxenism over %s)\n",
			env->frontend,
			strcmp(env->frontend, "kernel") ?
				"its userspace protocol implementation" :
				"the kernel frontend's /dev/xen-ism");
	if (env->fe_missing)
		fprintf(out, "frontend: %s not measured: %s\n", env->fe_missing,
			env->fe_missing_why);
	if (env->ring)
		fprintf(out,
			"stream: every variant through a %u KiB ring; xen-ism "
			"and libxenvchan poll %u times, then sleep\n",
			env->ring >> 10, BENCH_STREAM_SPIN);
	fprintf(out, "\n%-24s %-30s %-6s %10s %10s %10s\n", "result", "what",
		"unit", "median", "min", "max");
	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].why) {
			fprintf(out,
				"%-24s %-30s %-6s %10s %10s %10s  not measured: "
				"%s\n",
				rs->r[i].name, describe(rs->r[i].name),
				rs->r[i].unit, "n/a", "n/a", "n/a",
				rs->r[i].why);
			continue;
		}
		if (bench_summarize(rs->r[i].v, rs->r[i].n, &s))
			continue;
		fprintf(out, "%-24s %-30s %-6s %10.2f %10.2f %10.2f\n",
			rs->r[i].name, describe(rs->r[i].name), rs->r[i].unit,
			s.median, s.min, s.max);
	}
	ratio_rows(out, "ratio (per repetition)", bench_ratios, rs, rs, "");
	if (env->user)
		ratio_rows(out, "kernel frontend / userspace path",
			   against_user, rs, env->user, " (kernel / user)");
}

static void json_samples(FILE *out, const double *v, unsigned int n)
{
	unsigned int i;

	fputc('[', out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%.4f", i ? ", " : "", v[i]);
	fputc(']', out);
}

/* The JSON objects of ratios @qs, each numerator from @a, denominator from @b. */
static void ratio_json(FILE *out, const struct bench_ratio *qs,
		       const struct bench_results *a,
		       const struct bench_results *b)
{
	const struct bench_result *miss;
	double v[BENCH_MAX_REPS];
	const struct bench_ratio *q;
	struct bench_summary s;
	char name[96];
	bool first = true;
	unsigned int n;

	for (q = qs; q->num; q++) {
		if (a == b)
			snprintf(name, sizeof(name), "%s / %s", q->num, q->den);
		else
			snprintf(name, sizeof(name), "%s", q->num);
		miss = ratio_missing(a, b, q);
		if (miss) {
			fprintf(out,
				"%s\n    {\"name\": \"%s\", \"median\": null, "
				"\"min\": null, \"max\": null, ",
				first ? "" : ",", name);
			if (q->op)
				fprintf(out,
					"\"target\": \"%s %g\", \"met\": null, ",
					q->op == '<' ? "<=" : ">=", q->target);
			fprintf(out,
				"\"samples\": [], \"not_measured\": \"%s: %s\"}",
				miss->name, miss->why);
			first = false;
			continue;
		}
		n = ratio_values(a, b, q, v);
		if (!n || bench_summarize(v, n, &s))
			continue;
		fprintf(out,
			"%s\n    {\"name\": \"%s\", \"median\": %.4f, "
			"\"min\": %.4f, \"max\": %.4f, ",
			first ? "" : ",", name, s.median, s.min, s.max);
		if (q->op)
			fprintf(out, "\"target\": \"%s %g\", \"met\": %s, ",
				q->op == '<' ? "<=" : ">=", q->target,
				ratio_met(q, s.median) ? "true" : "false");
		fputs("\"samples\": ", out);
		json_samples(out, v, n);
		fputc('}', out);
		first = false;
	}
}

int bench_results_json(FILE *out, const struct bench_results *rs,
		       const struct bench_env *env)
{
	struct bench_summary s;
	unsigned int i;

	fprintf(out,
		"{\n  \"tool\": \"ism-bench\",\n  \"date\": \"%s\",\n"
		"  \"env\": {\"domid\": %u, \"peer_domid\": %u, \"devid\": %u, "
		"\"reps\": %u, \"quick\": %s, \"fast_path\": %s, "
		"\"clock_ns\": %.1f, \"kernel\": \"%s\", \"stream_ring\": %u, "
		"\"stream_spin\": %u%s%s%s",
		env->date, env->self_domid, env->peer_domid, env->devid,
		env->reps, env->quick ? "true" : "false",
		env->fast_path ? "true" : "false", env->clock_ns, env->kernel,
		env->ring, BENCH_STREAM_SPIN,
		env->frontend ? ", \"frontend\": \"" : "",
		env->frontend ? env->frontend : "", env->frontend ? "\"" : "");
	if (env->fe_missing)
		fprintf(out,
			", \"frontend_not_measured\": {\"frontend\": \"%s\", "
			"\"reason\": \"%s\"}",
			env->fe_missing, env->fe_missing_why);
	fputs("},\n  \"results\": [", out);
	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].why) {
			fprintf(out,
				"%s\n    {\"name\": \"%s\", \"unit\": \"%s\", "
				"\"median\": null, \"min\": null, \"max\": null, "
				"\"samples\": [], \"not_measured\": \"%s\"}",
				i ? "," : "", rs->r[i].name, rs->r[i].unit,
				rs->r[i].why);
			continue;
		}
		if (bench_summarize(rs->r[i].v, rs->r[i].n, &s))
			continue;
		fprintf(out,
			"%s\n    {\"name\": \"%s\", \"unit\": \"%s\", "
			"\"median\": %.4f, \"min\": %.4f, \"max\": %.4f, "
			"\"samples\": ",
			i ? "," : "", rs->r[i].name, rs->r[i].unit, s.median,
			s.min, s.max);
		json_samples(out, rs->r[i].v, rs->r[i].n);
		fputc('}', out);
	}
	fputs("\n  ],\n  \"ratios\": [", out);
	ratio_json(out, bench_ratios, rs, rs);
	if (env->user) {
		fputs("\n  ],\n  \"against_user\": [", out);
		ratio_json(out, against_user, rs, env->user);
	}
	fputs("\n  ]\n}\n", out);
	return ferror(out) ? -EIO : 0;
}
