// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c - stream throughput: the driver produces messages of 64 B,
 * 4 KiB or 64 KiB, the server consumes and checks every octet.
 *
 * Like for like: every variant moves the same messages through a ring of
 * the same size (1 MiB of data, libxenvchan's largest; less only if the
 * device's regions are smaller), and every variant that can spin waits
 * the same way (stream_spin()): it polls the other side's count up to
 * BENCH_STREAM_SPIN times, then sleeps until signalled.  TCP cannot spin:
 * it blocks in the kernel, with the kernel's socket buffers.
 *
 * xen-ism: one region used as a single-producer ring.  Its first page
 * holds the producer's and the consumer's counts, each on a cache line of
 * its own; the ring follows.  A side that finds the ring full (or empty)
 * says up to where on the region's doorbell and sleeps; the other side
 * notifies only when it gets there.  Two ways to use it:
 *   in place (ism): the producer writes each message straight into its
 *	slot and the consumer checks it there, what ISM users do;
 *   copy (ism-copy): the producer builds it in private memory and copies
 *	it in, the consumer copies it out and checks the copy, what a
 *	socket-like user does, and what libxenvchan and TCP do.
 * libxenvchan: packets of the message size, sent and received with its
 *	blocking calls once the spin saw room (or data) on its ring.
 * References in one guest, without a peer: memcpy of the same messages
 * (what the copy variants copy, twice), and the halves of the in-place
 * ring's work: filling alone and checking alone, over a ring-sized buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxenvchan.h>

#include "work.h"

/* The ring of every variant: at most libxenvchan's largest, at least two
 * of the largest messages. */
#define STREAM_RING_MAX (1u << 20)
#define STREAM_RING_MIN (2u * 65536)
#define STREAM_HDR BENCH_STREAM_HDR
#define STREAM_MSG_MAX 65536u

static const uint32_t stream_sizes[] = { 64, 4096, 65536 };
static const uint64_t stream_bytes[] = { 2u << 20, 16u << 20, 64u << 20 };
static const uint64_t stream_bytes_quick[] = { 64u << 10, 1u << 20, 4u << 20 };

/*
 * The ring's header: each side publishes its count and, before it sleeps,
 * the count of the other side it wants to be woken at (Xen's event index).
 * A side signals only when its new count reaches the index the other side
 * set: one signal per sleep, not one per message.
 */
struct stream_ring {
	struct {
		uint64_t count; /* driver: produced; server: consumed */
		uint64_t event; /* wake me when the other's count gets here */
		uint8_t pad[48]; /* a cache line per writer */
	} side[2];
};

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

struct stream_side {
	struct stream_ring *ring;
	enum bench_role me;
	uint64_t until; /* the other side's count we wait for */
	uint64_t sleeps; /* times polling was not enough */
	uint64_t signals; /* notifications sent */
};

static bool stream_ready(void *ctx)
{
	struct stream_side *s = ctx;

	return LOAD(s->ring->side[!s->me].count) >= s->until;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* The wait policy of every variant that can spin: poll @ready up to
 * BENCH_STREAM_SPIN times; false: the caller sleeps. */
static bool stream_spin(bool (*ready)(void *ctx), void *ctx)
{
	unsigned int i;

	for (i = 0; i < BENCH_STREAM_SPIN; i++) {
		if (ready(ctx))
			return true;
		cpu_relax();
	}
	return false;
}

uint32_t bench_stream_ring(const struct bench *b)
{
	uint64_t room = b->info.region_size;
	uint32_t ring = STREAM_RING_MAX;

	room = room > STREAM_HDR ? room - STREAM_HDR : 0;
	while (ring > room && ring > STREAM_RING_MIN)
		ring /= 2;
	return ring <= room ? ring : 0;
}

bool bench_stream_ring_ok(uint64_t ring)
{
	return ring >= STREAM_RING_MIN && ring <= STREAM_RING_MAX &&
	       !(ring & (ring - 1));
}

/*
 * Wait until the other side's count reaches @need, asking to be woken at
 * @want (>= @need: the producer asks for half a ring of space at once).
 */
static int stream_wait(struct bench *b, ism_region *r, struct stream_side *s,
		       uint64_t need, uint64_t want)
{
	s->until = need;
	if (stream_spin(stream_ready, s))
		return 0;
	s->sleeps++;
	STORE(s->ring->side[s->me].event, want);
	return bench_region_wait(b, r, stream_ready, s);
}

/* Publish our count; signal if the other side waits for exactly it. */
static int stream_publish(ism_region *r, struct stream_side *s, uint64_t v)
{
	int rc;

	STORE(s->ring->side[s->me].count, v);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* count before event */
	if (LOAD(s->ring->side[!s->me].event) != v)
		return 0;
	s->signals++;
	rc = ism_region_notify(r, 0);
	return rc < 0 ? rc : 0;
}

/*
 * One side of the ring.  The consumer keeps going after a bad message (the
 * producer must not hang) and reports the first one.
 */
int bench_stream_side(struct bench *b, ism_region *r, void *base, bool copy,
		      uint32_t msg, uint64_t nmsg, uint32_t ring, void *priv,
		      uint64_t *sleeps, uint64_t *signals)
{
	struct stream_side s = { .ring = base, .me = b->ctl.role };
	uint64_t nslots = ring / msg, seq;
	uint64_t known = 0; /* the other side's count, last seen */
	uint8_t *data = (uint8_t *)base + STREAM_HDR, *slot;
	bool producer = s.me == BENCH_DRIVER;
	int rc = 0, bad = 0;

	for (seq = 0; seq < nmsg; seq++) {
		slot = data + (seq % nslots) * msg;
		if (producer && seq - known >= nslots)
			rc = stream_wait(b, r, &s, seq - nslots + 1,
					 seq - nslots / 2);
		else if (!producer && seq >= known)
			rc = stream_wait(b, r, &s, seq + 1, seq + 1);
		if (rc)
			return rc;
		known = LOAD(s.ring->side[!s.me].count);
		if (producer && copy) {
			bench_pattern_fill(priv, msg, seq);
			memcpy(slot, priv, msg);
		} else if (producer) {
			bench_pattern_fill(slot, msg, seq);
		} else if (copy) {
			memcpy(priv, slot, msg);
			if (!bad)
				bad = bench_pattern_check(priv, msg, seq);
		} else if (!bad) {
			bad = bench_pattern_check(slot, msg, seq);
		}
		rc = stream_publish(r, &s, seq + 1);
		if (rc)
			return rc;
	}
	*sleeps = s.sleeps;
	*signals = s.signals;
	return bad;
}

static int stream_ism(struct bench *b, bool copy, uint32_t msg, uint64_t nmsg,
		      uint32_t ring, void *priv, uint64_t *ns)
{
	uint64_t t0, mine = 0, theirs = 0, signals;
	ism_region *r = NULL;
	void *base;
	int rc, rc2;

	rc = bench_region_share(b, STREAM_HDR + (uint64_t)ring, true, &r,
				&base);
	if (rc)
		return rc;
	t0 = bench_now_ns();
	rc = bench_stream_side(b, r, base, copy, msg, nmsg, ring, priv, &mine,
			       &signals);
	/* The producer's time ends when the consumer has checked it all. */
	rc2 = bench_ctl_swap(&b->ctl, mine, &theirs);
	*ns = bench_now_ns() - t0;
	b->sleeps = mine + theirs;
	if (!rc)
		rc = rc2;
	rc2 = bench_region_unshare(b, r);
	return rc ? rc : rc2;
}

/* libxenvchan's ring, read without asking for a signal (as xen-ism's
 * spin reads the other side's count): is there room, or a message? */
struct stream_vchan_wait {
	struct libxenvchan *x;
	uint32_t msg;
};

static bool stream_vchan_room(void *ctx)
{
	struct stream_vchan_wait *w = ctx;
	struct ring_shared *shr = w->x->write.shr;
	uint32_t used = LOAD(shr->prod) - LOAD(shr->cons);

	return (1u << w->x->write.order) - used >= w->msg;
}

static bool stream_vchan_data(void *ctx)
{
	struct stream_vchan_wait *w = ctx;
	struct ring_shared *shr = w->x->read.shr;

	return LOAD(shr->prod) - LOAD(shr->cons) >= w->msg;
}

static int stream_vchan(struct bench *b, uint32_t msg, uint64_t nmsg,
			uint32_t ring, void *priv, uint64_t *ns)
{
	bool producer = b->ctl.role == BENCH_DRIVER;
	struct stream_vchan_wait w = { .msg = msg };
	uint64_t seq, t0, sleeps = 0, theirs = 0;
	int rc, rc2, bad = 0;

	rc = bench_vchan_open(b, ring, &w.x);
	rc2 = bench_ctl_barrier(&b->ctl);
	if (!rc)
		rc = rc2;
	t0 = bench_now_ns();
	for (seq = 0; !rc && seq < nmsg; seq++) {
		/* Then its blocking call, which sleeps if there is still no
		 * room (or message). */
		if (producer) {
			bench_pattern_fill(priv, msg, seq);
			sleeps += !stream_spin(stream_vchan_room, &w);
			if (libxenvchan_send(w.x, priv, msg) != (int)msg)
				rc = -EIO;
		} else {
			sleeps += !stream_spin(stream_vchan_data, &w);
			if (libxenvchan_recv(w.x, priv, msg) != (int)msg)
				rc = -EIO;
			else if (!bad)
				bad = bench_pattern_check(priv, msg, seq);
		}
	}
	rc2 = bench_ctl_swap(&b->ctl, sleeps, &theirs);
	*ns = bench_now_ns() - t0;
	b->sleeps = sleeps + theirs;
	if (w.x)
		libxenvchan_close(w.x);
	return rc ? rc : bad ? bad : rc2;
}

static int stream_tcp(struct bench *b, uint32_t msg, uint64_t nmsg, void *priv,
		      uint64_t *ns)
{
	bool producer = b->ctl.role == BENCH_DRIVER;
	uint64_t seq, t0;
	int fd, rc, rc2, bad = 0;

	fd = bench_tcp_get(b);
	rc = bench_ctl_barrier(&b->ctl);
	if (fd < 0)
		rc = fd;
	t0 = bench_now_ns();
	for (seq = 0; !rc && seq < nmsg; seq++) {
		if (producer) {
			bench_pattern_fill(priv, msg, seq);
			rc = bench_tcp_write(fd, priv, msg);
		} else {
			rc = bench_tcp_read(fd, priv, msg);
			if (!rc && !bad)
				bad = bench_pattern_check(priv, msg, seq);
		}
	}
	rc2 = bench_ctl_barrier(&b->ctl);
	*ns = bench_now_ns() - t0;
	return rc ? rc : bad ? bad : rc2;
}

/*
 * In the driver alone, over buffers of the ring's size: memcpy of the same
 * messages from one buffer to another (@bufs: two rings), and the halves
 * of the in-place ring's work: filling each message into its slot of
 * @ring, or checking it there (@ring holds messages 0..nslots-1, checked
 * again and again).  The buffers were written before the first run.
 */
static int stream_local(enum bench_variant v, uint32_t msg, uint64_t nmsg,
			uint32_t ring_size, uint8_t *bufs, uint8_t *ring,
			uint64_t *ns)
{
	uint64_t seq, nslots = ring_size / msg, t0, off;
	int bad = 0;

	/* Untimed: the pages are faulted in, as the region's are. */
	if (v != BENCH_V_MEMCPY)
		for (seq = 0; seq < nslots; seq++)
			bench_pattern_fill(ring + seq * msg, msg, seq);
	t0 = bench_now_ns();
	for (seq = 0; seq < nmsg; seq++) {
		off = (seq % nslots) * msg;
		if (v == BENCH_V_MEMCPY)
			memcpy(bufs + ring_size + off, bufs + off, msg);
		else if (v == BENCH_V_FILL)
			bench_pattern_fill(ring + off, msg, seq);
		else
			bad |= bench_pattern_check(ring + off, msg,
						   seq % nslots);
	}
	/* The stores are the point: the compiler must keep them. */
	__asm__ volatile("" : : "r"(bufs), "r"(ring) : "memory");
	*ns = bench_now_ns() - t0;
	return bad;
}

static int stream_one(struct bench *b, enum bench_variant v, uint32_t msg,
		      uint64_t nmsg, uint32_t ring, uint8_t *priv, uint64_t *ns)
{
	if (bench_variant_raw(v) && !bench_ctl_raw(&b->ctl))
		return -EOPNOTSUPP;
	switch (v) {
	case BENCH_V_ISM:
		return stream_ism(b, false, msg, nmsg, ring, priv, ns);
	case BENCH_V_ISM_COPY:
		return stream_ism(b, true, msg, nmsg, ring, priv, ns);
	case BENCH_V_VCHAN:
		return stream_vchan(b, msg, nmsg, ring, priv, ns);
	case BENCH_V_TCP:
		return stream_tcp(b, msg, nmsg, priv, ns);
	default:
		return -EINVAL;
	}
}

static int stream_size_ok(uint64_t msg)
{
	unsigned int i;

	for (i = 0; i < sizeof(stream_sizes) / sizeof(stream_sizes[0]); i++)
		if (msg == stream_sizes[i])
			return 1;
	return 0;
}

int bench_stream_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	uint8_t *buf;
	uint64_t ns;
	int rc;

	(void)val;
	if (!stream_size_ok(arg[1]) || arg[2] > (1ull << 40) ||
	    !bench_stream_ring_ok(arg[3]))
		return -EINVAL;
	buf = aligned_alloc(64, STREAM_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	rc = stream_one(b, (enum bench_variant)arg[0], (uint32_t)arg[1], arg[2],
			(uint32_t)arg[3], buf, &ns);
	free(buf);
	return rc;
}

/* A variant not measured: its rate and its sleeps. */
static int stream_skip(struct bench *b, const char *variant, uint32_t msg)
{
	char name[40];
	int rc;

	snprintf(name, sizeof(name), "stream.%s.%u", variant, msg);
	rc = bench_skip_raw(b, name, "MB/s");
	snprintf(name, sizeof(name), "sleeps.%s.%u", variant, msg);
	return rc ? rc : bench_skip_raw(b, name, "/1000");
}

int bench_stream_run(struct bench *b)
{
	static const struct {
		enum bench_variant v;
		const char *name;
	} vs[] = {
		{ BENCH_V_MEMCPY, "memcpy" },	  { BENCH_V_FILL, "fill" },
		{ BENCH_V_CHECK, "check" },	  { BENCH_V_ISM, "ism" },
		{ BENCH_V_ISM_COPY, "ism-copy" }, { BENCH_V_VCHAN, "vchan" },
		{ BENCH_V_TCP, "tcp" },
	};
	unsigned int count = sizeof(vs) / sizeof(vs[0]), i, k, z;
	uint32_t ring_size = bench_stream_ring(b);
	uint64_t arg[4], ns, nmsg, bytes;
	char name[40];
	uint8_t *bufs, *ring;
	int rc = 0;

	if (!ring_size) {
		fprintf(stderr,
			"ism-bench: stream: the device's regions (%llu octets) "
			"cannot hold a ring of %u KiB and its header\n",
			(unsigned long long)b->info.region_size,
			STREAM_RING_MIN >> 10);
		return bench_fail(b, "stream", -EFBIG);
	}
	b->ring = ring_size;
	/* Source and destination of memcpy (the producer's private buffer
	 * is the first); the fill and check variants' ring. */
	bufs = aligned_alloc(64, 2 * (size_t)ring_size);
	ring = aligned_alloc(64, ring_size);
	if (!bufs || !ring) {
		free(bufs);
		free(ring);
		return -ENOMEM;
	}
	bench_pattern_fill(bufs, 2 * (size_t)ring_size, 0);
	for (z = 0; !rc && z < sizeof(stream_sizes) / sizeof(stream_sizes[0]);
	     z++) {
		bytes = b->o->quick ? stream_bytes_quick[z] : stream_bytes[z];
		nmsg = bytes / stream_sizes[z];
		for (k = 0; !rc && k < count; k++) {
			i = (k + b->rep) % count;
			if (vs[i].v == BENCH_V_TCP && !b->o->tcp_addr)
				continue;
			snprintf(name, sizeof(name), "stream.%s.%u", vs[i].name,
				 stream_sizes[z]);
			if (bench_variant_raw(vs[i].v) &&
			    !bench_ctl_raw(&b->ctl)) {
				rc = stream_skip(b, vs[i].name,
						 stream_sizes[z]);
				continue;
			}
			bench_watchdog(name);
			b->sleeps = 0;
			if (vs[i].v >= BENCH_V_MEMCPY) {
				rc = stream_local(vs[i].v, stream_sizes[z],
						  nmsg, ring_size, bufs, ring,
						  &ns);
			} else {
				arg[0] = vs[i].v;
				arg[1] = stream_sizes[z];
				arg[2] = nmsg;
				arg[3] = ring_size;
				rc = bench_ctl_call(&b->ctl, BENCH_OP_STREAM,
						    arg, 4);
				if (!rc)
					rc = stream_one(b, vs[i].v,
							stream_sizes[z], nmsg,
							ring_size, bufs, &ns);
				if (!rc)
					rc = bench_ctl_result(&b->ctl, NULL);
			}
			if (rc)
				rc = bench_fail(b, name, rc);
			else
				rc = bench_result_add(&b->res, name, "MB/s",
						      (double)bytes * 1000 /
							      (double)ns);
			/* Where a ring's time goes: sleeps per 1000. */
			if (!rc && (vs[i].v == BENCH_V_ISM ||
				    vs[i].v == BENCH_V_ISM_COPY ||
				    vs[i].v == BENCH_V_VCHAN)) {
				snprintf(name, sizeof(name), "sleeps.%s.%u",
					 vs[i].name, stream_sizes[z]);
				rc = bench_result_add(&b->res, name, "/1000",
						      (double)b->sleeps * 1000 /
							      (double)nmsg);
			}
		}
	}
	free(bufs);
	free(ring);
	return rc;
}
