/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kregion.c - regions over /dev/xen-ism: each one the file's handle, an
 * ioctl() per call, mapped with mmap() of the file.  The doorbell is
 * mapped too, on the first notify or want, so that these cost a system
 * call only when the peer waits for a signal, as on the userspace path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kdev.h"

struct ism_kregion *ism__kregion_find(struct ism_kdev *kd, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < kd->nregions; i++)
		if (kd->regions[i]->handle == handle)
			return kd->regions[i];
	return NULL;
}

struct ism_kregion *ism__kregion_by_token(struct ism_kdev *kd, uint64_t token)
{
	unsigned int i;

	for (i = 0; i < kd->nregions; i++)
		if (kd->regions[i]->r.d.token == token)
			return kd->regions[i];
	return NULL;
}

int ism__kregion_set(struct ism_kregion *kr,
		     const struct xen_ism_ioc_region *kreg)
{
	struct ism_region *r = &kr->r;

	if (!kreg->handle || !kreg->token || !kreg->size ||
	    kreg->size % ISM_PAGE_SIZE || kreg->size > ISM_REGION_SIZE_LIMIT ||
	    kreg->side > ISM_SIDE_PEER ||
	    (kr->handle &&
	     (kr->handle != kreg->handle || r->d.token != kreg->token)))
		return -EPROTO;
	kr->handle = kreg->handle;
	kr->mmap_offset = kreg->mmap_offset;
	kr->bell_offset = kreg->bell_offset;
	kr->fast_path = kreg->flags & XEN_ISM_REGION_F_FAST_PATH;
	r->d.token = kreg->token;
	r->d.size = kreg->size;
	r->d.nr_pages = (uint32_t)(kreg->size / ISM_PAGE_SIZE);
	r->d.slot = kreg->slot;
	r->d.perm = kreg->perm;
	r->d.side = kreg->side;
	r->d.peer_devid = kreg->peer_devid;
	r->d.peer_domid = kreg->peer_domid;
	r->d.state = kreg->flags & XEN_ISM_REGION_F_RELEASED ?
			     ISM_RSTATE_RELEASED :
			     ISM_RSTATE_ACTIVE;
	r->peer_present = kreg->flags & XEN_ISM_REGION_F_PEER_PRESENT;
	return 0;
}

static int region_add(struct ism_kdev *kd, struct ism_kregion *kr)
{
	unsigned int cap = kd->cap ? kd->cap * 2 : 16;
	struct ism_kregion **n;

	if (kd->nregions == kd->cap) {
		n = realloc(kd->regions, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		kd->regions = n;
		kd->cap = cap;
	}
	kd->regions[kd->nregions++] = kr;
	return 0;
}

/* The doorbell mapped, or NULL (then the ioctls do its work). */
static struct ism_bell *region_bell(struct ism_kregion *kr)
{
	void *addr;

	if (kr->bell || kr->bell_failed)
		return kr->bell;
	addr = MAP_FAILED;
	if (sizeof(off_t) >= sizeof(uint64_t) || kr->bell_offset <= INT32_MAX)
		addr = mmap(NULL, ISM_PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED, ism__kdev(kr->r.dev)->fd,
			    (off_t)kr->bell_offset);
	if (addr == MAP_FAILED)
		kr->bell_failed = true;
	else
		kr->bell = addr;
	return kr->bell;
}

/* DETACH and FREE refuse a region whose doorbell is mapped (EBUSY). */
static int bell_unmap(struct ism_kregion *kr)
{
	if (kr->bell && munmap(kr->bell, ISM_PAGE_SIZE))
		return -errno;
	kr->bell = NULL;
	return 0;
}

/* Unmap, forget and free @kr (the kernel's side is the caller's). */
static void region_destroy(struct ism_kdev *kd, struct ism_kregion *kr)
{
	unsigned int i;

	ism__kregion_unmap(&kr->r);
	bell_unmap(kr);
	ism__kevent_forget(kd, kr);
	for (i = 0; i < kd->nregions; i++)
		if (kd->regions[i] == kr) {
			kd->regions[i] = kd->regions[--kd->nregions];
			break;
		}
	free(kr);
}

void ism__kregion_destroy_all(struct ism_kdev *kd)
{
	while (kd->nregions)
		region_destroy(kd, kd->regions[kd->nregions - 1]);
}

static int handle_op(struct ism_kdev *kd, unsigned long req, uint32_t handle,
		     uint32_t flags)
{
	struct xen_ism_ioc_handle h = { .handle = handle, .flags = flags };

	return ism__kioctl(kd->fd, req, &h);
}

/*
 * A region for what ALLOC or ATTACH returned; one the library cannot
 * use is detached again.
 */
static int region_new(struct ism_kdev *kd,
		      const struct xen_ism_ioc_region *kreg,
		      uint64_t want_token, bool readonly, ism_region **r_out)
{
	struct ism_kregion *kr;
	int rc;

	kr = calloc(1, sizeof(*kr));
	if (!kr) {
		rc = -ENOMEM;
		goto err_give_back;
	}
	kr->r.dev = &kd->dev;
	kr->r.readonly = readonly;
	rc = ism__kregion_set(kr, kreg);
	if (!rc && ((want_token && kreg->token != want_token) ||
		    ism__kregion_find(kd, kreg->handle)))
		rc = -EPROTO;
	if (!rc)
		rc = region_add(kd, kr);
	if (rc)
		goto err_free;
	*r_out = &kr->r;
	return 0;
err_free:
	free(kr);
err_give_back:
	if (kreg->handle && !ism__kregion_find(kd, kreg->handle))
		handle_op(kd, XEN_ISM_IOC_DETACH, kreg->handle, 0);
	return rc;
}

int ism__kregion_alloc(ism_dev *dev, uint64_t size, uint32_t perm,
		       ism_region **r_out)
{
	struct ism_kdev *kd = ism__kdev(dev);
	struct xen_ism_ioc_alloc a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.size = size;
	/*
	 * ALLOC reads perm 0 as "the default"; a default entry of 0 (no
	 * rights for others) is the same as DENY_OTHER: only devices given
	 * an entry of their own get in.
	 */
	a.perm = perm ? perm : ISM_PERM_DENY_OTHER;
	rc = ism__kioctl(kd->fd, XEN_ISM_IOC_ALLOC, &a);
	if (!rc)
		rc = region_new(kd, &a.region, 0, false, r_out);
	if (!rc && (*r_out)->d.side != ISM_SIDE_OWNER) {
		ism__kregion_detach(*r_out);
		rc = -EPROTO;
	}
	return rc;
}

int ism__kregion_attach(ism_dev *dev, uint64_t token, unsigned int flags,
			ism_region **r_out)
{
	struct ism_kdev *kd = ism__kdev(dev);
	struct xen_ism_ioc_attach a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.token = token;
	if (flags & ISM_ATTACH_READONLY)
		a.flags = XEN_ISM_IOC_ATTACH_READONLY;
	rc = ism__kioctl(kd->fd, XEN_ISM_IOC_ATTACH, &a);
	if (!rc)
		rc = region_new(kd, &a.region, token,
				flags & ISM_ATTACH_READONLY, r_out);
	return rc;
}

/* The kernel's view when it answers, else the last one the library had. */
int ism__kregion_refresh(ism_region *r)
{
	struct ism_kregion *kr = ism__kregion(r);
	struct xen_ism_ioc_region kreg;

	memset(&kreg, 0, sizeof(kreg));
	kreg.handle = kr->handle;
	if (!ism__kioctl(ism__kdev(r->dev)->fd, XEN_ISM_IOC_REGION_INFO, &kreg))
		ism__kregion_set(kr, &kreg);
	return kr->fast_path;
}

int ism__kregion_map(ism_region *r, void **addr_out, size_t *len_out)
{
	struct ism_kregion *kr = ism__kregion(r);
	int prot = PROT_READ;
	void *addr;

	if (!r->addr) {
		if (r->d.state == ISM_RSTATE_RELEASED)
			return -EIDRM;
		if (!r->readonly && (r->d.perm & ISM_PERM_WRITE))
			prot |= PROT_WRITE;
		/* Offsets are handle times 64 MiB: a 32-bit off_t runs out. */
		if (sizeof(off_t) < sizeof(uint64_t) &&
		    kr->mmap_offset > INT32_MAX)
			return -EOVERFLOW;
		addr = mmap(NULL, r->d.size, prot, MAP_SHARED,
			    ism__kdev(r->dev)->fd, (off_t)kr->mmap_offset);
		if (addr == MAP_FAILED)
			return -errno;
		r->addr = addr;
	}
	*addr_out = r->addr;
	if (len_out)
		*len_out = r->d.size;
	return 0;
}

int ism__kregion_unmap(ism_region *r)
{
	if (r->addr && munmap(r->addr, r->d.size))
		return -errno;
	r->addr = NULL;
	return 0;
}

int ism__kregion_set_perm(ism_region *r, uint32_t peer_devid, uint32_t perm,
			  unsigned int flags)
{
	struct xen_ism_ioc_set_perm sp = {
		.handle = ism__kregion(r)->handle,
		.peer_devid = peer_devid,
		.perm = perm,
		.flags = flags & ISM_PERM_REMOVE ? ISM_SET_PERM_F_REMOVE : 0,
	};

	return ism__kioctl(ism__kdev(r->dev)->fd, XEN_ISM_IOC_SET_PERM, &sp);
}

/* 0 or 1 (signalling was not needed), or -errno. */
int ism__kregion_notify(ism_region *r, unsigned int flags)
{
	struct ism_kregion *kr = ism__kregion(r);
	struct ism_bell *bell;
	uint32_t kflags = 0;
	int rc;

	if (r->d.state == ISM_RSTATE_RELEASED)
		return -EIDRM;
	bell = region_bell(kr);
	if (bell) {
		if (!ism__bell_count(bell, r->d.side) &&
		    !(flags & ISM_NOTIFY_FORCE))
			return 1;
		kflags = XEN_ISM_IOC_NOTIFY_COUNTED;
	} else {
		/* The ioctl is a barrier already; this one is the documented one. */
		ISM_MB();
		if (flags & ISM_NOTIFY_FORCE)
			kflags = XEN_ISM_IOC_NOTIFY_FORCE;
	}
	rc = handle_op(ism__kdev(r->dev), XEN_ISM_IOC_NOTIFY, kr->handle,
		       kflags);
	return rc > 0 ? 1 : rc;
}

int ism__kregion_want(ism_region *r)
{
	struct ism_kregion *kr = ism__kregion(r);
	struct ism_bell *bell;

	if (r->d.state == ISM_RSTATE_RELEASED)
		return -EIDRM;
	bell = region_bell(kr);
	if (!bell)
		return handle_op(ism__kdev(r->dev), XEN_ISM_IOC_WANT,
				 kr->handle, 0);
	ism__bell_want(bell, r->d.side);
	return 0;
}

/* DETACH refuses a mapped region (EBUSY): unmapped first. */
int ism__kregion_detach(ism_region *r)
{
	struct ism_kdev *kd = ism__kdev(r->dev);
	struct ism_kregion *kr = ism__kregion(r);
	int rc;

	rc = ism__kregion_unmap(r);
	if (!rc)
		rc = bell_unmap(kr);
	if (!rc)
		rc = handle_op(kd, XEN_ISM_IOC_DETACH, kr->handle, 0);
	/* Freed whatever happened: closing the file detaches the rest. */
	region_destroy(kd, kr);
	return rc;
}

int ism__kregion_free(ism_region *r)
{
	struct ism_kdev *kd = ism__kdev(r->dev);
	struct ism_kregion *kr = ism__kregion(r);
	int rc;

	if (!(r->d.perm & ISM_PERM_MANAGE))
		return -EPERM;
	if (r->d.state == ISM_RSTATE_RELEASED)
		return -EIDRM;
	rc = ism__kregion_unmap(r);
	if (!rc)
		rc = bell_unmap(kr);
	if (!rc)
		rc = handle_op(kd, XEN_ISM_IOC_FREE, kr->handle, 0);
	if (!rc)
		region_destroy(kd, kr);
	return rc;
}
