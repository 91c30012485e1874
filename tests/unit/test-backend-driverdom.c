/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-backend-driverdom.c - the backend in a driver domain: it may not ask
 * the hypervisor about other domains (domain_info: -EPERM) and
 * @releaseDomain never reaches it, so it learns of a guest's death from
 * xenstore alone, when the toolstack removes the guest's /local/domain
 * directory.  A frontend that merely closes, or one device unplugged, is
 * not a death.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "frontend.h"

TAP_MAIN;

#define DD 5 /* the driver domain the backend runs in */
#define A 7
#define B 9
#define C 11
#define D 13

/* The backend holds what it held with only A and C connected. */
static bool back_to_base(struct fw_trio *t)
{
	struct ism_backend_stats st;

	ism_backend_get_stats(t->w.be, &st);
	return fw_trio_at_base(t) && st.devices == 2 && st.connected == 2 &&
	       !st.regions && !st.released && !st.grants && !st.quarantined &&
	       !st.held;
}

/* Whether the backend lists a device of @domid. */
static bool has_device_of(struct fw_trio *t, uint16_t domid)
{
	struct ism_device_stat *list;
	unsigned int n, i;
	bool found = false;

	if (ism_backend_list_devices(t->w.be, &list, &n))
		return true;
	for (i = 0; i < n; i++)
		found = found || list[i].domid == domid;
	free(list);
	return found;
}

static void test_unprivileged(void)
{
	struct ism_domain_info info;
	struct fw_trio t;

	fw_trio_open(&t, DD, A, B, C);
	tap_is_int(fake_xen_ops.domain_info(t.w.p, B, &info), -EPERM,
		   "driver domain: domain_info is refused (-EPERM)");
	fw_close(&t.w);
}

static void test_guest_dies(void)
{
	struct ism_region_desc d, p, q, x, n, m2;
	struct ism_backend_stats st;
	struct fe_map m;
	struct ism_evt e;
	struct fe dd;
	struct fw_trio t;

	fw_trio_open(&t, DD, A, B, C);
	fe_alloc(&t.a, 4 * ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	fe_alloc(&t.b, 2 * ISM_PAGE_SIZE, &q);
	fe_attach(&t.c, q.token, 0, &x);
	tap_is_int(fe_map(&t.b, &p, false, &m), 0,
		   "B maps A's region through the driver domain");
	free(m.page); /* the mappings die with B */
	tap_is_int(fw_kill(&t.w, B), 0, "B dies; no @releaseDomain for us");
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e) && e.slot == d.slot &&
		       e.token == d.token && e.peer_devid == 2 &&
		       e.peer_domid == B,
	       "dd_death_tells_peers: the owner gets PEER_GONE");
	tap_ok(fe_next_event(&t.c, ISM_EVT_PEER_GONE, &e) && e.slot == x.slot &&
		       e.token == q.token,
	       "  and so does the peer of B's own region");
	tap_ok(!has_device_of(&t, B), "  B's device is released");
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(st.devices == 2 && st.connected == 2 && !st.quarantined &&
		       !st.held,
	       "  A and C stay connected; nothing quarantined or held");
	tap_is_int(fake_xen_domain_state(t.w.fx, B), FAKE_XEN_DOM_NONE,
		   "  the backend unmapped B's pages: B is reaped");
	/* B's backend directory is ours to remove: a rescan finds it. */
	fake_xen_xs_write(t.w.fx, 0, "/local/domain/5/backend/ism", "");
	fw_pump(&t.w);
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(!has_device_of(&t, B) && st.devices == 2,
	       "  a rescan of backend/ism does not bring B's device back");
	tap_is_int(fe_attach(&t.c, d.token, 0, &n), -ISM_EBUSY,
		   "  A's region gains no new peer");
	tap_is_int(fe_query(&t.a, d.slot, d.token, &n), 0,
		   "  A keeps its slot");
	tap_is_int(fe_notify(&t.a, &d), -ISM_ENOTCONN,
		   "  NOTIFY has nobody to tell");
	fe_detach(&t.a, &d);
	fe_detach(&t.c, &x);
	tap_ok(back_to_base(&t),
	       "dd_death_releases_everything: stats and usage back to base");

	/* The survivor shares again, with a new guest. */
	fw_guest(&t.w, D);
	fe_create(&t.w, D, 4, &dd);
	tap_is_int(fe_connect(&dd), 0, "a new guest connects");
	tap_is_int(fe_alloc(&t.a, ISM_PAGE_SIZE, &n), 0, "A allocates again");
	tap_is_int(fe_attach(&dd, n.token, 0, &m2), 0,
		   "  and the new guest attaches");
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_ATTACHED, &e) &&
		       e.peer_devid == 4 && e.peer_domid == D,
	       "  A gets PEER_ATTACHED");
	tap_is_int(fe_notify(&dd, &m2), 0, "  NOTIFY reaches A");
	tap_ok(fe_sba_take(&t.a, n.slot), "  as a signal bit");
	fw_close(&t.w);
}

static void test_close_is_not_death(void)
{
	struct ism_region_desc d, p;
	struct ism_backend_stats st;
	struct ism_evt e;
	struct fw_trio t;

	fw_trio_open(&t, DD, A, B, C);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	tap_is_int(fe_close(&t.b), 0, "B's frontend closes (Closing, Closed)");
	tap_is_int(fe_be_state(&t.b), ISM_XBS_CLOSED,
		   "  the backend is Closed");
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e),
	       "  A gets PEER_GONE, as for any close");
	ism_backend_get_stats(t.w.be, &st);
	tap_ok(has_device_of(&t, B) && st.devices == 3 && st.connected == 2,
	       "dd_close_is_not_death: B's device is kept, closed");
	tap_is_int(fe_set_state(&t.b, ISM_XBS_INITIALISING), 0,
		   "  B resets (Initialising)");
	tap_is_int(fe_connect(&t.b), 0, "  and connects again");
	tap_is_int(fe_alloc(&t.b, ISM_PAGE_SIZE, &p), 0, "  and allocates");
	fe_detach(&t.b, &p);
	fe_detach(&t.a, &d);
	fw_close(&t.w);
}

static void test_unplug_is_not_death(void)
{
	struct ism_region_desc d, p, q, x;
	struct ism_evt e;
	struct fe b2;
	struct fw_trio t;

	fw_trio_open(&t, DD, A, B, C);
	fe_create(&t.w, B, 6, &b2);
	fe_connect(&b2);
	fe_alloc(&t.a, ISM_PAGE_SIZE, &d);
	fe_attach(&t.b, d.token, 0, &p);
	fe_alloc(&t.c, ISM_PAGE_SIZE, &q);
	fe_attach(&b2, q.token, 0, &x);
	while (fe_event(&t.c, &e)) /* PEER_ATTACHED */
		;
	/* The toolstack unplugs B's device 2 only. */
	tap_is_int(fake_xen_xs_rm(t.w.fx, 0, t.b.fe_path), 0,
		   "B's device 2 loses its frontend directory");
	fw_pump(&t.w);
	tap_ok(fe_next_event(&t.a, ISM_EVT_PEER_GONE, &e),
	       "  its peer A gets PEER_GONE (the device closed)");
	tap_ok(!fe_event(&t.c, &e),
	       "  C, sharing with device 6, hears nothing");
	tap_ok(has_device_of(&t, B) && fe_be_state(&b2) == ISM_XBS_CONNECTED,
	       "dd_unplug_is_not_death: B's device 6 stays connected");
	tap_is_int(fe_notify(&b2, &x), 0, "  and still notifies C");
	fw_close(&t.w);
}

int main(void)
{
	tap_plan(31);
	test_unprivileged();
	test_guest_dies();
	test_close_is_not_death();
	test_unplug_is_not_death();
	return tap_done();
}
