// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setup.c - setup cost: the driver makes memory of 64 KiB or 1 MiB
 * available, the server maps it, touches every page and lets go, the
 * driver checks the server's writes and takes it back; per cycle, with
 * the signalling between the two (the same two barriers in every variant).
 *   xen-ism: alloc, map, attach, map, detach, free.
 *   raw grant cycle (the limit): share the pages (gntalloc), map them
 *	(gntdev), unmap, unshare.
 *   libxenvchan: server_init and client_init with rings of that size,
 *	one octet across, close.
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

static const uint64_t setup_sizes[] = { 64u << 10, 1u << 20 };

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

static int cycle_grant(struct bench *b, uint64_t size, uint8_t c)
{
	struct bench_ctl *ctl = &b->ctl;
	uint32_t n = (uint32_t)(size / SETUP_PAGE), refs[BENCH_MAX_REFS];
	uint64_t ok = 0;
	uint8_t *p;
	int rc;

	if (ctl->role == BENCH_DRIVER) {
		p = xengntshr_share_pages(ctl->xgs, ctl->peer, n,
					  ctl->page->refs, 1);
		if (p) {
			touch(p, size, c, true);
			ctl->page->nrefs = n;
		}
		rc = bench_ctl_swap(ctl, p != NULL, NULL);
		if (!rc)
			rc = bench_ctl_barrier(ctl);
		if (!p)
			return rc ? rc : -ENOMEM;
		if (!rc)
			rc = touched(p, size, c, true);
		xengntshr_unshare(ctl->xgs, p, n);
		return rc;
	}
	rc = bench_ctl_swap(ctl, 0, &ok);
	if (!rc && (!ok || ctl->page->nrefs != n))
		rc = -EPROTO;
	if (!rc) {
		memcpy(refs, ctl->page->refs, n * sizeof(refs[0]));
		p = xengnttab_map_domain_grant_refs(
			ctl->xgt, n, ctl->peer, refs, PROT_READ | PROT_WRITE);
		rc = p ? touched(p, size, c, false) : -ENOMEM;
		if (!rc)
			touch(p, size, c, false);
		if (p)
			xengnttab_unmap(ctl->xgt, p, n);
	}
	return bench_ctl_barrier(ctl) ? -ECONNABORTED : rc;
}

static void drain(struct bench *b)
{
	struct ism_event ev;

	while (!ism_event_read(b->dev, &ev))
		;
}

static int cycle_ism(struct bench *b, uint64_t size, uint8_t c)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	struct ism_region_info ri;
	ism_region *r = NULL;
	uint64_t token = 0;
	void *p = NULL;
	int rc, rc2 = 0;

	if (driver) {
		rc = ism_region_alloc(b->dev, size, ISM_PERM_DEFAULT, &r);
		if (!rc)
			rc = ism_region_map(r, &p, NULL);
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
		if (!rc)
			rc = touched(p, size, c, true);
		if (r)
			rc2 = ism_region_free(r);
		drain(b);
		return rc ? rc : rc2;
	}
	rc = bench_ctl_swap(&b->ctl, 0, &token);
	if (!rc && !token)
		rc = -ECONNABORTED;
	if (!rc)
		rc = ism_region_attach(b->dev, token, 0, &r);
	if (!rc)
		rc = ism_region_map(r, &p, NULL);
	if (!rc)
		rc = touched(p, size, c, false);
	if (!rc)
		touch(p, size, c, false);
	if (r)
		rc2 = ism_region_detach(r);
	drain(b);
	if (!rc)
		rc = rc2;
	return bench_ctl_barrier(&b->ctl) ? -ECONNABORTED : rc;
}

static int cycle_vchan(struct bench *b, uint64_t size, uint8_t c)
{
	bool driver = b->ctl.role == BENCH_DRIVER;
	struct libxenvchan *x;
	uint8_t octet = c;
	int rc, rc2;

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

static int setup_one(struct bench *b, enum bench_variant v, uint64_t size,
		     unsigned int cycles, uint64_t *ns)
{
	int (*cycle)(struct bench * b, uint64_t size, uint8_t c);
	uint64_t t0 = 0;
	unsigned int i;
	int rc = 0;

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
		rc = cycle(b, size, (uint8_t)(i + 1));
	}
	*ns = bench_now_ns() - t0;
	return rc;
}

int bench_setup_serve(struct bench *b, const uint64_t *arg, uint64_t *val)
{
	uint64_t ns;

	(void)val;
	if (arg[1] != setup_sizes[0] && arg[1] != setup_sizes[1])
		return -EINVAL;
	if (arg[2] > 10000)
		return -EINVAL;
	return setup_one(b, (enum bench_variant)arg[0], arg[1],
			 (unsigned int)arg[2], &ns);
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
	uint64_t arg[3], ns;
	char name[40];
	int rc = 0;

	for (z = 0; !rc && z < sizeof(setup_sizes) / sizeof(setup_sizes[0]);
	     z++) {
		for (k = 0; !rc && k < count; k++) {
			i = (k + b->rep) % count;
			snprintf(name, sizeof(name), "setup.%s.%u", vs[i].name,
				 (unsigned int)setup_sizes[z]);
			bench_watchdog(name);
			arg[0] = vs[i].v;
			arg[1] = setup_sizes[z];
			arg[2] = cycles;
			rc = bench_ctl_call(&b->ctl, BENCH_OP_SETUP, arg, 3);
			if (!rc)
				rc = setup_one(b, vs[i].v, setup_sizes[z],
					       cycles, &ns);
			if (!rc)
				rc = bench_ctl_result(&b->ctl, NULL);
			if (rc)
				rc = bench_fail(b, name, rc);
			else
				rc = bench_result_add(&b->res, name, "ms",
						      (double)ns / cycles /
							      1e6);
		}
	}
	return rc;
}
