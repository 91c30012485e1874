// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-bench.c - ism-bench's pure parts: options, payload patterns,
 * summaries, ratios and their targets, table and JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tap.h"

TAP_MAIN;

static int parse(struct bench_opts *o, char *err, ...)
{
	char *argv[16] = { "ism-bench" };
	int argc = 1;
	va_list ap;

	va_start(ap, err);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	err[0] = 0;
	return bench_opts_parse(argc, argv, o, err, 160);
}

static void test_opts(void)
{
	struct bench_opts o;
	char err[160];

	tap_is_int(parse(&o, err, "--listen", NULL), 0, "--listen parses");
	tap_ok(o.listen && o.tcp_port == 5001 && o.timeout_s == 120,
	       "server defaults: TCP port 5001, timeout 120 s");
	tap_is_int(parse(&o, err, "--connect", "7", "--tcp", "169.254.77.10",
			 "--reps", "3", "--json", "/tmp/x.json",
			 "--backend-sync", NULL),
		   0, "a full driver command line parses");
	tap_ok(!o.listen && o.peer_domid == 7 && o.reps == 3 &&
		       !strcmp(o.tcp_addr, "169.254.77.10") &&
		       !strcmp(o.json_path, "/tmp/x.json") && o.backend_sync &&
		       o.only == BENCH_W_ALL,
	       "driver options are kept");
	tap_is_int(parse(&o, err, "--connect", "7", "--quick", "--reps", "9",
			 NULL),
		   0, "--quick parses");
	tap_ok(o.quick && o.reps == 1, "--quick means one repetition");
	tap_is_int(parse(&o, err, "-c", "7", "--only", "rtt,setup", NULL), 0,
		   "--only with two workloads");
	tap_is_int((int)o.only, (int)(BENCH_W_RTT | BENCH_W_SETUP),
		   "--only selects exactly those");
	tap_is_int(parse(&o, err, "-c", "7", "--only", "rtt,bogus", NULL),
		   -EINVAL, "--only refuses an unknown workload");
	tap_ok(strstr(err, "bogus") != NULL, "and names it: %s", err);
	tap_is_int(parse(&o, err, NULL), -EINVAL, "no role is refused");
	tap_is_int(parse(&o, err, "--listen", "--connect", "3", NULL), -EINVAL,
		   "both roles are refused");
	tap_is_int(parse(&o, err, "--listen", "--reps", "3", NULL), -EINVAL,
		   "driver options with --listen are refused");
	tap_is_int(parse(&o, err, "-c", "0", NULL), -EINVAL,
		   "domain 0 is not a guest to connect to");
	tap_is_int(parse(&o, err, "-c", "7", "--reps", "101", NULL), -EINVAL,
		   "more than 100 repetitions are refused");
	tap_is_int(parse(&o, err, "-c", "7", "--reps", "-1", NULL), -EINVAL,
		   "a negative count is refused");
	tap_is_int(parse(&o, err, "-c", "7", "--timeout", NULL), -EINVAL,
		   "a missing value is refused");
	tap_is_int(parse(&o, err, "-c", "7", "extra", NULL), -EINVAL,
		   "a stray argument is refused");
	tap_is_int(parse(&o, err, "--help", NULL), 0, "--help parses");
	tap_ok(o.help, "--help is seen");
}

/* --control and --peer: the transport of the control channel. */
static void test_opts_control(void)
{
	struct bench_opts o;
	char err[160];

	tap_is_int(parse(&o, err, "-c", "7", NULL), 0, "a plain driver");
	tap_ok(o.control == BENCH_CONTROL_AUTO,
	       "the control channel is chosen at run time by default");
	tap_is_int(parse(&o, err, "-c", "7", "--control=xen", NULL), 0,
		   "--control=xen parses");
	tap_ok(o.control == BENCH_CONTROL_XEN, "and is kept");
	tap_is_int(parse(&o, err, "-c", "7", "--control", "ism", NULL), 0,
		   "--control ism parses");
	tap_ok(o.control == BENCH_CONTROL_ISM && o.peer_domid == 7,
	       "and is kept, beside --connect's domain");
	tap_is_int(parse(&o, err, "-c", "7", "--control=auto", NULL), 0,
		   "--control=auto parses");
	tap_is_int(parse(&o, err, "-c", "7", "--control=tcp", NULL), -EINVAL,
		   "an unknown transport is refused");
	tap_ok(strstr(err, "'tcp'") && strstr(err, "xen, ism or auto"),
	       "and the message names it and the choices: %s", err);
	tap_is_int(parse(&o, err, "--listen", "--peer", "5", NULL), 0,
		   "--listen --peer parses");
	tap_ok(o.listen && o.peer_domid == 5, "the server knows its driver");
	tap_is_int(parse(&o, err, "-l", "-p", "5", "--control=ism", NULL), 0,
		   "--listen -p with --control=ism parses");
	tap_is_int(parse(&o, err, "--listen", "--control=ism", NULL), -EINVAL,
		   "--control=ism: a server without --peer is refused");
	tap_ok(strstr(err, "--peer DOMID") != NULL,
	       "and told what it needs: %s", err);
	tap_is_int(parse(&o, err, "--listen", NULL), 0,
		   "auto: --listen alone parses (xen needs no --peer)");
	tap_ok(o.peer_domid == 0, "and has no peer");
	tap_is_int(parse(&o, err, "-c", "7", "--peer", "5", NULL), -EINVAL,
		   "--peer with --connect is refused");
	tap_ok(strstr(err, "--peer goes with --listen") != NULL,
	       "with a message: %s", err);
	tap_is_int(parse(&o, err, "-l", "--peer", "0", NULL), -EINVAL,
		   "--peer 0 is refused");
	tap_is_int(parse(&o, err, "-c", "7", "--control=ism", "--backend-sync",
			 NULL),
		   -EINVAL, "--backend-sync with --control=ism is refused");
	tap_ok(strstr(err, "xenstore") != NULL, "it needs xenstore: %s", err);
	tap_ok(strstr(bench_usage, "--control=HOW") &&
		       strstr(bench_usage, "--peer=DOMID"),
	       "--help names --control and --peer");
}

static void test_pattern(void)
{
	static const size_t lens[] = { 64, 4096, 65536 };
	unsigned char *p = malloc(65536 + 1);
	unsigned int i;
	size_t off;

	for (i = 0; i < 3; i++) {
		/* Unaligned on purpose: messages sit anywhere in a ring. */
		bench_pattern_fill(p + 1, lens[i], 42);
		tap_is_int(bench_pattern_check(p + 1, lens[i], 42), 0,
			   "a %zu-octet message checks", lens[i]);
		tap_is_int(bench_pattern_check(p + 1, lens[i], 43), -EILSEQ,
			   "as another message it does not");
		off = lens[i] - 1;
		p[1 + off] ^= 0x80;
		tap_is_int(bench_pattern_check(p + 1, lens[i], 42), -EILSEQ,
			   "one flipped bit in its last octet is found");
		p[1 + off] ^= 0x80;
		p[1] ^= 1;
		tap_is_int(bench_pattern_check(p + 1, lens[i], 42), -EILSEQ,
			   "and in its first octet");
	}
	bench_pattern_fill(p, 4096, 7);
	memcpy(p + 4096 - 64, p, 64);
	tap_is_int(bench_pattern_check(p, 4096, 7), -EILSEQ,
		   "a line of the message at another place is found");
	memset(p, 0, 64);
	tap_is_int(bench_pattern_check(p, 64, 0), -EILSEQ,
		   "zeroed memory is not message 0");
	free(p);
}

static void test_summary(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	struct bench_summary s;

	tap_is_int(bench_summarize(odd, 3, &s), 0, "three samples summarize");
	tap_ok(s.median == 3 && s.min == 1 && s.max == 5,
	       "median 3, min 1, max 5");
	tap_ok(odd[0] == 5, "the samples keep their order");
	bench_summarize(even, 4, &s);
	tap_ok(s.median == 2.5, "an even count takes the middle two");
	tap_is_int(bench_summarize(even, 0, &s), -EINVAL, "none is refused");
}

static struct bench_results rs;

static void test_ratios(void)
{
	const struct bench_ratio q = { "a", "b", '<', 1.1 };
	double v[BENCH_MAX_REPS];

	memset(&rs, 0, sizeof(rs));
	bench_result_add(&rs, "a", "us", 10);
	bench_result_add(&rs, "a", "us", 30);
	bench_result_add(&rs, "b", "us", 20);
	bench_result_add(&rs, "b", "us", 20);
	tap_is_int((int)bench_ratio_values(&rs, &q, v), 2,
		   "a ratio per repetition");
	tap_ok(v[0] == 0.5 && v[1] == 1.5, "each of the same repetition");
	tap_is_int((int)bench_ratio_values(
			   &rs, &(struct bench_ratio){ "a", "none", 0, 0 }, v),
		   0, "a missing result gives no ratio");
	tap_is_int(bench_result_add(
			   &rs,
			   "a-name-much-too-long-for-the-table-and-the-json",
			   "us", 1),
		   -ENOSPC, "an overlong name is refused");
	tap_is_int(bench_result_skip(&rs, "c", "us", "needs root"), 0,
		   "a result not measured is added");
	tap_is_int(bench_result_skip(&rs, "c", "us", "needs root"), 0,
		   "again (the next repetition): still once");
	tap_ok(bench_result_find(&rs, "c") && !bench_result_find(&rs, "c")->n &&
		       !strcmp(bench_result_find(&rs, "c")->why, "needs root"),
	       "it has no sample and says why");
	tap_is_int(bench_result_add(&rs, "c", "us", 1), -EEXIST,
		   "no sample is added to it");
	tap_is_int(bench_result_skip(&rs, "a", "us", "needs root"), -EEXIST,
		   "a measured result cannot become not measured");
	tap_is_int((int)bench_ratio_values(
			   &rs, &(struct bench_ratio){ "a", "c", 0, 0 }, v),
		   0, "a ratio to it has no value");
}

static char *capture(int json, const struct bench_env *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		bench_results_json(f, &rs, env);
	else
		bench_results_table(f, &rs, env);
	fclose(f);
	return buf;
}

static void test_output(void)
{
	struct bench_env env = { .self_domid = 2,
				 .peer_domid = 1,
				 .reps = 2,
				 .fast_path = true,
				 .clock_ns = 35000,
				 .date = "2026-11-22T06:00:00Z",
				 .kernel = "6.1.0" };
	char *t;

	memset(&rs, 0, sizeof(rs));
	bench_result_add(&rs, "rtt.evtchn", "us", 800);
	bench_result_add(&rs, "rtt.evtchn", "us", 1000);
	bench_result_add(&rs, "rtt.ism", "us", 840);
	bench_result_add(&rs, "rtt.ism", "us", 1200);
	t = capture(0, &env);
	tap_ok(strstr(t, "rtt.ism / rtt.evtchn") && strstr(t, "1.125") &&
		       strstr(t, "<= 1.10") && strstr(t, " NO"),
	       "the table shows the ratio's median 1.125 against <= 1.1, "
	       "not met");
	tap_ok(strstr(t, "raw event channel (limit)") != NULL,
	       "and says what each result is");
	tap_ok(!strstr(t, "rtt.tcp"), "ratios of missing results are left out");
	free(t);
	t = capture(1, &env);
	tap_ok(strstr(t, "\"name\": \"rtt.ism\", \"unit\": \"us\", "
			 "\"median\": 1020.0000") != NULL,
	       "the JSON has the result's median");
	tap_ok(strstr(t, "\"target\": \"<= 1.1\", \"met\": false") != NULL,
	       "and the ratio's target, not met");
	tap_ok(strstr(t, "\"samples\": [800.0000, 1000.0000]") != NULL,
	       "and every sample");
	tap_ok(!strstr(t, "frontend"),
	       "no kernel frontend: the JSON names none");
	free(t);
	t = capture(0, &env);
	tap_ok(!strstr(t, "frontend"),
	       "no kernel frontend: the table names none (as before)");
	free(t);
	env.frontend = "kernel";
	t = capture(0, &env);
	tap_ok(strstr(t, "\nfrontend: kernel (libxenism over the kernel "
			 "frontend's /dev/xen-ism)\n") != NULL,
	       "the table says it measured the kernel frontend");
	free(t);
	env.frontend = "user";
	t = capture(1, &env);
	tap_ok(strstr(t, "\"stream_spin\": 16384, \"frontend\": \"user\"}") !=
		       NULL,
	       "the JSON's env names the user frontend");
	free(t);
}

/*
 * A run without root: the raw baselines and libxenvchan not measured, the
 * userspace frontend not either; TCP and xen-ism measured.
 */
static void test_output_missing(void)
{
	static const char why[] =
		"needs root: xenstore (/dev/xen/xenbus) (Permission denied)";
	struct bench_env env = { .self_domid = 2,
				 .peer_domid = 1,
				 .reps = 2,
				 .fast_path = true,
				 .clock_ns = 35000,
				 .date = "2026-11-22T06:00:00Z",
				 .kernel = "6.1.0",
				 .frontend = "kernel",
				 .fe_missing = "user",
				 .fe_missing_why =
					 "needs root: the Xen devices "
					 "(Permission denied)" };
	char *t, *line;

	memset(&rs, 0, sizeof(rs));
	bench_result_skip(&rs, "rtt.evtchn", "us", why);
	bench_result_add(&rs, "rtt.ism", "us", 840);
	bench_result_add(&rs, "rtt.tcp", "us", 2800);
	bench_result_skip(&rs, "rtt.vchan", "us", why);
	bench_result_skip(&rs, "rtt.evtchn", "us", why);
	bench_result_add(&rs, "rtt.ism", "us", 1200);
	bench_result_add(&rs, "rtt.tcp", "us", 4000);
	t = capture(0, &env);
	line = strstr(t, "\nrtt.evtchn ");
	tap_ok(line && strstr(line, "raw event channel (limit)") &&
		       strstr(line, " us ") &&
		       strstr(line, "n/a        n/a        n/a  not measured: "
				    "needs root: xenstore") &&
		       strchr(line + 1, '\n') > strstr(line, "not measured"),
	       "a result not measured is a row of n/a with its reason, "
	       "never a 0");
	tap_ok(!strstr(t, " 0.00 "), "no result shows as zero");
	tap_ok(strstr(t, "\nrtt.ism ") && strstr(t, "1020.00"),
	       "a measured result is as before");
	tap_ok(strstr(t, "\nrtt.ism / rtt.evtchn                               "
			 "n/a      n/a      n/a  <= 1.10  n/a\n") != NULL,
	       "a ratio to a result not measured is n/a in its columns, its "
	       "target kept");
	line = strstr(t, "\nrtt.ism / rtt.tcp ");
	tap_ok(line && strstr(line, "0.300") && strstr(line, "<= 0.30"),
	       "a ratio of two measured results is as before");
	tap_ok(strstr(t, "\nrtt.vchan / rtt.evtchn ") &&
		       strstr(t, "\nrtt.tcp / rtt.evtchn "),
	       "ratios for information are n/a too");
	tap_ok(!strstr(t, "rtt.evtchn-epoll"),
	       "a result not asked for stays left out");
	tap_ok(strstr(t, "\nfrontend: kernel (") &&
		       strstr(t, "\nfrontend: user not measured: needs root: "
				 "the Xen devices (Permission denied)\n"),
	       "the header says which frontend was not measured and why");
	free(t);
	t = capture(1, &env);
	tap_ok(strstr(t, "{\"name\": \"rtt.evtchn\", \"unit\": \"us\", "
			 "\"median\": null, \"min\": null, \"max\": null, "
			 "\"samples\": [], \"not_measured\": \"needs root: "
			 "xenstore (/dev/xen/xenbus) (Permission denied)\"}") !=
		       NULL,
	       "the JSON has the result, not measured, with its reason");
	tap_ok(strstr(t,
		      "{\"name\": \"rtt.ism / rtt.evtchn\", \"median\": "
		      "null, \"min\": null, \"max\": null, \"target\": "
		      "\"<= 1.1\", \"met\": null, \"samples\": [], "
		      "\"not_measured\": \"rtt.evtchn: needs root: ") != NULL,
	       "and the ratio, not measured, with the result it lacks");
	tap_ok(strstr(t, "\"frontend\": \"kernel\", \"frontend_not_measured\": "
			 "{\"frontend\": \"user\", \"reason\": \"needs root: "
			 "the Xen devices (Permission denied)\"}},") != NULL,
	       "and its env the frontend not measured, with the reason");
	tap_ok(strstr(t, "\"name\": \"rtt.ism / rtt.tcp\", \"median\": "
			 "0.3000") != NULL,
	       "a ratio of two measured results is as before");
	free(t);
}

/*
 * Two passes: the kernel frontend's table and JSON compare it with the
 * userspace path's, repetition by repetition, setup against "no slower".
 */
static void test_output_against_user(void)
{
	static struct bench_results user;
	struct bench_env env = { .self_domid = 2,
				 .peer_domid = 1,
				 .reps = 2,
				 .fast_path = true,
				 .clock_ns = 35000,
				 .date = "2026-12-05T22:00:00Z",
				 .kernel = "6.1.0",
				 .frontend = "kernel" };
	char *t, *line;

	memset(&user, 0, sizeof(user));
	bench_result_add(&user, "setup.ism.1048576", "ms", 20);
	bench_result_add(&user, "setup.ism.1048576", "ms", 10);
	bench_result_add(&user, "setup.ism.65536", "ms", 10);
	bench_result_add(&user, "setup.ism.65536", "ms", 10);
	bench_result_skip(&user, "rtt.ism", "us", "needs root");
	memset(&rs, 0, sizeof(rs));
	/* Per repetition 0.9 and 1.2: median 1.05 (not 30 / 30 = 1). */
	bench_result_add(&rs, "setup.ism.1048576", "ms", 18);
	bench_result_add(&rs, "setup.ism.1048576", "ms", 12);
	bench_result_add(&rs, "setup.ism.65536", "ms", 9);
	bench_result_add(&rs, "setup.ism.65536", "ms", 8);
	bench_result_add(&rs, "rtt.ism", "us", 500);
	bench_result_add(&rs, "rtt.ism", "us", 600);
	t = capture(0, &env);
	tap_ok(!strstr(t, "kernel frontend / userspace path"),
	       "one pass: no comparison");
	free(t);
	env.user = &user;
	t = capture(0, &env);
	line = strstr(t, "\nsetup.ism.1048576 (kernel / user) ");
	tap_ok(strstr(t, "\nkernel frontend / userspace path ") && line &&
		       strstr(line, "1.050    0.900    1.200  <= 1.00   NO\n"),
	       "two passes: the kernel frontend's setup over the user's, per "
	       "repetition (median 1.05), not met");
	line = strstr(t, "\nsetup.ism.65536 (kernel / user) ");
	tap_ok(line && strstr(line, "0.850    0.800    0.900  <= 1.00  yes\n"),
	       "and the 64 KiB one, met");
	line = strstr(t, "\nrtt.ism (kernel / user) ");
	tap_ok(line && strstr(line, "n/a      n/a      n/a        -    -\n"),
	       "a result the userspace pass did not measure is n/a");
	tap_ok(!strstr(t, "stream.ism.65536 (kernel / user)"),
	       "results neither pass has are left out");
	free(t);
	t = capture(1, &env);
	tap_ok(strstr(t, "\"against_user\": [\n    {\"name\": \"rtt.ism\", "
			 "\"median\": null") &&
		       strstr(t,
			      "{\"name\": \"setup.ism.1048576\", \"median\": "
			      "1.0500, \"min\": 0.9000, \"max\": 1.2000, "
			      "\"target\": \"<= 1\", \"met\": false, "
			      "\"samples\": [0.9000, 1.2000]}"),
	       "the JSON has the comparison, per repetition, in the kernel "
	       "frontend's object");
	free(t);
}

int main(void)
{
	tap_plan(99);
	test_opts();
	test_opts_control();
	test_pattern();
	test_summary();
	test_ratios();
	test_output();
	test_output_against_user();
	test_output_missing();
	return tap_done();
}
