/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fe-host.h - a fake host for tests of libxenism against the backend core:
 * dom0 running the core on the fake Xen, and two guests with an ism
 * device each.
 */
#ifndef ISM_FE_HOST_H
#define ISM_FE_HOST_H

#include <stdint.h>

#include "fake-xen.h"
#include "ism-backend.h"
#include "platform-fake.h"
#include <xenism.h>

struct fe_host {
	struct fake_xen *fx;
	struct ism_platform *be_p; /* dom0's platform */
	struct ism_backend *be;
};

/* The two guests: domids and the devids of their ism devices. */
#define FE_HOST_DOM_A 1
#define FE_HOST_DOM_B 2
#define FE_HOST_DEV_A 11
#define FE_HOST_DEV_B 12

/*
 * Create the fake host with guests FE_HOST_DOM_A and _B, an ism device
 * each, and the backend core with @lim, run once; then open both guests'
 * devices (5 s timeout, @hook run while a guest waits) into *@a_out and
 * *@b_out.  0, or -1 after a diagnostic (what is set up is left for
 * fe_host_stop()).
 */
int fe_host_start(struct fe_host *h, const struct ism_backend_limits *lim,
		  ism_fake_hook_fn hook, ism_dev **a_out, ism_dev **b_out);
/* dom0: the core handles what its two descriptors say is there; 1 if
 * anything was. */
int fe_host_run_backend(struct fe_host *h);
/* Close both guests' devices (NULL: none), the backend and the host. */
void fe_host_stop(struct fe_host *h, ism_dev *a, ism_dev *b);

#endif /* ISM_FE_HOST_H */
