/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-fake-fault.c - fault injection hits exactly the Nth call (of one op
 * or of any), has no side effect, persists on request; call counts; the
 * usage counters; and a full sweep over a small backend-like sequence, as
 * the core's tests will run it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "fake-xen.h"
#include "unit.h"

TAP_MAIN;

#define BE 1
#define G 5

static const struct ism_platform_ops *ops = &fake_xen_ops;

static int setup(struct fake_xen **fx_out, struct ism_platform **p_out)
{
	struct fake_xen *fx = NULL;
	int rc;

	rc = fake_xen_create(&fx);
	if (!rc)
		rc = fake_xen_domain_add(fx, BE, 0);
	if (!rc)
		rc = fake_xen_domain_add(fx, G, 0);
	if (!rc)
		rc = fake_xen_device_add(fx, "ism", G, BE, 0);
	if (!rc)
		rc = fake_xen_platform_open(fx, BE, p_out);
	if (rc) {
		fake_xen_destroy(fx);
		return rc;
	}
	*fx_out = fx;
	return 0;
}

/* What the backend holds while a guest is connected. */
struct conn_state {
	uint32_t handle, gref, port;
	void *region, *ring;
};

/*
 * Connect to the guest as the core will: watch, read the frontend's ring
 * and port, map and bind, share a region, publish state in a transaction.
 * On failure everything taken is released (one cleanup path).
 */
static int connect_guest(struct ism_platform *p, uint32_t ring_ref,
			 uint32_t remote_port, struct conn_state *st)
{
	uint32_t tx;
	char *val;
	size_t len;
	int rc, status;

	rc = ops->xs_watch(p, "backend/ism/5/0", "dev");
	if (rc)
		return rc;
	rc = ops->xs_read(p, 0, "/local/domain/5/device/ism/0/state", &val,
			  &len);
	if (rc)
		goto err_unwatch;
	free(val);
	rc = ops->gnt_map(p, G, ring_ref, &st->ring);
	if (rc)
		goto err_unwatch;
	rc = ops->evtchn_bind(p, G, remote_port, &st->port);
	if (rc)
		goto err_unmap;
	rc = ops->pages_alloc(p, 2, &st->handle, &st->region);
	if (rc)
		goto err_unbind;
	rc = ops->pages_grant(p, st->handle, 1, 1, G, true, &st->gref);
	if (rc)
		goto err_free_pages;
again:
	rc = ops->xs_transaction_start(p, &tx);
	if (rc)
		goto err_end_grant;
	rc = ops->xs_write(p, tx, "backend/ism/5/0/state", "4", 1);
	if (rc) {
		ops->xs_transaction_end(p, tx, true);
		goto err_end_grant;
	}
	rc = ops->xs_transaction_end(p, tx, false);
	if (rc == -EAGAIN)
		goto again;
	if (rc)
		goto err_end_grant;
	return 0;

err_end_grant:
	ops->pages_end_grants(p, &st->gref, 1, &status);
err_free_pages:
	ops->pages_free(p, st->handle);
err_unbind:
	ops->evtchn_unbind(p, st->port);
err_unmap:
	ops->gnt_unmap(p, st->ring);
err_unwatch:
	ops->xs_unwatch(p, "backend/ism/5/0", "dev");
	return rc;
}

static void disconnect_guest(struct ism_platform *p, struct conn_state *st)
{
	int status;

	ops->pages_end_grants(p, &st->gref, 1, &status);
	ops->pages_free(p, st->handle);
	ops->evtchn_unbind(p, st->port);
	ops->gnt_unmap(p, st->ring);
	ops->xs_unwatch(p, "backend/ism/5/0", "dev");
}

static void test_nth(struct fake_xen *fx, struct ism_platform *p)
{
	int rc[5], i, ok;
	char *val;
	size_t len;
	uint16_t domid;
	unsigned char buf[8];

	fake_xen_calls_reset(fx);
	tap_is_int(fake_xen_fail_set(fx, FAKE_XEN_OP_XS_READ, 3, EIO, 0), 0,
		   "arm: fail the 3rd xs_read with EIO");
	for (i = 0; i < 5; i++) {
		rc[i] = ops->xs_read(p, 0, "/local/domain/5/device/ism/0/state",
				     &val, &len);
		if (!rc[i])
			free(val);
		/* Other ops in between do not count for a named op. */
		ops->local_domid(p, &domid);
	}
	ok = !rc[0] && !rc[1] && rc[2] == -EIO && !rc[3] && !rc[4];
	tap_ok(ok, "exactly the 3rd call failed, with -EIO");
	tap_is_int(fake_xen_fail_hits(fx), 1, "one hit counted");
	tap_is_int(fake_xen_calls(fx, FAKE_XEN_OP_XS_READ), 5,
		   "5 xs_read calls counted");
	tap_is_int(fake_xen_calls(fx, FAKE_XEN_OP_ANY), 10, "10 calls in all");

	fake_xen_calls_reset(fx);
	tap_is_int(fake_xen_calls(fx, FAKE_XEN_OP_ANY), 0,
		   "reset zeroes the counts");
	fake_xen_fail_set(fx, FAKE_XEN_OP_ANY, 2, ENOMEM, 0);
	rc[0] = ops->local_domid(p, &domid);
	rc[1] = ops->random(p, buf, sizeof(buf));
	rc[2] = ops->local_domid(p, &domid);
	tap_ok(!rc[0] && rc[1] == -ENOMEM && !rc[2],
	       "ANY fails the 2nd call whatever the op, once");

	fake_xen_fail_set(fx, FAKE_XEN_OP_RANDOM, 2, EAGAIN,
			  FAKE_XEN_FAIL_PERSIST);
	for (i = 0; i < 4; i++)
		rc[i] = ops->random(p, buf, sizeof(buf));
	tap_ok(!rc[0] && rc[1] == -EAGAIN && rc[2] == -EAGAIN &&
		       rc[3] == -EAGAIN,
	       "a persistent fault fails the 2nd call and all after");
	fake_xen_fail_clear(fx);
	tap_is_int(ops->random(p, buf, sizeof(buf)), 0, "clear disarms it");
	tap_is_int(fake_xen_fail_hits(fx), 4, "hits: 1 + 3");

	tap_is_int(fake_xen_fail_set(fx, FAKE_XEN_OP_XS_READ, 0, EIO, 0),
		   -EINVAL, "nth 0 is refused");
	tap_is_int(fake_xen_fail_set(fx, FAKE_XEN_OP_XS_READ, 1, 0, 0), -EINVAL,
		   "errno 0 is refused");
	tap_is_int(fake_xen_fail_set(fx, FAKE_XEN_OP_XS_READ, 1, EIO, 0x80),
		   -EINVAL, "unknown flags are refused");
	tap_is_int(fake_xen_fail_set(fx, (enum fake_xen_op)99, 1, EIO, 0),
		   -EINVAL, "an unknown op is refused");
}

static void test_no_effect(struct fake_xen *fx, struct ism_platform *p)
{
	struct fake_xen_usage u;
	uint32_t handle = 0, gport = 0, port = 0, tx = 0;
	void *addr = NULL;
	char *val;

	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_WRITE, 1, EIO, 0);
	tap_is_int(ops->xs_write(p, 0, "backend/ism/5/0/x", "1", 1), -EIO,
		   "a failed xs_write");
	tap_is_int(fake_xen_xs_read(fx, 0, "/local/domain/1/backend/ism/5/0/x",
				    &val),
		   -ENOENT, "created nothing");

	fake_xen_fail_set(fx, FAKE_XEN_OP_PAGES_ALLOC, 1, ENOMEM, 0);
	tap_is_int(ops->pages_alloc(p, 1, &handle, &addr), -ENOMEM,
		   "a failed pages_alloc");
	fake_xen_usage(fx, BE, &u);
	tap_is_int(u.page_sets, 0, "allocated nothing");

	fake_xen_guest_evtchn_alloc_unbound(fx, G, BE, &gport);
	fake_xen_fail_set(fx, FAKE_XEN_OP_EVTCHN_BIND, 1, ENOSPC, 0);
	tap_is_int(ops->evtchn_bind(p, G, gport, &port), -ENOSPC,
		   "a failed evtchn_bind");
	tap_is_int(ops->evtchn_bind(p, G, gport, &port), 0,
		   "left the guest's port unbound: binding again works");
	ops->evtchn_unbind(p, port);
	fake_xen_guest_evtchn_close(fx, G, gport);

	ops->xs_transaction_start(p, &tx);
	ops->xs_write(p, tx, "backend/ism/5/0/state", "9", 1);
	fake_xen_fail_set(fx, FAKE_XEN_OP_XS_TRANSACTION_END, 1, EAGAIN, 0);
	tap_is_int(ops->xs_transaction_end(p, tx, false), -EAGAIN,
		   "an injected EAGAIN at commit");
	tap_is_str(unit_read(fx, 0, "/local/domain/1/backend/ism/5/0/state"),
		   "1", "committed nothing");
	fake_xen_usage(fx, BE, &u);
	tap_is_int(u.transactions, 0, "and still closed the transaction");
}

static void test_sweep(void)
{
	struct fake_xen *fx = NULL;
	struct ism_platform *p = NULL;
	struct conn_state st;
	struct fake_xen_usage u, held;
	unsigned long n, total, swept = 0, bad_rc = 0, leaks = 0, hits = 0;
	uint32_t ring = 0, gport = 0;
	void *gring = NULL;
	int rc;

	/* A clean run first, to count the calls and check the counters. */
	if (setup(&fx, &p))
		return;
	fake_xen_guest_grant(fx, G, BE, false, &ring, &gring);
	fake_xen_guest_evtchn_alloc_unbound(fx, G, BE, &gport);
	fake_xen_calls_reset(fx);
	rc = connect_guest(p, ring, gport, &st);
	total = fake_xen_calls(fx, FAKE_XEN_OP_ANY);
	tap_is_int(rc, 0, "the sequence succeeds without faults (%lu calls)",
		   total);
	fake_xen_usage(fx, BE, &held);
	tap_ok(held.grants == 1 && held.maps == 1 && held.page_sets == 1 &&
		       held.pages == 2 && held.ports == 1 && held.watches == 1,
	       "while connected the counters show what is held");
	tap_ok(!fake_xen_usage_is_clean(&held), "which is not clean");
	disconnect_guest(p, &st);
	fake_xen_usage(fx, BE, &u);
	tap_ok(fake_xen_usage_is_clean(&u),
	       "after disconnecting every counter is back to zero");
	fake_xen_platform_close(p);
	fake_xen_destroy(fx);

	/* Then fail each call in turn. */
	for (n = 1; n <= total + 1; n++) {
		if (setup(&fx, &p))
			return;
		fake_xen_guest_grant(fx, G, BE, false, &ring, &gring);
		fake_xen_guest_evtchn_alloc_unbound(fx, G, BE, &gport);
		fake_xen_calls_reset(fx);
		fake_xen_fail_set(fx, FAKE_XEN_OP_ANY, n, ENOMEM, 0);
		rc = connect_guest(p, ring, gport, &st);
		hits = fake_xen_fail_hits(fx);
		if (!hits) {
			fake_xen_platform_close(p);
			fake_xen_destroy(fx);
			break;
		}
		swept++;
		if (rc != -ENOMEM) {
			tap_diag("call %lu failed, got %d", n, rc);
			bad_rc++;
		}
		fake_xen_usage(fx, BE, &u);
		if (!fake_xen_usage_is_clean(&u)) {
			tap_diag("call %lu failed: something leaked", n);
			leaks++;
		}
		fake_xen_platform_close(p);
		fake_xen_destroy(fx);
	}
	tap_is_int(swept, total, "the sweep failed each of the %lu calls",
		   total);
	tap_is_int(hits, 0, "and stopped when the fault was not reached");
	tap_is_int(bad_rc, 0, "each failure was reported with its errno");
	tap_is_int(leaks, 0, "no failure left anything behind");
}

int main(void)
{
	struct ism_platform *p = NULL;
	struct fake_xen *fx = NULL;

	tap_plan(31);

	if (setup(&fx, &p)) {
		tap_diag("cannot set up the fake");
		return 1;
	}
	test_nth(fx, p);
	test_no_effect(fx, p);
	fake_xen_platform_close(p);
	fake_xen_destroy(fx);
	test_sweep();
	return tap_done();
}
