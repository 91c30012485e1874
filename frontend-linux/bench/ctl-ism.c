// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl-ism.c - the control channel's ism transport (see ctl.h), for a user
 * without root: the page is a one-page xen-ism region on a handle of the
 * kernel frontend of its own (its events never mix with those of the
 * handles measured), met through libxenism's named rendezvous.
 *
 * A signal is a forced notification: the callers wait in loops that look
 * at the page, then call bench_ctl_wait() without saying for what, so the
 * wait cannot be the doorbell's last look; forced, every signal reaches
 * the event queue (coalesced), and the caller looks again after each.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "ctl.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

#define ISM_CTL_FE_ENV "ISM_FRONTEND"
/* The driver found an earlier run's name, whose region is gone: it looks
 * again this much later, until the server published its own. */
#define ISM_CTL_RETRY_US 100000

static void ism_kick(struct bench_ctl *c)
{
	/* No peer yet (-ENOTCONN): nobody to signal. */
	if (c->ireg)
		ism_region_notify(c->ireg, ISM_NOTIFY_FORCE);
}

/*
 * Sleep until the next event of the control handle.  When the peer let go
 * of the region, the caller looks at the page once more (what the peer
 * wrote before it left counts), and the next wait gives up.
 */
static int ism_wait(struct bench_ctl *c)
{
	struct ism_event ev;
	int rc;

	if (LOAD(c->page->abort[!c->role]) || c->peer_left)
		return -ECONNABORTED;
	rc = ism_region_want(c->ireg);
	if (!rc)
		rc = ism_event_wait(c->idev, -1, &ev);
	if (rc == -EIDRM) { /* released: its event is on the way */
		c->peer_left = true;
		rc = 0;
	} else if (!rc && ev.type == ISM_EVENT_DEVICE_CLOSED) {
		rc = ev.status ? ev.status : -ESHUTDOWN;
	} else if (!rc && ev.region == c->ireg &&
		   (ev.type == ISM_EVT_PEER_DETACHED ||
		    ev.type == ISM_EVT_PEER_GONE ||
		    ev.type == ISM_EVT_REGION_RELEASED)) {
		c->peer_left = true;
	}
	if (!rc && LOAD(c->page->abort[!c->role]))
		rc = -ECONNABORTED;
	return rc;
}

static int ism_listen(struct bench_ctl *c, bool tcp)
{
	struct ism_region_info ri;
	void *addr;
	int rc;

	if (!c->want_peer)
		return -EDESTADDRREQ;
	rc = ism_region_alloc(c->idev, sizeof(*c->page), ISM_PERM_DEFAULT,
			      &c->ireg);
	if (!rc)
		rc = ism_region_map(c->ireg, &addr, NULL);
	if (rc)
		return rc;
	c->page = addr;
	memset(c->page, 0, sizeof(*c->page));
	c->page->magic = BENCH_CTL_MAGIC;
	c->page->version = BENCH_CTL_VERSION;
	c->page->server_tcp = tcp;
	ism_region_info(c->ireg, &ri);
	rc = ism_name_publish(c->idev, BENCH_ISM_NAME, ri.token, c->want_peer);
	if (rc)
		return rc;
	c->published = true;
	while (!LOAD(c->page->hello)) {
		rc = ism_wait(c);
		if (rc)
			return rc;
	}
	/* The driver, as the backend names it (PEER_ATTACHED). */
	ism_region_info(c->ireg, &ri);
	c->peer = ri.peer_domid;
	return c->peer == c->want_peer ? 0 : -EPROTO;
}

/* Look the server's region up and attach it, until @deadline_ns. */
static int ism_find(struct bench_ctl *c, uint16_t peer, uint64_t deadline_ns)
{
	uint64_t now, token;
	int rc;

	for (;;) {
		now = bench_now_ns();
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		rc = ism_name_lookup(c->idev, BENCH_ISM_NAME, peer,
				     (int)((deadline_ns - now) / 1000000) + 1,
				     &token);
		if (!rc)
			rc = ism_region_attach(c->idev, token, 0, &c->ireg);
		if (rc != -ENOENT)
			return rc;
		usleep(ISM_CTL_RETRY_US);
	}
}

static int ism_connect(struct bench_ctl *c, uint16_t peer)
{
	/* Leave the watchdog (the same --timeout) the last tenth. */
	uint64_t deadline = bench_now_ns() + c->timeout_ms * 900000ull;
	void *addr;
	int rc;

	c->peer = peer;
	rc = ism_find(c, peer, deadline);
	if (rc == -ETIMEDOUT)
		fprintf(stderr,
			"ism-bench: domain %u published no control region "
			"\"" BENCH_ISM_NAME "\" for domain %u in time: does "
			"'ism-bench --listen --peer %u' run there, over the "
			"same control channel (--control=ism)?\n",
			peer, c->self, c->self);
	if (!rc)
		rc = ism_region_map(c->ireg, &addr, NULL);
	if (rc)
		return rc;
	c->page = addr;
	if (c->page->magic != BENCH_CTL_MAGIC ||
	    c->page->version != BENCH_CTL_VERSION)
		return -EPROTO;
	STORE(c->page->hello, 1);
	ism_kick(c);
	return 0;
}

static void ism_close(struct bench_ctl *c)
{
	if (c->published)
		ism_name_unpublish(c->idev, BENCH_ISM_NAME);
	c->published = false;
	/* A region whose free failed goes with the handle. */
	if (c->ireg && c->role == BENCH_SERVER)
		ism_region_free(c->ireg);
	else if (c->ireg)
		ism_region_detach(c->ireg);
	c->ireg = NULL;
	c->page = NULL;
	ism_dev_close(c->idev);
	c->idev = NULL;
}

static const struct bench_ctl_ops ism_ops = {
	.listen = ism_listen,
	.connect = ism_connect,
	.close = ism_close,
	.kick = ism_kick,
	.wait = ism_wait,
};

/* A handle of the kernel frontend ($ISM_FRONTEND is put back after). */
static int ism_kernel_open(uint32_t devid, int timeout_ms, ism_dev **dev)
{
	const char *env = getenv(ISM_CTL_FE_ENV);
	char *saved = env ? strdup(env) : NULL;
	int rc;

	if (env && !saved)
		return -ENOMEM;
	if (setenv(ISM_CTL_FE_ENV, "kernel", 1))
		rc = -errno;
	else
		rc = ism_dev_open(devid, timeout_ms, dev);
	if (saved)
		setenv(ISM_CTL_FE_ENV, saved, 1);
	else
		unsetenv(ISM_CTL_FE_ENV);
	free(saved);
	return rc;
}

int bench_ctl_ism_open(struct bench_ctl *c, uint32_t devid, int timeout_ms)
{
	struct ism_dev_info info;
	int rc;

	c->kind = BENCH_CONTROL_ISM;
	c->ops = &ism_ops;
	c->timeout_ms = timeout_ms;
	rc = ism_kernel_open(devid, timeout_ms, &c->idev);
	if (!rc)
		rc = ism_dev_info(c->idev, &info);
	if (!rc)
		c->self = info.domid;
	else
		ism_close(c);
	return rc;
}
