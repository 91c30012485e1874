// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-kfront-ioctl - /dev/xen-ism's user interface (xen-ism-dev.h) driven
 * with raw ioctl(), mmap(), read() and poll(), for the kfront-ioctl
 * scenario: every request and its refusals, beside what libxenism uses.
 * Run as a user of group xen-ism.
 *
 *   lab-kfront-ioctl outsider
 *	open() is refused with EACCES (for a user outside the group).
 *   lab-kfront-ioctl owner SELF PEER DEVID
 *	BIND and DEV_INFO; bad input (unknown ioctls, reserved fields,
 *	bad handles, mmap offsets and lengths, short reads); ALLOC,
 *	REGION_INFO, SET_PERM, mmap of the region and of its doorbell,
 *	PUBLISH "kio" for dom0 then for domain
 *	PEER; a second file of the device; then with the peer: PEER_ATTACHED, the peer's update,
 *	the fast path it brings up, NOTIFY, PEER_DETACHED, WANT reporting an update that was not
 *	signalled, the peer's read-only attach, each seen in the mapped
 *	doorbell too; FREE (EBUSY while the region or the doorbell is mapped);
 *	once /tmp/kio-unpublish exists, UNPUBLISH.
 *   lab-kfront-ioctl peer SELF OWNER DEVID
 *	LOOKUP "kio" from domain OWNER, ATTACH by name (no fast path before
 *	an update), WANT, NOTIFY with FORCE, the owner's update (the fast
 *	path up), a NOTIFY that is not signalled, FREE and
 *	SET_PERM refused (no MANAGE), DETACH (EBUSY while mapped), ATTACH
 *	by token read-only.
 *   lab-kfront-ioctl gone SELF DEVID
 *	two regions, one mapped; /tmp/kio-ready once they are; then the
 *	backend closes the device: DEVICE_GONE once, the regions released.
 *
 * SELF, PEER and OWNER are domids, DEVID the ism device's id.  Prints one
 * "ok - ..." / "not ok - ..." line per check, named by its step, and
 * "# ..." lines for every event read; exits 1 if any check failed.  Every
 * wait is bounded by the clock.  Events are never dropped: what one
 * read() returns is kept until a wait takes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ismif.h"
#include "xen-ism-dev.h"
#include "lab-check.h"

#define SIZE 65536u /* the shared region */
#define HALF (SIZE / 2)
#define NAME "kio"
#define STRIDE ((unsigned long long)ISM_REGION_SIZE_LIMIT) /* mmap offsets */
#define BELLS (0x10000ull * STRIDE) /* doorbell offsets: this + handle pages */
#define READY_FILE "/tmp/kio-ready"
#define UNPUBLISH_FILE "/tmp/kio-unpublish"
/* Waits, in seconds: for the other guest, and for one step of it. */
#define WAIT_GUEST 300
#define WAIT_STEP 120
/* A token no region has (tokens are random 64-bit numbers). */
#define NO_TOKEN 0x0123456789abcdefull
/* A device id no device has. */
#define NO_DEVID 0x7ffffffeu

/* Patterns written into the region, each by one side at one step. */
enum { D1 = 11, R1 = 99, D2 = 33, R3 = 77 };

/* Requests that do not exist: another number, type, size or direction. */
struct wrong_size {
	char b[60];
};
#define BAD_IOC_NR _IO(XEN_ISM_IOC, 99)
#define BAD_IOC_TYPE _IOWR('x', 3, struct xen_ism_ioc_alloc)
#define BAD_IOC_SIZE _IOWR(XEN_ISM_IOC, 3, struct wrong_size)
#define BAD_IOC_DIR _IOR(XEN_ISM_IOC, 3, struct xen_ism_ioc_alloc)
#define BAD_IOC_HSIZE _IOW(XEN_ISM_IOC, 7, __u32)

static const struct {
	int e;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" },
	{ EINTR, "EINTR" },	    { ENXIO, "ENXIO" },
	{ EAGAIN, "EAGAIN" },	    { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },	    { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	    { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },	    { EINVAL, "EINVAL" },
	{ ENOTTY, "ENOTTY" },	    { EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },	    { EIDRM, "EIDRM" },
	{ EPROTO, "EPROTO" },	    { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ENOTCONN, "ENOTCONN" },   { ESHUTDOWN, "ESHUTDOWN" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { EALREADY, "EALREADY" },
	{ EXDEV, "EXDEV" },
};

/* "done" for 0, else the errno's name. */
static const char *ename(int rc)
{
	size_t i;

	if (!rc)
		return "done";
	if (rc > 0)
		return "1"; /* NOTIFY: counted, not signalled */
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == -rc)
			return errnames[i].name;
	return strerror(-rc);
}

/* One check of an answer: @rc (0, 1 or -errno) must be @want. */
static __attribute__((format(printf, 4, 5))) bool
expect(const char *step, int rc, int want, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc == want)
		check(true, "%s: %s: %s", step, what, ename(rc));
	else
		check(false, "%s: %s: got %s, want %s", step, what, ename(rc),
		      ename(want));
	return rc == want;
}

static int ioc(int fd, unsigned long req, void *arg)
{
	int rc = ioctl(fd, req, arg);

	return rc < 0 ? -errno : rc;
}

static int rd(int fd, void *buf, size_t len)
{
	return read(fd, buf, len) < 0 ? -errno : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* mmap() of @len at @off: 0 or -errno; the mapping in *@out if wanted. */
static int map(int fd, size_t len, int prot, int flags, unsigned long long off,
	       unsigned char **out)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	if (out)
		*out = p;
	else
		munmap(p, len);
	return 0;
}

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

/* The first octet of @p that is not the pattern of @seed, or -1. */
static long differs(const volatile unsigned char *p, size_t n,
		    unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return (long)i;
	return -1;
}

static void check_data(const char *step, const unsigned char *p, size_t n,
		       unsigned char seed, const char *what)
{
	long at = differs(p, n, seed);

	if (at < 0)
		check(true, "%s: %s (%zu octets)", step, what, n);
	else
		check(false, "%s: %s (%zu octets): octet %ld differs", step,
		      what, n, at);
}

/* Wait (clock) until @path exists. */
static bool file_wait(const char *path, int secs)
{
	double end = now() + secs;
	struct stat st;

	while (stat(path, &st)) {
		if (now() >= end)
			return false;
		nap_ms(100);
	}
	return true;
}

/* Events: what read() returned and no wait has taken yet. */

#define EVQ_MAX 64u
/* One read() asks for this many records, and half of one more. */
#define EV_READ 8u

struct evq {
	int fd;
	unsigned int n;
	struct xen_ism_ioc_event ev[EVQ_MAX];
};

static const char *evname(unsigned int type)
{
	switch (type) {
	case ISM_EVT_PEER_ATTACHED:
		return "PEER_ATTACHED";
	case ISM_EVT_PEER_DETACHED:
		return "PEER_DETACHED";
	case ISM_EVT_PEER_GONE:
		return "PEER_GONE";
	case ISM_EVT_REGION_RELEASED:
		return "REGION_RELEASED";
	case ISM_EVT_REGION_UPDATED:
		return "REGION_UPDATED";
	case XEN_ISM_EVT_DEVICE_GONE:
		return "DEVICE_GONE";
	default:
		return "unknown";
	}
}

/*
 * One read() of what is queued: 1 if records came (all kept), 0 if none
 * (EAGAIN: the file is O_NONBLOCK), -1 on a failure (reported).
 */
static int evq_fill(struct evq *q, const char *step)
{
	struct xen_ism_ioc_event ev[EV_READ + 1];
	const size_t rec = sizeof(ev[0]);
	ssize_t n;
	size_t i;

	n = read(q->fd, ev, EV_READ * rec + rec / 2);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n < 0) {
		check(false, "%s: read() of events: %s", step, ename(-errno));
		return -1;
	}
	if (n == 0 || n % rec) {
		check(false,
		      "%s: read() returned %zd octets, not whole records", step,
		      n);
		return -1;
	}
	for (i = 0; i < (size_t)n / rec; i++) {
		printf("# %s: event %s (%#x) handle %u token %016llx peer %u/%u status %d\n",
		       step, evname(ev[i].type), ev[i].type, ev[i].handle,
		       (unsigned long long)ev[i].token, ev[i].peer_devid,
		       ev[i].peer_domid, ev[i].status);
		if (q->n == EVQ_MAX) {
			check(false, "%s: more than %u events unread", step,
			      EVQ_MAX);
			return -1;
		}
		q->ev[q->n++] = ev[i];
	}
	fflush(stdout);
	return 1;
}

/* Take the first unread event of @type on @handle into @out, if any. */
static bool evq_take(struct evq *q, unsigned int type, unsigned int handle,
		     struct xen_ism_ioc_event *out)
{
	unsigned int i;

	for (i = 0; i < q->n; i++) {
		if (q->ev[i].type != type || q->ev[i].handle != handle)
			continue;
		*out = q->ev[i];
		memmove(&q->ev[i], &q->ev[i + 1],
			(q->n - i - 1) * sizeof(q->ev[0]));
		q->n--;
		return true;
	}
	return false;
}

/*
 * Wait up to @secs (clock) for an event of @type on @handle, reading
 * with poll() and read(); the others read meanwhile stay for later
 * waits.  One check line either way.
 */
static bool evq_wait(struct evq *q, unsigned int type, unsigned int handle,
		     int secs, const char *step, struct xen_ism_ioc_event *out)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	double end = now() + secs, left;
	int rc;

	for (;;) {
		if (evq_take(q, type, handle, out)) {
			check(true, "%s: %s read on handle %u", step,
			      evname(type), handle);
			return true;
		}
		left = end - now();
		if (left <= 0)
			break;
		rc = poll(&p, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			check(false, "%s: poll(): %s", step, ename(-errno));
			return false;
		}
		if (!rc)
			continue;
		if (!(p.revents & POLLIN)) {
			check(false, "%s: poll() gave revents %#x, not POLLIN",
			      step, p.revents);
			return false;
		}
		rc = evq_fill(q, step);
		if (rc < 0)
			return false;
		if (!rc) {
			check(false,
			      "%s: poll() reported POLLIN, then read() found no event",
			      step);
			return false;
		}
	}
	check(false,
	      "%s: no %s on handle %u within %d s (%u other events unread)",
	      step, evname(type), handle, secs, q->n);
	return false;
}

/* Nothing is left to read: none kept, poll() reports none, read() EAGAIN. */
static void evq_empty(struct evq *q, const char *step)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	struct xen_ism_ioc_event ev;
	int prc, rc;

	prc = poll(&p, 1, 0);
	rc = rd(q->fd, &ev, sizeof(ev));
	if (!rc)
		printf("# %s: event %s (%#x) handle %u left unread\n", step,
		       evname(ev.type), ev.type, ev.handle);
	check(!q->n && !prc && rc == -EAGAIN,
	      "%s: every event was expected: none kept (%u), poll() none (%d), read() EAGAIN (%s)",
	      step, q->n, prc, ename(rc));
}

/* The device. */

static int dev_open(const char *step)
{
	int fd = open(XEN_ISM_DEV_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	expect(step, fd < 0 ? -errno : 0, 0, "open %s", XEN_ISM_DEV_PATH);
	return fd;
}

/*
 * BIND @devid (0: the first connected device), trying again while it is
 * not there (ENODEV: the module connects the device after it loads).
 */
static int bind_wait(int fd, unsigned int devid, const char *step,
		     struct xen_ism_ioc_bind *b)
{
	double end = now() + WAIT_STEP;
	int rc;

	for (;;) {
		memset(b, 0, sizeof(*b));
		b->devid = devid;
		rc = ioc(fd, XEN_ISM_IOC_BIND, b);
		if (rc != -ENODEV || now() >= end)
			break;
		nap_ms(200);
	}
	expect(step, rc, 0, "BIND device %u (it answers devid %u)", devid,
	       b->devid);
	return rc;
}

/* Open and BIND the device @devid checking the answers; the file, or -1. */
static int dev_bind(const char *step, unsigned int self, unsigned int devid)
{
	struct xen_ism_ioc_dev_info di;
	struct xen_ism_ioc_bind b;
	int fd, rc;

	fd = dev_open(step);
	if (fd < 0)
		return -1;
	memset(&di, 0, sizeof(di));
	expect(step, ioc(fd, XEN_ISM_IOC_DEV_INFO, &di), -ENOTTY,
	       "DEV_INFO before BIND");
	if (bind_wait(fd, 0, step, &b))
		return -1;
	check(b.devid == devid, "%s: BIND 0 chose device %u (want %u)", step,
	      b.devid, devid);
	expect(step, ioc(fd, XEN_ISM_IOC_BIND, &b), -EALREADY, "BIND again");
	memset(&di, 0, sizeof(di));
	rc = ioc(fd, XEN_ISM_IOC_DEV_INFO, &di);
	expect(step, rc, 0,
	       "DEV_INFO: gid %016llx devid %u domid %u region-size %llu flags %#x",
	       (unsigned long long)di.gid, di.devid, di.domid,
	       (unsigned long long)di.region_size, di.flags);
	check(!rc && di.gid && di.devid == devid && di.domid == self &&
		      di.version == ISM_PROTOCOL_VERSION_INT &&
		      (di.flags & XEN_ISM_DEV_F_CONNECTED) &&
		      di.region_size >= SIZE && di.max_regions >= 3,
	      "%s: DEV_INFO: devid %u, domid %u, version %u, connected, a region of %u octets and 3 slots fit",
	      step, devid, self, ISM_PROTOCOL_VERSION_INT, SIZE);
	return fd;
}

static int slots_used(int fd)
{
	struct xen_ism_ioc_dev_info di;

	memset(&di, 0, sizeof(di));
	return ioc(fd, XEN_ISM_IOC_DEV_INFO, &di) ? -1 : (int)di.slots_used;
}

static int region_info(int fd, unsigned int handle,
		       struct xen_ism_ioc_region *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->handle = handle;
	return ioc(fd, XEN_ISM_IOC_REGION_INFO, ri);
}

/* Does REGION_INFO of @h show the fast path up within WAIT_STEP? */
static bool fast_path_wait(int fd, unsigned int h)
{
	struct xen_ism_ioc_region ri;
	double end = now() + WAIT_STEP;

	for (;;) {
		if (!region_info(fd, h, &ri) &&
		    (ri.flags & XEN_ISM_REGION_F_FAST_PATH))
			return true;
		if (now() >= end)
			return false;
		nap_ms(50);
	}
}

static int handle_op(int fd, unsigned long req, unsigned int handle,
		     unsigned int flags)
{
	struct xen_ism_ioc_handle h = { .handle = handle, .flags = flags };

	return ioc(fd, req, &h);
}

static int set_perm(int fd, unsigned int handle, unsigned int devid,
		    unsigned int perm, unsigned int flags)
{
	struct xen_ism_ioc_set_perm s = {
		.handle = handle,
		.peer_devid = devid,
		.perm = perm,
		.flags = flags,
	};

	return ioc(fd, XEN_ISM_IOC_SET_PERM, &s);
}

static int publish(int fd, unsigned long req, unsigned int handle,
		   unsigned int peer, const char *name)
{
	struct xen_ism_ioc_name nm;

	memset(&nm, 0, sizeof(nm));
	nm.handle = handle;
	nm.peer_domid = (__u16)peer;
	strncpy(nm.name, name, sizeof(nm.name) - 1);
	return ioc(fd, req, &nm);
}

/* An ATTACH by @name from domain @from, not sent. */
static void attach_req(struct xen_ism_ioc_attach *at, unsigned int from,
		       const char *name, unsigned int flags)
{
	memset(at, 0, sizeof(*at));
	at->from_domid = (__u16)from;
	at->flags = flags;
	strncpy(at->name, name, sizeof(at->name) - 1);
}

static int attach_name(int fd, unsigned int from, const char *name,
		       unsigned int flags, struct xen_ism_ioc_attach *at)
{
	attach_req(at, from, name, flags);
	return ioc(fd, XEN_ISM_IOC_ATTACH, at);
}

static int attach_token(int fd, unsigned long long token, unsigned int flags,
			struct xen_ism_ioc_attach *at)
{
	memset(at, 0, sizeof(*at));
	at->token = token;
	at->flags = flags;
	return ioc(fd, XEN_ISM_IOC_ATTACH, at);
}

static int lookup(int fd, unsigned int from, const char *name,
		  unsigned long long *token)
{
	struct xen_ism_ioc_lookup lk;
	int rc;

	memset(&lk, 0, sizeof(lk));
	lk.from_domid = (__u16)from;
	strncpy(lk.name, name, sizeof(lk.name) - 1);
	rc = ioc(fd, XEN_ISM_IOC_LOOKUP, &lk);
	if (token)
		*token = lk.token;
	return rc;
}

/* Requests refused before BIND, and requests that do not exist. */
static void bad_requests(const char *step, int bound_fd)
{
	unsigned char any[256];
	int fd;

	memset(any, 0, sizeof(any));
	fd = dev_open(step);
	if (fd >= 0) {
		expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, any), -ENOTTY,
		       "ALLOC before BIND");
		expect(step, ioc(fd, XEN_ISM_IOC_LOOKUP, any), -ENOTTY,
		       "LOOKUP before BIND");
		expect(step, ioc(fd, BAD_IOC_NR, any), -ENOTTY,
		       "ioctl number 99 before BIND");
		close(fd);
	}
	expect(step, ioc(bound_fd, BAD_IOC_NR, any), -ENOTTY,
	       "ioctl number 99");
	expect(step, ioc(bound_fd, BAD_IOC_TYPE, any), -ENOTTY,
	       "ALLOC's number under another ioctl type");
	expect(step, ioc(bound_fd, BAD_IOC_SIZE, any), -ENOTTY,
	       "ALLOC with a struct of 60 octets");
	expect(step, ioc(bound_fd, BAD_IOC_DIR, any), -ENOTTY,
	       "ALLOC as a read-only (_IOR) request");
	expect(step, ioc(bound_fd, BAD_IOC_HSIZE, any), -ENOTTY,
	       "NOTIFY with a struct of 4 octets");
}

/* BIND's refusals, on a file not bound yet. */
static void bad_bind(const char *step)
{
	struct xen_ism_ioc_bind b;
	int fd = dev_open(step);

	if (fd < 0)
		return;
	memset(&b, 0, sizeof(b));
	b.flags = 1;
	expect(step, ioc(fd, XEN_ISM_IOC_BIND, &b), -EINVAL,
	       "BIND with flags 1");
	memset(&b, 0, sizeof(b));
	b.devid = ISM_DEVID_MAX + 1;
	expect(step, ioc(fd, XEN_ISM_IOC_BIND, &b), -EINVAL,
	       "BIND device %#x (above ISM_DEVID_MAX)", b.devid);
	memset(&b, 0, sizeof(b));
	b.devid = NO_DEVID;
	expect(step, ioc(fd, XEN_ISM_IOC_BIND, &b), -ENODEV,
	       "BIND device %#x (no such device)", NO_DEVID);
	memset(&b, 0, sizeof(b));
	expect(step, ioc(fd, XEN_ISM_IOC_DEV_INFO, &b), -ENOTTY,
	       "DEV_INFO after the refused BINDs");
	close(fd);
}

/* ALLOC's refusals, and requests naming handles that are not there. */
static void bad_alloc_handles(const char *step, int fd,
			      unsigned long long region_size)
{
	struct xen_ism_ioc_alloc a;
	struct xen_ism_ioc_region ri;
	static const unsigned int handles[] = { 0, 77, 0x10000 };
	unsigned int i;

	memset(&a, 0, sizeof(a));
	a.size = SIZE;
	a.flags = 2;
	expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, &a), -EINVAL,
	       "ALLOC with flags 2");
	a.flags = 0;
	a.perm = ISM_PERM_MASK + 1;
	expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, &a), -EINVAL,
	       "ALLOC with perm %#x", a.perm);
	a.perm = 0;
	a.size = 0;
	expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, &a), -EINVAL,
	       "ALLOC of size 0");
	a.size = STRIDE + 4096;
	expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, &a), -EFBIG,
	       "ALLOC of 64 MiB + 4 KiB (above ISM_REGION_SIZE_LIMIT)");
	if (region_size + 4096 <= STRIDE) {
		a.size = region_size + 4096;
		expect(step, ioc(fd, XEN_ISM_IOC_ALLOC, &a), -EFBIG,
		       "ALLOC of region-size + 4 KiB (%llu)",
		       (unsigned long long)a.size);
	}
	for (i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
		expect(step, region_info(fd, handles[i], &ri), -ENOENT,
		       "REGION_INFO of handle %#x (none)", handles[i]);
	expect(step, handle_op(fd, XEN_ISM_IOC_NOTIFY, 77, 0), -ENOENT,
	       "NOTIFY of handle 77 (none)");
	expect(step, handle_op(fd, XEN_ISM_IOC_WANT, 77, 0), -ENOENT,
	       "WANT of handle 77 (none)");
	expect(step, handle_op(fd, XEN_ISM_IOC_DETACH, 77, 0), -ENOENT,
	       "DETACH of handle 77 (none)");
	expect(step, handle_op(fd, XEN_ISM_IOC_FREE, 0, 0), -ENOENT,
	       "FREE of handle 0 (none)");
	expect(step, set_perm(fd, 77, 0, ISM_PERM_DEFAULT, 0), -ENOENT,
	       "SET_PERM of handle 77 (none)");
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, 77, 0, NAME), -ENOENT,
	       "PUBLISH of handle 77 (none)");
	/* Flags are looked at before the handle. */
	expect(step, handle_op(fd, XEN_ISM_IOC_NOTIFY, 77, 4), -EINVAL,
	       "NOTIFY with flags 4");
	expect(step, handle_op(fd, XEN_ISM_IOC_WANT, 77, 1), -EINVAL,
	       "WANT with flags 1");
	expect(step, handle_op(fd, XEN_ISM_IOC_DETACH, 77, 1), -EINVAL,
	       "DETACH with flags 1");
	expect(step, handle_op(fd, XEN_ISM_IOC_FREE, 77, 1), -EINVAL,
	       "FREE with flags 1");
}

/* ATTACH's, LOOKUP's, PUBLISH's and UNPUBLISH's refusals of bad input. */
static void bad_names(const char *step, int fd, unsigned int self,
		      unsigned int peer)
{
	struct xen_ism_ioc_attach at;
	struct xen_ism_ioc_lookup lk;
	struct xen_ism_ioc_name nm;

	attach_req(&at, peer, NAME, 0);
	at.pad0 = 1;
	expect(step, ioc(fd, XEN_ISM_IOC_ATTACH, &at), -EINVAL,
	       "ATTACH with pad0 1");
	attach_req(&at, peer, NAME, 0);
	at.pad1 = 1;
	expect(step, ioc(fd, XEN_ISM_IOC_ATTACH, &at), -EINVAL,
	       "ATTACH with pad1 1");
	expect(step, attach_name(fd, peer, NAME, 2, &at), -EINVAL,
	       "ATTACH with flags 2");
	expect(step, attach_token(fd, 0, 0, &at), -EINVAL,
	       "ATTACH with neither token nor name");
	attach_req(&at, peer, NAME, 0);
	at.token = NO_TOKEN;
	expect(step, ioc(fd, XEN_ISM_IOC_ATTACH, &at), -EINVAL,
	       "ATTACH with both a token and a name");
	attach_req(&at, peer, NAME, 0);
	memset(at.name, 'a', sizeof(at.name));
	expect(step, ioc(fd, XEN_ISM_IOC_ATTACH, &at), -EINVAL,
	       "ATTACH with a name of 68 octets and no NUL");
	expect(step, attach_name(fd, peer, "k io", 0, &at), -EINVAL,
	       "ATTACH by the name \"k io\" (a space)");
	expect(step, attach_name(fd, ISM_DOMID_MAX + 1, NAME, 0, &at), -EINVAL,
	       "ATTACH by name from domain %u (above ISM_DOMID_MAX)",
	       ISM_DOMID_MAX + 1);
	expect(step, attach_name(fd, self, NAME, 0, &at), -EINVAL,
	       "ATTACH by name from our own domain %u", self);
	expect(step, attach_token(fd, NO_TOKEN, 0, &at), -ENOENT,
	       "ATTACH of token %016llx (no such region)", NO_TOKEN);

	memset(&lk, 0, sizeof(lk));
	lk.from_domid = (__u16)peer;
	strcpy(lk.name, NAME);
	lk.pad0 = 1;
	expect(step, ioc(fd, XEN_ISM_IOC_LOOKUP, &lk), -EINVAL,
	       "LOOKUP with pad0 1");
	expect(step, lookup(fd, self, NAME, NULL), -EINVAL,
	       "LOOKUP in our own domain %u", self);
	expect(step, lookup(fd, ISM_DOMID_MAX + 1, NAME, NULL), -EINVAL,
	       "LOOKUP in domain %u (above ISM_DOMID_MAX)", ISM_DOMID_MAX + 1);
	expect(step, lookup(fd, peer, "", NULL), -EINVAL,
	       "LOOKUP of the empty name");
	expect(step, lookup(fd, peer, "nosuch", NULL), -ENOENT,
	       "LOOKUP of \"nosuch\" in domain %u (not published)", peer);

	memset(&nm, 0, sizeof(nm));
	nm.handle = 1;
	strcpy(nm.name, NAME);
	expect(step, ioc(fd, XEN_ISM_IOC_UNPUBLISH, &nm), -EINVAL,
	       "UNPUBLISH with a handle");
	expect(step, publish(fd, XEN_ISM_IOC_UNPUBLISH, 0, 0, "nosuch"),
	       -ENOENT, "UNPUBLISH of \"nosuch\" (not ours)");
}

/* PUBLISH's refusals of bad input, for region @handle. */
static void bad_publish(const char *step, int fd, unsigned int handle,
			unsigned int self, unsigned int peer)
{
	struct xen_ism_ioc_name nm;
	char long_name[ISM_RENDEZVOUS_NAME_MAX + 2];

	memset(long_name, 'k', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, handle, peer, "k io"),
	       -EINVAL, "PUBLISH as \"k io\" (a space)");
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, handle, peer, ""),
	       -EINVAL, "PUBLISH as the empty name");
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, handle, peer, long_name),
	       -EINVAL, "PUBLISH as a name of %zu characters",
	       strlen(long_name));
	memset(&nm, 0, sizeof(nm));
	nm.handle = handle;
	nm.peer_domid = (__u16)peer;
	memset(nm.name, 'k', sizeof(nm.name));
	expect(step, ioc(fd, XEN_ISM_IOC_PUBLISH, &nm), -EINVAL,
	       "PUBLISH with a name of 68 octets and no NUL");
	memset(&nm, 0, sizeof(nm));
	nm.handle = handle;
	nm.peer_domid = (__u16)peer;
	nm.pad0 = 1;
	strcpy(nm.name, NAME);
	expect(step, ioc(fd, XEN_ISM_IOC_PUBLISH, &nm), -EINVAL,
	       "PUBLISH with pad0 1");
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, handle, self, NAME),
	       -EINVAL, "PUBLISH for our own domain %u", self);
	expect(step,
	       publish(fd, XEN_ISM_IOC_PUBLISH, handle, ISM_DOMID_MAX + 1,
		       NAME),
	       -EINVAL, "PUBLISH for domain %u (above ISM_DOMID_MAX)",
	       ISM_DOMID_MAX + 1);
}

/* SET_PERM's answers, on region @handle of this device @devid. */
static void perms(const char *step, int fd, unsigned int handle,
		  unsigned int devid)
{
	expect(step, set_perm(fd, handle, 0, ISM_PERM_MASK + 1, 0), -EINVAL,
	       "SET_PERM with perm %#x", ISM_PERM_MASK + 1);
	expect(step, set_perm(fd, handle, 0, ISM_PERM_DEFAULT, 2), -EINVAL,
	       "SET_PERM with flags 2");
	expect(step,
	       set_perm(fd, handle, ISM_DEVID_MAX + 1, ISM_PERM_DEFAULT, 0),
	       -EINVAL, "SET_PERM of device %#x (above ISM_DEVID_MAX)",
	       ISM_DEVID_MAX + 1);
	/* The backend's refusals. */
	expect(step, set_perm(fd, handle, 4242, ISM_PERM_DENY_OTHER, 0),
	       -EINVAL, "SET_PERM DENY_OTHER for device 4242 (default only)");
	expect(step,
	       set_perm(fd, handle, 4242, ISM_PERM_READ, ISM_SET_PERM_F_REMOVE),
	       -EINVAL, "SET_PERM REMOVE with a perm");
	expect(step, set_perm(fd, handle, 0, 0, ISM_SET_PERM_F_REMOVE), -EINVAL,
	       "SET_PERM REMOVE of the default entry");
	expect(step, set_perm(fd, handle, devid, ISM_PERM_READ, 0), -EINVAL,
	       "SET_PERM of the owner's own device %u", devid);
	/* And what it takes. */
	expect(step,
	       set_perm(fd, handle, 4242, ISM_PERM_READ | ISM_PERM_ATTACH, 0),
	       0, "SET_PERM READ|ATTACH for device 4242");
	expect(step, set_perm(fd, handle, 4242, 0, ISM_SET_PERM_F_REMOVE), 0,
	       "SET_PERM REMOVE of device 4242's entry");
	expect(step, set_perm(fd, handle, 0, ISM_PERM_DEFAULT, 0), 0,
	       "SET_PERM of the default entry to READ|WRITE|ATTACH");
}

/* mmap()'s refusals for the region @ar (mapped or not). */
static void bad_maps(const char *step, int fd,
		     const struct xen_ism_ioc_region *ar)
{
	const unsigned long long off = ar->mmap_offset;
	const int rw = PROT_READ | PROT_WRITE;

	expect(step, map(fd, SIZE / 2, rw, MAP_SHARED, off, NULL), -EINVAL,
	       "mmap of half the region");
	expect(step, map(fd, SIZE * 2, rw, MAP_SHARED, off, NULL), -EINVAL,
	       "mmap of twice the region's length");
	expect(step, map(fd, SIZE, PROT_READ, MAP_PRIVATE, off, NULL), -EINVAL,
	       "mmap MAP_PRIVATE");
	expect(step, map(fd, SIZE, rw, MAP_SHARED, off + 4096, NULL), -EINVAL,
	       "mmap at the region's offset + 4096");
	expect(step, map(fd, SIZE, rw, MAP_SHARED, 0, NULL), -ENXIO,
	       "mmap at offset 0 (handle 0)");
	expect(step, map(fd, SIZE, rw, MAP_SHARED, off + STRIDE, NULL), -ENXIO,
	       "mmap at the offset of handle %u (none)", ar->handle + 1);
	expect(step, map(fd, SIZE, rw, MAP_SHARED, 0x10000ull * STRIDE, NULL),
	       -ENXIO, "mmap at the offset of handle 0x10000 (above the last)");
	expect(step, map(fd, 8192, rw, MAP_SHARED, ar->bell_offset, NULL),
	       -EINVAL, "mmap of two pages at the doorbell's offset");
	expect(step, map(fd, 4096, rw, MAP_PRIVATE, ar->bell_offset, NULL),
	       -EINVAL, "mmap of the doorbell MAP_PRIVATE");
	expect(step,
	       map(fd, 4096, rw, MAP_SHARED, ar->bell_offset + 4096, NULL),
	       -ENXIO, "mmap of the doorbell of handle %u (none)",
	       ar->handle + 1);
	expect(step, map(fd, 4096, rw, MAP_SHARED, BELLS, NULL), -ENXIO,
	       "mmap of the doorbell of handle 0");
}

/* A second file of the same device, while the first holds @ar as @name. */
static void other_file(const char *step, const struct xen_ism_ioc_region *ar,
		       unsigned int devid, unsigned int peer)
{
	struct xen_ism_ioc_event ev[2];
	struct xen_ism_ioc_alloc a;
	struct xen_ism_ioc_region ri;
	struct xen_ism_ioc_bind b;
	struct pollfd p;
	int fd, rc;

	fd = dev_open(step);
	if (fd < 0)
		return;
	if (bind_wait(fd, devid, step, &b)) {
		close(fd);
		return;
	}
	check(b.devid == devid, "%s: BIND device %u answers devid %u", step,
	      devid, b.devid);
	/* No region: no event. */
	expect(step, rd(fd, ev, 1), -EINVAL, "read() of 1 octet");
	expect(step, rd(fd, ev, sizeof(ev[0]) - 1), -EINVAL,
	       "read() of %zu octets (under one record)", sizeof(ev[0]) - 1);
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	check(poll(&p, 1, 0) == 0, "%s: poll() reports nothing with no event",
	      step);
	expect(step, rd(fd, ev, sizeof(ev)), -EAGAIN,
	       "read() with no event, O_NONBLOCK");
	expect(step, region_info(fd, ar->handle, &ri), -ENOENT,
	       "REGION_INFO of the first file's handle %u", ar->handle);
	expect(step,
	       map(fd, SIZE, PROT_READ, MAP_SHARED, ar->mmap_offset, NULL),
	       -ENXIO, "mmap at the first file's offset");
	expect(step, handle_op(fd, XEN_ISM_IOC_FREE, ar->handle, 0), -ENOENT,
	       "FREE of the first file's handle");
	expect(step, publish(fd, XEN_ISM_IOC_PUBLISH, ar->handle, peer, NAME),
	       -ENOENT, "PUBLISH of the first file's handle");
	expect(step, publish(fd, XEN_ISM_IOC_UNPUBLISH, 0, 0, NAME), -ENOENT,
	       "UNPUBLISH of the first file's name");
	memset(&a, 0, sizeof(a));
	a.size = 4096;
	rc = ioc(fd, XEN_ISM_IOC_ALLOC, &a);
	expect(step, rc, 0, "ALLOC 4 KiB: handle %u", a.region.handle);
	expect(step,
	       publish(fd, XEN_ISM_IOC_PUBLISH, a.region.handle, peer, NAME),
	       -EEXIST, "PUBLISH of its own region as the first file's name");
	close(fd);
}

static int owner(unsigned int self, unsigned int peer, unsigned int devid)
{
	const char *step = "owner bind";
	struct xen_ism_ioc_attach at;
	struct xen_ism_ioc_dev_info di;
	struct xen_ism_ioc_region ri, *ar;
	struct xen_ism_ioc_alloc a;
	struct xen_ism_ioc_event ev;
	unsigned char *p = NULL, *bp = NULL;
	volatile struct ism_bell *bell;
	unsigned int h, peer_devid, seq;
	struct evq q;
	int s0, rc;

	bad_bind(step);
	q.fd = dev_bind(step, self, devid);
	q.n = 0;
	if (q.fd < 0)
		return 1;
	memset(&di, 0, sizeof(di));
	ioc(q.fd, XEN_ISM_IOC_DEV_INFO, &di);
	s0 = slots_used(q.fd);

	step = "owner bad input";
	bad_requests(step, q.fd);
	bad_alloc_handles(step, q.fd, di.region_size);
	bad_names(step, q.fd, self, peer);
	expect(step, rd(q.fd, &ev, 1), -EINVAL, "read() of 1 octet");

	step = "owner alloc";
	memset(&a, 0, sizeof(a));
	a.size = SIZE;
	rc = ioc(q.fd, XEN_ISM_IOC_ALLOC, &a);
	ar = &a.region;
	expect(step, rc, 0, "ALLOC 64 KiB: handle %u token %016llx", ar->handle,
	       (unsigned long long)ar->token);
	if (rc)
		return 1;
	h = ar->handle;
	check(h && ar->token && ar->size == SIZE &&
		      ar->side == ISM_SIDE_OWNER &&
		      ar->mmap_offset == h * STRIDE &&
		      (ar->perm & ISM_PERM_MANAGE) &&
		      (ar->perm & ISM_PERM_WRITE),
	      "%s: ALLOC's region: size %llu, side %u, offset %#llx (handle x 64 MiB), perm %#x (MANAGE, WRITE)",
	      step, (unsigned long long)ar->size, ar->side,
	      (unsigned long long)ar->mmap_offset, ar->perm);
	rc = slots_used(q.fd);
	check(rc == s0 + 1, "%s: DEV_INFO: slots-used %d, one more than %d",
	      step, rc, s0);
	rc = region_info(q.fd, h, &ri);
	expect(step, rc, 0, "REGION_INFO of handle %u", h);
	check(!rc && ri.token == ar->token && ri.size == SIZE &&
		      ri.mmap_offset == ar->mmap_offset && ri.handle == h &&
		      ri.side == ISM_SIDE_OWNER && ri.peer_devid == 0 &&
		      ri.peer_domid == ISM_DOMID_INVALID &&
		      !(ri.flags & (XEN_ISM_REGION_F_RELEASED |
				    XEN_ISM_REGION_F_PEER_PRESENT)),
	      "%s: REGION_INFO agrees with ALLOC; no peer yet (peer %u/%#x, flags %#x)",
	      step, ri.peer_devid, ri.peer_domid, ri.flags);
	expect(step, attach_token(q.fd, ar->token, 0, &at), -EEXIST,
	       "ATTACH of our own region's token");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_NOTIFY, h, 0), -ENOTCONN,
	       "NOTIFY with no peer");
	expect(step,
	       handle_op(q.fd, XEN_ISM_IOC_NOTIFY, h, XEN_ISM_IOC_NOTIFY_FORCE),
	       -ENOTCONN, "NOTIFY with FORCE, no peer");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_WANT, h, 0), 0, "WANT");

	step = "owner perm";
	perms(step, q.fd, h, devid);

	step = "owner mmap";
	rc = map(q.fd, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 ar->mmap_offset, &p);
	expect(step, rc, 0, "mmap read-write");
	if (rc)
		return 1;
	check(ar->bell_offset == BELLS + h * 4096ull,
	      "%s: the doorbell's offset %#llx is %#llx + handle pages", step,
	      (unsigned long long)ar->bell_offset, BELLS);
	rc = map(q.fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		 ar->bell_offset, &bp);
	expect(step, rc, 0, "mmap of the doorbell read-write");
	if (rc)
		return 1;
	bell = (struct ism_bell *)bp;
	check(bell->want[ISM_SIDE_OWNER] == 1,
	      "%s: the mapped doorbell shows our WANT (want %u)", step,
	      bell->want[ISM_SIDE_OWNER]);
	expect(step,
	       handle_op(q.fd, XEN_ISM_IOC_NOTIFY, h,
			 XEN_ISM_IOC_NOTIFY_COUNTED),
	       -ENOTCONN, "NOTIFY with COUNTED, no peer");
	bad_maps(step, q.fd, ar);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, h, 0), -EBUSY,
	       "DETACH while mapped");
	fill(p, HALF, D1);

	step = "owner publish";
	bad_publish(step, q.fd, h, self, peer);
	/*
	 * First for dom0: the peer cannot read the name until it is
	 * published again for the peer (a name published again goes away
	 * for a while, so the peer must not see it before).
	 */
	expect(step, publish(q.fd, XEN_ISM_IOC_PUBLISH, h, 0, NAME), 0,
	       "PUBLISH \"%s\" for domain 0", NAME);
	expect(step, publish(q.fd, XEN_ISM_IOC_PUBLISH, h, peer, NAME), 0,
	       "PUBLISH \"%s\" again, same file, for domain %u", NAME, peer);

	other_file("owner second file", ar, devid, peer);

	step = "owner exchange";
	if (!evq_wait(&q, ISM_EVT_PEER_ATTACHED, h, WAIT_GUEST, step, &ev))
		return 1;
	peer_devid = ev.peer_devid;
	check(ev.token == ar->token && ev.peer_domid == peer && peer_devid &&
		      peer_devid != devid,
	      "%s: PEER_ATTACHED names the region and the peer: token %016llx, peer %u/%u",
	      step, (unsigned long long)ev.token, peer_devid, ev.peer_domid);
	rc = region_info(q.fd, h, &ri);
	check(!rc && (ri.flags & XEN_ISM_REGION_F_PEER_PRESENT) &&
		      ri.peer_domid == peer && ri.peer_devid == peer_devid,
	      "%s: REGION_INFO: the peer %u/%u is present (flags %#x, %s)",
	      step, ri.peer_devid, ri.peer_domid, ri.flags, ename(rc));
	expect(step, set_perm(q.fd, h, peer_devid, ISM_PERM_DEFAULT, 0), 0,
	       "SET_PERM READ|WRITE|ATTACH for the peer's device %u",
	       peer_devid);
	/* The peer's NOTIFY with FORCE: we did not WANT since it attached. */
	if (!evq_wait(&q, ISM_EVT_REGION_UPDATED, h, WAIT_STEP, step, &ev))
		return 1;
	check(ev.token == ar->token, "%s: REGION_UPDATED's token %016llx", step,
	      (unsigned long long)ev.token);
	check_data(step, p + HALF, HALF, R1,
		   "the peer's reply is in the region");
	check(fast_path_wait(q.fd, h),
	      "%s: the peer's update, relayed, brought the fast path up (REGION_INFO, within %d s)",
	      step, WAIT_STEP);
	fill(p, HALF, D2);
	seq = bell->seq[ISM_SIDE_OWNER];
	check(bell->want[ISM_SIDE_PEER] == 1,
	      "%s: the mapped doorbell shows the peer's WANT", step);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_NOTIFY, h, 0), 0,
	       "NOTIFY, the peer waiting (it WANTed)");
	check(bell->seq[ISM_SIDE_OWNER] == seq + 1 &&
		      bell->want[ISM_SIDE_PEER] == 0,
	      "%s: NOTIFY counted it in the mapped doorbell (seq %u, was %u) and took the peer's want (%u)",
	      step, bell->seq[ISM_SIDE_OWNER], seq, bell->want[ISM_SIDE_PEER]);
	if (!evq_wait(&q, ISM_EVT_PEER_DETACHED, h, WAIT_STEP, step, &ev))
		return 1;
	/* Its last NOTIFY did not signal us: WANT reports that update. */
	expect(step, handle_op(q.fd, XEN_ISM_IOC_WANT, h, 0), 0,
	       "WANT after the peer's NOTIFY that found us not waiting");
	if (!evq_wait(&q, ISM_EVT_REGION_UPDATED, h, WAIT_STEP, step, &ev))
		return 1;
	check_data(step, p + HALF, HALF, R3,
		   "the peer's last write is in the region");
	if (!evq_wait(&q, ISM_EVT_PEER_ATTACHED, h, WAIT_STEP, step, &ev))
		return 1;
	check(ev.peer_devid == peer_devid && ev.peer_domid == peer,
	      "%s: the same peer attached again: %u/%u", step, ev.peer_devid,
	      ev.peer_domid);
	if (!evq_wait(&q, ISM_EVT_PEER_DETACHED, h, WAIT_STEP, step, &ev))
		return 1;

	step = "owner end";
	rc = region_info(q.fd, h, &ri);
	check(!rc && !(ri.flags & (XEN_ISM_REGION_F_PEER_PRESENT |
				   XEN_ISM_REGION_F_RELEASED)),
	      "%s: REGION_INFO: no peer present, not released (flags %#x, %s)",
	      step, ri.flags, ename(rc));
	expect(step, handle_op(q.fd, XEN_ISM_IOC_NOTIFY, h, 0), -ENOTCONN,
	       "NOTIFY once the peer detached");
	evq_empty(&q, step);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_FREE, h, 0), -EBUSY,
	       "FREE while mapped");
	expect(step, region_info(q.fd, h, &ri), 0,
	       "REGION_INFO after the refused FREE");
	munmap(p, SIZE);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_FREE, h, 0), -EBUSY,
	       "FREE while the doorbell is mapped");
	munmap(bp, 4096);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_FREE, h, 0), 0,
	       "FREE after munmap");
	expect(step, region_info(q.fd, h, &ri), -ENOENT,
	       "REGION_INFO of the freed handle");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, h, 0), -ENOENT,
	       "DETACH of the freed handle");
	rc = slots_used(q.fd);
	check(rc == s0, "%s: DEV_INFO: slots-used %d, as before ALLOC (%d)",
	      step, rc, s0);
	check(file_wait(UNPUBLISH_FILE, WAIT_GUEST),
	      "%s: %s exists: the name's permissions were looked at", step,
	      UNPUBLISH_FILE);
	expect(step, publish(q.fd, XEN_ISM_IOC_UNPUBLISH, 0, 0, NAME), 0,
	       "UNPUBLISH \"%s\"", NAME);
	expect(step, publish(q.fd, XEN_ISM_IOC_UNPUBLISH, 0, 0, NAME), -ENOENT,
	       "UNPUBLISH \"%s\" again", NAME);
	close(q.fd);
	return failures ? 1 : 0;
}

static int peer(unsigned int self, unsigned int from, unsigned int devid)
{
	const char *step = "peer bind";
	struct xen_ism_ioc_attach at, dup;
	struct xen_ism_ioc_region ri, *ar = &at.region;
	struct xen_ism_ioc_event ev;
	unsigned long long token = 0;
	unsigned char *p = NULL;
	struct evq q;
	double end;
	int rc;

	q.fd = dev_bind(step, self, devid);
	q.n = 0;
	if (q.fd < 0)
		return 1;

	step = "peer lookup";
	end = now() + WAIT_GUEST;
	while ((rc = lookup(q.fd, from, NAME, &token)) == -ENOENT &&
	       now() < end)
		nap_ms(200);
	expect(step, rc, 0, "LOOKUP \"%s\" in domain %u: token %016llx", NAME,
	       from, token);
	if (rc)
		return 1;
	check(token != 0, "%s: the token is not 0", step);

	step = "peer attach";
	rc = attach_name(q.fd, from, NAME, 0, &at);
	expect(step, rc, 0, "ATTACH by name \"%s\" from %u: handle %u", NAME,
	       from, ar->handle);
	if (rc)
		return 1;
	check(ar->token == token && ar->size == SIZE &&
		      ar->side == ISM_SIDE_PEER &&
		      ar->mmap_offset == ar->handle * STRIDE &&
		      (ar->perm & (ISM_PERM_READ | ISM_PERM_WRITE)) ==
			      (ISM_PERM_READ | ISM_PERM_WRITE) &&
		      !(ar->perm & ISM_PERM_MANAGE),
	      "%s: ATTACH's region: the token looked up, size %llu, side %u, perm %#x (READ, WRITE, no MANAGE)",
	      step, (unsigned long long)ar->size, ar->side, ar->perm);
	rc = region_info(q.fd, ar->handle, &ri);
	check(!rc && (ri.flags & XEN_ISM_REGION_F_PEER_PRESENT) &&
		      ri.peer_domid == from,
	      "%s: REGION_INFO: the owner (domain %u) is present (flags %#x, %s)",
	      step, ri.peer_domid, ri.flags, ename(rc));
	check(!rc && !(ri.flags & XEN_ISM_REGION_F_FAST_PATH),
	      "%s: REGION_INFO: no update yet, so no fast path (flags %#x)",
	      step, ri.flags);
	expect(step, attach_name(q.fd, from, NAME, 0, &dup), -EEXIST,
	       "ATTACH by name again (this device holds it)");
	expect(step, attach_token(q.fd, token, 0, &dup), -EEXIST,
	       "ATTACH by token again (this device holds it)");
	rc = map(q.fd, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 ar->mmap_offset, &p);
	expect(step, rc, 0, "mmap read-write");
	if (rc)
		return 1;
	check_data(step, p, HALF, D1, "the owner's data is in the region");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_WANT, ar->handle, 0), 0,
	       "WANT");
	fill(p + HALF, HALF, R1);
	expect(step,
	       handle_op(q.fd, XEN_ISM_IOC_NOTIFY, ar->handle,
			 XEN_ISM_IOC_NOTIFY_FORCE),
	       0, "NOTIFY with FORCE");
	if (!evq_wait(&q, ISM_EVT_REGION_UPDATED, ar->handle, WAIT_STEP, step,
		      &ev))
		return 1;
	check(ev.token == token, "%s: REGION_UPDATED's token %016llx", step,
	      (unsigned long long)ev.token);
	check_data(step, p, HALF, D2,
		   "the owner's second write is in the region");
	/* The owner sent it once it saw the fast path up (READY). */
	rc = region_info(q.fd, ar->handle, &ri);
	check(!rc && (ri.flags & XEN_ISM_REGION_F_FAST_PATH),
	      "%s: REGION_INFO: the fast path is up since our update (flags %#x, %s)",
	      step, ri.flags, ename(rc));
	/* The owner does not WANT now: this NOTIFY signals nothing. */
	fill(p + HALF, HALF, R3);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_NOTIFY, ar->handle, 0), 1,
	       "NOTIFY, the owner not waiting: counted, not signalled (1)");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_FREE, ar->handle, 0), -EPERM,
	       "FREE without MANAGE");
	expect(step, region_info(q.fd, ar->handle, &ri), 0,
	       "REGION_INFO after the refused FREE");
	expect(step, set_perm(q.fd, ar->handle, 0, ISM_PERM_DEFAULT, 0), -EPERM,
	       "SET_PERM without MANAGE");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, ar->handle, 0), -EBUSY,
	       "DETACH while mapped");
	munmap(p, SIZE);
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, ar->handle, 0), 0,
	       "DETACH after munmap");
	expect(step, region_info(q.fd, ar->handle, &ri), -ENOENT,
	       "REGION_INFO of the detached handle");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, ar->handle, 0),
	       -ENOENT, "DETACH again");

	step = "peer read-only";
	rc = attach_token(q.fd, token, XEN_ISM_IOC_ATTACH_READONLY, &at);
	expect(step, rc, 0, "ATTACH by token, READONLY: handle %u", ar->handle);
	if (rc)
		return 1;
	check(ar->token == token && (ar->perm & ISM_PERM_READ) &&
		      !(ar->perm & ISM_PERM_WRITE),
	      "%s: its rights are READ without WRITE (perm %#x)", step,
	      ar->perm);
	expect(step,
	       map(q.fd, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   ar->mmap_offset, NULL),
	       -EPERM, "mmap read-write of a read-only region");
	rc = map(q.fd, SIZE, PROT_READ, MAP_SHARED, ar->mmap_offset, &p);
	expect(step, rc, 0, "mmap read-only");
	if (!rc) {
		check_data(step, p, HALF, D2, "the owner's data is there");
		check_data(step, p + HALF, HALF, R3, "our last write is there");
		munmap(p, SIZE);
	}
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, ar->handle, 0), 0,
	       "DETACH");
	close(q.fd);
	return failures ? 1 : 0;
}

/* Wait @secs (clock) for more events; how many DEVICE_GONE came. */
static int more_gone(struct evq *q, const char *step, int secs)
{
	struct xen_ism_ioc_event ev;
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	double end = now() + secs, left;
	int n = 0, rc;

	while ((left = end - now()) > 0) {
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		rc = evq_fill(q, step);
		if (rc < 0)
			break;
		if (!rc)
			nap_ms(100); /* POLLIN, no event: evq_empty() fails */
	}
	while (evq_take(q, XEN_ISM_EVT_DEVICE_GONE, 0, &ev))
		n++;
	return n;
}

static int gone(unsigned int self, unsigned int devid)
{
	const char *step = "gone";
	struct xen_ism_ioc_alloc a[2];
	struct xen_ism_ioc_region ri;
	struct xen_ism_ioc_event ev;
	unsigned char *p = NULL;
	unsigned int i;
	struct evq q;
	FILE *f;
	int rc;

	q.fd = dev_bind(step, self, devid);
	q.n = 0;
	if (q.fd < 0)
		return 1;
	for (i = 0; i < 2; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].size = 4096;
		rc = ioc(q.fd, XEN_ISM_IOC_ALLOC, &a[i]);
		expect(step, rc, 0, "ALLOC region %u: handle %u", i,
		       a[i].region.handle);
		if (rc)
			return 1;
	}
	rc = map(q.fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		 a[0].region.mmap_offset, &p);
	expect(step, rc, 0, "mmap region 0");
	if (rc)
		return 1;
	fill(p, 4096, D1);
	f = fopen(READY_FILE, "w");
	check(f != NULL, "%s: %s written: the backend may close the device",
	      step, READY_FILE);
	if (!f)
		return 1;
	fclose(f);

	if (!evq_wait(&q, XEN_ISM_EVT_DEVICE_GONE, 0, WAIT_GUEST, step, &ev))
		return 1;
	check(ev.peer_domid == ISM_DOMID_INVALID && !ev.token,
	      "%s: DEVICE_GONE names no region (handle 0, token 0, peer domid %#x)",
	      step, ev.peer_domid);
	rc = more_gone(&q, step, 3);
	check(rc == 0, "%s: DEVICE_GONE came once (%d more in 3 s)", step, rc);
	for (i = 0; i < 2; i++) {
		rc = region_info(q.fd, a[i].region.handle, &ri);
		check(!rc && (ri.flags & XEN_ISM_REGION_F_RELEASED) &&
			      !(ri.flags & XEN_ISM_REGION_F_PEER_PRESENT),
		      "%s: REGION_INFO of region %u: released (flags %#x, %s)",
		      step, i, ri.flags, ename(rc));
	}
	expect(step, handle_op(q.fd, XEN_ISM_IOC_NOTIFY, a[1].region.handle, 0),
	       -ESHUTDOWN, "NOTIFY of a region of the closed device");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_WANT, a[1].region.handle, 0),
	       -ESHUTDOWN, "WANT of a region of the closed device");
	expect(step, set_perm(q.fd, a[1].region.handle, 0, ISM_PERM_DEFAULT, 0),
	       -ESHUTDOWN, "SET_PERM of a region of the closed device");
	expect(step,
	       map(q.fd, 4096, PROT_READ, MAP_SHARED, a[1].region.mmap_offset,
		   NULL),
	       -ESHUTDOWN, "mmap of a region of the closed device");
	expect(step, handle_op(q.fd, XEN_ISM_IOC_DETACH, a[0].region.handle, 0),
	       -EBUSY, "DETACH of the region still mapped");
	munmap(p, 4096);
	for (i = 0; i < 2; i++) {
		expect(step,
		       handle_op(q.fd, XEN_ISM_IOC_DETACH, a[i].region.handle,
				 0),
		       0, "DETACH region %u", i);
		expect(step, region_info(q.fd, a[i].region.handle, &ri),
		       -ENOENT, "REGION_INFO of detached region %u", i);
	}
	evq_empty(&q, step);
	close(q.fd);
	return failures ? 1 : 0;
}

static int outsider(void)
{
	int fd = open(XEN_ISM_DEV_PATH, O_RDWR | O_CLOEXEC);

	expect("outsider", fd < 0 ? -errno : 0, -EACCES, "open %s",
	       XEN_ISM_DEV_PATH);
	if (fd >= 0)
		close(fd);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "outsider"))
		return outsider();
	if (argc == 5 && !strcmp(argv[1], "owner"))
		return owner(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "peer"))
		return peer(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "gone"))
		return gone(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr,
		"usage: lab-kfront-ioctl outsider | owner SELF PEER DEVID | peer SELF OWNER DEVID | gone SELF DEVID\n");
	return 2;
}
