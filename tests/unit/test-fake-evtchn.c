/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-evtchn.c - event channels: binding to a guest's unbound port,
 * delivery in both directions, coalescing while pending or masked, the
 * platform's fd, closing either end, limits.
 *
 * dom1 runs the backend (a platform); dom5 and dom6 are guests.
 */
#include <errno.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define BE 1
#define G1 5
#define G2 6

static const struct ism_platform_ops *ops = &fake_xen_ops;

int main(void)
{
	struct fake_xen_limits lim = {
		.grants = 8, .ports = 2, .maps = 8, .pages = 8
	};
	uint32_t gport = 0, bport = 0, other = 0, got = 0, x = 0, q[3];
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;
	struct fake_xen_usage u;
	int fd;

	tap_plan(44);

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, BE, 0) ||
	    fake_xen_domain_add(fx, G1, 0) || fake_xen_domain_add(fx, G2, 0) ||
	    fake_xen_platform_open(fx, BE, &p)) {
		tap_diag("cannot set up the fake");
		return 1;
	}
	fd = ops->evtchn_fd(p);
	tap_ok(fd >= 0, "the platform has an event channel fd");

	/* Binding. */
	tap_is_int(fake_xen_guest_evtchn_alloc_unbound(fx, G1, BE, &gport), 0,
		   "the guest allocates a port for the backend");
	tap_is_int(ops->evtchn_bind(p, G1, gport, &bport), 0,
		   "the backend binds to it");
	tap_ok(bport != 0, "the local port is not 0");
	tap_is_int(ops->evtchn_bind(p, G1, gport, &x), -EINVAL,
		   "a port already bound cannot be bound again");
	fake_xen_guest_evtchn_alloc_unbound(fx, G1, G2, &other);
	tap_is_int(ops->evtchn_bind(p, G1, other, &x), -EINVAL,
		   "a port offered to another domain cannot be bound");
	tap_is_int(ops->evtchn_bind(p, G1, 999, &x), -EINVAL,
		   "nor a port out of range");
	tap_is_int(ops->evtchn_bind(p, 42, 1, &x), -ESRCH,
		   "nor a port of a domain that does not exist");

	/* Guest to backend. */
	tap_is_int(unit_fd_readable(fd), 0, "no event yet: fd quiet");
	tap_is_int(ops->evtchn_pending(p, &got), -EAGAIN,
		   "and evtchn_pending says EAGAIN");
	tap_is_int(fake_xen_guest_evtchn_notify(fx, G1, gport), 0,
		   "the guest notifies");
	tap_is_int(unit_fd_readable(fd), 1, "the fd becomes readable");
	tap_is_int(ops->evtchn_pending(p, &got), 0, "take the event");
	tap_is_int(got, bport, "on the bound port");
	tap_is_int(unit_fd_readable(fd), 0, "the fd is quiet again");
	tap_is_int(ops->evtchn_pending(p, &got), -EAGAIN, "nothing more");

	/*
	 * Three notifies before the backend looks: the first is queued (and
	 * the port masked), the second pends behind the mask, the third
	 * coalesces with it.  Two events come out.
	 */
	fake_xen_guest_evtchn_notify(fx, G1, gport);
	fake_xen_guest_evtchn_notify(fx, G1, gport);
	fake_xen_guest_evtchn_notify(fx, G1, gport);
	q[0] = q[1] = q[2] = 0;
	tap_is_int(ops->evtchn_pending(p, &q[0]), 0, "first event");
	tap_is_int(ops->evtchn_pending(p, &q[1]), 0,
		   "a second one, pending while the port was masked");
	tap_is_int(ops->evtchn_pending(p, &q[2]), -EAGAIN,
		   "the third notify coalesced");
	tap_ok(q[0] == bport && q[1] == bport, "both on the bound port");

	/* Backend to guest. */
	tap_is_int(fake_xen_guest_evtchn_pending(fx, G1, gport), 0,
		   "nothing pending at the guest");
	tap_is_int(ops->evtchn_notify(p, bport), 0, "the backend notifies");
	tap_is_int(ops->evtchn_notify(p, bport), 0, "twice");
	tap_is_int(fake_xen_guest_evtchn_pending(fx, G1, gport), 1,
		   "the guest sees one pending event");
	tap_is_int(fake_xen_guest_evtchn_pending(fx, G1, gport), 0,
		   "only one: the two coalesced");
	tap_is_int(fake_xen_guest_evtchn_pending(fx, G2, gport), -EINVAL,
		   "another guest has no such port");
	tap_is_int(ops->evtchn_notify(p, 77), -EINVAL,
		   "notifying a port not bound is refused");

	/* Unbinding with an event queued drops it. */
	fake_xen_guest_evtchn_notify(fx, G1, gport);
	tap_is_int(ops->evtchn_unbind(p, bport), 0,
		   "unbind with an event queued");
	tap_is_int(ops->evtchn_pending(p, &got), -EAGAIN,
		   "the queued event went with the port");
	tap_is_int(unit_fd_readable(fd), 0, "and the fd is quiet");
	tap_is_int(ops->evtchn_unbind(p, bport), -EINVAL,
		   "unbinding twice is refused");
	tap_is_int(fake_xen_guest_evtchn_notify(fx, G1, gport), 0,
		   "the guest's end is unbound again: notify is dropped");
	tap_is_int(ops->evtchn_bind(p, G1, gport, &bport), 0,
		   "and the backend can bind to it again");

	/* The guest closes its end. */
	tap_is_int(fake_xen_guest_evtchn_close(fx, G1, gport), 0,
		   "the guest closes its port");
	tap_is_int(ops->evtchn_notify(p, bport), 0,
		   "notifying a port whose peer is gone succeeds");
	tap_is_int(fake_xen_guest_evtchn_close(fx, G1, gport), -EINVAL,
		   "closing twice is refused");
	fake_xen_usage(fx, BE, &u);
	tap_is_int(u.ports, 1, "the backend's port stays until unbound");
	tap_is_int(ops->evtchn_unbind(p, bport), 0, "unbind it");
	fake_xen_guest_evtchn_close(fx, G1, other);

	/* Limits. */
	fake_xen_platform_close(p);
	tap_is_int(fake_xen_domain_set_limits(fx, BE, &lim), 0,
		   "limit the backend to 2 ports");
	fake_xen_platform_open(fx, BE, &p);
	fake_xen_guest_evtchn_alloc_unbound(fx, G1, BE, &q[0]);
	fake_xen_guest_evtchn_alloc_unbound(fx, G1, BE, &q[1]);
	fake_xen_guest_evtchn_alloc_unbound(fx, G1, BE, &q[2]);
	ops->evtchn_bind(p, G1, q[0], &x);
	ops->evtchn_bind(p, G1, q[1], &x);
	tap_is_int(ops->evtchn_bind(p, G1, q[2], &x), -ENOSPC,
		   "a third bind is ENOSPC");
	fake_xen_guest_evtchn_notify(fx, G1, q[0]);
	fake_xen_platform_close(p);
	fake_xen_usage(fx, BE, &u);
	tap_is_int(u.ports, 0, "closing the platform unbinds its ports");
	tap_is_int(fake_xen_guest_evtchn_notify(fx, G1, q[0]), 0,
		   "the guest's ends are unbound again");
	tap_is_int(fake_xen_guest_evtchn_alloc_unbound(fx, 99, BE, &x), -ESRCH,
		   "a domain that does not exist has no ports");
	fake_xen_usage(fx, G1, &u);
	tap_is_int(u.ports, 3, "the guest's 3 ports are still open");

	fake_xen_destroy(fx);
	return tap_done();
}
