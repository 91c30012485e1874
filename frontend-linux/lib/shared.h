/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shared.h - the pure pieces of libxenism that touch shared pages: the
 * control ring producer, the event page consumer, the page directory walk,
 * region descriptor checks and rendezvous values.  No platform, no handle:
 * the unit tests drive them on plain memory.
 *
 * Everything the backend or a peer writes is hostile: each index or field
 * is read once into private memory, range-checked, then used.
 */
#ifndef ISM_FRONTEND_LIB_SHARED_H
#define ISM_FRONTEND_LIB_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ismif.h"

/* Read a shared field exactly once; publish one with release order. */
#define ISM_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ISM_LOAD_ACQUIRE(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define ISM_STORE_RELEASE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define ISM_MB() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* ---- Control ring (ring.c) ---------------------------------------------- */

/**
 * struct ism_ring - the frontend's private view of the control ring.
 * @page: the shared page.
 * @req_prod_pvt: requests written (published or not).
 * @req_prod_pub: requests published (what req_prod holds).
 * @rsp_cons: responses consumed.
 */
struct ism_ring {
	struct ism_ctrl_page *page;
	uint32_t req_prod_pvt;
	uint32_t req_prod_pub;
	uint32_t rsp_cons;
};

/* Clear @page and set req_event = rsp_event = 1 (SHARED_RING_INIT). */
void ism__ring_init(struct ism_ring *ring, void *page);
/* Free entries: ISM_RING_ENTRIES - (req_prod_pvt - rsp_cons). */
unsigned int ism__ring_free(const struct ism_ring *ring);
/* Copy @req into the next entry; -ENOSPC when 32 are outstanding. */
int ism__ring_put(struct ism_ring *ring, const struct ism_req *req);
/* Publish written requests; true if the backend must be signalled. */
bool ism__ring_push(struct ism_ring *ring);
/*
 * Take the next response into *@rsp_out: 0, -EAGAIN (none), -EPROTO
 * (rsp_prod claims more responses than requests were made).
 */
int ism__ring_get(struct ism_ring *ring, struct ism_rsp *rsp_out);
/* Before sleeping: rsp_event = rsp_cons + 1; true if responses arrived. */
bool ism__ring_arm(struct ism_ring *ring);

/* ---- Request ids and matching (rpc.c) ----------------------------------- */

/**
 * struct ism_rpc - requests on the ring waiting for their response.
 * @next_id: the id of the next request.
 * @ids: ids outstanding; @done, @rsp: their responses once in.
 * @posted: the request was posted (nobody waits for its response);
 *	@pop, @pslot: its opcode and the slot and token it named.
 * @nr: entries in use (at most ISM_RING_ENTRIES).
 * @nr_posted: entries in use that are posted.
 * @stray: responses with an id nobody waits for (ignored).
 * @posted_errors: posted requests the backend answered with an error;
 *	@posted_last_error: the last such error (a negative errno).
 */
struct ism_rpc {
	uint32_t next_id;
	uint32_t nr;
	uint32_t nr_posted;
	uint32_t ids[ISM_RING_ENTRIES];
	bool done[ISM_RING_ENTRIES];
	bool posted[ISM_RING_ENTRIES];
	uint8_t pop[ISM_RING_ENTRIES];
	struct ism_req_slot pslot[ISM_RING_ENTRIES];
	struct ism_rsp rsp[ISM_RING_ENTRIES];
	unsigned long stray;
	unsigned long posted_errors;
	int posted_last_error;
};

/* Place @req (its id is set here) on @ring; *@id_out.  -ENOSPC if full. */
int ism__rpc_send(struct ism_rpc *rpc, struct ism_ring *ring,
		  struct ism_req *req, uint32_t *id_out);
/*
 * Post @req (DETACH or FREE: its payload is a struct ism_req_slot) on
 * @ring: nobody will wait for its response, ism__rpc_reap() consumes it.
 * -ENOSPC if full.
 */
int ism__rpc_post(struct ism_rpc *rpc, struct ism_ring *ring,
		  struct ism_req *req);
/*
 * Consume every response on the ring into the table.  The response of a
 * posted request is consumed there and then: an error only counts in
 * @posted_errors, except that a FREE refused with -EIDRM (the region was
 * released under us, the slot waits for DETACH) posts that DETACH in the
 * room the response left; the caller publishes it.  0 or -EPROTO (also
 * for a malformed response to a posted request).
 */
int ism__rpc_reap(struct ism_rpc *rpc, struct ism_ring *ring);
/*
 * If the response of @id is in, copy it to *@rsp_out, forget @id and
 * return 0; -EAGAIN if not yet; -ENOENT if @id is not outstanding.
 */
int ism__rpc_take(struct ism_rpc *rpc, uint32_t id, struct ism_rsp *rsp_out);
/* Stop waiting for @id: its response will count as a stray. */
void ism__rpc_forget(struct ism_rpc *rpc, uint32_t id);
/*
 * Check a response against its request: op copied, status 0 or a negative
 * errno up to 4095, reserved octets 0.  Returns the status (0 or -errno),
 * or -EPROTO for a malformed response.
 */
int ism__rsp_check(const struct ism_rsp *rsp, uint8_t op);

/* ---- Event page (evq.c) ------------------------------------------------- */

struct ism_evq {
	struct ism_event_page *page;
	uint32_t cons;
};

/* Clear @page. */
void ism__evq_init(struct ism_evq *q, void *page);
/*
 * Copy the next queued event to *@evt_out and advance (evt_cons is written
 * by ism__evq_commit()).  0, -EAGAIN, -EPROTO (evt_prod - evt_cons > 64).
 */
int ism__evq_get(struct ism_evq *q, struct ism_evt *evt_out);
/* Write evt_cons. */
void ism__evq_commit(struct ism_evq *q);
/* Clear ISM_EVTPAGE_F_OVERFLOW; true if it was set. */
bool ism__evq_take_overflow(struct ism_evq *q);
/*
 * Take the signal bit array: exchange the summary words, then the words
 * they name, with 0; call @fn(@ctx, slot) for each set bit below
 * @nr_slots (bits above are ignored).  Returns how many slots were set.
 */
unsigned int ism__sba_take(struct ism_evq *q, uint32_t nr_slots,
			   void (*fn)(void *ctx, uint32_t slot), void *ctx);
/*
 * Before sleeping: fe_armed = 1, full barrier; true if something is
 * already waiting (summary, queue or overflow), so do not sleep.
 */
bool ism__evq_arm(struct ism_evq *q);

/* ---- Region descriptor and page directory (pgdir.c) --------------------- */

/*
 * Check a descriptor from the backend: token non-zero, size = nr_pages *
 * 4096 with 1 <= nr_pages <= @max_pages, slot < @max_slots, grefs >= 8,
 * known perm bits, side and state known, reserved 0.  0 or -EPROTO.
 */
int ism__desc_check(const struct ism_region_desc *d, uint32_t max_pages,
		    uint32_t max_slots);

/* Map one directory page read-only (unmapped with @unmap). */
typedef int (*ism_dir_map_fn)(void *ctx, uint32_t gref,
			      const struct ism_dir_page **page_out);
typedef void (*ism_dir_unmap_fn)(void *ctx, const struct ism_dir_page *page);

/*
 * Walk the directory chain from @dir_gref and fill @grefs_out with exactly
 * @nr_pages references.  -EPROTO if the chain is shorter or longer, loops,
 * has a page with 0 or more than 1020 references, a page but the last with
 * fewer than 1020, or a reference below 8; the map callback's error.
 */
int ism__pgdir_walk(uint32_t dir_gref, uint32_t nr_pages, ism_dir_map_fn map,
		    ism_dir_unmap_fn unmap, void *ctx, uint32_t *grefs_out);

/* ---- Rendezvous values (rendezvous.c) ----------------------------------- */

/* Whether @name is 1 to 64 of A-Z a-z 0-9 _ -. */
bool ism__name_is_valid(const char *name);
/* Write "<gid>:<devid>:<token>" into @buf (ISM_RENDEZVOUS_VALUE_MAX + 1). */
int ism__rdv_format(char *buf, size_t size, uint64_t gid, uint32_t devid,
		    uint64_t token);
/* Parse a value strictly (see ismif.h); -EPROTO if malformed. */
int ism__rdv_parse(const char *val, size_t len, uint64_t *gid_out,
		   uint32_t *devid_out, uint64_t *token_out);

/* ---- Xenstore values (xsval.c) ----------------------------------------- */

/* Decimal without sign or leading zeros, @lo .. @hi; else -EPROTO. */
int ism__xs_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/* Exactly 16 lowercase hex digits, not all zero; else -EPROTO. */
int ism__xs_parse_hex64(const char *s, uint64_t *out);
/* Whether version @want is in the comma-separated ascending list @s. */
int ism__xs_versions_has(const char *s, unsigned int want);

/* ---- Doorbell (notify suppression, ismif.h) ------------------------------ */

/*
 * Count an update of side @side (after the caller's stores to the region)
 * and take the other side's want: true if it asked to be signalled.
 */
static inline bool ism__bell_count(struct ism_bell *bell, unsigned int side)
{
	ISM_MB();
	__atomic_add_fetch(&bell->seq[side], 1u, __ATOMIC_ACQ_REL);
	return __atomic_exchange_n(&bell->want[side ^ 1u], 0, __ATOMIC_ACQ_REL);
}

/* Ask side @side to be signalled on the other's next update. */
static inline void ism__bell_want(struct ism_bell *bell, unsigned int side)
{
	__atomic_store_n(&bell->want[side], 1u, __ATOMIC_RELEASE);
	ISM_MB();
}

#endif /* ISM_FRONTEND_LIB_SHARED_H */
