/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota.c - per-domain accounting: region octets (max-bytes, quarantined
 * pages included), backend grant entries and the pool's fair shares, and
 * the distinct peer devices a domain shares regions with (max-peers).
 *
 * A domain object lives while the domain has a device or a quarantined
 * ref; its peer table holds at most max-peers entries, so a guest cannot
 * make it grow beyond the limit.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

struct ism_domain *ism__domain_find(const struct ism_backend *be,
				    uint16_t domid)
{
	struct ism_hnode *n = ism__htable_find(&be->domains, domid);

	return n ? ism_container_of(n, struct ism_domain, node) : NULL;
}

int ism__domain_get(struct ism_backend *be, uint16_t domid,
		    struct ism_domain **dom_out)
{
	struct ism_domain *dom = ism__domain_find(be, domid);
	int rc;

	if (!dom) {
		dom = calloc(1, sizeof(*dom));
		if (!dom)
			return -ENOMEM;
		dom->domid = domid;
		dom->node.key = domid;
		rc = ism__htable_insert(&be->domains, &dom->node);
		if (rc) {
			free(dom);
			return rc;
		}
	}
	dom->users++;
	*dom_out = dom;
	return 0;
}

void ism__domain_put(struct ism_backend *be, struct ism_domain *dom)
{
	if (!dom || --dom->users)
		return;
	ism__htable_remove(&be->domains, &dom->node);
	free(dom->peers);
	free(dom);
}

int ism__quota_bytes(const struct ism_backend *be, const struct ism_domain *dom,
		     uint64_t size)
{
	uint64_t used = dom->bytes + (uint64_t)dom->quarantined * ISM_PAGE_SIZE;

	return used > be->lim.max_bytes || size > be->lim.max_bytes - used ?
		       -EDQUOT :
		       0;
}

uint32_t ism__quota_grant_share(const struct ism_backend *be)
{
	return be->lim.max_grants / (be->st.domains + 1);
}

/* The pool's fair shares: ism-backend.h, struct ism_backend_limits. */
int ism__quota_grants(const struct ism_backend *be,
		      const struct ism_domain *dom, uint32_t n)
{
	uint64_t want = dom->grants + (uint64_t)n;

	if (be->st.grants + (uint64_t)n > be->lim.max_grants ||
	    want > be->lim.max_domain_grants ||
	    want > ism__quota_grant_share(be))
		return -ENOBUFS;
	return 0;
}

static struct ism_peer_count *ism_quota_peer_find(const struct ism_domain *dom,
						  uint32_t devid)
{
	uint32_t i;

	for (i = 0; i < dom->npeers; i++) {
		if (dom->peers[i].devid == devid)
			return &dom->peers[i];
	}
	return NULL;
}

int ism__quota_peer_room(const struct ism_backend *be,
			 const struct ism_domain *dom, uint32_t devid)
{
	if (ism_quota_peer_find(dom, devid) || dom->npeers < be->lim.max_peers)
		return 0;
	return -EUSERS;
}

int ism__quota_peer_add(struct ism_domain *dom, uint32_t devid)
{
	struct ism_peer_count *pc = ism_quota_peer_find(dom, devid);
	uint32_t cap;

	if (pc) {
		pc->n++;
		return 0;
	}
	if (dom->npeers == dom->peers_cap) {
		cap = dom->peers_cap ? 2 * dom->peers_cap : 4;
		pc = realloc(dom->peers, cap * sizeof(*pc));
		if (!pc)
			return -ENOMEM;
		dom->peers = pc;
		dom->peers_cap = cap;
	}
	dom->peers[dom->npeers++] = (struct ism_peer_count){ devid, 1 };
	return 0;
}

void ism__quota_peer_del(struct ism_domain *dom, uint32_t devid)
{
	struct ism_peer_count *pc = ism_quota_peer_find(dom, devid);

	if (pc && !--pc->n)
		*pc = dom->peers[--dom->npeers];
}
