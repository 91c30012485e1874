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

/* As libxenism(3) names them in $ISM_FRONTEND. */
const char *const bench_fe_names[BENCH_FE_N] = { "user", "kernel" };
#define BENCH_FE_ENV "ISM_FRONTEND"
#define BENCH_FE_CHARDEV "/dev/xen-ism"

int bench_frontend_use(struct bench *b, enum bench_fe fe)
{
	if (!b->fe_dev[fe])
		return -ENODEV;
	b->dev = b->fe_dev[fe];
	b->info = b->fe_info[fe];
	b->fe = (int)fe;
	return 0;
}

/* Why frontend @fe did not open here, for the results. */
static void fe_failed(struct bench *b, unsigned int fe, int rc)
{
	bool root = fe == BENCH_FE_USER && (rc == -EACCES || rc == -EPERM);

	snprintf(b->fe_why[fe], sizeof(b->fe_why[fe]), "%s%s (%s)",
		 root ? "needs root: " : "",
		 fe == BENCH_FE_USER ? "the Xen devices" : BENCH_FE_CHARDEV,
		 strerror(-rc));
}

/*
 * One handle as ever when $ISM_FRONTEND chooses or there is no kernel
 * frontend; else one on each frontend that opens (libxenism picks the
 * device of --devid, or for 0 the first one that frontend may drive).
 */
static int frontends_open(struct bench *b)
{
	const char *mode = getenv(BENCH_FE_ENV);
	int timeout = (int)b->o->timeout_s * 1000, rc, first_rc = 0;
	bool forced = mode && *mode && strcmp(mode, "auto");
	unsigned int fe, n = 0;

	b->fe = -1;
	if (forced || access(BENCH_FE_CHARDEV, F_OK)) {
		/* Labelled only where the kernel frontend exists. */
		for (fe = 0; forced && !access(BENCH_FE_CHARDEV, F_OK) &&
			     fe < BENCH_FE_N;
		     fe++)
			if (!strcmp(mode, bench_fe_names[fe]))
				b->fe = (int)fe;
		rc = ism_dev_open(b->o->devid, timeout, &b->dev);
		if (!rc)
			rc = ism_dev_info(b->dev, &b->info);
		if (!rc && b->fe >= 0) {
			b->fe_dev[b->fe] = b->dev;
			b->fe_info[b->fe] = b->info;
		}
		return rc;
	}
	for (fe = 0; fe < BENCH_FE_N; fe++) {
		setenv(BENCH_FE_ENV, bench_fe_names[fe], 1);
		rc = ism_dev_open(b->o->devid, timeout, &b->fe_dev[fe]);
		if (!rc)
			rc = ism_dev_info(b->fe_dev[fe], &b->fe_info[fe]);
		if (rc) {
			ism_dev_close(b->fe_dev[fe]);
			b->fe_dev[fe] = NULL;
			fprintf(stderr,
				"ism-bench: the %s frontend of libxenism is not "
				"available: %s\n",
				bench_fe_names[fe], strerror(-rc));
			fe_failed(b, fe, rc);
			first_rc = first_rc ? first_rc : rc;
			continue;
		}
		n++;
	}
	if (mode)
		setenv(BENCH_FE_ENV, mode, 1);
	else
		unsetenv(BENCH_FE_ENV);
	if (!n)
		return first_rc;
	return bench_frontend_use(
		b, b->fe_dev[BENCH_FE_USER] ? BENCH_FE_USER : BENCH_FE_KERNEL);
}

static void frontends_close(struct bench *b)
{
	unsigned int fe;

	for (fe = 0; fe < BENCH_FE_N; fe++) {
		if (b->fe_dev[fe] == b->dev)
			b->dev = NULL;
		ism_dev_close(b->fe_dev[fe]);
		b->fe_dev[fe] = NULL;
	}
	ism_dev_close(b->dev);
	b->dev = NULL;
}

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
		case BENCH_OP_FRONTEND:
			/* Not there: the driver decides, nothing failed. */
			rc = arg[0] < BENCH_FE_N ?
				     bench_frontend_use(b,
							(enum bench_fe)arg[0]) :
				     -EINVAL;
			if (!rc)
				fprintf(stderr,
					"ism-bench: serving over the %s "
					"frontend\n",
					bench_fe_names[arg[0]]);
			bench_ctl_done(&b->ctl, rc, val);
			continue;
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
	unsigned int fe;
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
	env->frontend = b->fe >= 0 ? bench_fe_names[b->fe] : NULL;
	for (fe = 0; b->fe >= 0 && fe < BENCH_FE_N; fe++)
		if (b->fe_why[fe][0]) {
			env->fe_missing = bench_fe_names[fe];
			env->fe_missing_why = b->fe_why[fe];
		}
	strftime(env->date, sizeof(env->date), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime(&now));
	if (!uname(&u))
		snprintf(env->kernel, sizeof(env->kernel), "%s", u.release);
}

/*
 * The environment of pass @i: its frontend and ring; the kernel
 * frontend's is compared with the userspace path's pass (@res).
 */
static void pass_env(struct bench *b, struct bench_results *const *res,
		     const int *fes, const uint32_t *rings, unsigned int passes,
		     unsigned int i, struct bench_env *env)
{
	unsigned int k;

	b->fe = fes[i];
	b->ring = rings[i];
	if (b->fe >= 0)
		bench_frontend_use(b, (enum bench_fe)b->fe);
	env_fill(b, env);
	for (k = 0; b->fe == BENCH_FE_KERNEL && k < passes; k++)
		if (fes[k] == BENCH_FE_USER)
			env->user = res[k];
}

/*
 * The table of each pass, one after the other, and the JSON: one object,
 * or with two passes an array of one per frontend.
 */
static int report(struct bench *b, struct bench_results *const *res,
		  const int *fes, const uint32_t *rings, unsigned int passes)
{
	struct bench_env env;
	unsigned int i;
	FILE *f;
	int rc = 0;

	for (i = 0; i < passes; i++) {
		pass_env(b, res, fes, rings, passes, i, &env);
		if (i)
			fputc('\n', stdout);
		bench_results_table(stdout, res[i], &env);
	}
	if (!b->o->json_path)
		return 0;
	f = fopen(b->o->json_path, "w");
	if (!f) {
		rc = -errno;
		fprintf(stderr, "ism-bench: %s: %s\n", b->o->json_path,
			strerror(-rc));
		return rc;
	}
	if (passes > 1)
		fputs("[\n", f);
	for (i = 0; !rc && i < passes; i++) {
		pass_env(b, res, fes, rings, passes, i, &env);
		if (i)
			fputs(",\n", f);
		rc = bench_results_json(f, res[i], &env);
	}
	if (passes > 1)
		fputs("]\n", f);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc)
		fprintf(stderr, "ism-bench: %s: %s\n", b->o->json_path,
			strerror(-rc));
	return rc;
}

/* One repetition of every workload asked for, over the current handle. */
static int drive_rep(struct bench *b)
{
	unsigned int w = b->o->only;
	int rc = 0;

	if (w & BENCH_W_RTT)
		rc = bench_rtt_run(b);
	if (!rc && (w & BENCH_W_STREAM))
		rc = bench_stream_run(b);
	if (!rc && (w & BENCH_W_SETUP))
		rc = bench_setup_run(b);
	if (!rc && (w & BENCH_W_SCALE))
		rc = bench_scale_run(b);
	return rc;
}

/*
 * Tell the server which frontend to use.  With one frontend here, a
 * server without it keeps its own (the two frontends interoperate);
 * with two, that pass is left out.
 */
static int frontend_agree(struct bench *b, enum bench_fe fe, bool both)
{
	uint64_t arg[1] = { fe };
	int rc;

	bench_frontend_use(b, fe);
	bench_watchdog("choosing the frontend");
	rc = bench_ctl_call(&b->ctl, BENCH_OP_FRONTEND, arg, 1);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, NULL);
	if (rc == -ENODEV && both)
		snprintf(b->fe_why[fe], sizeof(b->fe_why[fe]),
			 "the server has none");
	if (rc == -ENODEV)
		fprintf(stderr,
			"ism-bench: the server has no %s frontend: %s\n",
			bench_fe_names[fe],
			both ? "not measured" : "it uses the other");
	else if (!rc && both)
		fprintf(stderr, "ism-bench: measuring over the %s frontend\n",
			bench_fe_names[fe]);
	return rc == -ENODEV && !both ? 0 : rc;
}

/*
 * The frontends both sides have, each a pass with its own results; then
 * the repetitions, the passes taking turns in each (each repetition
 * starts with another), so that both see the host alike.
 */
static int drive(struct bench *b)
{
	struct bench_results *res[BENCH_FE_N] = { NULL };
	uint32_t rings[BENCH_FE_N] = { 0 };
	int fes[BENCH_FE_N], rc = 0;
	unsigned int fe, passes = 0, nfe = 0, i, k;

	for (fe = 0; fe < BENCH_FE_N; fe++)
		nfe += !!b->fe_dev[fe];
	for (fe = 0; !rc && fe < BENCH_FE_N; fe++) {
		if (b->fe < 0 && fe) /* no kernel frontend: one pass */
			break;
		if (b->fe >= 0 && !b->fe_dev[fe])
			continue;
		if (b->fe >= 0) {
			rc = frontend_agree(b, (enum bench_fe)fe, nfe > 1);
			if (rc == -ENODEV) { /* both here, not there */
				rc = 0;
				continue;
			}
			if (rc)
				break;
		}
		res[passes] = calloc(1, sizeof(b->res));
		if (!res[passes]) {
			rc = -ENOMEM;
			break;
		}
		fes[passes++] = b->fe;
	}
	if (!rc && !passes)
		rc = bench_fail(b, "no frontend both sides have", -ENODEV);
	for (b->rep = 0; !rc && b->rep < b->o->reps; b->rep++) {
		for (k = 0; !rc && k < passes; k++) {
			i = (k + b->rep) % passes;
			if (passes > 1)
				rc = frontend_agree(b, (enum bench_fe)fes[i],
						    false);
			b->res = *res[i];
			if (!rc)
				rc = drive_rep(b);
			*res[i] = b->res;
			rings[i] = b->ring;
		}
		if (!rc)
			fprintf(stderr, "ism-bench: repetition %u of %u done\n",
				b->rep + 1, b->o->reps);
	}
	for (i = 0; !rc && i < passes && (b->o->only & BENCH_W_BACKEND); i++) {
		if (passes > 1)
			rc = frontend_agree(b, (enum bench_fe)fes[i], false);
		b->res = *res[i];
		if (!rc)
			rc = bench_backend_run(b);
		*res[i] = b->res;
	}
	if (!rc) {
		bench_watchdog("quit");
		rc = bench_ctl_call(&b->ctl, BENCH_OP_QUIT, NULL, 0);
		if (!rc)
			rc = bench_ctl_result(&b->ctl, NULL);
	}
	if (!rc)
		rc = report(b, res, fes, rings, passes);
	for (i = 0; i < BENCH_FE_N; i++)
		free(res[i]);
	return rc;
}

/* What the control channel over xen-ism cannot do: usage errors. */
static int ctl_usable(struct bench *b)
{
	if (b->ctl.kind != BENCH_CONTROL_ISM)
		return 0;
	if (b->o->listen && !b->o->peer_domid)
		fputs("ism-bench: over the xen-ism control channel (no root), "
		      "--listen needs --peer DOMID, the driver's domain: "
		      "without xenstore it cannot learn it\n",
		      stderr);
	else if (b->o->backend_sync)
		fputs("ism-bench: --backend-sync needs xenstore, which the "
		      "xen-ism control channel (no root) does without\n",
		      stderr);
	else
		return 0;
	b->usage_error = true;
	return -EINVAL;
}

static int run(struct bench *b)
{
	const struct bench_opts *o = b->o;
	const char *step =
		"opening xenstore and /dev/xen/{evtchn,gntdev,gntalloc}";
	int rc;

	bench_watchdog(step);
	rc = bench_ctl_open(&b->ctl, o->listen ? BENCH_SERVER : BENCH_DRIVER,
			    o->control, o->devid, (int)o->timeout_s * 1000);
	if (rc && b->ctl.kind == BENCH_CONTROL_ISM)
		step = "opening the kernel frontend (" BENCH_FE_CHARDEV
		       ") for the control channel";
	if (rc)
		goto out;
	rc = ctl_usable(b);
	if (rc)
		return rc;
	b->ctl.want_peer = o->listen ? o->peer_domid : 0;
	step = "opening the ism device";
	rc = frontends_open(b);
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
	frontends_close(&b);
	bench_ctl_close(&b.ctl);
	if (b.usage_error)
		return BENCH_EX_USAGE;
	if (rc == -ETIMEDOUT)
		return BENCH_EX_TIMEOUT;
	return rc ? BENCH_EX_FAIL : BENCH_EX_OK;
}
