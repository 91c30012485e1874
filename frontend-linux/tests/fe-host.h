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
#include <xenism.h>

struct fe_host {
	struct fake_xen *fx;
	struct ism_platform *be_p; /* dom0's platform */
	struct ism_backend *be;
};

/*
 * Create the fake host with domains @dom_a and @dom_b, an ism device each
 * (@dev_a, @dev_b), and the backend core with @lim, run once.  0, or -1
 * after a diagnostic (what is set up is left for fe_host_stop()).
 */
int fe_host_start(struct fe_host *h, const struct ism_backend_limits *lim,
		  uint16_t dom_a, uint32_t dev_a, uint16_t dom_b,
		  uint32_t dev_b);
/* dom0: the core handles what its two descriptors say is there; 1 if
 * anything was. */
int fe_host_run_backend(struct fe_host *h);
/* Close both guests' devices (NULL: none), the backend and the host. */
void fe_host_stop(struct fe_host *h, ism_dev *a, ism_dev *b);

#endif /* ISM_FE_HOST_H */
