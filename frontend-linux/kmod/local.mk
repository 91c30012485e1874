# SPDX-License-Identifier: GPL-2.0-or-later
#
# xen-ismfront.ko, the kernel frontend, and xen-ism-smcd.ko, SMC-D on it
# (built by backend/kmod/local.mk's kmod rule), their headers and the
# udev rule.

KMOD_FRONT_SRC = frontend-linux/kmod/Kbuild \
	frontend-linux/kmod/internal.h \
	frontend-linux/kmod/xen-ism.h \
	frontend-linux/kmod/xen-ism-dev.h \
	frontend-linux/kmod/main.c \
	frontend-linux/kmod/xenbus.c \
	frontend-linux/kmod/ring.c \
	frontend-linux/kmod/evtpage.c \
	frontend-linux/kmod/region.c \
	frontend-linux/kmod/pgdir.c \
	frontend-linux/kmod/map.c \
	frontend-linux/kmod/umap.c \
	frontend-linux/kmod/fastpath.c \
	frontend-linux/kmod/chardev.c \
	frontend-linux/kmod/chardev.h \
	frontend-linux/kmod/rendezvous.c \
	frontend-linux/kmod/rendezvous.h \
	frontend-linux/kmod/smcd.h \
	frontend-linux/kmod/smcd-main.c \
	frontend-linux/kmod/smcd-dmb.c \
	frontend-linux/kmod/smcd-move.c

# /dev/xen-ism's group and mode (xen-ismfront(4)).
udevrulesdir = $(prefix)/lib/udev/rules.d
dist_udevrules_DATA = frontend-linux/kmod/60-xen-ism.rules
