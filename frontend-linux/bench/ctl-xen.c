// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl-xen.c - the control channel's xen transport (see ctl.h): a granted
 * page and an interdomain event channel, met through xenstore; and the
 * raw event channel ping-pong on them, the limit of every round trip.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "ctl.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* How often the driver looks for the server's answer in xenstore. */
#define BENCH_XS_POLL_US 50000

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static void xen_kick(struct bench_ctl *c)
{
	xenevtchn_notify(c->xce, c->port);
}

static int xen_wait(struct bench_ctl *c)
{
	xenevtchn_port_or_error_t port;

	if (LOAD(c->page->abort[!c->role]))
		return -ECONNABORTED;
	port = xenevtchn_pending(c->xce);
	if (port < 0)
		return neg_errno();
	if (xenevtchn_unmask(c->xce, port))
		return neg_errno();
	return LOAD(c->page->abort[!c->role]) ? -ECONNABORTED : 0;
}

char *bench_xs_read(struct bench_ctl *c, const char *path)
{
	unsigned int len;

	return xs_read(c->xs, XBT_NULL, path, &len);
}

static int own_domid(struct bench_ctl *c)
{
	char *v = bench_xs_read(c, "domid"), *end;
	unsigned long d;
	int rc = -EPROTO;

	if (!v)
		return neg_errno();
	d = strtoul(v, &end, 10);
	if (end != v && !*end && d < 0x7ff0) {
		c->self = (uint16_t)d;
		rc = 0;
	}
	free(v);
	return rc;
}

/* ~/data/ism-bench/NAME = @val with @perms (NULL: inherited). */
static int xs_put(struct bench_ctl *c, const char *name, const char *val,
		  struct xs_permissions *perms, unsigned int nperms)
{
	char path[64];

	snprintf(path, sizeof(path), BENCH_XS_DIR "/%s", name);
	if (!xs_write(c->xs, XBT_NULL, path, val, strlen(val)))
		return neg_errno();
	if (perms && !xs_set_permissions(c->xs, XBT_NULL, path, perms, nperms))
		return neg_errno();
	return 0;
}

/* The driver that knocked: its domid, once it wrote one (--peer's). */
static int knocked(struct bench_ctl *c, uint16_t *domid)
{
	char *v = bench_xs_read(c, BENCH_XS_DIR "/connect"), *end;
	unsigned long d;
	int rc = -EAGAIN;

	if (!v)
		return neg_errno();
	d = strtoul(v, &end, 10);
	if (end != v && !*end && d < 0x7ff0 && d != c->self &&
	    (!c->want_peer || d == c->want_peer)) {
		*domid = (uint16_t)d;
		rc = 0;
	}
	free(v);
	return rc;
}

static int xen_listen(struct bench_ctl *c, bool tcp)
{
	struct xs_permissions open[1] = {
		{ .id = c->self, .perms = XS_PERM_READ | XS_PERM_WRITE },
	};
	struct xs_permissions only[2] = {
		{ .id = c->self, .perms = XS_PERM_NONE },
		{ .perms = XS_PERM_READ },
	};
	char val[32];
	int port, rc;

	xs_rm(c->xs, XBT_NULL, BENCH_XS_DIR);
	rc = xs_put(c, "connect", "", open, 1);
	if (rc)
		return rc;
	while ((rc = knocked(c, &c->peer)) == -EAGAIN)
		usleep(BENCH_XS_POLL_US);
	if (rc)
		return rc;
	c->page = xengntshr_share_pages(c->xgs, c->peer, 1, &c->gref, 1);
	if (!c->page)
		return neg_errno();
	memset(c->page, 0, sizeof(*c->page));
	c->page->magic = BENCH_CTL_MAGIC;
	c->page->version = BENCH_CTL_VERSION;
	c->page->server_tcp = tcp;
	port = xenevtchn_bind_unbound_port(c->xce, c->peer);
	if (port < 0)
		return neg_errno();
	c->port = (uint32_t)port;
	only[1].id = c->peer;
	snprintf(val, sizeof(val), "%" PRIu32 " %" PRIu32, c->gref, c->port);
	rc = xs_put(c, "ctl", val, only, 2);
	if (rc)
		return rc;
	while (!LOAD(c->page->hello)) {
		rc = xen_wait(c);
		if (rc)
			return rc;
	}
	return 0;
}

static int xen_connect(struct bench_ctl *c, uint16_t peer)
{
	char path[64], val[16], *v;
	unsigned int gref, port;
	int rc, bound;

	c->peer = peer;
	xs_rm(c->xs, XBT_NULL, BENCH_XS_DIR); /* an earlier run's phases */
	snprintf(path, sizeof(path),
		 "/local/domain/%u/" BENCH_XS_DIR "/connect", peer);
	snprintf(val, sizeof(val), "%u", c->self);
	/* The server may not be listening yet: knock until it is. */
	while (!xs_write(c->xs, XBT_NULL, path, val, strlen(val))) {
		if (errno != ENOENT && errno != EACCES)
			return neg_errno();
		usleep(BENCH_XS_POLL_US);
	}
	snprintf(path, sizeof(path), "/local/domain/%u/" BENCH_XS_DIR "/ctl",
		 peer);
	while (!(v = bench_xs_read(c, path))) {
		if (errno != ENOENT && errno != EACCES)
			return neg_errno();
		usleep(BENCH_XS_POLL_US);
	}
	rc = sscanf(v, "%u %u", &gref, &port) == 2 ? 0 : -EPROTO;
	free(v);
	if (rc)
		return rc;
	c->page = xengnttab_map_grant_ref(c->xgt, peer, gref,
					  PROT_READ | PROT_WRITE);
	if (!c->page)
		return neg_errno();
	if (c->page->magic != BENCH_CTL_MAGIC ||
	    c->page->version != BENCH_CTL_VERSION)
		return -EPROTO;
	bound = xenevtchn_bind_interdomain(c->xce, peer, port);
	if (bound < 0)
		return neg_errno();
	c->port = (uint32_t)bound;
	STORE(c->page->hello, 1);
	xen_kick(c);
	return 0;
}

static void xen_close(struct bench_ctl *c)
{
	if (c->page && c->role == BENCH_SERVER)
		xengntshr_unshare(c->xgs, c->page, 1);
	else if (c->page)
		xengnttab_unmap(c->xgt, c->page, 1);
	c->page = NULL;
	if (c->port)
		xenevtchn_unbind(c->xce, c->port);
	c->port = 0;
	if (c->epfd >= 0)
		close(c->epfd);
	c->epfd = -1;
	if (c->xs && c->role == BENCH_SERVER)
		xs_rm(c->xs, XBT_NULL, BENCH_XS_DIR);
	if (c->xgs)
		xengntshr_close(c->xgs);
	if (c->xgt)
		xengnttab_close(c->xgt);
	if (c->xce)
		xenevtchn_close(c->xce);
	if (c->xs)
		xs_close(c->xs);
	c->xgs = NULL;
	c->xgt = NULL;
	c->xce = NULL;
	c->xs = NULL;
}

static const struct bench_ctl_ops xen_ops = {
	.listen = xen_listen,
	.connect = xen_connect,
	.close = xen_close,
	.kick = xen_kick,
	.wait = xen_wait,
};

/* Which device did not open, for the results' "not measured". */
static void xen_why(struct bench_ctl *c, int rc)
{
	const char *what = !c->xs  ? "xenstore (/dev/xen/xenbus)" :
			   !c->xce ? "/dev/xen/evtchn" :
			   !c->xgt ? "/dev/xen/gntdev" :
			   !c->xgs ? "/dev/xen/gntalloc" :
				     "xenstore's domid";

	snprintf(c->raw_why, sizeof(c->raw_why), "%s%s (%s)",
		 rc == -EACCES || rc == -EPERM ? "needs root: " : "", what,
		 strerror(-rc));
}

int bench_ctl_xen_open(struct bench_ctl *c)
{
	int rc;

	c->kind = BENCH_CONTROL_XEN;
	c->ops = &xen_ops;
	c->xs = xs_open(0);
	c->xce = c->xs ? xenevtchn_open(NULL, 0) : NULL;
	c->xgt = c->xce ? xengnttab_open(NULL, 0) : NULL;
	c->xgs = c->xgt ? xengntshr_open(NULL, 0) : NULL;
	if (!c->xgs) {
		rc = neg_errno();
		goto err;
	}
	rc = own_domid(c);
	if (rc)
		goto err;
	return 0;
err:
	xen_why(c, rc);
	xen_close(c);
	return rc;
}

/* The epoll set of the @mux round trips, made on first use. */
static int mux_open(struct bench_ctl *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (c->epfd >= 0)
		return 0;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0)
		return neg_errno();
	/* No watch is set: the fd never becomes readable, as while a
	 * backend's state stays put. */
	fd = xs_fileno(c->xs);
	if (fd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev))
		return fd < 0 ? -EIO : neg_errno();
	fd = xenevtchn_fd(c->xce);
	return epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) ? neg_errno() : 0;
}

static int mux_wait(struct bench_ctl *c)
{
	struct epoll_event ev[2];

	if (epoll_wait(c->epfd, ev, 2, -1) < 0 && errno != EINTR)
		return neg_errno();
	return xen_wait(c);
}

/* Wait until *@count is @seq; then check the payload beside it. */
static int pingpong_wait(struct bench_ctl *c, int (*wait)(struct bench_ctl *c),
			 uint32_t *count, const uint8_t *msg, uint32_t seq)
{
	int rc;

	while (LOAD(*count) != seq) {
		rc = wait(c);
		if (rc)
			return rc;
	}
	return bench_pattern_check(msg, BENCH_MSG, seq);
}

/*
 * The limit of a round trip: the driver writes its message and ping = i
 * and signals; the server checks the message, writes its own and pong = i
 * and signals back; the driver checks that.  Both wait in a blocking
 * read() of the event channel device, as libxenvchan_wait() does; with
 * @mux, after an epoll_wait() that says the read will not block.
 */
int bench_ctl_pingpong(struct bench_ctl *c, unsigned int n, bool mux)
{
	int (*wait)(struct bench_ctl * c) = mux ? mux_wait : xen_wait;
	struct bench_page *p = c->page;
	uint32_t i, seq, base = c->pings;
	int rc;

	if (c->kind != BENCH_CONTROL_XEN)
		return -EOPNOTSUPP;
	rc = mux ? mux_open(c) : 0;

	c->pings += n;
	for (i = 1; !rc && i <= n; i++) {
		seq = base + i;
		if (c->role == BENCH_DRIVER) {
			bench_pattern_fill(p->ping_msg, BENCH_MSG, seq);
			STORE(p->ping, seq);
			xen_kick(c);
			rc = pingpong_wait(c, wait, &p->pong, p->pong_msg, seq);
		} else {
			rc = pingpong_wait(c, wait, &p->ping, p->ping_msg, seq);
			if (rc)
				break;
			bench_pattern_fill(p->pong_msg, BENCH_MSG, seq);
			STORE(p->pong, seq);
			xen_kick(c);
		}
	}
	return rc;
}
