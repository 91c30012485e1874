// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-probe: proves, inside the lab, the Xen primitives xen-ism relies on.
 *
 *   lab-probe dom0-offer DOMID...  (dom0) grant a fresh page to each guest,
 *                                  publish its grant ref, check the reply
 *   lab-probe dom0-accept          (guest) map dom0's page, check, reply
 *   lab-probe peer-offer           (guest A) grant a page and an unbound
 *                                  event channel to peer B, ping-pong
 *   lab-probe peer-accept          (guest B) map A's page, bind to A's
 *                                  port, check xenstore permissions, pong
 *   lab-probe dom0-shared DOMA DOMB  (dom0) with the grant helper module,
 *                                  grant the same two pages to A and B
 *                                  (the second read-only for B), keep
 *                                  them through a close and adopt them
 *                                  in a new file, which LISTs them,
 *                                  check that grants in use cannot be
 *                                  ended, and that everything is
 *                                  released after
 *   lab-probe shared-accept a|b    (guest) map the helper's pages, see
 *                                  the other guest's writes
 *
 * Guests learn their peer from ~/lab/peer, which dom0 writes.  Each check
 * prints one line "ok - what" or "not ok - what"; the scenario turns them
 * into TAP.  Events are only wake-ups: Xen marks a freshly bound port
 * pending and coalesces pending bits, so all state (sequence numbers,
 * replies) lives in the shared page.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "lab-check.h"
#include "xen-ism-gnt.h"

#define PAGE 4096
#define REPLY_MAGIC 0x52504c59u /* "RPLY" */
#define PINGS 500
#define TIMEOUT_MS 60000
/*
 * Waits that span a guest's boot (dom0-shared, shared-accept): under TCG,
 * beside other labs, a guest took over 60 s to reach its program.
 */
#define BOOT_TIMEOUT_MS 420000

/* Layout of the shared test page. */
struct probe_page {
	uint32_t reply;
	uint32_t ping;
	uint32_t pong;
	uint32_t pad[13];
	uint8_t data[PAGE - 64];
};

_Static_assert(sizeof(struct probe_page) == PAGE, "probe page size");

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static uint8_t pattern(unsigned int i, unsigned int seed)
{
	return (uint8_t)(i * 7 + seed * 13 + 1);
}

static void fill(struct probe_page *p, unsigned int seed)
{
	for (unsigned int i = 0; i < sizeof(p->data); i++)
		p->data[i] = pattern(i, seed);
}

static bool matches(const struct probe_page *p, unsigned int seed, bool inv)
{
	for (unsigned int i = 0; i < sizeof(p->data); i++) {
		uint8_t want = pattern(i, seed);

		if (p->data[i] != (uint8_t)(inv ? ~want : want))
			return false;
	}
	return true;
}

static void invert(struct probe_page *p)
{
	for (unsigned int i = 0; i < sizeof(p->data); i++)
		p->data[i] = (uint8_t)~p->data[i];
}

static uint32_t load(const uint32_t *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void store(uint32_t *v, uint32_t x)
{
	__atomic_store_n(v, x, __ATOMIC_SEQ_CST);
}

/* Reads an unsigned number from xenstore; -errno if absent or malformed. */
static long xs_read_num(struct xs_handle *xs, const char *path)
{
	unsigned int len;
	char *v = xs_read(xs, XBT_NULL, path, &len);
	char *end;
	long n;

	if (!v)
		return -errno;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0)
		n = -EINVAL;
	free(v);
	return n;
}

/* Waits with a watch until @path exists, then returns its number. */
static long xs_wait_num(struct xs_handle *xs, const char *path, int ms)
{
	long long end = now_ms() + ms;
	long n = -ENOENT;
	struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };

	if (!xs_watch(xs, path, "lab"))
		return -errno;
	while ((n = xs_read_num(xs, path)) == -ENOENT && now_ms() < end) {
		char **w;

		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			continue;
		w = xs_read_watch(xs, &(unsigned int){ 0 });
		free(w);
	}
	xs_unwatch(xs, path, "lab");
	return n;
}

static bool xs_write_str(struct xs_handle *xs, const char *path,
			 const char *val)
{
	return xs_write(xs, XBT_NULL, path, val, strlen(val));
}

/* Owner @owner, and read access for @reader unless it is negative. */
static bool xs_give(struct xs_handle *xs, const char *path, int owner,
		    int reader)
{
	struct xs_permissions perms[2] = {
		{ .id = (unsigned int)owner, .perms = XS_PERM_NONE },
		{ .id = (unsigned int)reader, .perms = XS_PERM_READ },
	};

	return xs_set_permissions(xs, XBT_NULL, path, perms,
				  reader < 0 ? 1 : 2);
}

/* Waits for an event on @port; returns false on timeout. */
static bool evtchn_wait(xenevtchn_handle *xce, evtchn_port_t port, int ms)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	long long end = now_ms() + ms;

	while (now_ms() < end) {
		xenevtchn_port_or_error_t p;

		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			continue;
		p = xenevtchn_pending(xce);
		if (p < 0)
			return false;
		xenevtchn_unmask(xce, (evtchn_port_t)p);
		if ((evtchn_port_t)p == port)
			return true;
	}
	return false;
}

/* Waits until *v reaches @want, sleeping on events between looks. */
static bool wait_value(xenevtchn_handle *xce, evtchn_port_t port,
		       const uint32_t *v, uint32_t want)
{
	long long end = now_ms() + TIMEOUT_MS;

	while (load(v) != want) {
		if (now_ms() > end)
			return false;
		evtchn_wait(xce, port, 1000);
	}
	return true;
}

static int self_domid(struct xs_handle *xs)
{
	return (int)xs_read_num(xs, "domid");
}

static int dom0_offer(int argc, char **argv)
{
	struct xs_handle *xs = xs_open(0);
	xengntshr_handle *gs = xengntshr_open(NULL, 0);
	struct probe_page *pages[16] = { 0 };
	uint32_t refs[16];
	int n = argc;
	char path[128], val[32];

	if (!xs || !gs || n < 1 || n > 16) {
		check(false, "dom0: open xenstore and gntshr (%s)",
		      strerror(errno));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int dom = atoi(argv[i]);

		pages[i] = xengntshr_share_pages(gs, (uint32_t)dom, 1, &refs[i],
						 1);
		check(pages[i] != NULL, "dom0: grant a page to domain %d", dom);
		if (!pages[i])
			continue;
		fill(pages[i], (unsigned int)dom);
		snprintf(path, sizeof(path), "/local/domain/%d/lab/dom0-gref",
			 dom);
		snprintf(val, sizeof(val), "%" PRIu32, refs[i]);
		check(xs_write_str(xs, path, val) && xs_give(xs, path, dom, -1),
		      "dom0: publish grant ref %s for domain %d", val, dom);
	}
	for (int i = 0; i < n; i++) {
		long long end = now_ms() + TIMEOUT_MS;
		int dom = atoi(argv[i]);

		if (!pages[i])
			continue;
		while (load(&pages[i]->reply) != REPLY_MAGIC && now_ms() < end)
			usleep(20000);
		check(load(&pages[i]->reply) == REPLY_MAGIC &&
			      matches(pages[i], (unsigned int)dom, true),
		      "dom0: domain %d mapped dom0's page and wrote its reply",
		      dom);
	}
out:
	for (int i = 0; i < n && i < 16; i++)
		if (pages[i])
			xengntshr_unshare(gs, pages[i], 1);
	if (gs)
		xengntshr_close(gs);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

static int dom0_accept(void)
{
	struct xs_handle *xs = xs_open(0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	struct probe_page *p = NULL;
	int me;
	long ref;

	if (!xs || !gt) {
		check(false, "open xenstore and gntdev (%s)", strerror(errno));
		goto out;
	}
	me = self_domid(xs);
	ref = xs_wait_num(xs, "lab/dom0-gref", TIMEOUT_MS);
	check(ref >= 0, "watch saw dom0's grant ref in ~/lab/dom0-gref");
	if (ref < 0)
		goto out;
	p = xengnttab_map_grant_ref(gt, 0, (uint32_t)ref,
				    PROT_READ | PROT_WRITE);
	check(p != NULL, "map dom0's grant %ld", ref);
	if (!p)
		goto out;
	check(matches(p, (unsigned int)me, false),
	      "dom0's page holds the pattern dom0 wrote");
	invert(p);
	store(&p->reply, REPLY_MAGIC);
out:
	if (p)
		xengnttab_unmap(gt, p, 1);
	if (gt)
		xengnttab_close(gt);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

static int peer_offer(void)
{
	struct xs_handle *xs = xs_open(0);
	xengntshr_handle *gs = xengntshr_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	struct probe_page *p = NULL;
	xenevtchn_port_or_error_t port = -1;
	uint32_t ref;
	char val[32];
	int me, peer;
	bool ok = true;

	if (!xs || !gs || !xce) {
		check(false, "open xenstore, gntshr and evtchn (%s)",
		      strerror(errno));
		goto out;
	}
	me = self_domid(xs);
	peer = (int)xs_wait_num(xs, "lab/peer", TIMEOUT_MS);
	check(peer > 0, "learn the peer's domid from ~/lab/peer");
	if (peer <= 0)
		goto out;
	p = xengntshr_share_pages(gs, (uint32_t)peer, 1, &ref, 1);
	check(p != NULL, "grant a page to the peer (domain %d)", peer);
	port = xenevtchn_bind_unbound_port(xce, (uint32_t)peer);
	check(port >= 0, "allocate an unbound event channel for the peer");
	if (!p || port < 0)
		goto out;
	fill(p, (unsigned int)me);

	snprintf(val, sizeof(val), "%" PRIu32, ref);
	ok = xs_write_str(xs, "lab/gref", val) &&
	     xs_give(xs, "lab/gref", me, peer);
	snprintf(val, sizeof(val), "%d", port);
	ok = ok && xs_write_str(xs, "lab/port", val) &&
	     xs_give(xs, "lab/port", me, peer);
	ok = ok && xs_write_str(xs, "lab/private", "not for the peer") &&
	     xs_give(xs, "lab/private", me, -1);
	check(ok, "publish gref and port readable by the peer only%s%s",
	      ok ? "" : ": ", ok ? "" : strerror(errno));

	check(wait_value(xce, (evtchn_port_t)port, &p->reply, REPLY_MAGIC) &&
		      matches(p, (unsigned int)me, true),
	      "the peer mapped our page and wrote its reply");

	for (uint32_t i = 1; i <= PINGS; i++) {
		store(&p->ping, i);
		xenevtchn_notify(xce, (evtchn_port_t)port);
		if (!wait_value(xce, (evtchn_port_t)port, &p->pong, i)) {
			ok = false;
			break;
		}
	}
	check(ok, "%d event channel round trips with the peer", PINGS);
	store(&p->ping, UINT32_MAX); /* tell the peer we are done */
	xenevtchn_notify(xce, (evtchn_port_t)port);
	/* Give the peer time to unmap before we unshare the page. */
	wait_value(xce, (evtchn_port_t)port, &p->pong, UINT32_MAX);
out:
	if (port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)port);
	if (p)
		xengntshr_unshare(gs, p, 1);
	if (xce)
		xenevtchn_close(xce);
	if (gs)
		xengntshr_close(gs);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

static int peer_accept(void)
{
	struct xs_handle *xs = xs_open(0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	struct probe_page *p = NULL;
	xenevtchn_port_or_error_t port = -1;
	char path[128];
	unsigned int len;
	long ref, rport;
	int peer;
	void *v;

	if (!xs || !gt || !xce) {
		check(false, "open xenstore, gntdev and evtchn (%s)",
		      strerror(errno));
		goto out;
	}
	peer = (int)xs_wait_num(xs, "lab/peer", TIMEOUT_MS);
	check(peer > 0, "learn the peer's domid from ~/lab/peer");
	if (peer <= 0)
		goto out;
	snprintf(path, sizeof(path), "/local/domain/%d/lab/port", peer);
	rport = xs_wait_num(xs, path, TIMEOUT_MS);
	check(rport >= 0, "watch saw the peer's port in %s", path);
	snprintf(path, sizeof(path), "/local/domain/%d/lab/gref", peer);
	ref = xs_read_num(xs, path);
	check(ref >= 0, "read the peer's grant ref (node given to us)");
	if (rport < 0 || ref < 0)
		goto out;

	snprintf(path, sizeof(path), "/local/domain/%d/lab/private", peer);
	v = xs_read(xs, XBT_NULL, path, &len);
	check(!v && errno == EACCES,
	      "cannot read the peer's node that was not given to us (%s)",
	      v ? "read it" : strerror(errno));
	free(v);
	v = xs_read(xs, XBT_NULL, "/local/domain/0/lab/secret", &len);
	check(!v && errno == EACCES, "cannot read dom0's private node (%s)",
	      v ? "read it" : strerror(errno));
	free(v);

	p = xengnttab_map_grant_ref(gt, (uint32_t)peer, (uint32_t)ref,
				    PROT_READ | PROT_WRITE);
	check(p != NULL, "map the peer's grant %ld", ref);
	port = xenevtchn_bind_interdomain(xce, (uint32_t)peer,
					  (evtchn_port_t)rport);
	check(port >= 0, "bind to the peer's event channel %ld", rport);
	if (!p || port < 0)
		goto out;
	check(matches(p, (unsigned int)peer, false),
	      "the peer's page holds the pattern the peer wrote");
	invert(p);
	store(&p->reply, REPLY_MAGIC);
	xenevtchn_notify(xce, (evtchn_port_t)port);

	for (;;) {
		uint32_t ping = load(&p->ping);
		long long end = now_ms() + TIMEOUT_MS;

		while (ping == load(&p->pong) && now_ms() < end) {
			evtchn_wait(xce, (evtchn_port_t)port, 1000);
			ping = load(&p->ping);
		}
		if (ping == load(&p->pong))
			break; /* timed out; the offerer reports it */
		store(&p->pong, ping);
		xenevtchn_notify(xce, (evtchn_port_t)port);
		if (ping == UINT32_MAX)
			break;
	}
	check(load(&p->pong) == UINT32_MAX, "answered every ping of the peer");
out:
	if (p)
		xengnttab_unmap(gt, p, 1);
	if (port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)port);
	if (xce)
		xenevtchn_close(xce);
	if (gt)
		xengnttab_close(gt);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

/*
 * The shared test: page 0 is read-write for both guests, page 1 read-write
 * for A and read-only for B.  Flags in page 0 sequence the steps.
 */
struct shared_page {
	uint32_t mapped[2]; /* guest a/b has mapped both pages */
	uint32_t seen[2]; /* guest a/b saw the other's mark */
	uint32_t release; /* dom0: you may unmap now */
	uint32_t unmapped[2]; /* guest a/b is about to unmap */
	uint32_t pad[9];
	uint8_t mark[2][64]; /* each guest's mark, read by the other */
	uint8_t data[PAGE - 192];
};

_Static_assert(sizeof(struct shared_page) == PAGE, "shared page size");

static bool wait_flag(const uint32_t *v, uint32_t want, int ms)
{
	long long end = now_ms() + ms;

	while (load(v) != want && now_ms() < end)
		usleep(10000);
	return load(v) == want;
}

/* Ends @n grants; returns how many are still mapped, or -errno. */
static int gnt_end(int fd, const uint32_t *refs, int n)
{
	struct xen_ism_gnt_ref r[8];
	struct xen_ism_gnt_end req = { .refs = (uintptr_t)r, .count = n };
	int busy = 0;

	for (int i = 0; i < n; i++)
		r[i] = (struct xen_ism_gnt_ref){ .ref = refs[i] };
	/* EBUSY and ENOENT (ended before) leave a status per entry. */
	if (ioctl(fd, XEN_ISM_GNT_IOC_END, &req) && errno != EBUSY &&
	    errno != ENOENT)
		return -errno;
	for (int i = 0; i < n; i++)
		busy += r[i].status == -EBUSY;
	return busy;
}

/* Write @value into the module parameter @name; 0 or -1. */
static int helper_param(const char *name, const char *value)
{
	char path[96];
	int pfd, rc;

	snprintf(path, sizeof(path), "/sys/module/xen_ism_gnt/parameters/%s",
		 name);
	pfd = open(path, O_WRONLY | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	rc = write(pfd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 :
									  -1;
	close(pfd);
	return rc;
}

/*
 * max_pages holds for every open file together: with it at 64, a second
 * file gets EDQUOT past what the first holds.  @fd holds no page.
 */
static void helper_limits_shared(int fd)
{
	struct xen_ism_gnt_alloc a = { .count = 40 }, b = { .count = 40 };
	struct xen_ism_gnt_alloc c = { .count = 24 };
	struct xen_ism_gnt_free fa = { .count = 40 }, fc = { .count = 24 };
	int fd2 = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd2 < 0 || helper_param("max_pages", "64")) {
		check(false, "a second open file and max_pages 64 (%s)",
		      strerror(errno));
		if (fd2 >= 0)
			close(fd2);
		return;
	}
	ok = ioctl(fd, XEN_ISM_GNT_IOC_ALLOC, &a) == 0;
	check(ok && ioctl(fd2, XEN_ISM_GNT_IOC_ALLOC, &b) && errno == EDQUOT,
	      "max_pages 64: 40 pages in one file, 40 more in another: "
	      "EDQUOT");
	check(ioctl(fd2, XEN_ISM_GNT_IOC_ALLOC, &c) == 0,
	      "  the 24 left fit in the other file");
	fa.index = a.index;
	fc.index = c.index;
	check(ok && ioctl(fd, XEN_ISM_GNT_IOC_FREE, &fa) == 0 &&
		      ioctl(fd2, XEN_ISM_GNT_IOC_FREE, &fc) == 0,
	      "  both freed");
	helper_param("max_pages", "65536");
	close(fd2);
}

/* The helper's INFO flags of @fd, or -1. */
static int helper_flags(int fd)
{
	struct xen_ism_gnt_info info;

	return ioctl(fd, XEN_ISM_GNT_IOC_INFO, &info) ? -1 : (int)info.flags;
}

/* KEEP @on for @fd: 0 or -errno. */
static int helper_keep(int fd, uint32_t on)
{
	return ioctl(fd, XEN_ISM_GNT_IOC_KEEP, &on) ? -errno : 0;
}

/* dom0_shared()'s refs[i] grants page index + shared_page_of[i]. */
static const uint64_t shared_page_of[4] = { 0, 1, 0, 1 };

/*
 * LIST of the file that adopted the shared pages: exactly the two pages
 * and the four grants dom0_shared() made (grants by ascending ref, pages
 * by ascending index); with room for one of each, the first ones, the
 * totals and EOVERFLOW; the totals alone; EFAULT for a bad array.
 */
static void helper_list(int fd, uint64_t index, const uint32_t *refs,
			const int *dom)
{
	struct xen_ism_gnt_held held[8], want[4];
	struct xen_ism_gnt_list req = { .pages_cap = 8, .grants_cap = 8 };
	uint64_t pages[8];
	bool ok;
	int i, j, n = 0;

	/* The grants in the order LIST gives them: ascending refs. */
	for (i = 0; i < 4; i++) {
		for (j = n; j > 0 && want[j - 1].ref > refs[i]; j--)
			want[j] = want[j - 1];
		want[j] = (struct xen_ism_gnt_held){
			.ref = refs[i],
			.index = index + shared_page_of[i],
			.domid = (uint16_t)dom[i / 2],
			.flags = i == 3 ? XEN_ISM_GNT_READONLY : 0,
		};
		n++;
	}
	memset(held, 0xff, sizeof(held));
	req.pages = (uintptr_t)pages;
	req.grants = (uintptr_t)held;
	ok = !ioctl(fd, XEN_ISM_GNT_IOC_LIST, &req) && req.nr_pages == 2 &&
	     req.nr_grants == 4 && pages[0] == index && pages[1] == index + 1;
	for (i = 0; ok && i < 4; i++)
		ok = !memcmp(&held[i], &want[i], sizeof(want[i]));
	check(ok,
	      "LIST after ADOPT: pages %" PRIu64 " and %" PRIu64
	      ", grants %u %u to %d, %u %u (read-only) to %d",
	      index, index + 1, refs[0], refs[1], dom[0], refs[2], refs[3],
	      dom[1]);

	memset(held, 0xff, sizeof(held));
	memset(pages, 0xff, sizeof(pages));
	req = (struct xen_ism_gnt_list){ .pages = (uintptr_t)pages,
					 .grants = (uintptr_t)held,
					 .pages_cap = 1,
					 .grants_cap = 1 };
	ok = ioctl(fd, XEN_ISM_GNT_IOC_LIST, &req) && errno == EOVERFLOW;
	check(ok && req.nr_pages == 2 && req.nr_grants == 4 &&
		      pages[0] == index && pages[1] == UINT64_MAX &&
		      !memcmp(&held[0], &want[0], sizeof(want[0])) &&
		      held[1].ref == UINT32_MAX,
	      "LIST with room for 1 page and 1 grant: EOVERFLOW, the first "
	      "of each, totals %u and %u",
	      req.nr_pages, req.nr_grants);
	req = (struct xen_ism_gnt_list){ 0 };
	check(ioctl(fd, XEN_ISM_GNT_IOC_LIST, &req) && errno == EOVERFLOW &&
		      req.nr_pages == 2 && req.nr_grants == 4,
	      "LIST with no room: EOVERFLOW and the totals");
	req = (struct xen_ism_gnt_list){ .pages = 8, .pages_cap = 2 };
	check(ioctl(fd, XEN_ISM_GNT_IOC_LIST, &req) && errno == EFAULT,
	      "LIST into a bad pointer: EFAULT");
}

/*
 * A restart of the daemon, as the grant helper sees it: the file that
 * holds the two pages granted to the guests is kept and closes while the
 * guests map them; a new file adopts them, LISTs them, maps them again
 * and finds the guests' marks.  Then KEEP's and ADOPT's refusals.  *@fd
 * and *@p become the new file and mapping (MAP_FAILED if the mapping
 * failed).  @refs and @dom are dom0_shared()'s.
 */
static void helper_restart(int *fd, struct shared_page **p, uint64_t index,
			   const uint32_t *refs, const int *dom)
{
	struct xen_ism_gnt_alloc one = { .count = 1 };
	struct xen_ism_gnt_info info = { 0 };
	int fd2, fd3;
	bool ok;

	check(!helper_keep(*fd, 1) &&
		      helper_flags(*fd) == XEN_ISM_GNT_INFO_KEEP,
	      "KEEP: the file's pages and grants are to be kept");
	munmap(*p, 2 * PAGE);
	close(*fd);
	*p = MAP_FAILED;
	*fd = fd2 = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	check(helper_flags(fd2) == XEN_ISM_GNT_INFO_KEPT,
	      "closed while the guests map them, they wait for ADOPT");
	ok = !ioctl(fd2, XEN_ISM_GNT_IOC_ADOPT) &&
	     !ioctl(fd2, XEN_ISM_GNT_IOC_INFO, &info);
	check(ok && info.pages == 2 && info.grants == 4 && !info.flags,
	      "ADOPT: a new file holds the 2 pages and 4 grants (%u, %u)",
	      info.pages, info.grants);
	helper_list(fd2, index, refs, dom);
	*p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2,
		  (off_t)index * PAGE);
	ok = *p != MAP_FAILED;
	for (unsigned int i = 0; ok && i < sizeof((*p)->mark[0]); i++)
		ok = (*p)->mark[0][i] == pattern(i, 0) &&
		     (*p)->mark[1][i] == pattern(i, 1);
	check(ok, "the same page indexes map the guests' marks again");

	fd3 = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	check(ioctl(fd3, XEN_ISM_GNT_IOC_ADOPT) && errno == ENOENT,
	      "ADOPT with nothing kept: ENOENT");
	check(!helper_keep(fd2, 1) && helper_keep(fd3, 1) == -EBUSY &&
		      !helper_keep(fd2, 0),
	      "KEEP of a second file while one is kept: EBUSY");
	check(!helper_keep(fd3, 1) && !ioctl(fd3, XEN_ISM_GNT_IOC_ALLOC, &one),
	      "a third file, kept, holds a page");
	close(fd3);
	fd3 = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	check(helper_keep(fd3, 1) == -EEXIST &&
		      !ioctl(fd3, XEN_ISM_GNT_IOC_ALLOC, &one) &&
		      ioctl(fd3, XEN_ISM_GNT_IOC_ADOPT) && errno == EBUSY,
	      "while it waits: KEEP is EEXIST, ADOPT into a file with pages "
	      "EBUSY");
	close(fd3);
	fd3 = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	check(!ioctl(fd3, XEN_ISM_GNT_IOC_ADOPT) &&
		      !ioctl(fd3, XEN_ISM_GNT_IOC_INFO, &info) &&
		      info.pages == 1 && !info.flags,
	      "adopted by an empty file, released when it closes");
	close(fd3);
}

static int dom0_shared(int argc, char **argv)
{
	struct xs_handle *xs = xs_open(0);
	struct xen_ism_gnt_alloc alloc = { .count = 2 };
	struct xen_ism_gnt_info info = { 0 };
	struct shared_page *p = MAP_FAILED;
	uint32_t refs[4]; /* a:p0 a:p1 b:p0 b:p1 */
	int dom[2], fd = -1, busy;
	long long end;
	char path[128], val[32];
	bool ok;

	if (argc != 2 || !xs) {
		check(false, "dom0-shared: usage or xenstore (%s)",
		      strerror(errno));
		goto out;
	}
	dom[0] = atoi(argv[0]);
	dom[1] = atoi(argv[1]);
	fd = open(XEN_ISM_GNT_DEVICE, O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open %s (%s)", XEN_ISM_GNT_DEVICE,
	      fd >= 0 ? "module loaded" : strerror(errno));
	if (fd < 0)
		goto out;
	check(ioctl(fd, XEN_ISM_GNT_IOC_ALLOC, &alloc) == 0,
	      "grant helper allocates 2 pages");
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)alloc.index * PAGE);
	check(p != MAP_FAILED, "dom0 maps the helper's pages");
	if (p == MAP_FAILED)
		goto out;
	ok = true;
	for (size_t i = 0; i < 2 * PAGE; i++)
		ok = ok && ((uint8_t *)p)[i] == 0;
	check(ok, "new pages read as zero");

	for (int g = 0; g < 2; g++) {
		struct xen_ism_gnt_grant rw = {
			.index = alloc.index,
			.count = g ? 1 : 2,
			.domid = (uint16_t)dom[g],
			.refs = (uintptr_t)&refs[2 * g]
		};
		struct xen_ism_gnt_grant ro = { .index = alloc.index + 1,
						.count = 1,
						.domid = (uint16_t)dom[g],
						.flags = XEN_ISM_GNT_READONLY,
						.refs = (uintptr_t)&refs[3] };

		ok = ioctl(fd, XEN_ISM_GNT_IOC_GRANT, &rw) == 0 &&
		     (!g || ioctl(fd, XEN_ISM_GNT_IOC_GRANT, &ro) == 0);
		check(ok, "grant both pages to domain %d (%s)", dom[g],
		      g ? "page 1 read-only" : "read-write");
		snprintf(path, sizeof(path), "/local/domain/%d/lab/shared",
			 dom[g]);
		snprintf(val, sizeof(val), "%u %u", refs[2 * g],
			 refs[2 * g + 1]);
		check(ok && xs_write_str(xs, path, val) &&
			      xs_give(xs, path, dom[g], -1),
		      "publish the refs for domain %d", dom[g]);
	}
	check(wait_flag(&p->mapped[0], 1, BOOT_TIMEOUT_MS) &&
		      wait_flag(&p->mapped[1], 1, BOOT_TIMEOUT_MS),
	      "both guests mapped the pages");
	check(wait_flag(&p->seen[0], 1, TIMEOUT_MS) &&
		      wait_flag(&p->seen[1], 1, TIMEOUT_MS),
	      "each guest saw the other's writes to the same page");
	helper_restart(&fd, &p, alloc.index, refs, dom);
	if (p == MAP_FAILED)
		goto out;

	busy = gnt_end(fd, refs, 4);
	check(busy == 4, "grants in use cannot be ended (%d of 4 busy)", busy);
	{
		struct xen_ism_gnt_free fr = { .index = alloc.index,
					       .count = 2 };

		check(ioctl(fd, XEN_ISM_GNT_IOC_FREE, &fr) && errno == EBUSY,
		      "granted pages cannot be freed (EBUSY)");
	}
	store(&p->release, 1);

	end = now_ms() + TIMEOUT_MS;
	while ((busy = gnt_end(fd, refs, 4)) > 0 && now_ms() < end)
		usleep(20000);
	check(busy == 0 && ioctl(fd, XEN_ISM_GNT_IOC_INFO, &info) == 0 &&
		      info.grants == 0,
	      "every grant ends once the guests unmapped (%u left)",
	      info.grants);
	munmap(p, 2 * PAGE);
	p = MAP_FAILED;
	{
		struct xen_ism_gnt_free fr = { .index = alloc.index,
					       .count = 2 };

		check(ioctl(fd, XEN_ISM_GNT_IOC_FREE, &fr) == 0 &&
			      ioctl(fd, XEN_ISM_GNT_IOC_INFO, &info) == 0 &&
			      info.pages == 0,
		      "the pages are freed and the helper holds nothing");
	}
	{
		/* The largest region's pages are one ALLOC and one FREE. */
		struct xen_ism_gnt_alloc big = {
			.count = XEN_ISM_GNT_MAX_PAGES
		};
		struct xen_ism_gnt_alloc over = {
			.count = XEN_ISM_GNT_MAX_PAGES + 1
		};
		struct xen_ism_gnt_free fr = { .count = XEN_ISM_GNT_MAX_PAGES };

		check(ioctl(fd, XEN_ISM_GNT_IOC_ALLOC, &over) &&
			      errno == EINVAL,
		      "an ALLOC of %u pages is refused (EINVAL)",
		      XEN_ISM_GNT_MAX_PAGES + 1);
		ok = ioctl(fd, XEN_ISM_GNT_IOC_ALLOC, &big) == 0;
		fr.index = big.index;
		check(ok && ioctl(fd, XEN_ISM_GNT_IOC_INFO, &info) == 0 &&
			      info.pages == XEN_ISM_GNT_MAX_PAGES,
		      "one ALLOC of %u pages (64 MiB)", XEN_ISM_GNT_MAX_PAGES);
		check(ok && ioctl(fd, XEN_ISM_GNT_IOC_FREE, &fr) == 0 &&
			      ioctl(fd, XEN_ISM_GNT_IOC_INFO, &info) == 0 &&
			      info.pages == 0,
		      "one FREE of them, and the helper holds nothing");
	}
	helper_limits_shared(fd);
out:
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	if (fd >= 0)
		close(fd);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

static int shared_accept(const char *role)
{
	struct xs_handle *xs = xs_open(0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	int me = role && !strcmp(role, "b"), other = !me;
	struct shared_page *p0 = NULL;
	uint8_t *p1 = NULL, *bad;
	unsigned int r0, r1;
	unsigned int len;
	char *v = NULL;
	bool ok;

	if (!xs || !gt) {
		check(false, "open xenstore and gntdev (%s)", strerror(errno));
		goto out;
	}
	check(xs_wait_num(xs, "lab/shared", BOOT_TIMEOUT_MS) != -ENOENT,
	      "watch saw the helper's grant refs");
	v = xs_read(xs, XBT_NULL, "lab/shared", &len);
	if (!v || sscanf(v, "%u %u", &r0, &r1) != 2) {
		check(false, "parse the helper's grant refs");
		goto out;
	}
	p0 = xengnttab_map_grant_ref(gt, 0, r0, PROT_READ | PROT_WRITE);
	check(p0 != NULL, "map page 0 read-write");
	if (me) {
		bad = xengnttab_map_grant_ref(gt, 0, r1,
					      PROT_READ | PROT_WRITE);
		check(bad == NULL, "page 1 cannot be mapped read-write (%s)",
		      bad ? "it was" : strerror(errno));
		if (bad)
			xengnttab_unmap(gt, bad, 1);
		p1 = xengnttab_map_grant_ref(gt, 0, r1, PROT_READ);
		check(p1 != NULL, "map page 1 read-only");
	} else {
		p1 = xengnttab_map_grant_ref(gt, 0, r1, PROT_READ | PROT_WRITE);
		check(p1 != NULL, "map page 1 read-write");
		if (p1)
			for (unsigned int i = 0; i < PAGE; i++)
				p1[i] = pattern(i, 99);
	}
	if (!p0 || !p1)
		goto out;

	for (unsigned int i = 0; i < sizeof(p0->mark[0]); i++)
		p0->mark[me][i] = pattern(i, (unsigned int)me);
	store(&p0->mapped[me], 1);
	ok = wait_flag(&p0->mapped[other], 1, BOOT_TIMEOUT_MS);
	for (unsigned int i = 0; ok && i < sizeof(p0->mark[0]); i++)
		ok = p0->mark[other][i] == pattern(i, (unsigned int)other);
	check(ok, "see the other guest's mark in page 0");
	if (me) {
		ok = true;
		for (unsigned int i = 0; i < PAGE; i++)
			ok = ok && p1[i] == pattern(i, 99);
		check(ok, "read guest a's data through the read-only page");
	}
	store(&p0->seen[me], 1);
	check(wait_flag(&p0->release, 1, TIMEOUT_MS),
	      "dom0 let us unmap after checking its grants are busy");
	store(&p0->unmapped[me], 1);
out:
	if (p1)
		xengnttab_unmap(gt, p1, 1);
	if (p0)
		xengnttab_unmap(gt, p0, 1);
	free(v);
	if (gt)
		xengnttab_close(gt);
	if (xs)
		xs_close(xs);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "dom0-offer"))
		return dom0_offer(argc - 2, argv + 2);
	if (!strcmp(cmd, "dom0-accept"))
		return dom0_accept();
	if (!strcmp(cmd, "peer-offer"))
		return peer_offer();
	if (!strcmp(cmd, "peer-accept"))
		return peer_accept();
	if (!strcmp(cmd, "dom0-shared"))
		return dom0_shared(argc - 2, argv + 2);
	if (!strcmp(cmd, "shared-accept"))
		return shared_accept(argc > 2 ? argv[2] : NULL);
	fprintf(stderr, "usage: lab-probe dom0-offer DOMID... | dom0-accept | "
			"peer-offer | peer-accept | dom0-shared DOMA DOMB | "
			"shared-accept a|b\n");
	return 2;
}
