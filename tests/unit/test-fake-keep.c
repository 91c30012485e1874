/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-keep.c - a backend restart on the fake: page handles name
 * pages, pages_list, a crash that keeps page sets and grants (guests'
 * mappings intact, event channels bindable again), adoption whole or in
 * parts, pages_adopt's refusals, a second crash while a collection waits,
 * a backend domain dying with one, and faults on the two new ops.
 *
 * dom1 runs the backend (a platform, restarted); dom2 is a second backend
 * domain; dom5 and dom6 are guests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define BE 1
#define BE2 2
#define G1 5
#define G2 6

static const struct ism_platform_ops *ops = &fake_xen_ops;

/* pages_list of @p, or NULL after a diagnostic. */
static struct ism_pages_list *list_of(struct ism_platform *p)
{
	struct ism_pages_list *l = NULL;
	int rc = ops->pages_list(p, &l);

	if (rc)
		tap_diag("pages_list: %d", rc);
	return rc ? NULL : l;
}

/* Whether the runs of @l are sorted, disjoint and hold @npages pages. */
static bool runs_ok(const struct ism_pages_list *l, unsigned int npages)
{
	unsigned long long end = 0, n = 0;
	uint32_t i;

	for (i = 0; l && i < l->nruns; i++) {
		if (!l->runs[i].handle || !l->runs[i].count ||
		    l->runs[i].handle < end)
			return false;
		end = (unsigned long long)l->runs[i].handle + l->runs[i].count;
		n += l->runs[i].count;
	}
	return l && n == npages;
}

/* Whether the runs of @l hold every page @h .. @h + @count - 1. */
static bool runs_hold(const struct ism_pages_list *l, uint32_t h,
		      unsigned int count)
{
	unsigned int held = 0;
	uint32_t i, page;

	for (page = h; l && page < h + count; page++) {
		for (i = 0; i < l->nruns; i++) {
			if (page >= l->runs[i].handle &&
			    page - l->runs[i].handle < l->runs[i].count) {
				held++;
				break;
			}
		}
	}
	return held == count;
}

/* Whether @l lists grant @gref of page @page to @domid, @readonly. */
static bool lists_grant(const struct ism_pages_list *l, uint32_t gref,
			uint32_t page, uint16_t domid, bool readonly)
{
	uint32_t i;

	for (i = 0; l && i < l->ngrants; i++) {
		if (l->grants[i].gref == gref)
			return l->grants[i].page == page &&
			       l->grants[i].domid == domid &&
			       l->grants[i].readonly == readonly;
	}
	return false;
}

static bool dom_clean(struct fake_xen *fx, uint16_t domid)
{
	struct fake_xen_usage u;

	return !fake_xen_usage(fx, domid, &u) && fake_xen_usage_is_clean(&u);
}

/* Handles name pages: sets never overlap, handles are never reused. */
static void test_handles(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h[3] = { 0 }, again = 0, other = 0, g = 0;
	struct ism_platform *p2 = NULL;
	struct ism_pages_list *l;
	void *addr = NULL;

	tap_is_int(ops->pages_alloc(p, 2, &h[0], &addr), 0, "allocate 2 pages");
	ops->pages_alloc(p, 3, &h[1], NULL);
	ops->pages_alloc(p, 1, &h[2], &addr);
	tap_ok(h[0] && h[1] && h[2], "no handle is 0");
	tap_ok(h[1] >= h[0] + 2 && h[2] >= h[1] + 3,
	       "each set's handles follow the pages of the one before");
	fake_xen_platform_open(fx, BE2, &p2);
	ops->pages_alloc(p2, 4, &other, NULL);
	tap_ok(other >= h[2] + 1 || other + 4 <= h[0],
	       "another domain's set does not overlap them");
	ops->pages_free(p, h[0]);
	ops->pages_alloc(p, 2, &again, NULL);
	tap_ok(again != h[0] && (again >= h[0] + 2 || again + 2 <= h[0]),
	       "a freed set's handles are not given again");
	tap_is_int(unit_grant1(p, h[1], 2, G1, true, &g), 0,
		   "pages_grant's index is still relative to the set");
	l = list_of(p);
	tap_ok(lists_grant(l, g, h[1] + 2, G1, true),
	       "  and the grant's page is handle + index");
	tap_ok(runs_ok(l, 6) && runs_hold(l, h[1], 3) &&
		       runs_hold(l, h[2], 1) && runs_hold(l, again, 2) &&
		       !runs_hold(l, h[0], 1) && !runs_hold(l, other, 1),
	       "pages_list holds the 6 pages of the 3 sets left, no others");
	free(l);
	unit_end1(p, g);
	ops->pages_free(p, h[1]);
	ops->pages_free(p, h[2]);
	ops->pages_free(p, again);
	ops->pages_free(p2, other);
	fake_xen_platform_close(p2);
}

/* pages_list after allocations and grants. */
static void test_list(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t a = 0, b = 0, g[3] = { 0 }, x = 0;
	struct ism_pages_list *l;
	void *m = NULL;

	l = list_of(p);
	tap_ok(l && !l->nruns && !l->ngrants,
	       "holding nothing: an empty list, still a block to free");
	free(l);
	ops->pages_alloc(p, 4, &a, NULL);
	ops->pages_alloc(p, 2, &b, NULL);
	ops->pages_grant(p, a, 1, 2, G1, false, g);
	unit_grant1(p, b, 1, G2, true, &g[2]);
	unit_grant1(p, b, 0, G1, false, &x);
	fake_xen_guest_map(fx, G1, BE, g[0], false, &m);
	unit_end1(p, x);
	l = list_of(p);
	tap_ok(runs_ok(l, 6) && runs_hold(l, a, 4) && runs_hold(l, b, 2),
	       "runs sorted, disjoint, holding both sets' 6 pages");
	tap_is_int(l ? l->ngrants : 0, 3, "3 grants not ended are listed");
	tap_ok(lists_grant(l, g[0], a + 1, G1, false) &&
		       lists_grant(l, g[1], a + 2, G1, false),
	       "  the read-write ones with their page and grantee");
	tap_ok(lists_grant(l, g[2], b + 1, G2, true),
	       "  the read-only one to the other guest as read-only");
	tap_ok(!lists_grant(l, x, b, G1, false), "  the ended one is not");
	tap_ok(l && (char *)l->runs == (char *)(l + 1) &&
		       (char *)l->grants == (char *)(l->runs + l->nruns),
	       "runs then grants, in the same block as the list");
	free(l);
	fake_xen_guest_unmap(fx, G1, m);
	ops->pages_end_grants(p, g, 3, (int[3]){ 0 });
	ops->pages_free(p, b);
	l = list_of(p);
	tap_ok(runs_ok(l, 4) && runs_hold(l, a, 4) && l && !l->ngrants,
	       "a freed set and ended grants leave the list");
	free(l);
	ops->pages_free(p, a);
}

/* A bound guest ring and event channel, a watch, a transaction. */
struct guest_conn {
	uint32_t ring, gport, bport;
	void *gring, *bring;
};

static void connect_guest(struct fake_xen *fx, struct ism_platform *p,
			  struct guest_conn *c)
{
	uint32_t tx = 0;

	fake_xen_guest_grant(fx, G1, BE, false, &c->ring, &c->gring);
	fake_xen_guest_evtchn_alloc_unbound(fx, G1, BE, &c->gport);
	ops->gnt_map(p, G1, c->ring, &c->bring);
	ops->evtchn_bind(p, G1, c->gport, &c->bport);
	ops->xs_watch(p, "backend", "tok");
	ops->xs_transaction_start(p, &tx);
}

/*
 * Crash with a guest mapping two granted pages, then a new platform binds
 * the guest's channel again, adopts and takes the set, ends its grants and
 * frees it.
 */
static void test_crash_adopt(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h = 0, g[2] = { 0 }, port = 0, got = 0, x = 0;
	void *addr = NULL, *gro = NULL, *grw = NULL, *again = NULL;
	struct ism_platform *q = NULL, *other = NULL;
	struct fake_xen_usage u;
	struct ism_pages_list *l;
	struct guest_conn c;
	int st[2] = { 1, 1 };
	char *mem;

	ops->pages_alloc(p, 2, &h, &addr);
	mem = addr;
	strcpy(mem, "page zero");
	strcpy(mem + ISM_PAGE_SIZE, "page one");
	ops->pages_grant(p, h, 0, 1, G1, true, &g[0]);
	ops->pages_grant(p, h, 1, 1, G1, false, &g[1]);
	fake_xen_guest_map(fx, G1, BE, g[0], true, &gro);
	fake_xen_guest_map(fx, G1, BE, g[1], false, &grw);
	connect_guest(fx, p, &c);

	fake_xen_platform_crash(p);
	fake_xen_usage(fx, BE, &u);
	tap_ok(!u.maps && !u.ports && !u.watches && !u.transactions,
	       "crash: the backend's mappings, ports, watch, transaction go");
	tap_ok(u.page_sets == 1 && u.pages == 2 && u.kept == 2 && u.grants == 2,
	       "  its set of 2 pages and both grants stay, kept");
	tap_is_str((char *)gro, "page zero",
		   "the guest's read-only mapping still reads the page");
	tap_is_str((char *)grw, "page one", "so does its writable mapping");
	strcpy(grw, "guest wrote");
	tap_is_str((char *)grw, "guest wrote",
		   "  which the guest still writes");
	tap_is_int(fake_xen_guest_end_access(fx, G1, c.ring), 0,
		   "the guest's ring is no longer mapped: access ends");
	tap_is_int(fake_xen_guest_evtchn_notify(fx, G1, c.gport), 0,
		   "the guest's channel is unconnected: notify does nothing");

	fake_xen_platform_open(fx, G2, &other);
	tap_is_int(fake_xen_platform_adopt(other), -ENOENT,
		   "a platform of another domain finds nothing to adopt");
	fake_xen_platform_close(other);
	tap_is_int(fake_xen_platform_open(fx, BE, &q), 0,
		   "the backend starts again");
	tap_is_int(ops->evtchn_bind(q, G1, c.gport, &port), 0,
		   "it binds the guest's channel again");
	fake_xen_guest_evtchn_notify(fx, G1, c.gport);
	tap_ok(!ops->evtchn_pending(q, &got) && got == port,
	       "the guest's notify reaches the new backend");
	ops->evtchn_notify(q, port);
	tap_is_int(fake_xen_guest_evtchn_pending(fx, G1, c.gport), 1,
		   "and the new backend's reaches the guest");

	l = list_of(q);
	tap_ok(l && !l->nruns && !l->ngrants, "before adopting, it lists none");
	free(l);
	tap_is_int(fake_xen_platform_adopt(q), 0, "it adopts what was kept");
	tap_is_int(fake_xen_platform_adopt(q), -EBUSY,
		   "adopting again: it already holds pages");
	fake_xen_usage(fx, BE, &u);
	tap_ok(!u.kept && u.page_sets == 1, "nothing waits any more");
	l = list_of(q);
	tap_ok(l && l->nruns == 1 && l->runs[0].handle == h &&
		       l->runs[0].count == 2,
	       "pages_list: the one run of 2 pages");
	tap_ok(l && l->ngrants == 2 && lists_grant(l, g[0], h, G1, true) &&
		       lists_grant(l, g[1], h + 1, G1, false),
	       "  and both grants, page, grantee and read-only as made");
	free(l);
	tap_is_int(unit_grant1(q, h, 0, G1, true, &x), -ENOENT,
		   "held pages not taken have no handle to grant");
	tap_is_int(ops->pages_free(q, h), -ENOENT, "  nor to free");

	tap_is_int(ops->pages_adopt(q, h, 2, &again), 0,
		   "pages_adopt takes the set");
	tap_ok(again && !strcmp(again, "page zero") &&
		       !strcmp((char *)again + ISM_PAGE_SIZE, "guest wrote"),
	       "  mapped here with its contents, the guest's write included");
	strcpy(again, "backend again");
	tap_is_str((char *)gro, "backend again",
		   "  the same memory as the guest maps");
	tap_is_int(ops->pages_adopt(q, h, 2, NULL), -EEXIST,
		   "taking it again is EEXIST");
	tap_is_int(ops->pages_free(q, h), -EBUSY, "its grants block freeing");
	tap_is_int(ops->pages_end_grants(q, g, 2, st), -EBUSY,
		   "ending grants the guest maps: EBUSY");
	fake_xen_guest_unmap(fx, G1, gro);
	fake_xen_guest_unmap(fx, G1, grw);
	tap_is_int(ops->pages_end_grants(q, g, 2, st), 0,
		   "once unmapped, the adopted grants end");
	tap_ok(!st[0] && !st[1], "  each with status 0");
	tap_is_int(ops->pages_free(q, h), 0, "and the adopted set frees");
	ops->evtchn_unbind(q, port);
	fake_xen_guest_evtchn_close(fx, G1, c.gport);
	fake_xen_platform_close(q);
	tap_ok(dom_clean(fx, BE) && dom_clean(fx, G1),
	       "nothing is left in the backend domain or the guest");
}

/* Adoption in parts: a range across two kept sets, then what is left. */
static void test_parts(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t a = 0, b = 0, ga = 0, gb = 0, gn = 0, end[3];
	void *addr = NULL, *mid = NULL, *m = NULL;
	struct ism_platform *q = NULL;
	struct ism_pages_list *l;
	struct fake_xen_usage u;
	char *mem;
	int st[3];

	ops->pages_alloc(p, 3, &a, &addr);
	mem = addr;
	strcpy(mem, "a0");
	strcpy(mem + ISM_PAGE_SIZE, "a1");
	strcpy(mem + 2 * ISM_PAGE_SIZE, "a2");
	ops->pages_alloc(p, 2, &b, &addr);
	mem = addr;
	strcpy(mem, "b0");
	strcpy(mem + ISM_PAGE_SIZE, "b1");
	unit_grant1(p, a, 2, G1, false, &ga);
	unit_grant1(p, b, 0, G2, true, &gb);
	fake_xen_guest_map(fx, G2, BE, gb, true, &m);
	fake_xen_platform_crash(p);
	fake_xen_platform_open(fx, BE, &q);
	fake_xen_platform_adopt(q);

	tap_ok(b == a + 3, "two sets kept side by side");
	l = list_of(q);
	tap_ok(l && l->nruns == 1 && runs_ok(l, 5),
	       "pages_list joins them in one run");
	free(l);
	tap_is_int(ops->pages_adopt(q, a + 1, 3, &mid), 0,
		   "take pages a+1 .. b+0, across both sets, as one set");
	tap_ok(mid && !strcmp(mid, "a1") &&
		       !strcmp((char *)mid + ISM_PAGE_SIZE, "a2") &&
		       !strcmp((char *)mid + 2 * ISM_PAGE_SIZE, "b0"),
	       "  mapped in order, contents kept");
	tap_is_str((char *)m, "b0", "the guest's mapping of b0 is untouched");
	tap_is_int(ops->pages_adopt(q, a, 2, NULL), -EEXIST,
		   "a range overlapping the taken set is EEXIST");
	tap_is_int(ops->pages_adopt(q, b + 1, 2, NULL), -ENOENT,
		   "one running past what is held is ENOENT");
	tap_is_int(unit_grant1(q, a + 1, 2, G1, false, &gn), 0,
		   "the new set grants its third page");
	l = list_of(q);
	tap_ok(runs_ok(l, 5) && lists_grant(l, gn, b, G1, false) &&
		       lists_grant(l, ga, a + 2, G1, false) &&
		       lists_grant(l, gb, b, G2, true),
	       "pages_list: still 5 pages; the grants name their pages");
	free(l);
	tap_is_int(ops->pages_free(q, a + 1), -EBUSY,
		   "the kept grants now belong to the new set");
	end[0] = ga;
	end[1] = gn;
	end[2] = gb;
	tap_is_int(ops->pages_end_grants(q, end, 3, st), -EBUSY,
		   "end its grants: the one the guest maps is EBUSY");
	fake_xen_guest_unmap(fx, G2, m);
	tap_is_int(unit_end1(q, gb), 0, "  and ends once unmapped");
	tap_is_int(ops->pages_free(q, a + 1), 0, "the new set frees");
	tap_is_int(ops->pages_adopt(q, a, 1, &addr), 0, "take page a alone");
	tap_is_str(addr ? (char *)addr : "", "a0", "  with its content");
	tap_is_int(ops->pages_adopt(q, b + 1, 1, NULL), 0,
		   "and page b+1, unmapped here");
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.page_sets == 2 && u.pages == 2 && !u.grants,
	       "2 sets of 1 page left, no grants");
	ops->pages_free(q, a);
	ops->pages_free(q, b + 1);
	fake_xen_platform_close(q);
	tap_ok(dom_clean(fx, BE), "nothing left");
}

/* pages_adopt's refusals, and what closing leaves of pages not taken. */
static void test_refusals(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h = 0, mine = 0, g = 0, other = 0;
	struct ism_platform *q = NULL, *q2 = NULL;
	struct fake_xen_usage u;
	void *m = NULL;

	ops->pages_alloc(p, 4, &h, NULL);
	unit_grant1(p, h, 3, G1, false, &g);
	unit_grant1(p, h, 0, G1, false, &other);
	fake_xen_guest_map(fx, G1, BE, g, false, &m);
	fake_xen_platform_crash(p);
	fake_xen_platform_open(fx, BE, &q);
	fake_xen_platform_open(fx, BE, &q2);
	ops->pages_alloc(q2, 1, &mine, NULL);
	tap_is_int(fake_xen_platform_adopt(q2), -EBUSY,
		   "a platform that holds pages cannot adopt");
	tap_is_int(ops->pages_adopt(q, h, 4, NULL), -ENOENT,
		   "pages_adopt before adopting: not held, ENOENT");
	fake_xen_platform_adopt(q);
	tap_is_int(ops->pages_adopt(q, h, 0, NULL), -EINVAL,
		   "pages_adopt of 0 pages is EINVAL");
	tap_is_int(ops->pages_adopt(q, h, 4097, NULL), -EINVAL,
		   "  of more than the domain may hold, EINVAL");
	tap_is_int(ops->pages_adopt(q, 0, 1, NULL), -ENOENT,
		   "  of page 0, ENOENT");
	tap_is_int(ops->pages_adopt(q, h - 1, 2, NULL), -ENOENT,
		   "  of a range starting before the held pages, ENOENT");
	tap_is_int(ops->pages_adopt(q, h + 3, 2, NULL), -ENOENT,
		   "  of one ending after them, ENOENT");
	tap_is_int(ops->pages_adopt(q, UINT32_MAX, 2, NULL), -ENOENT,
		   "  of one past the last handle, ENOENT");
	tap_is_int(ops->pages_adopt(q, mine, 1, NULL), -ENOENT,
		   "  of another platform's set, ENOENT");
	tap_is_int(ops->pages_adopt(q2, h, 1, NULL), -ENOENT,
		   "the other platform cannot take what this one adopted");
	tap_is_int(ops->pages_adopt(q, h + 1, 2, NULL), 0,
		   "take the middle two pages");
	tap_is_int(ops->pages_adopt(q, h + 2, 1, NULL), -EEXIST,
		   "a taken page is EEXIST");
	tap_is_int(ops->pages_adopt(q, h, 4, NULL), -EEXIST,
		   "  also within a longer held range");
	tap_is_int(unit_end1(q, other), 0,
		   "a grant of held pages not taken can be ended");
	ops->pages_free(q, h + 1);
	fake_xen_platform_close(q);
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.page_sets == 2 && u.pages == 2 && u.grants == 1 && !u.kept,
	       "closing frees held pages, keeps the one a guest maps");
	fake_xen_guest_unmap(fx, G1, m);
	ops->pages_free(q2, mine);
	fake_xen_platform_close(q2);
	tap_ok(dom_clean(fx, BE), "  until the guest unmaps it");
}

/* One kept collection per domain; a domain dying with one. */
static void test_second_crash(struct fake_xen *fx, struct ism_platform *p)
{
	uint32_t h = 0, h2 = 0, hq = 0, g = 0, gq = 0, gd = 0;
	struct ism_platform *q = NULL, *r = NULL, *d = NULL;
	void *addr = NULL, *m = NULL, *md = NULL;
	struct ism_pages_list *l;
	struct fake_xen_usage u;

	ops->pages_alloc(p, 2, &h, NULL);
	unit_grant1(p, h, 1, G1, false, &g);
	fake_xen_guest_map(fx, G1, BE, g, false, &m);
	fake_xen_platform_crash(p);
	fake_xen_platform_open(fx, BE, &q);
	ops->pages_alloc(q, 1, &hq, &addr);
	unit_grant1(q, hq, 0, G2, false, &gq);
	ops->pages_alloc(q, 3, &h2, NULL);
	fake_xen_platform_crash(q);
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.kept == 2 && u.pages == 2 && u.grants == 1,
	       "a second crash while one waits keeps nothing more");
	fake_xen_platform_open(fx, BE, &r);
	tap_is_int(fake_xen_platform_adopt(r), 0, "the next one adopts");
	l = list_of(r);
	tap_ok(l && l->nruns == 1 && l->runs[0].handle == h &&
		       l->runs[0].count == 2 && l->ngrants == 1,
	       "  only the first crash's set and grant");
	free(l);
	fake_xen_platform_close(r);
	fake_xen_usage(fx, BE, &u);
	tap_ok(u.grants == 1 && u.page_sets == 1,
	       "closing it releases them as a normal exit");
	fake_xen_guest_unmap(fx, G1, m);

	fake_xen_platform_open(fx, BE, &r);
	fake_xen_platform_crash(r);
	fake_xen_usage(fx, BE, &u);
	tap_ok(!u.kept && !u.page_sets, "a crash holding no pages keeps none");
	fake_xen_platform_open(fx, BE, &r);
	tap_is_int(fake_xen_platform_adopt(r), -ENOENT,
		   "  and the next platform finds nothing to adopt");
	fake_xen_platform_close(r);

	fake_xen_platform_open(fx, BE2, &d);
	ops->pages_alloc(d, 2, &h, NULL);
	unit_grant1(d, h, 0, G1, false, &gd);
	unit_grant1(d, h, 1, G1, false, &g);
	fake_xen_guest_map(fx, G1, BE2, gd, false, &md);
	strcpy(md, "survives");
	fake_xen_platform_crash(d);
	tap_is_int(fake_xen_domain_kill(fx, BE2), 0,
		   "a backend domain dies with a collection waiting");
	tap_is_int(fake_xen_domain_state(fx, BE2), FAKE_XEN_DOM_DYING,
		   "  it lingers while a guest maps a kept page");
	tap_is_str((char *)md, "survives", "  whose mapping still works");
	fake_xen_guest_unmap(fx, G1, md);
	tap_is_int(fake_xen_domain_state(fx, BE2), FAKE_XEN_DOM_NONE,
		   "  and it goes when the guest unmaps");
	fake_xen_domain_add(fx, BE2, 0);
}

/* Faults on pages_list and pages_adopt: counted, named, no effect. */
static void test_faults(struct fake_xen *fx, struct ism_platform *p)
{
	struct ism_pages_list *l = NULL, *before = NULL;
	struct ism_platform *q = NULL;
	enum fake_xen_op op;
	uint32_t h = 0, g = 0;
	void *addr = NULL;

	tap_ok(!fake_xen_op_lookup("pages_list", &op) &&
		       op == FAKE_XEN_OP_PAGES_LIST &&
		       !fake_xen_op_lookup("pages_adopt", &op) &&
		       op == FAKE_XEN_OP_PAGES_ADOPT,
	       "the new ops have names");
	ops->pages_alloc(p, 2, &h, NULL);
	unit_grant1(p, h, 0, G1, false, &g);
	fake_xen_platform_crash(p);
	fake_xen_platform_open(fx, BE, &q);
	fake_xen_platform_adopt(q);
	fake_xen_calls_reset(fx);
	fake_xen_fail_set(fx, FAKE_XEN_OP_PAGES_LIST, 1, EIO, 0);
	tap_is_int(ops->pages_list(q, &l), -EIO, "pages_list fails on demand");
	tap_ok(!l, "  leaving list_out alone");
	before = list_of(q);
	tap_is_int(fake_xen_calls(fx, FAKE_XEN_OP_PAGES_LIST), 2,
		   "  both calls counted");
	fake_xen_fail_set(fx, FAKE_XEN_OP_PAGES_ADOPT, 2, ENOMEM, 0);
	tap_is_int(ops->pages_adopt(q, h, 0, NULL), -EINVAL,
		   "the first pages_adopt is let through");
	tap_is_int(ops->pages_adopt(q, h, 2, &addr), -ENOMEM,
		   "the second fails on demand");
	l = list_of(q);
	tap_ok(l && before && l->nruns == before->nruns &&
		       l->ngrants == before->ngrants && !addr &&
		       ops->pages_free(q, h) == -ENOENT,
	       "  with no effect: nothing taken, nothing mapped");
	free(l);
	free(before);
	tap_is_int(fake_xen_fail_hits(fx), 2, "two faults hit");
	tap_is_int(ops->pages_adopt(q, h, 2, &addr), 0, "then it succeeds");
	unit_end1(q, g);
	ops->pages_free(q, h);
	fake_xen_platform_close(q);
}

/* A host destroyed while a collection waits frees it (ASan would say). */
static void test_destroy_kept(void)
{
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;
	uint32_t h = 0, g = 0;
	void *addr = NULL, *m = NULL;

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, BE, 0) ||
	    fake_xen_domain_add(fx, G1, 0) ||
	    fake_xen_platform_open(fx, BE, &p)) {
		tap_ok(0, "cannot set up a second fake");
		fake_xen_destroy(fx);
		return;
	}
	ops->pages_alloc(p, 3, &h, &addr);
	unit_grant1(p, h, 1, G1, false, &g);
	fake_xen_guest_map(fx, G1, BE, g, false, &m);
	fake_xen_platform_crash(p);
	fake_xen_destroy(fx);
	tap_ok(1, "destroying a host with a kept collection frees it");
}

int main(void)
{
	static const uint16_t doms[] = { 0, BE, BE2, G1, G2 };
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;
	unsigned int i, dirty = 0;

	tap_plan(101);

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, BE, 0) ||
	    fake_xen_domain_add(fx, BE2, 0) || fake_xen_domain_add(fx, G1, 0) ||
	    fake_xen_domain_add(fx, G2, 0) ||
	    fake_xen_platform_open(fx, BE, &p)) {
		tap_diag("cannot set up the fake");
		return 1;
	}
	test_handles(fx, p);
	test_list(fx, p);
	test_crash_adopt(fx, p);
	fake_xen_platform_open(fx, BE, &p);
	test_parts(fx, p);
	fake_xen_platform_open(fx, BE, &p);
	test_refusals(fx, p);
	fake_xen_platform_open(fx, BE, &p);
	test_second_crash(fx, p);
	fake_xen_platform_open(fx, BE, &p);
	test_faults(fx, p);
	for (i = 0; i < sizeof(doms) / sizeof(doms[0]); i++)
		dirty += !dom_clean(fx, doms[i]);
	tap_is_int(dirty, 0, "no domain holds anything at the end");
	fake_xen_destroy(fx);
	test_destroy_kept();
	return tap_done();
}
