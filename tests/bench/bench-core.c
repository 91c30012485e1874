/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-core.c - scale benchmark of the backend core on the fake Xen (not
 * a test: `make bench-core`).
 *
 * 1000 guests with one device each form 500 pairs; in each pair the owner
 * allocates 5 regions and the peer attaches all 5, so every device holds
 * 5 slots.  Then rounds of churn: per pair and round, 5 NOTIFY, 5 DETACH
 * and 5 ATTACH by the peer, and one ALLOC or FREE by the owner, all posted
 * before one batch of event channel processing.  Prints the rates and the
 * resident memory per device (the whole process: core, fake and the
 * region pages it clears).  The fake's own costs are included; it walks
 * lists where Xen would index, so the numbers are a lower bound.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"

#define NDEV 1000
#define NREG 5
#define ROUNDS 40

struct bdev {
	struct fe f;
	struct ism_region_desc d[NREG];
	struct ism_region_desc extra;
	bool has_extra;
};

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long bench_rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void bench_die(const char *what, int rc)
{
	fprintf(stderr, "bench-core: %s: %d\n", what, rc);
	exit(1);
}

/* Take every response of @b; count them, fail on an error status. */
static unsigned int bench_take(struct bdev *b, unsigned int *bad)
{
	struct ism_rsp rsp;
	unsigned int n = 0;

	while (fe_take(&b->f, &rsp)) {
		n++;
		if (rsp.status) {
			(*bad)++;
			continue;
		}
		if (rsp.op == ISM_OP_ATTACH)
			b->d[rsp.u.region.slot % NREG] = rsp.u.region;
		if (rsp.op == ISM_OP_ALLOC && rsp.u.region.slot < NREG)
			b->d[rsp.u.region.slot] = rsp.u.region;
		if (rsp.op == ISM_OP_ALLOC && rsp.u.region.slot >= NREG) {
			b->extra = rsp.u.region;
			b->has_extra = true;
		}
	}
	return n;
}

static void bench_post(struct bdev *b, uint8_t op,
		       const struct ism_region_desc *d, uint64_t size)
{
	struct ism_req req = { .op = op };

	if (op == ISM_OP_ALLOC) {
		req.u.alloc.size = size;
	} else if (op == ISM_OP_ATTACH) {
		req.u.attach.token = d->token;
	} else {
		req.u.slot.slot = d->slot;
		req.u.slot.token = d->token;
	}
	fe_post(&b->f, &req);
}

int main(void)
{
	static const struct fake_xen_limits big = { 65536, 65536, 65536,
						    65536 };
	struct ism_backend_limits lim;
	struct bdev *dev = calloc(NDEV, sizeof(*dev));
	struct ism_backend_stats st;
	unsigned int i, k, r, ops = 0, bad = 0;
	double t0, t1, t2, t3;
	long rss0, rss1;
	size_t heap0, heap1;
	struct fw w;
	int rc;

	if (!dev)
		return 1;
	memset(&w, 0, sizeof(w));
	ism_backend_limits_default(&lim);
	lim.gid = 1;
	lim.max_grants = 65536;
	w.lim = lim;
	rc = fake_xen_create(&w.fx);
	rc = rc ?: fake_xen_domain_set_limits(w.fx, FW_BE, &big);
	rc = rc ?: fake_xen_platform_open(w.fx, FW_BE, &w.p);
	rc = rc ?: ism_backend_new(&fake_xen_ops, w.p, &lim, &w.be);
	if (rc)
		bench_die("setup", rc);
	rss0 = bench_rss_kib();
	heap0 = mallinfo2().uordblks;

	/* Devices: created by the toolstack, then connected. */
	t0 = bench_now();
	for (i = 0; i < NDEV; i++) {
		rc = fw_guest(&w, (uint16_t)(i + 1));
		rc = rc ?: fe_create(&w, (uint16_t)(i + 1), i + 1, &dev[i].f);
		rc = rc ?: fe_connect(&dev[i].f);
		if (rc)
			bench_die("connect", rc);
	}
	t1 = bench_now();

	/* Every owner allocates 5 regions, every peer attaches them. */
	for (i = 0; i < NDEV; i += 2) {
		for (k = 0; k < NREG; k++)
			bench_post(&dev[i], ISM_OP_ALLOC, NULL, ISM_PAGE_SIZE);
		fe_publish(&dev[i].f);
	}
	fw_pump(&w);
	for (i = 0; i < NDEV; i += 2) {
		bench_take(&dev[i], &bad);
		for (k = 0; k < NREG; k++)
			bench_post(&dev[i + 1], ISM_OP_ATTACH, &dev[i].d[k], 0);
		fe_publish(&dev[i + 1].f);
	}
	fw_pump(&w);
	for (i = 1; i < NDEV; i += 2)
		bench_take(&dev[i], &bad);
	rss1 = bench_rss_kib();
	heap1 = mallinfo2().uordblks;
	ism_backend_get_stats(w.be, &st);
	if (bad || st.regions != NDEV / 2 * NREG)
		bench_die("regions", (int)st.regions);

	/* Churn. */
	t2 = bench_now();
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NDEV; i += 2) {
			struct bdev *o = &dev[i], *p = &dev[i + 1];

			for (k = 0; k < NREG; k++) {
				bench_post(o, ISM_OP_NOTIFY, &o->d[k], 0);
				bench_post(p, ISM_OP_DETACH, &p->d[k], 0);
				bench_post(p, ISM_OP_ATTACH, &o->d[k], 0);
			}
			if (o->has_extra)
				bench_post(o, ISM_OP_FREE, &o->extra, 0);
			else
				bench_post(o, ISM_OP_ALLOC, NULL,
					   ISM_PAGE_SIZE);
			o->has_extra = false;
			fe_publish(&o->f);
			fe_publish(&p->f);
		}
		fw_pump(&w);
		for (i = 0; i < NDEV; i++)
			ops += bench_take(&dev[i], &bad);
		for (i = 0; i < NDEV; i += 2) {
			for (k = 0; k < NREG; k++)
				fe_sba_take(&dev[i + 1].f,
					    dev[i + 1].d[k].slot);
		}
	}
	t3 = bench_now();
	if (bad)
		bench_die("churn requests failed", (int)bad);

	printf("bench-core: %u devices, %u regions each (%u regions, %u "
	       "shared)\n",
	       NDEV, NREG, NDEV / 2 * NREG, NDEV / 2 * NREG);
	printf("  connect:  %.0f devices/s (%.3f s for %u)\n", NDEV / (t1 - t0),
	       t1 - t0, NDEV);
	printf("  churn:    %.0f requests/s (%u requests in %.3f s, %u "
	       "rounds of NOTIFY, DETACH, ATTACH, ALLOC/FREE)\n",
	       ops / (t3 - t2), ops, t3 - t2, ROUNDS);
	printf("  memory:   %.1f KiB resident per device (RSS %ld -> %ld "
	       "KiB: core, fake, and the region, doorbell and directory "
	       "pages)\n",
	       (double)(rss1 - rss0) / NDEV, rss0, rss1);
	printf("            %.1f KiB of heap per device (core and fake)\n",
	       (double)(heap1 - heap0) / 1024 / NDEV);
	t0 = bench_now();
	fw_close(&w);
	t1 = bench_now();
	printf("  shutdown: %.3f s to close %u devices\n", t1 - t0, NDEV);
	free(dev);
	return 0;
}
