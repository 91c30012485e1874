/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-domain.c - domain creation and death as the backend sees them:
 * @introduceDomain/@releaseDomain, domain_info, what the hypervisor tears
 * down, what the toolstack removes, and the dying domain that lingers while
 * its pages are still mapped.
 *
 * dom0 runs a privileged backend platform; dom2 an unprivileged one; dom5
 * is the guest that dies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define DD 2
#define G 5

static const struct ism_platform_ops *ops = &fake_xen_ops;

int main(void)
{
	uint32_t ring = 0, gport = 0, bport = 0, h = 0, rgref = 0;
	void *gring = NULL, *bring = NULL, *region = NULL, *gmap = NULL;
	struct ism_platform *p = NULL, *pdd = NULL;
	struct ism_domain_info info = { 0 };
	struct fake_xen *fx = NULL;
	struct fake_xen_usage u;
	char *val = NULL;
	int n, m;

	tap_plan(41);

	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, DD, 0) ||
	    fake_xen_platform_open(fx, 0, &p) ||
	    fake_xen_platform_open(fx, DD, &pdd)) {
		tap_diag("cannot set up the fake");
		return 1;
	}

	/* Creation. */
	tap_is_int(ops->xs_watch(p, "@introduceDomain", "intro"), 0,
		   "dom0 watches @introduceDomain");
	tap_is_int(ops->xs_watch(p, "@releaseDomain", "rel"), 0,
		   "and @releaseDomain");
	tap_is_int(ops->xs_watch(pdd, "@releaseDomain", "rel"), 0,
		   "the driver domain registers @releaseDomain too");
	tap_is_int(ops->xs_watch(p, "backend/ism", "be"), 0,
		   "dom0 watches its backend dir");
	unit_plat_drain(p, NULL, NULL);
	tap_is_int(unit_plat_drain(pdd, "@releaseDomain", &m), 1,
		   "the unprivileged watcher gets the initial event");
	tap_is_int(fake_xen_domain_add(fx, G, 0), 0, "create the guest");
	tap_is_int(fake_xen_domain_add(fx, G, 0), -EEXIST,
		   "a domid cannot be created twice");
	n = unit_plat_drain(p, "@introduceDomain", &m);
	tap_ok(n == 1 && m == 1, "@introduceDomain fired");
	tap_is_str(unit_read(fx, G, "domid"), "5",
		   "the toolstack wrote the guest's domid node");
	tap_is_int(fake_xen_domain_state(fx, G), FAKE_XEN_DOM_RUNNING,
		   "the guest runs");
	tap_is_int(ops->domain_info(p, G, &info), 0,
		   "dom0 gets the guest's info");
	tap_ok(!info.dying, "it is not dying");
	tap_is_int(ops->domain_info(pdd, G, &info), -EPERM,
		   "an unprivileged domain may not ask");

	/* The guest connects. */
	fake_xen_device_add(fx, "ism", G, 0, 0);
	fake_xen_guest_grant(fx, G, 0, false, &ring, &gring);
	strcpy(gring, "last words");
	ops->gnt_map(p, G, ring, &bring);
	fake_xen_guest_evtchn_alloc_unbound(fx, G, 0, &gport);
	ops->evtchn_bind(p, G, gport, &bport);
	ops->pages_alloc(p, 1, &h, &region);
	unit_grant1(p, h, 0, G, false, &rgref);
	fake_xen_guest_map(fx, G, 0, rgref, false, &gmap);
	fake_xen_xs_watch(fx, G, "device", "w");
	fake_xen_xs_write(fx, G, "data/x", "1");
	/* A device libxl made and recorded, beside the ism one it did not. */
	fake_xen_xs_write(fx, 0, "/libxl/5/device/vif/0/x", "1");
	fake_xen_xs_write(fx, 0, "backend/vif/5/0/state", "4");
	tap_is_int(unit_end1(p, rgref), -EBUSY,
		   "while the guest maps the region, its grant cannot end");
	unit_plat_drain(p, NULL, NULL);

	/* Death. */
	tap_is_int(fake_xen_domain_kill(fx, 0), -EPERM,
		   "dom0 cannot be killed");
	tap_is_int(fake_xen_domain_kill(fx, DD), -EBUSY,
		   "a domain with an open platform cannot be killed");
	tap_is_int(fake_xen_domain_kill(fx, G), 0, "kill the guest");
	tap_is_int(fake_xen_domain_state(fx, G), FAKE_XEN_DOM_DYING,
		   "it is dying: the backend still maps its ring");
	tap_is_int(ops->domain_info(p, G, &info), 0, "domain_info still works");
	tap_ok(info.dying, "and says dying");
	n = unit_plat_drain(p, "@releaseDomain", &m);
	tap_ok(m == 1, "@releaseDomain fired for dom0");
	tap_ok(n == m, "and nothing else: the ism backend dir is not removed");
	tap_is_int(unit_plat_drain(pdd, NULL, NULL), 0,
		   "the unprivileged domain got no @releaseDomain");
	tap_is_int(fake_xen_xs_read(fx, 0, "/local/domain/5", &val), -ENOENT,
		   "the guest's xenstore home is gone");
	tap_is_int(fake_xen_xs_read(fx, 0, "backend/vif/5", &val), -ENOENT,
		   "and so is the backend dir of the vif libxl recorded");
	tap_is_int(fake_xen_xs_read(fx, 0, "backend/ism/5", &val), 0,
		   "the ism backend dir stays (libxl does not know ism)");
	free(val);
	tap_is_int(unit_end1(p, rgref), 0,
		   "the guest's mapping went: the region grant can end");
	tap_is_int(ops->pages_free(p, h), 0, "and the region be freed");
	tap_is_int(ops->evtchn_notify(p, bport), 0,
		   "the backend's port is unconnected but notify still works");
	tap_is_str((char *)bring, "last words",
		   "the mapped ring page outlives the guest");
	tap_is_int(fake_xen_usage(fx, G, &u), 0, "usage of the dying guest");
	tap_ok(!u.maps && !u.ports && !u.watches && u.grants == 1,
	       "only the grant the backend maps is left");
	tap_is_int(fake_xen_xs_write(fx, G, "data/y", "1"), -ESRCH,
		   "a dying domain cannot act");
	tap_is_int(fake_xen_domain_kill(fx, G), -ESRCH,
		   "a dying domain cannot be killed again");
	tap_is_int(ops->gnt_unmap(p, bring), 0, "the backend unmaps the ring");
	tap_is_int(fake_xen_domain_state(fx, G), FAKE_XEN_DOM_NONE,
		   "with its last page unmapped the guest is gone");
	tap_is_int(ops->domain_info(p, G, &info), -ESRCH,
		   "domain_info says ESRCH");
	ops->evtchn_unbind(p, bport);

	/* A domain holding nothing mapped goes at once. */
	fake_xen_domain_add(fx, G, 0);
	tap_is_int(fake_xen_domain_kill(fx, G), 0, "kill an idle guest");
	tap_is_int(fake_xen_domain_state(fx, G), FAKE_XEN_DOM_NONE,
		   "it is gone at once");
	tap_is_int(fake_xen_domain_add(fx, G, 0), 0, "its domid can be reused");

	ops->xs_unwatch(p, "@introduceDomain", "intro");
	ops->xs_unwatch(p, "@releaseDomain", "rel");
	ops->xs_unwatch(p, "backend/ism", "be");
	ops->xs_unwatch(pdd, "@releaseDomain", "rel");
	fake_xen_usage(fx, 0, &u);
	tap_ok(fake_xen_usage_is_clean(&u), "dom0 holds nothing at the end");
	fake_xen_platform_close(p);
	fake_xen_platform_close(pdd);
	fake_xen_destroy(fx);
	return tap_done();
}
