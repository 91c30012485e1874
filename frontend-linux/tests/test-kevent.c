/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kevent.c - libxenism over /dev/xen-ism without the kernel: the
 * translation of the file's event records into struct ism_event, the
 * region view taken from the kernel's descriptions, and ism_event_read()
 * and ism_event_wait() of a chardev handle whose file is a pipe that the
 * test writes records into.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "../lib/kdev.h"

TAP_MAIN;

#define TOK1 0x1111222233334444ull
#define TOK2 0x5555666677778888ull

static int wfd = -1;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct xen_ism_ioc_event rec(uint32_t type, uint32_t handle,
				    uint64_t token, uint32_t peer_devid,
				    uint16_t peer_domid, int32_t status)
{
	struct xen_ism_ioc_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.handle = handle;
	e.token = token;
	e.peer_devid = peer_devid;
	e.peer_domid = peer_domid;
	e.status = status;
	return e;
}

static int put(struct xen_ism_ioc_event e)
{
	return write(wfd, &e, sizeof(e)) == sizeof(e) ? 0 : -1;
}

static struct xen_ism_ioc_region desc(uint32_t handle, uint64_t token,
				      uint32_t flags)
{
	struct xen_ism_ioc_region d;

	memset(&d, 0, sizeof(d));
	d.handle = handle;
	d.token = token;
	d.size = 8192;
	d.mmap_offset = 0x10000;
	d.slot = 3;
	d.perm = ISM_PERM_DEFAULT | ISM_PERM_MANAGE;
	d.peer_devid = 0;
	d.peer_domid = ISM_DOMID_INVALID;
	d.side = ISM_SIDE_OWNER;
	d.flags = flags;
	return d;
}

/* Translation alone, on a region that belongs to no handle. */
static void test_take(void)
{
	struct xen_ism_ioc_event ke;
	struct ism_kregion kr;
	struct xen_ism_ioc_region d;
	struct ism_event ev;
	ism_region *r = &kr.r;

	memset(&kr, 0, sizeof(kr));
	d = desc(1, TOK1, 0);
	tap_is_int(ism__kregion_set(&kr, &d), 0, "a good description");

	ke = rec(XEN_ISM_EVT_DEVICE_GONE, 0, 0, 0, 0, 0);
	memset(&ev, 0xff, sizeof(ev));
	tap_ok(!ism__kevent_take(&ke, NULL, &ev) &&
		       ev.type == ISM_EVENT_DEVICE_CLOSED && !ev.region &&
		       ev.status == -ESHUTDOWN && !ev.token,
	       "DEVICE_GONE: DEVICE_CLOSED, no region, -ESHUTDOWN");
	ke.status = -EPROTO;
	tap_ok(!ism__kevent_take(&ke, NULL, &ev) && ev.status == -EPROTO,
	       "DEVICE_GONE for a protocol violation: -EPROTO");

	ke = rec(ISM_EVT_PEER_ATTACHED, 1, TOK1, 9, 4, 0);
	tap_is_int(ism__kevent_take(&ke, NULL, &ev), -ENOENT,
		   "a record for no region of ours is dropped");
	ke.token = TOK2;
	tap_ok(ism__kevent_take(&ke, r, &ev) == -ENOENT && !r->peer_present &&
		       !r->d.peer_devid,
	       "a record with another token (handle reused) is dropped, "
	       "the region untouched");

	ke.token = TOK1;
	memset(&ev, 0xff, sizeof(ev));
	tap_ok(!ism__kevent_take(&ke, r, &ev) &&
		       ev.type == ISM_EVT_PEER_ATTACHED && ev.region == r &&
		       ev.token == TOK1 && ev.peer_devid == 9 &&
		       ev.peer_domid == 4 && !ev.status,
	       "PEER_ATTACHED: the region and its new peer");
	tap_ok(r->peer_present && r->d.peer_devid == 9 && r->d.peer_domid == 4,
	       "PEER_ATTACHED: the region's view has the peer");

	ke = rec(ISM_EVT_REGION_UPDATED, 1, TOK1, 0, 0, 0);
	tap_ok(!ism__kevent_take(&ke, r, &ev) &&
		       ev.type == ISM_EVT_REGION_UPDATED && ev.region == r &&
		       ev.peer_devid == 9 && ev.peer_domid == 4,
	       "REGION_UPDATED: the region, its peer from the view");

	ke = rec(ISM_EVT_PEER_GONE, 1, TOK1, 9, 4, 0);
	tap_ok(!ism__kevent_take(&ke, r, &ev) && ev.type == ISM_EVT_PEER_GONE &&
		       !r->peer_present && ev.peer_devid == 9,
	       "PEER_GONE: peer absent, the event names who left");

	ke = rec(ISM_EVT_FASTPATH_OFFER, 1, TOK1, 9, 4, 0);
	tap_is_int(ism__kevent_take(&ke, r, &ev), -ENOENT,
		   "FASTPATH_OFFER is the kernel's business: dropped");
	ke.type = 0x42;
	tap_is_int(ism__kevent_take(&ke, r, &ev), -ENOENT,
		   "an unknown type is dropped");

	ke = rec(ISM_EVT_REGION_RELEASED, 1, TOK1, 9, 4, ISM_RELEASE_FREED);
	tap_ok(!ism__kevent_take(&ke, r, &ev) &&
		       ev.type == ISM_EVT_REGION_RELEASED &&
		       ev.status == ISM_RELEASE_FREED &&
		       r->d.state == ISM_RSTATE_RELEASED,
	       "REGION_RELEASED: its reason, the region released");
}

/* The region view from the kernel's descriptions. */
static void test_set(void)
{
	struct xen_ism_ioc_region d;
	struct ism_kregion kr;

	memset(&kr, 0, sizeof(kr));
	d = desc(0, TOK1, 0);
	tap_is_int(ism__kregion_set(&kr, &d), -EPROTO, "handle 0: -EPROTO");
	d = desc(2, TOK1, 0);
	d.size = 4097;
	tap_is_int(ism__kregion_set(&kr, &d), -EPROTO,
		   "a size not in pages: -EPROTO");
	d = desc(2, TOK1, 0);
	d.side = 2;
	tap_is_int(ism__kregion_set(&kr, &d), -EPROTO,
		   "an unknown side: -EPROTO");
	tap_ok(!kr.handle && !kr.r.d.token,
	       "refused descriptions change nothing");

	d = desc(2, TOK1,
		 XEN_ISM_REGION_F_PEER_PRESENT | XEN_ISM_REGION_F_FAST_PATH);
	d.peer_devid = 5;
	d.peer_domid = 6;
	d.side = ISM_SIDE_PEER;
	tap_ok(!ism__kregion_set(&kr, &d) && kr.handle == 2 &&
		       kr.mmap_offset == 0x10000 && kr.r.d.size == 8192 &&
		       kr.r.d.nr_pages == 2 && kr.r.d.slot == 3 &&
		       kr.r.d.side == ISM_SIDE_PEER && kr.r.peer_present &&
		       kr.fast_path && kr.r.d.peer_devid == 5 &&
		       kr.r.d.peer_domid == 6 &&
		       kr.r.d.state == ISM_RSTATE_ACTIVE,
	       "every field and flag lands in the view");
	d = desc(2, TOK2, 0);
	tap_ok(ism__kregion_set(&kr, &d) == -EPROTO && kr.r.d.token == TOK1 &&
		       kr.r.peer_present,
	       "a refresh naming another region is refused");
	d = desc(2, TOK1, XEN_ISM_REGION_F_RELEASED);
	tap_ok(!ism__kregion_set(&kr, &d) &&
		       kr.r.d.state == ISM_RSTATE_RELEASED && !kr.fast_path &&
		       !kr.r.peer_present,
	       "a refresh: released, no peer, no fast path");
}

static struct ism_kregion *add_region(struct ism_kdev *kd, uint32_t handle,
				      uint64_t token)
{
	struct xen_ism_ioc_region d = desc(handle, token, 0);
	struct ism_kregion *kr = calloc(1, sizeof(*kr));

	if (!kr || ism__kregion_set(kr, &d))
		abort();
	kr->r.dev = &kd->dev;
	kd->regions[kd->nregions++] = kr;
	return kr;
}

/* A chardev handle on a pipe: what read() and poll() of the file do. */
static void test_read(void)
{
	struct ism_kregion *k1, *k2;
	struct ism_region_info ri;
	struct ism_kdev *kd;
	ism_dev *dev;
	struct ism_event ev;
	int fds[2], rc, status;
	uint64_t t0;
	void *addr;
	pid_t pid;

	kd = calloc(1, sizeof(*kd));
	if (!kd || pipe(fds)) { /* blocking, as kdev.c opens the file */
		tap_diag("no pipe");
		exit(1);
	}
	kd->fd = fds[0];
	wfd = fds[1];
	kd->dev.dops = &ism__kernel_dev_ops;
	kd->regions = calloc(4, sizeof(*kd->regions));
	kd->cap = 4;
	k1 = add_region(kd, 1, TOK1);
	k2 = add_region(kd, 2, TOK2);
	dev = &kd->dev;

	tap_is_int(ism_dev_fd(dev), fds[0], "ism_dev_fd() is the file");
	tap_is_int(ism_event_read(dev, &ev), -EAGAIN,
		   "nothing queued: -EAGAIN");

	put(rec(ISM_EVT_REGION_UPDATED, 1, TOK1, 0, 0, 0));
	put(rec(ISM_EVT_PEER_ATTACHED, 2, TOK1, 7, 8, 0)); /* stale */
	put(rec(ISM_EVT_PEER_ATTACHED, 3, TOK2, 7, 8, 0)); /* no handle 3 */
	put(rec(ISM_EVT_PEER_ATTACHED, 2, TOK2, 7, 8, 0));
	rc = ism_event_read(dev, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_REGION_UPDATED && ev.region == &k1->r,
	       "an update of handle 1 names region 1");
	rc = ism_event_read(dev, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_PEER_ATTACHED && ev.region == &k2->r &&
		       ev.peer_devid == 7,
	       "stale and unknown records skipped: region 2's attach next");
	tap_is_int(ism_event_read(dev, &ev), -EAGAIN, "then none");

	/* Records of a region read already are dropped with it. */
	put(rec(ISM_EVT_REGION_UPDATED, 1, TOK1, 0, 0, 0));
	put(rec(ISM_EVT_PEER_DETACHED, 2, TOK2, 7, 8, 0));
	put(rec(ISM_EVT_REGION_UPDATED, 1, TOK1, 0, 0, 0));
	rc = ism_event_read(dev, &ev);
	ism__kevent_forget(kd, k1);
	tap_ok(!rc && ev.region == &k1->r && kd->ev_len - kd->ev_pos == 1,
	       "forgetting region 1 drops its buffered record only");
	rc = ism_event_read(dev, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_PEER_DETACHED && ev.region == &k2->r,
	       "region 2's record stays");
	tap_is_int(ism_event_read(dev, &ev), -EAGAIN, "and nothing after it");

	if (write(wfd, "0123456789", 10) != 10)
		tap_diag("short write");
	tap_is_int(ism_event_read(dev, &ev), -EPROTO,
		   "a partial record: -EPROTO");

	/* Waiting. */
	t0 = now_ms();
	rc = ism_event_wait(dev, 0, &ev);
	tap_ok(rc == -ETIMEDOUT && now_ms() - t0 < 1000,
	       "wait 0 ms on nothing: -ETIMEDOUT at once");
	t0 = now_ms();
	rc = ism_event_wait(dev, 60, &ev);
	tap_ok(rc == -ETIMEDOUT && now_ms() - t0 >= 50,
	       "wait 60 ms on nothing: -ETIMEDOUT after the time");
	pid = fork();
	if (!pid) {
		usleep(50000);
		_exit(put(rec(ISM_EVT_REGION_UPDATED, 2, TOK2, 0, 0, 0)) ? 1 :
									   0);
	}
	t0 = now_ms();
	rc = ism_event_wait(dev, -1, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_REGION_UPDATED &&
		       ev.region == &k2->r && now_ms() - t0 >= 30,
	       "wait forever: woken by a record written later");
	waitpid(pid, &status, 0);
	pid = fork();
	if (!pid) {
		usleep(50000);
		_exit(put(rec(ISM_EVT_PEER_DETACHED, 2, TOK2, 0, 0, 0)) ? 1 :
									  0);
	}
	t0 = now_ms();
	rc = ism_event_wait(dev, 20000, &ev);
	tap_ok(!rc && ev.type == ISM_EVT_PEER_DETACHED && ev.region == &k2->r &&
		       now_ms() - t0 >= 30 && now_ms() - t0 < 15000,
	       "wait 20 s: woken by a record written later, not at the end");
	waitpid(pid, &status, 0);

	/* The chardev cannot decline the fast path. */
	tap_is_int(ism_dev_set_fast_path(dev, 0), -EOPNOTSUPP,
		   "fast path off: -EOPNOTSUPP");
	tap_is_int(ism_dev_set_fast_path(dev, 1), 0, "fast path on: 0");
	tap_is_int(ism_name_publish(dev, "n", 0x99, 3), -ENOENT,
		   "publishing a token this handle does not hold: -ENOENT");

	/* REGION_INFO fails on a pipe: the view the library has. */
	k1->r.d.peer_devid = 12;
	rc = ism_region_info(&k1->r, &ri);
	tap_ok(!rc && ri.token == TOK1 && ri.size == 8192 && ri.slot == 3 &&
		       ri.peer_devid == 12 && !ri.released,
	       "region info without the kernel's answer: the library's view");

	/* The device closes. */
	put(rec(XEN_ISM_EVT_DEVICE_GONE, 0, 0, 0, 0, 0));
	put(rec(XEN_ISM_EVT_DEVICE_GONE, 0, 0, 0, 0, 0));
	rc = ism_event_read(dev, &ev);
	tap_ok(!rc && ev.type == ISM_EVENT_DEVICE_CLOSED &&
		       ev.status == -ESHUTDOWN,
	       "DEVICE_GONE: DEVICE_CLOSED");
	tap_ok(k1->r.d.state == ISM_RSTATE_RELEASED &&
		       k2->r.d.state == ISM_RSTATE_RELEASED &&
		       !k2->r.peer_present,
	       "every region released");
	tap_is_int(ism_event_read(dev, &ev), -ESHUTDOWN,
		   "told once; then -ESHUTDOWN");
	tap_is_int(ism_event_wait(dev, -1, &ev), -ESHUTDOWN,
		   "waiting forever on a closed device: -ESHUTDOWN at once");
	tap_is_int(ism_region_map(&k1->r, &addr, NULL), -EIDRM,
		   "mapping a released region: -EIDRM");
	tap_is_int(ism_region_free(&k1->r), -EIDRM,
		   "freeing a released region: -EIDRM");

	ism_dev_close(dev);
	close(wfd);
}

int main(void)
{
	tap_plan(42);
	test_take();
	test_set();
	test_read();
	return tap_done();
}
