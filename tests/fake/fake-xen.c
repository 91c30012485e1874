/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-xen.c - an in-memory Xen host for the backend's unit tests.
 *
 * See fake-xen.h for what is simulated.  The file has one part per Xen
 * facility: shared memory, xenstore (nodes, permissions, changes and
 * watches, transactions), grants, event channels, domains, platforms (the
 * ops table with fault injection) and the test-side API.
 *
 * Everything is single-threaded and synchronous: a change fires its watches
 * and a notify raises its event before the call returns.  Sizes are small
 * (tens of domains, hundreds of nodes), so lists are walked linearly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake-xen.h"

#define FAKE_GREF_FIRST 8u /* refs 0..7 are reserved, as in Linux */
#define FAKE_DOMID_MAX 0x7fefu /* DOMID_FIRST_RESERVED - 1 */
#define FAKE_LIMIT_MAX 65536u
#define FAKE_RANDOM_MAX 256u

#define FAKE_XS_PAYLOAD_MAX 4096u /* XENSTORE_PAYLOAD_MAX */
#define FAKE_XS_ABS_PATH_MAX 3072u
#define FAKE_XS_REL_PATH_MAX 2048u
#define FAKE_XS_TOKEN_MAX 256u
#define FAKE_XS_WATCH_QUOTA 128u
#define FAKE_XS_TX_QUOTA 10u
#define FAKE_XS_EVENTS_MAX 4096u
#define FAKE_XS_PERM_OWNER 0x8u /* internal: full access as owner */
#define FAKE_XS_TYPE_MAX 64u

#define FAKE_RELEASE_DOMAIN "@releaseDomain"
#define FAKE_INTRODUCE_DOMAIN "@introduceDomain"

static const struct fake_xen_limits fake_default_limits = {
	.grants = 1024,
	.ports = 1024,
	.maps = 1024,
	.pages = 4096,
};

/* A shared memory object: the pages behind a page set or a guest's page. */
struct fake_mem {
	int fd;
	unsigned int npages;
	unsigned int refs;
};

struct fake_dom;

/* Pages @index .. @index + @count - 1 of @mem. */
struct fake_piece {
	struct fake_mem *mem; /* one reference held */
	unsigned int index;
	unsigned int count;
};

enum fake_set_state {
	FAKE_SET_TAKEN, /* made by pages_alloc or pages_adopt: has a handle */
	FAKE_SET_HELD, /* adopted from a crash, not yet taken by pages_adopt */
	FAKE_SET_KEPT, /* its platform crashed: waits for adoption */
	FAKE_SET_ORPHAN, /* its platform closed: goes with its last grant */
};

/*
 * Region pages of a backend domain: page handles @handle .. @handle +
 * @count - 1, backed by one piece of memory after pages_alloc and by
 * several after pages_adopt joins pieces of different sets.
 */
struct fake_pages {
	struct fake_pages *next, *prev;
	uint32_t handle;
	unsigned int count;
	enum fake_set_state state;
	struct fake_dom *dom;
	struct ism_platform *owner; /* TAKEN or HELD, else NULL */
	void *addr; /* the owner's view (TAKEN); NULL if not mapped */
	unsigned int ngrants;
	unsigned int npieces;
	struct fake_piece pieces[];
};

struct fake_grant {
	bool used;
	bool readonly;
	bool deferred; /* end it when the last mapping goes */
	uint16_t grantee;
	unsigned int nmaps;
	struct fake_mem *mem; /* one reference held */
	unsigned int index;
	struct fake_pages *set; /* made by pages_grant, else NULL */
	uint32_t page; /* of @set: the page handle it grants */
	void *guest_addr; /* made by fake_xen_guest_grant: the guest's view */
};

struct fake_map {
	struct fake_map *next;
	struct fake_dom *mapper;
	struct ism_platform *owner; /* NULL: mapped by the test side */
	struct fake_dom *granter;
	uint32_t gref;
	void *addr;
};

enum fake_port_state {
	FAKE_PORT_FREE,
	FAKE_PORT_UNBOUND,
	FAKE_PORT_INTERDOMAIN,
};

struct fake_port {
	enum fake_port_state state;
	uint16_t remote_domid;
	uint32_t remote_port;
	struct ism_platform *owner; /* NULL: the test side */
	bool pending;
	bool masked;
};

struct xs_node {
	struct xs_node *parent;
	struct xs_node *child; /* first child */
	struct xs_node *next; /* next sibling */
	char *name;
	char *value;
	size_t len;
	struct ism_xs_perm perms[ISM_XS_PERMS_MAX];
	unsigned int nperms;
};

/*
 * A change to one node, kept until its watches fire.  @sets holds up to
 * three permission lists (the node's, its parent's and the node's previous
 * one); a watcher that may read under any of them sees the event.
 */
struct xs_change {
	struct xs_change *next;
	bool exact; /* only watches on this very path fire */
	unsigned int nsets;
	struct ism_xs_perm perms[3][ISM_XS_PERMS_MAX];
	unsigned int nperms[3];
	char path[];
};

struct xs_watch {
	struct xs_watch *next;
	char *path; /* as registered */
	char *abs; /* absolute, or the special name */
	char *token;
	bool relative;
	bool special;
};

struct xs_event {
	struct xs_event *next;
	const struct xs_watch *watch; /* identity only */
	char *path;
	char *token;
};

struct fake_tx {
	struct fake_tx *next;
	uint32_t id;
	uint64_t gen; /* store generation at start */
	struct xs_node *root; /* private copy */
	struct xs_change *changes;
	struct xs_change **tail;
};

/* A xenstore connection: a platform's, or a domain's test-side one. */
struct fake_conn {
	struct fake_conn *next;
	bool linked;
	struct fake_dom *dom;
	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_event *ev_head;
	struct xs_event **ev_tail;
	unsigned int nevents;
	struct fake_tx *txs;
	unsigned int ntxs;
	int efd; /* readable while events are queued; -1 for the test side */
};

struct fake_dom {
	struct fake_dom *next;
	uint16_t domid;
	unsigned int flags;
	bool dying;
	struct fake_xen_limits limits;
	struct fake_grant *grants; /* FAKE_GREF_FIRST + limits.grants */
	struct fake_port *ports; /* 1 + limits.ports */
	uint32_t grant_hint; /* no free grant below it */
	unsigned int pages_used; /* pages of its page sets */
	unsigned int nplats;
	struct fake_conn conn; /* the test side's */
};

struct ism_platform {
	struct ism_platform *next;
	struct fake_xen *fx;
	struct fake_dom *dom;
	struct fake_conn conn;
	int evt_fd;
	uint32_t *evq; /* ring of ports with an event; each at most once */
	unsigned int evq_head;
	unsigned int evq_len;
	unsigned int evq_cap;
};

struct fake_fault {
	bool armed;
	bool persist;
	enum fake_xen_op op;
	unsigned long countdown;
	int err;
};

struct fake_xen {
	struct fake_dom *doms;
	struct ism_platform *plats;
	struct fake_conn *conns;
	struct fake_pages *sets;
	struct fake_map *maps;
	struct xs_node *root;
	uint64_t xs_gen;
	uint32_t next_tx;
	uint32_t last_page; /* page handles given so far: 1 .. last_page */
	struct fake_pages **set_index; /* every set, sorted by handle */
	unsigned int nsets;
	unsigned int set_index_cap;
	uint64_t rng;
	uint64_t clock_ms; /* moved only by fake_xen_clock_advance() */
	unsigned long calls[FAKE_XEN_OP_COUNT];
	struct fake_fault fault;
	unsigned long fail_hits;
	unsigned long events_dropped;
	bool silo; /* XSM SILO: guests talk to dom0 only (fake_xen_set_silo) */
};

static const char *const fake_op_names[FAKE_XEN_OP_COUNT] = {
	[FAKE_XEN_OP_LOCAL_DOMID] = "local_domid",
	[FAKE_XEN_OP_XS_READ] = "xs_read",
	[FAKE_XEN_OP_XS_WRITE] = "xs_write",
	[FAKE_XEN_OP_XS_MKDIR] = "xs_mkdir",
	[FAKE_XEN_OP_XS_RM] = "xs_rm",
	[FAKE_XEN_OP_XS_DIRECTORY] = "xs_directory",
	[FAKE_XEN_OP_XS_GET_PERMS] = "xs_get_perms",
	[FAKE_XEN_OP_XS_SET_PERMS] = "xs_set_perms",
	[FAKE_XEN_OP_XS_TRANSACTION_START] = "xs_transaction_start",
	[FAKE_XEN_OP_XS_TRANSACTION_END] = "xs_transaction_end",
	[FAKE_XEN_OP_XS_WATCH] = "xs_watch",
	[FAKE_XEN_OP_XS_UNWATCH] = "xs_unwatch",
	[FAKE_XEN_OP_XS_READ_WATCH] = "xs_read_watch",
	[FAKE_XEN_OP_XS_FD] = "xs_fd",
	[FAKE_XEN_OP_PAGES_ALLOC] = "pages_alloc",
	[FAKE_XEN_OP_PAGES_GRANT] = "pages_grant",
	[FAKE_XEN_OP_PAGES_END_GRANTS] = "pages_end_grants",
	[FAKE_XEN_OP_PAGES_FREE] = "pages_free",
	[FAKE_XEN_OP_PAGES_LIST] = "pages_list",
	[FAKE_XEN_OP_PAGES_ADOPT] = "pages_adopt",
	[FAKE_XEN_OP_GNT_MAP] = "gnt_map",
	[FAKE_XEN_OP_GNT_UNMAP] = "gnt_unmap",
	[FAKE_XEN_OP_EVTCHN_BIND] = "evtchn_bind",
	[FAKE_XEN_OP_EVTCHN_UNBIND] = "evtchn_unbind",
	[FAKE_XEN_OP_EVTCHN_NOTIFY] = "evtchn_notify",
	[FAKE_XEN_OP_EVTCHN_FD] = "evtchn_fd",
	[FAKE_XEN_OP_EVTCHN_PENDING] = "evtchn_pending",
	[FAKE_XEN_OP_DOMAIN_INFO] = "domain_info",
	[FAKE_XEN_OP_RANDOM] = "random",
	[FAKE_XEN_OP_CLOCK_MS] = "clock_ms",
};

/* Remove @item from the list at @head, linked through ->next. */
#define FAKE_LIST_UNLINK(head, item)                             \
	do {                                                     \
		__typeof__(item) *pp_;                           \
		for (pp_ = &(head); *pp_; pp_ = &(*pp_)->next) { \
			if (*pp_ == (item)) {                    \
				*pp_ = (item)->next;             \
				break;                           \
			}                                        \
		}                                                \
	} while (0)

/* ---- Small helpers ----------------------------------------------------- */

static void efd_raise(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	if (fd < 0)
		return;
	r = write(fd, &one, sizeof(one));
	(void)r; /* only fails if the counter would overflow: still readable */
}

static void efd_drain(int fd)
{
	uint64_t v;
	ssize_t r;

	if (fd < 0)
		return;
	r = read(fd, &v, sizeof(v));
	(void)r; /* EAGAIN: already drained */
}

static struct fake_dom *dom_find(const struct fake_xen *fx, uint16_t domid)
{
	struct fake_dom *d;

	for (d = fx->doms; d; d = d->next) {
		if (d->domid == domid)
			return d;
	}
	return NULL;
}

/* A domain the test side may act as: it exists and is not dying. */
static struct fake_dom *dom_running(const struct fake_xen *fx, uint16_t domid)
{
	struct fake_dom *d = fx ? dom_find(fx, domid) : NULL;

	return d && !d->dying ? d : NULL;
}

static bool dom_is_privileged(const struct fake_dom *d)
{
	return d->flags & FAKE_XEN_DOM_PRIVILEGED;
}

/* ---- Shared memory ------------------------------------------------------ */

static int mem_new(unsigned int npages, struct fake_mem **mem_out)
{
	struct fake_mem *m;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->fd = memfd_create("fake-xen", MFD_CLOEXEC);
	if (m->fd < 0) {
		rc = -errno;
		goto err_free;
	}
	if (ftruncate(m->fd, (off_t)npages * ISM_PAGE_SIZE) < 0) {
		rc = -errno;
		goto err_close;
	}
	m->npages = npages;
	m->refs = 1;
	*mem_out = m;
	return 0;

err_close:
	close(m->fd);
err_free:
	free(m);
	return rc;
}

static void mem_put(struct fake_mem *m)
{
	if (!m || --m->refs)
		return;
	close(m->fd);
	free(m);
}

static int mem_map(struct fake_mem *m, unsigned int index, unsigned int n,
		   bool writable, void **addr_out)
{
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	void *addr;

	addr = mmap(NULL, (size_t)n * ISM_PAGE_SIZE, prot, MAP_SHARED, m->fd,
		    (off_t)index * ISM_PAGE_SIZE);
	if (addr == MAP_FAILED)
		return -errno;
	*addr_out = addr;
	return 0;
}

/* ---- Xenstore: paths and nodes ------------------------------------------ */

static bool xs_path_valid(const char *p)
{
	const char *s;

	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (s = p; *s; s++) {
		if (*s == '/') {
			if (s[1] == '/' || !s[1])
				return false;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_@", *s)))
			return false;
	}
	return true;
}

/* Resolve @path for domain @domid into @abs (FAKE_XS_ABS_PATH_MAX + 1). */
static int xs_abs_path(uint16_t domid, const char *path, char *abs)
{
	size_t len;
	int n;

	if (!path)
		return -EINVAL;
	len = strnlen(path, FAKE_XS_ABS_PATH_MAX + 1);
	if (path[0] == '/') {
		if (len > FAKE_XS_ABS_PATH_MAX)
			return -E2BIG;
		memcpy(abs, path, len + 1);
	} else {
		if (len > FAKE_XS_REL_PATH_MAX)
			return -E2BIG;
		n = snprintf(abs, FAKE_XS_ABS_PATH_MAX + 1,
			     "/local/domain/%u/%s", domid, path);
		if (n < 0 || (size_t)n > FAKE_XS_ABS_PATH_MAX)
			return -E2BIG;
	}
	return xs_path_valid(abs) ? 0 : -EINVAL;
}

/* Whether @path is @base or below it. */
static bool xs_path_within(const char *path, const char *base)
{
	size_t bl = strlen(base);

	if (!strcmp(base, "/"))
		return true;
	return !strncmp(path, base, bl) &&
	       (path[bl] == '\0' || path[bl] == '/');
}

static struct xs_node *xs_node_new(const char *name, size_t len)
{
	struct xs_node *n;

	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strndup(name, len);
	n->value = calloc(1, 1);
	if (!n->name || !n->value) {
		free(n->name);
		free(n->value);
		free(n);
		return NULL;
	}
	return n;
}

static void xs_node_free(struct xs_node *n)
{
	struct xs_node *c, *next;

	if (!n)
		return;
	for (c = n->child; c; c = next) {
		next = c->next;
		xs_node_free(c);
	}
	free(n->name);
	free(n->value);
	free(n);
}

static struct xs_node *xs_node_clone(const struct xs_node *n,
				     struct xs_node *parent)
{
	struct xs_node *copy, *cc, **tail;
	const struct xs_node *c;

	copy = xs_node_new(n->name, strlen(n->name));
	if (!copy)
		return NULL;
	free(copy->value);
	copy->value = malloc(n->len + 1);
	if (!copy->value) {
		copy->value = NULL;
		xs_node_free(copy);
		return NULL;
	}
	memcpy(copy->value, n->value, n->len + 1);
	copy->len = n->len;
	memcpy(copy->perms, n->perms, sizeof(n->perms));
	copy->nperms = n->nperms;
	copy->parent = parent;
	tail = &copy->child;
	for (c = n->child; c; c = c->next) {
		cc = xs_node_clone(c, copy);
		if (!cc) {
			xs_node_free(copy);
			return NULL;
		}
		*tail = cc;
		tail = &cc->next;
	}
	return copy;
}

static struct xs_node *xs_child(const struct xs_node *n, const char *name,
				size_t len)
{
	struct xs_node *c;

	for (c = n->child; c; c = c->next) {
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	}
	return NULL;
}

/*
 * Walk @abs from @root as far as it exists.  Returns the deepest existing
 * node; *@rest is the part of @abs below it ("" if all of it exists).
 */
static struct xs_node *xs_walk(struct xs_node *root, const char *abs,
			       const char **rest)
{
	struct xs_node *n = root, *c;
	const char *s = abs + 1, *e;

	while (*s) {
		e = strchrnul(s, '/');
		c = xs_child(n, s, (size_t)(e - s));
		if (!c)
			break;
		n = c;
		s = *e ? e + 1 : e;
	}
	*rest = s;
	return n;
}

static void xs_node_link(struct xs_node *parent, struct xs_node *n)
{
	struct xs_node **tail = &parent->child;

	while (*tail)
		tail = &(*tail)->next;
	n->parent = parent;
	n->next = NULL;
	*tail = n;
}

static void xs_node_unlink(struct xs_node *n)
{
	struct xs_node **pp = &n->parent->child;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	n->next = NULL;
	n->parent = NULL;
}

/* ---- Xenstore: permissions ---------------------------------------------- */

static unsigned int xs_perm_for(const struct fake_dom *d,
				const struct ism_xs_perm *perms, unsigned int n)
{
	unsigned int i;

	if (dom_is_privileged(d))
		return ISM_XS_PERM_BOTH | FAKE_XS_PERM_OWNER;
	if (!n)
		return ISM_XS_PERM_NONE;
	if (perms[0].domid == d->domid)
		return ISM_XS_PERM_BOTH | FAKE_XS_PERM_OWNER;
	for (i = 1; i < n; i++) {
		if (perms[i].domid == d->domid)
			return perms[i].perms;
	}
	return perms[0].perms;
}

static unsigned int xs_node_perm(const struct fake_dom *d,
				 const struct xs_node *n)
{
	return xs_perm_for(d, n->perms, n->nperms);
}

/* A node created by @d below @parent inherits its list, owned by @d. */
static void xs_inherit(struct xs_node *n, const struct xs_node *parent,
		       const struct fake_dom *d)
{
	memcpy(n->perms, parent->perms, sizeof(n->perms));
	n->nperms = parent->nperms;
	if (!dom_is_privileged(d))
		n->perms[0].domid = d->domid;
}

/* ---- Xenstore: changes, watches and events ------------------------------ */

static void xs_change_add_set(struct xs_change *ch, const struct xs_node *n)
{
	if (!n || ch->nsets >= 3)
		return;
	memcpy(ch->perms[ch->nsets], n->perms, sizeof(n->perms));
	ch->nperms[ch->nsets] = n->nperms;
	ch->nsets++;
}

static struct xs_change *xs_change_new(const char *abs, bool exact,
				       const struct xs_node *n)
{
	size_t len = strlen(abs);
	struct xs_change *ch;

	ch = calloc(1, sizeof(*ch) + len + 1);
	if (!ch)
		return NULL;
	memcpy(ch->path, abs, len + 1);
	ch->exact = exact;
	xs_change_add_set(ch, n);
	xs_change_add_set(ch, n->parent);
	return ch;
}

static void xs_changes_free(struct xs_change *ch)
{
	struct xs_change *next;

	for (; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
}

static bool xs_change_visible(const struct fake_dom *d,
			      const struct xs_change *ch)
{
	unsigned int i;

	for (i = 0; i < ch->nsets; i++) {
		if (xs_perm_for(d, ch->perms[i], ch->nperms[i]) &
		    ISM_XS_PERM_READ)
			return true;
	}
	return false;
}

static void xs_event_queue(struct fake_xen *fx, struct fake_conn *conn,
			   const struct xs_watch *w, const char *path)
{
	struct xs_event *ev;

	if (conn->nevents >= FAKE_XS_EVENTS_MAX)
		goto err_drop;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		goto err_drop;
	ev->watch = w;
	ev->path = strdup(path);
	ev->token = strdup(w->token);
	if (!ev->path || !ev->token)
		goto err_free;
	*conn->ev_tail = ev;
	conn->ev_tail = &ev->next;
	if (!conn->nevents++)
		efd_raise(conn->efd);
	return;

err_free:
	free(ev->path);
	free(ev->token);
	free(ev);
err_drop:
	fx->events_dropped++;
}

static void xs_event_free(struct xs_event *ev)
{
	free(ev->path);
	free(ev->token);
	free(ev);
}

/* Drop the queued events of @w, or all of them if @w is NULL. */
static void xs_events_drop(struct fake_conn *conn, const struct xs_watch *w)
{
	struct xs_event **pp = &conn->ev_head, *ev;

	while ((ev = *pp)) {
		if (w && ev->watch != w) {
			pp = &ev->next;
			continue;
		}
		*pp = ev->next;
		xs_event_free(ev);
		conn->nevents--;
	}
	conn->ev_tail = pp;
	if (!conn->nevents)
		efd_drain(conn->efd);
}

static const char *xs_event_path(const struct fake_conn *conn,
				 const struct xs_watch *w, const char *abs)
{
	char home[32];
	size_t hl;

	if (!w->relative)
		return abs;
	hl = (size_t)snprintf(home, sizeof(home), "/local/domain/%u/",
			      conn->dom->domid);
	/* A relative watch lies below home, so its events do too. */
	return strncmp(abs, home, hl) ? abs : abs + hl;
}

static void xs_fire(struct fake_xen *fx, const struct xs_change *ch)
{
	struct fake_conn *conn;
	struct xs_watch *w;
	bool hit;

	for (conn = fx->conns; conn; conn = conn->next) {
		if (conn->dom->dying || !xs_change_visible(conn->dom, ch))
			continue;
		for (w = conn->watches; w; w = w->next) {
			if (w->special)
				continue;
			hit = ch->exact ? !strcmp(w->abs, ch->path) :
					  xs_path_within(ch->path, w->abs);
			if (hit)
				xs_event_queue(fx, conn, w,
					       xs_event_path(conn, w,
							     ch->path));
		}
	}
}

static void xs_fire_special(struct fake_xen *fx, const char *name)
{
	struct fake_conn *conn;
	struct xs_watch *w;

	for (conn = fx->conns; conn; conn = conn->next) {
		if (conn->dom->dying || !dom_is_privileged(conn->dom))
			continue;
		for (w = conn->watches; w; w = w->next) {
			if (w->special && !strcmp(w->abs, name))
				xs_event_queue(fx, conn, w, name);
		}
	}
}

static void xs_watch_free(struct xs_watch *w)
{
	free(w->path);
	free(w->abs);
	free(w->token);
	free(w);
}

static void xs_tx_free(struct fake_tx *tx)
{
	xs_node_free(tx->root);
	xs_changes_free(tx->changes);
	free(tx);
}

static void conn_init(struct fake_conn *conn, struct fake_dom *d, int efd)
{
	memset(conn, 0, sizeof(*conn));
	conn->dom = d;
	conn->ev_tail = &conn->ev_head;
	conn->efd = efd;
}

static void conn_link(struct fake_xen *fx, struct fake_conn *conn)
{
	conn->next = fx->conns;
	fx->conns = conn;
	conn->linked = true;
}

/* Drop the connection's watches, events and transactions; unlink it. */
static void conn_clear(struct fake_xen *fx, struct fake_conn *conn)
{
	struct xs_watch *w;
	struct fake_tx *tx;

	xs_events_drop(conn, NULL);
	while ((w = conn->watches)) {
		conn->watches = w->next;
		xs_watch_free(w);
	}
	conn->nwatches = 0;
	while ((tx = conn->txs)) {
		conn->txs = tx->next;
		xs_tx_free(tx);
	}
	conn->ntxs = 0;
	if (!conn->linked)
		return;
	FAKE_LIST_UNLINK(fx->conns, conn);
	conn->linked = false;
}

/* ---- Xenstore: operations ------------------------------------------------ */

/* One operation's view: who asks, in which tree. */
struct xs_ctx {
	struct fake_xen *fx;
	struct fake_dom *dom;
	struct fake_conn *conn;
	struct fake_tx *tx;
	struct xs_node **root;
};

static int xs_ctx_init(struct xs_ctx *c, struct fake_xen *fx,
		       struct fake_conn *conn, uint32_t txid)
{
	struct fake_tx *tx = NULL;

	if (txid != ISM_XS_NO_TX) {
		for (tx = conn->txs; tx; tx = tx->next) {
			if (tx->id == txid)
				break;
		}
		if (!tx)
			return -ENOENT;
	}
	c->fx = fx;
	c->dom = conn->dom;
	c->conn = conn;
	c->tx = tx;
	c->root = tx ? &tx->root : &fx->root;
	return 0;
}

/* Fire (or, in a transaction, keep for the commit) a list of changes. */
static void xs_commit(struct xs_ctx *c, struct xs_change *list)
{
	struct xs_change *ch;

	if (c->tx) {
		*c->tx->tail = list;
		while (*c->tx->tail)
			c->tx->tail = &(*c->tx->tail)->next;
		return;
	}
	c->fx->xs_gen++;
	for (ch = list; ch; ch = ch->next)
		xs_fire(c->fx, ch);
	xs_changes_free(list);
}

/*
 * Find the node @path names, for reading, into *@n_out (@abs receives the
 * absolute path).  As xenstored: -EACCES if the deepest existing node on the
 * way may not be read, -ENOENT if the node does not exist.
 */
static int xs_find(struct xs_ctx *c, const char *path, char *abs,
		   struct xs_node **n_out)
{
	const char *rest;
	struct xs_node *n;
	int rc;

	rc = xs_abs_path(c->dom->domid, path, abs);
	if (rc)
		return rc;
	n = xs_walk(*c->root, abs, &rest);
	if (!(xs_node_perm(c->dom, n) & ISM_XS_PERM_READ))
		return -EACCES;
	if (*rest)
		return -ENOENT;
	*n_out = n;
	return 0;
}

static int xs_do_read(struct xs_ctx *c, const char *path, char **val_out,
		      size_t *len_out)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_node *n;
	char *val;
	int rc;

	if (!val_out || !len_out)
		return -EINVAL;
	rc = xs_find(c, path, abs, &n);
	if (rc)
		return rc;
	val = malloc(n->len + 1);
	if (!val)
		return -ENOMEM;
	memcpy(val, n->value, n->len + 1);
	*val_out = val;
	*len_out = n->len;
	return 0;
}

/*
 * Build, detached, the nodes named by @rest below @parent as domain @d
 * creates them.  Returns the top one; *@leaf_out is the deepest.
 */
static struct xs_node *xs_chain_new(const struct fake_dom *d,
				    struct xs_node *parent, const char *rest,
				    struct xs_node **leaf_out)
{
	struct xs_node *top = NULL, *prev = parent, *n;
	const char *s = rest, *e;

	while (*s) {
		e = strchrnul(s, '/');
		n = xs_node_new(s, (size_t)(e - s));
		if (!n) {
			xs_node_free(top);
			return NULL;
		}
		xs_inherit(n, prev, d);
		if (top)
			xs_node_link(prev, n);
		else
			top = n;
		n->parent = prev; /* the top one is linked by the caller */
		prev = n;
		s = *e ? e + 1 : e;
	}
	*leaf_out = prev;
	return top;
}

static int xs_do_write(struct xs_ctx *c, const char *path, const void *val,
		       size_t len, bool mkdir)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_node *n, *top = NULL, *leaf;
	struct xs_change *ch;
	char *copy = NULL;
	const char *rest;
	int rc;

	if (!val && len)
		return -EINVAL;
	rc = xs_abs_path(c->dom->domid, path, abs);
	if (rc)
		return rc;
	if (strlen(path) + 1 + len > FAKE_XS_PAYLOAD_MAX)
		return -E2BIG;
	n = xs_walk(*c->root, abs, &rest);
	if (!(xs_node_perm(c->dom, n) & ISM_XS_PERM_WRITE))
		return -EACCES;
	if (!*rest && mkdir)
		return 0;
	if (!mkdir) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
		if (len)
			memcpy(copy, val, len);
		copy[len] = '\0';
	}
	leaf = n;
	if (*rest) {
		top = xs_chain_new(c->dom, n, rest, &leaf);
		if (!top) {
			rc = -ENOMEM;
			goto err_free_copy;
		}
	}
	ch = xs_change_new(abs, false, leaf);
	if (!ch) {
		rc = -ENOMEM;
		goto err_free_chain;
	}
	if (top)
		xs_node_link(n, top);
	if (copy) {
		free(leaf->value);
		leaf->value = copy;
		leaf->len = len;
	}
	xs_commit(c, ch);
	return 0;

err_free_chain:
	xs_node_free(top);
err_free_copy:
	free(copy);
	return rc;
}

/* Add an exact change for every node below @n, whose path is @buf. */
static int xs_changes_below(const struct xs_node *n, char *buf, size_t len,
			    struct xs_change ***tail)
{
	const struct xs_node *c;
	struct xs_change *ch;
	size_t cl;
	int rc;

	for (c = n->child; c; c = c->next) {
		cl = strlen(c->name);
		if (len + 1 + cl > FAKE_XS_ABS_PATH_MAX)
			return -E2BIG; /* cannot happen: paths were checked */
		buf[len] = '/';
		memcpy(buf + len + 1, c->name, cl + 1);
		ch = xs_change_new(buf, true, c);
		if (!ch)
			return -ENOMEM;
		**tail = ch;
		*tail = &ch->next;
		rc = xs_changes_below(c, buf, len + 1 + cl, tail);
		if (rc)
			return rc;
	}
	buf[len] = '\0';
	return 0;
}

static int xs_do_rm(struct xs_ctx *c, const char *path)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_change *list = NULL, **tail = &list;
	const char *rest;
	struct xs_node *n;
	int rc;

	rc = xs_abs_path(c->dom->domid, path, abs);
	if (rc)
		return rc;
	n = xs_walk(*c->root, abs, &rest);
	if (*rest)
		return strchr(rest, '/') ? -ENOENT : 0;
	if (!n->parent)
		return -EINVAL;
	if (!(xs_node_perm(c->dom, n) & ISM_XS_PERM_WRITE))
		return -EACCES;
	list = xs_change_new(abs, false, n);
	if (!list)
		return -ENOMEM;
	tail = &list->next;
	rc = xs_changes_below(n, abs, strlen(abs), &tail);
	if (rc)
		goto err_free_changes;
	xs_node_unlink(n);
	xs_node_free(n);
	xs_commit(c, list);
	return 0;

err_free_changes:
	xs_changes_free(list);
	return rc;
}

static int xs_do_directory(struct xs_ctx *c, const char *path,
			   char ***names_out, unsigned int *num_out)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	const struct xs_node *ch;
	struct xs_node *n;
	size_t bytes = 0;
	unsigned int num = 0, i = 0;
	char **names, *s;
	int rc;

	if (!names_out || !num_out)
		return -EINVAL;
	rc = xs_find(c, path, abs, &n);
	if (rc)
		return rc;
	for (ch = n->child; ch; ch = ch->next) {
		num++;
		bytes += strlen(ch->name) + 1;
	}
	names = malloc((num + 1) * sizeof(char *) + bytes);
	if (!names)
		return -ENOMEM;
	s = (char *)(names + num + 1);
	for (ch = n->child; ch; ch = ch->next) {
		names[i++] = s;
		strcpy(s, ch->name);
		s += strlen(ch->name) + 1;
	}
	names[num] = NULL;
	*names_out = names;
	*num_out = num;
	return 0;
}

static int xs_do_get_perms(struct xs_ctx *c, const char *path,
			   struct ism_xs_perm **perms_out,
			   unsigned int *num_out)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct ism_xs_perm *perms;
	struct xs_node *n;
	int rc;

	if (!perms_out || !num_out)
		return -EINVAL;
	rc = xs_find(c, path, abs, &n);
	if (rc)
		return rc;
	perms = calloc(n->nperms, sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	memcpy(perms, n->perms, n->nperms * sizeof(*perms));
	*perms_out = perms;
	*num_out = n->nperms;
	return 0;
}

static int xs_do_set_perms(struct xs_ctx *c, const char *path,
			   const struct ism_xs_perm *perms, unsigned int num)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_change *ch;
	struct xs_node *n;
	unsigned int i;
	int rc;

	if (!perms || !num)
		return -EINVAL;
	if (num > ISM_XS_PERMS_MAX)
		return -E2BIG;
	for (i = 0; i < num; i++) {
		if (perms[i].perms & ~ISM_XS_PERM_BOTH)
			return -EINVAL;
	}
	rc = xs_find(c, path, abs, &n);
	if (rc)
		return rc;
	if (!(xs_node_perm(c->dom, n) & FAKE_XS_PERM_OWNER))
		return -EACCES;
	if (!dom_is_privileged(c->dom) && perms[0].domid != n->perms[0].domid)
		return -EPERM;
	/* Watchers that could read the node before may see the change too. */
	ch = xs_change_new(abs, false, n);
	if (!ch)
		return -ENOMEM;
	memset(n->perms, 0, sizeof(n->perms));
	memcpy(n->perms, perms, num * sizeof(*perms));
	n->nperms = num;
	xs_change_add_set(ch, n);
	xs_commit(c, ch);
	return 0;
}

static int xs_do_watch(struct fake_xen *fx, struct fake_conn *conn,
		       const char *path, const char *token)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_watch *w;
	int rc;

	if (!path || !token)
		return -EINVAL;
	if (strnlen(token, FAKE_XS_TOKEN_MAX + 1) > FAKE_XS_TOKEN_MAX)
		return -E2BIG;
	if (path[0] == '@') {
		if (strcmp(path, FAKE_RELEASE_DOMAIN) &&
		    strcmp(path, FAKE_INTRODUCE_DOMAIN))
			return -EINVAL;
		strcpy(abs, path);
	} else {
		rc = xs_abs_path(conn->dom->domid, path, abs);
		if (rc)
			return rc;
	}
	for (w = conn->watches; w; w = w->next) {
		if (!strcmp(w->abs, abs) && !strcmp(w->token, token))
			return -EEXIST;
	}
	if (!dom_is_privileged(conn->dom) &&
	    conn->nwatches >= FAKE_XS_WATCH_QUOTA)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->abs = strdup(abs);
	w->token = strdup(token);
	if (!w->path || !w->abs || !w->token) {
		xs_watch_free(w);
		return -ENOMEM;
	}
	w->special = path[0] == '@';
	w->relative = path[0] != '/' && !w->special;
	w->next = conn->watches;
	conn->watches = w;
	conn->nwatches++;
	/* Xenstored fires every new watch once, whatever the node. */
	xs_event_queue(fx, conn, w, w->path);
	return 0;
}

static int xs_do_unwatch(struct fake_conn *conn, const char *path,
			 const char *token)
{
	char abs[FAKE_XS_ABS_PATH_MAX + 1];
	struct xs_watch **pp, *w;
	int rc;

	if (!path || !token)
		return -EINVAL;
	if (path[0] == '@') {
		if (strnlen(path, FAKE_XS_ABS_PATH_MAX + 1) >
		    FAKE_XS_ABS_PATH_MAX)
			return -E2BIG;
		strcpy(abs, path);
	} else {
		rc = xs_abs_path(conn->dom->domid, path, abs);
		if (rc)
			return rc;
	}
	for (pp = &conn->watches; (w = *pp); pp = &w->next) {
		if (!strcmp(w->abs, abs) && !strcmp(w->token, token))
			break;
	}
	if (!w)
		return -ENOENT;
	*pp = w->next;
	conn->nwatches--;
	xs_events_drop(conn, w);
	xs_watch_free(w);
	return 0;
}

static int xs_do_read_watch(struct fake_conn *conn, char **path_out,
			    char **token_out)
{
	struct xs_event *ev;

	if (!path_out || !token_out)
		return -EINVAL;
	ev = conn->ev_head;
	if (!ev)
		return -EAGAIN;
	conn->ev_head = ev->next;
	if (!conn->ev_head)
		conn->ev_tail = &conn->ev_head;
	if (!--conn->nevents)
		efd_drain(conn->efd);
	*path_out = ev->path;
	*token_out = ev->token;
	free(ev);
	return 0;
}

static int xs_do_tx_start(struct fake_xen *fx, struct fake_conn *conn,
			  uint32_t *tx_out)
{
	struct fake_tx *tx;

	if (!tx_out)
		return -EINVAL;
	if (!dom_is_privileged(conn->dom) && conn->ntxs >= FAKE_XS_TX_QUOTA)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return -ENOMEM;
	tx->root = xs_node_clone(fx->root, NULL);
	if (!tx->root) {
		free(tx);
		return -ENOMEM;
	}
	tx->gen = fx->xs_gen;
	tx->tail = &tx->changes;
	if (++fx->next_tx == ISM_XS_NO_TX)
		++fx->next_tx;
	tx->id = fx->next_tx;
	tx->next = conn->txs;
	conn->txs = tx;
	conn->ntxs++;
	*tx_out = tx->id;
	return 0;
}

/* Close @txid; commit it unless @abort or @fail_err (an injected fault). */
static int xs_do_tx_end(struct fake_xen *fx, struct fake_conn *conn,
			uint32_t txid, bool abort, int fail_err)
{
	struct fake_tx **pp, *tx;
	struct xs_change *ch;

	for (pp = &conn->txs; (tx = *pp); pp = &tx->next) {
		if (tx->id == txid)
			break;
	}
	if (!tx)
		return fail_err ? fail_err : -ENOENT;
	*pp = tx->next;
	conn->ntxs--;
	if (fail_err || abort) {
		xs_tx_free(tx);
		return fail_err;
	}
	if (tx->gen != fx->xs_gen) {
		xs_tx_free(tx);
		return -EAGAIN;
	}
	if (tx->changes) {
		xs_node_free(fx->root);
		fx->root = tx->root;
		tx->root = NULL;
		fx->xs_gen++;
		for (ch = tx->changes; ch; ch = ch->next)
			xs_fire(fx, ch);
	}
	xs_tx_free(tx);
	return 0;
}

/* The toolstack's view: dom0, outside any transaction. */
static void xs_tool_ctx(struct fake_xen *fx, struct xs_ctx *c)
{
	struct fake_dom *d0 = dom_find(fx, 0);

	c->fx = fx;
	c->dom = d0;
	c->conn = &d0->conn;
	c->tx = NULL;
	c->root = &fx->root;
}

static int xs_tool_mkdir(struct fake_xen *fx, const char *path,
			 const struct ism_xs_perm *perms, unsigned int num)
{
	struct xs_ctx c;
	int rc;

	xs_tool_ctx(fx, &c);
	rc = xs_do_write(&c, path, NULL, 0, true);
	if (!rc && perms)
		rc = xs_do_set_perms(&c, path, perms, num);
	return rc;
}

static int xs_tool_write(struct fake_xen *fx, const char *path,
			 const char *value)
{
	struct xs_ctx c;

	xs_tool_ctx(fx, &c);
	return xs_do_write(&c, path, value, strlen(value), false);
}

static int xs_tool_rm(struct fake_xen *fx, const char *path)
{
	struct xs_ctx c;

	xs_tool_ctx(fx, &c);
	return xs_do_rm(&c, path);
}

/* ---- Grants, page sets and mappings -------------------------------------- */

static struct fake_grant *grant_get(struct fake_dom *d, uint32_t gref)
{
	struct fake_grant *g;

	if (gref < FAKE_GREF_FIRST ||
	    gref - FAKE_GREF_FIRST >= d->limits.grants)
		return NULL;
	g = &d->grants[gref];
	return g->used ? g : NULL;
}

/* The lowest free reference, as Linux hands them out. */
static int grant_alloc(struct fake_dom *d, uint32_t *gref_out)
{
	uint32_t gref, end = FAKE_GREF_FIRST + d->limits.grants;

	gref = d->grant_hint > FAKE_GREF_FIRST ? d->grant_hint :
						 FAKE_GREF_FIRST;
	for (; gref < end; gref++) {
		if (!d->grants[gref].used) {
			*gref_out = gref;
			d->grant_hint = gref + 1;
			return 0;
		}
	}
	d->grant_hint = end;
	return -ENOSPC;
}

/*
 * Grant page @index of @mem (taking a reference to it) to @grantee in @d's
 * table; @set is the page set it comes from, if any.
 */
static int grant_new(struct fake_dom *d, uint16_t grantee, bool readonly,
		     struct fake_mem *mem, unsigned int index,
		     struct fake_pages *set, uint32_t *gref_out)
{
	struct fake_grant *g;
	uint32_t gref;
	int rc;

	rc = grant_alloc(d, &gref);
	if (rc)
		return rc;
	g = &d->grants[gref];
	g->used = true;
	g->readonly = readonly;
	g->grantee = grantee;
	g->mem = mem;
	mem->refs++;
	g->index = index;
	g->set = set;
	if (set)
		set->ngrants++;
	*gref_out = gref;
	return 0;
}

/* A set of @npieces pieces, all zero, linked nowhere. */
static struct fake_pages *set_new(unsigned int npieces)
{
	struct fake_pages *s;

	s = calloc(1, sizeof(*s) + npieces * sizeof(s->pieces[0]));
	if (s)
		s->npieces = npieces;
	return s;
}

/* Free @s, linked nowhere: its local mapping and its pieces' references. */
static void set_discard(struct fake_pages *s)
{
	unsigned int i;

	if (!s)
		return;
	if (s->addr)
		munmap(s->addr, (size_t)s->count * ISM_PAGE_SIZE);
	for (i = 0; i < s->npieces; i++)
		mem_put(s->pieces[i].mem);
	free(s);
}

/* The memory behind page @i of @s, and the page's index in it. */
static struct fake_mem *set_page(const struct fake_pages *s, unsigned int i,
				 unsigned int *index_out)
{
	const struct fake_piece *pc = s->pieces;

	while (i >= pc->count) {
		i -= pc->count;
		pc++;
	}
	*index_out = pc->index + i;
	return pc->mem;
}

/* Map every page of @s, contiguous and read-write, at *@addr_out. */
static int set_map(const struct fake_pages *s, void **addr_out)
{
	size_t len = (size_t)s->count * ISM_PAGE_SIZE, off = 0, n;
	const struct fake_piece *pc;
	unsigned int i;
	void *base;
	int rc;

	/* Reserve the range, then put each piece in place. */
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < s->npieces; i++) {
		pc = &s->pieces[i];
		n = (size_t)pc->count * ISM_PAGE_SIZE;
		if (mmap((char *)base + off, n, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, pc->mem->fd,
			 (off_t)pc->index * ISM_PAGE_SIZE) == MAP_FAILED) {
			rc = -errno;
			goto err_unmap;
		}
		off += n;
	}
	*addr_out = base;
	return 0;

err_unmap:
	munmap(base, len);
	return rc;
}

/*
 * Where page @page falls in fx->set_index: the position of the last set
 * that starts at or below it (0 if none; the caller checks), or with
 * @above, of the first set that starts above it.
 */
static unsigned int set_index_pos(const struct fake_xen *fx, uint32_t page,
				  bool above)
{
	unsigned int lo = 0, hi = fx->nsets, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fx->set_index[mid]->handle <= page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return above || !lo ? lo : lo - 1;
}

/* The set holding page @page, or NULL. */
static struct fake_pages *set_at(const struct fake_xen *fx, uint32_t page,
				 unsigned int *pos_out)
{
	unsigned int pos = set_index_pos(fx, page, false);
	struct fake_pages *s = pos < fx->nsets ? fx->set_index[pos] : NULL;

	if (!s || page < s->handle || page - s->handle >= s->count)
		return NULL;
	if (pos_out)
		*pos_out = pos;
	return s;
}

/* Make room in the index for @n more sets. */
static int set_index_reserve(struct fake_xen *fx, unsigned int n)
{
	struct fake_pages **index;
	unsigned int cap;

	if (fx->nsets + n <= fx->set_index_cap)
		return 0;
	cap = fx->set_index_cap ? 2 * fx->set_index_cap : 64;
	if (cap < fx->nsets + n)
		cap = fx->nsets + n;
	index = realloc(fx->set_index, cap * sizeof(*index));
	if (!index)
		return -ENOMEM;
	fx->set_index = index;
	fx->set_index_cap = cap;
	return 0;
}

/* Link @s into the list and the index (room reserved). */
static void set_link(struct fake_xen *fx, struct fake_pages *s)
{
	unsigned int pos = set_index_pos(fx, s->handle, true);

	memmove(fx->set_index + pos + 1, fx->set_index + pos,
		(fx->nsets - pos) * sizeof(*fx->set_index));
	fx->set_index[pos] = s;
	fx->nsets++;
	s->prev = NULL;
	s->next = fx->sets;
	if (fx->sets)
		fx->sets->prev = s;
	fx->sets = s;
}

/* Unlink @s and free it; the domain's page count is the caller's. */
static void set_destroy(struct fake_xen *fx, struct fake_pages *s)
{
	unsigned int pos;

	if (set_at(fx, s->handle, &pos) == s) {
		memmove(fx->set_index + pos, fx->set_index + pos + 1,
			(fx->nsets - pos - 1) * sizeof(*fx->set_index));
		fx->nsets--;
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		fx->sets = s->next;
	if (s->next)
		s->next->prev = s->prev;
	set_discard(s);
}

static void set_free(struct fake_xen *fx, struct fake_pages *s)
{
	s->dom->pages_used -= s->count;
	set_destroy(fx, s);
}

/* End grant @gref of @d for good; its page set may go with it. */
static void grant_release(struct fake_xen *fx, struct fake_dom *d,
			  uint32_t gref)
{
	struct fake_grant *g = &d->grants[gref];
	struct fake_pages *s = g->set;

	if (g->guest_addr)
		munmap(g->guest_addr, ISM_PAGE_SIZE);
	mem_put(g->mem);
	memset(g, 0, sizeof(*g));
	if (gref < d->grant_hint)
		d->grant_hint = gref;
	if (s && !--s->ngrants && s->state == FAKE_SET_ORPHAN)
		set_free(fx, s);
}

/* The set @p took with handle @handle, or NULL. */
static struct fake_pages *set_find(struct fake_xen *fx, struct ism_platform *p,
				   uint32_t handle)
{
	struct fake_pages *s = set_at(fx, handle, NULL);

	if (!s || s->handle != handle || s->owner != p ||
	    s->state != FAKE_SET_TAKEN)
		return NULL;
	return s;
}

static unsigned int dom_count_maps(const struct fake_xen *fx,
				   const struct fake_dom *d)
{
	const struct fake_map *m;
	unsigned int n = 0;

	for (m = fx->maps; m; m = m->next)
		n += m->mapper == d;
	return n;
}

static void dom_maybe_reap(struct fake_xen *fx, struct fake_dom *d);

static int map_new(struct fake_xen *fx, struct fake_dom *mapper,
		   struct ism_platform *owner, struct fake_dom *granter,
		   uint32_t gref, bool writable, void **addr_out)
{
	struct fake_grant *g;
	struct fake_map *m;
	int rc;

	if (!addr_out)
		return -EINVAL;
	g = grant_get(granter, gref);
	if (!g)
		return -EINVAL;
	if (g->grantee != mapper->domid || (g->readonly && writable))
		return -EACCES;
	if (dom_count_maps(fx, mapper) >= mapper->limits.maps)
		return -ENOSPC;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	rc = mem_map(g->mem, g->index, 1, writable, &m->addr);
	if (rc) {
		free(m);
		return rc;
	}
	m->mapper = mapper;
	m->owner = owner;
	m->granter = granter;
	m->gref = gref;
	g->nmaps++;
	m->next = fx->maps;
	fx->maps = m;
	*addr_out = m->addr;
	return 0;
}

/* Unmap @m, which the caller has unlinked. */
static void map_release(struct fake_xen *fx, struct fake_map *m)
{
	struct fake_dom *granter = m->granter;
	struct fake_grant *g = &granter->grants[m->gref];

	munmap(m->addr, ISM_PAGE_SIZE);
	if (!--g->nmaps && g->deferred)
		grant_release(fx, granter, m->gref);
	free(m);
	dom_maybe_reap(fx, granter);
}

/* Unmap every mapping for which @match(m, arg) holds. */
static void maps_release_if(struct fake_xen *fx,
			    bool (*match)(const struct fake_map *m,
					  const void *arg),
			    const void *arg)
{
	struct fake_map **pp = &fx->maps, *m;

	while ((m = *pp)) {
		if (!match(m, arg)) {
			pp = &m->next;
			continue;
		}
		*pp = m->next;
		map_release(fx, m);
	}
}

static bool map_of_mapper(const struct fake_map *m, const void *arg)
{
	return m->mapper == arg;
}

static bool map_of_owner(const struct fake_map *m, const void *arg)
{
	return m->owner == arg;
}

static int map_remove(struct fake_xen *fx, struct fake_dom *mapper,
		      struct ism_platform *owner, void *addr)
{
	struct fake_map **pp, *m;

	for (pp = &fx->maps; (m = *pp); pp = &m->next) {
		if (m->addr == addr && m->mapper == mapper && m->owner == owner)
			break;
	}
	if (!m || !addr)
		return -EINVAL;
	*pp = m->next;
	map_release(fx, m);
	return 0;
}

/* ---- Event channels ------------------------------------------------------ */

static struct fake_port *port_get(struct fake_dom *d, uint32_t port,
				  const struct ism_platform *owner)
{
	struct fake_port *p;

	if (!port || port > d->limits.ports)
		return NULL;
	p = &d->ports[port];
	if (p->state == FAKE_PORT_FREE || p->owner != owner)
		return NULL;
	return p;
}

static int port_alloc(struct fake_dom *d, uint32_t *port_out)
{
	uint32_t port;

	for (port = 1; port <= d->limits.ports; port++) {
		if (d->ports[port].state == FAKE_PORT_FREE) {
			*port_out = port;
			return 0;
		}
	}
	return -ENOSPC;
}

static void evq_push(struct ism_platform *p, uint32_t port)
{
	if (p->evq_len >= p->evq_cap)
		return; /* cannot happen: a port is queued at most once */
	p->evq[(p->evq_head + p->evq_len) % p->evq_cap] = port;
	if (!p->evq_len++)
		efd_raise(p->evt_fd);
}

static void evq_remove(struct ism_platform *p, uint32_t port)
{
	unsigned int i, kept = 0;
	uint32_t q;

	for (i = 0; i < p->evq_len; i++) {
		q = p->evq[(p->evq_head + i) % p->evq_cap];
		if (q != port)
			p->evq[(p->evq_head + kept++) % p->evq_cap] = q;
	}
	p->evq_len = kept;
	if (!kept)
		efd_drain(p->evt_fd);
}

/* Hand @port's event to its platform: masked until evtchn_pending. */
static void port_deliver(struct fake_port *fp, uint32_t port)
{
	fp->pending = false;
	fp->masked = true;
	evq_push(fp->owner, port);
}

static void port_raise(struct fake_dom *d, uint32_t port)
{
	struct fake_port *fp = &d->ports[port];

	if (fp->pending)
		return; /* coalesces with the event not yet taken */
	fp->pending = true;
	if (fp->owner && !fp->masked)
		port_deliver(fp, port);
}

static void port_close(struct fake_xen *fx, struct fake_dom *d, uint32_t port)
{
	struct fake_port *fp = &d->ports[port], *rp;
	struct fake_dom *r;

	if (fp->state == FAKE_PORT_INTERDOMAIN) {
		r = dom_find(fx, fp->remote_domid);
		rp = r && fp->remote_port <= r->limits.ports ?
			     &r->ports[fp->remote_port] :
			     NULL;
		if (rp && rp->state == FAKE_PORT_INTERDOMAIN &&
		    rp->remote_domid == d->domid && rp->remote_port == port) {
			rp->state = FAKE_PORT_UNBOUND;
			rp->remote_domid = d->domid;
			rp->remote_port = 0;
		}
	}
	if (fp->owner)
		evq_remove(fp->owner, port);
	memset(fp, 0, sizeof(*fp));
}

static int port_notify(struct fake_xen *fx, struct fake_dom *d, uint32_t port,
		       const struct ism_platform *owner)
{
	struct fake_port *fp = port_get(d, port, owner);
	struct fake_dom *r;

	if (!fp)
		return -EINVAL;
	if (fp->state != FAKE_PORT_INTERDOMAIN)
		return 0; /* Xen drops events on an unconnected port */
	r = dom_find(fx, fp->remote_domid);
	if (r && !r->dying)
		port_raise(r, fp->remote_port);
	return 0;
}

/* ---- Domains -------------------------------------------------------------- */

static int dom_set_limits(struct fake_dom *d, const struct fake_xen_limits *l)
{
	struct fake_grant *grants;
	struct fake_port *ports;

	grants = calloc(FAKE_GREF_FIRST + l->grants, sizeof(*grants));
	ports = calloc(1 + (size_t)l->ports, sizeof(*ports));
	if (!grants || !ports) {
		free(grants);
		free(ports);
		return -ENOMEM;
	}
	free(d->grants);
	free(d->ports);
	d->grants = grants;
	d->ports = ports;
	d->grant_hint = 0;
	d->limits = *l;
	return 0;
}

static int dom_new(struct fake_xen *fx, uint16_t domid, unsigned int flags,
		   struct fake_dom **dom_out)
{
	struct fake_dom *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	rc = dom_set_limits(d, &fake_default_limits);
	if (rc) {
		free(d);
		return rc;
	}
	d->domid = domid;
	d->flags = flags;
	conn_init(&d->conn, d, -1);
	conn_link(fx, &d->conn);
	d->next = fx->doms;
	fx->doms = d;
	*dom_out = d;
	return 0;
}

static void dom_unlink(struct fake_xen *fx, struct fake_dom *d)
{
	FAKE_LIST_UNLINK(fx->doms, d);
}

/* Free a dying domain once no other domain maps its pages. */
static void dom_maybe_reap(struct fake_xen *fx, struct fake_dom *d)
{
	uint32_t gref, end = FAKE_GREF_FIRST + d->limits.grants;

	if (!d->dying)
		return;
	for (gref = FAKE_GREF_FIRST; gref < end; gref++) {
		if (d->grants[gref].used && d->grants[gref].nmaps)
			return;
	}
	for (gref = FAKE_GREF_FIRST; gref < end; gref++) {
		if (d->grants[gref].used)
			grant_release(fx, d, gref);
	}
	dom_unlink(fx, d);
	free(d->grants);
	free(d->ports);
	free(d);
}

/*
 * What libxl removes when it destroys a domain: the domain's home, its
 * /libxl directory, and, in the toolstack domain (a privileged one), the
 * backend directories of the device kinds it recorded under
 * /libxl/<domid>/device.  ism devices are not libxl's (ismctl adds
 * them), so their backend directories stay, as do a driver domain's
 * (libxl leaves those to the driver domain's devd).
 */
static void dom_xs_remove(struct fake_xen *fx, uint16_t domid)
{
	char path[FAKE_XS_ABS_PATH_MAX + 1], dir[64], known[64];
	const struct fake_dom *b;
	const struct xs_node *types, *t;
	const char *rest;
	int n;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_tool_rm(fx, path);
	for (b = fx->doms; b; b = b->next) {
		if (!dom_is_privileged(b))
			continue;
		snprintf(dir, sizeof(dir), "/local/domain/%u/backend",
			 b->domid);
		types = xs_walk(fx->root, dir, &rest);
		if (*rest)
			continue;
		for (t = types->child; t; t = t->next) {
			n = snprintf(known, sizeof(known),
				     "/libxl/%u/device/%s", domid, t->name);
			if (n < 0 || (size_t)n >= sizeof(known))
				continue;
			xs_walk(fx->root, known, &rest);
			if (*rest)
				continue; /* not a kind libxl knows */
			n = snprintf(path, sizeof(path), "%s/%s/%u", dir,
				     t->name, domid);
			if (n > 0 && (size_t)n < sizeof(path))
				xs_tool_rm(fx, path);
		}
	}
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	xs_tool_rm(fx, path);
}

/* ---- Platforms: the ops table --------------------------------------------- */

/* Count the call of @op and fail it if an armed fault says so. */
static int fault_check(struct fake_xen *fx, enum fake_xen_op op)
{
	struct fake_fault *f = &fx->fault;

	fx->calls[op]++;
	if (!f->armed || (f->op != FAKE_XEN_OP_ANY && f->op != op))
		return 0;
	if (f->countdown > 1) {
		f->countdown--;
		return 0;
	}
	fx->fail_hits++;
	if (!f->persist)
		f->armed = false;
	return -f->err;
}

#define FAKE_OP_ENTER(p, op)                          \
	do {                                          \
		int fault_rc_;                        \
		if (!(p))                             \
			return -EINVAL;               \
		fault_rc_ = fault_check((p)->fx, op); \
		if (fault_rc_)                        \
			return fault_rc_;             \
	} while (0)

/* FAKE_OP_ENTER, then set up *@c for transaction @tx of the platform. */
#define FAKE_XS_OP_ENTER(p, op, tx, c)                             \
	do {                                                       \
		int ctx_rc_;                                       \
		FAKE_OP_ENTER(p, op);                              \
		ctx_rc_ = xs_ctx_init(c, (p)->fx, &(p)->conn, tx); \
		if (ctx_rc_)                                       \
			return ctx_rc_;                            \
	} while (0)

static int op_local_domid(struct ism_platform *p, uint16_t *domid_out)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_LOCAL_DOMID);
	if (!domid_out)
		return -EINVAL;
	*domid_out = p->dom->domid;
	return 0;
}

static int op_xs_read(struct ism_platform *p, uint32_t tx, const char *path,
		      char **val_out, size_t *len_out)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_READ, tx, &c);
	return xs_do_read(&c, path, val_out, len_out);
}

static int op_xs_write(struct ism_platform *p, uint32_t tx, const char *path,
		       const void *val, size_t len)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_WRITE, tx, &c);
	return xs_do_write(&c, path, val, len, false);
}

static int op_xs_mkdir(struct ism_platform *p, uint32_t tx, const char *path)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_MKDIR, tx, &c);
	return xs_do_write(&c, path, NULL, 0, true);
}

static int op_xs_rm(struct ism_platform *p, uint32_t tx, const char *path)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_RM, tx, &c);
	return xs_do_rm(&c, path);
}

static int op_xs_directory(struct ism_platform *p, uint32_t tx,
			   const char *path, char ***names_out,
			   unsigned int *num_out)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_DIRECTORY, tx, &c);
	return xs_do_directory(&c, path, names_out, num_out);
}

static int op_xs_get_perms(struct ism_platform *p, uint32_t tx,
			   const char *path, struct ism_xs_perm **perms_out,
			   unsigned int *num_out)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_GET_PERMS, tx, &c);
	return xs_do_get_perms(&c, path, perms_out, num_out);
}

static int op_xs_set_perms(struct ism_platform *p, uint32_t tx,
			   const char *path, const struct ism_xs_perm *perms,
			   unsigned int num)
{
	struct xs_ctx c;

	FAKE_XS_OP_ENTER(p, FAKE_XEN_OP_XS_SET_PERMS, tx, &c);
	return xs_do_set_perms(&c, path, perms, num);
}

static int op_xs_transaction_start(struct ism_platform *p, uint32_t *tx_out)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_XS_TRANSACTION_START);
	return xs_do_tx_start(p->fx, &p->conn, tx_out);
}

static int op_xs_transaction_end(struct ism_platform *p, uint32_t tx,
				 bool abort)
{
	if (!p)
		return -EINVAL;
	/* An injected failure still closes the transaction, as Xen does. */
	return xs_do_tx_end(p->fx, &p->conn, tx, abort,
			    fault_check(p->fx, FAKE_XEN_OP_XS_TRANSACTION_END));
}

static int op_xs_watch(struct ism_platform *p, const char *path,
		       const char *token)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_XS_WATCH);
	return xs_do_watch(p->fx, &p->conn, path, token);
}

static int op_xs_unwatch(struct ism_platform *p, const char *path,
			 const char *token)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_XS_UNWATCH);
	return xs_do_unwatch(&p->conn, path, token);
}

static int op_xs_read_watch(struct ism_platform *p, char **path_out,
			    char **token_out)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_XS_READ_WATCH);
	return xs_do_read_watch(&p->conn, path_out, token_out);
}

static int op_xs_fd(struct ism_platform *p)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_XS_FD);
	return p->conn.efd;
}

static int op_pages_alloc(struct ism_platform *p, unsigned int count,
			  uint32_t *handle_out, void **addr_out)
{
	struct fake_xen *fx;
	struct fake_pages *s;
	int rc;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_ALLOC);
	fx = p->fx;
	if (!count || !handle_out)
		return -EINVAL;
	if (count > p->dom->limits.pages - p->dom->pages_used)
		return -EDQUOT;
	if (count > UINT32_MAX - fx->last_page)
		return -ENOMEM; /* out of page handles: 16 TiB allocated */
	rc = set_index_reserve(fx, 1);
	if (rc)
		return rc;
	s = set_new(1);
	if (!s)
		return -ENOMEM;
	rc = mem_new(count, &s->pieces[0].mem);
	if (rc)
		goto err_free_set;
	s->pieces[0].count = count;
	s->count = count;
	if (addr_out) {
		rc = set_map(s, &s->addr);
		if (rc)
			goto err_free_set;
	}
	s->handle = fx->last_page + 1;
	fx->last_page += count;
	s->state = FAKE_SET_TAKEN;
	s->dom = p->dom;
	s->dom->pages_used += count;
	s->owner = p;
	set_link(fx, s);
	*handle_out = s->handle;
	if (addr_out)
		*addr_out = s->addr;
	return 0;

err_free_set:
	set_discard(s);
	return rc;
}

static int op_pages_grant(struct ism_platform *p, uint32_t handle,
			  unsigned int index, unsigned int count,
			  uint16_t domid, bool readonly, uint32_t *grefs_out)
{
	uint32_t grefs[ISM_PAGES_BATCH_MAX];
	unsigned int i, mem_index;
	struct fake_pages *s;
	struct fake_mem *mem;
	int rc;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_GRANT);
	if (!grefs_out || !count || count > ISM_PAGES_BATCH_MAX)
		return -EINVAL;
	s = set_find(p->fx, p, handle);
	if (!s)
		return -ENOENT;
	if (index >= s->count || count > s->count - index)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		mem = set_page(s, index + i, &mem_index);
		rc = grant_new(p->dom, domid, readonly, mem, mem_index, s,
			       &grefs[i]);
		if (rc)
			goto err_release;
		p->dom->grants[grefs[i]].page = s->handle + index + i;
	}
	memcpy(grefs_out, grefs, count * sizeof(*grefs));
	return 0;

err_release:
	/* All or nothing: end what this call granted (nobody mapped it). */
	while (i-- > 0)
		grant_release(p->fx, p->dom, grefs[i]);
	return rc;
}

static int op_pages_end_grants(struct ism_platform *p, const uint32_t *grefs,
			       unsigned int count, int *status_out)
{
	struct fake_grant *g;
	unsigned int i;
	int rc = 0;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_END_GRANTS);
	if (!grefs || !status_out || !count || count > ISM_PAGES_BATCH_MAX)
		return -EINVAL;
	/* Each on its own, as the grant helper's END. */
	for (i = 0; i < count; i++) {
		g = grant_get(p->dom, grefs[i]);
		if (!g || !g->set || g->set->owner != p) {
			status_out[i] = -ENOENT;
			rc = -ENOENT;
		} else if (g->nmaps) {
			status_out[i] = -EBUSY;
			rc = rc ? rc : -EBUSY;
		} else {
			grant_release(p->fx, p->dom, grefs[i]);
			status_out[i] = 0;
		}
	}
	return rc;
}

static int op_pages_free(struct ism_platform *p, uint32_t handle)
{
	struct fake_pages *s;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_FREE);
	s = set_find(p->fx, p, handle);
	if (!s)
		return -ENOENT;
	if (s->ngrants)
		return -EBUSY;
	set_free(p->fx, s);
	return 0;
}

/* Whether grant @g is one of @p's: of a set it took or holds. */
static bool grant_of(const struct fake_grant *g, const struct ism_platform *p)
{
	return g->used && g->set && g->set->owner == p;
}

static int op_pages_list(struct ism_platform *p,
			 struct ism_pages_list **list_out)
{
	unsigned int i, nruns = 0, ngrants = 0, r = 0, n = 0;
	const struct fake_pages *s;
	const struct fake_grant *g;
	struct ism_pages_list *l;
	struct fake_xen *fx;
	struct fake_dom *d;
	uint64_t end = 0;
	uint32_t gref;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_LIST);
	if (!list_out)
		return -EINVAL;
	fx = p->fx;
	d = p->dom;
	/* Runs: @p's sets in handle order, adjacent ones joined. */
	for (i = 0; i < fx->nsets; i++) {
		s = fx->set_index[i];
		if (s->owner != p)
			continue;
		nruns += !nruns || s->handle != end;
		end = (uint64_t)s->handle + s->count;
	}
	for (gref = FAKE_GREF_FIRST; gref < FAKE_GREF_FIRST + d->limits.grants;
	     gref++)
		ngrants += grant_of(&d->grants[gref], p);
	l = malloc(sizeof(*l) + nruns * sizeof(l->runs[0]) +
		   ngrants * sizeof(l->grants[0]));
	if (!l)
		return -ENOMEM;
	l->nruns = nruns;
	l->ngrants = ngrants;
	l->runs = (struct ism_pages_run *)(l + 1);
	l->grants = (struct ism_pages_grant *)(l->runs + nruns);
	for (i = 0; i < fx->nsets; i++) {
		s = fx->set_index[i];
		if (s->owner != p)
			continue;
		if (r && s->handle == end) {
			l->runs[r - 1].count += s->count;
		} else {
			l->runs[r].handle = s->handle;
			l->runs[r++].count = s->count;
		}
		end = (uint64_t)s->handle + s->count;
	}
	for (gref = FAKE_GREF_FIRST; gref < FAKE_GREF_FIRST + d->limits.grants;
	     gref++) {
		g = &d->grants[gref];
		if (!grant_of(g, p))
			continue;
		l->grants[n].gref = gref;
		l->grants[n].page = g->page;
		l->grants[n].domid = g->grantee;
		l->grants[n++].readonly = g->readonly;
	}
	*list_out = l;
	return 0;
}

/*
 * Check that @p holds pages @handle .. @end - 1 in sets it has not taken:
 * sets [*@first, *@last] of the index, contiguous.  -ENOENT if a page is
 * not held (before -EEXIST), -EEXIST if one is in a taken set.
 */
static int adopt_range(struct ism_platform *p, uint32_t handle, uint64_t end,
		       unsigned int *first, unsigned int *last)
{
	struct fake_xen *fx = p->fx;
	uint64_t page = handle;
	struct fake_pages *s;
	bool taken = false;
	unsigned int i;

	if (!set_at(fx, handle, first))
		return -ENOENT;
	for (i = *first; page < end; i++) {
		s = i < fx->nsets ? fx->set_index[i] : NULL;
		if (!s || s->handle > page || s->owner != p)
			return -ENOENT;
		taken |= s->state != FAKE_SET_HELD;
		page = (uint64_t)s->handle + s->count;
	}
	*last = i - 1;
	return taken ? -EEXIST : 0;
}

/*
 * The pieces of pages @lo .. @hi - 1 of sets [@first, @last] of the index,
 * which hold them all, into @out (if not NULL, joining pieces that follow
 * each other in one memory object, each with a reference); their number.
 */
static unsigned int slice_pieces(const struct fake_xen *fx, unsigned int first,
				 unsigned int last, uint64_t lo, uint64_t hi,
				 struct fake_piece *out)
{
	const struct fake_pages *from;
	const struct fake_piece *pc;
	uint64_t page, a, b;
	unsigned int i, j, n = 0;
	struct fake_piece *prev;

	for (i = first; i <= last; i++) {
		from = fx->set_index[i];
		page = from->handle;
		for (j = 0; j < from->npieces; j++, page += pc->count) {
			pc = &from->pieces[j];
			a = page > lo ? page : lo;
			b = page + pc->count < hi ? page + pc->count : hi;
			if (a >= b)
				continue;
			if (!out) {
				n++;
				continue;
			}
			prev = n ? &out[n - 1] : NULL;
			if (prev && prev->mem == pc->mem &&
			    prev->index + prev->count ==
				    pc->index + (a - page)) {
				prev->count += (unsigned int)(b - a);
				continue;
			}
			out[n].mem = pc->mem;
			out[n].mem->refs++;
			out[n].index = pc->index + (unsigned int)(a - page);
			out[n++].count = (unsigned int)(b - a);
		}
	}
	return n;
}

/*
 * A new set, linked nowhere, of pages @lo .. @hi - 1 of sets [@first,
 * @last] of the index, for @p in @state; NULL if out of memory.
 */
static struct fake_pages *set_slice(struct ism_platform *p, unsigned int first,
				    unsigned int last, uint64_t lo, uint64_t hi,
				    enum fake_set_state state)
{
	struct fake_pages *s;

	s = set_new(slice_pieces(p->fx, first, last, lo, hi, NULL));
	if (!s)
		return NULL;
	s->npieces = slice_pieces(p->fx, first, last, lo, hi, s->pieces);
	s->handle = (uint32_t)lo;
	s->count = (unsigned int)(hi - lo);
	s->state = state;
	s->dom = p->dom;
	s->owner = p;
	return s;
}

static int op_pages_adopt(struct ism_platform *p, uint32_t handle,
			  unsigned int count, void **addr_out)
{
	struct fake_pages *set = NULL, *before = NULL, *after = NULL, *t;
	uint64_t end = (uint64_t)handle + count, lo, hi;
	unsigned int first, last, i;
	struct fake_grant *g;
	struct fake_xen *fx;
	struct fake_dom *d;
	int rc;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_PAGES_ADOPT);
	fx = p->fx;
	d = p->dom;
	if (!count || count > d->limits.pages)
		return -EINVAL;
	rc = adopt_range(p, handle, end, &first, &last);
	if (rc)
		return rc;
	lo = fx->set_index[first]->handle;
	t = fx->set_index[last];
	hi = (uint64_t)t->handle + t->count;
	/* Everything that can fail first: the new set and what is left. */
	rc = set_index_reserve(fx, 3);
	if (rc)
		return rc;
	rc = -ENOMEM;
	set = set_slice(p, first, last, handle, end, FAKE_SET_TAKEN);
	if (!set)
		goto err_discard;
	if (lo < handle) {
		before = set_slice(p, first, first, lo, handle, FAKE_SET_HELD);
		if (!before)
			goto err_discard;
	}
	if (end < hi) {
		after = set_slice(p, last, last, end, hi, FAKE_SET_HELD);
		if (!after)
			goto err_discard;
	}
	if (addr_out) {
		rc = set_map(set, &set->addr);
		if (rc)
			goto err_discard;
	}
	/* Move the grants of the sets it replaces, then swap the sets. */
	for (i = FAKE_GREF_FIRST; i < FAKE_GREF_FIRST + d->limits.grants; i++) {
		g = &d->grants[i];
		if (!grant_of(g, p) || g->set->handle < lo ||
		    g->set->handle >= hi)
			continue;
		if (g->page < handle)
			g->set = before;
		else if (g->page >= end)
			g->set = after;
		else
			g->set = set;
		g->set->ngrants++;
	}
	for (i = first; i <= last; i++)
		set_destroy(fx, fx->set_index[first]);
	set_link(fx, set);
	if (before)
		set_link(fx, before);
	if (after)
		set_link(fx, after);
	if (addr_out)
		*addr_out = set->addr;
	return 0;

err_discard:
	set_discard(set);
	set_discard(before);
	set_discard(after);
	return rc;
}

static int op_gnt_map(struct ism_platform *p, uint16_t domid, uint32_t gref,
		      void **addr_out)
{
	struct fake_dom *granter;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_GNT_MAP);
	granter = dom_running(p->fx, domid);
	if (!granter)
		return -ESRCH;
	return map_new(p->fx, p->dom, p, granter, gref, true, addr_out);
}

static int op_gnt_unmap(struct ism_platform *p, void *addr)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_GNT_UNMAP);
	return map_remove(p->fx, p->dom, p, addr);
}

/* XSM SILO's rule: two domains may talk if one is dom0, or they are one. */
static bool silo_allows(const struct fake_xen *fx, uint16_t a, uint16_t b)
{
	return !fx->silo || !a || !b || a == b;
}

static int op_evtchn_bind(struct ism_platform *p, uint16_t domid,
			  uint32_t remote_port, uint32_t *port_out)
{
	struct fake_port *rp, *lp;
	struct fake_dom *r;
	uint32_t port;
	int rc;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_EVTCHN_BIND);
	if (!port_out)
		return -EINVAL;
	if (!silo_allows(p->fx, p->dom->domid, domid))
		return -EPERM;
	r = dom_running(p->fx, domid);
	if (!r)
		return -ESRCH;
	if (!remote_port || remote_port > r->limits.ports)
		return -EINVAL;
	rp = &r->ports[remote_port];
	if (rp->state != FAKE_PORT_UNBOUND || rp->remote_domid != p->dom->domid)
		return -EINVAL;
	rc = port_alloc(p->dom, &port);
	if (rc)
		return rc;
	lp = &p->dom->ports[port];
	lp->state = FAKE_PORT_INTERDOMAIN;
	lp->remote_domid = domid;
	lp->remote_port = remote_port;
	lp->owner = p;
	rp->state = FAKE_PORT_INTERDOMAIN;
	rp->remote_port = port;
	*port_out = port;
	return 0;
}

static int op_evtchn_unbind(struct ism_platform *p, uint32_t port)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_EVTCHN_UNBIND);
	if (!port_get(p->dom, port, p))
		return -EINVAL;
	port_close(p->fx, p->dom, port);
	return 0;
}

static int op_evtchn_notify(struct ism_platform *p, uint32_t port)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_EVTCHN_NOTIFY);
	return port_notify(p->fx, p->dom, port, p);
}

static int op_evtchn_fd(struct ism_platform *p)
{
	FAKE_OP_ENTER(p, FAKE_XEN_OP_EVTCHN_FD);
	return p->evt_fd;
}

static int op_evtchn_pending(struct ism_platform *p, uint32_t *port_out)
{
	struct fake_port *fp;
	uint32_t port;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_EVTCHN_PENDING);
	if (!port_out)
		return -EINVAL;
	if (!p->evq_len)
		return -EAGAIN;
	port = p->evq[p->evq_head];
	p->evq_head = (p->evq_head + 1) % p->evq_cap;
	if (!--p->evq_len)
		efd_drain(p->evt_fd);
	fp = &p->dom->ports[port];
	fp->masked = false;
	if (fp->pending)
		port_deliver(fp, port);
	*port_out = port;
	return 0;
}

static int op_domain_info(struct ism_platform *p, uint16_t domid,
			  struct ism_domain_info *info_out)
{
	struct fake_dom *d;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_DOMAIN_INFO);
	if (!info_out)
		return -EINVAL;
	if (!dom_is_privileged(p->dom))
		return -EPERM;
	d = dom_find(p->fx, domid);
	if (!d)
		return -ESRCH;
	info_out->dying = d->dying;
	return 0;
}

/* splitmix64: deterministic, so a failing run replays. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int op_random(struct ism_platform *p, void *buf, size_t len)
{
	unsigned char *out = buf;
	uint64_t v = 0;
	size_t i;

	FAKE_OP_ENTER(p, FAKE_XEN_OP_RANDOM);
	if (len > FAKE_RANDOM_MAX || (!buf && len))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!(i % 8))
			v = rng_next(&p->fx->rng);
		out[i] = (unsigned char)(v >> (8 * (i % 8)));
	}
	return 0;
}

static uint64_t op_clock_ms(struct ism_platform *p)
{
	p->fx->calls[FAKE_XEN_OP_CLOCK_MS]++;
	return p->fx->clock_ms;
}

void fake_xen_clock_advance(struct fake_xen *fx, uint64_t ms)
{
	fx->clock_ms += ms;
}

const struct ism_platform_ops fake_xen_ops = {
	.local_domid = op_local_domid,
	.xs_read = op_xs_read,
	.xs_write = op_xs_write,
	.xs_mkdir = op_xs_mkdir,
	.xs_rm = op_xs_rm,
	.xs_directory = op_xs_directory,
	.xs_get_perms = op_xs_get_perms,
	.xs_set_perms = op_xs_set_perms,
	.xs_transaction_start = op_xs_transaction_start,
	.xs_transaction_end = op_xs_transaction_end,
	.xs_watch = op_xs_watch,
	.xs_unwatch = op_xs_unwatch,
	.xs_read_watch = op_xs_read_watch,
	.xs_fd = op_xs_fd,
	.pages_alloc = op_pages_alloc,
	.pages_grant = op_pages_grant,
	.pages_end_grants = op_pages_end_grants,
	.pages_free = op_pages_free,
	.pages_list = op_pages_list,
	.pages_adopt = op_pages_adopt,
	.gnt_map = op_gnt_map,
	.gnt_unmap = op_gnt_unmap,
	.evtchn_bind = op_evtchn_bind,
	.evtchn_unbind = op_evtchn_unbind,
	.evtchn_notify = op_evtchn_notify,
	.evtchn_fd = op_evtchn_fd,
	.evtchn_pending = op_evtchn_pending,
	.domain_info = op_domain_info,
	.random = op_random,
	.clock_ms = op_clock_ms,
};

/* ---- The host ---------------------------------------------------------------- */

int fake_xen_create(struct fake_xen **fx_out)
{
	static const struct ism_xs_perm none0 = { 0, ISM_XS_PERM_NONE };
	struct fake_xen *fx;
	struct fake_dom *d0;
	int rc;

	if (!fx_out)
		return -EINVAL;
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -ENOMEM;
	fake_xen_random_seed(fx, 0x15a15a15a15aull);
	fx->root = xs_node_new("", 0);
	if (!fx->root) {
		rc = -ENOMEM;
		goto err_destroy;
	}
	fx->root->perms[0] = none0;
	fx->root->nperms = 1;
	rc = dom_new(fx, 0, FAKE_XEN_DOM_PRIVILEGED, &d0);
	if (rc)
		goto err_destroy;
	rc = xs_tool_mkdir(fx, "/local/domain/0", NULL, 0);
	if (!rc)
		rc = xs_tool_write(fx, "/local/domain/0/domid", "0");
	if (rc)
		goto err_destroy;
	*fx_out = fx;
	return 0;

err_destroy:
	fake_xen_destroy(fx);
	return rc;
}

void fake_xen_destroy(struct fake_xen *fx)
{
	struct fake_map *m;
	struct fake_dom *d;
	uint32_t gref;

	if (!fx)
		return;
	while (fx->plats)
		fake_xen_platform_close(fx->plats);
	while ((m = fx->maps)) {
		fx->maps = m->next;
		munmap(m->addr, ISM_PAGE_SIZE);
		free(m);
	}
	while ((d = fx->doms)) {
		fx->doms = d->next;
		for (gref = FAKE_GREF_FIRST;
		     gref < FAKE_GREF_FIRST + d->limits.grants; gref++) {
			if (!d->grants[gref].used)
				continue;
			if (d->grants[gref].guest_addr)
				munmap(d->grants[gref].guest_addr,
				       ISM_PAGE_SIZE);
			mem_put(d->grants[gref].mem);
		}
		conn_clear(fx, &d->conn);
		free(d->grants);
		free(d->ports);
		free(d);
	}
	while (fx->sets)
		set_destroy(fx, fx->sets); /* kept ones too */
	xs_node_free(fx->root);
	free(fx->set_index);
	free(fx);
}

int fake_xen_domain_add(struct fake_xen *fx, uint16_t domid, unsigned int flags)
{
	char home[48], path[64], val[8];
	struct ism_xs_perm perms[2];
	struct fake_dom *d;
	int rc;

	if (!fx || !domid || domid > FAKE_DOMID_MAX ||
	    (flags & ~FAKE_XEN_DOM_PRIVILEGED))
		return -EINVAL;
	if (dom_find(fx, domid))
		return -EEXIST;
	rc = dom_new(fx, domid, flags, &d);
	if (rc)
		return rc;
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	perms[0] = (struct ism_xs_perm){ 0, ISM_XS_PERM_NONE };
	perms[1] = (struct ism_xs_perm){ domid, ISM_XS_PERM_READ };
	rc = xs_tool_mkdir(fx, home, perms, 2);
	if (rc)
		goto err_remove;
	snprintf(path, sizeof(path), "%s/device", home);
	rc = xs_tool_mkdir(fx, path, perms, 2);
	if (rc)
		goto err_remove;
	snprintf(path, sizeof(path), "%s/data", home);
	perms[0] = (struct ism_xs_perm){ domid, ISM_XS_PERM_NONE };
	rc = xs_tool_mkdir(fx, path, perms, 1);
	if (rc)
		goto err_remove;
	snprintf(path, sizeof(path), "%s/domid", home);
	snprintf(val, sizeof(val), "%u", domid);
	rc = xs_tool_write(fx, path, val);
	if (rc)
		goto err_remove;
	xs_fire_special(fx, FAKE_INTRODUCE_DOMAIN);
	return 0;

err_remove:
	xs_tool_rm(fx, home);
	conn_clear(fx, &d->conn);
	dom_unlink(fx, d);
	free(d->grants);
	free(d->ports);
	free(d);
	return rc;
}

int fake_xen_domain_kill(struct fake_xen *fx, uint16_t domid)
{
	struct fake_dom *d = fx ? dom_find(fx, domid) : NULL;
	struct fake_pages *s, *next;
	struct fake_grant *g;
	uint32_t i;

	if (!d || d->dying)
		return -ESRCH;
	if (!domid)
		return -EPERM;
	if (d->nplats)
		return -EBUSY;
	/* Pages kept for a backend that will not come: as at its exit. */
	for (s = fx->sets; s; s = next) {
		next = s->next;
		if (s->dom != d || s->state != FAKE_SET_KEPT)
			continue;
		s->state = FAKE_SET_ORPHAN;
		if (!s->ngrants)
			set_free(fx, s);
	}
	/* The hypervisor tears down what the domain holds... */
	maps_release_if(fx, map_of_mapper, d);
	for (i = 1; i <= d->limits.ports; i++) {
		if (d->ports[i].state != FAKE_PORT_FREE)
			port_close(fx, d, i);
	}
	conn_clear(fx, &d->conn);
	for (i = FAKE_GREF_FIRST; i < FAKE_GREF_FIRST + d->limits.grants; i++) {
		g = &d->grants[i];
		if (!g->used)
			continue;
		if (!g->nmaps) {
			grant_release(fx, d, i);
			continue;
		}
		/* A peer still maps it: the page outlives the domain. */
		if (g->guest_addr)
			munmap(g->guest_addr, ISM_PAGE_SIZE);
		g->guest_addr = NULL;
		g->deferred = true;
	}
	d->dying = true;
	/* ...then xenstored tells the toolstack, which cleans the store. */
	xs_fire_special(fx, FAKE_RELEASE_DOMAIN);
	dom_xs_remove(fx, domid);
	dom_maybe_reap(fx, d);
	return 0;
}

enum fake_xen_dom_state fake_xen_domain_state(struct fake_xen *fx,
					      uint16_t domid)
{
	const struct fake_dom *d = fx ? dom_find(fx, domid) : NULL;

	if (!d)
		return FAKE_XEN_DOM_NONE;
	return d->dying ? FAKE_XEN_DOM_DYING : FAKE_XEN_DOM_RUNNING;
}

int fake_xen_domain_set_limits(struct fake_xen *fx, uint16_t domid,
			       const struct fake_xen_limits *limits)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_xen_usage u;

	if (!d)
		return -ESRCH;
	if (!limits || !limits->grants || limits->grants > FAKE_LIMIT_MAX ||
	    !limits->ports || limits->ports > FAKE_LIMIT_MAX || !limits->maps ||
	    limits->maps > FAKE_LIMIT_MAX || !limits->pages ||
	    limits->pages > FAKE_LIMIT_MAX)
		return -EINVAL;
	fake_xen_usage(fx, domid, &u);
	if (u.grants || u.ports || u.maps || u.page_sets || d->nplats)
		return -EBUSY;
	return dom_set_limits(d, limits);
}

int fake_xen_device_add(struct fake_xen *fx, const char *type, uint16_t fe,
			uint16_t be, unsigned int devid)
{
	char fe_path[160], be_path[160], path[192], val[160];
	struct ism_xs_perm perms[2];
	size_t tl;
	int rc;

	if (!fx || !type)
		return -EINVAL;
	tl = strnlen(type, FAKE_XS_TYPE_MAX + 1);
	if (!tl || tl > FAKE_XS_TYPE_MAX || strchr(type, '/'))
		return -EINVAL;
	if (!dom_running(fx, fe) || !dom_running(fx, be))
		return -ESRCH;
	snprintf(fe_path, sizeof(fe_path), "/local/domain/%u/device/%s/%u", fe,
		 type, devid);
	snprintf(be_path, sizeof(be_path), "/local/domain/%u/backend/%s/%u/%u",
		 be, type, fe, devid);
	perms[0] = (struct ism_xs_perm){ fe, ISM_XS_PERM_NONE };
	perms[1] = (struct ism_xs_perm){ be, ISM_XS_PERM_READ };
	rc = xs_tool_mkdir(fx, fe_path, perms, 2);
	if (rc)
		return rc;
	perms[0] = (struct ism_xs_perm){ be, ISM_XS_PERM_NONE };
	perms[1] = (struct ism_xs_perm){ fe, ISM_XS_PERM_READ };
	rc = xs_tool_mkdir(fx, be_path, perms, 2);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/backend", fe_path);
	rc = xs_tool_write(fx, path, be_path);
	snprintf(path, sizeof(path), "%s/backend-id", fe_path);
	snprintf(val, sizeof(val), "%u", be);
	rc = rc ? rc : xs_tool_write(fx, path, val);
	snprintf(path, sizeof(path), "%s/state", fe_path);
	rc = rc ? rc : xs_tool_write(fx, path, "1");
	snprintf(path, sizeof(path), "%s/frontend", be_path);
	rc = rc ? rc : xs_tool_write(fx, path, fe_path);
	snprintf(path, sizeof(path), "%s/frontend-id", be_path);
	snprintf(val, sizeof(val), "%u", fe);
	rc = rc ? rc : xs_tool_write(fx, path, val);
	snprintf(path, sizeof(path), "%s/online", be_path);
	rc = rc ? rc : xs_tool_write(fx, path, "1");
	snprintf(path, sizeof(path), "%s/state", be_path);
	rc = rc ? rc : xs_tool_write(fx, path, "1");
	return rc;
}

void fake_xen_random_seed(struct fake_xen *fx, uint64_t seed)
{
	if (fx)
		fx->rng = seed;
}

/* ---- Platforms ---------------------------------------------------------------- */

int fake_xen_platform_open(struct fake_xen *fx, uint16_t domid,
			   struct ism_platform **p_out)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct ism_platform *p;
	int xs_fd, rc;

	if (!d)
		return -ESRCH;
	if (!p_out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->evq_cap = d->limits.ports + 1;
	p->evq = calloc(p->evq_cap, sizeof(*p->evq));
	if (!p->evq) {
		rc = -ENOMEM;
		goto err_free;
	}
	xs_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (xs_fd < 0) {
		rc = -errno;
		goto err_free;
	}
	p->evt_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->evt_fd < 0) {
		rc = -errno;
		goto err_close_xs;
	}
	p->fx = fx;
	p->dom = d;
	conn_init(&p->conn, d, xs_fd);
	conn_link(fx, &p->conn);
	d->nplats++;
	p->next = fx->plats;
	fx->plats = p;
	*p_out = p;
	return 0;

err_close_xs:
	close(xs_fd);
err_free:
	free(p->evq);
	free(p);
	return rc;
}

/* Process exit: the grant device ends what it can, defers the rest. */
static void platform_orphan_set(struct fake_xen *fx, struct fake_pages *s)
{
	struct fake_dom *d = s->dom;
	struct fake_grant *g;
	uint32_t gref;

	s->owner = NULL;
	s->state = FAKE_SET_ORPHAN;
	if (s->addr)
		munmap(s->addr, (size_t)s->count * ISM_PAGE_SIZE);
	s->addr = NULL;
	if (!s->ngrants) {
		set_free(fx, s);
		return;
	}
	for (gref = FAKE_GREF_FIRST; gref < FAKE_GREF_FIRST + d->limits.grants;
	     gref++) {
		g = &d->grants[gref];
		if (!g->used || g->set != s)
			continue;
		if (g->nmaps) {
			g->deferred = true;
		} else if (s->ngrants == 1) {
			grant_release(fx, d, gref); /* frees the set */
			return;
		} else {
			grant_release(fx, d, gref);
		}
	}
}

/* Whether a crashed platform's collection waits for adoption in @d. */
static bool dom_has_kept(const struct fake_xen *fx, const struct fake_dom *d)
{
	const struct fake_pages *s;

	for (s = fx->sets; s; s = s->next) {
		if (s->dom == d && s->state == FAKE_SET_KEPT)
			return true;
	}
	return false;
}

/* The grant helper's KEEP: @s stays, grants and all, without its owner. */
static void platform_keep_set(struct fake_pages *s)
{
	s->owner = NULL;
	s->state = FAKE_SET_KEPT;
	if (s->addr)
		munmap(s->addr, (size_t)s->count * ISM_PAGE_SIZE);
	s->addr = NULL;
}

/* Process exit; @keep: the grant helper keeps the pages for the next. */
static void platform_exit(struct ism_platform *p, bool keep)
{
	struct fake_pages *s, *next;
	struct fake_xen *fx;
	uint32_t port;

	fx = p->fx;
	conn_clear(fx, &p->conn);
	maps_release_if(fx, map_of_owner, p);
	for (port = 1; port <= p->dom->limits.ports; port++) {
		if (p->dom->ports[port].state != FAKE_PORT_FREE &&
		    p->dom->ports[port].owner == p)
			port_close(fx, p->dom, port);
	}
	for (s = fx->sets; s; s = next) {
		next = s->next;
		if (s->owner != p)
			continue;
		if (keep)
			platform_keep_set(s);
		else
			platform_orphan_set(fx, s);
	}
	FAKE_LIST_UNLINK(fx->plats, p);
	p->dom->nplats--;
	close(p->conn.efd);
	close(p->evt_fd);
	free(p->evq);
	free(p);
}

void fake_xen_platform_close(struct ism_platform *p)
{
	if (p)
		platform_exit(p, false);
}

void fake_xen_platform_crash(struct ism_platform *p)
{
	if (p)
		platform_exit(p, !dom_has_kept(p->fx, p->dom));
}

int fake_xen_platform_adopt(struct ism_platform *p)
{
	struct fake_pages *s;

	if (!p)
		return -EINVAL;
	for (s = p->fx->sets; s; s = s->next) {
		if (s->owner == p)
			return -EBUSY;
	}
	if (!dom_has_kept(p->fx, p->dom))
		return -ENOENT;
	for (s = p->fx->sets; s; s = s->next) {
		if (s->dom == p->dom && s->state == FAKE_SET_KEPT) {
			s->state = FAKE_SET_HELD;
			s->owner = p;
		}
	}
	return 0;
}

/* ---- Test side: xenstore ------------------------------------------------------ */

static int test_ctx(struct fake_xen *fx, uint16_t domid, struct xs_ctx *c)
{
	struct fake_dom *d = dom_running(fx, domid);

	if (!d)
		return -ESRCH;
	return xs_ctx_init(c, fx, &d->conn, ISM_XS_NO_TX);
}

int fake_xen_xs_write(struct fake_xen *fx, uint16_t domid, const char *path,
		      const char *value)
{
	struct xs_ctx c;
	int rc;

	if (!value)
		return -EINVAL;
	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_write(&c, path, value, strlen(value), false);
}

int fake_xen_xs_read(struct fake_xen *fx, uint16_t domid, const char *path,
		     char **value_out)
{
	struct xs_ctx c;
	size_t len;
	int rc;

	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_read(&c, path, value_out, &len);
}

int fake_xen_xs_mkdir(struct fake_xen *fx, uint16_t domid, const char *path)
{
	struct xs_ctx c;
	int rc;

	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_write(&c, path, NULL, 0, true);
}

int fake_xen_xs_rm(struct fake_xen *fx, uint16_t domid, const char *path)
{
	struct xs_ctx c;
	int rc;

	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_rm(&c, path);
}

int fake_xen_xs_set_perms(struct fake_xen *fx, uint16_t domid, const char *path,
			  const struct ism_xs_perm *perms, unsigned int num)
{
	struct xs_ctx c;
	int rc;

	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_set_perms(&c, path, perms, num);
}

int fake_xen_xs_get_perms(struct fake_xen *fx, uint16_t domid, const char *path,
			  struct ism_xs_perm **perms_out, unsigned int *num_out)
{
	struct xs_ctx c;
	int rc;

	rc = test_ctx(fx, domid, &c);
	return rc ? rc : xs_do_get_perms(&c, path, perms_out, num_out);
}

int fake_xen_xs_watch(struct fake_xen *fx, uint16_t domid, const char *path,
		      const char *token)
{
	struct fake_dom *d = dom_running(fx, domid);

	return d ? xs_do_watch(fx, &d->conn, path, token) : -ESRCH;
}

int fake_xen_xs_unwatch(struct fake_xen *fx, uint16_t domid, const char *path,
			const char *token)
{
	struct fake_dom *d = dom_running(fx, domid);

	return d ? xs_do_unwatch(&d->conn, path, token) : -ESRCH;
}

int fake_xen_xs_read_watch(struct fake_xen *fx, uint16_t domid, char **path_out,
			   char **token_out)
{
	struct fake_dom *d = dom_running(fx, domid);

	return d ? xs_do_read_watch(&d->conn, path_out, token_out) : -ESRCH;
}

/* ---- Test side: grants ------------------------------------------------------- */

int fake_xen_guest_grant(struct fake_xen *fx, uint16_t domid, uint16_t to,
			 bool readonly, uint32_t *gref_out, void **addr_out)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_mem *mem;
	void *addr = NULL;
	uint32_t gref;
	int rc;

	if (!d)
		return -ESRCH;
	if (!gref_out || !addr_out)
		return -EINVAL;
	rc = mem_new(1, &mem);
	if (rc)
		return rc;
	rc = mem_map(mem, 0, 1, true, &addr);
	if (rc)
		goto out_put_mem;
	rc = grant_new(d, to, readonly, mem, 0, NULL, &gref);
	if (rc) {
		munmap(addr, ISM_PAGE_SIZE);
		goto out_put_mem;
	}
	/* The guest's view lives as long as the grant. */
	d->grants[gref].guest_addr = addr;
	*gref_out = gref;
	*addr_out = addr;
out_put_mem:
	mem_put(mem); /* the grant holds its own reference */
	return rc;
}

int fake_xen_guest_end_access(struct fake_xen *fx, uint16_t domid,
			      uint32_t gref)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_grant *g;

	if (!d)
		return -ESRCH;
	g = grant_get(d, gref);
	if (!g || g->set)
		return -ENOENT;
	if (g->nmaps)
		return -EBUSY;
	grant_release(fx, d, gref);
	return 0;
}

int fake_xen_guest_map(struct fake_xen *fx, uint16_t domid, uint16_t granter,
		       uint32_t gref, bool readonly, void **addr_out)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_dom *g = dom_running(fx, granter);

	if (!d || !g)
		return -ESRCH;
	if (!silo_allows(fx, domid, granter))
		return -EPERM;
	return map_new(fx, d, NULL, g, gref, !readonly, addr_out);
}

int fake_xen_guest_unmap(struct fake_xen *fx, uint16_t domid, void *addr)
{
	struct fake_dom *d = dom_running(fx, domid);

	return d ? map_remove(fx, d, NULL, addr) : -ESRCH;
}

/* ---- Test side: event channels --------------------------------------------- */

int fake_xen_guest_evtchn_alloc_unbound(struct fake_xen *fx, uint16_t domid,
					uint16_t remote, uint32_t *port_out)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_port *fp;
	uint32_t port;
	int rc;

	if (!d)
		return -ESRCH;
	if (!port_out)
		return -EINVAL;
	if (!silo_allows(fx, domid, remote))
		return -EPERM;
	rc = port_alloc(d, &port);
	if (rc)
		return rc;
	fp = &d->ports[port];
	fp->state = FAKE_PORT_UNBOUND;
	fp->remote_domid = remote;
	*port_out = port;
	return 0;
}

int fake_xen_guest_evtchn_notify(struct fake_xen *fx, uint16_t domid,
				 uint32_t port)
{
	struct fake_dom *d = dom_running(fx, domid);

	return d ? port_notify(fx, d, port, NULL) : -ESRCH;
}

int fake_xen_guest_evtchn_pending(struct fake_xen *fx, uint16_t domid,
				  uint32_t port)
{
	struct fake_dom *d = dom_running(fx, domid);
	struct fake_port *fp;
	bool was;

	if (!d)
		return -ESRCH;
	fp = port_get(d, port, NULL);
	if (!fp)
		return -EINVAL;
	was = fp->pending;
	fp->pending = false;
	return was;
}

int fake_xen_guest_evtchn_close(struct fake_xen *fx, uint16_t domid,
				uint32_t port)
{
	struct fake_dom *d = dom_running(fx, domid);

	if (!d)
		return -ESRCH;
	if (!port_get(d, port, NULL))
		return -EINVAL;
	port_close(fx, d, port);
	return 0;
}

/* ---- Faults and call counts ------------------------------------------------- */

void fake_xen_set_silo(struct fake_xen *fx, bool on)
{
	fx->silo = on;
}

int fake_xen_fail_set(struct fake_xen *fx, enum fake_xen_op op,
		      unsigned long nth, int err, unsigned int flags)
{
	if (!fx || (unsigned int)op > FAKE_XEN_OP_ANY || !nth || err <= 0 ||
	    err > 4095 || (flags & ~FAKE_XEN_FAIL_PERSIST))
		return -EINVAL;
	fx->fault.armed = true;
	fx->fault.persist = flags & FAKE_XEN_FAIL_PERSIST;
	fx->fault.op = op;
	fx->fault.countdown = nth;
	fx->fault.err = err;
	return 0;
}

void fake_xen_fail_clear(struct fake_xen *fx)
{
	if (fx)
		fx->fault.armed = false;
}

unsigned long fake_xen_fail_hits(const struct fake_xen *fx)
{
	return fx ? fx->fail_hits : 0;
}

unsigned long fake_xen_calls(const struct fake_xen *fx, enum fake_xen_op op)
{
	unsigned long n = 0;
	unsigned int i;

	if (!fx || (unsigned int)op > FAKE_XEN_OP_ANY)
		return 0;
	if (op != FAKE_XEN_OP_ANY)
		return fx->calls[op];
	for (i = 0; i < FAKE_XEN_OP_COUNT; i++)
		n += fx->calls[i];
	return n;
}

void fake_xen_calls_reset(struct fake_xen *fx)
{
	if (!fx)
		return;
	memset(fx->calls, 0, sizeof(fx->calls));
	fx->fail_hits = 0;
}

const char *fake_xen_op_name(enum fake_xen_op op)
{
	if (op == FAKE_XEN_OP_ANY)
		return "any";
	if ((unsigned int)op >= FAKE_XEN_OP_COUNT)
		return NULL;
	return fake_op_names[op];
}

int fake_xen_op_lookup(const char *name, enum fake_xen_op *op_out)
{
	unsigned int i;

	if (!name || !op_out)
		return -EINVAL;
	for (i = 0; i <= FAKE_XEN_OP_ANY; i++) {
		if (!strcmp(name, fake_xen_op_name((enum fake_xen_op)i))) {
			*op_out = (enum fake_xen_op)i;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- Accounting ---------------------------------------------------------------- */

static void conn_usage(const struct fake_conn *conn, struct fake_xen_usage *u)
{
	u->watches += conn->nwatches;
	u->transactions += conn->ntxs;
	u->events += conn->nevents;
}

int fake_xen_usage(struct fake_xen *fx, uint16_t domid,
		   struct fake_xen_usage *usage_out)
{
	struct fake_dom *d = fx ? dom_find(fx, domid) : NULL;
	struct fake_xen_usage u = { 0 };
	const struct ism_platform *p;
	const struct fake_pages *s;
	uint32_t i;

	if (!d)
		return -ESRCH;
	if (!usage_out)
		return -EINVAL;
	for (i = FAKE_GREF_FIRST; i < FAKE_GREF_FIRST + d->limits.grants; i++)
		u.grants += d->grants[i].used;
	for (i = 1; i <= d->limits.ports; i++)
		u.ports += d->ports[i].state != FAKE_PORT_FREE;
	u.maps = dom_count_maps(fx, d);
	for (s = fx->sets; s; s = s->next) {
		if (s->dom == d) {
			u.page_sets++;
			u.pages += s->count;
			if (s->state == FAKE_SET_KEPT)
				u.kept += s->count;
		}
	}
	conn_usage(&d->conn, &u);
	for (p = fx->plats; p; p = p->next) {
		if (p->dom == d)
			conn_usage(&p->conn, &u);
	}
	*usage_out = u;
	return 0;
}

bool fake_xen_usage_is_clean(const struct fake_xen_usage *u)
{
	return u && !u->grants && !u->maps && !u->page_sets && !u->ports &&
	       !u->watches && !u->transactions;
}

unsigned int fake_xen_watch_events(struct fake_xen *fx, uint16_t domid)
{
	const struct fake_dom *d = fx ? dom_find(fx, domid) : NULL;
	const struct ism_platform *p;
	unsigned int n;

	if (!d)
		return 0;
	n = d->conn.nevents;
	for (p = fx->plats; p; p = p->next) {
		if (p->dom == d)
			n += p->conn.nevents;
	}
	return n;
}

unsigned long fake_xen_events_dropped(const struct fake_xen *fx)
{
	return fx ? fx->events_dropped : 0;
}
