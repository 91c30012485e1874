/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * private.h - the handle and region structures of libxenism and the
 * functions its files share.  Internal names start with ism__.
 */
#ifndef ISM_FRONTEND_LIB_PRIVATE_H
#define ISM_FRONTEND_LIB_PRIVATE_H

#include "xenism.h"
#include "platform.h"
#include "shared.h"

/* Path buffers: the longest path we build is well below this. */
#define ISM_PATH_MAX 256

/* Fast-path states of a region. */
enum ism_fp_state {
	ISM_FP_NONE,
	ISM_FP_OFFERED, /* we offered @fp_port, waiting for FASTPATH_READY */
	ISM_FP_UP, /* @fp_port is connected to the peer */
};

/*
 * A region of either implementation: the chardev one embeds it (struct
 * ism_kregion, kdev.h) and uses @dev, @d's token, size, slot, perm, side,
 * state and peer, @readonly, @peer_present and @addr.
 */
struct ism_region {
	struct ism_dev *dev;
	struct ism_region_desc d; /* the last descriptor, checked */
	bool readonly; /* attached with ISM_ATTACH_READONLY */
	bool peer_present;
	bool updated; /* REGION_UPDATED not yet read */
	void *addr; /* region pages, or NULL */
	struct ism_bell *bell; /* doorbell mapping */
	enum ism_fp_state fp;
	uint32_t fp_port; /* local fast-path port, 0 if none */
	uint32_t fp_offer_port; /* peer's offered port to bind, 0 if none */
	uint16_t fp_offer_domid;
	bool fp_tried; /* offered once already */
	bool fp_off; /* made with the fast path off: never offer, decline */
	uint32_t peer_seq; /* the other side's bell seq when we last looked */
};

/*
 * A handle of either implementation (platform.h, "The device seam"): the
 * chardev one embeds it (struct ism_kdev, kdev.h) and uses @dops,
 * @timeout_ms, the device's identity and limits (@domid, @be_domid,
 * @devid, @gid .. @fast_path), @dead and @dead_reported; the rest belong
 * to the userspace protocol implementation.
 */
struct ism_dev {
	const struct ism_fe_dev_ops *dops; /* which implementation */
	const struct ism_fe_ops *ops;
	struct ism_fe_platform *p;
	int timeout_ms;

	uint16_t domid;
	uint16_t be_domid;
	uint32_t devid;
	char fe_path[ISM_PATH_MAX];
	char be_path[ISM_PATH_MAX];
	char be_state_path[ISM_PATH_MAX];
	bool watching;

	/* Backend announcements. */
	uint64_t gid;
	uint64_t region_size;
	uint32_t max_regions;
	uint64_t max_bytes;
	uint32_t max_peers;
	uint32_t max_perm_entries;
	bool fast_path;
	/* ism_dev_set_fast_path(dev, 0): new regions do without. */
	bool fp_off;

	/* Shared pages and the device's port. */
	uint32_t ring_gref, evt_gref, port;
	void *ring_page, *evt_page;
	struct ism_ring ring;
	struct ism_rpc rpc;
	struct ism_evq evq;

	/* -ESHUTDOWN or -EPROTO once the backend closed the device. */
	int dead;
	bool dead_reported;
	bool resync; /* event queue overflowed: QUERY every slot */

	struct ism_region **slots; /* [max_regions] */

	/* Life-cycle events for the user, a ring buffer. */
	struct ism_event *evq_user;
	unsigned int evq_cap, evq_head, evq_len;
	uint32_t scan_pos; /* next slot to report an update of */
	uint32_t slot_hi; /* slots[slot_hi..] are all NULL: loops stop there */
};

/* The timeout of a handle opened with 0 ($ISM_TIMEOUT_MS or the default). */
int ism__dev_timeout_default(void);

/* Open on a given platform (the tests use it with the fake). */
int ism__dev_open_on(const struct ism_fe_ops *ops, struct ism_fe_platform *p,
		     uint32_t devid, int timeout_ms, ism_dev **dev_out);

/* xenbus.c: the handshake and closing. */
int ism__xenbus_connect(ism_dev *dev, uint32_t devid, uint64_t deadline);
void ism__xenbus_disconnect(ism_dev *dev);
/* Re-read the backend state after a watch fired; sets dev->dead. */
void ism__xenbus_check(ism_dev *dev);
/* Deadline helpers: 0 timeout means none (-1). */
uint64_t ism__deadline(ism_dev *dev, int timeout_ms);
/* Milliseconds left until @deadline (-1 for none), 0 if passed. */
int ism__remaining(ism_dev *dev, uint64_t deadline);

/* request.c: one request and its response, synchronously. */
int ism__request(ism_dev *dev, struct ism_req *req, struct ism_rsp *rsp_out);
/*
 * Post @req (DETACH or FREE): on the ring and signalled, its response not
 * awaited (waits only for room on a full ring).  0 or -errno.
 */
int ism__post(ism_dev *dev, struct ism_req *req);
/* Consume the responses in (posted ones silently).  0 or -EPROTO. */
int ism__reap(ism_dev *dev);
/* Wait until every posted request is answered.  0 or -errno. */
int ism__drain(ism_dev *dev);

/* event.c: take everything the backend signalled (no requests sent). */
void ism__dev_poll(ism_dev *dev);
/*
 * Take only the sources ops->wait reported @ready (its result; 0 or less:
 * none) and the event page: no syscall for the rest.
 */
void ism__dev_take(ism_dev *dev, int ready);
/* Only the sources @ready names, not the event page (see request.c). */
void ism__dev_take_ready(ism_dev *dev, int ready);
/* Drop queued events that name @r. */
void ism__events_forget(ism_dev *dev, ism_region *r);
/* Queue an event for the user. */
void ism__event_push(ism_dev *dev, const struct ism_event *ev);

/* region.c */
void ism__region_close_fp(ism_region *r);
bool ism__region_peer_updated(ism_region *r);
void ism__region_unmap_all(ism_region *r);
void ism__region_destroy(ism_region *r);
int ism__region_offer_fp(ism_region *r);
int ism__region_accept_fp(ism_region *r);

/*
 * The userspace protocol implementation of the device seam (ops of
 * ism__user_dev_ops): dev.c, region.c, event.c, name.c.
 */
void ism__user_dev_close(ism_dev *dev);
int ism__user_dev_info(ism_dev *dev, struct ism_dev_info *info_out);
int ism__user_dev_fd(ism_dev *dev);
int ism__user_dev_set_fast_path(ism_dev *dev, int enable);
int ism__user_region_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
			   ism_region **r_out);
int ism__user_region_attach(ism_dev *dev, uint64_t token, unsigned int flags,
			    ism_region **r_out);
int ism__user_region_refresh(ism_region *r);
int ism__user_region_map(ism_region *r, void **addr_out, size_t *len_out);
int ism__user_region_unmap(ism_region *r);
int ism__user_region_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			      unsigned int flags);
int ism__user_region_notify(ism_region *r, unsigned int flags);
int ism__user_region_want(ism_region *r);
int ism__user_region_detach(ism_region *r);
int ism__user_region_free(ism_region *r);
int ism__user_event_read(ism_dev *dev, struct ism_event *ev_out);
int ism__user_event_wait(ism_dev *dev, int timeout_ms,
			 struct ism_event *ev_out);
int ism__user_name_publish(ism_dev *dev, const char *name, uint64_t token,
			   uint16_t peer_domid);
int ism__user_name_unpublish(ism_dev *dev, const char *name);
int ism__user_name_lookup(ism_dev *dev, const char *name, uint16_t from_domid,
			  int timeout_ms, uint64_t *token_out);

#endif /* ISM_FRONTEND_LIB_PRIVATE_H */
