/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-events.c - update events coalesced in the signal bit array
 * with one signal per batch, fe_armed suppression, life-cycle events,
 * event queue overflow, the fast path broker (and Xen refusing it), and
 * SIGNAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "backend-stat.h"
#include "frontend.h"

TAP_MAIN;

#define A 5
#define B 7

struct pair {
	struct fw w;
	struct fe a, b;
	struct ism_region_desc da, db;
};

static void pair_open(struct pair *p, bool fast_path, bool attach)
{
	struct ism_backend_limits lim;
	struct fe fes[2];
	int rc;

	ism_backend_limits_default(&lim);
	lim.gid = 1;
	lim.fast_path = fast_path;
	fw_open_guests(&p->w, &lim, fes, 2);
	p->a = fes[0];
	p->b = fes[1];
	rc = fe_alloc(&p->a, ISM_PAGE_SIZE, &p->da);
	if (!rc && attach)
		rc = fe_attach(&p->b, p->da.token, 0, &p->db);
	if (rc) {
		tap_diag("setup failed: %d", rc);
		exit(1);
	}
}

static void test_coalescing(void)
{
	struct ism_req req = { .op = ISM_OP_NOTIFY };
	struct ism_rsp rsp;
	struct pair p;
	int i, ok = 0;

	pair_open(&p, true, true);
	fe_signalled(&p.b);
	p.b.evt->fe_armed = 1;
	req.u.slot.slot = p.da.slot;
	req.u.slot.token = p.da.token;
	for (i = 0; i < 10; i++)
		fe_post(&p.a, &req);
	fe_push(&p.a);
	while (fe_take(&p.a, &rsp))
		ok += !rsp.status;
	tap_is_int(ok, 10, "event_coalescing: 10 NOTIFYs in one batch");
	tap_ok(fe_sba_take(&p.b, p.db.slot),
	       "  the peer's SBA bit for its slot is set");
	tap_ok(p.b.evt->sba_summary[0] & 1, "  and the summary bit");
	tap_is_int(fe_signalled(&p.b), 1, "  the peer was signalled");
	tap_is_int(fe_signalled(&p.b), 0, "  exactly once");
	tap_is_int(p.b.evt->fe_armed, 0, "  fe_armed was taken");
	tap_ok(!fe_sba_take(&p.a, p.da.slot), "  the sender's bit is clear");
	tap_is_int(fe_notify(&p.a, &p.da), 0, "a NOTIFY while not armed");
	tap_ok(fe_sba_take(&p.b, p.db.slot) && !fe_signalled(&p.b),
	       "  sets the bit without a signal");
	tap_is_int(fe_notify(&p.b, &p.db), 0, "the peer may notify back");
	tap_ok(fe_sba_take(&p.a, p.da.slot), "  the owner's bit is set");
	fe_detach(&p.b, &p.db);
	tap_is_int(fe_notify(&p.a, &p.da), -ISM_ENOTCONN,
		   "NOTIFY without a peer: -ENOTCONN");
	fw_close(&p.w);
}

static void test_lifecycle(void)
{
	struct ism_evt e;
	struct pair p;

	pair_open(&p, true, true);
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_ATTACHED, &e) &&
		       e.slot == p.da.slot && e.token == p.da.token &&
		       e.peer_devid == 4098 && e.peer_domid == B,
	       "lifecycle: PEER_ATTACHED names slot, token and peer");
	fe_detach(&p.b, &p.db);
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_DETACHED, &e) &&
		       e.peer_devid == 4098,
	       "lifecycle: PEER_DETACHED");
	fe_attach(&p.b, p.da.token, 0, &p.db);
	fe_next_event(&p.a, ISM_EVT_PEER_ATTACHED, &e);
	fe_close(&p.b);
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_GONE, &e) &&
		       e.slot == p.da.slot,
	       "lifecycle: PEER_GONE when the peer's device closes");
	tap_is_int(fe_query(&p.a, p.da.slot, p.da.token, &p.da), 0,
		   "  the owner's slot stays");
	tap_is_int(p.da.state, ISM_RSTATE_ACTIVE, "  ACTIVE");
	fe_set_state(&p.b, ISM_XBS_INITIALISING);
	fe_connect(&p.b);
	tap_is_int(fe_attach(&p.b, p.da.token, 0, &p.db), -ISM_EBUSY,
		   "  after PEER_GONE the region gains no peer");
	fw_close(&p.w);
}

/* What QUERY says of the peer, for a frontend that lost events. */
static void test_desc_flags(void)
{
	struct ism_region_desc d, e, f;
	struct pair p;

	pair_open(&p, true, true);
	tap_is_int(p.da.flags, 0, "desc_flags: ALLOC: no peer present");
	tap_is_int(p.db.flags, ISM_DESC_F_PEER_PRESENT,
		   "  ATTACH: the owner is present");
	fe_query(&p.a, p.da.slot, 0, &d);
	tap_is_int(d.flags, ISM_DESC_F_PEER_PRESENT,
		   "  QUERY: the peer is present");
	fe_detach(&p.b, &p.db);
	fe_query(&p.a, p.da.slot, 0, &d);
	tap_ok(!d.flags && d.peer_devid == 4098 && d.peer_domid == B,
	       "  after its DETACH: absent, still named");
	fe_attach(&p.b, p.da.token, 0, &p.db);
	fe_query(&p.a, p.da.slot, 0, &d);
	tap_is_int(d.flags, ISM_DESC_F_PEER_PRESENT,
		   "  attached again: present");
	fe_alloc(&p.a, ISM_PAGE_SIZE, &e);
	fe_attach(&p.b, e.token, 0, &f);
	fe_free(&p.a, &e);
	fe_query(&p.b, f.slot, 0, &f);
	tap_ok(f.state == ISM_RSTATE_RELEASED && !f.flags,
	       "  a RELEASED slot has no peer");
	fe_detach(&p.b, &f);
	fe_close(&p.b);
	fe_query(&p.a, p.da.slot, 0, &d);
	tap_is_int(d.flags, ISM_DESC_F_PEER_GONE,
		   "  the peer's device closed: absent and gone");
	fw_close(&p.w);
}

static void test_overflow(void)
{
	struct ism_evt e;
	struct pair p;
	int i, n = 0;

	pair_open(&p, true, false);
	for (i = 0; i < 40; i++) {
		fe_attach(&p.b, p.da.token, 0, &p.db);
		fe_detach(&p.b, &p.db);
	}
	tap_is_int(p.a.evt->evt_prod - p.a.evt->evt_cons, ISM_EVT_ENTRIES,
		   "overflow: the queue holds 64 events");
	tap_ok(p.a.evt->flags & ISM_EVTPAGE_F_OVERFLOW,
	       "  and OVERFLOW is set for the 16 dropped");
	while (fe_event(&p.a, &e))
		n++;
	tap_is_int(n, ISM_EVT_ENTRIES, "  the frontend drains 64");
	fe_attach(&p.b, p.da.token, 0, &p.db);
	tap_ok(fe_next_event(&p.a, ISM_EVT_PEER_ATTACHED, &e),
	       "  and new events arrive again");
	/* A frontend writing nonsense in evt_cons only loses its events. */
	p.a.evt->evt_cons = p.a.evt->evt_prod + 1000;
	fe_detach(&p.b, &p.db);
	tap_is_int(fe_be_state(&p.a), ISM_XBS_CONNECTED,
		   "  a bogus evt_cons is survived");
	fw_close(&p.w);
}

static void test_fastpath(void)
{
	struct ism_evt e;
	struct pair p;

	pair_open(&p, true, true);
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 0, 0),
		   -ISM_EINVAL, "fastpath: port 0 is -EINVAL");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_ACCEPT, &p.da, 3, 0),
		   -ISM_EINVAL, "fastpath: ACCEPT without offer is -EINVAL");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0), 0,
		   "fastpath: OFFER");
	tap_ok(fe_next_event(&p.b, ISM_EVT_FASTPATH_OFFER, &e) &&
		       e.port == 11 && e.peer_domid == A && e.slot == p.db.slot,
	       "  the peer gets FASTPATH_OFFER with domid and port");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 12, 0),
		   -ISM_EALREADY, "  a second offer: -EALREADY");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_ACCEPT, &p.da, 3, 0),
		   -ISM_EINVAL, "  the offerer cannot accept");
	tap_is_int(fe_fastpath(&p.b, ISM_OP_FASTPATH_ACCEPT, &p.db, 0,
			       -ISM_ENOSPC),
		   0, "  the peer answers with a failed bind");
	tap_ok(fe_next_event(&p.a, ISM_EVT_FASTPATH_READY, &e) &&
		       e.status == -ISM_ENOSPC,
	       "  the offerer gets FASTPATH_READY -ENOSPC");
	fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0);
	tap_is_int(fe_fastpath(&p.b, ISM_OP_FASTPATH_ACCEPT, &p.db, 9, 0), 0,
		   "fastpath: offer again, accepted");
	tap_ok(fe_next_event(&p.a, ISM_EVT_FASTPATH_READY, &e) && !e.status,
	       "  FASTPATH_READY 0");
	tap_is_int(fe_fastpath(&p.b, ISM_OP_FASTPATH_OFFER, &p.db, 11, 0),
		   -ISM_EALREADY, "  up: no new offer");
	fe_detach(&p.b, &p.db);
	fe_attach(&p.b, p.da.token, 0, &p.db);
	tap_is_int(fe_fastpath(&p.b, ISM_OP_FASTPATH_OFFER, &p.db, 11, 0), 0,
		   "  it ended with the pair: a new offer works");
	fe_detach(&p.b, &p.db);
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0),
		   -ISM_ENOTCONN, "fastpath: no peer is -ENOTCONN");
	fw_close(&p.w);

	pair_open(&p, false, true);
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0),
		   -ISM_EOPNOTSUPP, "fastpath: feature off is -EOPNOTSUPP");
	fw_close(&p.w);
}

/*
 * Xen refused the fast path (XSM SILO's -EPERM): the frontend reports it
 * with port 0; the backend counts it for ismctl list, the peer hears
 * nothing, and updates stay relayed (counted too).
 */
static void test_fastpath_refused(void)
{
	struct ism_device_stat st;
	struct ism_evt e;
	struct pair p;

	pair_open(&p, true, true);
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11,
			       -ISM_EPERM),
		   -ISM_EINVAL, "refused: a port with a status is -EINVAL");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 0, 1),
		   -ISM_EINVAL, "refused: a positive status is -EINVAL");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 0, -4096),
		   -ISM_EINVAL, "refused: a status below -4095 is -EINVAL");
	tap_ok(test_backend_dev_stat(p.w.be, p.a.devid, &st) &&
		       st.events_known && !st.fp_refused && !st.fp_errno &&
		       !st.relayed && !st.fast_paths,
	       "refused: nothing counted for refused requests");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 0,
			       -ISM_EPERM),
		   0, "refused: OFFER with port 0 and -EPERM is noted");
	tap_ok(!fe_next_event(&p.b, ISM_EVT_FASTPATH_OFFER, &e),
	       "  the peer gets no offer");
	tap_ok(test_backend_dev_stat(p.w.be, p.a.devid, &st) &&
		       st.fp_refused == 1 && st.fp_errno == ISM_EPERM &&
		       !st.fast_paths,
	       "  the owner's device counts 1 refusal, EPERM");
	tap_is_int(fe_notify(&p.a, &p.da), 0, "  updates are relayed");
	tap_is_int(fe_notify(&p.a, &p.da), 0, "  twice");
	tap_ok(fe_sba_take(&p.b, p.db.slot), "  the peer sees the update");
	tap_ok(test_backend_dev_stat(p.w.be, p.a.devid, &st) && st.relayed == 2,
	       "  the owner's device counts 2 relayed updates");
	tap_is_int(fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0), 0,
		   "refused: a later offer still works");
	tap_is_int(fe_fastpath(&p.b, ISM_OP_FASTPATH_ACCEPT, &p.db, 0,
			       -ISM_ENOSPC),
		   0, "  the peer's bind fails with -ENOSPC");
	tap_ok(test_backend_dev_stat(p.w.be, p.b.devid, &st) &&
		       st.fp_refused == 1 && st.fp_errno == ISM_ENOSPC &&
		       !st.fast_paths,
	       "  the peer's device counts that refusal, ENOSPC");
	fe_fastpath(&p.a, ISM_OP_FASTPATH_OFFER, &p.da, 11, 0);
	fe_fastpath(&p.b, ISM_OP_FASTPATH_ACCEPT, &p.db, 9, 0);
	tap_ok(test_backend_dev_stat(p.w.be, p.a.devid, &st) &&
		       st.fast_paths == 1 &&
		       test_backend_dev_stat(p.w.be, p.b.devid, &st) &&
		       st.fast_paths == 1,
	       "  once up, both devices count 1 fast path");
	fe_detach(&p.b, &p.db);
	tap_ok(test_backend_dev_stat(p.w.be, p.a.devid, &st) &&
		       !st.fast_paths && st.fp_refused == 1,
	       "  it ends with the pair; the refusals stay counted");
	fw_close(&p.w);
}

/*
 * The peer detaches while an update of its region is still signalled: the
 * next region the peer gets in that slot must not look updated.
 */
static void test_slot_reuse(void)
{
	struct ism_region_desc d2, p2;
	struct pair p;
	uint32_t slot, i;

	pair_open(&p, false, true);
	slot = p.db.slot;
	tap_is_int(fe_notify(&p.a, &p.da), 0, "slot_reuse: A notifies");
	fe_detach(&p.b, &p.db); /* its SBA bit not taken */
	fe_free(&p.a, &p.da);
	/* Regions come and go until B is given that slot again. */
	for (i = 0; i < 2 * ISM_MAX_REGIONS_DEFAULT; i++) {
		fe_alloc(&p.a, ISM_PAGE_SIZE, &d2);
		fe_attach(&p.b, d2.token, 0, &p2);
		if (p2.slot == slot)
			break;
		fe_detach(&p.b, &p2);
		fe_free(&p.a, &d2);
	}
	tap_is_int(p2.slot, slot, "  B is given the same slot again");
	tap_ok(!fe_sba_take(&p.b, slot),
	       "  and its SBA bit is clear: the old update does not show");
	fw_close(&p.w);
}

static void test_signal(void)
{
	struct ism_evt e;
	struct pair p;
	int i, rc = 0, n = 0;

	pair_open(&p, true, false);
	fe_signalled(&p.b);
	p.b.evt->fe_armed = 1;
	tap_is_int(fe_signal(&p.a, p.b.devid, 1, 0x1122334455667788ull), 0,
		   "signal: a SIGNALs b, which shares no region with it");
	tap_ok(fe_signalled(&p.b), "  b's event channel fires");
	tap_ok(fe_next_event(&p.b, ISM_EVT_SIGNAL, &e), "  b gets SIGNAL");
	tap_ok(e.slot == ISM_SLOT_NONE && e.token == 0x1122334455667788ull &&
		       e.status == 1 && e.peer_devid == p.a.devid &&
		       e.peer_domid == A && !e.port,
	       "  with no slot, a's info and code, a's devid and domid");
	tap_is_int(fe_signal(&p.a, p.a.devid, 1, 0), -ISM_EINVAL,
		   "signal: to itself is -EINVAL");
	tap_is_int(fe_signal(&p.a, 0, 1, 0), -ISM_EINVAL,
		   "signal: to devid 0 is -EINVAL");
	tap_is_int(fe_signal(&p.a, 4200, 1, 0), -ISM_ENOENT,
		   "signal: to nobody is -ENOENT");

	/* 64 at once (one was sent), then one per 10 ms. */
	for (i = 0; i < 63 && !rc; i++)
		rc = fe_signal(&p.a, p.b.devid, 2, i);
	tap_is_int(rc, 0, "signal: 64 at once");
	tap_is_int(fe_signal(&p.a, p.b.devid, 2, 0), -ISM_EAGAIN,
		   "  the 65th is -EAGAIN");
	tap_ok(!(p.b.evt->flags & ISM_EVTPAGE_F_OVERFLOW),
	       "  b's queue (64 entries) did not overflow");
	tap_is_int(fe_be_state(&p.b), ISM_XBS_CONNECTED, "  b is connected");
	while (fe_event(&p.b, &e))
		n++;
	tap_is_int(n, ISM_EVT_ENTRIES - 1, "  b drains the rest");
	fake_xen_clock_advance(p.w.fx, 10);
	tap_is_int(fe_signal(&p.a, p.b.devid, 3, 0), 0,
		   "  10 ms later a may send one more");
	tap_is_int(fe_signal(&p.a, p.b.devid, 3, 0), -ISM_EAGAIN,
		   "  and no second");
	tap_is_int(fe_close(&p.b), 0, "b closes its device");
	fake_xen_clock_advance(p.w.fx, 10);
	tap_is_int(fe_signal(&p.a, p.b.devid, 1, 0), -ISM_ENOTCONN,
		   "signal: to a closed device is -ENOTCONN");
	fw_close(&p.w);
}

int main(void)
{
	tap_plan(79);
	test_coalescing();
	test_lifecycle();
	test_desc_flags();
	test_overflow();
	test_fastpath();
	test_fastpath_refused();
	test_slot_reuse();
	test_signal();
	return tap_done();
}
