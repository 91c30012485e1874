/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platform-fake.h - libxenism's platform over the fake Xen (tests/fake),
 * for unit tests: the library runs as guest @domid of a struct fake_xen.
 *
 * Xenstore goes through a fake_xen platform opened for that domain (so
 * fault injection on xs ops works); grants, mappings and event channels
 * through the fake's guest-side calls.  Time is a fake clock: when the
 * library waits, the test's hook runs (it plays the backend or a peer);
 * then the wait reports the ports and watches with events, as epoll
 * would.  If the hook did nothing and nothing is ready, the clock jumps by
 * the whole timeout.  So timeouts are exact and tests never sleep.
 *
 * Every op call is counted (ism_fake_platform_calls()), to check what a
 * library call costs in system calls.
 */
#ifndef ISM_FRONTEND_TESTS_PLATFORM_FAKE_H
#define ISM_FRONTEND_TESTS_PLATFORM_FAKE_H

#include "../lib/platform.h"

struct fake_xen;
struct ism_dev;

/*
 * The ops of struct ism_fe_ops, in table order (destroy excepted), for
 * counting what a call of the library costs.  ISM_FAKE_OP_ANY: all.
 */
enum ism_fake_op {
	ISM_FAKE_OP_LOCAL_DOMID,
	ISM_FAKE_OP_XS_READ,
	ISM_FAKE_OP_XS_WRITE,
	ISM_FAKE_OP_XS_RM,
	ISM_FAKE_OP_XS_DIRECTORY,
	ISM_FAKE_OP_XS_SET_PERMS,
	ISM_FAKE_OP_XS_TRANSACTION_START,
	ISM_FAKE_OP_XS_TRANSACTION_END,
	ISM_FAKE_OP_XS_WATCH,
	ISM_FAKE_OP_XS_UNWATCH,
	ISM_FAKE_OP_XS_READ_WATCH,
	ISM_FAKE_OP_PAGE_SHARE,
	ISM_FAKE_OP_PAGE_UNSHARE,
	ISM_FAKE_OP_GREFS_MAP,
	ISM_FAKE_OP_GREFS_UNMAP,
	ISM_FAKE_OP_GREF_COPY,
	ISM_FAKE_OP_EVTCHN_ALLOC_UNBOUND,
	ISM_FAKE_OP_EVTCHN_BIND,
	ISM_FAKE_OP_EVTCHN_CLOSE,
	ISM_FAKE_OP_EVTCHN_NOTIFY,
	ISM_FAKE_OP_EVTCHN_PENDING,
	ISM_FAKE_OP_FD,
	ISM_FAKE_OP_WAIT,
	ISM_FAKE_OP_NOW_MS,
	ISM_FAKE_OP_COUNT,
	ISM_FAKE_OP_ANY = ISM_FAKE_OP_COUNT,
};

/* The hook: return > 0 if it changed anything, 0 if it had nothing to do. */
typedef int (*ism_fake_hook_fn)(void *ctx);

int ism_fake_platform_open(struct fake_xen *fx, uint16_t domid,
			   const struct ism_fe_ops **ops_out,
			   struct ism_fe_platform **p_out);
/*
 * Open a platform for guest @domid with the hook @fn(@ctx) and connect
 * its device @devid (as ism_dev_open() does with @timeout_ms).
 */
int ism_fake_dev_open(struct fake_xen *fx, uint16_t domid, uint32_t devid,
		      int timeout_ms, ism_fake_hook_fn fn, void *ctx,
		      struct ism_dev **dev_out);
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
/* Make gref_copy fail (-ENOTTY), as on a kernel without grant copy. */
void ism_fake_platform_no_copy(struct ism_fe_platform *p, bool no_copy);
/* Calls of @op (every call: ISM_FAKE_OP_ANY) since open or the reset. */
unsigned long ism_fake_platform_calls(const struct ism_fe_platform *p,
				      enum ism_fake_op op);
void ism_fake_platform_calls_reset(struct ism_fe_platform *p);

#endif /* ISM_FRONTEND_TESTS_PLATFORM_FAKE_H */
