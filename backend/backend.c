/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend.c - the public API of the core (ism-backend.h): start and stop,
 * dispatch of watch events and event channel ports to devices, domain
 * death, the retry of deferred releases, and statistics.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "xsval.h"

#define ISM_BE_DIR "backend/" ISM_DEVICE_TYPE
#define ISM_RELEASE_DOMAIN "@releaseDomain"
/* Watch events taken per call before returning to the poll loop. */
#define ISM_WATCH_BATCH 4096u

void ism_backend_limits_default(struct ism_backend_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->region_size = ISM_REGION_SIZE_DEFAULT;
	l->max_regions = ISM_MAX_REGIONS_DEFAULT;
	l->max_bytes = ISM_MAX_BYTES_DEFAULT;
	l->max_peers = ISM_MAX_PEERS_DEFAULT;
	l->max_perm_entries = ISM_MAX_PERM_ENTRIES_DEFAULT;
	l->fast_path = true;
	l->max_devices = 4096;
	l->max_grants = 32768 - 1024;
	l->max_domain_grants = ism_backend_domain_grants(
		ISM_MAX_BYTES_DEFAULT, ISM_MAX_REGIONS_DEFAULT);
}

uint32_t ism_backend_domain_grants(uint64_t max_bytes, uint32_t max_regions)
{
	uint64_t need = max_bytes / ISM_PAGE_SIZE + 2ull * max_regions + 2;

	return need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
}

static bool ism_backend_limits_ok(const struct ism_backend_limits *l)
{
	return l->gid && l->region_size >= ISM_PAGE_SIZE &&
	       l->region_size <= ISM_REGION_SIZE_LIMIT &&
	       !(l->region_size % ISM_PAGE_SIZE) && l->max_regions &&
	       l->max_regions <= ISM_MAX_REGIONS_LIMIT &&
	       l->max_bytes >= ISM_PAGE_SIZE && l->max_peers &&
	       l->max_peers <= UINT16_MAX &&
	       l->max_perm_entries <= ISM_MAX_PERM_ENTRIES_LIMIT &&
	       l->max_devices && l->max_grants && l->max_domain_grants;
}

static void ism_backend_watch_mark(struct ism_backend *be,
				   struct ism_device *dev, bool fe);
static int ism_backend_watch_serve(struct ism_backend *be);

/* Remember a release that failed, to retry it in ism_backend_reclaim(). */
static void ism_backend_defer(struct ism_backend *be, void *addr, uint32_t port,
			      const char *path, const char *token)
{
	struct ism_deferred *d = calloc(1, sizeof(*d));

	if (!d)
		return; /* out of memory too: the resource leaks */
	d->addr = addr;
	d->port = port;
	if (path)
		snprintf(d->path, sizeof(d->path), "%s", path);
	d->token = token;
	d->next = be->deferred;
	be->deferred = d;
	be->st.held++;
}

/* Try a deferred release; -EINVAL/-ENOENT mean there is nothing left. */
static int ism_deferred_run(struct ism_backend *be,
			    const struct ism_deferred *d)
{
	int rc;

	if (d->addr)
		rc = be->ops->gnt_unmap(be->plat, d->addr);
	else if (d->port)
		rc = be->ops->evtchn_unbind(be->plat, d->port);
	else
		rc = be->ops->xs_unwatch(be->plat, d->path, d->token);
	return rc == -EINVAL || rc == -ENOENT ? 0 : rc;
}

void ism__backend_unmap(struct ism_backend *be, void *addr)
{
	if (be->ops->gnt_unmap(be->plat, addr))
		ism_backend_defer(be, addr, 0, NULL, NULL);
}

void ism__backend_unbind(struct ism_backend *be, uint32_t port)
{
	if (be->ops->evtchn_unbind(be->plat, port))
		ism_backend_defer(be, NULL, port, NULL, NULL);
}

void ism__backend_unwatch(struct ism_backend *be, const char *path,
			  const char *token)
{
	int rc = be->ops->xs_unwatch(be->plat, path, token);

	if (rc && rc != -ENOENT)
		ism_backend_defer(be, NULL, 0, path, token);
}

static unsigned int ism_backend_retry_deferred(struct ism_backend *be)
{
	struct ism_deferred **pp = &be->deferred, *d;
	unsigned int left = 0;

	while ((d = *pp)) {
		if (ism_deferred_run(be, d)) {
			pp = &d->next;
			left++;
			continue;
		}
		*pp = d->next;
		free(d);
		be->st.held--;
	}
	return left;
}

int ism_backend_reclaim(struct ism_backend *be)
{
	unsigned int left, devs = 0;
	struct ism_device *dev;

	left = ism__pages_reclaim(be);
	left += ism_backend_retry_deferred(be);
	if (be->retry_wanted) {
		be->retry_wanted = false;
		for (dev = be->dev_head; dev; dev = dev->next) {
			if (dev->fe_deferred)
				ism_backend_watch_mark(be, dev, true);
			else if ((dev->retry || dev->state_dirty) &&
				 ism__device_update(dev))
				devs++;
		}
		ism_backend_watch_serve(be); /* the deferred frontend events */
		for (dev = be->dev_head; dev; dev = dev->next)
			devs += dev->fe_deferred;
		be->retry_wanted = be->retry_wanted || devs != 0;
	}
	ism__evt_flush(be);
	return (int)(left + devs);
}

/* Whether the reclaim pass has something to retry. */
static bool ism_backend_holds(const struct ism_backend *be)
{
	return be->quarantine || be->dead_sets || be->deferred ||
	       be->retry_wanted;
}

int ism_backend_tick(struct ism_backend *be, uint64_t now_ms)
{
	uint64_t left;

	if (!ism_backend_holds(be)) {
		be->reclaim_at = 0;
		return -1;
	}
	if (!be->reclaim_at)
		be->reclaim_at = now_ms + ISM_RECLAIM_MS;
	if (now_ms >= be->reclaim_at) {
		ism_backend_reclaim(be);
		if (!ism_backend_holds(be)) {
			be->reclaim_at = 0;
			return -1;
		}
		be->reclaim_at = now_ms + ISM_RECLAIM_MS;
	}
	left = be->reclaim_at - now_ms;
	return left > ISM_RECLAIM_MS ? ISM_RECLAIM_MS : (int)left;
}

int ism__backend_alloc(const struct ism_platform_ops *ops,
		       struct ism_platform *platform,
		       const struct ism_backend_limits *limits,
		       struct ism_backend **be_out)
{
	struct ism_backend *be;
	int rc;

	if (!ism_platform_ops_is_complete(ops) || !platform || !limits ||
	    !be_out || !ism_backend_limits_ok(limits))
		return -EINVAL;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	be->ops = ops;
	be->plat = platform;
	be->lim = *limits;
	rc = ism__htable_init(&be->tokens);
	rc = rc ?: ism__htable_init(&be->devices);
	rc = rc ?: ism__htable_init(&be->devids);
	rc = rc ?: ism__htable_init(&be->ports);
	rc = rc ?: ism__htable_init(&be->domains);
	rc = rc ?: ops->local_domid(platform, &be->domid);
	if (rc)
		goto err_release;
	*be_out = be;
	return 0;

err_release:
	ism__backend_release(be);
	return rc;
}

/* Free the tables and @be (every object in them is gone). */
void ism__backend_release(struct ism_backend *be)
{
	ism__htable_fini(&be->domains);
	ism__htable_fini(&be->ports);
	ism__htable_fini(&be->devids);
	ism__htable_fini(&be->devices);
	ism__htable_fini(&be->tokens);
	free(be);
}

int ism__backend_start(struct ism_backend *be)
{
	int rc;

	rc = be->ops->xs_watch(be->plat, ISM_BE_DIR, ISM_WATCH_BE);
	if (rc)
		return rc;
	/* A driver domain may not watch domain death unless dom0 allows. */
	rc = be->ops->xs_watch(be->plat, ISM_RELEASE_DOMAIN, ISM_WATCH_RELEASE);
	if (rc && rc != -EACCES && rc != -EPERM) {
		be->ops->xs_unwatch(be->plat, ISM_BE_DIR, ISM_WATCH_BE);
		return rc;
	}
	be->watch_release = !rc;
	if (!be->dir_pool)
		ism__dirpool_init(be);
	return 0;
}

int ism_backend_new(const struct ism_platform_ops *ops,
		    struct ism_platform *platform,
		    const struct ism_backend_limits *limits,
		    struct ism_backend **be_out)
{
	struct ism_backend *be;
	int rc;

	rc = ism__backend_alloc(ops, platform, limits, &be);
	if (rc)
		return rc;
	rc = ism__backend_start(be);
	if (rc) {
		ism__backend_release(be);
		return rc;
	}
	*be_out = be;
	return 0;
}

void ism_backend_set_log(struct ism_backend *be, ism_backend_log_fn *fn,
			 void *arg)
{
	be->log_fn = fn;
	be->log_arg = arg;
}

/* Free what could not be released (the platform's close reclaims it). */
static void ism_backend_drop_held(struct ism_backend *be)
{
	struct ism_deferred *d;
	struct ism_pageset *set;
	struct ism_ref *ref;

	while ((ref = be->quarantine)) {
		be->quarantine = ref->next;
		ism__domain_put(be, ref->dom);
		if (ref->dirset && !ref->dirset->pool)
			free(ref->dirset);
		free(ref);
	}
	while ((set = be->dead_sets)) {
		be->dead_sets = set->next;
		free(set);
	}
	while ((set = be->dir_pool)) {
		be->dir_pool = set->next;
		free(set);
	}
	while ((d = be->deferred)) {
		be->deferred = d->next;
		free(d);
	}
}

void ism_backend_free(struct ism_backend *be)
{
	if (!be)
		return;
	/* Nothing noted is served any more: no device may come now. */
	be->w_release = false;
	be->w_rescan = false;
	memset(be->w_doms, 0, sizeof(be->w_doms));
	while (be->dev_head)
		ism__device_shutdown(be->dev_head);
	be->retry_wanted = false;
	ism__evt_flush(be);
	ism__dirpool_fini(be);
	ism__backend_unwatch(be, ISM_BE_DIR, ISM_WATCH_BE);
	if (be->watch_release)
		ism__backend_unwatch(be, ISM_RELEASE_DOMAIN, ISM_WATCH_RELEASE);
	/* Faults are passing: one more round usually ends what is left. */
	if (ism_backend_reclaim(be))
		ism_backend_reclaim(be);
	ism_backend_drop_held(be);
	ism__backend_release(be);
}

/* Forget @ref (memory only) and its region once both its refs went. */
static void ism_backend_forget_ref(struct ism_ref *ref)
{
	struct ism_region *r = ref->region;

	if (ref->dirset && !ref->dirset->pool)
		free(ref->dirset);
	r->ref[ref->side] = NULL;
	if (!r->ref[0] && !r->ref[1]) {
		free(r->set);
		ism__perms_fini(&r->perms);
		free(r);
	}
	free(ref);
}

void ism_backend_abandon(struct ism_backend *be)
{
	struct ism_device *dev;
	uint32_t s;

	if (!be)
		return;
	while ((dev = be->dev_head)) {
		be->dev_head = dev->next;
		for (s = 0; s < dev->nslots; s++) {
			if (dev->slots[s])
				ism_backend_forget_ref(dev->slots[s]);
		}
		free(dev->slots);
		ism__domain_put(be, dev->dom);
		free(dev);
	}
	ism_backend_drop_held(be);
	ism__backend_release(be);
}

/* Whether the backend directory of (@domid, @devid) exists: 1, 0, -errno. */
static int ism_backend_dir_exists(struct ism_backend *be, const char *path)
{
	char *val;
	size_t len;
	int rc;

	rc = be->ops->xs_read(be->plat, ISM_XS_NO_TX, path, &val, &len);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	free(val);
	return 1;
}

/*
 * What the hypervisor says of @domid: 1 alive, 0 gone or dying, -EPERM if
 * this domain may not ask (a driver domain), or another -errno.
 */
static int ism_backend_domain_state(struct ism_backend *be, uint16_t domid)
{
	struct ism_domain_info info;
	int rc;

	rc = be->ops->domain_info(be->plat, domid, &info);
	if (rc == -ESRCH)
		return 0;
	if (rc)
		return rc == -EACCES ? -EPERM : rc;
	return !info.dying;
}

/* Whether @domid is alive; a backend that may not ask assumes so. */
static bool ism_backend_domain_alive(struct ism_backend *be, uint16_t domid)
{
	return ism_backend_domain_state(be, domid) != 0;
}

/*
 * Whether the frontend directory of @dev is gone: 1, 0, or -errno.  Once
 * /local/domain/<domid> is removed, xenstored answers -EACCES rather than
 * -ENOENT for anything below it (we may not read /local/domain), so
 * either means gone.
 */
static int ism_backend_fe_dir_gone(struct ism_backend *be, const char *fe_path)
{
	int rc = ism_backend_dir_exists(be, fe_path);

	if (rc == -EACCES)
		return 1;
	return rc < 0 ? rc : !rc;
}

/*
 * Domain death as a driver domain sees it.  The hypervisor will not tell
 * us (domain_info: -EPERM) and @releaseDomain may not reach us, but the
 * toolstack removes a dead domain's /local/domain/<domid>, and with it the
 * frontend directory whose state node we watch.  When that directory of
 * @dev is gone, and so are those of every other device of its domain (one
 * device unplugged is not a death), the domain is dead: returns 1 and the
 * caller, done with @dev, calls ism_backend_domain_gone().  0 otherwise,
 * also when the check itself fails (the device then moves as before).
 */
static int ism_backend_fe_dead(struct ism_backend *be,
			       const struct ism_device *dev)
{
	const struct ism_device *d;

	if (ism_backend_fe_dir_gone(be, dev->fe_path) != 1 ||
	    ism_backend_domain_state(be, dev->domid) != -EPERM)
		return 0;
	for (d = dev->dom->devices; d; d = d->dom_next) {
		if (d != dev && ism_backend_fe_dir_gone(be, d->fe_path) != 1)
			return 0;
	}
	return 1;
}

/* Something changed at or below backend/ism/@domid/@devid. */
static int ism_backend_device_event(struct ism_backend *be, uint16_t domid,
				    uint32_t devid)
{
	struct ism_device *dev = ism__device_find(be, domid, devid);
	char path[64];
	int rc;

	snprintf(path, sizeof(path), ISM_BE_DIR "/%u/%u", domid, devid);
	rc = ism_backend_dir_exists(be, path);
	if (rc < 0)
		return rc;
	if (!rc) {
		if (dev)
			ism__device_destroy(dev);
		return 0;
	}
	if (!dev) {
		rc = ism_backend_domain_state(be, domid);
		if (!rc)
			return 0;
		/* A driver domain: no device for a frontend that is gone. */
		snprintf(path, sizeof(path), ISM_PATH_FRONTEND_FMT, domid,
			 devid);
		if (rc == -EPERM && ism_backend_fe_dir_gone(be, path) == 1)
			return 0;
		rc = ism__device_new(be, domid, devid, &dev);
		if (rc)
			return rc;
	}
	return ism__device_update(dev);
}

static bool ism_backend_listed(char **names, unsigned int num, uint32_t devid)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < num; i++) {
		if (!ism__xsval_uint(names[i], strlen(names[i]), 1,
				     ISM_DEVID_MAX, &v) &&
		    v == devid)
			return true;
	}
	return false;
}

/* backend/ism/@domid changed: pick up new devices, drop vanished ones. */
static int ism_backend_rescan_domain(struct ism_backend *be, uint16_t domid)
{
	char path[64], **names = NULL;
	unsigned int i, num = 0;
	struct ism_domain *dom;
	struct ism_device *dev;
	uint64_t v;
	int rc, first = 0;

	snprintf(path, sizeof(path), ISM_BE_DIR "/%u", domid);
	rc = be->ops->xs_directory(be->plat, ISM_XS_NO_TX, path, &names, &num);
	if (rc && rc != -ENOENT)
		return rc;
	for (i = 0; i < num; i++) {
		if (ism__xsval_uint(names[i], strlen(names[i]), 1,
				    ISM_DEVID_MAX, &v))
			continue;
		rc = ism_backend_device_event(be, domid, (uint32_t)v);
		first = first ?: rc;
	}
again:
	dom = ism__domain_find(be, domid);
	for (dev = dom ? dom->devices : NULL; dev; dev = dev->dom_next) {
		if (!ism_backend_listed(names, num, dev->devid)) {
			ism__device_destroy(dev); /* may free @dom */
			goto again;
		}
	}
	free(names);
	return first;
}

/* backend/ism itself changed (or the watch was just set): rescan all. */
static int ism_backend_rescan(struct ism_backend *be)
{
	char **names = NULL;
	unsigned int i, num = 0;
	struct ism_device *dev;
	uint16_t domid;
	int rc, first = 0;

	rc = be->ops->xs_directory(be->plat, ISM_XS_NO_TX, ISM_BE_DIR, &names,
				   &num);
	if (rc && rc != -ENOENT)
		return rc;
	for (i = 0; i < num; i++) {
		if (ism__xsval_domid(names[i], strlen(names[i]), &domid))
			continue;
		rc = ism_backend_rescan_domain(be, domid);
		first = first ?: rc;
	}
	free(names);
again:
	for (dev = be->dev_head; dev; dev = dev->next) {
		rc = ism_backend_dir_exists(be, dev->be_path);
		if (!rc) {
			ism__device_destroy(dev);
			goto again;
		}
	}
	return first;
}

/* Remove the backend directory of @domid's devices once it is empty. */
static void ism_backend_domain_dir_rm(struct ism_backend *be, uint16_t domid)
{
	char path[64], **names;
	unsigned int n;

	snprintf(path, sizeof(path), ISM_BE_DIR "/%u", domid);
	if (be->ops->xs_directory(be->plat, ISM_XS_NO_TX, path, &names, &n))
		return;
	free(names);
	if (!n)
		be->ops->xs_rm(be->plat, ISM_XS_NO_TX, path);
}

int ism_backend_domain_gone(struct ism_backend *be, uint16_t domid)
{
	struct ism_domain *dom;
	bool had = false;

	while ((dom = ism__domain_find(be, domid)) && dom->devices) {
		ism__device_gone(dom->devices);
		had = true;
	}
	if (had)
		ism_backend_domain_dir_rm(be, domid);
	ism_backend_reclaim(be);
	return 0;
}

/* @releaseDomain: find the domains that died, in one pass. */
static int ism_backend_release_scan(struct ism_backend *be)
{
	uint16_t *dead;
	unsigned int n = 0, i;
	struct ism_hnode *node;
	size_t b;

	dead = calloc(be->domains.count + 1, sizeof(*dead));
	if (!dead)
		return -ENOMEM;
	for (b = 0; b < be->domains.nbucket; b++) {
		for (node = be->domains.bucket[b]; node; node = node->next) {
			if (!ism_backend_domain_alive(be, (uint16_t)node->key))
				dead[n++] = (uint16_t)node->key;
		}
	}
	for (i = 0; i < n; i++)
		ism_backend_domain_gone(be, dead[i]);
	free(dead);
	return ism_backend_reclaim(be) < 0 ? -EIO : 0;
}

/* The frontend's state node of @dev changed (or went). */
static int ism_backend_fe_event(struct ism_backend *be, struct ism_device *dev)
{
	if (!ism__rate_take(&dev->fe_rate, ISM_FE_BURST, ISM_FE_EVERY_MS,
			    be->ops->clock_ms(be->plat))) {
		dev->fe_deferred = true;
		be->retry_wanted = true;
		return 0;
	}
	dev->fe_deferred = false;
	if (ism_backend_fe_dead(be, dev))
		return ism_backend_domain_gone(be, dev->domid);
	/* A frontend that closed may have unmapped what it held. */
	if (be->quarantine)
		ism__pages_reclaim(be);
	return ism__device_update(dev);
}

static void ism_backend_watch_mark(struct ism_backend *be,
				   struct ism_device *dev, bool fe)
{
	if (fe)
		dev->w_fe = true;
	else
		dev->w_be = true;
	if (!dev->w_listed) {
		dev->w_listed = true;
		dev->w_next = be->w_head;
		be->w_head = dev;
	}
}

void ism__backend_watch_forget(struct ism_device *dev)
{
	struct ism_device **pp;

	if (!dev->w_listed)
		return;
	for (pp = &dev->be->w_head; *pp != dev; pp = &(*pp)->w_next)
		;
	*pp = dev->w_next;
	dev->w_listed = false;
}

/* Note one watch event, to be served with the others of its batch. */
static void ism_backend_watch_note(struct ism_backend *be, const char *path,
				   const char *token)
{
	struct ism_device *dev;
	unsigned int depth;
	uint16_t domid;
	uint32_t devid;

	if (!strcmp(token, ISM_WATCH_RELEASE)) {
		be->w_release = true;
	} else if (!strcmp(token, ISM_WATCH_BE)) {
		if (ism__xsval_be_path(path, &depth, &domid, &devid))
			return; /* not ours */
		dev = depth >= 2 ? ism__device_find(be, domid, devid) : NULL;
		if (!depth)
			be->w_rescan = true;
		else if (dev)
			ism_backend_watch_mark(be, dev, false);
		else if (domid <= ISM_DOMID_MAX) /* a new device: its domain */
			be->w_doms[domid / 64] |= 1ull << (domid % 64);
	} else if (!strcmp(token, ISM_WATCH_FE)) {
		if (ism__xsval_fe_path(path, &domid, &devid))
			return;
		dev = ism__device_find(be, domid, devid);
		if (dev)
			ism_backend_watch_mark(be, dev, true);
	}
}

/*
 * Serve what the noted events asked for, each once: a domain's death, a
 * rescan, the backend directories of domains, then each device (its
 * backend directory, its frontend's state).  Returns the first error.
 */
static int ism_backend_watch_serve(struct ism_backend *be)
{
	struct {
		bool release, rescan;
		uint64_t doms[ISM_W_DOMS_WORDS];
	} failed = { 0 };
	struct ism_device *dev;
	uint64_t bits;
	unsigned int w;
	uint16_t domid;
	uint32_t devid;
	bool fe;
	int rc = 0, r;

	if (be->w_release) {
		be->w_release = false;
		r = ism_backend_release_scan(be);
		failed.release = r < 0;
		rc = rc ?: r;
	}
	if (be->w_rescan) {
		be->w_rescan = false;
		r = ism_backend_rescan(be);
		failed.rescan = r < 0;
		rc = rc ?: r;
	}
	for (w = 0; w < ISM_W_DOMS_WORDS; w++) {
		while ((bits = be->w_doms[w])) {
			be->w_doms[w] &= bits - 1;
			domid = (uint16_t)(w * 64 +
					   (unsigned int)__builtin_ctzll(bits));
			r = ism_backend_rescan_domain(be, domid);
			if (r < 0)
				failed.doms[w] |= bits & ~(bits - 1);
			rc = rc ?: r;
		}
	}
	/* What failed (a xenstore error) is tried again by the reclaim pass. */
	be->w_release = be->w_release || failed.release;
	be->w_rescan = be->w_rescan || failed.rescan;
	for (w = 0; w < ISM_W_DOMS_WORDS; w++)
		be->w_doms[w] |= failed.doms[w];
	if (failed.release || failed.rescan || rc < 0)
		be->retry_wanted = true;
	/* Serving one device may destroy others: take the head each time. */
	while ((dev = be->w_head)) {
		be->w_head = dev->w_next;
		dev->w_listed = false;
		domid = dev->domid;
		devid = dev->devid;
		fe = dev->w_fe;
		if (dev->w_be) {
			dev->w_be = false;
			r = ism_backend_device_event(be, domid, devid);
			rc = rc ?: r;
			dev = ism__device_find(be, domid, devid);
		}
		if (dev && fe) {
			dev->w_fe = false;
			r = ism_backend_fe_event(be, dev);
			rc = rc ?: r;
		}
	}
	ism__evt_flush(be);
	return rc;
}

int ism_backend_handle_watch(struct ism_backend *be, const char *path,
			     const char *token)
{
	if (!be || !path || !token)
		return -EINVAL;
	ism_backend_watch_note(be, path, token);
	return ism_backend_watch_serve(be);
}

int ism_backend_handle_watches(struct ism_backend *be)
{
	char *path, *token;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < ISM_WATCH_BATCH; i++) {
		rc = be->ops->xs_read_watch(be->plat, &path, &token);
		if (rc)
			break;
		ism_backend_watch_note(be, path, token);
		free(path);
		free(token);
	}
	/* A failed update is retried (dev->retry): its error is not ours. */
	ism_backend_watch_serve(be);
	return rc == -EAGAIN ? 0 : rc;
}

int ism_backend_handle_events(struct ism_backend *be)
{
	unsigned int i, budget = be->st.devices + 16;
	struct ism_device *dev, *busy;
	struct ism_hnode *node;
	uint32_t port;
	int rc = 0, more = 0;

	for (i = 0; i < budget; i++) {
		rc = be->ops->evtchn_pending(be->plat, &port);
		if (rc)
			break;
		node = ism__htable_find(&be->ports, port);
		if (node)
			ism__device_kick(ism_container_of(
				node, struct ism_device, port_node));
	}
	if (i == budget)
		more = 1;
	busy = be->busy_head;
	be->busy_head = NULL;
	while ((dev = busy)) {
		busy = dev->busy_next;
		dev->busy_listed = false;
		ism__device_kick(dev);
	}
	ism__evt_flush(be);
	if (rc && rc != -EAGAIN)
		return rc;
	return more || be->busy_head ? 1 : 0;
}

int ism_backend_get_stats(const struct ism_backend *be,
			  struct ism_backend_stats *stats_out)
{
	if (!be || !stats_out)
		return -EINVAL;
	*stats_out = be->st;
	stats_out->grant_pool = be->lim.max_grants;
	stats_out->grant_share = ism__quota_grant_share(be);
	stats_out->grant_domain_max = be->lim.max_domain_grants;
	return 0;
}

/* Regions of @dev whose fast path is up. */
static unsigned int ism_device_fast_paths(const struct ism_device *dev)
{
	unsigned int n = 0;
	uint32_t s;

	for (s = 0; s < dev->nslots; s++)
		n += dev->slots[s] && !dev->slots[s]->released &&
		     dev->slots[s]->region->fp_state == ISM_FP_UP;
	return n;
}

/* Distinct devices that @dev now shares a region with. */
static unsigned int ism_device_peers(const struct ism_device *dev)
{
	unsigned int n = 0;
	uint32_t s, t;
	const struct ism_ref *ref, *other, *o2;

	for (s = 0; s < dev->nslots; s++) {
		ref = dev->slots[s];
		other = ref && !ref->released ? ism__region_other(ref) : NULL;
		if (!other)
			continue;
		for (t = 0; t < s; t++) {
			o2 = dev->slots[t] && !dev->slots[t]->released ?
				     ism__region_other(dev->slots[t]) :
				     NULL;
			if (o2 && o2->dev == other->dev)
				break;
		}
		n += t == s;
	}
	return n;
}

static int ism_device_stat_cmp(const void *a, const void *b)
{
	const struct ism_device_stat *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

int ism_backend_list_devices(const struct ism_backend *be,
			     struct ism_device_stat **list_out,
			     unsigned int *num_out)
{
	const struct ism_device *dev;
	struct ism_device_stat *list;
	unsigned int n = 0;

	if (!be || !list_out || !num_out)
		return -EINVAL;
	list = calloc(be->st.devices + 1, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (dev = be->dev_head; dev; dev = dev->next) {
		list[n].domid = dev->domid;
		list[n].devid = dev->devid;
		list[n].state = dev->state;
		list[n].slots = dev->slots_used;
		list[n].peers = ism_device_peers(dev);
		list[n].grants = dev->grants;
		list[n].bytes = dev->bytes;
		list[n].fast_paths = ism_device_fast_paths(dev);
		list[n].relayed = dev->relayed;
		list[n].fp_refused = dev->fp_refused;
		list[n].fp_errno = dev->fp_errno;
		list[n].events_known = true;
		n++;
	}
	qsort(list, n, sizeof(*list), ism_device_stat_cmp);
	*list_out = list;
	*num_out = n;
	return 0;
}
