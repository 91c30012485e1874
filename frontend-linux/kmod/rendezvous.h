/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rendezvous.h - the named token rendezvous (ism-protocol.md, "Named
 * token rendezvous") for /dev/xen-ism.
 */
#ifndef XEN_ISMFRONT_RENDEZVOUS_H
#define XEN_ISMFRONT_RENDEZVOUS_H

#include <linux/list.h>
#include <linux/types.h>

/* The names one file published (under the module's lock). */
struct xen_ism_rdv_names {
	struct list_head list;
};

void xen_ism_rdv_names_init(struct xen_ism_rdv_names *names);
int xen_ism_rdv_self(u16 *domid_out);
bool xen_ism_rdv_name_valid(const char *name);
int xen_ism_rdv_parse(const char *val, unsigned int len, u64 *gid_out,
		      u32 *devid_out, u64 *token_out);
int xen_ism_rdv_lookup(u16 from_domid, const char *name, u64 gid,
		       u64 *token_out);
int xen_ism_rdv_publish(struct xen_ism_rdv_names *names, u16 domid,
			const char *name, u64 gid, u32 devid, u64 token,
			u16 peer_domid);
int xen_ism_rdv_unpublish(struct xen_ism_rdv_names *names, u16 domid,
			  const char *name);
void xen_ism_rdv_unpublish_all(struct xen_ism_rdv_names *names, u16 domid);

#endif /* XEN_ISMFRONT_RENDEZVOUS_H */
