/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform-xen.h - the real implementation of backend/platform.h.
 *
 * It runs the seam's ops over the Xen libraries of the domain it runs in
 * (dom0 or a driver domain): libxenstore, libxengnttab (maps of a
 * frontend's grants), libxenevtchn, libxenctrl (domain_info) and the grant
 * helper device /dev/xen/ism-gnt (region pages), plus getrandom().
 *
 * A platform is made of parts, each one a handle or device that open()
 * opens.  A program asks only for the parts it needs (ismctl needs
 * xenstore alone); an op whose part is not open returns -ENODEV.  The
 * control part is optional by nature: in a driver domain libxenctrl cannot
 * be opened, or opens but every privileged call fails, and domain_info()
 * then returns -EPERM so that the core falls back to xenstore.
 *
 * The ops never log: every failure comes back as a negative errno.  What
 * the Xen libraries themselves report goes to the caller's log function,
 * if it gives one.  One platform serves one thread.
 */
#ifndef ISM_BACKEND_XEN_PLATFORM_XEN_H
#define ISM_BACKEND_XEN_PLATFORM_XEN_H

#include "platform.h"

/* The parts of a platform (struct ism_platform_xen_config.parts). */
#define ISM_PLATFORM_XEN_XENSTORE 0x01u /* libxenstore: xs_*, local_domid */
#define ISM_PLATFORM_XEN_GNTTAB 0x02u /* libxengnttab: gnt_map, gnt_unmap */
#define ISM_PLATFORM_XEN_EVTCHN 0x04u /* libxenevtchn: evtchn_* */
#define ISM_PLATFORM_XEN_PAGES 0x08u /* the grant helper: pages_* */
#define ISM_PLATFORM_XEN_CTRL 0x10u /* libxenctrl: domain_info (optional) */
#define ISM_PLATFORM_XEN_ALL 0x1fu

/**
 * struct ism_platform_xen_config - how to open a platform.
 * @parts: ISM_PLATFORM_XEN_* bits, not 0.  random() needs no part.
 * @gnt_device: the grant helper's device; NULL for XEN_ISM_GNT_DEVICE.
 * @failed_part_out: if not NULL, set to the part whose opening failed when
 *	ism_platform_xen_open() fails (0 for a bad argument), so that the
 *	caller can say "cannot open the grant helper" rather than guess.
 * @log: if not NULL, gets the warnings and errors that libxenevtchn,
 *	libxengnttab and libxenctrl report, one line each (no newline), with
 *	the syslog level LOG_WARNING or LOG_ERR, and @log_arg.  A guest can
 *	make them report (a bad grant reference), so rate-limit them.
 */
struct ism_platform_xen_config {
	unsigned int parts;
	const char *gnt_device;
	unsigned int *failed_part_out;
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
};

/* The ops table; pass it with a context from ism_platform_xen_open(). */
extern const struct ism_platform_ops ism_platform_xen_ops;

/**
 * ism_platform_xen_open() - open the parts @cfg asks for.
 * @cfg: NULL for every part and the default device.
 * @p_out: the new platform; close it with ism_platform_xen_close().
 *
 * Parts are opened in the order xenstore, grant helper, gnttab, evtchn,
 * control; the first failure undoes the others and is returned.  Failing
 * to open the control part is not an error: domain_info() then returns
 * -EPERM.
 *
 * Return: 0; -EINVAL for a NULL @p_out or bad @cfg->parts; the errno of the
 * part that failed: -ENOENT when its device (/dev/xen/xenbus,
 * /dev/xen/gntdev, /dev/xen/evtchn, the grant helper) or xenstored's socket
 * is absent, -EACCES when not root, -ENOTTY when @cfg->gnt_device is not
 * the grant helper of this release (an older module too); -ENOMEM.
 */
int ism_platform_xen_open(const struct ism_platform_xen_config *cfg,
			  struct ism_platform **p_out);

/**
 * ism_platform_xen_close() - close @p: watches, transactions, mappings and
 * ports go, region pages and their grants are released as closing the
 * grant helper does (pages a peer still maps are freed once it unmaps),
 * unless ism_platform_xen_keep() kept them for the next platform.  NULL is
 * a no-op.
 */
void ism_platform_xen_close(struct ism_platform *p);

/**
 * ism_platform_xen_parts() - the parts that are open, ISM_PLATFORM_XEN_*
 * bits.  The control bit is clear when libxenctrl could not be opened.
 */
unsigned int ism_platform_xen_parts(const struct ism_platform *p);

/**
 * ism_platform_xen_grant_table() - what the grant helper says of the
 * grants this domain can give.
 * @table_out: entries its grant table can grow to (Xen's gnttab_max_frames
 *	for dom0, xl.cfg's max_grant_frames for a driver domain), which
 *	every driver of the domain shares.
 * @helper_out: grants the helper lets its users hold (its max_grants).
 *
 * Return: 0; -ENODEV without the grant helper part; its ioctl's errno.
 */
int ism_platform_xen_grant_table(struct ism_platform *p, uint32_t *table_out,
				 uint32_t *helper_out);

/**
 * ism_platform_xen_keep() - keep, or no longer keep, @p's region pages and
 * grants when its grant helper file closes, however it closes (close(), the
 * daemon's exit, a crash, kill -9): they then wait, still granted and
 * mapped by the guests, for the next platform's ism_platform_xen_adopt().
 * @keep: true to keep them, false to undo it.
 *
 * Return: 0; -EINVAL for a NULL @p; -ENODEV without the grant helper part;
 * -EBUSY if another open file of the helper is kept; -EEXIST if a kept set
 * still waits to be adopted (adopt it first); the ioctl's errno.
 */
int ism_platform_xen_keep(struct ism_platform *p, bool keep);

/**
 * ism_platform_xen_adopt() - take the region pages and grants that a
 * platform before this one kept (ism_platform_xen_keep()) and closed with:
 * the pages_list op then lists them and pages_adopt takes them in sets,
 * with the page handles and grant references they had (a page handle is
 * the helper's page index + 1, whichever platform made it).  @p must hold
 * no pages yet: call it right after ism_platform_xen_open().
 *
 * Return: 0 when a kept set was adopted; -ENOENT when none waits; -EBUSY if
 * @p already holds, or ever held, region pages (its helper file must be
 * fresh); -EINVAL for a NULL @p; -ENODEV without the grant helper part;
 * -ENOMEM; the ioctl's errno.
 */
int ism_platform_xen_adopt(struct ism_platform *p);

/* ism_platform_xen_part_name() - "xenstore", "grant helper", ...; or NULL. */
const char *ism_platform_xen_part_name(unsigned int part);

#endif /* ISM_BACKEND_XEN_PLATFORM_XEN_H */
