/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perm.c - a region's permission table: the default entry (devid 0) and
 * up to max-perm-entries entries for single devices, allocated when the
 * region is, so SET_PERM never needs memory.
 */
#include <errno.h>
#include <stdlib.h>

#include "core.h"

int ism__perms_init(struct ism_perms *p, uint32_t def, uint32_t cap)
{
	p->def = def;
	p->n = 0;
	p->cap = cap;
	p->e = NULL;
	if (!cap)
		return 0;
	p->e = calloc(cap, sizeof(*p->e));
	return p->e ? 0 : -ENOMEM;
}

void ism__perms_fini(struct ism_perms *p)
{
	free(p->e);
	p->e = NULL;
	p->n = 0;
}

int ism__perms_check(uint32_t devid, uint32_t perm)
{
	if (perm & ~ISM_PERM_MASK || devid > ISM_DEVID_MAX)
		return -EINVAL;
	if (devid && (perm & ISM_PERM_DENY_OTHER))
		return -EINVAL; /* only the default entry may deny others */
	return 0;
}

static struct ism_perm_entry *ism_perms_find(const struct ism_perms *p,
					     uint32_t devid)
{
	uint32_t i;

	for (i = 0; i < p->n; i++) {
		if (p->e[i].devid == devid)
			return &p->e[i];
	}
	return NULL;
}

uint32_t ism__perms_rights(const struct ism_perms *p, uint32_t devid)
{
	const struct ism_perm_entry *e = ism_perms_find(p, devid);
	uint32_t r;

	if (e)
		r = e->perm;
	else if (p->def & ISM_PERM_DENY_OTHER)
		r = 0;
	else
		r = p->def;
	r &= ISM_PERM_READ | ISM_PERM_WRITE | ISM_PERM_ATTACH | ISM_PERM_MANAGE;
	if (r & ISM_PERM_WRITE)
		r |= ISM_PERM_READ; /* a page cannot be mapped write-only */
	return r;
}

int ism__perms_set(struct ism_perms *p, uint32_t devid, uint32_t perm,
		   bool remove)
{
	struct ism_perm_entry *e;

	if (!devid) {
		p->def = perm;
		return 0;
	}
	e = ism_perms_find(p, devid);
	if (remove) {
		if (e)
			*e = p->e[--p->n];
		return 0;
	}
	if (e) {
		e->perm = perm;
		return 0;
	}
	if (p->n >= p->cap)
		return -EMLINK;
	p->e[p->n++] = (struct ism_perm_entry){ devid, perm };
	return 0;
}
