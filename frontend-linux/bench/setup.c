// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setup.c - setup cost: the driver makes memory of 64 KiB or 1 MiB
 * available, the server maps it, touches every page and lets go, the
 * driver checks the server's writes and takes it back; per cycle, with
 * the signalling between the two (the same two barriers in every variant).
 * A cycle ends when its teardown has completed, in every variant: the
 * raw unmap and unshare return when done; xen-ism's DETACH and FREE are
 * posted, so the driver, before its FREE, awaits the PEER_DETACHED event
 * that the backend sends while it serves the server's DETACH, and after
 * it an INFO, which the backend answers once it has served the FREE
 * (one request at a time, each device's in order): the server's grants
 * are ended and the pages freed.
 *   xen-ism: alloc, map, attach, map, detach, free (five requests, and
 *	the owner awaits ALLOC, ATTACH's event, the INFO after FREE).
 *   raw grant cycle (the limit): share the pages (gntalloc), map them
 *	(gntdev), unmap, unshare.
 *   libxenvchan: server_init and client_init with rings of that size,
 *	one octet across, close.
 * A second pass of the first two times each step (setup.ism.SIZE.alloc,
 * ...; the driver's add up to its cycle, its peer-turn holds the
 * server's): where the difference comes from; setup.ism.request is the least
 * any awaited request costs, an INFO round trip to the backend.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <libxenvchan.h>

#include "work.h"

#define SETUP_PAGE 4096u
#define SETUP_CYCLES 20
#define SETUP_CYCLES_QUICK 2
#define SETUP_WARM 1
#define SETUP_REQUESTS 50
#define SETUP_REQUESTS_QUICK 5

/* What the driver asks of the server's pass (arg[3] of BENCH_OP_SETUP). */
#define SETUP_F_STEPS 0x1u /* time each step */

static const uint64_t setup_sizes[] = { 64u << 10, 1u << 20 };

/*
 * Where a cycle's time goes: a second pass reads the clock between steps
 * (one read costs tens of microseconds under emulation, so not in the
 * timed pass) and adds each step's time to ns[step].
 */
#define SETUP_STEPS 6

struct setup_steps {
	uint64_t ns[SETUP_STEPS];
	uint64_t last;
};

static void step_begin(struct setup_steps *st)
{
	if (st)
		st->last = bench_now_ns();
}

static void step_end(struct setup_steps *st, unsigned int i)
{
	uint64_t now;

	if (!st)
		return;
	now = bench_now_ns();
	st->ns[i] += now - st->last;
	st->last = now;
}

/* The steps each side reports, by variant and role (NULL: not timed). */
static const char *const step_names[][2][SETUP_STEPS] = {
	[BENCH_V_GRANT] = {
		{ "share", NULL, NULL, NULL, "unshare" },
		{ NULL, "map", NULL, "unmap" },
	},
	[BENCH_V_ISM] = {
		{ "alloc", "map-owner", "peer-turn", "check-owner", "free" },
		{ NULL, "attach", "map", "touch", "detach" },
	},
};

/* The driver writes c into the first octet of each page, the server
 * checks it and writes ~c into the second, the driver checks that. */
static void touch(uint8_t *p, uint64_t size, uint8_t c, bool driver)
{
	uint64_t i;

	for (i = 0; i < size; i += SETUP_PAGE)
		p[i + !driver] = driver ? c : (uint8_t)~c;
}

static int touched(const uint8_t *p, uint64_t size, uint8_t c, bool driver)
{
	uint64_t i;

	for (i = 0; i < size; i += SETUP_PAGE)
		if (p[i + driver] != (driver ? (uint8_t)~c : c))
			return -EILSEQ;
	return 0;
}

static int cycle_grant(struct bench *b, uint64_t size, uint8_t c,
		       struct setup_steps *st)
{
	struct bench_ctl *ctl = &b->ctl;
	uint32_t n = (uint32_t)(size / SETUP_PAGE), refs[BENCH_MAX_REFS];
	uint64_t ok = 0;
	uint8_t *p;
	int rc;

	step_begin(st);
	if (ctl->role == BENCH_DRIVER) {
		p = xengntshr_share_pages(ctl->xgs, ctl->peer, n,
					  ctl->page->refs, 1);
		step_end(st, 0);
		if (p) {
			touch(p, size, c, true);
			ctl->page->nrefs = n;
		}
		step_end(st, 1);
		rc = bench_ctl_swap(ctl, p != NULL, NULL);
		if (!rc)
			rc = bench_ctl_barrier(ctl);
		step_end(st, 2);
		if (!p)
			return rc ? rc : -ENOMEM;
		if (!rc)
			rc = touched(p, size, c, true);
		step_end(st, 3);
		xengntshr_unshare(ctl->xgs, p, n);
		step_end(st, 4);
		return rc;
	}
	rc = bench_ctl_swap(ctl, 0, &ok);
	step_end(st, 0);
	if (!rc && (!ok || ctl->page->nrefs != n))
		rc = -EPROTO;
	if (!rc) {
		memcpy(refs, ctl->page->refs, n * sizeof(refs[0]));
		p = xengnttab_map_domain_grant_refs(
			ctl->xgt, n, ctl->peer, refs, PROT_READ | PROT_WRITE);
		step_end(st, 1);
		rc = p ? touched(p, size, c, false) : -ENOMEM;
		if (!rc)
			touch(p, size, c, false);
		step_end(st, 2);
		if (p)
			xengnttab_unmap(ctl->xgt, p, n);
		step_end(st, 3);
	}
	return bench_ctl_barrier(ctl) ? -ECONNABORTED : rc;
}

/*
 * FREE is posted: one request waited for (INFO) makes sure the backend
 * has served it (requests are served in order).
 */
static int setup_flush(struct bench *b)
{
	struct ism_dev_info info;

	return ism_dev_info(b->dev, &info);
}

/*
 * The server's DETACH is posted: its PEER_DETACHED event tells the owner
 * that the backend is serving it (and will have finished before it
 * serves the owner's next request).
 */
static int setup_peer_gone(struct bench *b, ism_region *r)
{
	struct ism_event ev;
	int rc;

	do {
		/* No timeout: the watchdog bounds the wait. */
		rc = ism_event_wait(b->dev, -1, &ev);
		if (!rc && ev.type == ISM_EVENT_DEVICE_CLOSED)
			rc = -ESHUTDOWN;
		if (!rc && ev.region == r && ev.type != ISM_EVT_PEER_ATTACHED &&
		    ev.type != ISM_EVT_PEER_DETACHED)
			rc = -EPROTO;
	} while (!rc && (ev.region != r || ev.type != ISM_EVT_PEER_DETACHED));
	return rc;
}

static void drain(struct bench *b)
{
	struct ism_event ev;

	while (!ism_event_read(b->dev, &ev))
		;
}

static int cycle_ism(struct bench *b, uint64_t size, uint8_t c,
		     struct setup_steps *st)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	struct ism_region_info ri;
	ism_region *r = NULL;
	uint64_t token = 0;
	void *p = NULL;
	int rc, rc2 = 0;

	step_begin(st);
	if (driver) {
		rc = ism_region_alloc(b->dev, size, ISM_PERM_DEFAULT, &r);
		step_end(st, 0);
		if (!rc)
			rc = ism_region_map(r, &p, NULL);
		step_end(st, 1);
		if (!rc) {
			touch(p, size, c, true);
			ism_region_info(r, &ri);
			token = ri.token;
		}
		rc2 = bench_ctl_swap(&b->ctl, token, NULL);
		if (!rc2)
			rc2 = bench_ctl_barrier(&b->ctl);
		if (!rc)
			rc = rc2;
		step_end(st, 2);
		if (!rc)
			rc = touched(p, size, c, true);
		step_end(st, 3);
		if (!rc)
			rc = setup_peer_gone(b, r);
		if (r)
			rc2 = ism_region_free(r);
		if (!rc2)
			rc2 = setup_flush(b);
		drain(b);
		step_end(st, 4);
		return rc ? rc : rc2;
	}
	rc = bench_ctl_swap(&b->ctl, 0, &token);
	if (!rc && !token)
		rc = -ECONNABORTED;
	step_end(st, 0);
	if (!rc)
		rc = ism_region_attach(b->dev, token, 0, &r);
	step_end(st, 1);
	if (!rc)
		rc = ism_region_map(r, &p, NULL);
	step_end(st, 2);
	if (!rc)
		rc = touched(p, size, c, false);
	if (!rc)
		touch(p, size, c, false);
	step_end(st, 3);
	if (r)
		rc2 = ism_region_detach(r);
	drain(b);
	step_end(st, 4);
	if (!rc)
		rc = rc2;
	return bench_ctl_barrier(&b->ctl) ? -ECONNABORTED : rc;
}

static int cycle_vchan(struct bench *b, uint64_t size, uint8_t c,
		       struct setup_steps *st)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	struct libxenvchan *x;
	uint8_t octet = c;
	int rc, rc2;

	(void)st;
	rc = bench_vchan_open(b, size, &x);
	if (!rc && driver) {
		if (libxenvchan_recv(x, &octet, 1) != 1 || octet != c)
			rc = -EIO;
	} else if (!rc) {
		if (libxenvchan_send(x, &octet, 1) != 1)
			rc = -EIO;
		libxenvchan_close(x);
		x = NULL;
	}
	rc2 = bench_ctl_barrier(&b->ctl);
	if (x)
		libxenvchan_close(x);
	return rc ? rc : rc2;
}

/* @cycles cycles of @v; timed as a whole, or step by step into @st. */
static int setup_one(struct bench *b, enum bench_variant v, uint64_t size,
		     unsigned int cycles, struct setup_steps *st, uint64_t *ns)
{
	int (*cycle)(struct bench * b, uint64_t size, uint8_t c,
		     struct setup_steps * st);
	uint64_t t0 = 0;
	unsigned int i;
	int rc = 0;

	if (bench_variant_raw(v) && !bench_ctl_raw(&b->ctl))
		return -EOPNOTSUPP;
	switch (v) {
	case BENCH_V_GRANT:
		cycle = cycle_grant;
		break;
	case BENCH_V_ISM:
		cycle = cycle_ism;
		break;
	case BENCH_V_VCHAN:
		cycle = cycle_vchan;
		break;
	default:
		return -EINVAL;
	}
	for (i = 0; !rc && i < SETUP_WARM + cycles; i++) {
		if (i == SETUP_WARM)
			t0 = bench_now_ns();
		rc = cycle(b, size, (uint8_t)(i + 1),
			   i < SETUP_WARM ? NULL : st);
	}
	*ns = bench_now_ns() - t0;
	return rc;
}

int bench_setup_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	struct setup_steps st;
	uint64_t ns;
	unsigned int i;
	int rc;

	if (arg[1] != setup_sizes[0] && arg[1] != setup_sizes[1])
		return -EINVAL;
	if (arg[2] > 10000 || arg[3] > SETUP_F_STEPS)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	rc = setup_one(b, (enum bench_variant)arg[0], arg[1],
		       (unsigned int)arg[2],
		       arg[3] & SETUP_F_STEPS ? &st : NULL, &ns);
	for (i = 0; i < SETUP_STEPS && i < BENCH_MAX_ARGS; i++)
		val[i] = st.ns[i];
	return rc;
}

/* A step pass of @v: each named step's ms per cycle, both sides. */
static int setup_steps_run(struct bench *b, enum bench_variant v,
			   const char *prefix, uint64_t size,
			   unsigned int cycles)
{
	uint64_t arg[4] = { v, size, cycles, SETUP_F_STEPS };
	uint64_t val[BENCH_MAX_ARGS], ns;
	struct setup_steps st;
	const char *step;
	unsigned int role, i;
	char name[64];
	int rc;

	memset(&st, 0, sizeof(st));
	rc = bench_ctl_call(&b->ctl, BENCH_OP_SETUP, arg, 4);
	if (!rc)
		rc = setup_one(b, v, size, cycles, &st, &ns);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, val);
	for (role = 0; !rc && role < 2; role++)
		for (i = 0; !rc && i < SETUP_STEPS; i++) {
			step = step_names[v][role][i];
			if (!step)
				continue;
			snprintf(name, sizeof(name), "%s.%s", prefix, step);
			rc = bench_result_add(&b->res, name, "ms",
					      (double)(role ? val[i] :
							      st.ns[i]) /
						      cycles / 1e6);
		}
	return rc;
}

/* A variant not measured: its cycle, and each step a step pass times. */
static int setup_skip(struct bench *b, enum bench_variant v, const char *prefix)
{
	unsigned int role, i;
	const char *step;
	char name[64];
	int rc;

	rc = bench_skip_raw(b, prefix, "ms");
	for (role = 0; !rc && v != BENCH_V_VCHAN && role < 2; role++)
		for (i = 0; !rc && i < SETUP_STEPS; i++) {
			step = step_names[v][role][i];
			if (!step)
				continue;
			snprintf(name, sizeof(name), "%s.%s", prefix, step);
			rc = bench_skip_raw(b, name, "ms");
		}
	return rc;
}

/*
 * @cycles xen-ism cycles of @size with the server, between @phase's begin
 * and end: what the backend pays per cycle, sampled in its domain: 6
 * requests (ALLOC, ATTACH, DETACH, FREE and an INFO after each of the
 * last two).
 */
int bench_setup_phase(struct bench *b, uint64_t size, unsigned int cycles,
		      bench_phase_fn phase)
{
	uint64_t arg[4] = { BENCH_V_ISM, size, cycles, 0 }, ns;
	int rc;

	rc = phase(b, true, SETUP_WARM + cycles);
	if (!rc)
		rc = bench_ctl_call(&b->ctl, BENCH_OP_SETUP, arg, 4);
	if (!rc)
		rc = setup_one(b, BENCH_V_ISM, size, cycles, NULL, &ns);
	if (!rc)
		rc = bench_ctl_result(&b->ctl, NULL);
	if (!rc)
		rc = phase(b, false, SETUP_WARM + cycles);
	return rc;
}

/* The driver alone: ms per INFO request, answered by the backend. */
static int setup_request_run(struct bench *b)
{
	struct ism_dev_info info;
	unsigned int i, n = b->o->quick ? SETUP_REQUESTS_QUICK : SETUP_REQUESTS;
	uint64_t t0;
	int rc = 0;

	t0 = bench_now_ns();
	for (i = 0; !rc && i < n; i++)
		rc = ism_dev_info(b->dev, &info);
	if (rc)
		return rc;
	return bench_result_add(&b->res, "setup.ism.request", "ms",
				(double)(bench_now_ns() - t0) / n / 1e6);
}

int bench_setup_run(struct bench *b)
{
	static const struct {
		enum bench_variant v;
		const char *name;
	} vs[] = {
		{ BENCH_V_GRANT, "grant" },
		{ BENCH_V_ISM, "ism" },
		{ BENCH_V_VCHAN, "vchan" },
	};
	unsigned int count = sizeof(vs) / sizeof(vs[0]), i, k, z;
	unsigned int cycles = b->o->quick ? SETUP_CYCLES_QUICK : SETUP_CYCLES;
	uint64_t arg[4] = { 0 }, ns;
	char name[40];
	int rc = 0;

	for (z = 0; !rc && z < sizeof(setup_sizes) / sizeof(setup_sizes[0]);
	     z++) {
		for (k = 0; !rc && k < count; k++) {
			i = (k + b->rep) % count;
			snprintf(name, sizeof(name), "setup.%s.%u", vs[i].name,
				 (unsigned int)setup_sizes[z]);
			if (bench_variant_raw(vs[i].v) &&
			    !bench_ctl_raw(&b->ctl)) {
				rc = setup_skip(b, vs[i].v, name);
				continue;
			}
			bench_watchdog(name);
			arg[0] = vs[i].v;
			arg[1] = setup_sizes[z];
			arg[2] = cycles;
			rc = bench_ctl_call(&b->ctl, BENCH_OP_SETUP, arg, 4);
			if (!rc)
				rc = setup_one(b, vs[i].v, setup_sizes[z],
					       cycles, NULL, &ns);
			if (!rc)
				rc = bench_ctl_result(&b->ctl, NULL);
			if (!rc)
				rc = bench_result_add(&b->res, name, "ms",
						      (double)ns / cycles /
							      1e6);
			if (!rc && vs[i].v != BENCH_V_VCHAN)
				rc = setup_steps_run(b, vs[i].v, name,
						     setup_sizes[z], cycles);
			if (rc)
				rc = bench_fail(b, name, rc);
		}
	}
	if (!rc) {
		bench_watchdog("setup.ism.request");
		rc = setup_request_run(b);
		if (rc)
			rc = bench_fail(b, "setup.ism.request", rc);
	}
	return rc;
}
