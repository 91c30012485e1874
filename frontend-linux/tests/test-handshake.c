/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-handshake.c - libxenism against a scripted backend on the fake Xen:
 * the xenbus handshake and what the library writes, refusals and
 * timeouts, requests (INFO, ALLOC, map, NOTIFY), events and closing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "sbackend.h"
#include "platform-fake.h"
#include "../lib/private.h"

TAP_MAIN;

#define FE 5
#define DEVID 4097

static struct fake_xen *fx;

static char *fe_node(const char *field)
{
	char path[128], *val = NULL;

	snprintf(path, sizeof(path), ISM_PATH_FRONTEND_FMT "/%s", FE, DEVID,
		 field);
	if (fake_xen_xs_read(fx, 0, path, &val))
		return NULL;
	return val;
}

static int fe_node_exists(const char *field)
{
	char *val = fe_node(field);
	int ok = val != NULL;

	free(val);
	return ok;
}

static int fe_node_is(const char *field, const char *want)
{
	char *val = fe_node(field);
	int ok = val && !strcmp(val, want);

	if (!ok)
		tap_diag("  %s = \"%s\", want \"%s\"", field,
			 val ? val : "(none)", want);
	free(val);
	return ok;
}

/* A fresh host with guest FE, its device and a scripted backend. */
static int setup(struct sb *sb, const struct ism_fe_ops **ops,
		 struct ism_fe_platform **p)
{
	fake_xen_destroy(fx);
	fx = NULL;
	if (fake_xen_create(&fx) || fake_xen_domain_add(fx, FE, 0) ||
	    sb_init(sb, fx, FE, DEVID) ||
	    ism_fake_platform_open(fx, FE, ops, p))
		return -1;
	ism_fake_platform_set_hook(*p, sb_step, sb);
	return 0;
}

static void test_connect(void)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	struct ism_dev_info info;
	struct fake_xen_usage u;
	ism_region *r = NULL;
	struct ism_event ev;
	struct sb sb;
	char *ref;
	size_t len = 0;
	void *addr = NULL;
	ism_dev *dev = NULL;

	if (setup(&sb, &ops, &p))
		return;
	tap_is_int(ism__dev_open_on(ops, p, 0, 2000, &dev), 0,
		   "open the first device: connected");
	tap_is_int(sb.state, ISM_XBS_CONNECTED, "the backend is Connected");
	tap_ok(fe_node_is(ISM_FIELD_STATE, "4"), "frontend state 4");
	tap_ok(fe_node_is(ISM_FIELD_VERSION, "1"), "version 1 written");
	ref = fe_node(ISM_FIELD_RING_REF);
	tap_ok(ref && atoi(ref) >= 8, "ring-ref is a grant reference");
	free(ref);
	tap_ok(fe_node_exists(ISM_FIELD_EVENT_PAGE_REF),
	       "event-page-ref written");
	tap_ok(sb.ring && sb.ring->hdr.req_event == 1 &&
		       sb.ring->hdr.rsp_event == 1,
	       "the ring the backend maps is initialised");
	if (!dev)
		return;
	tap_is_int(dev->devid, DEVID, "devid found");
	tap_ok(dev->gid == sb.gid && dev->max_regions == 16 &&
		       dev->region_size == 1048576,
	       "limits read from the backend");

	tap_is_int(ism_dev_info(dev, &info), 0, "INFO");
	tap_ok(info.gid == sb.gid && info.devid == DEVID && info.domid == FE,
	       "INFO answers");
	tap_is_int(sb.last_req.op, ISM_OP_INFO, "the backend saw INFO");

	tap_is_int(ism_region_alloc(dev, 5000, ISM_PERM_DEFAULT, &r), 0,
		   "ALLOC of 5000 octets");
	tap_ok(sb.last_req.u.alloc.size == 5000 &&
		       sb.last_req.u.alloc.flags == ISM_ALLOC_F_DEFAULT_PERM &&
		       sb.last_req.u.alloc.perm == ISM_PERM_DEFAULT,
	       "the request carries size, flag and perm");
	ism_fake_platform_calls_reset(dev->p);
	tap_is_int(ism_region_map(r, &addr, &len), 0, "map it");
	tap_is_int(len, 8192, "two pages");
	tap_ok(ism_fake_platform_calls(dev->p, ISM_FAKE_OP_GREF_COPY) == 1 &&
		       ism_fake_platform_calls(dev->p, ISM_FAKE_OP_GREFS_MAP) ==
			       1 &&
		       ism_fake_platform_calls(dev->p, ISM_FAKE_OP_ANY) == 2,
	       "the directory is read with one grant copy, the region mapped "
	       "with one map");
	if (addr) {
		memcpy((char *)addr + 4096, "hello", 6);
		tap_ok(!strcmp((char *)sb.regions[0].addr + 4096, "hello"),
		       "a store reaches the backend's page");
	} else {
		tap_ok(0, "a store reaches the backend's page");
	}
	/* A kernel without grant copy: the directory is mapped instead. */
	tap_is_int(ism_region_unmap(r), 0, "unmap it");
	ism_fake_platform_no_copy(dev->p, true);
	ism_fake_platform_calls_reset(dev->p);
	addr = NULL;
	tap_ok(!ism_region_map(r, &addr, &len) && addr &&
		       !strcmp((char *)addr + 4096, "hello"),
	       "without grant copy it maps again, the same pages");
	tap_ok(ism_fake_platform_calls(dev->p, ISM_FAKE_OP_GREFS_MAP) == 2 &&
		       ism_fake_platform_calls(dev->p,
					       ISM_FAKE_OP_GREFS_UNMAP) == 1,
	       "  the directory mapped and unmapped, the region mapped");
	ism_fake_platform_no_copy(dev->p, false);
	tap_is_int(ism_region_notify(r, 0), 1,
		   "notify without a waiting peer is suppressed");
	tap_is_int(ism_region_notify(r, ISM_NOTIFY_FORCE), -ENOTCONN,
		   "forced notify: the backend's -ENOTCONN comes back");

	/* Events: an update bit and a life-cycle event. */
	tap_is_int(ism_event_read(dev, &ev), -EAGAIN, "no event yet");
	sb_signal(&sb, 0);
	tap_ok(!ism_event_read(dev, &ev) && ev.type == ISM_EVT_REGION_UPDATED &&
		       ev.region == r,
	       "REGION_UPDATED for the region's slot");
	{
		struct ism_evt e = { .type = ISM_EVT_PEER_ATTACHED,
				     .peer_domid = 7,
				     .slot = 0,
				     .token = r->d.token,
				     .peer_devid = 4098 };
		struct ism_evt bad = e;

		bad.token++;
		sb_event(&sb, &bad);
		sb_event(&sb, &e);
	}
	tap_ok(!ism_event_read(dev, &ev) && ev.type == ISM_EVT_PEER_ATTACHED &&
		       ev.peer_devid == 4098 && ev.peer_domid == 7,
	       "PEER_ATTACHED (the one with a wrong token was dropped)");
	tap_is_int(ism_event_wait(dev, 500, &ev), -ETIMEDOUT,
		   "waiting with nothing to come times out");

	tap_is_int(ism_region_detach(r), 0, "DETACH");
	{
		struct ism_ctrl_page *ring = dev->ring.page;
		uint32_t prod = ring->hdr.req_prod;
		const struct ism_req *q =
			&ring->ring[(prod - 1) % ISM_RING_ENTRIES].req;

		tap_ok(prod == sb.req_cons + 1 && q->op == ISM_OP_DETACH &&
			       q->u.slot.slot == 0 &&
			       q->u.slot.token == sb.regions[0].d.token,
		       "DETACH is posted (on the ring, not awaited)");
	}
	tap_is_int(ism_fake_platform_maps(p), 0, "everything unmapped");
	ism_dev_close(dev);
	tap_is_int(sb.last_req.op, ISM_OP_DETACH,
		   "the backend saw DETACH before the close");
	tap_ok(fe_node_is(ISM_FIELD_STATE, "6"), "closed: state 6");
	tap_is_int(sb.state, ISM_XBS_CLOSED, "the backend closed too");
	fake_xen_usage(fx, FE, &u);
	tap_ok(!u.grants && !u.ports && !u.maps && !u.watches,
	       "the guest holds no grant, port, mapping or watch");
	sb_fini(&sb);
}

static void test_refusals(void)
{
	uint64_t clock = 0;
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	ism_dev *dev = NULL;
	struct sb sb;

	if (setup(&sb, &ops, &p))
		return;
	sb.no_initwait = true;
	ism_fake_platform_set_clock(p, &clock);
	tap_is_int(ism__dev_open_on(ops, p, DEVID, 3000, &dev), -ETIMEDOUT,
		   "backend never in InitWait: -ETIMEDOUT");
	tap_is_int(clock, 3000, "after exactly 3 s");
	sb_fini(&sb);

	/* Opened with 0: $ISM_TIMEOUT_MS, when valid, else 10 s. */
	static const struct {
		const char *env;
		uint64_t ms;
	} envs[] = { { "60000", 60000 }, { "0", 10000 }, { "12x", 10000 } };
	for (unsigned int i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		if (setup(&sb, &ops, &p))
			return;
		sb.no_initwait = true;
		clock = 0;
		ism_fake_platform_set_clock(p, &clock);
		setenv(ISM_TIMEOUT_ENV, envs[i].env, 1);
		tap_ok(ism__dev_open_on(ops, p, DEVID, 0, &dev) == -ETIMEDOUT &&
			       clock == envs[i].ms,
		       "ISM_TIMEOUT_MS=%s: the default timeout is %llu ms",
		       envs[i].env, (unsigned long long)envs[i].ms);
		sb_fini(&sb);
	}
	unsetenv(ISM_TIMEOUT_ENV);

	if (setup(&sb, &ops, &p))
		return;
	sb.versions = "2,3";
	tap_is_int(ism__dev_open_on(ops, p, DEVID, 1000, &dev),
		   -EPROTONOSUPPORT, "no common version: -EPROTONOSUPPORT");
	tap_ok(fe_node_is(ISM_FIELD_STATE, "6"), "frontend went Closed");
	tap_ok(fe_node_exists(ISM_FIELD_ERROR), "and wrote error");
	sb_fini(&sb);

	if (setup(&sb, &ops, &p))
		return;
	sb.refuse = true;
	tap_is_int(ism__dev_open_on(ops, p, DEVID, 1000, &dev), -EPROTO,
		   "backend closes with an error: -EPROTO");
	tap_ok(fe_node_is(ISM_FIELD_STATE, "6"), "frontend Closed after it");
	sb_fini(&sb);

	if (setup(&sb, &ops, &p))
		return;
	tap_is_int(ism__dev_open_on(ops, p, 99, 1000, &dev), -ENODEV,
		   "no such devid: -ENODEV");
	sb_fini(&sb);

	if (setup(&sb, &ops, &p))
		return;
	fake_xen_xs_write(fx, 0, sb.fe_path + 0, "");
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/backend", sb.fe_path);
		fake_xen_xs_write(fx, 0, path,
				  "/local/domain/0/backend/vif/5/0");
	}
	tap_is_int(ism__dev_open_on(ops, p, DEVID, 1000, &dev), -ENODEV,
		   "a backend path not of this device is refused");
	sb_fini(&sb);

	/* A backend that never answers a request. */
	if (setup(&sb, &ops, &p))
		return;
	if (!ism__dev_open_on(ops, p, DEVID, 1000, &dev)) {
		struct ism_dev_info info;

		sb.mute = true;
		tap_is_int(ism_dev_info(dev, &info), -ETIMEDOUT,
			   "a request without response times out");
		tap_is_int(dev->rpc.nr, 0, "and is forgotten");
		sb.mute = false;
		tap_is_int(ism_dev_info(dev, &info), 0,
			   "the late response is a stray; the next works");
		ism_dev_close(dev);
	} else {
		tap_skip(3, "could not connect");
	}
	sb_fini(&sb);

	/* The backend closes under us. */
	if (setup(&sb, &ops, &p))
		return;
	if (!ism__dev_open_on(ops, p, DEVID, 1000, &dev)) {
		struct ism_event ev;
		char path[160];

		snprintf(path, sizeof(path), "%s/state", sb.be_path);
		fake_xen_xs_write(fx, 0, path, "6");
		tap_ok(!ism_event_read(dev, &ev) &&
			       ev.type == ISM_EVENT_DEVICE_CLOSED &&
			       ev.status == -ESHUTDOWN,
		       "backend Closed: DEVICE_CLOSED, -ESHUTDOWN");
		tap_is_int(ism_event_read(dev, &ev), -ESHUTDOWN,
			   "then every call says -ESHUTDOWN");
		ism_dev_close(dev);
	} else {
		tap_skip(2, "could not connect");
	}
	sb_fini(&sb);
}

static void test_faults(void)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	unsigned long n, hit, opened = 0, fails = 0;
	struct fake_xen_usage u;
	ism_dev *dev;
	struct sb sb;
	int rc;

	/* Fail the nth xenstore op of the handshake, n = 1, 2, ... */
	for (n = 1; n < 200; n++) {
		if (setup(&sb, &ops, &p))
			return;
		fake_xen_calls_reset(fx);
		fake_xen_fail_set(fx, FAKE_XEN_OP_ANY, n, EIO, 0);
		dev = NULL;
		rc = ism__dev_open_on(ops, p, DEVID, 1000, &dev);
		hit = fake_xen_fail_hits(fx);
		fake_xen_fail_clear(fx);
		if (!rc) {
			opened++;
			ism_dev_close(dev);
		}
		fake_xen_usage(fx, FE, &u);
		if (u.grants || u.ports || u.watches || u.transactions ||
		    u.maps) {
			tap_diag("fault %lu: rc %d, %u grants, %u ports, "
				 "%u watches, %u maps",
				 n, rc, u.grants, u.ports, u.watches, u.maps);
			fails++;
		}
		sb_fini(&sb);
		if (!hit)
			break;
	}
	tap_ok(n > 20 && n < 200,
	       "fault sweep: every op of open failed once (%lu runs, %lu "
	       "opened anyway)",
	       n, opened);
	tap_is_int(
		fails, 0,
		"no open, failed or closed, leaks a grant, port, map or watch");
}

int main(void)
{
	tap_plan(53);
	test_connect();
	test_refusals();
	test_faults();
	fake_xen_destroy(fx);
	return tap_done();
}
