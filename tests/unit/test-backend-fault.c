/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-fault.c - fault-injection sweep over a backend's whole life:
 * start, two devices connect, ALLOC, ATTACH, the peer maps and writes,
 * NOTIFY, unmap, DETACH, FREE, both devices close, the backend stops.
 *
 * Run n fails the nth call of any platform op (SQLite's test VFS, curl's
 * torture mode), for n = 1, 2, ... until a run completes without reaching
 * the fault.  The region has 3 pages, then (EIO only) 514: its grants
 * and their ends take two batches each.  Between steps the test calls ism_backend_reclaim(), as the
 * daemon's timer does, and a frontend whose device was closed resets and
 * connects again.  After every run:
 *
 *  - the core's view agrees with the platform's: each device's state node
 *    says what the core thinks, and the core's grant count is the
 *    backend domain's;
 *  - the system recovered: both devices are Connected and a fresh
 *    ALLOC/ATTACH/NOTIFY/DETACH/FREE works (when the fault came before
 *    that check; the check itself and the shutdown are swept too);
 *  - once the backend is freed its domain holds nothing (no grant, page
 *    set, mapping, port, watch or transaction), and ASan finds no leak.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define A 5
#define B 7
#define MAX_RUNS 20000

/* A device whose connection broke resets and connects again. */
static void sweep_connect(struct fe *f)
{
	int i;

	for (i = 0; i < 4; i++) {
		fw_reclaim(f->w);
		switch (fe_be_state(f)) {
		case ISM_XBS_INITWAIT:
			fe_connect(f);
			break;
		case ISM_XBS_CONNECTED:
			fe_set_state(f, ISM_XBS_CONNECTED);
			return;
		case ISM_XBS_CLOSED:
			fe_close(f);
			fe_set_state(f, ISM_XBS_INITIALISING);
			break;
		default:
			break;
		}
	}
}

/* The scenario; faults make steps fail, never the test itself. */
static void sweep_scenario(struct fw *w, struct fe *a, struct fe *b,
			   unsigned int npages)
{
	struct ism_region_desc d, p;
	struct fe_map m;
	unsigned int i;

	sweep_connect(a);
	sweep_connect(b);
	if (!fe_alloc(a, (uint64_t)npages * ISM_PAGE_SIZE, &d)) {
		if (!fe_attach(b, d.token, 0, &p)) {
			if (!fe_map(b, &p, false, &m)) {
				for (i = 0; i < m.n; i++)
					memset(m.page[i], 0x5a, ISM_PAGE_SIZE);
			}
			fe_unmap(b, &m);
			fe_notify(a, &d);
			fe_sba_take(b, p.slot);
			fe_detach(b, &p);
		}
		fe_free(a, &d);
	}
	fw_reclaim(w);
	fw_reclaim(w);
}

/* Does the core agree with the platform?  Returns a reason or NULL. */
static const char *sweep_consistent(struct fw *w)
{
	struct ism_backend_stats st;
	struct ism_device_stat *list;
	struct fake_xen_usage u;
	struct fe probe;
	unsigned int n, i, connected = 0;
	const char *why = NULL;

	ism_backend_get_stats(w->be, &st);
	fake_xen_usage(w->fx, FW_BE, &u);
	if (st.grants != u.grants)
		return "grant counts differ";
	if (ism_backend_list_devices(w->be, &list, &n))
		return "list_devices failed";
	for (i = 0; i < n && !why; i++) {
		memset(&probe, 0, sizeof(probe));
		probe.w = w;
		probe.domid = list[i].domid;
		snprintf(probe.be_path, sizeof(probe.be_path),
			 ISM_PATH_BACKEND_FMT, FW_BE, list[i].domid,
			 list[i].devid);
		if (fe_be_state(&probe) != list[i].state)
			why = "a state node differs from the core's state";
		connected += list[i].state == ISM_XBS_CONNECTED;
	}
	free(list);
	if (!why && connected != st.connected)
		why = "connected count differs";
	return why;
}

/* After the fault: everything works again. */
static const char *sweep_recovered(struct fe *a, struct fe *b)
{
	struct ism_region_desc d, p;

	if (fe_be_state(a) != ISM_XBS_CONNECTED ||
	    fe_be_state(b) != ISM_XBS_CONNECTED)
		return "a device did not reconnect";
	if (fe_alloc(a, ISM_PAGE_SIZE, &d) || fe_attach(b, d.token, 0, &p) ||
	    fe_notify(b, &p) || fe_detach(b, &p) || fe_free(a, &d))
		return "ALLOC/ATTACH/NOTIFY/DETACH/FREE failed after it";
	return NULL;
}

struct sweep_result {
	unsigned long hits; /* runs where the fault was injected */
	unsigned int bad;
};

/*
 * One run with the nth op failing with @err (n = 0: no fault), over a
 * region of @npages pages.
 */
static bool sweep_run(unsigned long n, int err, unsigned int npages,
		      struct sweep_result *res)
{
	struct fake_xen_limits big = {
		.grants = 4096, .ports = 1024, .maps = 1024, .pages = 4096
	};
	struct fw w;
	struct fe a, b;
	const char *why = NULL;
	bool hit;
	int rc;

	memset(&w, 0, sizeof(w));
	ism_backend_limits_default(&w.lim);
	w.lim.gid = 0x5e1f0c2a9b7d4433ull;
	if (w.lim.region_size < (uint64_t)npages * ISM_PAGE_SIZE)
		w.lim.region_size = (uint64_t)npages * ISM_PAGE_SIZE;
	rc = fake_xen_create(&w.fx);
	/* Room for two referrers of a region longer than a batch. */
	rc = rc ?: fake_xen_domain_set_limits(w.fx, FW_BE, &big);
	rc = rc ?: fake_xen_platform_open(w.fx, FW_BE, &w.p);
	rc = rc ?: fake_xen_domain_add(w.fx, A, 0);
	rc = rc ?: fake_xen_domain_add(w.fx, B, 0);
	if (rc) {
		printf("Bail out! fake setup failed\n");
		exit(1);
	}
	if (n)
		fake_xen_fail_set(w.fx, FAKE_XEN_OP_ANY, n, err, 0);
	rc = ism_backend_new(&fake_xen_ops, w.p, &w.lim, &w.be);
	if (!rc) {
		fw_pump(&w);
		fe_create(&w, A, 4097, &a);
		fe_create(&w, B, 4098, &b);
		sweep_scenario(&w, &a, &b, npages);
		why = sweep_consistent(&w);
		/* Recovery is checked once the fault is behind us. */
		if (!why && (!n || fake_xen_fail_hits(w.fx)))
			why = sweep_recovered(&a, &b);
		else if (!why)
			sweep_recovered(&a, &b);
		fe_close(&a);
		fe_close(&b);
		fw_stop(&w);
	} else if (!n) {
		why = "ism_backend_new failed without a fault";
	}
	if (!why && !fw_be_clean(&w))
		why = "the backend domain still holds something";
	hit = fake_xen_fail_hits(w.fx) > 0;
	if (why) {
		res->bad++;
		if (res->bad <= 10)
			tap_diag("fault at call %lu (%s): %s", n, strerror(err),
				 why);
	}
	res->hits += hit;
	fake_xen_platform_close(w.p);
	fake_xen_destroy(w.fx);
	return hit || !n;
}

static void sweep(int err, unsigned int npages)
{
	struct sweep_result res = { 0, 0 };
	unsigned long n;

	sweep_run(0, err, npages, &res);
	tap_is_int(res.bad, 0, "the scenario passes without faults");
	for (n = 1; n < MAX_RUNS && sweep_run(n, err, npages, &res); n++)
		;
	printf("# injected faults (%s, %u pages): %lu\n", strerror(err), npages,
	       res.hits);
	tap_ok(n < MAX_RUNS && res.hits > 100,
	       "fault_sweep %s, region of %u pages: %lu faults injected, one "
	       "per run, until the scenario ran past the last call",
	       strerror(err), npages, res.hits);
	tap_is_int(res.bad, 0,
		   "  no crash, no leak, consistent state and recovery after "
		   "each");
}

int main(void)
{
	tap_plan(9);
	sweep(EIO, 3);
	sweep(ENOMEM, 3);
	/* Region pages and doorbell in two batches (512 + 3). */
	sweep(EIO, ISM_PAGES_BATCH_MAX + 2);
	return tap_done();
}
