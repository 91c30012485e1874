// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - ism-bench: the server serves commands until QUIT; the driver
 * runs the repetitions, each workload alternating its variants, then
 * prints the table (and JSON).  See ism-bench(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "work.h"

_Static_assert(sizeof(struct bench_page) <= 4096, "control page too big");

int bench_fail(struct bench *b, const char *what, int rc)
{
	if (rc == -ECONNABORTED)
		fprintf(stderr, "ism-bench: %s: the other side gave up\n",
			what);
	else if (rc == -EILSEQ)
		fprintf(stderr,
			"ism-bench: %s: data corrupted (a message differs "
			"from what was sent)\n",
			what);
	else
		fprintf(stderr, "ism-bench: %s: %s\n", what, strerror(-rc));
	bench_ctl_abort(&b->ctl, rc);
	return rc;
}

static int serve(struct bench *b)
{
	uint64_t arg[BENCH_MAX_ARGS], val[BENCH_MAX_ARGS];
	enum bench_op op;
	int rc;

	for (;;) {
		bench_watchdog("waiting for the driver");
		rc = bench_ctl_next(&b->ctl, &op, arg);
		if (rc)
			return rc;
		memset(val, 0, sizeof(val));
		bench_watchdog("a workload");
		switch (op) {
		case BENCH_OP_QUIT:
			bench_ctl_done(&b->ctl, 0, val);
			return 0;
		case BENCH_OP_RTT:
			rc = bench_rtt_serve(b, arg, val);
			break;
		case BENCH_OP_STREAM:
			rc = bench_stream_serve(b, arg, val);
			break;
		case BENCH_OP_SETUP:
			rc = bench_setup_serve(b, arg, val);
			break;
		case BENCH_OP_IDLE:
			rc = bench_backend_serve(b, arg, val);
			break;
		case BENCH_OP_SCALE:
			rc = bench_scale_serve(b, arg, val);
			break;
		default:
			rc = -EOPNOTSUPP;
			break;
		}
		if (rc) {
			fprintf(stderr, "ism-bench: command %u failed: %s\n",
				(unsigned int)op,
				rc == -EILSEQ ? "data corrupted" :
						strerror(-rc));
			bench_ctl_abort(&b->ctl, rc);
			return rc;
		}
		bench_ctl_done(&b->ctl, 0, val);
	}
}

static void env_fill(struct bench *b, struct bench_env *env)
{
	struct utsname u;
	time_t now = time(NULL);

	memset(env, 0, sizeof(*env));
	env->self_domid = b->ctl.self;
	env->peer_domid = b->ctl.peer;
	env->devid = b->info.devid;
	env->reps = b->o->reps;
	env->quick = b->o->quick;
	env->fast_path = b->info.fast_path;
	env->clock_ns = bench_clock_cost_ns();
	env->ring = b->ring;
	strftime(env->date, sizeof(env->date), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime(&now));
	if (!uname(&u))
		snprintf(env->kernel, sizeof(env->kernel), "%s", u.release);
}

static int report(struct bench *b)
{
	struct bench_env env;
	FILE *f;
	int rc;

	env_fill(b, &env);
	bench_results_table(stdout, &b->res, &env);
	if (!b->o->json_path)
		return 0;
	f = fopen(b->o->json_path, "w");
	if (!f) {
		rc = -errno;
		fprintf(stderr, "ism-bench: %s: %s\n", b->o->json_path,
			strerror(-rc));
		return rc;
	}
	rc = bench_results_json(f, &b->res, &env);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc)
		fprintf(stderr, "ism-bench: %s: %s\n", b->o->json_path,
			strerror(-rc));
	return rc;
}

static int drive(struct bench *b)
{
	unsigned int w = b->o->only;
	int rc = 0;

	for (b->rep = 0; !rc && b->rep < b->o->reps; b->rep++) {
		if (w & BENCH_W_RTT)
			rc = bench_rtt_run(b);
		if (!rc && (w & BENCH_W_STREAM))
			rc = bench_stream_run(b);
		if (!rc && (w & BENCH_W_SETUP))
			rc = bench_setup_run(b);
		if (!rc && (w & BENCH_W_SCALE))
			rc = bench_scale_run(b);
		if (!rc)
			fprintf(stderr, "ism-bench: repetition %u of %u done\n",
				b->rep + 1, b->o->reps);
	}
	if (!rc && (w & BENCH_W_BACKEND))
		rc = bench_backend_run(b);
	if (rc)
		return rc;
	bench_watchdog("quit");
	rc = bench_ctl_call(&b->ctl, BENCH_OP_QUIT, NULL, 0);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, NULL);
	return rc ? rc : report(b);
}

static int run(struct bench *b)
{
	const struct bench_opts *o = b->o;
	const char *step =
		"opening xenstore and /dev/xen/{evtchn,gntdev,gntalloc}";
	int rc;

	bench_watchdog(step);
	rc = bench_ctl_open(&b->ctl, o->listen ? BENCH_SERVER : BENCH_DRIVER);
	if (rc)
		goto out;
	step = "opening the ism device";
	rc = ism_dev_open(o->devid, (int)o->timeout_s * 1000, &b->dev);
	if (!rc)
		rc = ism_dev_info(b->dev, &b->info);
	if (rc)
		goto out;
	if (o->listen) {
		if (bench_tcp_listen(b))
			fprintf(stderr,
				"ism-bench: not listening on TCP port %u: %s\n",
				o->tcp_port, strerror(errno));
		step = "waiting for a driver (ism-bench --connect)";
		bench_watchdog(step);
		alarm(0); /* a server waits as long as it takes */
		rc = bench_ctl_listen(&b->ctl, b->tcp_listen >= 0);
		if (!rc) {
			fprintf(stderr, "ism-bench: serving domain %u\n",
				b->ctl.peer);
			rc = serve(b);
		}
		return rc;
	}
	step = "connecting to the server";
	bench_watchdog(step);
	rc = bench_ctl_connect(&b->ctl, o->peer_domid);
	if (!rc && o->tcp_addr && !b->ctl.page->server_tcp) {
		step = "--tcp: the server does not listen on TCP";
		rc = -ENOTCONN;
	}
	if (!rc)
		return drive(b);
out:
	fprintf(stderr, "ism-bench: %s: %s\n", step, strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	struct bench b;
	char err[160];
	int rc;

	if (bench_opts_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "ism-bench: %s\nTry 'ism-bench --help'.\n",
			err);
		return BENCH_EX_USAGE;
	}
	if (o.help) {
		fputs(bench_usage, stdout);
		return BENCH_EX_OK;
	}
	if (o.version) {
		puts("ism-bench " PACKAGE_VERSION);
		return BENCH_EX_OK;
	}
	memset(&b, 0, sizeof(b));
	b.o = &o;
	b.tcp = -1;
	b.tcp_listen = -1;
	bench_watchdog_init(o.timeout_s);
	rc = run(&b);
	if (rc)
		bench_ctl_abort(&b.ctl, rc);
	if (b.tcp >= 0)
		close(b.tcp);
	if (b.tcp_listen >= 0)
		close(b.tcp_listen);
	ism_dev_close(b.dev);
	bench_ctl_close(&b.ctl);
	if (rc == -ETIMEDOUT)
		return BENCH_EX_TIMEOUT;
	return rc ? BENCH_EX_FAIL : BENCH_EX_OK;
}
