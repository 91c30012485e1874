/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-xen.h - an in-memory Xen for the backend's unit tests.
 *
 * One struct fake_xen simulates a host: several domains, one xenstore with
 * per-node permissions, watches and transactions, a grant table and event
 * channel table per domain, and domain death.  The backend under test talks
 * to it through fake_xen_ops (backend/platform.h) with a struct ism_platform
 * opened for its domain; the test itself plays the guests and the toolstack
 * with the fake_xen_* calls below, which are not counted and never fail on
 * purpose.
 *
 * What is simulated (as Xen and the C xenstored do it):
 *
 *  - Xenstore: privileged domains (dom0) have full access; otherwise the
 *    node's owner has full access and others get what the node's list
 *    grants (struct ism_xs_perm).  Nodes created by an unprivileged domain
 *    are owned by it and otherwise inherit their parent's list.  Watches
 *    fire once on registration and then on any change at or below the
 *    watched path (including removal of a parent of the watched node), only
 *    to domains that may read the changed node or its parent.  Transactions
 *    work on a private copy and fail with -EAGAIN if anything else changed
 *    the store meanwhile (coarser than xenstored, which compares nodes).
 *    Quotas for unprivileged domains: 128 watches, 10 transactions.
 *  - Grants: a grant names one page, its grantee and whether it is
 *    read-only.  Mappings are real shared memory (memfd): every mapping has
 *    its own address, and read-only mappings are mapped PROT_READ, so a
 *    stray write faults as it would on Xen.  The backend's pages_grant is
 *    all or nothing; its pages_end_grants ends each grant on its own and
 *    reports -EBUSY for each one a guest still maps.
 *  - Event channels: a port is free, unbound (waiting for one remote domain)
 *    or interdomain.  A pending event coalesces further notifies; a port of
 *    a platform is masked while its event waits in the platform's queue and
 *    unmasked by evtchn_pending.  Closing one end leaves the other unbound.
 *  - Region pages: pages_alloc gives each set of @count pages the page
 *    handles H .. H + @count - 1, from a counter of the fake (so handles
 *    are unique across all its domains and never reused).  The pages are
 *    memfd pages, so they outlive the mappings of any one process.
 *  - Backend restart (fake_xen_platform_crash and _adopt): as the grant
 *    helper's KEEP and ADOPT, a crashed platform's page sets and grants
 *    stay for the next platform of its domain, which lists them with
 *    pages_list and takes them with pages_adopt, whole or in parts (a
 *    range may also join pages of several sets).  pages_list gives
 *    maximal runs, so adjacent sets share a run.  pages_adopt's "too
 *    large" is more pages than the domain's limit (-EINVAL).
 *  - Death (fake_xen_domain_kill): the domain's mappings are unmapped, its
 *    ports closed, its watches and transactions dropped, its unmapped grants
 *    ended; "@releaseDomain" fires; its xenstore nodes are removed as the
 *    toolstack does (/local/domain/<id>, backend/<type>/<id> of each
 *    privileged domain, /libxl/<id>; a driver domain's backend
 *    directories are its own to remove).  The domain stays "dying" while other domains still map
 *    its pages and disappears when the last one is unmapped.
 *
 * Not simulated: node quotas, per-node transaction conflicts, xenstore
 * permissions on "@" nodes (special watches go to privileged domains only),
 * grant copy/transfer, multi-page maps.
 *
 * Faults: every op called through fake_xen_ops is counted, per op; a fault
 * armed with fake_xen_fail_set() makes the Nth matching call from then on
 * fail with the chosen errno and no effect (xs_transaction_end still
 * closes the transaction, as on Xen).  This is SQLite's test VFS and curl's
 * torture mode: a sweep arms n = 1, 2, ... until a run completes without
 * the fault being hit.
 *
 * All functions return 0 or a negative errno unless said otherwise.  No
 * global state: tests may create several fakes.
 */
#ifndef ISM_TESTS_FAKE_XEN_H
#define ISM_TESTS_FAKE_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

struct fake_xen;

/* The ops table; pass it with a context from fake_xen_platform_open(). */
extern const struct ism_platform_ops fake_xen_ops;

/*
 * One entry per op of struct ism_platform_ops, in table order, for call
 * counts and fault injection.  FAKE_XEN_OP_ANY matches every op.
 */
enum fake_xen_op {
	FAKE_XEN_OP_LOCAL_DOMID,
	FAKE_XEN_OP_XS_READ,
	FAKE_XEN_OP_XS_WRITE,
	FAKE_XEN_OP_XS_MKDIR,
	FAKE_XEN_OP_XS_RM,
	FAKE_XEN_OP_XS_DIRECTORY,
	FAKE_XEN_OP_XS_GET_PERMS,
	FAKE_XEN_OP_XS_SET_PERMS,
	FAKE_XEN_OP_XS_TRANSACTION_START,
	FAKE_XEN_OP_XS_TRANSACTION_END,
	FAKE_XEN_OP_XS_WATCH,
	FAKE_XEN_OP_XS_UNWATCH,
	FAKE_XEN_OP_XS_READ_WATCH,
	FAKE_XEN_OP_XS_FD,
	FAKE_XEN_OP_PAGES_ALLOC,
	FAKE_XEN_OP_PAGES_GRANT,
	FAKE_XEN_OP_PAGES_END_GRANTS,
	FAKE_XEN_OP_PAGES_FREE,
	FAKE_XEN_OP_PAGES_LIST,
	FAKE_XEN_OP_PAGES_ADOPT,
	FAKE_XEN_OP_GNT_MAP,
	FAKE_XEN_OP_GNT_UNMAP,
	FAKE_XEN_OP_EVTCHN_BIND,
	FAKE_XEN_OP_EVTCHN_UNBIND,
	FAKE_XEN_OP_EVTCHN_NOTIFY,
	FAKE_XEN_OP_EVTCHN_FD,
	FAKE_XEN_OP_EVTCHN_PENDING,
	FAKE_XEN_OP_DOMAIN_INFO,
	FAKE_XEN_OP_RANDOM,
	FAKE_XEN_OP_CLOCK_MS, /* counted, never fails */
	FAKE_XEN_OP_COUNT,
	FAKE_XEN_OP_ANY = FAKE_XEN_OP_COUNT,
};

/* ---- The host ---------------------------------------------------------- */

/**
 * fake_xen_create() - make a host with dom0 (privileged) running.
 * @fx_out: the new fake; destroy it with fake_xen_destroy().
 *
 * The store starts with "/", "/local", "/local/domain" and dom0's home,
 * all owned by dom0 with no access for others.  -ENOMEM.
 */
int fake_xen_create(struct fake_xen **fx_out);

/**
 * fake_xen_destroy() - free the host and everything in it, open platforms
 * included.  NULL is a no-op.
 */
void fake_xen_destroy(struct fake_xen *fx);

/*
 * fake_xen_clock_advance() - move the clock_ms op's clock (which starts at
 * 0 and stands still otherwise) by @ms.
 */
void fake_xen_clock_advance(struct fake_xen *fx, uint64_t ms);

/* fake_xen_domain_add() flags. */
#define FAKE_XEN_DOM_PRIVILEGED 0x1u

/**
 * fake_xen_domain_add() - create a domain as the toolstack does.
 * @fx: the host.
 * @domid: 1 .. 0x7fef.
 * @flags: FAKE_XEN_DOM_PRIVILEGED for full xenstore access and domain_info.
 *
 * Creates /local/domain/<domid> and its "device" directory (owned by dom0,
 * readable by the domain), "data" (owned by the domain) and "domid", and
 * fires "@introduceDomain".  -EEXIST if @domid exists (or is dying),
 * -EINVAL for a bad @domid or @flags.
 */
int fake_xen_domain_add(struct fake_xen *fx, uint16_t domid,
			unsigned int flags);

/**
 * fake_xen_domain_kill() - destroy domain @domid (see the file comment).
 *
 * -ESRCH if it does not exist or is already dying, -EPERM for dom0, -EBUSY
 * while a platform is open on it (close it first).
 */
int fake_xen_domain_kill(struct fake_xen *fx, uint16_t domid);

enum fake_xen_dom_state {
	FAKE_XEN_DOM_NONE,
	FAKE_XEN_DOM_RUNNING,
	FAKE_XEN_DOM_DYING,
};

/* fake_xen_domain_state() - whether @domid exists, runs or is dying. */
enum fake_xen_dom_state fake_xen_domain_state(struct fake_xen *fx,
					      uint16_t domid);

/**
 * struct fake_xen_limits - per-domain bounds (defaults in brackets).
 * @grants: grant table entries; -ENOSPC when full [1024].
 * @ports: event channel ports, port 0 never used [1024].
 * @maps: pages mapped from other domains [1024].
 * @pages: quota of region pages from pages_alloc; -EDQUOT [4096].
 */
struct fake_xen_limits {
	unsigned int grants;
	unsigned int ports;
	unsigned int maps;
	unsigned int pages;
};

/**
 * fake_xen_domain_set_limits() - change @domid's bounds.  Each must be 1 ..
 * 65536 (-EINVAL).  -EBUSY while the domain holds grants or ports.
 */
int fake_xen_domain_set_limits(struct fake_xen *fx, uint16_t domid,
			       const struct fake_xen_limits *limits);

/**
 * fake_xen_device_add() - create a PV device's xenstore nodes as libxl does.
 * @type: the device type, such as "ism".
 *
 * Frontend directory /local/domain/<fe>/device/<type>/<devid>, owned by the
 * frontend and readable by the backend, with "backend", "backend-id" and
 * "state" = "1"; backend directory
 * /local/domain/<be>/backend/<type>/<fe>/<devid>, owned by the backend and
 * readable by the frontend, with "frontend", "frontend-id", "online" = "1"
 * and "state" = "1".  Both domains must be running (-ESRCH).
 */
int fake_xen_device_add(struct fake_xen *fx, const char *type, uint16_t fe,
			uint16_t be, unsigned int devid);

/**
 * fake_xen_random_seed() - restart the random op's generator from @seed.
 * The generator is deterministic, so failures replay.
 */
void fake_xen_random_seed(struct fake_xen *fx, uint64_t seed);

/* ---- Platforms (what the backend under test holds) -------------------- */

/**
 * fake_xen_platform_open() - open a platform context for domain @domid.
 * @p_out: pass it with &fake_xen_ops; close with fake_xen_platform_close().
 *
 * Like opening the xenstore, evtchn and grant devices in a process of that
 * domain.  -ESRCH if @domid is not running, -ENOMEM, or the errno of
 * eventfd().
 */
int fake_xen_platform_open(struct fake_xen *fx, uint16_t domid,
			   struct ism_platform **p_out);

/**
 * fake_xen_platform_close() - close @p as process exit would: watches,
 * transactions, mappings and ports go (a peer's end of an interdomain
 * channel becomes unbound for this domain again); unmapped grants are
 * ended and free pages freed; grants still mapped by a peer are ended (and
 * their pages freed) as soon as the peer unmaps.  Pages @p held but had not
 * taken with pages_adopt go the same way.  NULL is a no-op.
 */
void fake_xen_platform_close(struct ism_platform *p);

/**
 * fake_xen_platform_crash() - the backend process of @p dies after asking
 * the grant helper to KEEP its pages: @p is closed as by
 * fake_xen_platform_close() (its gnt_map mappings and local page mappings
 * are unmapped, its ports closed so that each guest's end goes back to
 * unbound for this domain and can be bound again, its watches and
 * transactions dropped), but every page set it held, taken or not, stays
 * with all its grants and contents, still mapped by the guests that map
 * it, waiting for fake_xen_platform_adopt() by a later platform of the
 * same domain.  The pages still count in the domain's quota and in
 * fake_xen_usage() (@page_sets, @pages, @kept, @grants).  A platform that
 * held no pages keeps nothing.
 *
 * A domain has at most one kept collection.  While one waits, a second
 * crash cannot keep (the helper's KEEP fails with EEXIST on Xen): @p's
 * pages are released as by fake_xen_platform_close() and the waiting
 * collection stays as it was.  If the domain dies before a platform adopts
 * the collection, its pages and grants go as those of a closed platform.
 * NULL is a no-op.
 */
void fake_xen_platform_crash(struct ism_platform *p);

/**
 * fake_xen_platform_adopt() - @p (opened after a crash, on the crashed
 * platform's domain) takes the collection that waits: from now on its
 * pages_list lists those pages and their grants, pages_adopt takes them,
 * pages_end_grants ends their grants, and closing or crashing @p releases
 * or keeps them like its own.  Pages not taken with pages_adopt have no
 * handle for pages_grant or pages_free.
 *
 * -EBUSY if @p already holds pages (checked first), -ENOENT if no
 * collection waits for @p's domain, -EINVAL for NULL.
 */
int fake_xen_platform_adopt(struct ism_platform *p);

/* ---- Guests and toolstack: xenstore ------------------------------------ */

/*
 * These act as domain @domid (any running domain, dom0 included), with that
 * domain's permissions, outside any transaction.  Paths are absolute or
 * relative to /local/domain/<domid>.  Errnos as the matching op.
 */
int fake_xen_xs_write(struct fake_xen *fx, uint16_t domid, const char *path,
		      const char *value);
/* *@value_out is malloc'd and NUL-terminated; free() it. */
int fake_xen_xs_read(struct fake_xen *fx, uint16_t domid, const char *path,
		     char **value_out);
int fake_xen_xs_mkdir(struct fake_xen *fx, uint16_t domid, const char *path);
int fake_xen_xs_rm(struct fake_xen *fx, uint16_t domid, const char *path);
int fake_xen_xs_set_perms(struct fake_xen *fx, uint16_t domid, const char *path,
			  const struct ism_xs_perm *perms, unsigned int num);
/* *@perms_out is malloc'd; free() it. */
int fake_xen_xs_get_perms(struct fake_xen *fx, uint16_t domid, const char *path,
			  struct ism_xs_perm **perms_out,
			  unsigned int *num_out);
int fake_xen_xs_watch(struct fake_xen *fx, uint16_t domid, const char *path,
		      const char *token);
int fake_xen_xs_unwatch(struct fake_xen *fx, uint16_t domid, const char *path,
			const char *token);
/* Both strings are malloc'd; free() them.  -EAGAIN when none is queued. */
int fake_xen_xs_read_watch(struct fake_xen *fx, uint16_t domid, char **path_out,
			   char **token_out);

/* ---- Guests: grants ---------------------------------------------------- */

/**
 * fake_xen_guest_grant() - domain @domid grants a fresh zeroed page of its
 * own to @to, read-only if @readonly.
 * @gref_out: the grant reference, for @to to map.
 * @addr_out: the guest's own read-write view of the page, valid until the
 *            grant is ended or the guest dies.
 */
int fake_xen_guest_grant(struct fake_xen *fx, uint16_t domid, uint16_t to,
			 bool readonly, uint32_t *gref_out, void **addr_out);

/**
 * fake_xen_guest_end_access() - end a grant made by fake_xen_guest_grant()
 * and free its page.  -EBUSY while it is mapped, -ENOENT if @gref is not
 * such a grant of @domid.
 */
int fake_xen_guest_end_access(struct fake_xen *fx, uint16_t domid,
			      uint32_t gref);

/**
 * fake_xen_guest_map() - domain @domid maps grant @gref of @granter,
 * read-only if @readonly.  Mapping a read-only grant writable fails with
 * -EACCES, as does a grant made for another domain; -EINVAL if @gref is not
 * an active grant.  *@addr_out is the mapping, one page.
 */
int fake_xen_guest_map(struct fake_xen *fx, uint16_t domid, uint16_t granter,
		       uint32_t gref, bool readonly, void **addr_out);

/* fake_xen_guest_unmap() - undo fake_xen_guest_map(); -EINVAL if unknown. */
int fake_xen_guest_unmap(struct fake_xen *fx, uint16_t domid, void *addr);

/* ---- Guests: event channels -------------------------------------------- */

/* Allocate a port of @domid, unbound, for @remote to bind. */
int fake_xen_guest_evtchn_alloc_unbound(struct fake_xen *fx, uint16_t domid,
					uint16_t remote, uint32_t *port_out);
/* Send an event on @port of @domid; 0 and nothing happens if unconnected. */
int fake_xen_guest_evtchn_notify(struct fake_xen *fx, uint16_t domid,
				 uint32_t port);
/*
 * Take the pending event of @port of @domid: returns 1 if one was pending
 * (and clears it), 0 if not, -EINVAL if @port is not a guest port of @domid.
 */
int fake_xen_guest_evtchn_pending(struct fake_xen *fx, uint16_t domid,
				  uint32_t port);
/* Close @port of @domid; the peer's port becomes unbound. */
int fake_xen_guest_evtchn_close(struct fake_xen *fx, uint16_t domid,
				uint32_t port);

/*
 * fake_xen_set_silo() - enforce XSM SILO (Debian's arm64 Xen's default) or
 * stop: with @on, a guest's event channel to another guest (unbound port
 * for it, or a bind to its port) and its map of another guest's grant fail
 * with -EPERM; dom0 may still talk to every guest.
 */
void fake_xen_set_silo(struct fake_xen *fx, bool on);

/* ---- Fault injection and call counts ----------------------------------- */

/* fake_xen_fail_set() flags. */
#define FAKE_XEN_FAIL_PERSIST 0x1u /* the Nth call and every later one */

/**
 * fake_xen_fail_set() - arm a fault.
 * @op: the op to fail, or FAKE_XEN_OP_ANY for any op.
 * @nth: 1 fails the next matching call, 2 the one after, ...
 * @err: the positive errno to fail with (the op returns -@err).
 * @flags: 0 or FAKE_XEN_FAIL_PERSIST.
 *
 * Replaces any armed fault.  -EINVAL for a bad @op, @nth of 0, @err not in
 * 1 .. 4095, or unknown @flags.
 */
int fake_xen_fail_set(struct fake_xen *fx, enum fake_xen_op op,
		      unsigned long nth, int err, unsigned int flags);

/* fake_xen_fail_clear() - disarm; the hit count is kept. */
void fake_xen_fail_clear(struct fake_xen *fx);

/* fake_xen_fail_hits() - how many calls failed on purpose so far. */
unsigned long fake_xen_fail_hits(const struct fake_xen *fx);

/* fake_xen_calls() - calls of @op (or of all ops) since the last reset. */
unsigned long fake_xen_calls(const struct fake_xen *fx, enum fake_xen_op op);

/* fake_xen_calls_reset() - zero the call counts and the hit count. */
void fake_xen_calls_reset(struct fake_xen *fx);

/* fake_xen_op_name() - "xs_read" for FAKE_XEN_OP_XS_READ; "any"; or NULL. */
const char *fake_xen_op_name(enum fake_xen_op op);

/* fake_xen_op_lookup() - the op named @name ("xs_read", "any"); -ENOENT. */
int fake_xen_op_lookup(const char *name, enum fake_xen_op *op_out);

/* ---- Accounting -------------------------------------------------------- */

/**
 * struct fake_xen_usage - what a domain holds right now.
 * @grants: active entries in its grant table.
 * @maps: pages of other domains it maps.
 * @page_sets: page sets not freed: made by pages_alloc or pages_adopt, or
 *             held or kept after a crash (those may split when pages_adopt
 *             takes part of one).
 * @pages: pages in those sets.
 * @ports: ports not free.
 * @watches: xenstore watches of all its connections.
 * @transactions: open xenstore transactions.
 * @events: queued watch events.
 * @kept: pages of those sets kept by a crashed platform, waiting for
 *        fake_xen_platform_adopt().
 */
struct fake_xen_usage {
	unsigned int grants;
	unsigned int maps;
	unsigned int page_sets;
	unsigned int pages;
	unsigned int ports;
	unsigned int watches;
	unsigned int transactions;
	unsigned int events;
	unsigned int kept;
};

/* fake_xen_usage() - fill *@usage_out for @domid; -ESRCH if none. */
int fake_xen_usage(struct fake_xen *fx, uint16_t domid,
		   struct fake_xen_usage *usage_out);

/*
 * fake_xen_usage_is_clean() - no grants, maps, page sets, ports, watches or
 * transactions (queued events do not count).
 */
bool fake_xen_usage_is_clean(const struct fake_xen_usage *u);

/*
 * fake_xen_watch_events() - watch events queued for @domid on all its
 * connections (cheaper than fake_xen_usage(); 0 for an unknown domain).
 */
unsigned int fake_xen_watch_events(struct fake_xen *fx, uint16_t domid);

/* fake_xen_events_dropped() - watch events lost to a full queue (4096). */
unsigned long fake_xen_events_dropped(const struct fake_xen *fx);

#endif /* ISM_TESTS_FAKE_XEN_H */
