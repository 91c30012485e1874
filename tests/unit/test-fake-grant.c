/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-grant.c - region pages granted by the backend domain (to one or
 * several guests, read-only enforced; in batches, all or nothing, ended
 * with a status per grant), pages granted by a guest and mapped by the
 * backend, refusals while mapped, limits and process exit.
 *
 * dom1 runs the backend (a platform); dom5 and dom6 are guests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define BE 1
#define G1 5
#define G2 6

static const struct ism_platform_ops *ops = &fake_xen_ops;

static bool all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

static void test_region(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h = 0, ro = 0, rw = 0, other = 0, g2ref = 0;
	void *addr = NULL, *gro = NULL, *grw = NULL, *g2 = NULL, *x = NULL;
	struct fake_xen_usage u;
	unsigned char *mem;

	tap_is_int(ops->pages_alloc(p, 2, &h, &addr), 0, "allocate 2 pages");
	mem = addr;
	tap_ok(mem && all_zero(mem, 2 * ISM_PAGE_SIZE), "they are zeroed");
	memset(mem + ISM_PAGE_SIZE, 0xab, ISM_PAGE_SIZE);
	strcpy((char *)mem + ISM_PAGE_SIZE, "region");

	tap_is_int(unit_grant1(p, h, 1, G1, true, &ro), 0,
		   "grant page 1 read-only to a guest");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, ro, true, &gro), 0,
		   "the guest maps it read-only");
	tap_is_str((char *)gro, "region", "and sees the backend's data");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, ro, false, &x), -EACCES,
		   "mapping a read-only grant writable is refused");
	tap_is_int(unit_grant1(p, h, 1, G1, false, &rw), 0,
		   "grant the same page read-write");
	tap_ok(rw != ro, "each grant has its own reference");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, rw, false, &grw), 0,
		   "the guest maps that one writable");
	tap_ok(grw != gro, "each mapping has its own address");
	strcpy(grw, "guest");
	tap_is_str((char *)mem + ISM_PAGE_SIZE, "guest",
		   "the backend sees the guest's store");
	tap_is_str((char *)gro, "guest", "so does the read-only mapping");

	tap_is_int(unit_grant1(p, h, 1, G2, true, &g2ref), 0,
		   "grant the same page to a second guest");
	tap_is_int(fake_xen_guest_map(fx, G2, BE, g2ref, true, &g2), 0,
		   "the second guest maps it");
	tap_is_str((char *)g2, "guest", "and shares the same memory");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, g2ref, true, &x), -EACCES,
		   "a guest cannot map a grant made for another");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, 4000, true, &x), -EINVAL,
		   "nor an unused reference");

	tap_is_int(unit_end1(p, ro), -EBUSY,
		   "ending a mapped grant is refused");
	tap_is_int(ops->pages_free(p, h), -EBUSY,
		   "freeing granted pages is refused");
	tap_is_int(fake_xen_guest_unmap(fx, G1, gro), 0, "the guest unmaps");
	tap_is_int(fake_xen_guest_unmap(fx, G1, gro), -EINVAL,
		   "unmapping twice is refused");
	tap_is_int(unit_end1(p, ro), 0, "the unmapped grant can be ended");
	tap_is_int(unit_end1(p, ro), -ENOENT, "ending it again is ENOENT");
	tap_is_int(fake_xen_guest_map(fx, G1, BE, ro, true, &x), -EINVAL,
		   "an ended grant cannot be mapped");

	fake_xen_usage(fx, BE, &u);
	tap_ok(u.grants == 2 && u.page_sets == 1 && u.pages == 2,
	       "usage counts 2 grants, 1 set of 2 pages");
	fake_xen_usage(fx, G1, &u);
	tap_is_int(u.maps, 1, "the guest holds 1 mapping");

	fake_xen_guest_unmap(fx, G1, grw);
	fake_xen_guest_unmap(fx, G2, g2);
	tap_is_int(unit_end1(p, rw), 0, "end the second grant");
	tap_is_int(ops->pages_free(p, h), -EBUSY,
		   "one grant left still blocks freeing");
	tap_is_int(unit_end1(p, g2ref), 0, "end the last grant");
	tap_is_int(ops->pages_free(p, h), 0, "now the pages can be freed");
	tap_is_int(ops->pages_free(p, h), -ENOENT, "freeing twice is ENOENT");
	tap_is_int(unit_grant1(p, h, 0, G1, true, &other), -ENOENT,
		   "a freed handle cannot be granted");

	tap_is_int(ops->pages_alloc(p, 0, &h, &addr), -EINVAL,
		   "allocating 0 pages is refused");
	ops->pages_alloc(p, 1, &h, &addr);
	tap_is_int(unit_grant1(p, h, 1, G1, true, &other), -EINVAL,
		   "granting a page index out of range is refused");
	tap_is_int(ops->gnt_unmap(p, addr), -EINVAL,
		   "gnt_unmap of a non-mapping is refused");
	ops->pages_free(p, h);
}

/* Batches: a range of pages in one call, all or nothing; ends one by one. */
static void test_batches(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h = 0, g[4] = { 0 }, one = 0, x[3] = { 0 }, refs[3];
	void *m1 = NULL, *m3 = NULL;
	struct fake_xen_usage u0, u;
	unsigned int i, j, same = 0, over = ISM_PAGES_BATCH_MAX + 1;
	int st[3] = { 1, 1, 1 };

	fake_xen_usage(fx, BE, &u0);
	tap_is_int(ops->pages_alloc(p, 8, &h, NULL), 0,
		   "allocate 8 pages without mapping them here");
	tap_is_int(ops->pages_grant(p, h, 2, 4, G1, false, g), 0,
		   "grant pages 2 .. 5 in one call");
	for (i = 0; i < 4; i++) {
		for (j = i + 1; j < 4; j++)
			same += g[i] == g[j];
	}
	tap_ok(g[0] && !same, "four distinct, non-zero references");
	fake_xen_guest_map(fx, G1, BE, g[1], false, &m1);
	tap_ok(m1 && all_zero(m1, ISM_PAGE_SIZE), "an unmapped set is zeroed");
	strcpy(m1, "page 3");
	unit_grant1(p, h, 3, G1, true, &one);
	fake_xen_guest_map(fx, G1, BE, one, true, &m3);
	tap_is_str(m3 ? (char *)m3 : "", "page 3",
		   "grefs_out[i] is the grant of page index + i");
	fake_xen_guest_unmap(fx, G1, m3);

	tap_is_int(ops->pages_grant(p, h, 6, 3, G1, false, x), -EINVAL,
		   "a range past the end of the set is refused");
	tap_is_int(ops->pages_grant(p, h, 0, 0, G1, false, x), -EINVAL,
		   "a batch of 0 is refused");
	tap_is_int(ops->pages_grant(p, h, 0, over, G1, false, x), -EINVAL,
		   "a batch over ISM_PAGES_BATCH_MAX is refused");
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.grants == u0.grants + 5 && !x[0],
	       "refused batches grant nothing and leave grefs_out alone");

	refs[0] = g[1]; /* mapped */
	refs[1] = g[2];
	tap_is_int(ops->pages_end_grants(p, refs, 2, st), -EBUSY,
		   "ending a batch with a mapped grant: -EBUSY");
	tap_ok(st[0] == -EBUSY && st[1] == 0,
	       "  per entry: the mapped one -EBUSY, the other ended");
	refs[1] = g[0];
	refs[2] = 4000; /* not a grant */
	tap_is_int(ops->pages_end_grants(p, refs, 3, st), -ENOENT,
		   "with an unknown reference too: -ENOENT");
	tap_ok(st[0] == -EBUSY && st[1] == 0 && st[2] == -ENOENT,
	       "  per entry: -EBUSY, ended, -ENOENT");
	fake_xen_usage(fx, BE, &u);
	tap_is_int(u.grants, u0.grants + 3, "  the two unmapped ones ended");
	tap_is_int(ops->pages_end_grants(p, refs, 0, st), -EINVAL,
		   "ending a batch of 0 is refused");
	fake_xen_guest_unmap(fx, G1, m1);
	refs[1] = g[3];
	refs[2] = one;
	st[0] = st[1] = st[2] = 1;
	tap_is_int(ops->pages_end_grants(p, refs, 3, st), 0,
		   "once unmapped, the rest ends in one call");
	tap_ok(!st[0] && !st[1] && !st[2], "  every status 0");
	tap_is_int(ops->pages_free(p, h), 0, "and the set can be freed");
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.grants == u0.grants && u.page_sets == u0.page_sets,
	       "  back to the start");
}

static void test_frontend_pages(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t ring = 0, ro = 0, to_other = 0;
	void *gaddr = NULL, *baddr = NULL, *b2 = NULL, *x = NULL;

	tap_is_int(fake_xen_guest_grant(fx, G1, BE, false, &ring, &gaddr), 0,
		   "a guest grants its ring page to the backend");
	strcpy(gaddr, "ring");
	tap_is_int(ops->gnt_map(p, G1, ring, &baddr), 0, "the backend maps it");
	tap_is_str((char *)baddr, "ring", "and reads the guest's data");
	strcpy(baddr, "reply");
	tap_is_str((char *)gaddr, "reply", "the guest reads the backend's");
	tap_is_int(ops->gnt_map(p, G1, ring, &b2), 0, "map it a second time");
	tap_ok(b2 != baddr, "at another address");
	tap_is_int(fake_xen_guest_end_access(fx, G1, ring), -EBUSY,
		   "the guest cannot end access while it is mapped");
	ops->gnt_unmap(p, b2);
	tap_is_int(fake_xen_guest_end_access(fx, G1, ring), -EBUSY,
		   "nor while one of two mappings remains");
	tap_is_int(ops->gnt_unmap(p, baddr), 0, "the backend unmaps");
	tap_is_int(ops->gnt_unmap(p, baddr), -EINVAL, "unmapping twice fails");
	tap_is_int(fake_xen_guest_end_access(fx, G1, ring), 0,
		   "now the guest can end access");

	fake_xen_guest_grant(fx, G1, BE, true, &ro, &gaddr);
	tap_is_int(ops->gnt_map(p, G1, ro, &x), -EACCES,
		   "the backend cannot map a read-only grant (it maps rw)");
	fake_xen_guest_end_access(fx, G1, ro);
	fake_xen_guest_grant(fx, G1, G2, false, &to_other, &gaddr);
	tap_is_int(ops->gnt_map(p, G1, to_other, &x), -EACCES,
		   "nor a grant made for another domain");
	fake_xen_guest_end_access(fx, G1, to_other);
	tap_is_int(ops->gnt_map(p, G1, 12345, &x), -EINVAL,
		   "nor an unused reference");
	tap_is_int(ops->gnt_map(p, 77, 8, &x), -ESRCH,
		   "nor one of a domain that does not exist");
}

static void test_limits(struct fake_xen *fx)
{
	struct fake_xen_limits lim = {
		.grants = 2, .ports = 4, .maps = 1, .pages = 3
	};
	uint32_t h = 0, h2 = 0, g[3], two[2] = { 0 }, ring = 0;
	struct fake_xen_usage u;
	void *addr = NULL, *m1 = NULL, *m2 = NULL, *gaddr = NULL;
	struct ism_platform *p = NULL;

	fake_xen_domain_add(fx, 9, 0);
	tap_is_int(fake_xen_domain_set_limits(fx, 9, &lim), 0,
		   "set small limits on a new domain");
	fake_xen_platform_open(fx, 9, &p);
	tap_is_int(fake_xen_domain_set_limits(fx, 9, &lim), -EBUSY,
		   "limits cannot change while a platform is open");
	tap_is_int(ops->pages_alloc(p, 4, &h, &addr), -EDQUOT,
		   "allocating over the page limit is refused");
	ops->pages_alloc(p, 2, &h, &addr);
	tap_is_int(ops->pages_alloc(p, 2, &h2, &addr), -EDQUOT,
		   "the limit counts pages already allocated");
	unit_grant1(p, h, 0, G1, true, &g[0]);
	tap_is_int(ops->pages_grant(p, h, 0, 2, G1, true, two), -ENOSPC,
		   "a batch larger than the room left is ENOSPC");
	fake_xen_usage(fx, 9, &u);
	tap_ok(u.grants == 1 && !two[0], "  and grants nothing (all or none)");
	tap_is_int(unit_grant1(p, h, 1, G1, true, &g[1]), 0,
		   "  the room left is still there");
	tap_is_int(unit_grant1(p, h, 0, G1, true, &g[2]), -ENOSPC,
		   "a full grant table is ENOSPC");
	fake_xen_guest_grant(fx, G1, 9, false, &ring, &gaddr);
	tap_is_int(ops->gnt_map(p, G1, ring, &m1), 0, "map one page");
	tap_is_int(ops->gnt_map(p, G1, ring, &m2), -ENOSPC,
		   "mapping over the map limit is ENOSPC");
	ops->gnt_unmap(p, m1);
	fake_xen_guest_end_access(fx, G1, ring);
	unit_end1(p, g[0]);
	unit_end1(p, g[1]);
	ops->pages_free(p, h);
	fake_xen_platform_close(p);
	fake_xen_domain_kill(fx, 9);
}

static void test_close(struct fake_xen *fx)
{
	uint32_t h = 0, mapped = 0, unmapped = 0;
	void *addr = NULL, *gmap = NULL;
	struct ism_platform *p = NULL;
	struct fake_xen_usage u;

	fake_xen_platform_open(fx, BE, &p);
	ops->pages_alloc(p, 1, &h, &addr);
	strcpy(addr, "kept");
	unit_grant1(p, h, 0, G1, false, &mapped);
	unit_grant1(p, h, 0, G1, false, &unmapped);
	fake_xen_guest_map(fx, G1, BE, mapped, false, &gmap);
	fake_xen_platform_close(p);
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.grants == 1 && u.page_sets == 1,
	       "after process exit only the mapped grant and its pages remain");
	tap_is_str((char *)gmap, "kept", "the guest's mapping still works");
	fake_xen_guest_unmap(fx, G1, gmap);
	fake_xen_usage(fx, BE, &u);
	tap_ok(fake_xen_usage_is_clean(&u),
	       "the guest's unmap ends the deferred grant and frees the pages");
}

int main(void)
{
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;
	struct fake_xen_usage u;
	int dirty = 0, d;

	tap_plan(83);

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, BE, 0) ||
	    fake_xen_domain_add(fx, G1, 0) || fake_xen_domain_add(fx, G2, 0) ||
	    fake_xen_platform_open(fx, BE, &p)) {
		tap_diag("cannot set up the fake");
		return 1;
	}
	test_region(fx, p);
	test_batches(fx, p);
	test_frontend_pages(fx, p);
	test_limits(fx);

	for (d = 0; d < 3; d++) {
		fake_xen_usage(fx, (uint16_t[]){ BE, G1, G2 }[d], &u);
		dirty += !fake_xen_usage_is_clean(&u);
	}
	tap_is_int(dirty, 0, "no domain holds grants, maps or pages");
	fake_xen_platform_close(p);
	test_close(fx);
	fake_xen_destroy(fx);
	return tap_done();
}
