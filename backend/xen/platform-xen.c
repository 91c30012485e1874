/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform-xen.c - backend/platform.h over the Xen libraries and the grant
 * helper device (see platform-xen.h).
 *
 * Each op checks its arguments, calls one library function or ioctl, and
 * turns "-1 or NULL with errno" into a negative errno.  The little state
 * kept here exists to give the answers platform.h promises where the
 * kernel would answer differently: the page sets (first page handle, which
 * is the helper's index + 1, size and mapping), the grant mappings (so that
 * unmapping an unknown address is -EINVAL, not whatever munmap says) and
 * the bound ports (the evtchn driver says -ENOTCONN for a port it does not
 * know; the seam says -EINVAL).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "ismif.h"
#include "platform-xen.h"
#include "xen-ism-gnt.h"

/* The largest region's pages are one ALLOC of the grant helper. */
_Static_assert(XEN_ISM_GNT_MAX_PAGES >= ISM_REGION_SIZE_LIMIT / ISM_PAGE_SIZE,
	       "a region's pages must fit one grant helper ALLOC");

/* The largest request of the random op (platform.h). */
#define ISM_XEN_RANDOM_MAX 256u

/* Bytes of the bitmap of bound ports: one bit per port 0 .. max. */
#define ISM_XEN_PORT_BYTES ((ISM_EVTCHN_MAX + 1u + 7u) / 8u)

/* At most this many LIST calls while the helper's totals keep growing. */
#define ISM_XEN_LIST_TRIES 8u

/*
 * One pages_alloc or pages_adopt: @count pages of the helper from @index,
 * with the page handles @handle (@index + 1) .. @handle + @count - 1,
 * mapped at @addr (NULL if the caller did not want them mapped).
 */
struct ism_xen_pages {
	struct ism_xen_pages *next;
	uint32_t handle;
	uint64_t index;
	unsigned int count;
	void *addr;
};

/* One gnt_map. */
struct ism_xen_map {
	struct ism_xen_map *next;
	void *addr;
};

/* The libraries' logger, and where it sends their lines. */
struct ism_xen_logger {
	struct xentoollog_logger vtable; /* first: the libraries' view */
	void (*fn)(void *arg, int level, const char *msg);
	void *arg;
};

struct ism_platform {
	unsigned int parts; /* open parts, ISM_PLATFORM_XEN_* */
	unsigned int asked; /* parts the caller asked for */

	struct xs_handle *xs;
	bool domid_known;
	uint16_t domid;

	int gnt_fd; /* the grant helper, or -1 */
	struct ism_xen_pages *pages;

	xengnttab_handle *gt;
	struct ism_xen_map *maps;

	xenevtchn_handle *xe;
	uint8_t *ports; /* bitmap of the ports bound through this platform */

	xc_interface *xc;
	bool ctrl_denied; /* a privileged call said EPERM: do not ask again */

	struct ism_xen_logger log; /* the libraries' */
};

/* ---- The libraries' logger ---------------------------------------------- */

/*
 * What libxenevtchn, libxengnttab and libxenctrl report goes to the
 * caller's log function (struct ism_xen_logger), warnings and errors only,
 * one line each; without one, nowhere.
 */
static void ism_xen_log_vmessage(struct xentoollog_logger *logger,
				 xentoollog_level level, int errnoval,
				 const char *context, const char *format,
				 va_list al)
{
	struct ism_xen_logger *l = (struct ism_xen_logger *)logger;
	char msg[256];
	int n;

	if (!l->fn || level < XTL_WARN)
		return;
	n = snprintf(msg, sizeof(msg), "%s%s", context ? context : "",
		     context ? ": " : "");
	if (n >= 0 && (size_t)n < sizeof(msg))
		n += vsnprintf(msg + n, sizeof(msg) - (size_t)n, format, al);
	if (errnoval >= 0 && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
			 strerror(errnoval));
	l->fn(l->arg, level >= XTL_ERROR ? LOG_ERR : LOG_WARNING, msg);
}

static void ism_xen_log_progress(struct xentoollog_logger *logger,
				 const char *context, const char *doing_what,
				 int percent, unsigned long done,
				 unsigned long total)
{
	(void)logger;
	(void)context;
	(void)doing_what;
	(void)percent;
	(void)done;
	(void)total;
}

static void ism_xen_log_destroy(struct xentoollog_logger *logger)
{
	(void)logger;
}

/* errno as a negative errno; -EIO if a library failed without setting it. */
static int ism_xen_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#define ISM_XEN_ENTER(p, part)              \
	do {                                \
		if (!(p))                   \
			return -EINVAL;     \
		if (!((p)->parts & (part))) \
			return -ENODEV;     \
	} while (0)

/* ---- Xenstore ------------------------------------------------------------ */

static int ism_xen_local_domid(struct ism_platform *p, uint16_t *domid_out)
{
	unsigned long v;
	char *val, *end;
	unsigned int len;
	int rc = 0;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!domid_out)
		return -EINVAL;
	if (p->domid_known) {
		*domid_out = p->domid;
		return 0;
	}
	/* The toolstack writes ~/domid in every domain's home. */
	val = xs_read(p->xs, XBT_NULL, "domid", &len);
	if (!val)
		return ism_xen_errno();
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || v > ISM_DOMID_MAX) {
		rc = -EPROTO;
		goto out_free;
	}
	p->domid = (uint16_t)v;
	p->domid_known = true;
	*domid_out = p->domid;
out_free:
	free(val);
	return rc;
}

static int ism_xen_xs_read(struct ism_platform *p, uint32_t tx,
			   const char *path, char **val_out, size_t *len_out)
{
	unsigned int len;
	char *val;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !val_out || !len_out)
		return -EINVAL;
	/* libxenstore adds the NUL that platform.h promises. */
	val = xs_read(p->xs, tx, path, &len);
	if (!val)
		return ism_xen_errno();
	*val_out = val;
	*len_out = len;
	return 0;
}

static int ism_xen_xs_write(struct ism_platform *p, uint32_t tx,
			    const char *path, const void *val, size_t len)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || (!val && len) || len > UINT32_MAX)
		return -EINVAL;
	if (!xs_write(p->xs, tx, path, val ? val : "", (unsigned int)len))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_mkdir(struct ism_platform *p, uint32_t tx,
			    const char *path)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path)
		return -EINVAL;
	if (!xs_mkdir(p->xs, tx, path))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_rm(struct ism_platform *p, uint32_t tx, const char *path)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path)
		return -EINVAL;
	/* xenstored itself says 0 for a missing node whose parent exists. */
	if (!xs_rm(p->xs, tx, path))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_directory(struct ism_platform *p, uint32_t tx,
				const char *path, char ***names_out,
				unsigned int *num_out)
{
	unsigned int num, i;
	size_t bytes = 0;
	char **lib, **names, *s;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !names_out || !num_out)
		return -EINVAL;
	errno = 0;
	lib = xs_directory(p->xs, tx, path, &num);
	if (!lib) {
		/* libxenstore may hand back no block for no children. */
		if (errno)
			return -errno;
		num = 0;
	}
	/* Copy into one block of our own: the layout platform.h promises. */
	for (i = 0; i < num; i++)
		bytes += strlen(lib[i]) + 1;
	names = malloc((num + 1) * sizeof(*names) + bytes);
	if (!names) {
		free(lib);
		return -ENOMEM;
	}
	s = (char *)(names + num + 1);
	for (i = 0; i < num; i++) {
		size_t len = strlen(lib[i]) + 1;

		memcpy(s, lib[i], len);
		names[i] = s;
		s += len;
	}
	names[num] = NULL;
	free(lib);
	*names_out = names;
	*num_out = num;
	return 0;
}

static int ism_xen_xs_get_perms(struct ism_platform *p, uint32_t tx,
				const char *path,
				struct ism_xs_perm **perms_out,
				unsigned int *num_out)
{
	struct xs_permissions *lib;
	struct ism_xs_perm *perms;
	unsigned int num, i;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !perms_out || !num_out)
		return -EINVAL;
	lib = xs_get_permissions(p->xs, tx, path, &num);
	if (!lib)
		return ism_xen_errno();
	if (!num) {
		free(lib);
		return -EPROTO;
	}
	perms = calloc(num, sizeof(*perms));
	if (!perms) {
		free(lib);
		return -ENOMEM;
	}
	for (i = 0; i < num; i++) {
		perms[i].domid = (uint16_t)lib[i].id;
		perms[i].perms = (uint8_t)(lib[i].perms & ISM_XS_PERM_BOTH);
	}
	free(lib);
	*perms_out = perms;
	*num_out = num;
	return 0;
}

static int ism_xen_xs_set_perms(struct ism_platform *p, uint32_t tx,
				const char *path,
				const struct ism_xs_perm *perms,
				unsigned int num)
{
	struct xs_permissions lib[ISM_XS_PERMS_MAX];
	unsigned int i;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !perms || !num)
		return -EINVAL;
	if (num > ISM_XS_PERMS_MAX)
		return -E2BIG;
	for (i = 0; i < num; i++) {
		if (perms[i].perms & ~ISM_XS_PERM_BOTH)
			return -EINVAL;
		lib[i].id = perms[i].domid;
		lib[i].perms = perms[i].perms;
	}
	if (!xs_set_permissions(p->xs, tx, path, lib, num))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_transaction_start(struct ism_platform *p,
					uint32_t *tx_out)
{
	xs_transaction_t tx;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!tx_out)
		return -EINVAL;
	tx = xs_transaction_start(p->xs);
	if (tx == XBT_NULL)
		return ism_xen_errno();
	*tx_out = tx;
	return 0;
}

static int ism_xen_xs_transaction_end(struct ism_platform *p, uint32_t tx,
				      bool abort)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (tx == ISM_XS_NO_TX)
		return -ENOENT;
	if (!xs_transaction_end(p->xs, tx, abort))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_watch(struct ism_platform *p, const char *path,
			    const char *token)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !token)
		return -EINVAL;
	if (!xs_watch(p->xs, path, token))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_unwatch(struct ism_platform *p, const char *path,
			      const char *token)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path || !token)
		return -EINVAL;
	if (!xs_unwatch(p->xs, path, token))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_xs_read_watch(struct ism_platform *p, char **path_out,
				 char **token_out)
{
	char **vec, *path, *token;
	int rc = 0;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	if (!path_out || !token_out)
		return -EINVAL;
	/* Never blocks: NULL with EAGAIN when nothing is queued. */
	vec = xs_check_watch(p->xs);
	if (!vec)
		return ism_xen_errno();
	path = strdup(vec[XS_WATCH_PATH]);
	token = strdup(vec[XS_WATCH_TOKEN]);
	if (!path || !token) {
		free(path);
		free(token);
		rc = -ENOMEM;
		goto out_free;
	}
	*path_out = path;
	*token_out = token;
out_free:
	free(vec);
	return rc;
}

static int ism_xen_xs_fd(struct ism_platform *p)
{
	int fd;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_XENSTORE);
	fd = xs_fileno(p->xs);
	return fd < 0 ? ism_xen_errno() : fd;
}

/* ---- Region pages: the grant helper ------------------------------------- */

static struct ism_xen_pages *ism_xen_pages_find(struct ism_platform *p,
						uint32_t handle)
{
	struct ism_xen_pages *s;

	for (s = p->pages; s; s = s->next) {
		if (s->handle == handle)
			return s;
	}
	return NULL;
}

static int ism_xen_pages_alloc(struct ism_platform *p, unsigned int count,
			       uint32_t *handle_out, void **addr_out)
{
	struct xen_ism_gnt_alloc alloc = { .count = count };
	struct xen_ism_gnt_free fr = { .count = count };
	struct ism_xen_pages *s;
	int rc;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (!count || count > XEN_ISM_GNT_MAX_PAGES || !handle_out)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_ALLOC, &alloc)) {
		rc = ism_xen_errno();
		goto err_free_set;
	}
	/* The handles index + 1 .. index + count must be uint32_t. */
	if (alloc.index > UINT32_MAX - count) {
		rc = -ENOSPC;
		goto err_free_pages;
	}
	/* Mapping costs a page table update per page: only when asked. */
	if (addr_out) {
		s->addr = mmap(NULL, (size_t)count * ISM_PAGE_SIZE,
			       PROT_READ | PROT_WRITE, MAP_SHARED, p->gnt_fd,
			       (off_t)(alloc.index * ISM_PAGE_SIZE));
		if (s->addr == MAP_FAILED) {
			rc = ism_xen_errno();
			goto err_free_pages;
		}
	}
	s->handle = (uint32_t)alloc.index + 1;
	s->index = alloc.index;
	s->count = count;
	s->next = p->pages;
	p->pages = s;
	*handle_out = s->handle;
	if (addr_out)
		*addr_out = s->addr;
	return 0;

err_free_pages:
	/* Fresh pages have no grants: FREE cannot fail with EBUSY here. */
	fr.index = alloc.index;
	ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_FREE, &fr);
err_free_set:
	free(s);
	return rc;
}

static int ism_xen_pages_grant(struct ism_platform *p, uint32_t handle,
			       unsigned int index, unsigned int count,
			       uint16_t domid, bool readonly,
			       uint32_t *grefs_out)
{
	struct xen_ism_gnt_grant grant = { 0 };
	struct ism_xen_pages *s;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (!grefs_out || !count || count > ISM_PAGES_BATCH_MAX)
		return -EINVAL;
	s = ism_xen_pages_find(p, handle);
	if (!s)
		return -ENOENT;
	if (index >= s->count || count > s->count - index)
		return -EINVAL;
	grant.index = s->index + index;
	grant.count = count;
	grant.domid = domid;
	grant.flags = readonly ? XEN_ISM_GNT_READONLY : 0;
	/* All or nothing: the helper writes the refs only on success. */
	grant.refs = (uintptr_t)grefs_out;
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_GRANT, &grant))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_pages_end_grants(struct ism_platform *p,
				    const uint32_t *grefs, unsigned int count,
				    int *status_out)
{
	struct xen_ism_gnt_ref refs[ISM_PAGES_BATCH_MAX];
	struct xen_ism_gnt_end end = { .refs = (uintptr_t)refs };
	unsigned int i;
	int rc;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (!grefs || !status_out || !count || count > ISM_PAGES_BATCH_MAX)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		refs[i].ref = grefs[i];
		refs[i].status = 0;
	}
	end.count = count;
	rc = ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_END, &end) ? ism_xen_errno() : 0;
	/* EBUSY and ENOENT: each entry's status says which ended. */
	if (rc && rc != -EBUSY && rc != -ENOENT)
		return rc;
	for (i = 0; i < count; i++)
		status_out[i] = rc ? refs[i].status : 0;
	return rc;
}

static int ism_xen_pages_free(struct ism_platform *p, uint32_t handle)
{
	struct xen_ism_gnt_free fr = { 0 };
	struct ism_xen_pages **pp, *s;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	for (pp = &p->pages; (s = *pp); pp = &s->next) {
		if (s->handle == handle)
			break;
	}
	if (!s)
		return -ENOENT;
	fr.index = s->index;
	fr.count = s->count;
	/* EBUSY while granted: then nothing changes, the mapping stays. */
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_FREE, &fr))
		return ism_xen_errno();
	if (s->addr)
		munmap(s->addr, (size_t)s->count * ISM_PAGE_SIZE);
	*pp = s->next;
	free(s);
	return 0;
}

/*
 * The helper's LIST: every page index its file holds, ascending, into
 * *@pages_out (malloc'd, NULL if none) of *@np_out entries and, unless
 * @grants_out is NULL, every grant into *@grants_out of *@ng_out.  Asks
 * for the totals first, then again with arrays that size, and again if
 * they grew meanwhile (another user of the file), up to
 * ISM_XEN_LIST_TRIES times (-EAGAIN).
 */
static int ism_xen_helper_list(struct ism_platform *p, uint64_t **pages_out,
			       uint32_t *np_out,
			       struct xen_ism_gnt_held **grants_out,
			       uint32_t *ng_out)
{
	struct xen_ism_gnt_list req = { 0 };
	struct xen_ism_gnt_held *grants = NULL;
	uint64_t *pages = NULL;
	unsigned int tries;
	int rc = -EAGAIN;

	for (tries = 0; tries < ISM_XEN_LIST_TRIES; tries++) {
		/* EOVERFLOW: the totals outgrew the arrays, which are full. */
		if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_LIST, &req) &&
		    errno != EOVERFLOW) {
			rc = ism_xen_errno();
			break;
		}
		if (req.nr_pages <= req.pages_cap &&
		    (!grants_out || req.nr_grants <= req.grants_cap)) {
			rc = 0;
			break;
		}
		free(pages);
		free(grants);
		pages = NULL;
		grants = NULL;
		req.pages_cap = req.nr_pages;
		req.grants_cap = grants_out ? req.nr_grants : 0;
		if (req.pages_cap)
			pages = calloc(req.pages_cap, sizeof(*pages));
		if (req.grants_cap)
			grants = calloc(req.grants_cap, sizeof(*grants));
		if ((req.pages_cap && !pages) || (req.grants_cap && !grants)) {
			rc = -ENOMEM;
			break;
		}
		req.pages = (uintptr_t)pages;
		req.grants = (uintptr_t)grants;
	}
	if (rc)
		goto err_free;
	*pages_out = pages;
	*np_out = req.nr_pages;
	if (grants_out) {
		*grants_out = grants;
		*ng_out = req.nr_grants;
	}
	return 0;

err_free:
	free(pages);
	free(grants);
	return rc;
}

static int ism_xen_pages_list(struct ism_platform *p,
			      struct ism_pages_list **list_out)
{
	struct xen_ism_gnt_held *held = NULL;
	struct ism_pages_list *list;
	struct ism_pages_run *run;
	uint64_t *pages = NULL;
	uint32_t np = 0, ng = 0, i;
	int rc;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (!list_out)
		return -EINVAL;
	rc = ism_xen_helper_list(p, &pages, &np, &held, &ng);
	if (rc)
		return rc;
	/* Only pages our handles can name: index + 1 <= UINT32_MAX. */
	for (i = 0; i < np; i++) {
		if (pages[i] >= UINT32_MAX)
			rc = -EOVERFLOW;
	}
	for (i = 0; i < ng; i++) {
		if (held[i].index >= UINT32_MAX)
			rc = -EOVERFLOW;
	}
	if (rc)
		goto out_free;
	/* One block: the struct, at most one run per page, the grants. */
	list = malloc(sizeof(*list) + (size_t)np * sizeof(*list->runs) +
		      (size_t)ng * sizeof(*list->grants));
	if (!list) {
		rc = -ENOMEM;
		goto out_free;
	}
	list->runs = (struct ism_pages_run *)(list + 1);
	list->nruns = 0;
	for (i = 0; i < np; i++) {
		uint32_t handle = (uint32_t)pages[i] + 1;

		run = list->nruns ? &list->runs[list->nruns - 1] : NULL;
		if (run && (uint64_t)run->handle + run->count == handle) {
			run->count++;
			continue;
		}
		list->runs[list->nruns++] =
			(struct ism_pages_run){ .handle = handle, .count = 1 };
	}
	list->grants = (struct ism_pages_grant *)(list->runs + list->nruns);
	list->ngrants = ng;
	for (i = 0; i < ng; i++) {
		list->grants[i] = (struct ism_pages_grant){
			.gref = held[i].ref,
			.page = (uint32_t)held[i].index + 1,
			.domid = held[i].domid,
			.readonly = !!(held[i].flags & XEN_ISM_GNT_READONLY),
		};
	}
	*list_out = list;
out_free:
	free(held);
	free(pages);
	return rc;
}

/* Whether pages @handle .. @handle + @count - 1 meet a set of @p's. */
static bool ism_xen_pages_overlap(const struct ism_platform *p, uint32_t handle,
				  unsigned int count)
{
	const struct ism_xen_pages *s;

	for (s = p->pages; s; s = s->next) {
		if ((uint64_t)handle < (uint64_t)s->handle + s->count &&
		    (uint64_t)s->handle < (uint64_t)handle + count)
			return true;
	}
	return false;
}

/* 0 if the helper holds pages @index .. @index + @count - 1, or -ENOENT. */
static int ism_xen_pages_held(struct ism_platform *p, uint64_t index,
			      unsigned int count)
{
	uint32_t np = 0, lo = 0, hi;
	uint64_t *pages = NULL;
	int rc;

	rc = ism_xen_helper_list(p, &pages, &np, NULL, NULL);
	if (rc)
		return rc;
	/* The first listed index >= @index; the list is sorted, no repeats. */
	hi = np;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (pages[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (np - lo < count || pages[lo] != index ||
	    pages[lo + count - 1] != index + count - 1)
		rc = -ENOENT;
	free(pages);
	return rc;
}

static int ism_xen_pages_adopt(struct ism_platform *p, uint32_t handle,
			       unsigned int count, void **addr_out)
{
	struct ism_xen_pages *s;
	int rc;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (!count || count > XEN_ISM_GNT_MAX_PAGES ||
	    count - 1 > UINT32_MAX - handle)
		return -EINVAL;
	/* No page has the handle 0. */
	if (!handle)
		return -ENOENT;
	if (ism_xen_pages_overlap(p, handle, count))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->handle = handle;
	s->index = (uint64_t)handle - 1;
	s->count = count;
	/* The helper's mmap says ENOENT for a page it does not hold. */
	if (addr_out) {
		s->addr = mmap(NULL, (size_t)count * ISM_PAGE_SIZE,
			       PROT_READ | PROT_WRITE, MAP_SHARED, p->gnt_fd,
			       (off_t)(s->index * ISM_PAGE_SIZE));
		rc = s->addr == MAP_FAILED ? ism_xen_errno() : 0;
	} else {
		rc = ism_xen_pages_held(p, s->index, count);
	}
	if (rc)
		goto err_free_set;
	s->next = p->pages;
	p->pages = s;
	if (addr_out)
		*addr_out = s->addr;
	return 0;

err_free_set:
	free(s);
	return rc;
}

/* ---- Domains ------------------------------------------------------------- */

static int ism_xen_domain_info(struct ism_platform *p, uint16_t domid,
			       struct ism_domain_info *info_out)
{
	xc_domaininfo_t info;
	int r;

	if (!p || !info_out)
		return -EINVAL;
	if (!(p->asked & ISM_PLATFORM_XEN_CTRL))
		return -ENODEV;
	/* Not privileged: libxenctrl did not open, or the hypervisor said no. */
	if (!(p->parts & ISM_PLATFORM_XEN_CTRL) || p->ctrl_denied)
		return -EPERM;
	if (domid > ISM_DOMID_MAX)
		return -ESRCH;
	/* xc_domain_getinfo_single() is 4.18; this is there since 3.x. */
	r = xc_domain_getinfolist(p->xc, domid, 1, &info);
	if (r < 0) {
		r = ism_xen_errno();
		if (r == -EPERM || r == -EACCES) {
			p->ctrl_denied = true;
			return -EPERM;
		}
		return r;
	}
	/* The list starts at the first domain >= domid. */
	if (r == 0 || info.domain != domid)
		return -ESRCH;
	info_out->dying = !!(info.flags & XEN_DOMINF_dying);
	return 0;
}

/* ---- Frontend-granted pages ---------------------------------------------- */

static int ism_xen_gnt_map(struct ism_platform *p, uint16_t domid,
			   uint32_t gref, void **addr_out)
{
	struct ism_domain_info info;
	struct ism_xen_map *m;
	int rc;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_GNTTAB);
	if (!addr_out)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->addr = xengnttab_map_grant_ref(p->gt, domid, gref,
					  PROT_READ | PROT_WRITE);
	if (!m->addr) {
		rc = ism_xen_errno();
		/*
		 * Linux's gntdev folds every failed map into EINVAL; tell a
		 * dead domain apart when we may ask the hypervisor.
		 */
		if (rc == -EINVAL) {
			int why = ism_xen_domain_info(p, domid, &info);

			if (why == -ESRCH || (!why && info.dying))
				rc = -ESRCH;
		}
		free(m);
		return rc;
	}
	m->next = p->maps;
	p->maps = m;
	*addr_out = m->addr;
	return 0;
}

static int ism_xen_gnt_unmap(struct ism_platform *p, void *addr)
{
	struct ism_xen_map **pp, *m;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_GNTTAB);
	for (pp = &p->maps; (m = *pp); pp = &m->next) {
		if (m->addr == addr)
			break;
	}
	if (!m || !addr)
		return -EINVAL;
	if (xengnttab_unmap(p->gt, addr, 1))
		return ism_xen_errno();
	*pp = m->next;
	free(m);
	return 0;
}

/* ---- Event channels ------------------------------------------------------ */

static bool ism_xen_port_bound(const struct ism_platform *p, uint32_t port)
{
	return port && port <= ISM_EVTCHN_MAX &&
	       (p->ports[port / 8] & (1u << (port % 8)));
}

static void ism_xen_port_set(struct ism_platform *p, uint32_t port, bool on)
{
	if (on)
		p->ports[port / 8] |= (uint8_t)(1u << (port % 8));
	else
		p->ports[port / 8] &= (uint8_t) ~(1u << (port % 8));
}

static int ism_xen_evtchn_bind(struct ism_platform *p, uint16_t domid,
			       uint32_t remote_port, uint32_t *port_out)
{
	xenevtchn_port_or_error_t port;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_EVTCHN);
	if (!port_out)
		return -EINVAL;
	port = xenevtchn_bind_interdomain(p->xe, domid, remote_port);
	if (port < 0)
		return ism_xen_errno();
	if (!port || (uint32_t)port > ISM_EVTCHN_MAX) {
		xenevtchn_unbind(p->xe, (evtchn_port_t)port);
		return -ERANGE;
	}
	ism_xen_port_set(p, (uint32_t)port, true);
	*port_out = (uint32_t)port;
	return 0;
}

static int ism_xen_evtchn_unbind(struct ism_platform *p, uint32_t port)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_EVTCHN);
	if (!ism_xen_port_bound(p, port))
		return -EINVAL;
	if (xenevtchn_unbind(p->xe, port))
		return ism_xen_errno();
	ism_xen_port_set(p, port, false);
	return 0;
}

static int ism_xen_evtchn_notify(struct ism_platform *p, uint32_t port)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_EVTCHN);
	if (!ism_xen_port_bound(p, port))
		return -EINVAL;
	if (xenevtchn_notify(p->xe, port))
		return ism_xen_errno();
	return 0;
}

static int ism_xen_evtchn_fd(struct ism_platform *p)
{
	int fd;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_EVTCHN);
	fd = xenevtchn_fd(p->xe);
	return fd < 0 ? ism_xen_errno() : fd;
}

static int ism_xen_evtchn_pending(struct ism_platform *p, uint32_t *port_out)
{
	xenevtchn_port_or_error_t port;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_EVTCHN);
	if (!port_out)
		return -EINVAL;
	for (;;) {
		/* The fd is non-blocking: -1 with EAGAIN when none is left. */
		port = xenevtchn_pending(p->xe);
		if (port < 0)
			return ism_xen_errno();
		/* An event that raced with unbind is for nobody: drop it. */
		if (ism_xen_port_bound(p, (uint32_t)port))
			break;
	}
	/*
	 * The driver only refuses to unmask a port this handle has not bound,
	 * which was just checked; the event is reported whatever happens.
	 */
	xenevtchn_unmask(p->xe, (evtchn_port_t)port);
	*port_out = (uint32_t)port;
	return 0;
}

/* ---- Randomness and time ------------------------------------------------- */

static int ism_xen_random(struct ism_platform *p, void *buf, size_t len)
{
	unsigned char *out = buf;
	ssize_t r;

	if (!p || (!buf && len) || len > ISM_XEN_RANDOM_MAX)
		return -EINVAL;
	while (len) {
		/* Blocks only until the kernel's generator is seeded. */
		r = getrandom(out, len, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ism_xen_errno();
		}
		out += r;
		len -= (size_t)r;
	}
	return 0;
}

static uint64_t ism_xen_clock_ms(struct ism_platform *p)
{
	struct timespec ts;

	(void)p;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct ism_platform_ops ism_platform_xen_ops = {
	.local_domid = ism_xen_local_domid,
	.xs_read = ism_xen_xs_read,
	.xs_write = ism_xen_xs_write,
	.xs_mkdir = ism_xen_xs_mkdir,
	.xs_rm = ism_xen_xs_rm,
	.xs_directory = ism_xen_xs_directory,
	.xs_get_perms = ism_xen_xs_get_perms,
	.xs_set_perms = ism_xen_xs_set_perms,
	.xs_transaction_start = ism_xen_xs_transaction_start,
	.xs_transaction_end = ism_xen_xs_transaction_end,
	.xs_watch = ism_xen_xs_watch,
	.xs_unwatch = ism_xen_xs_unwatch,
	.xs_read_watch = ism_xen_xs_read_watch,
	.xs_fd = ism_xen_xs_fd,
	.pages_alloc = ism_xen_pages_alloc,
	.pages_grant = ism_xen_pages_grant,
	.pages_end_grants = ism_xen_pages_end_grants,
	.pages_free = ism_xen_pages_free,
	.pages_list = ism_xen_pages_list,
	.pages_adopt = ism_xen_pages_adopt,
	.gnt_map = ism_xen_gnt_map,
	.gnt_unmap = ism_xen_gnt_unmap,
	.evtchn_bind = ism_xen_evtchn_bind,
	.evtchn_unbind = ism_xen_evtchn_unbind,
	.evtchn_notify = ism_xen_evtchn_notify,
	.evtchn_fd = ism_xen_evtchn_fd,
	.evtchn_pending = ism_xen_evtchn_pending,
	.domain_info = ism_xen_domain_info,
	.random = ism_xen_random,
	.clock_ms = ism_xen_clock_ms,
};

/* ---- Open and close ------------------------------------------------------ */

static int ism_xen_open_pages(struct ism_platform *p, const char *device)
{
	struct xen_ism_gnt_list list = { 0 };
	struct xen_ism_gnt_info info;
	int rc;

	p->gnt_fd = open(device, O_RDWR | O_CLOEXEC);
	if (p->gnt_fd < 0)
		return ism_xen_errno();
	/*
	 * Anything else answers ENOTTY (or worse) to the helper's INFO, and
	 * a helper older than LIST (0.4.0) to LIST, which asks for the
	 * totals only here (EOVERFLOW if the file holds something).
	 */
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_INFO, &info) ||
	    (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_LIST, &list) &&
	     errno != EOVERFLOW)) {
		rc = ism_xen_errno();
		close(p->gnt_fd);
		p->gnt_fd = -1;
		return rc == -EINVAL ? -ENOTTY : rc;
	}
	return 0;
}

static int ism_xen_open_evtchn(struct ism_platform *p)
{
	int fd, fl;

	p->ports = calloc(1, ISM_XEN_PORT_BYTES);
	if (!p->ports)
		return -ENOMEM;
	p->xe = xenevtchn_open(&p->log.vtable, 0);
	if (!p->xe)
		return ism_xen_errno();
	/* So that evtchn_pending says EAGAIN instead of blocking. */
	fd = xenevtchn_fd(p->xe);
	fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return ism_xen_errno();
	return 0;
}

/* Opens @part of @p; 0 or a negative errno. */
static int ism_xen_open_part(struct ism_platform *p, unsigned int part,
			     const char *device)
{
	switch (part) {
	case ISM_PLATFORM_XEN_XENSTORE:
		p->xs = xs_open(0);
		return p->xs ? 0 : ism_xen_errno();
	case ISM_PLATFORM_XEN_PAGES:
		return ism_xen_open_pages(p, device);
	case ISM_PLATFORM_XEN_GNTTAB:
		p->gt = xengnttab_open(&p->log.vtable, 0);
		return p->gt ? 0 : ism_xen_errno();
	case ISM_PLATFORM_XEN_EVTCHN:
		return ism_xen_open_evtchn(p);
	case ISM_PLATFORM_XEN_CTRL:
		p->xc = xc_interface_open(&p->log.vtable, &p->log.vtable, 0);
		return p->xc ? 0 : ism_xen_errno();
	}
	return -EINVAL;
}

void ism_platform_xen_close(struct ism_platform *p)
{
	struct ism_xen_pages *s;
	struct ism_xen_map *m;

	if (!p)
		return;
	while ((m = p->maps)) {
		p->maps = m->next;
		xengnttab_unmap(p->gt, m->addr, 1);
		free(m);
	}
	while ((s = p->pages)) {
		p->pages = s->next;
		if (s->addr)
			munmap(s->addr, (size_t)s->count * ISM_PAGE_SIZE);
		free(s);
	}
	/*
	 * Closing the helper ends every grant and frees every page, unless
	 * ism_platform_xen_keep() kept them for a successor to adopt.
	 */
	if (p->gnt_fd >= 0)
		close(p->gnt_fd);
	if (p->gt)
		xengnttab_close(p->gt);
	if (p->xe)
		xenevtchn_close(p->xe);
	if (p->xc)
		xc_interface_close(p->xc);
	xs_close(p->xs);
	free(p->ports);
	free(p);
}

int ism_platform_xen_open(const struct ism_platform_xen_config *cfg,
			  struct ism_platform **p_out)
{
	static const unsigned int order[] = {
		ISM_PLATFORM_XEN_XENSTORE, ISM_PLATFORM_XEN_PAGES,
		ISM_PLATFORM_XEN_GNTTAB,   ISM_PLATFORM_XEN_EVTCHN,
		ISM_PLATFORM_XEN_CTRL,
	};
	unsigned int parts = cfg ? cfg->parts : ISM_PLATFORM_XEN_ALL;
	const char *device = cfg && cfg->gnt_device ? cfg->gnt_device :
						      XEN_ISM_GNT_DEVICE;
	struct ism_platform *p;
	unsigned int i;
	int rc;

	if (cfg && cfg->failed_part_out)
		*cfg->failed_part_out = 0;
	if (!p_out || !parts || (parts & ~ISM_PLATFORM_XEN_ALL))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->gnt_fd = -1;
	p->asked = parts;
	p->log.vtable.vmessage = ism_xen_log_vmessage;
	p->log.vtable.progress = ism_xen_log_progress;
	p->log.vtable.destroy = ism_xen_log_destroy;
	if (cfg) {
		p->log.fn = cfg->log;
		p->log.arg = cfg->log_arg;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(parts & order[i]))
			continue;
		rc = ism_xen_open_part(p, order[i], device);
		if (rc && order[i] == ISM_PLATFORM_XEN_CTRL)
			continue; /* a driver domain: domain_info says EPERM */
		if (rc) {
			if (cfg && cfg->failed_part_out)
				*cfg->failed_part_out = order[i];
			goto err_close;
		}
		p->parts |= order[i];
	}
	*p_out = p;
	return 0;

err_close:
	ism_platform_xen_close(p);
	return rc;
}

int ism_platform_xen_grant_table(struct ism_platform *p, uint32_t *table_out,
				 uint32_t *helper_out)
{
	struct xen_ism_gnt_info info;

	if (!p || p->gnt_fd < 0)
		return -ENODEV;
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_INFO, &info))
		return ism_xen_errno();
	*table_out = info.table_grants;
	*helper_out = info.max_grants;
	return 0;
}

int ism_platform_xen_keep(struct ism_platform *p, bool keep)
{
	uint32_t on = keep;

	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_KEEP, &on))
		return ism_xen_errno();
	return 0;
}

int ism_platform_xen_adopt(struct ism_platform *p)
{
	ISM_XEN_ENTER(p, ISM_PLATFORM_XEN_PAGES);
	if (ioctl(p->gnt_fd, XEN_ISM_GNT_IOC_ADOPT))
		return ism_xen_errno();
	return 0;
}

unsigned int ism_platform_xen_parts(const struct ism_platform *p)
{
	return p ? p->parts : 0;
}

const char *ism_platform_xen_part_name(unsigned int part)
{
	switch (part) {
	case ISM_PLATFORM_XEN_XENSTORE:
		return "xenstore";
	case ISM_PLATFORM_XEN_GNTTAB:
		return "grant table device";
	case ISM_PLATFORM_XEN_EVTCHN:
		return "event channel device";
	case ISM_PLATFORM_XEN_PAGES:
		return "grant helper";
	case ISM_PLATFORM_XEN_CTRL:
		return "hypervisor control interface";
	}
	return NULL;
}
