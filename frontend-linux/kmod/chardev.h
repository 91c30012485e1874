/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * chardev.h - /dev/xen-ism, the character device of xen-ismfront (see
 * xen-ism-dev.h), as main.c starts and stops it.
 */
#ifndef XEN_ISMFRONT_CHARDEV_H
#define XEN_ISMFRONT_CHARDEV_H

/*
 * Registers the misc device and a client of the in-kernel API.  Call it
 * from module init once xen_ism_client_register() works (after the xenbus
 * driver is registered); call xen_ism_chardev_exit() before the xenbus
 * driver is unregistered.  Returns 0 or -errno.
 */
int xen_ism_chardev_init(void);
void xen_ism_chardev_exit(void);

#endif /* XEN_ISMFRONT_CHARDEV_H */
