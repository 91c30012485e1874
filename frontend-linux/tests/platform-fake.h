/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platform-fake.h - libxenism's platform over the fake Xen (tests/fake),
 * for unit tests: the library runs as guest @domid of a struct fake_xen.
 *
 * Xenstore goes through a fake_xen platform opened for that domain (so
 * fault injection on xs ops works); grants, mappings and event channels
 * through the fake's guest-side calls.  Time is a fake clock: when the
 * library waits, the test's hook runs (it plays the backend or a peer);
 * if the hook did nothing, the clock jumps by the whole timeout.  So
 * timeouts are exact and tests never sleep.
 */
#ifndef ISM_FRONTEND_TESTS_PLATFORM_FAKE_H
#define ISM_FRONTEND_TESTS_PLATFORM_FAKE_H

#include "../lib/platform.h"

struct fake_xen;

/* The hook: return > 0 if it changed anything, 0 if it had nothing to do. */
typedef int (*ism_fake_hook_fn)(void *ctx);

int ism_fake_platform_open(struct fake_xen *fx, uint16_t domid,
			   const struct ism_fe_ops **ops_out,
			   struct ism_fe_platform **p_out);
void ism_fake_platform_set_hook(struct ism_fe_platform *p, ism_fake_hook_fn fn,
				void *ctx);
/* The fake clock, in milliseconds since the platform was opened. */
uint64_t ism_fake_platform_now(const struct ism_fe_platform *p);
/*
 * Keep the clock in *@clock (set to the current time), so the test can
 * read it after the library destroyed the platform.
 */
void ism_fake_platform_set_clock(struct ism_fe_platform *p, uint64_t *clock);
/* Regions of pages mapped through grefs_map and not unmapped. */
unsigned int ism_fake_platform_maps(const struct ism_fe_platform *p);

#endif /* ISM_FRONTEND_TESTS_PLATFORM_FAKE_H */
