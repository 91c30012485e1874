/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.h - the one seam between the xen-ismd core and Xen.
 *
 * The backend core never calls libxenstore, libxengnttab, libxenevtchn,
 * libxenctrl or getrandom() itself.  Everything it needs from the platform
 * goes through a table of function pointers, struct ism_platform_ops, and an
 * opaque context, struct ism_platform, that is passed as the first argument
 * of every op.  There is no global state: one process may hold several
 * platforms (the unit tests run several fake Xens side by side).
 *
 * Two implementations exist or will exist:
 *
 *  - the real one, over the Xen libraries and the region-page helper;
 *  - tests/fake/fake-xen.c, an in-memory Xen with several domains, used by
 *    every unit test of the core, with fault injection on each op.
 *
 * Whoever creates the context destroys it; the table has no open or close
 * op because only the daemon's main() and the tests create platforms.
 *
 * Conventions for every op:
 *
 *  - Return 0 on success or a negative errno; never -1 with errno set.
 *    Each op lists the errnos the core is expected to handle; others
 *    (-ENOMEM, -EIO, ...) may occur and mean "this call failed".
 *  - An op that fails has no effect, with two exceptions noted at
 *    @xs_transaction_end and @pages_end_grants.  Output parameters are
 *    left untouched on failure.
 *  - Memory an op returns is allocated with malloc() and owned by the
 *    caller, who releases it with free() (arrays are one block).
 *  - Pointers are never NULL unless the op says so.
 *
 * Identifiers: a domain is a uint16_t (domid_t), a grant reference a
 * uint32_t (grant_ref_t), an event channel port a uint32_t (evtchn_port_t),
 * a xenstore transaction a uint32_t where 0 (ISM_XS_NO_TX) means "no
 * transaction".
 */
#ifndef ISM_BACKEND_PLATFORM_H
#define ISM_BACKEND_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of one page as granted, mapped and allocated through this seam. */
#define ISM_PAGE_SIZE 4096u

/*
 * Most pages or grants in one pages_grant or pages_end_grants call.  512
 * END entries are one 4 KiB kernel buffer; the grant helper takes up to
 * XEN_ISM_GNT_MAX_BATCH (4096).  pages_alloc takes a whole region's pages
 * at once: on Xen up to XEN_ISM_GNT_MAX_PAGES (16384, 64 MiB).
 */
#define ISM_PAGES_BATCH_MAX 512u

/* xenstore transaction id meaning "outside any transaction" (XBT_NULL). */
#define ISM_XS_NO_TX 0u

/* Largest number of entries in a node's permission list (xenstored quota). */
#define ISM_XS_PERMS_MAX 5u

/* Xenstore access bits, as XS_PERM_READ and XS_PERM_WRITE. */
#define ISM_XS_PERM_NONE 0x0u
#define ISM_XS_PERM_READ 0x1u
#define ISM_XS_PERM_WRITE 0x2u
#define ISM_XS_PERM_BOTH (ISM_XS_PERM_READ | ISM_XS_PERM_WRITE)

/**
 * struct ism_xs_perm - one entry of a xenstore node's permission list.
 * @domid: the domain this entry is about.
 * @perms: ISM_XS_PERM_NONE, _READ, _WRITE or _BOTH (n, r, w, b).
 *
 * A list follows Xen's semantics: entry 0 names the owner, which always has
 * full access, and its @perms are what every domain not named later in the
 * list gets.  Entries 1.. grant @perms to their @domid.  Privileged domains
 * (dom0) have full access whatever the list says.  "b0 r5" is
 * {{0, BOTH}, {5, READ}}: owner dom0, everyone may read and write, and the
 * entry for dom5 restricts it to reading.
 */
struct ism_xs_perm {
	uint16_t domid;
	uint8_t perms;
};

/**
 * struct ism_domain_info - what the hypervisor says about a domain.
 * @dying: the domain is being destroyed (shut down, resources being freed);
 *         it may linger while other domains still map its pages.
 */
struct ism_domain_info {
	bool dying;
};

/* A run of page handles, @handle .. @handle + @count - 1 (pages_list). */
struct ism_pages_run {
	uint32_t handle;
	uint32_t count;
};

/**
 * struct ism_pages_grant - one grant not ended (pages_list).
 * @gref: its reference.
 * @page: the page handle of the page it grants.
 * @domid: the grantee.
 * @readonly: granted read-only.
 */
struct ism_pages_grant {
	uint32_t gref;
	uint32_t page;
	uint16_t domid;
	bool readonly;
};

/**
 * struct ism_pages_list - what a platform holds (pages_list): @nruns runs
 * then @ngrants grants, in the same block as the struct.
 */
struct ism_pages_list {
	uint32_t nruns;
	uint32_t ngrants;
	struct ism_pages_run *runs;
	struct ism_pages_grant *grants;
};

/* Opaque; each implementation defines it. */
struct ism_platform;

/**
 * struct ism_platform_ops - everything the backend core needs from Xen.
 *
 * Xenstore, as the backend domain
 * -------------------------------
 * Paths are absolute ("/local/domain/5/device/ism/0") or relative to the
 * backend domain's home ("backend/ism/5/0" is
 * "/local/domain/<local domid>/backend/ism/5/0").  Watch events report a
 * path in the same form the watch was registered with.  Every xenstore op
 * may return -EACCES (permissions), -EINVAL (malformed path or argument),
 * -E2BIG (value or path too long, or a quota reached) and, inside a
 * transaction, -ENOENT for a transaction id that is not open.
 *
 * @local_domid: set *@domid_out to the domain this backend runs in.
 *
 * @xs_read: read the value of @path in transaction @tx (or ISM_XS_NO_TX).
 *	On success *@val_out is a malloc'd buffer of *@len_out bytes followed by
 *	a NUL that is not counted; the caller frees it.  -ENOENT if the node
 *	does not exist.
 *
 * @xs_write: set @path to the @len bytes at @val (@val may be NULL when @len
 *	is 0), creating the node and any missing parents.  New nodes inherit
 *	the permissions of their parent.
 *
 * @xs_mkdir: create @path with an empty value if it does not exist (0 if it
 *	already does).
 *
 * @xs_rm: remove @path and everything under it.  0 if @path does not exist
 *	but its parent does; -ENOENT if the parent does not exist either.
 *
 * @xs_directory: list the children of @path.  *@names_out is one malloc'd
 *	block holding *@num_out pointers followed by the strings; free() it
 *	once.  With no children, *@num_out is 0 and *@names_out is still a
 *	block to free.  -ENOENT if @path does not exist.
 *
 * @xs_get_perms: read @path's permission list into a malloc'd array
 *	*@perms_out of *@num_out (>= 1) entries; the caller frees it.
 *
 * @xs_set_perms: replace @path's permission list with @num (1 ..
 *	ISM_XS_PERMS_MAX) entries.  Only the owner or a privileged domain may
 *	do this (-EACCES otherwise); an unprivileged owner may not give the
 *	node away (-EPERM).
 *
 * @xs_transaction_start: open a transaction; *@tx_out is never ISM_XS_NO_TX.
 *	-ENOSPC when this domain has too many transactions open.
 *
 * @xs_transaction_end: commit (@abort false) or abandon (@abort true) @tx.
 *	-EAGAIN means another change conflicted: nothing was committed and the
 *	caller must start over, reading again.  The transaction is closed
 *	whatever the result, even on failure; @tx must not be used again.
 *
 * @xs_watch: ask for an event whenever @path or a node below it is written,
 *	created, removed or has its permissions changed.  One event is queued
 *	at once on registration.  @token (a string, at most 256 bytes) is
 *	returned with every event.  "@releaseDomain" and "@introduceDomain"
 *	watch domain death and creation (privileged domains only).  -EEXIST if
 *	the same @path and @token are already watched.
 *
 * @xs_unwatch: remove the watch registered with @path and @token; events
 *	already queued for it are dropped.  -ENOENT if there is no such watch.
 *
 * @xs_read_watch: take the oldest queued watch event.  *@path_out and
 *	*@token_out are malloc'd strings; the caller frees both.  -EAGAIN when
 *	none is queued.
 *
 * @xs_fd: return a file descriptor that polls readable (POLLIN) while
 *	watch events are queued, or a negative errno.  The platform owns it;
 *	the caller only polls it.  After it polls readable, call
 *	@xs_read_watch until -EAGAIN.
 *
 * Region pages (the grant helper)
 * -------------------------------
 * The backend domain allocates region memory itself and can grant the same
 * page to several domains.  A grant a peer has mapped cannot be revoked:
 * ending it fails with -EBUSY until the peer unmaps, and the pages must be
 * kept (never reused) and the end retried later, for example after the
 * peer's death.
 *
 * Granting and ending work on batches of up to ISM_PAGES_BATCH_MAX
 * entries, one system call each on Xen; the caller splits longer runs.
 * A grant reference is never 0 (references 0 .. 7 are reserved), so 0
 * can mean "no grant" to the caller.
 *
 * @pages_alloc: allocate @count zeroed pages.  *@handle_out names them in
 *	the other page ops.  *@addr_out is a read-write mapping of all @count
 *	pages, contiguous, valid until @pages_free succeeds; pass @addr_out
 *	NULL for pages this domain never reads or writes itself (only grants
 *	them), which spares mapping them.  -EINVAL if @count is 0 or too
 *	large, -EDQUOT over the helper's page quota, -ENOMEM.
 *
 * @pages_grant: grant pages @index .. @index + @count - 1 of @handle to
 *	@domid, read-only if @readonly (enforced by the hypervisor: the
 *	grantee cannot map them writable).  @grefs_out[i] is the grant
 *	reference of page @index + i, to give the grantee.  All or nothing:
 *	on failure no page is granted and @grefs_out is untouched.  Granting
 *	the same page several times, to one or more domains, yields distinct
 *	references.  -ENOENT for an unknown @handle, -EINVAL for @count 0 or
 *	over ISM_PAGES_BATCH_MAX or pages out of the set, -EDQUOT over the
 *	helper's grant quota, -ENOSPC when the grant table is full.
 *
 * @pages_end_grants: end the @count (1 .. ISM_PAGES_BATCH_MAX) grants
 *	@grefs made by @pages_grant, each on its own, and write each one's
 *	outcome to @status_out[i]: 0 ended, -EBUSY while the grantee maps it
 *	(it stays granted; retry later), -ENOENT if it is not an active grant
 *	of this platform.  Returns 0 when every grant ended, else -ENOENT or
 *	-EBUSY (some entry's status) and the others did end: the second
 *	exception to "a failed op has no effect".  Any other error (-EINVAL
 *	for a bad @count, -ENOMEM, -EIO ...) means the call failed as a
 *	whole: nothing ended and @status_out is untouched.
 *
 * @pages_free: free the pages of @handle and their local mapping.  -EBUSY
 *	while any grant of them remains (end every grant first), -ENOENT for an
 *	unknown @handle.
 *
 * Page handles name pages: the set @pages_alloc made with handle H has
 * pages H .. H + count - 1, and sets never overlap (a handle is never 0
 * and a page handle never reused while the platform's pages live).
 *
 * A restarted backend (ism_backend_restore()) takes back what the one
 * before it left, which its platform kept (on Xen, the grant helper's KEEP
 * and ADOPT; in the fake, fake_xen_platform_crash() and _adopt()):
 *
 * @pages_list: what this platform holds: *@list_out, one malloc'd block
 *	(free() it once), lists every page it holds, as sorted disjoint runs of
 *	page handles, and every grant of them not ended, in no order.  A set
 *	may span several runs and a run several sets.
 *
 * @pages_adopt: take the pages @handle .. @handle + @count - 1 that
 *	@pages_list lists (kept by a platform before this one) as one set, as
 *	if @pages_alloc had just made it (for @pages_grant, @pages_free, and a
 *	mapping in *@addr_out unless @addr_out is NULL), but keeping their
 *	contents and grants: @pages_end_grants ends those that @pages_list
 *	lists.  -EINVAL if @count is 0 or too large, -ENOENT if a page of the
 *	range is not held, -EEXIST if one is in a set already taken.
 *
 * Frontend-granted pages
 * ----------------------
 * @gnt_map: map, read-write, the page that @domid granted with @gref (a
 *	guest's ring page); *@addr_out is the local address, one page long.
 *	Each call makes a new mapping at a new address.  -EINVAL if @gref is
 *	not an active grant of @domid, -EACCES if it is granted to another
 *	domain or read-only, -ESRCH if @domid does not exist or is dying,
 *	-ENOSPC when this domain maps too many pages.
 *
 * @gnt_unmap: unmap the page mapped at @addr by @gnt_map.  -EINVAL if
 *	@addr is not such a mapping.
 *
 * Event channels
 * --------------
 * @evtchn_bind: bind a local port to port @remote_port of @domid, which
 *	that domain allocated unbound for this one; *@port_out is the local
 *	port.  -EINVAL if @remote_port is not unbound for this domain, -ESRCH
 *	if @domid does not exist, -ENOSPC when out of ports.
 *
 * @evtchn_unbind: close local @port.  -EINVAL if @port is not bound by this
 *	platform.  If the peer closed its end (or died) the local port stays
 *	open, unconnected, until unbound.
 *
 * @evtchn_notify: send an event on @port.  Events to a peer that has not
 *	taken the previous one coalesce into one.  Sending on a port whose peer
 *	is gone succeeds and does nothing.  -EINVAL if @port is not bound by
 *	this platform.
 *
 * @evtchn_fd: return a file descriptor that polls readable while events are
 *	pending, or a negative errno.  The platform owns it.
 *
 * @evtchn_pending: take the next port with an event into *@port_out and
 *	unmask it, so that an event sent from now on is reported again; the
 *	caller then does the work the event asks for.  -EAGAIN when no event
 *	is pending.
 *
 * Domains
 * -------
 * @domain_info: fill *@info_out about @domid.  -ESRCH if the domain does
 *	not exist (any more), -EPERM if this domain may not ask (only a
 *	privileged domain can).  A domain's death is also announced by the
 *	"@releaseDomain" xenstore watch.
 *
 * Randomness
 * ----------
 * @random: fill @buf with @len (<= 256) bytes from the kernel's random
 *	generator (getrandom(), not blocking once seeded).  -EINVAL if @len is
 *	over 256.
 * @clock_ms: a monotonic clock in milliseconds (never fails).
 */
struct ism_platform_ops {
	int (*local_domid)(struct ism_platform *p, uint16_t *domid_out);

	int (*xs_read)(struct ism_platform *p, uint32_t tx, const char *path,
		       char **val_out, size_t *len_out);
	int (*xs_write)(struct ism_platform *p, uint32_t tx, const char *path,
			const void *val, size_t len);
	int (*xs_mkdir)(struct ism_platform *p, uint32_t tx, const char *path);
	int (*xs_rm)(struct ism_platform *p, uint32_t tx, const char *path);
	int (*xs_directory)(struct ism_platform *p, uint32_t tx,
			    const char *path, char ***names_out,
			    unsigned int *num_out);
	int (*xs_get_perms)(struct ism_platform *p, uint32_t tx,
			    const char *path, struct ism_xs_perm **perms_out,
			    unsigned int *num_out);
	int (*xs_set_perms)(struct ism_platform *p, uint32_t tx,
			    const char *path, const struct ism_xs_perm *perms,
			    unsigned int num);
	int (*xs_transaction_start)(struct ism_platform *p, uint32_t *tx_out);
	int (*xs_transaction_end)(struct ism_platform *p, uint32_t tx,
				  bool abort);
	int (*xs_watch)(struct ism_platform *p, const char *path,
			const char *token);
	int (*xs_unwatch)(struct ism_platform *p, const char *path,
			  const char *token);
	int (*xs_read_watch)(struct ism_platform *p, char **path_out,
			     char **token_out);
	int (*xs_fd)(struct ism_platform *p);

	int (*pages_alloc)(struct ism_platform *p, unsigned int count,
			   uint32_t *handle_out, void **addr_out);
	int (*pages_grant)(struct ism_platform *p, uint32_t handle,
			   unsigned int index, unsigned int count,
			   uint16_t domid, bool readonly, uint32_t *grefs_out);
	int (*pages_end_grants)(struct ism_platform *p, const uint32_t *grefs,
				unsigned int count, int *status_out);
	int (*pages_free)(struct ism_platform *p, uint32_t handle);
	int (*pages_list)(struct ism_platform *p,
			  struct ism_pages_list **list_out);
	int (*pages_adopt)(struct ism_platform *p, uint32_t handle,
			   unsigned int count, void **addr_out);

	int (*gnt_map)(struct ism_platform *p, uint16_t domid, uint32_t gref,
		       void **addr_out);
	int (*gnt_unmap)(struct ism_platform *p, void *addr);

	int (*evtchn_bind)(struct ism_platform *p, uint16_t domid,
			   uint32_t remote_port, uint32_t *port_out);
	int (*evtchn_unbind)(struct ism_platform *p, uint32_t port);
	int (*evtchn_notify)(struct ism_platform *p, uint32_t port);
	int (*evtchn_fd)(struct ism_platform *p);
	int (*evtchn_pending)(struct ism_platform *p, uint32_t *port_out);

	int (*domain_info)(struct ism_platform *p, uint16_t domid,
			   struct ism_domain_info *info_out);

	int (*random)(struct ism_platform *p, void *buf, size_t len);
	uint64_t (*clock_ms)(struct ism_platform *p);
};

/**
 * ism_platform_ops_is_complete() - whether every op of @ops is set.
 * @ops: the table to check, or NULL.
 *
 * The core refuses (-EINVAL) a table with a missing op rather than crash
 * later on the first call of it.
 */
static inline bool
ism_platform_ops_is_complete(const struct ism_platform_ops *ops)
{
	return ops && ops->local_domid && ops->xs_read && ops->xs_write &&
	       ops->xs_mkdir && ops->xs_rm && ops->xs_directory &&
	       ops->xs_get_perms && ops->xs_set_perms &&
	       ops->xs_transaction_start && ops->xs_transaction_end &&
	       ops->xs_watch && ops->xs_unwatch && ops->xs_read_watch &&
	       ops->xs_fd && ops->pages_alloc && ops->pages_grant &&
	       ops->pages_end_grants && ops->pages_free && ops->pages_list &&
	       ops->pages_adopt && ops->gnt_map && ops->gnt_unmap &&
	       ops->evtchn_bind && ops->evtchn_unbind && ops->evtchn_notify &&
	       ops->evtchn_fd && ops->evtchn_pending && ops->domain_info &&
	       ops->random && ops->clock_ms;
}

#endif /* ISM_BACKEND_PLATFORM_H */
