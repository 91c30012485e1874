// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend.c - what the backend pays: the two guests idle with a region
 * shared (the backend must not wake at all), then notify round trips
 * through the backend (relay, the fast path turned off) and over the
 * direct event channel (fastpath), then 1 MiB region setup cycles
 * (setup: five requests each, teardown awaited).  The backend's CPU time
 * and wake-ups are sampled in the backend domain by ism-bench-backend(8):
 * with --backend-sync the driver writes ~/data/ism-bench/phase ("NAME
 * begin COUNT", "NAME end COUNT", finally "done end 0") and waits until
 * ~/data/ism-bench/phase-ack holds the same value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "work.h"

#define IDLE_S 10
#define IDLE_S_QUICK 2
#define BACKEND_N 1000
#define BACKEND_N_QUICK 100
#define BACKEND_WARM 10
#define BACKEND_SETUP 20
#define BACKEND_SETUP_QUICK 2
#define BACKEND_SETUP_SIZE (1u << 20)
#define SYNC_WAIT_US (30u * 1000000u)
#define SYNC_POLL_US 20000u

static const char *phase_name;

/* phase-ack, empty, writable by the backend domain (which may be a
 * driver domain rather than dom0). */
static int phase_prepare(struct bench *b)
{
	struct xs_permissions perms[2] = {
		{ .id = b->ctl.self, .perms = XS_PERM_NONE },
		{ .id = b->info.backend_domid,
		  .perms = XS_PERM_READ | XS_PERM_WRITE },
	};
	const char *ack = BENCH_XS_DIR "/phase-ack";

	if (!xs_write(b->ctl.xs, XBT_NULL, ack, "", 0) ||
	    (b->info.backend_domid != b->ctl.self &&
	     !xs_set_permissions(b->ctl.xs, XBT_NULL, ack, perms, 2)))
		return errno ? -errno : -EIO;
	return 0;
}

static int phase_sync(struct bench *b, const char *name, bool begin,
		      uint64_t count)
{
	char val[64], *ack;
	unsigned int waited;
	bool same;

	static bool prepared;
	int rc;

	if (!b->o->backend_sync)
		return 0;
	if (!prepared) {
		rc = phase_prepare(b);
		if (rc)
			return rc;
		prepared = true;
	}
	snprintf(val, sizeof(val), "%s %s %" PRIu64, name,
		 begin ? "begin" : "end", count);
	if (!xs_write(b->ctl.xs, XBT_NULL, BENCH_XS_DIR "/phase", val,
		      strlen(val)))
		return errno ? -errno : -EIO;
	for (waited = 0; waited < SYNC_WAIT_US; waited += SYNC_POLL_US) {
		ack = bench_xs_read(&b->ctl, BENCH_XS_DIR "/phase-ack");
		same = ack && !strcmp(ack, val);
		free(ack);
		if (same)
			return 0;
		usleep(SYNC_POLL_US);
	}
	fprintf(stderr,
		"ism-bench: --backend-sync: nothing acknowledged \"%s\" in "
		"~/" BENCH_XS_DIR "/phase-ack within %u s; is "
		"ism-bench-backend running in the backend domain?\n",
		val, SYNC_WAIT_US / 1000000);
	return -ETIMEDOUT;
}

static int phase_rtt(struct bench *b, bool begin, uint64_t count)
{
	return phase_sync(b, phase_name, begin, count);
}

int bench_backend_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	ism_region *r;
	void *base;
	int rc, rc2;

	(void)arg;
	(void)val;
	rc = bench_region_share(b, 4096, true, &r, &base);
	if (rc)
		return rc;
	rc = bench_ctl_barrier(&b->ctl); /* the driver idles meanwhile */
	rc2 = bench_region_unshare(b, r);
	return rc ? rc : rc2;
}

static int backend_idle(struct bench *b, unsigned int secs)
{
	uint64_t arg[1] = { secs };
	ism_region *r;
	void *base;
	int rc, rc2;

	rc = bench_ctl_call(&b->ctl, BENCH_OP_IDLE, arg, 1);
	if (rc)
		return rc;
	rc = bench_region_share(b, 4096, true, &r, &base);
	if (rc)
		return rc;
	rc = phase_sync(b, "idle", true, secs);
	if (!rc)
		sleep(secs);
	if (!rc)
		rc = phase_sync(b, "idle", false, secs);
	rc2 = bench_ctl_barrier(&b->ctl);
	if (!rc)
		rc = rc2;
	rc2 = bench_region_unshare(b, r);
	if (!rc)
		rc = rc2;
	return rc ? rc : bench_ctl_result(&b->ctl, NULL);
}

static int backend_rtt(struct bench *b, enum bench_variant v, const char *phase,
		       const char *name, unsigned int n)
{
	uint64_t arg[3] = { v, n, BACKEND_WARM }, ns;
	int rc;

	phase_name = phase;
	bench_watchdog(name);
	rc = bench_ctl_call(&b->ctl, BENCH_OP_RTT, arg, 3);
	if (!rc)
		rc = bench_rtt_ism(b, v, n, BACKEND_WARM, phase_rtt, &ns);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, NULL);
	if (!rc)
		rc = bench_result_add(&b->res, name, "us",
				      (double)ns / n / 1000);
	return rc;
}

int bench_backend_run(struct bench *b)
{
	unsigned int n = b->o->quick ? BACKEND_N_QUICK : BACKEND_N;
	int rc;

	bench_watchdog("backend idle");
	rc = backend_idle(b, b->o->quick ? IDLE_S_QUICK : IDLE_S);
	if (rc)
		return bench_fail(b, "backend idle", rc);
	/* The kernel frontend has no switch for the fast path. */
	if (b->fe == BENCH_FE_KERNEL)
		rc = bench_result_skip(&b->res, "rtt.ism-relay", "us",
				       "the kernel frontend cannot turn the "
				       "fast path off");
	else
		rc = backend_rtt(b, BENCH_V_ISM_RELAY, "relay", "rtt.ism-relay",
				 n);
	if (rc)
		return bench_fail(b, "rtt.ism-relay", rc);
	if (b->info.fast_path) {
		rc = backend_rtt(b, BENCH_V_ISM, "fastpath", "rtt.ism-fastpath",
				 n);
		if (rc)
			return bench_fail(b, "rtt.ism-fastpath", rc);
	}
	phase_name = "setup";
	bench_watchdog("backend setup");
	rc = bench_setup_phase(
		b, BACKEND_SETUP_SIZE,
		b->o->quick ? BACKEND_SETUP_QUICK : BACKEND_SETUP, phase_rtt);
	if (rc)
		return bench_fail(b, "backend setup", rc);
	rc = phase_sync(b, "done", false, 0);
	return rc ? bench_fail(b, "backend", rc) : 0;
}
