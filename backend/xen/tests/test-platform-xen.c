/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-platform-xen.c - what of the real platform can be checked without
 * Xen: the ops table, argument checks, -ENODEV for parts not opened,
 * random(), and that opening a part whose device is absent fails cleanly
 * with -ENOENT and names the part.  Where the host has the device (it runs
 * Xen), that check is skipped with the reason: the lab covers it.  The
 * region page ops run over a fake grant helper (below).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "tap.h"
#include "platform-xen.h"
/* Not on this test's include path (backend/xen/local.mk): by its place. */
#include "xen-ism-gnt.h"

TAP_MAIN;

/*
 * ---- A fake grant helper ---------------------------------------------------
 *
 * This program defines ioctl() and mmap(), so the platform's calls (its
 * library is linked in) reach them before the C library's.  On the fake
 * helper's file, a regular file in a temporary directory, they answer as
 * the grant helper does, from the state below; on any other file they pass
 * the call on.  That checks what the platform makes of the helper's
 * answers (page handles, runs, retries, refusals) without Xen; the lab
 * checks the helper itself.
 */
#define FAKE_PAGE 4096u
#define FAKE_MAX 64u /* pages and grants it holds at most */
#define FAKE_FILE_PAGES 64u /* the file's size: the indexes mmap maps */
/* The checks of check_fake_helper(), of which check_fake_adopt()'s. */
#define FAKE_ADOPT_CHECKS 11
#define FAKE_CHECKS (3 + 14 + FAKE_ADOPT_CHECKS)

struct fake_grant {
	uint32_t ref;
	uint64_t index;
	uint16_t domid;
	uint16_t flags;
};

static struct {
	dev_t dev;
	ino_t ino;
	uint64_t pages[FAKE_MAX]; /* ascending */
	unsigned int np;
	struct fake_grant grants[FAKE_MAX]; /* ascending refs */
	unsigned int ng;
	uint64_t next_index;
	uint32_t next_ref;
	unsigned int lists; /* LIST calls so far */
	unsigned int grow_at; /* LIST call that first gains a page */
	uint32_t keep; /* the last KEEP */
	bool used; /* ALLOC was called: ADOPT says EBUSY */
	bool kept; /* what it holds was kept: ADOPT says 0 once */
} fake;

static bool fake_is(int fd)
{
	struct stat st;

	return fake.ino && !fstat(fd, &st) && st.st_dev == fake.dev &&
	       st.st_ino == fake.ino;
}

static int fake_find_page(uint64_t index)
{
	for (unsigned int i = 0; i < fake.np; i++) {
		if (fake.pages[i] == index)
			return (int)i;
	}
	return -1;
}

static int fake_find_grant(uint32_t ref)
{
	for (unsigned int i = 0; i < fake.ng; i++) {
		if (fake.grants[i].ref == ref)
			return (int)i;
	}
	return -1;
}

/* Adds page @index (not held yet) in order; false when full. */
static bool fake_add_page(uint64_t index)
{
	unsigned int i = fake.np;

	if (fake.np == FAKE_MAX)
		return false;
	while (i > 0 && fake.pages[i - 1] > index) {
		fake.pages[i] = fake.pages[i - 1];
		i--;
	}
	fake.pages[i] = index;
	fake.np++;
	return true;
}

static uint32_t fake_add_grant(uint64_t index, uint16_t domid, uint16_t flags)
{
	fake.grants[fake.ng++] = (struct fake_grant){
		.ref = fake.next_ref,
		.index = index,
		.domid = domid,
		.flags = flags,
	};
	return fake.next_ref++;
}

static void fake_reset(void)
{
	fake.np = 0;
	fake.ng = 0;
	fake.next_index = 0;
	fake.next_ref = 8;
	fake.lists = 0;
	fake.grow_at = 0;
	fake.keep = 0;
	fake.used = false;
	fake.kept = false;
}

static int fake_fail(int err)
{
	errno = err;
	return -1;
}

static int fake_list(struct xen_ism_gnt_list *l)
{
	uint64_t *pages = (uint64_t *)(uintptr_t)l->pages;
	struct xen_ism_gnt_held *held =
		(struct xen_ism_gnt_held *)(uintptr_t)l->grants;
	unsigned int i;

	if (++fake.lists == fake.grow_at)
		fake_add_page(fake.next_index++);
	for (i = 0; i < fake.np && i < l->pages_cap; i++)
		pages[i] = fake.pages[i];
	for (i = 0; i < fake.ng && i < l->grants_cap; i++)
		held[i] = (struct xen_ism_gnt_held){
			.index = fake.grants[i].index,
			.ref = fake.grants[i].ref,
			.domid = fake.grants[i].domid,
			.flags = fake.grants[i].flags,
		};
	l->nr_pages = fake.np;
	l->nr_grants = fake.ng;
	return fake.np > l->pages_cap || fake.ng > l->grants_cap ?
		       fake_fail(EOVERFLOW) :
		       0;
}

static int fake_alloc(struct xen_ism_gnt_alloc *a)
{
	if (!a->count || fake.np + a->count > FAKE_MAX)
		return fake_fail(a->count ? EDQUOT : EINVAL);
	a->index = fake.next_index;
	for (unsigned int i = 0; i < a->count; i++)
		fake_add_page(fake.next_index++);
	fake.used = true;
	return 0;
}

static int fake_grant(const struct xen_ism_gnt_grant *g)
{
	uint32_t *refs = (uint32_t *)(uintptr_t)g->refs;

	if (fake.ng + g->count > FAKE_MAX)
		return fake_fail(EDQUOT);
	for (unsigned int i = 0; i < g->count; i++) {
		if (fake_find_page(g->index + i) < 0)
			return fake_fail(ENOENT);
	}
	for (unsigned int i = 0; i < g->count; i++)
		refs[i] = fake_add_grant(g->index + i, g->domid, g->flags);
	return 0;
}

static int fake_end(const struct xen_ism_gnt_end *e)
{
	struct xen_ism_gnt_ref *refs =
		(struct xen_ism_gnt_ref *)(uintptr_t)e->refs;
	bool missing = false;

	for (unsigned int i = 0; i < e->count; i++) {
		int k = fake_find_grant(refs[i].ref);

		refs[i].status = k < 0 ? -ENOENT : 0;
		missing |= k < 0;
		if (k >= 0)
			memmove(&fake.grants[k], &fake.grants[k + 1],
				(--fake.ng - (unsigned int)k) *
					sizeof(fake.grants[0]));
	}
	return missing ? fake_fail(ENOENT) : 0;
}

static int fake_free(const struct xen_ism_gnt_free *f)
{
	for (unsigned int i = 0; i < f->count; i++) {
		if (fake_find_page(f->index + i) < 0)
			return fake_fail(ENOENT);
		for (unsigned int k = 0; k < fake.ng; k++) {
			if (fake.grants[k].index == f->index + i)
				return fake_fail(EBUSY);
		}
	}
	for (unsigned int i = 0; i < f->count; i++) {
		int k = fake_find_page(f->index + i);

		memmove(&fake.pages[k], &fake.pages[k + 1],
			(--fake.np - (unsigned int)k) * sizeof(fake.pages[0]));
	}
	return 0;
}

static int fake_ioctl(unsigned long req, void *arg)
{
	struct xen_ism_gnt_info *info = arg;

	switch (req) {
	case XEN_ISM_GNT_IOC_INFO:
		*info = (struct xen_ism_gnt_info){
			.pages = fake.np,
			.grants = fake.ng,
			.max_pages = FAKE_MAX,
			.max_grants = FAKE_MAX,
			.table_grants = 32768,
		};
		return 0;
	case XEN_ISM_GNT_IOC_LIST:
		return fake_list(arg);
	case XEN_ISM_GNT_IOC_ALLOC:
		return fake_alloc(arg);
	case XEN_ISM_GNT_IOC_GRANT:
		return fake_grant(arg);
	case XEN_ISM_GNT_IOC_END:
		return fake_end(arg);
	case XEN_ISM_GNT_IOC_FREE:
		return fake_free(arg);
	case XEN_ISM_GNT_IOC_KEEP:
		fake.keep = *(uint32_t *)arg;
		return 0;
	case XEN_ISM_GNT_IOC_ADOPT:
		if (fake.used)
			return fake_fail(EBUSY);
		if (!fake.kept)
			return fake_fail(ENOENT);
		fake.kept = false;
		return 0;
	}
	return fake_fail(ENOTTY);
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	/* ADOPT passes no argument: this reads one that is not used. */
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fake_is(fd))
		return fake_ioctl(req, arg);
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "ioctl");
	return next ? next(fd, req, arg) : fake_fail(ENOSYS);
}

/* The helper's mmap: ENOENT for a page it does not hold. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	static void *(*next)(void *, size_t, int, int, int, off_t);

	if (fd >= 0 && fake_is(fd)) {
		for (size_t i = 0; i < len / FAKE_PAGE; i++) {
			if (fake_find_page((uint64_t)off / FAKE_PAGE + i) < 0) {
				errno = ENOENT;
				return MAP_FAILED;
			}
		}
	}
	if (!next)
		*(void **)&next = dlsym(RTLD_NEXT, "mmap");
	if (!next) {
		errno = ENOSYS;
		return MAP_FAILED;
	}
	return next(addr, len, prot, flags, fd, off);
}

static const struct ism_platform_ops *ops = &ism_platform_xen_ops;

/* What the libraries reported through the log function. */
static unsigned int lib_lines;
static int lib_level;
static char lib_line[256];

static void lib_log(void *arg, int level, const char *msg)
{
	(void)arg;
	lib_lines++;
	lib_level = level;
	snprintf(lib_line, sizeof(lib_line), "%s", msg);
}

/* Open only @parts, with @device for the grant helper. */
static int open_parts(unsigned int parts, const char *device,
		      unsigned int *failed, struct ism_platform **p)
{
	struct ism_platform_xen_config cfg = {
		.parts = parts,
		.gnt_device = device,
		.failed_part_out = failed,
		.log = lib_log,
	};

	return ism_platform_xen_open(&cfg, p);
}

/* An absent device: the part fails with -ENOENT and is named. */
static void check_absent(unsigned int part, const char *dev, const char *what)
{
	struct ism_platform *p = NULL;
	unsigned int failed = 99;
	char why[160];
	int rc;

	if (dev && !access(dev, F_OK)) {
		snprintf(why, sizeof(why),
			 "%s exists: this host runs Xen (the lab tests it)",
			 dev);
		tap_skip(2, why);
		return;
	}
	rc = open_parts(part, NULL, &failed, &p);
	tap_is_int(rc, -ENOENT, "%s absent: open fails with -ENOENT", what);
	tap_is_int(failed, part, "%s absent: the failed part is named", what);
	if (!rc)
		ism_platform_xen_close(p);
}

/* Creates the fake helper's file in @dir; its path goes to @path. */
static bool fake_create(const char *dir, char *path, size_t size)
{
	struct stat st;
	int fd;
	bool ok;

	snprintf(path, size, "%s/ism-gnt", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	ok = !ftruncate(fd, (off_t)FAKE_FILE_PAGES * FAKE_PAGE) &&
	     !fstat(fd, &st);
	close(fd);
	fake.dev = st.st_dev;
	fake.ino = ok ? st.st_ino : 0;
	fake_reset();
	return ok;
}

/* Whether @l is exactly @nruns runs @runs (handle, count pairs). */
static bool list_runs_are(const struct ism_pages_list *l, unsigned int nruns,
			  const uint32_t *runs)
{
	if (!l || l->nruns != nruns || (void *)l->runs != (void *)(l + 1) ||
	    (void *)l->grants != (void *)(l->runs + l->nruns))
		return false;
	for (unsigned int i = 0; i < nruns; i++) {
		if (l->runs[i].handle != runs[2 * i] ||
		    l->runs[i].count != runs[2 * i + 1])
			return false;
	}
	return true;
}

/* Whether @l lists grant @gref of page @page to @domid, @readonly. */
static bool list_has_grant(const struct ism_pages_list *l, uint32_t gref,
			   uint32_t page, uint16_t domid, bool readonly)
{
	for (unsigned int i = 0; l && i < l->ngrants; i++) {
		if (l->grants[i].gref == gref)
			return l->grants[i].page == page &&
			       l->grants[i].domid == domid &&
			       l->grants[i].readonly == readonly;
	}
	return false;
}

/* Sets made by pages_alloc: handles, the list, adopt's refusals. */
static void check_fake_pages(struct ism_platform *p)
{
	const uint32_t runs5[] = { 1, 5 }, runs_top[] = { 1, 5, UINT32_MAX, 1 };
	struct ism_pages_list *l = NULL;
	uint32_t h1 = 0, h2 = 0, htop = 0, refs[3] = { 0 };
	unsigned char *a1 = NULL;
	void *addr = NULL;
	int rc;

	tap_ok(!ops->pages_alloc(p, 3, &h1, (void **)&a1) && h1 == 1 && a1,
	       "pages_alloc: the first set's handle is its helper index + 1");
	rc = ops->pages_alloc(p, 2, &h2, NULL);
	tap_ok(!rc && h2 == 4,
	       "pages_alloc: the next set's handle follows its pages (%u)", h2);
	tap_ok(!ops->pages_grant(p, h1, 1, 2, 5, true, refs) &&
		       !ops->pages_grant(p, h2, 0, 1, 6, false, &refs[2]),
	       "pages_grant of both sets");
	tap_ok(!ops->pages_list(p, &l) && list_runs_are(l, 1, runs5) &&
		       l->ngrants == 3 &&
		       list_has_grant(l, refs[0], 2, 5, true) &&
		       list_has_grant(l, refs[1], 3, 5, true) &&
		       list_has_grant(l, refs[2], 4, 6, false),
	       "pages_list: one run of handles 1..5, grants with page handles, "
	       "domids and read-only");
	free(l);
	l = NULL;

	tap_is_int(ops->pages_adopt(p, 1, 0, NULL), -EINVAL,
		   "pages_adopt of 0 pages: -EINVAL");
	tap_is_int(ops->pages_adopt(p, 1, XEN_ISM_GNT_MAX_PAGES + 1, NULL),
		   -EINVAL, "pages_adopt of too many pages: -EINVAL");
	tap_is_int(ops->pages_adopt(p, UINT32_MAX, 2, NULL), -EINVAL,
		   "pages_adopt past the last handle: -EINVAL");
	tap_is_int(ops->pages_adopt(p, 0, 1, NULL), -ENOENT,
		   "pages_adopt of handle 0: -ENOENT");
	tap_ok(ops->pages_adopt(p, 3, 1, NULL) == -EEXIST &&
		       ops->pages_adopt(p, 5, 2, &addr) == -EEXIST,
	       "pages_adopt of pages in a set already taken: -EEXIST");
	tap_ok(ops->pages_adopt(p, 6, 1, NULL) == -ENOENT &&
		       ops->pages_adopt(p, 6, 1, &addr) == -ENOENT,
	       "pages_adopt of pages the helper does not hold: -ENOENT "
	       "(listed, or mapped)");

	/* The helper's index must leave room for the handles. */
	fake.next_index = UINT32_MAX - 1;
	tap_ok(ops->pages_alloc(p, 2, &htop, NULL) == -ENOSPC && fake.np == 5,
	       "pages_alloc whose handles would pass UINT32_MAX: -ENOSPC, "
	       "pages freed");
	fake.next_index = UINT32_MAX - 1;
	tap_ok(!ops->pages_alloc(p, 1, &htop, NULL) && htop == UINT32_MAX &&
		       !ops->pages_list(p, &l) && list_runs_are(l, 2, runs_top),
	       "pages_alloc of the last handle, listed as its own run");
	free(l);
	l = NULL;
	tap_is_int(ops->pages_free(p, htop), 0, "  and freed");

	/* The totals grow between two LISTs: the platform asks again. */
	fake.next_index = 5;
	fake.grow_at = fake.lists + 2;
	tap_ok(!ops->pages_list(p, &l) && l->nruns == 1 &&
		       l->runs[0].count == 6 && fake.lists == fake.grow_at + 1,
	       "pages_list asks again when the helper's totals grew");
	free(l);
}

/*
 * A restart: the helper holds what a platform before kept (helper pages
 * 10 .. 13, three grants); a new platform adopts it and takes the pages in
 * two sets, one mapped, keeping their contents.
 */
static void check_fake_adopt(const char *path)
{
	const uint32_t runs[] = { 11, 4 };
	struct ism_pages_list *l = NULL;
	struct ism_platform *p = NULL;
	uint32_t g[3], gref = 0, st_refs[3];
	unsigned char byte = 0x5a, *m = NULL;
	int st[3], fd;
	bool ok;

	fake_reset();
	for (uint64_t i = 10; i < 14; i++)
		fake_add_page(i);
	g[0] = fake_add_grant(10, 3, 0);
	g[1] = fake_add_grant(11, 3, XEN_ISM_GNT_READONLY);
	g[2] = fake_add_grant(13, 4, 0);
	fake.next_index = 14;
	fake.kept = true;
	fd = open(path, O_RDWR | O_CLOEXEC);
	ok = fd >= 0 && pwrite(fd, &byte, 1, 11 * FAKE_PAGE + 7) == 1;
	if (fd >= 0)
		close(fd);

	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, path, NULL, &p), 0,
		   "a new platform opens the (fake) helper");
	if (!p) {
		tap_skip(FAKE_ADOPT_CHECKS - 1, "no platform");
		return;
	}
	tap_is_int(ism_platform_xen_adopt(p), 0,
		   "ism_platform_xen_adopt: the kept set is adopted");
	tap_is_int(ism_platform_xen_adopt(p), -ENOENT,
		   "ism_platform_xen_adopt with none waiting: -ENOENT");
	tap_ok(!ops->pages_list(p, &l) && list_runs_are(l, 1, runs) &&
		       l->ngrants == 3 &&
		       list_has_grant(l, g[0], 11, 3, false) &&
		       list_has_grant(l, g[1], 12, 3, true) &&
		       list_has_grant(l, g[2], 14, 4, false),
	       "pages_list: what was kept, as page handles (index + 1)");
	free(l);
	tap_ok(ok && !ops->pages_adopt(p, 11, 2, (void **)&m) && m &&
		       m[FAKE_PAGE + 7] == byte,
	       "pages_adopt of pages 11, 12, mapped: their contents kept");
	tap_ok(!ops->pages_adopt(p, 13, 2, NULL) &&
		       ops->pages_adopt(p, 12, 1, NULL) == -EEXIST,
	       "pages_adopt of pages 13, 14 unmapped; a taken page: -EEXIST");
	tap_ok(!ops->pages_grant(p, 11, 1, 1, 7, false, &gref) &&
		       fake.grants[fake.ng - 1].index == 11,
	       "pages_grant on an adopted set grants its helper pages");
	memcpy(st_refs, g, sizeof(g));
	tap_ok(!ops->pages_end_grants(p, st_refs, 3, st) &&
		       !ops->pages_end_grants(p, &gref, 1, st) && !fake.ng,
	       "pages_end_grants ends the listed grants and the new one");
	tap_ok(!ops->pages_free(p, 11) && !ops->pages_free(p, 13) && !fake.np,
	       "pages_free of the adopted sets");
	tap_ok(!ism_platform_xen_keep(p, true) && fake.keep == 1 &&
		       !ism_platform_xen_keep(p, false) && !fake.keep,
	       "ism_platform_xen_keep passes KEEP 1 and 0");
	ism_platform_xen_close(p);

	/* A platform that made pages cannot adopt. */
	fake_reset();
	fake.kept = true;
	p = NULL;
	tap_ok(!open_parts(ISM_PLATFORM_XEN_PAGES, path, NULL, &p) &&
		       !ops->pages_alloc(p, 1, &gref, NULL) &&
		       ism_platform_xen_adopt(p) == -EBUSY,
	       "ism_platform_xen_adopt after pages_alloc: -EBUSY");
	ism_platform_xen_close(p);
}

/* The region page ops over the fake grant helper. */
static void check_fake_helper(void)
{
	char dir[] = "/tmp/ism-fake-XXXXXX", path[64];
	struct ism_platform *p = NULL;
	struct ism_pages_list *l = NULL;

	if (!mkdtemp(dir) || !fake_create(dir, path, sizeof(path))) {
		tap_diag("fake helper: %s", strerror(errno));
		tap_skip(FAKE_CHECKS, "cannot create the fake helper's file");
		return;
	}
	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, path, NULL, &p), 0,
		   "the platform opens the fake helper");
	if (p) {
		tap_ok(!ops->pages_list(p, &l) && l && !l->nruns && !l->ngrants,
		       "pages_list of nothing: no run, no grant");
		free(l);
		tap_is_int(ops->pages_list(p, NULL), -EINVAL,
			   "pages_list without list_out: -EINVAL");
		check_fake_pages(p);
		ism_platform_xen_close(p);
	} else {
		tap_skip(FAKE_CHECKS - 1 - FAKE_ADOPT_CHECKS, "no platform");
	}
	check_fake_adopt(path);
	fake.ino = 0;
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	unsigned char a[256], b[256], zero[256] = { 0 };
	struct ism_platform *p = NULL;
	struct ism_domain_info info;
	unsigned int failed = 99;
	char dir[] = "/tmp/ism-plat-XXXXXX", absent[64];
	struct ism_pages_list *list = NULL;
	void *addr;
	uint32_t u32;
	int st;
	uint16_t domid;
	char *val;
	size_t len;
	int rc;

	tap_plan(39 + 5 + FAKE_CHECKS);

	tap_ok(ism_platform_ops_is_complete(ops), "the ops table is complete");

	/* Arguments of open. */
	tap_is_int(ism_platform_xen_open(NULL, NULL), -EINVAL,
		   "open without p_out is refused");
	tap_is_int(open_parts(0, NULL, &failed, &p), -EINVAL,
		   "open of no part is refused");
	tap_is_int(failed, 0, "a bad argument names no part");
	tap_is_int(open_parts(0x40, NULL, NULL, &p), -EINVAL,
		   "an unknown part is refused");

	/* The grant helper: absent, and a device that is not it. */
	if (!mkdtemp(dir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return 1;
	}
	snprintf(absent, sizeof(absent), "%s/ism-gnt", dir);
	failed = 99;
	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, absent, &failed, &p),
		   -ENOENT, "grant helper absent: -ENOENT");
	tap_is_int(failed, ISM_PLATFORM_XEN_PAGES,
		   "grant helper absent: the failed part is named");
	failed = 99;
	tap_is_int(open_parts(ISM_PLATFORM_XEN_PAGES, "/dev/null", &failed, &p),
		   -ENOTTY, "/dev/null is not the grant helper: -ENOTTY");
	tap_is_int(failed, ISM_PLATFORM_XEN_PAGES,
		   "not the grant helper: the failed part is named");
	rmdir(dir);

	/*
	 * Xenstore: libxenstore tries $XENSTORED_PATH for both the socket
	 * and the device, so pointing it at nothing checks the failure on
	 * any host.
	 */
	setenv("XENSTORED_PATH", absent, 1);
	failed = 99;
	rc = open_parts(ISM_PLATFORM_XEN_XENSTORE | ISM_PLATFORM_XEN_CTRL, NULL,
			&failed, &p);
	tap_is_int(rc, -ENOENT, "xenstore absent: open fails with -ENOENT");
	tap_is_int(failed, ISM_PLATFORM_XEN_XENSTORE,
		   "xenstore absent: the failed part is named");
	unsetenv("XENSTORED_PATH");

	check_absent(ISM_PLATFORM_XEN_GNTTAB, "/dev/xen/gntdev",
		     "/dev/xen/gntdev");
	check_absent(ISM_PLATFORM_XEN_EVTCHN, "/dev/xen/evtchn",
		     "/dev/xen/evtchn");

	/* Control alone always opens: it is optional. */
	p = NULL;
	rc = open_parts(ISM_PLATFORM_XEN_CTRL, NULL, NULL, &p);
	tap_is_int(rc, 0, "the control part alone opens, privcmd or not");
	if (rc)
		return tap_done();
	if (access("/dev/xen/privcmd", F_OK) &&
	    access("/proc/xen/privcmd", F_OK)) {
		tap_is_int(ism_platform_xen_parts(p), 0,
			   "no privcmd: the control part is not open");
		tap_is_int(
			ops->domain_info(p, 1, &info), -EPERM,
			"no privcmd: domain_info says -EPERM (use xenstore)");
		tap_ok(lib_lines > 0 && lib_level == LOG_ERR && *lib_line,
		       "libxenctrl's error reached the log function: \"%s\"",
		       lib_line);
	} else {
		tap_skip(3, "privcmd exists: this host runs Xen (the lab "
			    "tests domain_info)");
	}
	tap_is_int(ops->domain_info(p, 1, NULL), -EINVAL,
		   "domain_info without info_out is refused");

	/* Ops of parts that are not open. */
	tap_is_int(ops->local_domid(p, &domid), -ENODEV,
		   "local_domid without xenstore: -ENODEV");
	tap_is_int(ops->xs_read(p, ISM_XS_NO_TX, "domid", &val, &len), -ENODEV,
		   "xs_read without xenstore: -ENODEV");
	tap_is_int(ops->xs_fd(p), -ENODEV, "xs_fd without xenstore: -ENODEV");
	tap_is_int(ops->pages_alloc(p, 1, &u32, &addr), -ENODEV,
		   "pages_alloc without the helper: -ENODEV");
	tap_is_int(ops->pages_grant(p, 1, 0, 1, 1, false, &u32), -ENODEV,
		   "pages_grant without the helper: -ENODEV");
	u32 = 8;
	tap_is_int(ops->pages_end_grants(p, &u32, 1, &st), -ENODEV,
		   "pages_end_grants without the helper: -ENODEV");
	tap_is_int(ops->pages_list(p, &list), -ENODEV,
		   "pages_list without the helper: -ENODEV");
	tap_is_int(ops->pages_adopt(p, 1, 1, &addr), -ENODEV,
		   "pages_adopt without the helper: -ENODEV");
	tap_is_int(ism_platform_xen_keep(p, true), -ENODEV,
		   "ism_platform_xen_keep without the helper: -ENODEV");
	tap_is_int(ism_platform_xen_adopt(p), -ENODEV,
		   "ism_platform_xen_adopt without the helper: -ENODEV");
	tap_is_int(ops->gnt_map(p, 1, 8, &addr), -ENODEV,
		   "gnt_map without gnttab: -ENODEV");
	tap_is_int(ops->evtchn_fd(p), -ENODEV,
		   "evtchn_fd without evtchn: -ENODEV");
	tap_is_int(ops->evtchn_pending(p, &u32), -ENODEV,
		   "evtchn_pending without evtchn: -ENODEV");

	/* Random. */
	tap_is_int(ops->random(p, a, 257), -EINVAL, "random over 256: -EINVAL");
	tap_is_int(ops->random(p, NULL, 1), -EINVAL,
		   "random into NULL: -EINVAL");
	tap_is_int(ops->random(p, NULL, 0), 0, "random of nothing: 0");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	tap_ok(!ops->random(p, a, sizeof(a)) && !ops->random(p, b, sizeof(b)),
	       "random of 256 bytes twice");
	tap_ok(memcmp(a, zero, sizeof(a)) && memcmp(a, b, sizeof(a)),
	       "random bytes are not zero and differ between calls");
	ism_platform_xen_close(p);

	/* No platform at all. */
	tap_is_int(ops->random(NULL, a, 8), -EINVAL, "random(NULL): -EINVAL");
	tap_is_int(ops->xs_rm(NULL, ISM_XS_NO_TX, "x"), -EINVAL,
		   "xs_rm(NULL): -EINVAL");
	tap_is_int(ops->domain_info(NULL, 0, &info), -EINVAL,
		   "domain_info(NULL): -EINVAL");
	tap_ok(ops->pages_list(NULL, &list) == -EINVAL &&
		       ops->pages_adopt(NULL, 1, 1, NULL) == -EINVAL &&
		       ism_platform_xen_keep(NULL, false) == -EINVAL &&
		       ism_platform_xen_adopt(NULL) == -EINVAL,
	       "pages_list, pages_adopt, keep and adopt of NULL: -EINVAL");
	ism_platform_xen_close(NULL);

	check_fake_helper();

	tap_is_str(ism_platform_xen_part_name(ISM_PLATFORM_XEN_PAGES),
		   "grant helper", "parts have names");
	tap_ok(!ism_platform_xen_part_name(ISM_PLATFORM_XEN_ALL),
	       "a set of parts has no name");
	return tap_done();
}
