// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scale.c - one pair's part of the scaling workload (--only scale): while
 * other pairs of guests do the same through the same backend, this pair
 * runs xen-ism's round trip (the rtt workload's rounds) and its in-place
 * stream of 64 KiB messages (the stream workload's ring), over one region
 * shared once per repetition, and counts the notifications both sides
 * sent.  The lab's scale scenario starts 1, 2 and 4 pairs at once and
 * sets their results beside xen-ismd's CPU time and wake-ups.
 */
#include <errno.h>
#include <stdlib.h>

#include "work.h"

#define SCALE_RTT_N 2000
#define SCALE_RTT_N_QUICK 50
#define SCALE_WARM 100
#define SCALE_WARM_QUICK 5
#define SCALE_MSG 65536u
#define SCALE_BYTES (64ull << 20)
#define SCALE_BYTES_QUICK (4ull << 20)

struct scale_ns {
	uint64_t rtt, stream, signals;
};

/* Both sides: the round trips, then the stream, over one region. */
static int scale_once(struct bench *b, const uint64_t *arg, uint8_t *priv,
		      struct scale_ns *out)
{
	uint64_t n = arg[0], warm = arg[1], nmsg = arg[2], t0;
	uint64_t signalled = 0, sleeps = 0, signals = 0, theirs = 0;
	uint32_t ring = (uint32_t)arg[3];
	ism_region *r = NULL;
	uint8_t *base;
	void *addr;
	int rc, rc2;

	rc = bench_region_share(b, BENCH_STREAM_HDR + (uint64_t)ring, true, &r,
				&addr);
	if (rc)
		return rc;
	base = addr;
	/* The round trips' messages in the ring, which the stream reuses;
	 * its header page stays zero for it. */
	rc = bench_rtt_rounds(b, r, base + BENCH_STREAM_HDR, 1, warm,
			      &signalled);
	if (!rc)
		rc = bench_ctl_barrier(&b->ctl);
	signalled = 0;
	t0 = bench_now_ns();
	if (!rc)
		rc = bench_rtt_rounds(b, r, base + BENCH_STREAM_HDR, warm + 1,
				      warm + n, &signalled);
	out->rtt = bench_now_ns() - t0;
	if (!rc)
		rc = bench_ctl_barrier(&b->ctl);
	t0 = bench_now_ns();
	if (!rc)
		rc = bench_stream_side(b, r, base, false, SCALE_MSG, nmsg, ring,
				       priv, &sleeps, &signals);
	/* The producer's time ends when the consumer has checked it all. */
	rc2 = bench_ctl_swap(&b->ctl, signalled + signals, &theirs);
	out->stream = bench_now_ns() - t0;
	out->signals = signalled + signals + theirs;
	if (!rc)
		rc = rc2;
	rc2 = bench_region_unshare(b, r);
	return rc ? rc : rc2;
}

static bool scale_args_ok(const uint64_t *arg)
{
	return arg[0] && arg[0] <= 1000000 && arg[1] <= 1000000 && arg[2] &&
	       arg[2] <= (1ull << 24) && bench_stream_ring_ok(arg[3]);
}

int bench_scale_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	struct scale_ns ns;
	uint8_t *priv;
	int rc;

	(void)val;
	if (!scale_args_ok(arg))
		return -EINVAL;
	priv = malloc(SCALE_MSG);
	if (!priv)
		return -ENOMEM;
	rc = scale_once(b, arg, priv, &ns);
	free(priv);
	return rc;
}

int bench_scale_run(struct bench *b)
{
	uint64_t bytes = b->o->quick ? SCALE_BYTES_QUICK : SCALE_BYTES;
	uint64_t arg[4] = {
		b->o->quick ? SCALE_RTT_N_QUICK : SCALE_RTT_N,
		b->o->quick ? SCALE_WARM_QUICK : SCALE_WARM,
		bytes / SCALE_MSG,
		bench_stream_ring(b),
	};
	struct scale_ns ns;
	uint8_t *priv;
	int rc;

	if (!arg[3])
		return bench_fail(b, "scale", -EFBIG);
	b->ring = (uint32_t)arg[3];
	priv = malloc(SCALE_MSG);
	if (!priv)
		return -ENOMEM;
	bench_watchdog("scale");
	rc = bench_ctl_call(&b->ctl, BENCH_OP_SCALE, arg, 4);
	if (!rc)
		rc = scale_once(b, arg, priv, &ns);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, NULL);
	free(priv);
	if (rc)
		return bench_fail(b, "scale", rc);
	rc = bench_result_add(&b->res, "scale.rtt", "us",
			      (double)ns.rtt / (double)arg[0] / 1000);
	if (!rc)
		rc = bench_result_add(&b->res, "scale.stream", "MB/s",
				      (double)bytes * 1000 / (double)ns.stream);
	if (!rc)
		rc = bench_result_add(&b->res, "scale.notify", "count",
				      (double)ns.signals);
	return rc;
}
