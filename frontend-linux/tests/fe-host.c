// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fe-host.c - the fake host of fe-host.h.
 */
#include <poll.h>
#include <stdbool.h>

#include "fe-host.h"
#include "tap.h"

static bool fd_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

int fe_host_start(struct fe_host *h, const struct ism_backend_limits *lim,
		  ism_fake_hook_fn hook, ism_dev **a_out, ism_dev **b_out)
{
	if (fake_xen_create(&h->fx) ||
	    fake_xen_domain_add(h->fx, FE_HOST_DOM_A, 0) ||
	    fake_xen_domain_add(h->fx, FE_HOST_DOM_B, 0) ||
	    fake_xen_device_add(h->fx, ISM_DEVICE_TYPE, FE_HOST_DOM_A, 0,
				FE_HOST_DEV_A) ||
	    fake_xen_device_add(h->fx, ISM_DEVICE_TYPE, FE_HOST_DOM_B, 0,
				FE_HOST_DEV_B) ||
	    fake_xen_platform_open(h->fx, 0, &h->be_p)) {
		tap_diag("cannot set up the fake host");
		return -1;
	}
	if (ism_backend_new(&fake_xen_ops, h->be_p, lim, &h->be)) {
		tap_diag("cannot start the backend");
		return -1;
	}
	fe_host_run_backend(h);
	if (ism_fake_dev_open(h->fx, FE_HOST_DOM_A, FE_HOST_DEV_A, 5000, hook,
			      NULL, a_out) ||
	    ism_fake_dev_open(h->fx, FE_HOST_DOM_B, FE_HOST_DEV_B, 5000, hook,
			      NULL, b_out)) {
		tap_diag("cannot connect the guests");
		return -1;
	}
	return 0;
}

int fe_host_run_backend(struct fe_host *h)
{
	int did = 0;

	if (fd_ready(fake_xen_ops.xs_fd(h->be_p))) {
		ism_backend_handle_watches(h->be);
		did = 1;
	}
	if (fd_ready(fake_xen_ops.evtchn_fd(h->be_p))) {
		while (ism_backend_handle_events(h->be) == 1)
			;
		did = 1;
	}
	return did;
}

void fe_host_stop(struct fe_host *h, ism_dev *a, ism_dev *b)
{
	ism_dev_close(b);
	ism_dev_close(a);
	ism_backend_free(h->be);
	if (h->be_p)
		fake_xen_platform_close(h->be_p);
	if (h->fx)
		fake_xen_destroy(h->fx);
}
