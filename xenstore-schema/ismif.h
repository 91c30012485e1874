/* SPDX-License-Identifier: MIT */
/*
 * ismif.h: the xen-ism protocol between an ISM frontend (a guest) and the
 * ISM backend (xen-ismd in dom0 or a driver domain).
 *
 * Copyright (C) 2026 The xen-ism authors.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 * FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 *
 * This file is the only definition of the protocol.  The xenstore node list
 * (ism-nodes.txt) repeats the nodes in a machine-readable form for
 * ism-schema-check, and ism-protocol.md is rendered from both by
 * render-md.awk: edit this file or the node list, never the Markdown.
 * Comment blocks that start with "DOC:" are copied into the Markdown; a line
 * "@NAME ARG@" inside one is replaced by generated text (a node table, the
 * definition of a struct, a table of macros, the table of wire sizes).
 */
#ifndef ISM_XENSTORE_SCHEMA_ISMIF_H
#define ISM_XENSTORE_SCHEMA_ISMIF_H

#ifdef __KERNEL__
/* A Linux kernel module (xen-ismfront): the kernel's own types. */
#include <linux/stddef.h>
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/**
 * DOC: Overview
 *
 * xen-ism gives Xen guests ISM (Internal Shared Memory, as in IBM ISM,
 * Linux SMC-D and the virtio-ism proposal): a guest allocates a memory
 * *region*, hands its *token* to a peer guest, the peer *attaches*, and the
 * two talk through plain loads and stores into the region, plus *update
 * events* that say "region R changed".
 *
 * Three parties take part:
 *
 * - the **backend**, the daemon `xen-ismd` in dom0 or in a driver domain.
 *   It allocates all region memory itself, grants it to the guests that
 *   use it, relays events, enforces permissions and quotas, and cleans up
 *   when a domain dies;
 * - the **frontend**, in each guest (libxenism and the `ism` CLI from
 *   userspace, later a kernel module).  One frontend drives one *device*;
 * - the **toolstack** (`ismctl` in the backend's host), which creates the
 *   xenstore directories of a device; a guest cannot create them itself.
 *
 * Words used throughout:
 *
 * | Term | Meaning |
 * | --- | --- |
 * | device | one frontend/backend pair, named by its `devid` |
 * | gid | 64-bit id of the host, the same for every device of the host |
 * | devid | 32-bit id of a device, unique on the host, never 0 |
 * | region | backend memory of 1 to `region-size` octets, in whole pages |
 * | token | 64-bit random name of a region, never 0, unguessable |
 * | slot | a device's small index (0 .. `max-regions` - 1) for a region |
 * | referrer | a device that holds a slot for a region |
 * | owner | the device that allocated the region (side 0) |
 * | peer | the one other device that attached it (side 1) |
 *
 * Xenstore carries only device setup: two shared pages, one event channel,
 * the version, features and limits.  Everything else (allocate, attach,
 * detach, free, permissions, notify) is a request on the *control ring*,
 * and everything the backend tells the frontend on its own (a region was
 * updated, a peer attached, detached or vanished, a region was released)
 * arrives on the *event page*.  Region memory reaches a frontend as a
 * *page directory* of grant references, named in the response that created
 * the slot, so a region of any size costs one fixed-size message.
 *
 * Region memory is plain memory: the protocol puts nothing inside it.
 * Each region also has a *doorbell page* shared by its two referrers, which
 * carries the "please signal me" flags of notify suppression.
 */

/**
 * DOC: Protocol version
 *
 * This document describes protocol version 1.  The backend lists the
 * versions it speaks in `versions`; the frontend picks one and writes it to
 * `version`.  A later version may add opcodes, events, nodes and features;
 * it will not change the layout of any structure defined here.
 *
 * @DEFINES ^ISM_PROTOCOL_VERSION@
 */
#define ISM_PROTOCOL_VERSION "1" /* as written in xenstore */
#define ISM_PROTOCOL_VERSION_INT 1 /* as a number */

/* The xenbus device type: ~/device/ism and ~/backend/ism. */
#define ISM_DEVICE_TYPE "ism"

/**
 * DOC: Conventions
 *
 * - All wire structures are fixed-size, little-endian, naturally aligned,
 *   with explicit reserved fields.  A sender MUST write reserved fields
 *   and unused payload octets as 0; a receiver MUST refuse a request whose
 *   reserved fields are not 0 (`-EINVAL`), so they can gain a meaning later.
 * - A page is 4096 octets (`ISM_PAGE_SIZE`); all shared memory is in pages.
 * - All values in xenstore are strings.  Numbers are decimal without sign,
 *   leading zeros or spaces; 64-bit identifiers (`gid`, tokens) are written
 *   as exactly 16 lowercase hexadecimal digits with no prefix.
 * - `domid`, `devid`, grant references and event channel ports are
 *   unsigned.  A grant reference is never below 8 (references 0 to 7 are
 *   reserved by Xen), so 0 can mean "none".  Port 0 is never valid.
 * - Failures are reported as negative errno values with the numbers of
 *   Linux (x86 and generic), on every guest OS: see *Error codes*.
 * - "MUST", "MUST NOT", "SHOULD" and "MAY" are used as in RFC 2119.
 * - Every shared page is hostile input to its reader: a reader MUST read
 *   each index or field it acts on exactly once into private memory,
 *   range-check it and only then use it.
 *
 * @DEFINES ^ISM_(PAGE|GREF|EVTCHN|DOMID|DEVID)_@
 */
#define ISM_PAGE_SHIFT 12
#define ISM_PAGE_SIZE 4096u

/* Lowest grant reference a guest can hand out (0 to 7 are reserved). */
#define ISM_GREF_MIN 8u
/* Highest event channel port (FIFO ABI). */
#define ISM_EVTCHN_MAX 131071u
/* Domain ids: 0 .. 32751; DOMID_INVALID marks "no domain". */
#define ISM_DOMID_MAX 32751u
#define ISM_DOMID_INVALID 0x7ff4u
/* Device ids: 1 .. ISM_DEVID_MAX; 0 names the default permission entry. */
#define ISM_DEVID_MAX 0x7fffffffu

/**
 * DOC: Example configuration
 *
 * Guest 5 has device 4097, guest 7 has device 4098, the backend runs in
 * dom0.  After both connected, `xenstore-ls -f -p` shows:
 *
 * ```
 * /local/domain/0/backend/ism/5/4097 = ""   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/frontend = "/local/domain/5/device/ism/4097"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/frontend-id = "5"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/online = "1"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/state = "4"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/versions = "1"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/gid = "5e1f0c2a9b7d4433"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/region-size = "1048576"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/max-regions = "256"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/max-bytes = "67108864"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/max-peers = "16"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/max-perm-entries = "8"   (n0,r5)
 * /local/domain/0/backend/ism/5/4097/feature-fast-path = "1"   (n0,r5)
 * /local/domain/5/device/ism/4097 = ""   (n5,r0)
 * /local/domain/5/device/ism/4097/backend = "/local/domain/0/backend/ism/5/4097"   (n5,r0)
 * /local/domain/5/device/ism/4097/backend-id = "0"   (n5,r0)
 * /local/domain/5/device/ism/4097/state = "4"   (n5,r0)
 * /local/domain/5/device/ism/4097/version = "1"   (n5,r0)
 * /local/domain/5/device/ism/4097/ring-ref = "8"   (n5,r0)
 * /local/domain/5/device/ism/4097/event-page-ref = "9"   (n5,r0)
 * /local/domain/5/device/ism/4097/event-channel = "11"   (n5,r0)
 * /local/domain/5/data/ism = ""   (n5)
 * /local/domain/5/data/ism/chat = "5e1f0c2a9b7d4433:4097:8c1d2e3f4a5b6c7d"   (n5,r7)
 * ```
 *
 * Guest 7's device 4098 looks the same with 5 replaced by 7 and 4097 by
 * 4098.  The last two lines are an optional named-token rendezvous (see
 * *Named token rendezvous*): guest 5 tells guest 7 the token of its region
 * "chat".
 */

/**
 * DOC: Xenstore nodes
 *
 * Xenstore holds device setup only.  `~` is `/local/domain/<domid>`;
 * `$FE` is the frontend's domid, `$BE` the backend's, `$DEVID` the device
 * id.  The directories are
 *
 * - frontend: `/local/domain/$FE/device/ism/$DEVID`, owned by `$FE`,
 *   readable by `$BE`;
 * - backend: `/local/domain/$BE/backend/ism/$FE/$DEVID`, owned by `$BE`,
 *   readable by `$FE`.
 *
 * The xenbus device index *is* the ISM `devid`: the toolstack picks it
 * unique on the host (1 .. 2147483647) and it survives every reset of the
 * device, because it is the name of the directories.
 *
 * *Writer* says who writes a node.  `toolstack` nodes are written by
 * `ismctl` when it creates the device, in one transaction, with the
 * permissions of their directory.  Nodes a side writes later inherit the
 * permissions of the directory (xenstored makes a guest the owner of what
 * it creates).  *Required* says when a node must exist: `always`, only
 * while the writer's `state` is between the given value and Connected (4)
 * (`state>=N`), or `optional`.  *Perms* is the permission list as
 * `xenstore-ls -p` prints it: the first entry names the owner and what
 * every other domain may do (`n`: nothing), the others grant a domain `r`
 * read, `w` write or `b` both.
 *
 * The same table, in machine-readable form, is `ism-nodes.txt`
 * (installed to `$(pkgdatadir)`); `ism-schema-check` validates a
 * `xenstore-ls -f -p` dump against it.
 *
 * ### Value types
 *
 * @TYPES@
 *
 * ### Backend nodes
 *
 * @NODES backend@
 *
 * ### Frontend nodes
 *
 * @NODES frontend@
 *
 * ### Node names
 *
 * Code MUST use these macros, never the literal strings; `make check`
 * verifies that they and the node list name the same nodes.
 *
 * @DEFINES ^ISM_FIELD_@
 *
 * Directory paths, as printf formats:
 *
 * @DEFINES ^ISM_(DEVICE_TYPE|PATH_[A-Z]+_FMT)$@
 */
#define ISM_FIELD_BACKEND "backend"
#define ISM_FIELD_BACKEND_ID "backend-id"
#define ISM_FIELD_FRONTEND "frontend"
#define ISM_FIELD_FRONTEND_ID "frontend-id"
#define ISM_FIELD_ONLINE "online"
#define ISM_FIELD_STATE "state"
#define ISM_FIELD_ERROR "error"
#define ISM_FIELD_VERSIONS "versions"
#define ISM_FIELD_VERSION "version"
#define ISM_FIELD_GID "gid"
#define ISM_FIELD_REGION_SIZE "region-size"
#define ISM_FIELD_MAX_REGIONS "max-regions"
#define ISM_FIELD_MAX_BYTES "max-bytes"
#define ISM_FIELD_MAX_PEERS "max-peers"
#define ISM_FIELD_MAX_PERM_ENTRIES "max-perm-entries"
#define ISM_FIELD_FEATURE_FAST_PATH "feature-fast-path"
#define ISM_FIELD_RING_REF "ring-ref"
#define ISM_FIELD_EVENT_PAGE_REF "event-page-ref"
#define ISM_FIELD_EVENT_CHANNEL "event-channel"

/* Every ISM_FIELD_* above, for tools that iterate over them. */
#define ISM_FOR_EACH_FIELD(X)          \
	X(ISM_FIELD_BACKEND)           \
	X(ISM_FIELD_BACKEND_ID)        \
	X(ISM_FIELD_FRONTEND)          \
	X(ISM_FIELD_FRONTEND_ID)       \
	X(ISM_FIELD_ONLINE)            \
	X(ISM_FIELD_STATE)             \
	X(ISM_FIELD_ERROR)             \
	X(ISM_FIELD_VERSIONS)          \
	X(ISM_FIELD_VERSION)           \
	X(ISM_FIELD_GID)               \
	X(ISM_FIELD_REGION_SIZE)       \
	X(ISM_FIELD_MAX_REGIONS)       \
	X(ISM_FIELD_MAX_BYTES)         \
	X(ISM_FIELD_MAX_PEERS)         \
	X(ISM_FIELD_MAX_PERM_ENTRIES)  \
	X(ISM_FIELD_FEATURE_FAST_PATH) \
	X(ISM_FIELD_RING_REF)          \
	X(ISM_FIELD_EVENT_PAGE_REF)    \
	X(ISM_FIELD_EVENT_CHANNEL)

/* Directory paths (printf formats: domid, [domid,] devid). */
#define ISM_PATH_FRONTEND_FMT "/local/domain/%u/device/ism/%u"
#define ISM_PATH_BACKEND_FMT "/local/domain/%u/backend/ism/%u/%u"

/* Defaults a backend announces unless configured otherwise. */
#define ISM_REGION_SIZE_DEFAULT 1048576u
#define ISM_MAX_REGIONS_DEFAULT 256u
#define ISM_MAX_BYTES_DEFAULT 67108864u
#define ISM_MAX_PEERS_DEFAULT 16u
#define ISM_MAX_PERM_ENTRIES_DEFAULT 8u
/* Hard upper bounds of the announced limits. */
#define ISM_REGION_SIZE_LIMIT 67108864u
#define ISM_MAX_REGIONS_LIMIT 8192u
#define ISM_MAX_PERM_ENTRIES_LIMIT 64u

/**
 * DOC: Named token rendezvous
 *
 * Applications that do not have their own channel to pass a token MAY use
 * this convention, which the frontend library implements.  A guest `$DOM`
 * that wants to tell one peer domain `$PEER` the token of a region
 * publishes it under its own data directory:
 *
 * - `/local/domain/$DOM/data/ism` is a directory (value empty) owned by
 *   `$DOM` and readable by nobody else: `(n$DOM)`;
 * - `/local/domain/$DOM/data/ism/<name>` holds
 *   `<gid>:<devid>:<token>` (gid and token as 16 hex digits, devid of the
 *   owning device in decimal), with permissions exactly `(n$DOM,r$PEER)`:
 *   only that one peer can read it.  `<name>` is 1 to 64 characters of
 *   `A-Z a-z 0-9 _ -`.
 *
 * The publisher writes the node in one step with its permissions (a
 * transaction: write, then set permissions), and removes it when the
 * peer has attached or the region is gone.  The peer reads the node (it
 * MAY watch it; it MUST NOT wait forever, since the publisher may be
 * gone), checks that `gid` is the gid of its own device (same host) and
 * attaches with the token.  A name not published yet reads as `EACCES`,
 * not `ENOENT`: xenstored answers for the nearest node that exists,
 * `data/ism`, which the peer may not read.  A peer MUST treat `EACCES`
 * like `ENOENT`, as "not published (yet)", and keep waiting.  The token alone gives nothing: the region's
 * permissions still decide (see *SET_PERM and permissions*), so the publisher SHOULD
 * also set a permission entry for the peer's devid and deny others.
 *
 * Each name costs the publisher one xenstore node (plus one for the
 * directory) of its quota of 1000; the library limits a domain to 64 names.
 *
 * @NODES data@
 *
 * @DEFINES ^ISM_(PATH_DATA_DIR|RENDEZVOUS_[A-Z_]+)$@
 */
#define ISM_PATH_DATA_DIR "data/ism"
#define ISM_RENDEZVOUS_NAME_MAX 64u
/* Value: gid, devid and token: "%016" PRIx64 ":%u:%016" PRIx64. */
#define ISM_RENDEZVOUS_VALUE_MAX 50u

/**
 * DOC: State diagrams
 *
 * The device follows the xenbus state machine (`state` nodes; the numbers
 * are those of Xen's `io/xenbus.h`):
 *
 * @DEFINES ^ISM_XBS_@
 *
 * Reconfiguring and Reconfigured are not used.
 *
 * ### Connecting
 *
 * ```
 *  toolstack (ismctl)          backend                    frontend
 *  ------------------          -------                    --------
 *  create both dirs,
 *  both state = 1     ---->    sees new device dir
 *                              checks frontend-id, devid
 *                              unique, quotas
 *                              writes versions, gid,
 *                              limits, features
 *                              state = 2 (InitWait) -->   sees backend InitWait
 *                                                         reads versions, limits
 *                                                         picks version
 *                                                         allocates + grants
 *                                                         ring page, event page
 *                                                         allocates unbound port
 *                                                         writes ring-ref,
 *                                                         event-page-ref,
 *                                                         event-channel, version
 *                                                         (one transaction)
 *                              sees frontend    <------   state = 3 (Initialised)
 *                              Initialised
 *                              checks version, maps both
 *                              pages, binds the port
 *                              state = 4 (Connected) -->  sees backend Connected
 *                                                         state = 4 (Connected)
 *                                                         may now place requests
 * ```
 *
 * The frontend MUST NOT place a request before the backend is Connected.
 * If no version in `versions` is acceptable, the frontend writes `error`
 * in its directory and switches to Closed.
 *
 * ### Closing and reset
 *
 * ```
 *  frontend                         backend
 *  --------                         -------
 *  state = 5 (Closing)   ------>    stops taking requests;
 *                                   releases every slot of the
 *                                   device (as DETACH; the other
 *                                   referrers get PEER_GONE);
 *                                   unmaps both pages, unbinds
 *                         <------   state = 6 (Closed)
 *  unmaps regions, ends
 *  grants of both pages,
 *  closes the port
 *  state = 6 (Closed)
 *  ...to reconnect:
 *  state = 1 (Initialising) ---->   sees Initialising after Closed
 *                         <------   state = 2 (InitWait), as above
 * ```
 *
 * A reset keeps `devid` (it names the directories) and `gid`; all slots,
 * tokens held and fast paths of the old connection are gone.
 *
 * ### Errors and death
 *
 * - On a protocol violation by the frontend (unmappable reference,
 *   unknown version, malformed ring indexes) the backend writes a reason
 *   to its `error` node, switches to Closing and then Closed.  Malformed
 *   single requests only get an error response.
 * - When the frontend's domain dies, the backend (watching
 *   `@releaseDomain`) acts as if the frontend had closed; other referrers
 *   of its regions get PEER_GONE.  The toolstack removes both directories.
 *   A backend in a driver domain may neither ask the hypervisor about
 *   other domains nor receive `@releaseDomain`; it learns of the death
 *   from xenstore instead: the toolstack removes the dead domain's
 *   `/local/domain/$FE`, so the watch on the frontend's `state` fires and
 *   the frontend directory is gone (a read answers `ENOENT`, or `EACCES`
 *   since the backend may not read `/local/domain`).  When the
 *   directories of all of that domain's devices are gone, the backend
 *   treats the domain as dead, exactly as above.  A frontend that only
 *   closes (Closing, Closed) keeps its directory and is not dead.
 * - When the backend dies, frontends see its `state` vanish or go to
 *   Closed; a frontend treats every slot as released, unmaps everything
 *   and waits for the backend to return to InitWait.  `gid` is stable, so
 *   the device comes back with the same identity but no regions.
 * - A domain with a connected ism device cannot be saved, restored or
 *   migrated; the toolstack refuses.
 */
#define ISM_XBS_INITIALISING 1 /* created, not ready */
#define ISM_XBS_INITWAIT 2 /* backend: limits and features written */
#define ISM_XBS_INITIALISED 3 /* frontend: ring nodes written */
#define ISM_XBS_CONNECTED 4 /* ready for requests */
#define ISM_XBS_CLOSING 5 /* tearing down */
#define ISM_XBS_CLOSED 6 /* torn down; may go back to 1 */

/**
 * DOC: Shared memory of a device
 *
 * Per device, the frontend grants two pages to the backend domain, both
 * writable (the backend maps them with gnttab, like the rings of every PV
 * driver):
 *
 * | Page | Node | Written by | Contents |
 * | --- | --- | --- | --- |
 * | control ring | `ring-ref` | both | requests and responses |
 * | event page | `event-page-ref` | both | event queue, signal bit array |
 *
 * One interdomain event channel (`event-channel`, allocated by the
 * frontend for the backend's domid) serves both pages in both directions:
 * the frontend signals it after queuing requests, the backend after
 * queuing responses or events.  A receiver of a signal MUST check both
 * pages.
 *
 * Per region, the backend allocates and grants to each referrer:
 *
 * | Pages | Grant | Contents |
 * | --- | --- | --- |
 * | region pages | writable, or read-only (`GTF_readonly`) | the data |
 * | directory pages | read-only | the grant references of the region |
 * | one doorbell page | writable | the notify-suppression flags |
 *
 * Grants are per domain, so each referrer gets its own directory with its
 * own references for the same pages.
 */

/**
 * DOC: Control ring
 *
 * The control ring is one page in the layout of Xen's `io/ring.h`, with
 * 64-octet entries: a frontend or backend MAY use
 * `DEFINE_RING_TYPES(ism, struct ism_req, struct ism_rsp)` (defined by
 * this header when `io/ring.h` was included before it) or
 * `struct ism_ctrl_page` below.
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *     0  | req_prod                      |  frontend writes
 *     4  | req_event                     |  backend writes
 *     8  | rsp_prod                      |  backend writes
 *    12  | rsp_event                     |  frontend writes
 *    16  | reserved (48 octets)          |
 *    64  | entry 0 (64 octets)           |
 *   ...  | ...                           |
 *  2048  | entry 31                      |
 *  2112  | reserved to the end of page   |
 *        +-------+-------+-------+-------+
 * ```
 *
 * The indexes run freely (modulo 2^32); entry `i % 32` holds request or
 * response number `i`.  The frontend writes request `i`, then (after a
 * write barrier) `req_prod = i + 1`.  The backend answers each request
 * with exactly one response in the same entry space, then advances
 * `rsp_prod`.  At most 32 requests may be outstanding: the frontend
 * MUST NOT let `req_prod - rsp_cons` exceed 32, where `rsp_cons` is its
 * own count of responses consumed.
 *
 * Notify suppression (the hold-off of `io/ring.h`): after publishing
 * requests up to `new`, the frontend signals the event channel only if
 * `req_event` lies in (`old`, `new`], where `old` is the previous
 * `req_prod`.  Before it sleeps, the backend sets `req_event = req_cons + 1`
 * and checks again for requests.  Responses work the same way with
 * `rsp_prod` and `rsp_event`.  A busy frontend thus costs no hypercall
 * per request.
 *
 * Responses come back in request order in version 1, but a frontend MUST
 * match them by `id`.  A backend MUST answer every request, including
 * unknown opcodes (`-EOPNOTSUPP`); if the ring indexes are nonsense
 * (`req_prod - req_cons > 32`) it closes the device.
 *
 * @DEFINES ^ISM_RING_ENTRIES$@
 *
 * @STRUCT ism_sring_hdr@
 *
 * @STRUCT ism_ctrl_page@
 */
struct ism_sring_hdr {
	uint32_t req_prod; /* next request slot the frontend will fill */
	uint32_t req_event; /* signal the backend when req_prod passes it */
	uint32_t rsp_prod; /* next response slot the backend will fill */
	uint32_t rsp_event; /* signal the frontend when rsp_prod passes it */
	uint8_t reserved[48];
};

/**
 * DOC: Requests and responses
 *
 * Every request is 64 octets: an 8-octet header and a 56-octet payload
 * whose layout depends on the opcode.  Every response is 64 octets: a
 * 16-octet header and a 48-octet payload.
 *
 * ```
 *  request                                response
 *  off   +-------+-------+-------+-------+  off   +-------+-------+-------+-------+
 *     0  | id                            |     0  | id (copied from the request)  |
 *     4  | op    | reserved (3 octets)   |     4  | op    | reserved (3 octets)   |
 *     8  | payload (56 octets)           |     8  | status (int32)                |
 *   ...  |                               |    12  | reserved                      |
 *        +-------+-------+-------+-------+    16  | payload (48 octets)           |
 *                                               +-------+-------+-------+-------+
 * ```
 *
 * - `id`: chosen by the frontend, copied into the response.
 * - `op`: one of the opcodes below, copied into the response.
 * - `status`: 0 on success, else a negative errno from *Error codes*.
 *   On failure the response payload is all zeros.
 *
 * Regions are named on the wire by the device's `slot` and the region's
 * `token`.  Every request that names a slot also carries the token; a
 * backend refuses a mismatch with `-ESTALE`, so a frontend that mixed up
 * slots can never act on another region.
 *
 * @DEFINES ^ISM_OP_@
 *
 * @STRUCT ism_req@
 *
 * @STRUCT ism_rsp@
 */
#define ISM_OP_INFO 0x01 /* device and quota information */
#define ISM_OP_ALLOC 0x02 /* allocate a region, become its owner */
#define ISM_OP_FREE 0x03 /* release a region for every referrer */
#define ISM_OP_ATTACH 0x04 /* attach a region by token */
#define ISM_OP_DETACH 0x05 /* release this device's reference */
#define ISM_OP_QUERY 0x06 /* describe the region in a slot */
#define ISM_OP_SET_PERM 0x07 /* set or remove a permission entry */
#define ISM_OP_NOTIFY 0x08 /* relay "region updated" to the other side */
#define ISM_OP_FASTPATH_OFFER 0x09 /* offer a direct event channel */
#define ISM_OP_FASTPATH_ACCEPT 0x0a /* answer an offer */
#define ISM_OP_PEER 0x0b /* is that device there, who owns that token */
#define ISM_OP_SIGNAL 0x0c /* send an event to another device */

/**
 * DOC: Region descriptor
 *
 * ALLOC, ATTACH and QUERY answer with a region descriptor in the response
 * payload:
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *    16  | token (64 bits)               |
 *    20  |                               |
 *    24  | size in octets (64 bits)      |
 *    28  |                               |
 *    32  | slot                          |
 *    36  | nr_pages                      |
 *    40  | dir_gref                      |
 *    44  | bell_gref                     |
 *    48  | perm                          |
 *    52  | peer_devid                    |
 *    56  | peer_domid    | side  | state |
 *    60  | flags                         |
 *        +-------+-------+-------+-------+
 * ```
 *
 * - `size`: the usable size, the request rounded up to whole pages;
 *   `nr_pages = size / 4096`.
 * - `dir_gref`: the first page of the region's page directory, granted
 *   read-only to this device.
 * - `bell_gref`: the region's doorbell page, granted writable.
 * - `perm`: this device's rights on the region (`ISM_PERM_*`): the owner
 *   always has READ, WRITE, ATTACH and MANAGE; the peer has what its
 *   permission entry granted at attach time, without WRITE if its ATTACH
 *   had `ISM_ATTACH_F_READONLY`.  Region pages are granted writable
 *   exactly when `perm` has WRITE.
 * - `peer_devid`, `peer_domid`: the other referrer, or 0 and
 *   `ISM_DOMID_INVALID` while there has been none.  After a detach they
 *   keep naming the one device allowed to re-attach; whether it is
 *   attached now is `ISM_DESC_F_PEER_PRESENT`.
 * - `side`: `ISM_SIDE_OWNER` or `ISM_SIDE_PEER`, this device's index into
 *   the doorbell.
 * - `state`: `ISM_RSTATE_ACTIVE`, or `ISM_RSTATE_RELEASED` once the
 *   region was released under this device (the slot then only accepts
 *   QUERY and DETACH).
 * - `flags`: what is true of the region at the time of the response, set
 *   by the backend in every descriptor (ALLOC, ATTACH and QUERY), so that
 *   QUERY tells a frontend what events it may have lost to an overflow:
 *   `ISM_DESC_F_PEER_PRESENT` while the other referrer holds a slot for
 *   the region (from its ATTACH until its DETACH, its device closing or
 *   its domain dying; never in a RELEASED slot); `ISM_DESC_F_PEER_GONE`
 *   once a referrer's device closed or its domain died (what PEER_GONE
 *   said): the region can gain no peer any more.  A frontend ignores
 *   bits it does not know.
 *
 * @DEFINES ^ISM_(SIDE|RSTATE|DESC_F)_@
 *
 * @STRUCT ism_region_desc@
 */
#define ISM_SIDE_OWNER 0 /* the allocating device */
#define ISM_SIDE_PEER 1 /* the attached device */
#define ISM_RSTATE_ACTIVE 1 /* usable */
#define ISM_RSTATE_RELEASED 2 /* released; DETACH the slot */
#define ISM_DESC_F_PEER_PRESENT 0x1u /* the other referrer is attached */
#define ISM_DESC_F_PEER_GONE 0x2u /* a referrer vanished: no new peer */

struct ism_region_desc {
	uint64_t token; /* the region's token */
	uint64_t size; /* usable octets, a multiple of ISM_PAGE_SIZE */
	uint32_t slot; /* this device's slot for the region */
	uint32_t nr_pages; /* size / ISM_PAGE_SIZE */
	uint32_t dir_gref; /* first page directory page (read-only) */
	uint32_t bell_gref; /* doorbell page (writable) */
	uint32_t perm; /* this device's rights, ISM_PERM_* */
	uint32_t peer_devid; /* the other referrer, 0 if none yet */
	uint16_t peer_domid; /* its domain, ISM_DOMID_INVALID if none */
	uint8_t side; /* ISM_SIDE_*: index into struct ism_bell */
	uint8_t state; /* ISM_RSTATE_* */
	uint32_t flags; /* ISM_DESC_F_* */
};

/**
 * DOC: INFO
 *
 * Returns the device's identity and usage.  Request payload: all zeros.
 *
 * ```
 *  response
 *  off   +-------+-------+-------+-------+
 *    16  | gid (64 bits)                 |
 *    24  | bytes_used (64 bits)          |
 *    32  | bytes_max (64 bits)           |
 *    40  | devid                         |
 *    44  | slots_used                    |
 *    48  | peers_used                    |
 *    52  | peers_max                     |
 *    56  | quarantined_pages             |
 *    60  | reserved                      |
 *        +-------+-------+-------+-------+
 * ```
 *
 * `bytes_*` and `peers_*` count the whole domain (all its ism devices);
 * `slots_used` counts this device.  `quarantined_pages` are pages of
 * released regions that this domain still maps and that are therefore
 * still charged to it.
 *
 * Errors: `-EINVAL` (reserved octets not zero).
 *
 * @STRUCT ism_rsp_info@
 */
struct ism_rsp_info {
	uint64_t gid; /* same as the gid node */
	uint64_t bytes_used; /* region octets charged to this domain */
	uint64_t bytes_max; /* the max-bytes limit */
	uint32_t devid; /* this device */
	uint32_t slots_used; /* slots in use on this device */
	uint32_t peers_used; /* distinct peer devices of this domain */
	uint32_t peers_max; /* the max-peers limit */
	uint32_t quarantined_pages; /* released but still mapped here */
	uint32_t reserved;
};

/**
 * DOC: ALLOC
 *
 * Creates a region of `size` octets (rounded up to whole pages) and puts
 * it in a free slot of this device, which becomes its owner.
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | size (64 bits)                |
 *    12  |                               |
 *    16  | flags                         |
 *    20  | perm                          |
 *    24  | reserved (40 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * - `flags`: `ISM_ALLOC_F_DEFAULT_PERM`: use `perm` as the region's
 *   default permission entry instead of `ISM_PERM_DEFAULT`.  `perm` MUST
 *   be 0 without this flag.
 *
 * Response: a region descriptor (`side` 0, `state` ACTIVE, no peer).
 *
 * The backend MUST refuse a size of 0 or above `region-size`; it MUST
 * allocate the pages in its own domain and clear them before granting
 * them; it MUST make a fresh token from at least 64 bits of its kernel's
 * random generator (`getrandom()`), never a counter, never 0, and unique
 * among all live regions of the host (draw again on a collision).  The
 * new region has no peer and the permission table {default: `perm`}.
 *
 * Errors: `-EINVAL` (size 0, unknown flags or perm bits, reserved octets
 * not zero), `-EFBIG` (size above `region-size`), `-ENOSPC` (no free
 * slot), `-EDQUOT` (the domain's `max-bytes` would be exceeded),
 * `-ENOMEM` (the backend cannot allocate memory), `-ENOBUFS` (the
 * backend's grant table is full, or this domain holds its share of it).
 *
 * @DEFINES ^ISM_ALLOC_F_@
 *
 * @STRUCT ism_req_alloc@
 */
#define ISM_ALLOC_F_DEFAULT_PERM 0x1u /* perm sets the default entry */

struct ism_req_alloc {
	uint64_t size; /* octets wanted, 1 .. region-size */
	uint32_t flags; /* ISM_ALLOC_F_* */
	uint32_t perm; /* default entry if ISM_ALLOC_F_DEFAULT_PERM, else 0 */
	uint8_t reserved[40];
};

/**
 * DOC: ATTACH
 *
 * Attaches the region named by `token` to a free slot of this device.
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | flags                         |
 *    20  | reserved (44 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * - `flags`: `ISM_ATTACH_F_READONLY`: map read-only even if the
 *   permissions allow writing.
 *
 * Response: a region descriptor.  The backend grants the region pages
 * read-only (`GTF_readonly`) unless the device's rights include WRITE and
 * the flag is clear, so the hypervisor enforces read-only peers; the
 * descriptor's `perm` then lacks WRITE (in this response and in every
 * QUERY of the slot), whichever of the two made it read-only.
 *
 * Rules, in the order the backend checks them:
 *
 * 1. A region with this token must exist and be active (`-ENOENT`).
 * 2. This device must not already hold a slot for it (`-EEXIST`).
 * 3. The two-guest rule: once a peer has attached, the region belongs to
 *    that pair of devices until it is fully released; only the owner and
 *    that peer may (re-)attach (`-EBUSY` for anyone else).
 * 4. Permissions: the owner may always re-attach its own region.  Any
 *    other device needs ATTACH and READ in its rights (see
 *    *SET_PERM and permissions*; `-EACCES`).
 * 5. Limits: a free slot (`-ENOSPC`), the domain's `max-bytes` (every
 *    referrer is charged the region size: `-EDQUOT`) and `max-peers` on
 *    both sides (`-EUSERS`); backend grant entries (`-ENOBUFS`);
 *    backend memory for this device's page directory (`-ENOMEM`).
 *
 * On success the other referrer gets a PEER_ATTACHED event.
 *
 * @DEFINES ^ISM_ATTACH_F_@
 *
 * @STRUCT ism_req_attach@
 */
#define ISM_ATTACH_F_READONLY 0x1u /* map read-only even if WRITE */

struct ism_req_attach {
	uint64_t token; /* the region to attach */
	uint32_t flags; /* ISM_ATTACH_F_* */
	uint32_t reserved0;
	uint8_t reserved[40];
};

/**
 * DOC: DETACH, FREE, QUERY and NOTIFY
 *
 * These four requests name one slot and nothing else:
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | slot                          |
 *    20  | reserved (44 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * **DETACH** releases this device's reference and frees the slot.  The
 * frontend MUST first unmap the region pages, the directory and the
 * doorbell.  The other referrer, if any, gets PEER_DETACHED.  When the
 * last referrer detaches, the region is released: its token is dead
 * forever and its pages are freed once nobody maps them.  DETACH is the
 * only way to free a slot in state RELEASED.  Response payload: zeros.
 * Errors: `-ENOENT` (slot not in use), `-ESTALE` (token does not match).
 *
 * **FREE** releases the region for everyone.  It needs MANAGE.  The
 * token dies at once, this device's slot is freed as by DETACH, and the
 * other referrer gets REGION_RELEASED (reason FREED); its slot turns
 * RELEASED until it sends DETACH.  Errors: `-ENOENT`, `-ESTALE`,
 * `-EPERM` (no MANAGE), `-EIDRM` (already released).
 *
 * **QUERY** answers with the slot's region descriptor, also for a
 * RELEASED slot.  A token of 0 matches any token, so a frontend can
 * rebuild its view after an event-queue overflow: `state` says whether
 * the region was released (REGION_RELEASED), `flags` whether the peer is
 * attached now (PEER_ATTACHED, PEER_DETACHED) or vanished (PEER_GONE).
 * Errors: `-ENOENT`, `-ESTALE`.
 *
 * **NOTIFY** tells the other referrer that the region was updated: the
 * backend sets the bit of the other referrer's slot in its signal bit
 * array (see *Event page*).  Any referrer may notify, whatever its rights.
 * Response payload: zeros; the frontend need not wait for it.  Errors:
 * `-ENOENT`, `-ESTALE`, `-EIDRM` (region released), `-ENOTCONN` (no other
 * referrer is attached).  Every NOTIFY still gets its response, error or
 * not: a frontend that does not wait for it MUST still consume it, match
 * it by `id` like any other, and drop it (or count it); an error means
 * only that this update reached nobody, and the event queue
 * (PEER_DETACHED, PEER_GONE, REGION_RELEASED) says why.  It MUST NOT take
 * such a response for the answer to a later request.  libxenism waits
 * for every response and drops any it cannot match.
 *
 * @STRUCT ism_req_slot@
 */
struct ism_req_slot {
	uint64_t token; /* must match the slot's region (QUERY: 0 = any) */
	uint32_t slot; /* this device's slot */
	uint32_t reserved0;
	uint8_t reserved[40];
};

/**
 * DOC: SET_PERM and permissions
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | slot                          |
 *    20  | peer_devid                    |
 *    24  | perm                          |
 *    28  | flags                         |
 *    32  | reserved (32 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * Sets the permission entry of `peer_devid` (0: the default entry) to
 * `perm`, or removes it if `flags` has `ISM_SET_PERM_F_REMOVE` (`perm`
 * MUST then be 0; the default entry cannot be removed, set it to 0
 * instead).  Only a device whose rights include MANAGE may do this.
 * Response payload: zeros.
 *
 * A region has a default entry (devid 0) and at most `max-perm-entries`
 * entries for single devices.  The rights of a device D that is not the
 * owner are:
 *
 * 1. the entry for D, if there is one;
 * 2. else none, if the default entry has DENY_OTHER;
 * 3. else the default entry.
 *
 * The owner always has READ, WRITE, ATTACH and MANAGE; an entry for the
 * owner's own devid is refused.  WRITE implies READ (a page cannot be
 * mapped write-only).  DENY_OTHER is only valid in the default entry.
 * The default entry of a new region is `ISM_PERM_DEFAULT` (anyone may
 * attach and write), as in virtio-ism, unless ALLOC said otherwise.
 *
 * Entries govern attaching.  A grant that is mapped cannot be revoked or
 * downgraded, so SET_PERM does not touch an attached peer's mapping; its
 * new rights apply from its next ATTACH.  To take a region away, its
 * MANAGE holder uses FREE.
 *
 * Errors: `-ENOENT`, `-ESTALE`, `-EIDRM`, `-EPERM` (no MANAGE),
 * `-EINVAL` (unknown bits or flags, DENY_OTHER outside the default entry,
 * the owner's devid, removing the default entry, peer_devid above
 * 2147483647), `-EMLINK` (no room for another entry).
 *
 * @DEFINES ^ISM_PERM_@
 *
 * @DEFINES ^ISM_SET_PERM_F_@
 *
 * @STRUCT ism_req_set_perm@
 */
#define ISM_PERM_READ 0x01u /* may read the region */
#define ISM_PERM_WRITE 0x02u /* may write the region (implies READ) */
#define ISM_PERM_ATTACH 0x04u /* may attach the region */
#define ISM_PERM_MANAGE 0x08u /* may change permissions and FREE */
#define ISM_PERM_DENY_OTHER 0x10u /* default entry: others get nothing */
#define ISM_PERM_MASK 0x1fu /* all defined bits */
#define ISM_PERM_DEFAULT 0x07u /* READ | WRITE | ATTACH */

#define ISM_SET_PERM_F_REMOVE 0x1u /* remove the entry of peer_devid */

struct ism_req_set_perm {
	uint64_t token; /* must match the slot's region */
	uint32_t slot; /* this device's slot */
	uint32_t peer_devid; /* 0: the default entry */
	uint32_t perm; /* ISM_PERM_* */
	uint32_t flags; /* ISM_SET_PERM_F_* */
	uint8_t reserved[32];
};

/**
 * DOC: FASTPATH_OFFER and FASTPATH_ACCEPT
 *
 * A region has exactly two referrers, so they can signal each other over a
 * direct interdomain event channel, and an update then costs one
 * hypercall instead of a request, a backend wake-up and a relayed signal.
 * The backend only brokers the setup; it is offered when the backend
 * writes `feature-fast-path = 1`.
 *
 * ```
 *  request (both opcodes)
 *  off   +-------+-------+-------+-------+
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | slot                          |
 *    20  | port                          |
 *    24  | status (int32)                |
 *    28  | reserved (36 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * 1. Device A, a referrer of an active region with a peer, allocates an
 *    unbound event channel port for the other referrer's domain
 *    (`peer_domid` of the descriptor) and sends FASTPATH_OFFER with that
 *    `port` (`status` 0).
 * 2. The backend checks the slot, that both referrers are attached and
 *    that no offer for the region is pending or established, answers A
 *    (0) and queues a FASTPATH_OFFER event to B with A's domid and port.
 * 3. B binds an interdomain channel to (A's domid, port).  It sends
 *    FASTPATH_ACCEPT with `status` 0 and its local `port`, or with the
 *    negative errno of the failed bind (for example `-ENOSPC` when B has no
 *    event channel left) and `port` 0.
 * 4. The backend queues a FASTPATH_READY event with that status to A.  On
 *    an error A closes its port; both keep using NOTIFY.
 *
 * Xen may refuse the channel itself: under XSM SILO (the default of
 * Debian's arm64 Xen) a guest may not open an event channel to another
 * guest, so A's allocation fails with `-EPERM`.  A then sends
 * FASTPATH_OFFER with `port` 0 and that negative errno as `status`: the
 * backend answers 0, records the refusal for `ismctl list` and tells B
 * nothing; the region's updates stay relayed (NOTIFY), which needs no
 * channel between the guests.  A refused bind of B (step 3) is recorded
 * the same way.  A backend before this report answers it `-EINVAL`, which
 * changes nothing either.
 *
 * While the fast path is up, each side signals its own port instead of
 * sending NOTIFY.  It ends with the pair: on PEER_DETACHED, PEER_GONE or
 * REGION_RELEASED, and before DETACH or FREE, a frontend closes its port
 * for the region and falls back to NOTIFY.  A frontend MUST still accept
 * relayed updates (signal bit array) for every slot at any time.
 *
 * Errors of OFFER: `-EOPNOTSUPP` (feature off), `-ENOENT`, `-ESTALE`,
 * `-EIDRM`, `-ENOTCONN` (no other referrer), `-EALREADY` (an offer is
 * pending or a fast path is up), `-EINVAL` (port 0 or above 131071 with
 * status 0; a port with a non-zero status; a status that is not 0 or an
 * errno from -1 to -4095).  Errors of ACCEPT: `-EOPNOTSUPP`, `-ENOENT`, `-ESTALE`,
 * `-EIDRM`, `-EINVAL` (no offer pending for this device, or status above
 * 0).
 *
 * @STRUCT ism_req_fastpath@
 */
struct ism_req_fastpath {
	uint64_t token; /* must match the slot's region */
	uint32_t slot; /* this device's slot */
	uint32_t port; /* OFFER: unbound port; ACCEPT: bound local port */
	int32_t status; /* 0, or (port 0) Xen's -errno: refused */
	uint32_t reserved0;
	uint8_t reserved[32];
};

/**
 * DOC: PEER
 *
 * Describes another device of this host, named by its devid or as the
 * owner of a region's token.  A frontend learns with it whether a device
 * it is about to share with is there (as ISM hardware answers SMC-D's
 * "query remote GID"), and whose region it was given when an ATTACH
 * fails, so that it can end what it had with that device instead of
 * waiting.
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | devid                         |
 *    20  | reserved (44 octets)          |
 *        +-------+-------+-------+-------+
 *
 *  response
 *  off   +-------+-------+-------+-------+
 *    16  | devid                         |
 *    20  | flags                         |
 *    24  | reserved (40 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * Exactly one of `token` and `devid` is non-zero.  With `devid`, the
 * backend describes the device that holds that devid on this host; with
 * `token`, the owner of the active region with that token (holding a
 * token is what lets a device attach a region, so it may also learn who
 * gave it; the permissions need not allow this device to attach).  The
 * response names the device (`devid`) and says in `flags`:
 * `ISM_PEER_F_CONNECTED` while that device is connected, so that it can
 * allocate, attach and receive events.  Nothing else about the device or
 * its domain is told.  PEER changes nothing; it may be sent at any time.
 *
 * PEER came after the first backends of version 1, without a feature
 * node: such a backend answers `-EOPNOTSUPP` (an unknown opcode), and the
 * frontend then takes every device as there and learns otherwise from
 * ATTACH and the event queue.
 *
 * Errors: `-EINVAL` (both or neither of `token` and `devid`, `devid`
 * above `ISM_DEVID_MAX`, reserved octets not zero), `-ENOENT` (no device
 * holds the devid; no active region has the token).
 *
 * @DEFINES ^ISM_PEER_F_@
 *
 * @STRUCT ism_req_peer@
 *
 * @STRUCT ism_rsp_peer@
 */
#define ISM_PEER_F_CONNECTED 0x1u /* the device is connected */

struct ism_req_peer {
	uint64_t token; /* 0, or describe the owner of this region */
	uint32_t devid; /* 0, or describe this device */
	uint32_t reserved0;
	uint8_t reserved[40];
};

struct ism_rsp_peer {
	uint32_t devid; /* the device described */
	uint32_t flags; /* ISM_PEER_F_* */
	uint8_t reserved[40];
};

/**
 * DOC: SIGNAL
 *
 * Sends a small event to another device of this host, whether or not the
 * two share a region: what SMC-D calls a software event between two ISM
 * devices (6.1's `signal_event`), by which one side tells the other that
 * it ended everything it had with it.
 *
 * ```
 *  request
 *  off   +-------+-------+-------+-------+
 *     8  | info (64 bits)                |
 *    12  |                               |
 *    16  | devid                         |
 *    20  | code                          |
 *    24  | reserved (40 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * The backend queues a SIGNAL event to device `devid` (see *Events*) with
 * `code` and `info` as given, which mean what the two frontends agree on,
 * and the sender's devid and domid; the sender cannot forge them.  Like
 * every event, a signal is lost if the receiver's queue overflows.  A
 * backend limits the rate of each device's signals, so that one guest
 * cannot flood another's event queue (xen-ismd: 64 at once, then one per
 * 10 ms).  Response payload: zeros.
 *
 * SIGNAL came after the first backends of version 1, like PEER: those
 * answer `-EOPNOTSUPP`.
 *
 * Errors: `-EINVAL` (`devid` 0, above `ISM_DEVID_MAX` or the sender's own,
 * reserved octets not zero), `-ENOENT` (no device holds `devid`),
 * `-ENOTCONN` (that device is not connected), `-EAGAIN` (over the rate
 * limit: try again later).
 *
 * @STRUCT ism_req_signal@
 */
struct ism_req_signal {
	uint64_t info; /* the receiver gets it in the event's token */
	uint32_t devid; /* the device to signal */
	uint32_t code; /* the receiver gets it in the event's status */
	uint8_t reserved[40];
};

struct ism_req {
	uint32_t id; /* chosen by the frontend, copied to the response */
	uint8_t op; /* ISM_OP_* */
	uint8_t reserved0[3];
	union {
		struct ism_req_alloc alloc; /* ALLOC */
		struct ism_req_attach attach; /* ATTACH */
		struct ism_req_slot slot; /* DETACH, FREE, QUERY, NOTIFY */
		struct ism_req_set_perm set_perm; /* SET_PERM */
		struct ism_req_fastpath fastpath; /* FASTPATH_* */
		struct ism_req_peer peer; /* PEER */
		struct ism_req_signal signal; /* SIGNAL */
		uint8_t reserved[56]; /* INFO: all zeros */
	} u;
};

struct ism_rsp {
	uint32_t id; /* the request's id */
	uint8_t op; /* the request's op */
	uint8_t reserved0[3];
	int32_t status; /* 0 or -errno */
	uint32_t reserved1;
	union {
		struct ism_region_desc region; /* ALLOC, ATTACH, QUERY */
		struct ism_rsp_info info; /* INFO */
		struct ism_rsp_peer peer; /* PEER */
		uint8_t reserved[48]; /* all others: zeros */
	} u;
};

/* One ring entry holds a request, later overwritten by its response. */
union ism_ring_entry {
	struct ism_req req;
	struct ism_rsp rsp;
};

#define ISM_RING_ENTRIES 32u /* control ring entries */

struct ism_ctrl_page {
	struct ism_sring_hdr hdr;
	union ism_ring_entry ring[ISM_RING_ENTRIES];
	uint8_t reserved[1984];
};

#ifdef DEFINE_RING_TYPES
/* Xen's io/ring.h was included first: ism_sring, ism_front_ring, ... */
DEFINE_RING_TYPES(ism, struct ism_req, struct ism_rsp);
#endif

/**
 * DOC: Event page
 *
 * The event page carries everything the backend tells the frontend
 * unasked.  It has two parts:
 *
 * - the **signal bit array** (SBA): bit `s` set means "the region in
 *   slot `s` was updated" (REGION_UPDATED).  Updates are coalesced: many
 *   NOTIFYs before the frontend looks set the bit once, as in SMC-D's
 *   DMB signal bits.  Slot `s` is bit `s % 64` of 64-bit word `s / 64`;
 *   bit `w` of the two-word `sba_summary` says that word `w` may be
 *   non-zero;
 * - the **event queue**: life-cycle events, 32 octets each, 64 entries,
 *   produced by the backend at `evt_prod`, consumed by the frontend at
 *   `evt_cons` (free-running indexes, entry `i % 64`).
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *     0  | evt_prod                      |  backend writes
 *     4  | evt_cons                      |  frontend writes
 *     8  | fe_armed                      |  both (atomic exchange)
 *    12  | flags                         |  both (atomic or / and)
 *    16  | sba_summary (2 x 64 bits)     |  both (atomic)
 *    32  | reserved (32 octets)          |
 *    64  | event 0 (32 octets)           |
 *   ...  | ...                           |
 *  2080  | event 63                      |
 *  2112  | reserved (960 octets)         |
 *  3072  | sba (128 x 64 bits = 8192 slot bits), both (atomic)
 *        +-------+-------+-------+-------+
 * ```
 *
 * Backend, to signal an update of slot `s`: atomically set the bit in
 * `sba`, then (release order) the bit `s / 64` in `sba_summary`, then see
 * below.  Frontend: atomically exchange each `sba_summary` word with 0,
 * then atomically exchange each word it named with 0, and handle the set
 * bits.  A bit found in a slot that is no longer in use is ignored.  When
 * the backend releases a slot (DETACH, FREE, a release), it clears the
 * slot's bit (atomic and) before it can give the slot again, so that an
 * update of one region never shows as an update of the next region in
 * that slot.
 *
 * Backend, to queue an event: if `evt_prod - evt_cons` is 64 (full), set
 * `ISM_EVTPAGE_F_OVERFLOW` in `flags` and drop the event; else write the
 * entry, then (write barrier) `evt_prod + 1`.  Frontend: read `evt_prod`
 * once, handle the entries up to it, then write `evt_cons`.  On seeing
 * OVERFLOW the frontend clears it (atomic and), drains the queue and then
 * sends QUERY (token 0) for each of its slots to learn their current
 * state (`state` and `flags` of the descriptor).  SBA bits are never
 * lost.
 *
 * Notify suppression: after it changed the SBA or the queue, the backend
 * atomically exchanges `fe_armed` with 0 and signals the event channel
 * only if it was 1.  A frontend that is about to sleep sets `fe_armed` to
 * 1, issues a full barrier, and checks `sba_summary`, `evt_prod` and
 * `flags` once more before it blocks.  A frontend that never arms never
 * gets signals for this page (it may poll).
 *
 * @DEFINES ^ISM_EVTPAGE_@
 *
 * @DEFINES ^ISM_(EVT_ENTRIES|SBA_WORDS)$@
 *
 * @STRUCT ism_event_page@
 */
#define ISM_EVTPAGE_F_OVERFLOW 0x1u /* events were dropped: resync */
#define ISM_EVT_ENTRIES 64u /* event queue entries */
#define ISM_SBA_WORDS 128u /* 64-bit words of the signal bit array */

/**
 * DOC: Events
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *     0  | type  | rsvd  | peer_domid    |
 *     4  | slot                          |
 *     8  | token (64 bits)               |
 *    12  |                               |
 *    16  | peer_devid                    |
 *    20  | status (int32)                |
 *    24  | port                          |
 *    28  | reserved                      |
 *        +-------+-------+-------+-------+
 * ```
 *
 * `slot` and `token` name the receiving device's own slot and the
 * region; `peer_devid` and `peer_domid` name the other referrer.  SIGNAL
 * alone names no region: its `slot` is `ISM_SLOT_NONE`, its `token` the
 * sender's `info`, and `peer_devid` and `peer_domid` the sender.
 *
 * | type | when | status | port |
 * | --- | --- | --- | --- |
 * | PEER_ATTACHED | a device attached the region | 0 | 0 |
 * | PEER_DETACHED | the other referrer sent DETACH | 0 | 0 |
 * | PEER_GONE | the other referrer's device closed or its domain died | 0 | 0 |
 * | REGION_RELEASED | the region was released under this slot; it is now RELEASED, DETACH it | reason (`ISM_RELEASE_*`) | 0 |
 * | FASTPATH_OFFER | the other referrer offers a direct channel | 0 | its unbound port |
 * | FASTPATH_READY | the answer to this device's offer | 0 or -errno | 0 |
 * | SIGNAL | another device sent SIGNAL to this one | its `code` | 0 |
 *
 * After PEER_DETACHED or PEER_GONE the slot stays ACTIVE; after
 * PEER_DETACHED only the same peer may re-attach.  After PEER_GONE the
 * region can no longer gain a peer; it lives until this device detaches.
 * REGION_UPDATED is never queued: it is a bit in the SBA.
 *
 * @DEFINES ^ISM_EVT_(PEER|REGION|FASTPATH|SIGNAL)@
 *
 * @DEFINES ^ISM_RELEASE_@
 *
 * @DEFINES ^ISM_SLOT_NONE$@
 *
 * @STRUCT ism_evt@
 */
#define ISM_EVT_PEER_ATTACHED 0x01 /* a peer attached the region */
#define ISM_EVT_PEER_DETACHED 0x02 /* the other referrer detached */
#define ISM_EVT_PEER_GONE 0x03 /* the other referrer vanished */
#define ISM_EVT_REGION_RELEASED 0x04 /* the region is gone: DETACH */
#define ISM_EVT_FASTPATH_OFFER 0x05 /* bind to peer_domid:port */
#define ISM_EVT_FASTPATH_READY 0x06 /* the peer answered an offer */
#define ISM_EVT_SIGNAL 0x07 /* a device sent SIGNAL to this one */
#define ISM_EVT_REGION_UPDATED 0x80 /* never queued: an SBA bit */

#define ISM_SLOT_NONE 0xffffffffu /* SIGNAL: no slot */
#define ISM_RELEASE_FREED 1 /* a MANAGE holder sent FREE */
#define ISM_RELEASE_RECLAIMED 2 /* the backend's administrator */

struct ism_evt {
	uint8_t type; /* ISM_EVT_* */
	uint8_t reserved0;
	uint16_t peer_domid; /* the other referrer's domain */
	uint32_t slot; /* the receiving device's slot */
	uint64_t token; /* the region */
	uint32_t peer_devid; /* the other referrer */
	int32_t status; /* see the table above */
	uint32_t port; /* FASTPATH_OFFER: the port to bind */
	uint32_t reserved1;
};

struct ism_event_page {
	uint32_t evt_prod; /* backend: events produced */
	uint32_t evt_cons; /* frontend: events consumed */
	uint32_t fe_armed; /* frontend: 1 = signal me on the next change */
	uint32_t flags; /* ISM_EVTPAGE_F_* */
	uint64_t sba_summary[2]; /* bit w: sba[w] may be non-zero */
	uint8_t reserved0[32];
	struct ism_evt evt[ISM_EVT_ENTRIES];
	uint8_t reserved1[960];
	uint64_t sba[ISM_SBA_WORDS]; /* bit s % 64 of word s / 64: slot s */
};

/**
 * DOC: Region memory
 *
 * ### Page directory
 *
 * The region's pages reach a referrer as a chain of directory pages,
 * granted read-only.  `dir_gref` of the descriptor names the first one.
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *     0  | next_gref (0: last page)      |
 *     4  | nr_grefs (1 .. 1020)          |
 *     8  | reserved (8 octets)           |
 *    16  | gref[0]                       |
 *   ...  | ...                           |
 *  4092  | gref[1019]                    |
 *        +-------+-------+-------+-------+
 * ```
 *
 * The references, in chain order, name region pages 0 to `nr_pages` - 1.
 * Every page but the last holds 1020; a region of `n` pages needs
 * `ceil(n / 1020)` directory pages (one up to 4 MiB).  The frontend MUST
 * stop at `nr_pages` references and refuse a chain that is longer or
 * shorter, loops, or holds a reference below 8.  It maps the region pages
 * (all in one `IOCTL_GNTDEV_MAP_GRANT_REF` from userspace), writable if
 * `perm` has WRITE, and MAY unmap the directory afterwards.
 *
 * ### Doorbell and notify suppression
 *
 * Each region has one doorbell page, cleared at ALLOC and granted
 * writable to each referrer; only its first 64 octets are defined.
 *
 * ```
 *  off   +-------+-------+-------+-------+
 *     0  | want[0]: owner                |
 *     4  | want[1]: peer                 |
 *     8  | seq[0]: owner's updates       |
 *    12  | seq[1]: peer's updates        |
 *    16  | reserved (48 octets)          |
 *        +-------+-------+-------+-------+
 * ```
 *
 * `want[side]` = 1 means "the referrer on `side` is waiting: signal it on
 * the next update", as vchan's notify bits.  `seq[side]` counts the
 * updates the referrer on `side` announced (modulo 2^32).  The rules:
 *
 * - a receiver that wants to sleep until the region changes MUST set its
 *   own `want[side]` to 1, issue a full barrier, check the region's
 *   contents once more and only then block;
 * - a sender, after its stores to the region and a write barrier,
 *   increments its own `seq[side]`, then atomically exchanges the other
 *   side's `want` with 0 and signals (fast path port, or NOTIFY) only if
 *   it was 1.  A sender MAY always signal;
 * - a receiver woken on the fast-path port reports an update only if the
 *   other side's `seq` differs from the value it saw last.  Xen marks a
 *   freshly bound interdomain port pending, and pending bits coalesce,
 *   so an event on that port is a wake-up, not proof of an update.
 *   (Relayed updates arrive as signal bits the backend sets on NOTIFY
 *   and need no such check.)
 *
 * A busy stream therefore costs no hypercall and no request per message.
 * The doorbell is writable by both referrers, read-only peers included;
 * its contents are advisory and a peer that scribbles on it can only
 * cause missed or extra wake-ups of the two referrers.
 *
 * ### Release and quarantine
 *
 * A mapped grant cannot be revoked.  The backend therefore never frees
 * or reuses a page that some domain may still map: when a region is
 * released (or a referrer detaches), the backend ends its grants; pages
 * whose grant is still in use are quarantined, charged to the domain that
 * maps them (`max-bytes`, `quarantined_pages` of INFO), and freed once
 * that domain unmaps them or dies.  Quarantined pages are never handed
 * out again before that.
 *
 * @DEFINES ^ISM_DIR_GREFS_PER_PAGE$@
 *
 * @STRUCT ism_dir_page@
 *
 * @STRUCT ism_bell@
 */
#define ISM_DIR_GREFS_PER_PAGE 1020u /* references per directory page */

struct ism_dir_page {
	uint32_t next_gref; /* next directory page, 0: this is the last */
	uint32_t nr_grefs; /* references used in this page */
	uint32_t reserved[2];
	uint32_t gref[ISM_DIR_GREFS_PER_PAGE]; /* region pages, in order */
};

struct ism_bell {
	uint32_t want[2]; /* indexed by ISM_SIDE_*: 1 = signal me */
	uint32_t seq[2]; /* indexed by ISM_SIDE_*: updates announced */
	uint32_t reserved[12];
};

/**
 * DOC: Semantics
 *
 * These rules carry the normative statements of virtio-ism v1 over to
 * xen-ism; a backend MUST follow them.
 *
 * 1. **gid.** Every device of a host announces the same `gid`, stable
 *    across restarts of the backend and reboots of the host, and
 *    different from other hosts' (for example a hash of the host's UUID,
 *    or a random value kept on disk).  It is never 0.
 * 2. **devid.** Unique among the host's devices, never 0, unchanged by a
 *    reset of the device.  The backend refuses (writes `error`, stays
 *    Closed) a device whose devid another connected device already uses.
 * 3. **region-size.** The largest region; default 1 MiB, a multiple of
 *    4096, at most 64 MiB.
 * 4. **ALLOC** fails if the size is above `region-size` or memory or quota
 *    is exhausted; else the backend allocates and clears the memory and
 *    makes a fresh, unique, unguessable, non-zero token (at least 64 bits
 *    from the kernel's random generator, never a counter).  The
 *    allocating device holds MANAGE.
 * 5. **ATTACH** fails if no region has the token or the permissions
 *    refuse.  Once a peer has attached, the region is shared between
 *    those two devices only; after a detach, only the previous pair may
 *    re-attach until the region is fully released.
 * 6. **DETACH** releases one device's reference; the region is released
 *    when every referrer has released it.  Pages a domain still maps are
 *    never freed or reused; they are reclaimed after it unmaps or dies.
 * 7. **Permissions** per region: READ, WRITE, ATTACH, MANAGE, DENY_OTHER;
 *    a default entry (peer devid 0) and entries per peer devid; only a
 *    MANAGE holder changes them; read-only peers get read-only grants.
 * 8. **Update events**: a referrer signals "region updated"; the other
 *    referrer receives it, coalesced per slot in its SBA on the device's
 *    one event channel, or on the pair's fast-path channel.
 * 9. **Life cycle**: the other referrer learns of every attach, detach,
 *    death and release through the event queue; nobody waits forever.
 */

/**
 * DOC: Error codes
 *
 * `status` in responses, FASTPATH_ACCEPT and FASTPATH_READY is 0 or one of
 * these values negated.  They are Linux errno numbers; the macros let a
 * frontend on another OS translate them.
 *
 * @DEFINES ^ISM_E[A-Z0-9]+$@
 *
 * Which requests return which error:
 *
 * | errno | INFO | ALLOC | FREE | ATTACH | DETACH | QUERY | SET_PERM | NOTIFY | FASTPATH_* | PEER | SIGNAL |
 * | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
 * | EPERM |  |  | x |  |  |  | x |  |  |  |  |
 * | ENOENT |  |  | x | x | x | x | x | x | x | x | x |
 * | EAGAIN |  |  |  |  |  |  |  |  |  |  | x |
 * | ENOMEM |  | x |  | x |  |  |  |  |  |  |  |
 * | EACCES |  |  |  | x |  |  |  |  |  |  |  |
 * | EBUSY |  |  |  | x |  |  |  |  |  |  |  |
 * | EEXIST |  |  |  | x |  |  |  |  |  |  |  |
 * | EINVAL | x | x | x | x | x | x | x | x | x | x | x |
 * | EFBIG |  | x |  |  |  |  |  |  |  |  |  |
 * | ENOSPC |  | x |  | x |  |  |  |  |  |  |  |
 * | EMLINK |  |  |  |  |  |  | x |  |  |  |  |
 * | EIDRM |  |  | x |  |  |  | x | x | x |  |  |
 * | EUSERS |  |  |  | x |  |  |  |  |  |  |  |
 * | EOPNOTSUPP | x | x | x | x | x | x | x | x | x | x | x |
 * | ENOBUFS |  | x |  | x |  |  |  |  |  |  |  |
 * | ENOTCONN |  |  |  |  |  |  |  | x | x |  | x |
 * | EALREADY |  |  |  |  |  |  |  |  | x |  |  |
 * | ESTALE |  |  | x |  | x | x | x | x | x |  |  |
 * | EDQUOT |  | x |  | x |  |  |  |  |  |  |  |
 *
 * Every request: `-EOPNOTSUPP` for an unknown opcode, `-EINVAL` for
 * reserved octets that are not zero; only FASTPATH_* return
 * `-EOPNOTSUPP` for a known opcode (feature off).
 *
 * `EPROTO` is never a response: it is what a frontend library reports
 * when the backend closed the device for a protocol violation (the reason
 * is in the backend's `error` node).
 */
#define ISM_EPERM 1 /* needs MANAGE */
#define ISM_ENOENT 2 /* no such token, or slot not in use */
#define ISM_EAGAIN 11 /* SIGNAL over the rate limit */
#define ISM_ENOMEM 12 /* backend out of memory */
#define ISM_EACCES 13 /* permissions refuse the attach */
#define ISM_EBUSY 16 /* region already shared with another pair */
#define ISM_EEXIST 17 /* device already holds a slot for it */
#define ISM_EINVAL 22 /* malformed request */
#define ISM_EFBIG 27 /* size above region-size */
#define ISM_ENOSPC 28 /* no free slot (max-regions) */
#define ISM_EMLINK 31 /* permission table full (max-perm-entries) */
#define ISM_EIDRM 43 /* region already released */
#define ISM_EPROTO 71 /* device closed for a protocol violation */
#define ISM_EUSERS 87 /* max-peers reached, on either side */
#define ISM_EOPNOTSUPP 95 /* unknown opcode or feature not offered */
#define ISM_ENOBUFS 105 /* backend grant table full, or the share used */
#define ISM_ENOTCONN 107 /* no other referrer attached */
#define ISM_EALREADY 114 /* fast path offered or up already */
#define ISM_ESTALE 116 /* token does not match the slot */
#define ISM_EDQUOT 122 /* max-bytes of the domain exceeded */

/**
 * DOC: Limits and budgets
 *
 * ### Limits the backend enforces
 *
 * | Limit | Node | Scope | Default | Error |
 * | --- | --- | --- | --- | --- |
 * | region size | `region-size` | per region | 1 MiB (at most 64 MiB) | EFBIG |
 * | slots | `max-regions` | per device (owned + attached) | 256 (at most 8192) | ENOSPC |
 * | region memory | `max-bytes` | per domain, all devices; each referrer is charged the full region, quarantined pages too | 64 MiB | EDQUOT |
 * | peers | `max-peers` | per domain: distinct devices it shares regions with | 16 | EUSERS |
 * | permission entries | `max-perm-entries` | per region, besides the default | 8 (at most 64) | EMLINK |
 * | backend grant entries | none | the backend domain's grant table, shared fairly among the domains | Xen: 32768 | ENOBUFS |
 * | backend memory | none | the backend domain | | ENOMEM |
 *
 * The defaults and upper bounds as macros:
 *
 * @DEFINES ^ISM_(REGION_SIZE|MAX_[A-Z_]+)_(DEFAULT|LIMIT)$@
 *
 * ### What one device costs
 *
 * | Resource | Whose | Per device | Per region of P pages, per referrer | Fast path |
 * | --- | --- | --- | --- | --- |
 * | grant entries | guest | 2 (ring, event page) | 0 | 0 |
 * | grant entries | backend domain | 0 | P + ceil(P/1020) + 1 | 0 |
 * | grant mappings (maptrack) | guest | 0 | P + ceil(P/1020) + 1 | 0 |
 * | grant mappings (maptrack) | backend domain | 2 | 0 | 0 |
 * | memory pages | backend domain | 0 | P + 1 once, + ceil(P/1020) per referrer | 0 |
 * | event channels | guest | 1 | 0 | 1 per side |
 * | event channels | backend domain | 1 | 0 | 0 |
 * | xenstore nodes | guest | 8 (9 with `error`) | 0 | 0 |
 * | xenstore nodes | backend domain | 13 (14 with `error`) | 0 | 0 |
 * | xenstore watches | guest | 1 (backend `state`) | 0 | 0 |
 * | xenstore watches | backend domain | 1 (frontend `state`), plus 2 in all | 0 | 0 |
 * | xenstore transactions | guest | 1, only while connecting | 0 | 0 |
 *
 * The guest's nodes include those `ismctl` creates in its directory
 * (xenstored charges a node to its owner).  The backend's "2 in all" are
 * its watches on `backend/ism` and `@releaseDomain`.  A rendezvous name
 * costs its publisher 1 node (+1 for `data/ism`); a peer waiting on it, 1
 * watch.
 *
 * Against Xen's defaults (32768 grant entries per domain, 1023 event
 * channels per domU, and per unprivileged domain 1000 xenstore nodes, 128
 * watches, 10 transactions):
 *
 * - a guest's ism devices hardly touch its own budgets: 2 grant entries,
 *   1 event channel, 8 nodes and 1 watch per device, plus 1 event channel
 *   per fast path, of which a guest has about 1000;
 * - the backend's grant table is the real limit.  A 1 MiB region costs
 *   258 entries per referrer, 516 when shared; 32768 entries hold 63
 *   shared 1 MiB regions, for the whole host.  A backend serving `N`
 *   domains that each may use `max-bytes` needs about
 *   `N * (max-bytes / 4096 + 2 * max-regions)` entries, and the backend
 *   domain's grant table must be sized for it (v1 entries: 512 per frame;
 *   dom0: `gnttab_max_frames=` on Xen's command line, a driver domain:
 *   `max_grant_frames=` in its xl.cfg).  Until then ALLOC and ATTACH fail
 *   with `-ENOBUFS`.  A backend SHOULD keep 1024 entries of its grant
 *   table in reserve, so that its other PV drivers never starve, and
 *   SHOULD share the rest so that a domain that arrives finds entries
 *   free however many the others took (xen-ismd: each of `N` domains
 *   holds at most 1 / (`N` + 1) of it, the share left over waits for the
 *   next one);
 * - a driver-domain backend is an unprivileged xenstore client: 13 nodes
 *   and 1 watch per device cap it at about 75 devices (nodes) and 126
 *   devices (watches) unless its quotas are raised, and it cannot watch
 *   `@releaseDomain` unless dom0 grants that; it then learns of a
 *   guest's death from its frontend directories (see *Errors and death*).
 */

/**
 * DOC: Writing a frontend
 *
 * A checklist, in order; every step is specified above.
 *
 * 1. Wait for `~/device/ism/<devid>` (made by `ismctl`) and read
 *    `backend` and `backend-id`.  Watch the backend's `state`.
 * 2. When the backend is in InitWait (2), read `versions`, `gid`,
 *    `region-size`, `max-regions`, `max-bytes`, `max-peers`,
 *    `max-perm-entries` and `feature-fast-path`; pick a version.
 * 3. Allocate two zeroed pages, grant both writable to `backend-id`;
 *    initialise the ring header (all zeros, then `req_event = 1` and
 *    `rsp_event = 1`, as `SHARED_RING_INIT` does); allocate
 *    an unbound event channel for `backend-id`.
 * 4. In one transaction write `ring-ref`, `event-page-ref`,
 *    `event-channel` and `version`, then `state = 3`.
 * 5. When the backend is Connected (4), write `state = 4`.
 * 6. Place requests (`struct ism_req`) on the ring, match responses by
 *    `id`.  ALLOC or ATTACH return a descriptor: walk the page directory,
 *    map the pages and the doorbell.
 * 7. On each event channel signal, and whenever woken: drain the SBA
 *    (REGION_UPDATED per slot) and the event queue, handle OVERFLOW;
 *    re-arm `fe_armed` before blocking.
 * 8. To stop using a region: close any fast-path port, unmap everything,
 *    send DETACH (or FREE).
 * 9. To close: `state = 5`, wait for the backend's Closed, end the grants
 *    of both pages, close the port, `state = 6`.
 */

/**
 * DOC: Rationale
 *
 * **Why these choices, against vchan.** libxenvchan is the one generic
 * shared-memory channel in Xen: one server, one client, a byte stream,
 * memory lent by the server through gntalloc and found through xenstore
 * nodes per channel.  Its users hit three limits: xenstore quotas when
 * many channels are set up at once (transactions, watches, leaked
 * directories), the gntalloc limit of the granting kernel, and the
 * copy-in/copy-out API.  xen-ism keeps what works in vchan (its notify
 * flags, which became the doorbell; writing all setup nodes in one
 * transaction) and changes the rest: xenstore is touched once per
 * *device*, never per region; regions are named by random tokens passed
 * on the ring, so nothing about them leaks into xenstore; the backend,
 * not a guest, lends the memory, so a peer's mapping pins the backend's
 * pages rather than the owner's; read-only peers get `GTF_readonly`
 * grants where vchan's read-only side is only a convention; and the data
 * path is direct loads and stores.
 *
 * **Against virtio-ism.** The semantics are virtio-ism's: gid, devid,
 * region_size, ALLOC with a fresh token and cleared memory, ATTACH by
 * token with the two-guest rule, DETACH with release when the last
 * referrer goes, the five permission bits with a default entry and entries
 * per devid, coalesced update events.  The transport is Xen's: the
 * control virtqueue is a `io/ring.h` ring; the shared-memory BAR (regions
 * addressed by offset) becomes a page directory of grants per region (a
 * guest has no BAR to carve, and grants are what Xen can share and make
 * read-only); the event virtqueue becomes the event page; the per-region
 * interrupt (VIRTIO_ISM_F_EVENT_IRQ) becomes the fast-path event channel,
 * which also skips the backend.  virtio-ism's reviewers asked for
 * life-cycle notifications, which its later prototype added; here they
 * are in version 1 (PEER_ATTACHED, PEER_DETACHED, PEER_GONE,
 * REGION_RELEASED).  Regions are named by slot and token instead of an
 * offset, so a stale handle is caught (`-ESTALE`) rather than acting on
 * whatever lives at that offset now.
 *
 * **Against SMC-D and DIBS.** SMC-D's ISM devices and the DIBS layer give
 * each buffer exactly one owner and one remote device, name it by a
 * 64-bit token (random, in loopback-ism), signal it by setting a bit in a
 * signal bit array that the device may coalesce, and report devices that
 * go away so that link groups can be torn down.  xen-ism matches that
 * model so that an SMC-D driver can sit on top: the two-guest rule, the
 * SBA on the event page, PEER_GONE, and a default `region-size` of 1 MiB,
 * SMC-D's largest DMB.  It adds what SMC-D gets from hardware and Xen
 * must do in software: permissions enforced by grant flags, quotas, and
 * quarantine of pages a peer still maps.
 *
 * **Other choices.** One event channel per device, and regions
 * multiplexed over the SBA, because a domU has 1023 event channels by
 * default and regions may number thousands; the fast path spends one
 * channel per region only where it pays, and falls back when channels run
 * out.  Frontend-granted rings, as in every PV driver, so the backend
 * learns about a device only through nodes the toolstack vouched for; but
 * backend-allocated regions (as displif's `be-alloc` buffers), because
 * the backend domain knows the host's memory and must be able to
 * quarantine pages.  Tokens and slots both, so that the common path
 * (NOTIFY on a slot) is an index while a wrong index is detected.
 */

/**
 * DOC: Wire sizes
 *
 * Every structure above has a fixed size, checked at compile time by this
 * header (C11 and C++11) and against the reference file `ism-wire.size`
 * by `make check`:
 *
 * @SIZES@
 */

/*
 * A frontend's checks of what the backend or another domain wrote, the
 * same in every frontend (libxenism, the kernel's xen-ismfront): each
 * returns 0 if the input is well formed, else -1 and writes nothing.
 */

/* ism_rdv_name_validate() - a rendezvous name (NUL-terminated). */
static inline int ism_rdv_name_validate(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= ISM_RENDEZVOUS_NAME_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -1;
	}
	return i ? 0 : -1;
}

/* ism_hex64_parse() - exactly 16 lowercase hex digits at @s, not all 0. */
static inline int ism_hex64_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return -1;
	}
	if (!v)
		return -1;
	*out = v;
	return 0;
}

/* ism_devid_parse() - @len octets: 1 .. ISM_DEVID_MAX, decimal, no 0 first. */
static inline int ism_devid_parse(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 10 || s[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > ISM_DEVID_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * ism_rdv_value_parse() - a rendezvous value, "<gid>:<devid>:<token>", of
 * @len octets (no NUL needed).
 */
static inline int ism_rdv_value_parse(const char *val, size_t len,
				      uint64_t *gid_out, uint32_t *devid_out,
				      uint64_t *token_out)
{
	uint64_t gid, token;
	uint32_t devid;

	/* 16 + ':' + 1 .. 10 + ':' + 16 */
	if (len < 35 || len > ISM_RENDEZVOUS_VALUE_MAX || val[16] != ':' ||
	    val[len - 17] != ':' || ism_hex64_parse(val, &gid) ||
	    ism_devid_parse(val + 17, len - 34, &devid) ||
	    ism_hex64_parse(val + len - 16, &token))
		return -1;
	*gid_out = gid;
	*devid_out = devid;
	*token_out = token;
	return 0;
}

/*
 * ism_desc_validate() - a region descriptor, on a device with @max_slots
 * slots whose regions have at most @max_pages pages.  Unknown flags are a
 * later version's: not checked.
 */
static inline int ism_desc_validate(const struct ism_region_desc *d,
				    uint64_t max_pages, uint32_t max_slots)
{
	if (!d->token || !d->nr_pages || d->nr_pages > max_pages ||
	    d->size != (uint64_t)d->nr_pages * ISM_PAGE_SIZE ||
	    d->slot >= max_slots || d->dir_gref < ISM_GREF_MIN ||
	    d->bell_gref < ISM_GREF_MIN ||
	    (d->perm & ~(uint32_t)ISM_PERM_MASK) ||
	    (d->side != ISM_SIDE_OWNER && d->side != ISM_SIDE_PEER) ||
	    (d->state != ISM_RSTATE_ACTIVE &&
	     d->state != ISM_RSTATE_RELEASED) ||
	    (d->peer_domid > ISM_DOMID_MAX &&
	     d->peer_domid != ISM_DOMID_INVALID) ||
	    d->peer_devid > ISM_DEVID_MAX)
		return -1;
	return 0;
}

/* Size checks: active for C11 and C++11 and later only. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define ISM_STATIC_ASSERT(expr, msg) static_assert(expr, msg);
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define ISM_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg);
#else
#define ISM_STATIC_ASSERT(expr, msg)
#endif

ISM_STATIC_ASSERT(sizeof(struct ism_sring_hdr) == 64, "ism_sring_hdr")
ISM_STATIC_ASSERT(sizeof(struct ism_region_desc) == 48, "ism_region_desc")
ISM_STATIC_ASSERT(sizeof(struct ism_rsp_info) == 48, "ism_rsp_info")
ISM_STATIC_ASSERT(sizeof(struct ism_req_alloc) == 56, "ism_req_alloc")
ISM_STATIC_ASSERT(sizeof(struct ism_req_attach) == 56, "ism_req_attach")
ISM_STATIC_ASSERT(sizeof(struct ism_req_slot) == 56, "ism_req_slot")
ISM_STATIC_ASSERT(sizeof(struct ism_req_set_perm) == 56, "ism_req_set_perm")
ISM_STATIC_ASSERT(sizeof(struct ism_req_fastpath) == 56, "ism_req_fastpath")
ISM_STATIC_ASSERT(sizeof(struct ism_req_peer) == 56, "ism_req_peer")
ISM_STATIC_ASSERT(sizeof(struct ism_rsp_peer) == 48, "ism_rsp_peer")
ISM_STATIC_ASSERT(sizeof(struct ism_req_signal) == 56, "ism_req_signal")
ISM_STATIC_ASSERT(sizeof(struct ism_req) == 64, "ism_req")
ISM_STATIC_ASSERT(offsetof(struct ism_req, u) == 8, "ism_req.u")
ISM_STATIC_ASSERT(sizeof(struct ism_rsp) == 64, "ism_rsp")
ISM_STATIC_ASSERT(offsetof(struct ism_rsp, u) == 16, "ism_rsp.u")
ISM_STATIC_ASSERT(sizeof(union ism_ring_entry) == 64, "ism_ring_entry")
ISM_STATIC_ASSERT(sizeof(struct ism_ctrl_page) == ISM_PAGE_SIZE,
		  "ism_ctrl_page")
ISM_STATIC_ASSERT(offsetof(struct ism_ctrl_page, ring) == 64,
		  "ism_ctrl_page.ring")
ISM_STATIC_ASSERT(sizeof(struct ism_evt) == 32, "ism_evt")
ISM_STATIC_ASSERT(sizeof(struct ism_event_page) == ISM_PAGE_SIZE,
		  "ism_event_page")
ISM_STATIC_ASSERT(offsetof(struct ism_event_page, evt) == 64,
		  "ism_event_page.evt")
ISM_STATIC_ASSERT(offsetof(struct ism_event_page, sba) == 3072,
		  "ism_event_page.sba")
ISM_STATIC_ASSERT(sizeof(struct ism_dir_page) == ISM_PAGE_SIZE, "ism_dir_page")
ISM_STATIC_ASSERT(sizeof(struct ism_bell) == 64, "ism_bell")
ISM_STATIC_ASSERT(ISM_SBA_WORDS * 64 == ISM_MAX_REGIONS_LIMIT, "sba bits")

#endif /* ISM_XENSTORE_SCHEMA_ISMIF_H */
