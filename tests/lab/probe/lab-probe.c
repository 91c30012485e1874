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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define PAGE 4096
#define REPLY_MAGIC 0x52504c59u /* "RPLY" */
#define PINGS 500
#define TIMEOUT_MS 60000

/* Layout of the shared test page. */
struct probe_page {
	uint32_t reply;
	uint32_t ping;
	uint32_t pong;
	uint32_t pad[13];
	uint8_t data[PAGE - 64];
};

_Static_assert(sizeof(struct probe_page) == PAGE, "probe page size");

static int failures;

static __attribute__((format(printf, 2, 3))) void check(bool cond,
							const char *fmt, ...)
{
	va_list ap;

	if (!cond)
		failures++;
	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

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
	fprintf(stderr, "usage: lab-probe dom0-offer DOMID... | dom0-accept | "
			"peer-offer | peer-accept\n");
	return 2;
}
