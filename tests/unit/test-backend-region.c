/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-region.c - the MUSTs of the semantics (ismif.h, "Semantics";
 * virtio-ism v1) for ALLOC, ATTACH, DETACH and FREE, one named test each,
 * played by two or three guests over the fake.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define A 5
#define B 7
#define C 9

struct scene {
	struct fw w;
	struct fe a, b, c;
};

static void scene_open(struct scene *s, const struct ism_backend_limits *lim)
{
	struct fe fes[3];

	fw_open_guests(&s->w, lim, fes, 3);
	s->a = fes[0];
	s->b = fes[1];
	s->c = fes[2];
}

static void scene_close(struct scene *s)
{
	fw_close(&s->w);
}

static void test_alloc_oversize(void)
{
	struct ism_region_desc d;
	struct scene s;

	scene_open(&s, NULL);
	tap_is_int(fe_alloc(&s.a, s.w.lim.region_size + 1, &d), -ISM_EFBIG,
		   "alloc_oversize_fails: region-size + 1 is -EFBIG");
	tap_is_int(fe_alloc(&s.a, 0, &d), -ISM_EINVAL,
		   "alloc_zero_fails: size 0 is -EINVAL");
	tap_is_int(fe_alloc(&s.a, s.w.lim.region_size, &d), 0,
		   "alloc_max: exactly region-size works");
	tap_is_int(d.size, s.w.lim.region_size, "  usable size is region-size");
	tap_is_int(fe_alloc(&s.a, 1, &d), 0, "alloc of 1 octet works");
	tap_ok(d.size == ISM_PAGE_SIZE && d.nr_pages == 1 &&
		       d.side == ISM_SIDE_OWNER &&
		       d.state == ISM_RSTATE_ACTIVE && !d.peer_devid &&
		       d.peer_domid == ISM_DOMID_INVALID,
	       "  rounded up to one page, owner side, active, no peer");
	tap_is_int(d.perm,
		   ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH |
			   ISM_PERM_MANAGE,
		   "  the owner holds READ, WRITE, ATTACH and MANAGE");
	scene_close(&s);
}

static bool all_zero(void *const *pages, unsigned int n)
{
	static const char zero[ISM_PAGE_SIZE];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (memcmp(pages[i], zero, ISM_PAGE_SIZE))
			return false;
	}
	return true;
}

static void test_alloc_zeroed(void)
{
	struct ism_region_desc d, d2;
	struct fe_map m;
	struct scene s;
	unsigned int i;
	bool dirty = true;

	scene_open(&s, NULL);
	/* Dirty a region, free it, and allocate again: still zeros. */
	fe_alloc(&s.a, 16 * ISM_PAGE_SIZE, &d);
	if (!fe_map(&s.a, &d, false, &m)) {
		for (i = 0; i < m.n; i++)
			memset(m.page[i], 0xa5, ISM_PAGE_SIZE);
	}
	fe_unmap(&s.a, &m);
	fe_free(&s.a, &d);
	tap_is_int(fe_alloc(&s.a, 16 * ISM_PAGE_SIZE, &d2), 0,
		   "alloc after free");
	if (!fe_map(&s.a, &d2, false, &m))
		dirty = !all_zero(m.page, m.n);
	tap_ok(!dirty && m.n == 16, "new_regions_read_zero: 16 pages of 0");
	fe_unmap(&s.a, &m);
	scene_close(&s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_tokens(void)
{
	enum { N = 100000 };
	struct ism_region_desc d, d2;
	uint64_t *tok = calloc(N, sizeof(*tok));
	unsigned int i, zero = 0, dup = 0, fail = 0;
	struct scene s;

	scene_open(&s, NULL);
	for (i = 0; i < N && tok; i++) {
		if (fe_alloc(&s.a, ISM_PAGE_SIZE, &d) || fe_free(&s.a, &d)) {
			fail++;
			continue;
		}
		tok[i] = d.token;
		zero += !d.token;
	}
	qsort(tok, N, sizeof(*tok), cmp_u64);
	for (i = 1; i < N; i++)
		dup += tok[i] == tok[i - 1];
	tap_ok(tok && !fail && !zero && !dup,
	       "tokens_nonzero_unique: %d allocations, %u failed, %u zero, "
	       "%u repeated",
	       N, fail, zero, dup);
	free(tok);

	/* Replay the generator: the live token must not be handed out. */
	fake_xen_random_seed(s.w.fx, 42);
	fe_alloc(&s.a, ISM_PAGE_SIZE, &d);
	fake_xen_random_seed(s.w.fx, 42);
	tap_is_int(fe_alloc(&s.a, ISM_PAGE_SIZE, &d2), 0,
		   "alloc while the generator repeats a live token");
	tap_ok(d2.token && d2.token != d.token,
	       "tokens_unique_on_collision: drawn again, not reused");
	scene_close(&s);
}

static void test_attach_wrong_token(void)
{
	struct ism_region_desc d, p;
	struct scene s;

	scene_open(&s, NULL);
	fe_alloc(&s.a, ISM_PAGE_SIZE, &d);
	tap_is_int(fe_attach(&s.b, d.token ^ 1, 0, &p), -ISM_ENOENT,
		   "attach_wrong_token_fails: -ENOENT");
	tap_is_int(fe_attach(&s.b, 0, 0, &p), -ISM_ENOENT,
		   "attach with token 0 fails: -ENOENT");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), 0, "attach right token");
	tap_ok(p.side == ISM_SIDE_PEER && p.peer_devid == 4097 &&
		       p.peer_domid == A && p.token == d.token,
	       "  peer side, names the owner");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), -ISM_EEXIST,
		   "attach twice from one device: -EEXIST");
	tap_is_int(fe_slot_op(&s.b, ISM_OP_DETACH, p.slot, d.token ^ 1),
		   -ISM_ESTALE, "detach with a wrong token: -ESTALE");
	tap_is_int(fe_slot_op(&s.b, ISM_OP_DETACH, p.slot + 1, d.token),
		   -ISM_ENOENT, "detach of an unused slot: -ENOENT");
	scene_close(&s);
}

static void test_two_guest_rule(void)
{
	struct ism_region_desc d, p, q;
	struct ism_evt e;
	struct scene s;

	scene_open(&s, NULL);
	fe_alloc(&s.a, ISM_PAGE_SIZE, &d);
	fe_attach(&s.b, d.token, 0, &p);
	tap_is_int(fe_attach(&s.c, d.token, 0, &q), -ISM_EBUSY,
		   "third_device_cannot_attach: -EBUSY");
	tap_is_int(fe_detach(&s.b, &p), 0, "peer detaches");
	tap_is_int(fe_attach(&s.c, d.token, 0, &q), -ISM_EBUSY,
		   "only_previous_peer_reattaches: a new device gets -EBUSY");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), 0,
		   "only_previous_peer_reattaches: the previous peer may");
	while (fe_event(&s.a, &e) && e.type != ISM_EVT_PEER_DETACHED)
		;
	tap_ok(e.type == ISM_EVT_PEER_DETACHED && e.peer_devid == 4098 &&
		       e.slot == d.slot && e.token == d.token,
	       "owner was told PEER_DETACHED");
	tap_is_int(fe_detach(&s.a, &d), 0, "owner detaches, peer stays");
	tap_is_int(fe_attach(&s.a, d.token, 0, &d), 0,
		   "the owner may re-attach its region");
	tap_is_int(d.side, ISM_SIDE_OWNER, "  on the owner side");
	tap_is_int(fe_detach(&s.a, &d), 0, "owner detaches");
	tap_is_int(fe_detach(&s.b, &p), 0, "peer detaches: region released");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), -ISM_ENOENT,
		   "a released token is dead: -ENOENT");
	scene_close(&s);
}

static void test_manage(void)
{
	struct ism_region_desc d, p;
	struct scene s;

	scene_open(&s, NULL);
	fe_alloc(&s.a, ISM_PAGE_SIZE, &d);
	fe_attach(&s.b, d.token, 0, &p);
	tap_is_int(fe_set_perm(&s.b, &p, 4099, ISM_PERM_DEFAULT, 0), -ISM_EPERM,
		   "manage_needed_for_set_perm: -EPERM");
	tap_is_int(fe_free(&s.b, &p), -ISM_EPERM,
		   "manage_needed_for_free: -EPERM");
	tap_is_int(fe_set_perm(&s.a, &d, 4098,
			       ISM_PERM_DEFAULT | ISM_PERM_MANAGE, 0),
		   0, "the owner grants MANAGE to the peer");
	tap_is_int(fe_detach(&s.b, &p), 0, "peer detaches");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), 0, "and re-attaches");
	tap_ok(p.perm & ISM_PERM_MANAGE, "  now with MANAGE");
	tap_is_int(fe_set_perm(&s.b, &p, 0, ISM_PERM_READ, 0), 0,
		   "a MANAGE peer may set permissions");
	tap_is_int(fe_set_perm(&s.a, &d, 4097, ISM_PERM_READ, 0), -ISM_EINVAL,
		   "an entry for the owner's devid: -EINVAL");
	tap_is_int(fe_set_perm(&s.a, &d, 4099, ISM_PERM_DENY_OTHER, 0),
		   -ISM_EINVAL,
		   "DENY_OTHER outside the default entry: -EINVAL");
	tap_is_int(fe_set_perm(&s.a, &d, 0, 0, ISM_SET_PERM_F_REMOVE),
		   -ISM_EINVAL, "removing the default entry: -EINVAL");
	tap_is_int(fe_set_perm(&s.a, &d, 4099, 0x20, 0), -ISM_EINVAL,
		   "unknown permission bits: -EINVAL");
	tap_is_int(fe_free(&s.b, &p), 0, "a MANAGE peer may FREE");
	scene_close(&s);
}

static void test_deny_other(void)
{
	struct ism_region_desc d, p;
	struct scene s;

	scene_open(&s, NULL);
	fe_alloc_perm(&s.a, ISM_PAGE_SIZE,
		      ISM_PERM_DEFAULT | ISM_PERM_DENY_OTHER, &d);
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), -ISM_EACCES,
		   "deny_other_refuses_unnamed: -EACCES");
	tap_is_int(fe_set_perm(&s.a, &d, 4098, ISM_PERM_DEFAULT, 0), 0,
		   "owner names device 4098");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), 0,
		   "deny_other: the named device attaches");
	fe_detach(&s.b, &p);
	tap_is_int(fe_set_perm(&s.a, &d, 4098, 0, ISM_SET_PERM_F_REMOVE), 0,
		   "owner removes the entry");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), -ISM_EACCES,
		   "  and the device is refused again");
	tap_is_int(fe_set_perm(&s.a, &d, 0, ISM_PERM_WRITE, 0), 0,
		   "default entry WRITE without ATTACH");
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), -ISM_EACCES,
		   "ATTACH is needed: -EACCES");
	scene_close(&s);
}

static void test_readonly(void)
{
	struct ism_region_desc d, p, q;
	struct fe_map m;
	void *addr;
	struct scene s;
	unsigned int i;
	int rc;

	scene_open(&s, NULL);
	fe_alloc_perm(&s.a, 2 * ISM_PAGE_SIZE, ISM_PERM_READ | ISM_PERM_ATTACH,
		      &d);
	tap_is_int(fe_attach(&s.b, d.token, 0, &p), 0, "read-only peer");
	tap_ok(!(p.perm & ISM_PERM_WRITE) && (p.perm & ISM_PERM_READ),
	       "  its descriptor has READ, not WRITE");
	tap_is_int(fe_map(&s.b, &p, true, &m), 0, "  maps read-only");
	fe_unmap(&s.b, &m);
	/* Every region page must refuse a writable mapping. */
	tap_is_int(fe_map(&s.b, &p, false, &m), -EACCES,
		   "readonly_peer_gets_readonly_grants: writable map -EACCES");
	fe_unmap(&s.b, &m);
	fe_detach(&s.b, &p);
	tap_is_int(fe_set_perm(&s.a, &d, 0, ISM_PERM_DEFAULT, 0), 0,
		   "default entry now writable");
	fe_attach(&s.b, d.token, ISM_ATTACH_F_READONLY, &p);
	tap_ok(!(p.perm & ISM_PERM_WRITE) && (p.perm & ISM_PERM_READ),
	       "ATTACH_F_READONLY drops WRITE from the descriptor");
	tap_ok(!fe_query(&s.b, p.slot, p.token, &q) && q.perm == p.perm,
	       "  and from QUERY's");
	rc = fe_map(&s.b, &p, true, &m);
	for (i = 0; !rc && i < m.n; i++) {
		rc = fake_xen_guest_map(
			s.w.fx, B, FW_BE,
			((struct ism_dir_page *)m.dir[0])->gref[i], false,
			&addr);
		if (!rc)
			fake_xen_guest_unmap(s.w.fx, B, addr);
	}
	tap_is_int(rc, -EACCES, "  and its grants are read-only");
	fe_unmap(&s.b, &m);
	scene_close(&s);
}

static void test_held_while_mapped(void)
{
	struct ism_region_desc d, p;
	struct fake_xen_usage u0, u1;
	struct ism_rsp_info info;
	struct ism_backend_stats st;
	struct fe_map m;
	struct scene s;

	scene_open(&s, NULL);
	fake_xen_usage(s.w.fx, FW_BE, &u0);
	fe_alloc(&s.a, 4 * ISM_PAGE_SIZE, &d);
	fe_attach(&s.b, d.token, 0, &p);
	fe_map(&s.b, &p, false, &m);
	memcpy(m.page[3], "still here", 11);
	/* B breaks the rule: detaches while it maps. */
	tap_is_int(fe_detach(&s.b, &p), 0, "peer detaches while mapping");
	tap_is_int(fe_free(&s.a, &d), 0, "owner frees the region");
	fake_xen_usage(s.w.fx, FW_BE, &u1);
	tap_ok(u1.page_sets > u0.page_sets && u1.grants > u0.grants,
	       "pages_held_while_mapped: %u page sets, %u grants kept",
	       u1.page_sets - u0.page_sets, u1.grants - u0.grants);
	tap_ok(!memcmp(m.page[3], "still here", 11),
	       "  the peer's mapping still shows its data");
	fe_info(&s.b, &info);
	tap_is_int(info.quarantined_pages, 4,
		   "  4 quarantined pages charged to the peer");
	tap_is_int(info.bytes_used, 4 * ISM_PAGE_SIZE,
		   "  and counted in its bytes");
	tap_ok(fw_reclaim(&s.w) > 0, "reclaim keeps them while mapped");
	fe_unmap(&s.b, &m);
	tap_is_int(fw_reclaim(&s.w), 0, "after the unmap, reclaim ends all");
	fake_xen_usage(s.w.fx, FW_BE, &u1);
	tap_ok(u1.page_sets == u0.page_sets && u1.grants == u0.grants,
	       "  page sets and grants back to the start");
	fe_info(&s.b, &info);
	tap_ok(!info.quarantined_pages && !info.bytes_used,
	       "  nothing charged any more");
	ism_backend_get_stats(s.w.be, &st);
	tap_ok(!st.quarantined && !st.held && !st.regions && !st.released,
	       "  backend stats: nothing quarantined, held or alive");
	scene_close(&s);
}

static void test_free_releases_peer(void)
{
	struct ism_region_desc d, p, q;
	struct ism_evt e;
	struct scene s;
	int got = 0;

	scene_open(&s, NULL);
	fe_alloc(&s.a, ISM_PAGE_SIZE, &d);
	fe_attach(&s.b, d.token, 0, &p);
	tap_is_int(fe_free(&s.a, &d), 0, "owner frees");
	while (fe_event(&s.b, &e)) {
		got += e.type == ISM_EVT_REGION_RELEASED &&
		       e.status == ISM_RELEASE_FREED && e.slot == p.slot;
	}
	tap_is_int(got, 1, "peer gets REGION_RELEASED (FREED)");
	tap_is_int(fe_query(&s.b, p.slot, 0, &q), 0, "QUERY token 0 works");
	tap_is_int(q.state, ISM_RSTATE_RELEASED, "  slot is RELEASED");
	tap_is_int(fe_notify(&s.b, &p), -ISM_EIDRM, "NOTIFY: -EIDRM");
	tap_is_int(fe_free(&s.b, &p), -ISM_EIDRM, "FREE: -EIDRM");
	tap_is_int(fe_detach(&s.b, &p), 0, "DETACH frees the slot");
	tap_is_int(fe_query(&s.b, p.slot, 0, &q), -ISM_ENOENT,
		   "  slot unused now");
	scene_close(&s);
}

static void test_peer(void)
{
	struct ism_region_desc d, p;
	struct ism_rsp_peer r;
	struct ism_req req;
	struct ism_rsp rsp;
	struct scene s;

	scene_open(&s, NULL);
	tap_is_int(fe_peer(&s.a, 0, s.b.devid, &r), 0, "peer_by_devid: PEER");
	tap_ok(r.devid == s.b.devid && r.flags == ISM_PEER_F_CONNECTED,
	       "  names the device, connected");
	tap_is_int(fe_peer(&s.a, 0, 4200, &r), -ISM_ENOENT,
		   "peer_no_such_devid: -ENOENT");
	tap_ok(!r.devid && !r.flags, "  the payload is zeros");
	tap_is_int(fe_peer(&s.a, 0, 0, &r), -ISM_EINVAL,
		   "peer_neither: -EINVAL");
	tap_is_int(fe_peer(&s.a, 1, s.b.devid, &r), -ISM_EINVAL,
		   "peer_both: -EINVAL");
	tap_is_int(fe_peer(&s.a, 0, ISM_DEVID_MAX + 1, &r), -ISM_EINVAL,
		   "peer_devid_range: -EINVAL");
	memset(&req, 0, sizeof(req));
	req.op = ISM_OP_PEER;
	req.u.peer.devid = s.b.devid;
	req.u.peer.reserved[39] = 1;
	tap_is_int(fe_call(&s.a, &req, &rsp), -ISM_EINVAL,
		   "peer_reserved: -EINVAL");

	/* The owner of a token, even one DENY_OTHER keeps from the asker. */
	fe_alloc_perm(&s.a, ISM_PAGE_SIZE, ISM_PERM_DENY_OTHER, &d);
	tap_is_int(fe_peer(&s.c, d.token, 0, &r), 0, "peer_by_token: PEER");
	tap_ok(r.devid == s.a.devid && r.flags == ISM_PEER_F_CONNECTED,
	       "  names the owner, connected");
	tap_is_int(fe_peer(&s.c, d.token + 1, 0, &r), -ISM_ENOENT,
		   "peer_unknown_token: -ENOENT");

	/* A closed device is there, not connected; a freed token is dead. */
	fe_alloc(&s.a, ISM_PAGE_SIZE, &p);
	tap_is_int(fe_close(&s.b), 0, "b closes its device");
	tap_is_int(fe_peer(&s.a, 0, s.b.devid, &r), 0, "peer_closed: PEER");
	tap_ok(r.devid == s.b.devid && !r.flags, "  not connected");
	tap_is_int(fe_free(&s.a, &p), 0, "a frees a region");
	tap_is_int(fe_peer(&s.c, p.token, 0, &r), -ISM_ENOENT,
		   "peer_freed_token: -ENOENT");
	scene_close(&s);
}

int main(void)
{
	tap_plan(92);
	test_alloc_oversize();
	test_alloc_zeroed();
	test_tokens();
	test_attach_wrong_token();
	test_two_guest_rule();
	test_manage();
	test_deny_other();
	test_readonly();
	test_held_while_mapped();
	test_free_releases_peer();
	test_peer();
	return tap_done();
}
