// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtt.c - notify round trip: the driver writes a 64-octet message and
 * signals, the server wakes, checks it, writes its own and signals back.
 * Every variant moves and checks the same messages (BENCH_MSG) and blocks
 * at once, none spins: xen-ism against the raw event channel with its
 * messages on the control page (the limit), libxenvchan and TCP.  One
 * more raw variant waits the way a library that must also hear xenstore
 * waits (epoll over two fds, then the read): the cost of that wait, apart
 * from the rest of xen-ism's work.  Each variant runs warm-up rounds, then
 * a batch timed as a whole (one clock read costs tens of microseconds
 * under emulation, so single round trips are not timed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libxenvchan.h>

#include "work.h"

#define RTT_N 2000
#define RTT_WARM 100
#define RTT_N_QUICK 50
#define RTT_WARM_QUICK 5

/* A message and its sequence number, stored after it (release). */
struct rtt_slot {
	uint8_t data[BENCH_MSG];
	uint64_t seq;
};

/* In the region: the driver's slot and the server's, 2 KiB apart. */
#define RTT_SLOT(base, role) \
	((struct rtt_slot *)((char *)(base) + 2048 * (role)))

struct rtt_wait {
	struct rtt_slot *slot;
	uint64_t seq;
};

static bool rtt_arrived(void *ctx)
{
	struct rtt_wait *w = ctx;

	return __atomic_load_n(&w->slot->seq, __ATOMIC_ACQUIRE) == w->seq;
}

static void rtt_send(struct rtt_slot *s, uint64_t seq)
{
	bench_pattern_fill(s->data, BENCH_MSG, seq);
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELEASE);
}

/*
 * Rounds @first..@last over a region; the driver sends first.  Counts the
 * notifications that signalled (the others found the peer not waiting).
 */
int bench_rtt_rounds(struct bench *b, ism_region *r, void *base, uint64_t first,
		     uint64_t last, uint64_t *signalled)
{
	enum bench_role me = b->ctl.role;
	struct rtt_wait w = { .slot = RTT_SLOT(base, !me) };
	uint64_t seq;
	int rc = 0;

	for (seq = first; !rc && seq <= last; seq++) {
		if (me == BENCH_DRIVER) {
			rtt_send(RTT_SLOT(base, me), seq);
			rc = ism_region_notify(r, 0);
			*signalled += !rc;
			if (rc < 0)
				break;
		}
		w.seq = seq;
		rc = bench_region_wait(b, r, rtt_arrived, &w);
		if (!rc)
			rc = bench_pattern_check(w.slot->data, BENCH_MSG, seq);
		if (!rc && me == BENCH_SERVER) {
			rtt_send(RTT_SLOT(base, me), seq);
			rc = ism_region_notify(r, 0);
			*signalled += !rc;
		}
		if (rc > 0)
			rc = 0;
	}
	return rc;
}

int bench_rtt_ism(struct bench *b, enum bench_variant v, unsigned int n,
		  unsigned int warm, bench_phase_fn phase, uint64_t *ns)
{
	bool relay = v == BENCH_V_ISM_RELAY,
	     server = b->ctl.role == BENCH_SERVER;
	uint64_t signalled = 0, theirs = 0;
	struct bench_span sp;
	ism_region *r = NULL;
	void *base;
	int rc, rc2;

	/* The kernel frontend cannot turn it off (-EOPNOTSUPP): no relay. */
	if (relay && server) {
		rc = ism_dev_set_fast_path(b->dev, 0);
		if (rc)
			return rc;
	}
	rc = bench_region_share(b, 4096, !relay, &r, &base);
	if (relay && server)
		ism_dev_set_fast_path(b->dev, 1);
	if (rc)
		return rc;
	rc = bench_rtt_rounds(b, r, base, 1, warm, &signalled);
	if (!rc && phase)
		rc = phase(b, true, 2ull * n);
	if (!rc)
		rc = bench_ctl_barrier(&b->ctl);
	signalled = 0;
	bench_span_start(&sp);
	if (!rc)
		rc = bench_rtt_rounds(b, r, base, warm + 1ull,
				      warm + (uint64_t)n, &signalled);
	bench_span_end(&sp, ns, &b->cpu_ns);
	if (!rc)
		rc = bench_ctl_swap(&b->ctl, signalled, &theirs);
	if (!rc && phase)
		rc = phase(b, false, signalled + theirs);
	rc2 = bench_region_unshare(b, r);
	return rc ? rc : rc2;
}

static int rtt_vchan(struct bench *b, unsigned int n, unsigned int warm,
		     uint64_t *ns)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	uint8_t msg[BENCH_MSG];
	struct libxenvchan *x;
	struct bench_span sp = { 0, 0 };
	uint64_t seq;
	int rc;

	rc = bench_vchan_open(b, 1024, &x);
	if (!rc)
		rc = bench_ctl_barrier(&b->ctl);
	for (seq = 1; !rc && seq <= (uint64_t)warm + n; seq++) {
		if (seq == warm + 1ull)
			bench_span_start(&sp);
		if (driver) {
			bench_pattern_fill(msg, BENCH_MSG, seq);
			if (libxenvchan_send(x, msg, BENCH_MSG) != BENCH_MSG)
				rc = -EIO;
		}
		if (!rc && libxenvchan_recv(x, msg, BENCH_MSG) != BENCH_MSG)
			rc = -EIO;
		if (!rc)
			rc = bench_pattern_check(msg, BENCH_MSG, seq);
		if (!rc && !driver &&
		    libxenvchan_send(x, msg, BENCH_MSG) != BENCH_MSG)
			rc = -EIO;
	}
	bench_span_end(&sp, ns, &b->cpu_ns);
	if (x)
		libxenvchan_close(x);
	return rc;
}

static int rtt_tcp(struct bench *b, unsigned int n, unsigned int warm,
		   uint64_t *ns)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	uint8_t msg[BENCH_MSG];
	struct bench_span sp = { 0, 0 };
	uint64_t seq;
	int fd, rc;

	fd = bench_tcp_get(b);
	rc = bench_ctl_barrier(&b->ctl);
	if (fd < 0)
		rc = fd;
	for (seq = 1; !rc && seq <= (uint64_t)warm + n; seq++) {
		if (seq == warm + 1ull)
			bench_span_start(&sp);
		if (driver) {
			bench_pattern_fill(msg, BENCH_MSG, seq);
			rc = bench_tcp_write(fd, msg, BENCH_MSG);
		}
		if (!rc)
			rc = bench_tcp_read(fd, msg, BENCH_MSG);
		if (!rc)
			rc = bench_pattern_check(msg, BENCH_MSG, seq);
		if (!rc && !driver)
			rc = bench_tcp_write(fd, msg, BENCH_MSG);
	}
	bench_span_end(&sp, ns, &b->cpu_ns);
	return rc;
}

static int rtt_evtchn(struct bench *b, bool mux, unsigned int n,
		      unsigned int warm, uint64_t *ns)
{
	struct bench_span sp;
	int rc;

	rc = bench_ctl_barrier(&b->ctl);
	if (!rc)
		rc = bench_ctl_pingpong(&b->ctl, warm, mux);
	bench_span_start(&sp);
	if (!rc)
		rc = bench_ctl_pingpong(&b->ctl, n, mux);
	bench_span_end(&sp, ns, &b->cpu_ns);
	return rc;
}

static int rtt_one(struct bench *b, enum bench_variant v, unsigned int n,
		   unsigned int warm, uint64_t *ns)
{
	if (bench_variant_raw(v) && !bench_ctl_raw(&b->ctl))
		return -EOPNOTSUPP;
	switch (v) {
	case BENCH_V_EVTCHN:
	case BENCH_V_EVTCHN_MUX:
		return rtt_evtchn(b, v == BENCH_V_EVTCHN_MUX, n, warm, ns);
	case BENCH_V_ISM:
	case BENCH_V_ISM_RELAY:
		return bench_rtt_ism(b, v, n, warm, NULL, ns);
	case BENCH_V_VCHAN:
		return rtt_vchan(b, n, warm, ns);
	case BENCH_V_TCP:
		return rtt_tcp(b, n, warm, ns);
	default:
		return -EINVAL;
	}
}

int bench_rtt_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	uint64_t ns;

	(void)val;
	if (arg[1] > 1000000 || arg[2] > 1000000)
		return -EINVAL;
	return rtt_one(b, (enum bench_variant)arg[0], (unsigned int)arg[1],
		       (unsigned int)arg[2], &ns);
}

int bench_rtt_run(struct bench *b)
{
	static const struct {
		enum bench_variant v;
		const char *name;
	} vs[] = {
		{ BENCH_V_EVTCHN, "rtt.evtchn" },
		{ BENCH_V_EVTCHN_MUX, "rtt.evtchn-epoll" },
		{ BENCH_V_ISM, "rtt.ism" },
		{ BENCH_V_VCHAN, "rtt.vchan" },
		{ BENCH_V_TCP, "rtt.tcp" },
	};
	unsigned int n = b->o->quick ? RTT_N_QUICK : RTT_N,
		     warm = b->o->quick ? RTT_WARM_QUICK : RTT_WARM, i, k;
	unsigned int count = sizeof(vs) / sizeof(vs[0]);
	uint64_t arg[3], ns;
	char cpu[32];
	int rc;

	/* Each repetition starts with another variant: no order bias. */
	for (k = 0; k < count; k++) {
		i = (k + b->rep) % count;
		if (vs[i].v == BENCH_V_TCP && !b->o->tcp_addr)
			continue;
		snprintf(cpu, sizeof(cpu), "cpu.%s", vs[i].name);
		if (bench_variant_raw(vs[i].v) && !bench_ctl_raw(&b->ctl)) {
			rc = bench_skip_raw(b, vs[i].name, "us");
			if (!rc)
				rc = bench_skip_raw(b, cpu, "us");
			if (rc)
				return rc;
			continue;
		}
		bench_watchdog(vs[i].name);
		arg[0] = vs[i].v;
		arg[1] = n;
		arg[2] = warm;
		rc = bench_ctl_call(&b->ctl, BENCH_OP_RTT, arg, 3);
		if (!rc)
			rc = rtt_one(b, vs[i].v, n, warm, &ns);
		if (rc)
			return bench_fail(b, vs[i].name, rc);
		rc = bench_ctl_result(&b->ctl, NULL);
		if (rc)
			return bench_fail(b, vs[i].name, rc);
		rc = bench_result_add(&b->res, vs[i].name, "us",
				      (double)ns / n / 1000);
		/*
		 * This side's CPU time in the same batch: how much of a
		 * round trip it ran rather than waited (one that finds the
		 * answer already queued does not sleep at all).
		 */
		if (!rc)
			rc = bench_result_add(&b->res, cpu, "us",
					      (double)b->cpu_ns / n / 1000);
		if (rc)
			return rc;
	}
	return 0;
}
