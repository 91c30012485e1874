/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * platform-fake.c - struct ism_fe_ops over the fake Xen's guest-side API.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake-xen.h"
#include "platform-fake.h"
#include "../lib/private.h"

#define FAKE_PORTS_MAX 64

/* One grefs_map: @count fake mappings moved side by side at @base. */
struct fake_fe_map {
	struct fake_fe_map *next;
	char *base;
	unsigned int count;
	void *orig[]; /* where the fake mapped each page (now placeholders) */
};

struct ism_fe_platform {
	struct fake_xen *fx;
	uint16_t domid;
	struct ism_platform *xsp;
	uint64_t own_clock;
	uint64_t *now; /* &own_clock, or the test's */
	ism_fake_hook_fn hook;
	void *hook_ctx;
	int efd;
	int xs_fd, evtchn_fd; /* the fake's, readable while events wait */
	uint32_t gports[FAKE_PORTS_MAX]; /* fake guest ports (alloc_unbound) */
	/* Events of gports taken from the fake, not yet by evtchn_pending. */
	bool gpend[FAKE_PORTS_MAX];
	unsigned int ngports;
	struct fake_fe_map *maps;
	unsigned long calls[ISM_FAKE_OP_COUNT];
	bool no_copy; /* gref_copy fails, as on a kernel without it */
};

#define COUNT(p, op) ((p)->calls[ISM_FAKE_OP_##op]++)

static int ff_local_domid(struct ism_fe_platform *p, uint16_t *domid_out)
{
	COUNT(p, LOCAL_DOMID);
	return fake_xen_ops.local_domid(p->xsp, domid_out);
}

static int ff_xs_read(struct ism_fe_platform *p, uint32_t tx, const char *path,
		      char **val_out, size_t *len_out)
{
	COUNT(p, XS_READ);
	return fake_xen_ops.xs_read(p->xsp, tx, path, val_out, len_out);
}

static int ff_xs_write(struct ism_fe_platform *p, uint32_t tx, const char *path,
		       const char *val)
{
	COUNT(p, XS_WRITE);
	return fake_xen_ops.xs_write(p->xsp, tx, path, val, strlen(val));
}

static int ff_xs_rm(struct ism_fe_platform *p, uint32_t tx, const char *path)
{
	COUNT(p, XS_RM);
	return fake_xen_ops.xs_rm(p->xsp, tx, path);
}

static int ff_xs_directory(struct ism_fe_platform *p, uint32_t tx,
			   const char *path, char ***names_out,
			   unsigned int *num_out)
{
	COUNT(p, XS_DIRECTORY);
	return fake_xen_ops.xs_directory(p->xsp, tx, path, names_out, num_out);
}

static int ff_xs_set_perms(struct ism_fe_platform *p, uint32_t tx,
			   const char *path, const struct ism_fe_xs_perm *perms,
			   unsigned int num)
{
	struct ism_xs_perm xp[ISM_XS_PERMS_MAX];
	unsigned int i;

	COUNT(p, XS_SET_PERMS);
	if (!num || num > ISM_XS_PERMS_MAX)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		xp[i].domid = perms[i].domid;
		xp[i].perms = perms[i].perms;
	}
	return fake_xen_ops.xs_set_perms(p->xsp, tx, path, xp, num);
}

static int ff_xs_transaction_start(struct ism_fe_platform *p, uint32_t *tx_out)
{
	COUNT(p, XS_TRANSACTION_START);
	return fake_xen_ops.xs_transaction_start(p->xsp, tx_out);
}

static int ff_xs_transaction_end(struct ism_fe_platform *p, uint32_t tx,
				 bool abort)
{
	COUNT(p, XS_TRANSACTION_END);
	return fake_xen_ops.xs_transaction_end(p->xsp, tx, abort);
}

static int ff_xs_watch(struct ism_fe_platform *p, const char *path,
		       const char *token)
{
	COUNT(p, XS_WATCH);
	return fake_xen_ops.xs_watch(p->xsp, path, token);
}

static int ff_xs_unwatch(struct ism_fe_platform *p, const char *path,
			 const char *token)
{
	COUNT(p, XS_UNWATCH);
	return fake_xen_ops.xs_unwatch(p->xsp, path, token);
}

static int ff_xs_read_watch(struct ism_fe_platform *p, char **path_out,
			    char **token_out)
{
	COUNT(p, XS_READ_WATCH);
	return fake_xen_ops.xs_read_watch(p->xsp, path_out, token_out);
}

static int ff_page_share(struct ism_fe_platform *p, uint16_t domid,
			 uint32_t *gref_out, void **addr_out)
{
	COUNT(p, PAGE_SHARE);
	return fake_xen_guest_grant(p->fx, p->domid, domid, false, gref_out,
				    addr_out);
}

static int ff_page_unshare(struct ism_fe_platform *p, uint32_t gref, void *addr)
{
	(void)addr;
	COUNT(p, PAGE_UNSHARE);
	return fake_xen_guest_end_access(p->fx, p->domid, gref);
}

/* Put the page the fake mapped at @orig back, and let the fake unmap it. */
static void map_undo_page(struct ism_fe_platform *p, char *at, void *orig)
{
	if (mremap(at, ISM_PAGE_SIZE, ISM_PAGE_SIZE,
		   MREMAP_MAYMOVE | MREMAP_FIXED, orig) != MAP_FAILED)
		fake_xen_guest_unmap(p->fx, p->domid, orig);
}

/*
 * The fake maps one page at a time, each at its own address; the library
 * wants them contiguous, as gntdev gives them.  Each page is moved into a
 * reserved range, and a placeholder keeps its old address so that it can
 * be moved back (and unmapped by the fake) later.
 */
static int ff_grefs_map(struct ism_fe_platform *p, uint16_t domid,
			const uint32_t *grefs, unsigned int count,
			bool readonly, void **addr_out)
{
	struct fake_fe_map *m;
	unsigned int i;
	void *a;
	int rc = 0;

	COUNT(p, GREFS_MAP);
	if (!count)
		return -EINVAL;
	m = calloc(1, sizeof(*m) + count * sizeof(m->orig[0]));
	if (!m)
		return -ENOMEM;
	m->base = mmap(NULL, (size_t)count * ISM_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->base == MAP_FAILED) {
		free(m);
		return -ENOMEM;
	}
	for (i = 0; i < count && !rc; i++) {
		rc = fake_xen_guest_map(p->fx, p->domid, domid, grefs[i],
					readonly, &a);
		if (rc)
			break;
		if (mremap(a, ISM_PAGE_SIZE, ISM_PAGE_SIZE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   m->base + (size_t)i * ISM_PAGE_SIZE) == MAP_FAILED ||
		    mmap(a, ISM_PAGE_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0) != a) {
			rc = -ENOMEM; /* not expected; the test will say */
			break;
		}
		m->orig[i] = a;
	}
	if (rc) {
		while (i--)
			map_undo_page(p, m->base + (size_t)i * ISM_PAGE_SIZE,
				      m->orig[i]);
		munmap(m->base, (size_t)count * ISM_PAGE_SIZE);
		free(m);
		return rc;
	}
	m->count = count;
	m->next = p->maps;
	p->maps = m;
	*addr_out = m->base;
	return 0;
}

static void map_release(struct ism_fe_platform *p, struct fake_fe_map *m)
{
	unsigned int i;

	for (i = 0; i < m->count; i++)
		map_undo_page(p, m->base + (size_t)i * ISM_PAGE_SIZE,
			      m->orig[i]);
	munmap(m->base, (size_t)m->count * ISM_PAGE_SIZE);
	free(m);
}

static int ff_grefs_unmap(struct ism_fe_platform *p, void *addr,
			  unsigned int count)
{
	struct fake_fe_map **pm, *m;

	COUNT(p, GREFS_UNMAP);
	for (pm = &p->maps; *pm; pm = &(*pm)->next) {
		m = *pm;
		if (m->base != addr || m->count != count)
			continue;
		*pm = m->next;
		map_release(p, m);
		return 0;
	}
	return -EINVAL;
}

static int gport_index(const struct ism_fe_platform *p, uint32_t port)
{
	unsigned int i;

	for (i = 0; i < p->ngports; i++)
		if (p->gports[i] == port)
			return (int)i;
	return -1;
}

/* A grant copy: the page mapped for as long as the copy takes. */
static int ff_gref_copy(struct ism_fe_platform *p, uint16_t domid,
			uint32_t gref, void *buf, unsigned int len)
{
	void *a;
	int rc;

	COUNT(p, GREF_COPY);
	if (p->no_copy)
		return -ENOTTY;
	if (len > ISM_PAGE_SIZE)
		return -EINVAL;
	rc = fake_xen_guest_map(p->fx, p->domid, domid, gref, true, &a);
	if (rc)
		return rc;
	memcpy(buf, a, len);
	return fake_xen_guest_unmap(p->fx, p->domid, a);
}

static int ff_evtchn_alloc_unbound(struct ism_fe_platform *p, uint16_t remote,
				   uint32_t *port_out)
{
	int rc;

	COUNT(p, EVTCHN_ALLOC_UNBOUND);
	if (p->ngports == FAKE_PORTS_MAX)
		return -ENOSPC;
	rc = fake_xen_guest_evtchn_alloc_unbound(p->fx, p->domid, remote,
						 port_out);
	if (!rc) {
		p->gpend[p->ngports] = false;
		p->gports[p->ngports++] = *port_out;
	}
	return rc;
}

static int ff_evtchn_bind(struct ism_fe_platform *p, uint16_t remote,
			  uint32_t remote_port, uint32_t *port_out)
{
	COUNT(p, EVTCHN_BIND);
	return fake_xen_ops.evtchn_bind(p->xsp, remote, remote_port, port_out);
}

static int ff_evtchn_close(struct ism_fe_platform *p, uint32_t port)
{
	int i = gport_index(p, port);

	COUNT(p, EVTCHN_CLOSE);
	if (i < 0)
		return fake_xen_ops.evtchn_unbind(p->xsp, port);
	p->ngports--;
	p->gports[i] = p->gports[p->ngports];
	p->gpend[i] = p->gpend[p->ngports];
	return fake_xen_guest_evtchn_close(p->fx, p->domid, port);
}

static int ff_evtchn_notify(struct ism_fe_platform *p, uint32_t port)
{
	COUNT(p, EVTCHN_NOTIFY);
	if (gport_index(p, port) < 0)
		return fake_xen_ops.evtchn_notify(p->xsp, port);
	return fake_xen_guest_evtchn_notify(p->fx, p->domid, port);
}

/*
 * Move the events of our guest ports from the fake into @gpend (the fake
 * can only take them); true if any is there.
 */
static bool gports_pending(struct ism_fe_platform *p)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < p->ngports; i++) {
		if (!p->gpend[i] && fake_xen_guest_evtchn_pending(
					    p->fx, p->domid, p->gports[i]) == 1)
			p->gpend[i] = true;
		any |= p->gpend[i];
	}
	return any;
}

static int ff_evtchn_pending(struct ism_fe_platform *p, uint32_t *port_out)
{
	unsigned int i;

	COUNT(p, EVTCHN_PENDING);
	gports_pending(p);
	for (i = 0; i < p->ngports; i++)
		if (p->gpend[i]) {
			p->gpend[i] = false;
			*port_out = p->gports[i];
			return 0;
		}
	return fake_xen_ops.evtchn_pending(p->xsp, port_out);
}

static int ff_fd(struct ism_fe_platform *p)
{
	COUNT(p, FD);
	return p->efd;
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/* As epoll over the real fds would say: level-triggered. */
static int ready_now(struct ism_fe_platform *p)
{
	int ready = 0;

	if (gports_pending(p) || readable(p->evtchn_fd))
		ready |= ISM_FE_READY_EVTCHN;
	if (readable(p->xs_fd))
		ready |= ISM_FE_READY_XS;
	return ready;
}

static int ff_wait(struct ism_fe_platform *p, int timeout_ms)
{
	bool woken;
	int ready;

	COUNT(p, WAIT);
	woken = p->hook && p->hook(p->hook_ctx) > 0;
	ready = ready_now(p);
	if (woken || ready) {
		(*p->now)++; /* time passes, a little */
		return ready;
	}
	*p->now += timeout_ms < 0 ? 1000 : (uint64_t)timeout_ms;
	return 0;
}

static int ff_now_ms(struct ism_fe_platform *p, uint64_t *ms_out)
{
	COUNT(p, NOW_MS);
	*ms_out = *p->now;
	return 0;
}

static void ff_destroy(struct ism_fe_platform *p)
{
	struct fake_fe_map *m;

	if (!p)
		return;
	while ((m = p->maps)) {
		p->maps = m->next;
		map_release(p, m);
	}
	while (p->ngports)
		ff_evtchn_close(p, p->gports[0]);
	fake_xen_platform_close(p->xsp);
	close(p->efd);
	free(p);
}

static const struct ism_fe_ops fake_fe_ops = {
	.local_domid = ff_local_domid,
	.xs_read = ff_xs_read,
	.xs_write = ff_xs_write,
	.xs_rm = ff_xs_rm,
	.xs_directory = ff_xs_directory,
	.xs_set_perms = ff_xs_set_perms,
	.xs_transaction_start = ff_xs_transaction_start,
	.xs_transaction_end = ff_xs_transaction_end,
	.xs_watch = ff_xs_watch,
	.xs_unwatch = ff_xs_unwatch,
	.xs_read_watch = ff_xs_read_watch,
	.page_share = ff_page_share,
	.page_unshare = ff_page_unshare,
	.grefs_map = ff_grefs_map,
	.grefs_unmap = ff_grefs_unmap,
	.gref_copy = ff_gref_copy,
	.evtchn_alloc_unbound = ff_evtchn_alloc_unbound,
	.evtchn_bind = ff_evtchn_bind,
	.evtchn_close = ff_evtchn_close,
	.evtchn_notify = ff_evtchn_notify,
	.evtchn_pending = ff_evtchn_pending,
	.fd = ff_fd,
	.wait = ff_wait,
	.now_ms = ff_now_ms,
	.destroy = ff_destroy,
};

int ism_fake_platform_open(struct fake_xen *fx, uint16_t domid,
			   const struct ism_fe_ops **ops_out,
			   struct ism_fe_platform **p_out)
{
	struct ism_fe_platform *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->efd < 0) {
		rc = -errno;
		free(p);
		return rc;
	}
	rc = fake_xen_platform_open(fx, domid, &p->xsp);
	if (rc) {
		close(p->efd);
		free(p);
		return rc;
	}
	/* Both are the fake's eventfds: they cannot fail. */
	p->xs_fd = fake_xen_ops.xs_fd(p->xsp);
	p->evtchn_fd = fake_xen_ops.evtchn_fd(p->xsp);
	p->fx = fx;
	p->domid = domid;
	p->now = &p->own_clock;
	*ops_out = &fake_fe_ops;
	*p_out = p;
	return 0;
}

void ism_fake_platform_set_hook(struct ism_fe_platform *p, ism_fake_hook_fn fn,
				void *ctx)
{
	p->hook = fn;
	p->hook_ctx = ctx;
}

int ism_fake_dev_open(struct fake_xen *fx, uint16_t domid, uint32_t devid,
		      int timeout_ms, ism_fake_hook_fn fn, void *ctx,
		      struct ism_dev **dev_out)
{
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	int rc;

	rc = ism_fake_platform_open(fx, domid, &ops, &p);
	if (rc)
		return rc;
	ism_fake_platform_set_hook(p, fn, ctx);
	/* It destroys the platform if it fails. */
	return ism__dev_open_on(ops, p, devid, timeout_ms, dev_out);
}

uint64_t ism_fake_platform_now(const struct ism_fe_platform *p)
{
	return *p->now;
}

void ism_fake_platform_set_clock(struct ism_fe_platform *p, uint64_t *clock)
{
	*clock = *p->now;
	p->now = clock;
}

unsigned int ism_fake_platform_maps(const struct ism_fe_platform *p)
{
	const struct fake_fe_map *m;
	unsigned int n = 0;

	for (m = p->maps; m; m = m->next)
		n++;
	return n;
}

void ism_fake_platform_no_copy(struct ism_fe_platform *p, bool no_copy)
{
	p->no_copy = no_copy;
}

unsigned long ism_fake_platform_calls(const struct ism_fe_platform *p,
				      enum ism_fake_op op)
{
	unsigned long n = 0;
	unsigned int i;

	if (op < ISM_FAKE_OP_COUNT)
		return p->calls[op];
	for (i = 0; i < ISM_FAKE_OP_COUNT; i++)
		n += p->calls[i];
	return n;
}

void ism_fake_platform_calls_reset(struct ism_fe_platform *p)
{
	memset(p->calls, 0, sizeof(p->calls));
}
