/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platform-linux.c - struct ism_fe_ops over the Xen libraries: libxenstore,
 * libxengnttab (gntshr for the two pages this guest grants, gntdev for the
 * pages it maps) and libxenevtchn.  The library's fd is an epoll fd over
 * the xenstore and event channel fds.  A wait without a time limit blocks
 * in read() on the event channel device instead, with the watcher thread
 * of waker.c (started by the first such wait) standing in for the
 * xenstore fd.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "platform.h"
#include "shared.h"
#include "waker.h"

struct ism_fe_platform {
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xengnttab_handle *gt;
	xenevtchn_handle *ce; /* its fd blocks: see lx_evtchn_pending() */
	int epfd;
	/* Started by the first wait with no time limit; NULL: epoll. */
	struct ism_waker *waker;
	bool no_waker; /* it could not start: always epoll */
	int32_t taken; /* a port the last wait read, or -1 */
	bool readable; /* the last wait saw the event channel fd readable */
	bool rearm; /* the waker's port came: re-arm once watches are taken */
};

/* The Xen libraries log through this; a library never logs, so: nothing. */
static void silent_vmessage(struct xentoollog_logger *l, xentoollog_level lv,
			    int errnoval, const char *ctx, const char *fmt,
			    va_list al)
{
	(void)l;
	(void)lv;
	(void)errnoval;
	(void)ctx;
	(void)fmt;
	(void)al;
}

static void silent_destroy(struct xentoollog_logger *l)
{
	(void)l;
}

static xentoollog_logger silent_logger = {
	.vmessage = silent_vmessage,
	.destroy = silent_destroy,
};

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static int lx_local_domid(struct ism_fe_platform *p, uint16_t *domid_out)
{
	unsigned int len = 0;
	unsigned long v;
	char *val, *end;
	int rc = 0;

	val = xs_read(p->xs, XBT_NULL, "domid", &len);
	if (!val)
		return neg_errno();
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || v > ISM_DOMID_MAX)
		rc = -EPROTO;
	free(val);
	if (!rc)
		*domid_out = (uint16_t)v;
	return rc;
}

static int lx_xs_read(struct ism_fe_platform *p, uint32_t tx, const char *path,
		      char **val_out, size_t *len_out)
{
	unsigned int len = 0;
	char *val = xs_read(p->xs, tx, path, &len);

	if (!val)
		return neg_errno();
	*val_out = val; /* libxenstore NUL-terminates it */
	*len_out = len;
	return 0;
}

static int lx_xs_write(struct ism_fe_platform *p, uint32_t tx, const char *path,
		       const char *val)
{
	return xs_write(p->xs, tx, path, val, strlen(val)) ? 0 : neg_errno();
}

static int lx_xs_rm(struct ism_fe_platform *p, uint32_t tx, const char *path)
{
	return xs_rm(p->xs, tx, path) ? 0 : neg_errno();
}

static int lx_xs_directory(struct ism_fe_platform *p, uint32_t tx,
			   const char *path, char ***names_out,
			   unsigned int *num_out)
{
	unsigned int num = 0;
	char **names = xs_directory(p->xs, tx, path, &num);

	if (!names)
		return neg_errno();
	*names_out = names;
	*num_out = num;
	return 0;
}

static int lx_xs_set_perms(struct ism_fe_platform *p, uint32_t tx,
			   const char *path, const struct ism_fe_xs_perm *perms,
			   unsigned int num)
{
	struct xs_permissions xp[5];
	unsigned int i;

	if (!num || num > 5)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		xp[i].id = perms[i].domid;
		xp[i].perms = perms[i].perms;
	}
	return xs_set_permissions(p->xs, tx, path, xp, num) ? 0 : neg_errno();
}

static int lx_xs_transaction_start(struct ism_fe_platform *p, uint32_t *tx_out)
{
	xs_transaction_t tx = xs_transaction_start(p->xs);

	if (tx == XBT_NULL)
		return neg_errno();
	*tx_out = tx;
	return 0;
}

static int lx_xs_transaction_end(struct ism_fe_platform *p, uint32_t tx,
				 bool abort)
{
	return xs_transaction_end(p->xs, tx, abort) ? 0 : neg_errno();
}

static int lx_xs_watch(struct ism_fe_platform *p, const char *path,
		       const char *token)
{
	return xs_watch(p->xs, path, token) ? 0 : neg_errno();
}

static int lx_xs_unwatch(struct ism_fe_platform *p, const char *path,
			 const char *token)
{
	return xs_unwatch(p->xs, path, token) ? 0 : neg_errno();
}

static int lx_xs_read_watch(struct ism_fe_platform *p, char **path_out,
			    char **token_out)
{
	char **vec = xs_check_watch(p->xs);
	int rc = 0;

	if (!vec && errno == EAGAIN && p->rearm) {
		p->rearm = false;
		ism__waker_rearm(p->waker);
	}
	if (!vec)
		return errno == EAGAIN ? -EAGAIN : neg_errno();
	*path_out = strdup(vec[XS_WATCH_PATH]);
	*token_out = strdup(vec[XS_WATCH_TOKEN]);
	if (!*path_out || !*token_out) {
		free(*path_out);
		free(*token_out);
		rc = -ENOMEM;
	}
	free(vec);
	return rc;
}

static int lx_page_share(struct ism_fe_platform *p, uint16_t domid,
			 uint32_t *gref_out, void **addr_out)
{
	uint32_t ref;
	void *addr = xengntshr_share_pages(p->gs, domid, 1, &ref, 1);

	if (!addr)
		return neg_errno();
	memset(addr, 0, ISM_PAGE_SIZE);
	*gref_out = ref;
	*addr_out = addr;
	return 0;
}

static int lx_page_unshare(struct ism_fe_platform *p, uint32_t gref, void *addr)
{
	(void)gref; /* gntalloc ends the grant once nobody maps it */
	return xengntshr_unshare(p->gs, addr, 1) ? neg_errno() : 0;
}

static int lx_grefs_map(struct ism_fe_platform *p, uint16_t domid,
			const uint32_t *grefs, unsigned int count,
			bool readonly, void **addr_out)
{
	int prot = readonly ? PROT_READ : PROT_READ | PROT_WRITE;
	void *addr = xengnttab_map_domain_grant_refs(p->gt, count, domid,
						     (uint32_t *)grefs, prot);

	if (!addr)
		return neg_errno();
	*addr_out = addr;
	return 0;
}

static int lx_grefs_unmap(struct ism_fe_platform *p, void *addr,
			  unsigned int count)
{
	return xengnttab_unmap(p->gt, addr, count) ? neg_errno() : 0;
}

static int lx_gref_copy(struct ism_fe_platform *p, uint16_t domid,
			uint32_t gref, void *buf, unsigned int len)
{
	xengnttab_grant_copy_segment_t seg = {
		.source.foreign = { .ref = gref, .domid = domid },
		.dest.virt = buf,
		.len = (uint16_t)len,
		.flags = GNTCOPY_source_gref,
	};

	if (len > ISM_PAGE_SIZE)
		return -EINVAL;
	if (xengnttab_grant_copy(p->gt, 1, &seg))
		return neg_errno();
	return seg.status == GNTST_okay ? 0 : -EACCES;
}

static int lx_evtchn_alloc_unbound(struct ism_fe_platform *p, uint16_t remote,
				   uint32_t *port_out)
{
	xenevtchn_port_or_error_t port;

	port = xenevtchn_bind_unbound_port(p->ce, remote);
	if (port < 0)
		return neg_errno();
	*port_out = (uint32_t)port;
	return 0;
}

static int lx_evtchn_bind(struct ism_fe_platform *p, uint16_t remote,
			  uint32_t remote_port, uint32_t *port_out)
{
	xenevtchn_port_or_error_t port;

	port = xenevtchn_bind_interdomain(p->ce, remote, remote_port);
	if (port < 0)
		return neg_errno();
	*port_out = (uint32_t)port;
	return 0;
}

static int lx_evtchn_close(struct ism_fe_platform *p, uint32_t port)
{
	return xenevtchn_unbind(p->ce, port) ? neg_errno() : 0;
}

static int lx_evtchn_notify(struct ism_fe_platform *p, uint32_t port)
{
	return xenevtchn_notify(p->ce, port) ? neg_errno() : 0;
}

/*
 * The event channel fd blocks (for the waits that read it directly), so a
 * read here comes after a wait that saw it readable, or a poll() that
 * does now.  The waker's port is taken like any other: the core ignores a
 * port it does not know.
 */
static int lx_evtchn_pending(struct ism_fe_platform *p, uint32_t *port_out)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(p->ce), .events = POLLIN };
	xenevtchn_port_or_error_t port = p->taken;
	int n;

	p->taken = -1;
	if (port < 0 && !p->readable) {
		do
			n = poll(&pfd, 1, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return n ? neg_errno() : -EAGAIN;
	}
	p->readable = false;
	if (port < 0)
		port = xenevtchn_pending(p->ce);
	if (port < 0)
		return neg_errno();
	if (xenevtchn_unmask(p->ce, port))
		return neg_errno();
	if (p->waker && (uint32_t)port == ism__waker_port(p->waker))
		p->rearm = true;
	*port_out = (uint32_t)port;
	return 0;
}

static int lx_fd(struct ism_fe_platform *p)
{
	return p->epfd;
}

/* Without a channel or thread left, waits use epoll: slower, as good. */
static void waker_start(struct ism_fe_platform *p)
{
	uint16_t self;

	p->no_waker =
		lx_local_domid(p, &self) ||
		ism__waker_start(p->ce, self, xs_fileno(p->xs), &p->waker);
}

/*
 * Forever, with the waker: one blocking read, whose port is kept for
 * lx_evtchn_pending(); the waker's port reports xenstore instead.
 * Otherwise epoll, whose data is each fd's ISM_FE_READY_* bit.
 */
static int lx_wait(struct ism_fe_platform *p, int timeout_ms)
{
	xenevtchn_port_or_error_t port;
	struct epoll_event ev[2];
	int i, n, ready = 0;

	if (p->rearm) {
		/* Taken since, or still there: then the waker says so. */
		p->rearm = false;
		ism__waker_rearm(p->waker);
	}
	if (timeout_ms < 0 && !p->waker && !p->no_waker)
		waker_start(p);
	/* Level-triggered: a port read and not yet taken is still ready. */
	if (p->taken < 0 && timeout_ms < 0 && p->waker) {
		port = xenevtchn_pending(p->ce);
		if (port < 0)
			return errno == EINTR ? 0 : neg_errno();
		p->taken = port;
	}
	if (p->taken >= 0 && p->waker &&
	    (uint32_t)p->taken == ism__waker_port(p->waker))
		return ISM_FE_READY_EVTCHN | ISM_FE_READY_XS;
	if (p->taken >= 0)
		return ISM_FE_READY_EVTCHN;
	do
		n = epoll_wait(p->epfd, ev, 2, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	for (i = 0; i < n; i++)
		ready |= (int)ev[i].data.u32;
	p->readable = ready & ISM_FE_READY_EVTCHN;
	return ready;
}

static int lx_now_ms(struct ism_fe_platform *p, uint64_t *ms_out)
{
	struct timespec ts;

	(void)p;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return neg_errno();
	*ms_out = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	return 0;
}

static void lx_destroy(struct ism_fe_platform *p)
{
	if (!p)
		return;
	ism__waker_stop(p->waker);
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->ce)
		xenevtchn_close(p->ce);
	if (p->gt)
		xengnttab_close(p->gt);
	if (p->gs)
		xengntshr_close(p->gs);
	if (p->xs)
		xs_close(p->xs);
	free(p);
}

static const struct ism_fe_ops linux_ops = {
	.local_domid = lx_local_domid,
	.xs_read = lx_xs_read,
	.xs_write = lx_xs_write,
	.xs_rm = lx_xs_rm,
	.xs_directory = lx_xs_directory,
	.xs_set_perms = lx_xs_set_perms,
	.xs_transaction_start = lx_xs_transaction_start,
	.xs_transaction_end = lx_xs_transaction_end,
	.xs_watch = lx_xs_watch,
	.xs_unwatch = lx_xs_unwatch,
	.xs_read_watch = lx_xs_read_watch,
	.page_share = lx_page_share,
	.page_unshare = lx_page_unshare,
	.grefs_map = lx_grefs_map,
	.grefs_unmap = lx_grefs_unmap,
	.gref_copy = lx_gref_copy,
	.evtchn_alloc_unbound = lx_evtchn_alloc_unbound,
	.evtchn_bind = lx_evtchn_bind,
	.evtchn_close = lx_evtchn_close,
	.evtchn_notify = lx_evtchn_notify,
	.evtchn_pending = lx_evtchn_pending,
	.fd = lx_fd,
	.wait = lx_wait,
	.now_ms = lx_now_ms,
	.destroy = lx_destroy,
};

/* Level-triggered: epoll_wait reports @fd as long as it stays readable. */
static int epoll_add(int epfd, int fd, uint32_t ready_bit)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = ready_bit };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? neg_errno() : 0;
}

int ism__platform_linux_open(const struct ism_fe_ops **ops_out,
			     struct ism_fe_platform **p_out)
{
	struct ism_fe_platform *p = calloc(1, sizeof(*p));
	int rc = -ENOMEM;

	if (!p)
		return rc;
	p->taken = -1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		rc = neg_errno();
		goto err_destroy;
	}
	p->xs = xs_open(0);
	if (!p->xs) {
		rc = errno == ENOENT ? -ENODEV : neg_errno();
		goto err_destroy;
	}
	p->gs = xengntshr_open(&silent_logger, 0);
	p->gt = p->gs ? xengnttab_open(&silent_logger, 0) : NULL;
	p->ce = p->gt ? xenevtchn_open(&silent_logger, 0) : NULL;
	if (!p->ce) {
		rc = neg_errno();
		goto err_destroy;
	}
	rc = epoll_add(p->epfd, xs_fileno(p->xs), ISM_FE_READY_XS);
	if (!rc)
		rc = epoll_add(p->epfd, xenevtchn_fd(p->ce),
			       ISM_FE_READY_EVTCHN);
	if (rc)
		goto err_destroy;
	*ops_out = &linux_ops;
	*p_out = p;
	return 0;
err_destroy:
	lx_destroy(p);
	return rc;
}
