# SPDX-License-Identifier: GPL-2.0-or-later
#
# frontend-linux/: the guest side.  libxenism (LGPL, lib/ and include/),
# the ism CLI (GPL, cli/), their man pages and unit tests on the fake Xen;
# SMC-D for unmodified programs (smc/).

ISM_FE_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/frontend-linux/include

# The library without its platform: linked by libxenism.la with the real
# platform, and by the unit tests with the fake one.  It holds both
# implementations of the device seam (lib/platform.h): the userspace
# protocol one and the one over the kernel frontend's /dev/xen-ism, whose
# uapi header lives with the module (frontend-linux/kmod/xen-ism-dev.h).
noinst_LTLIBRARIES += frontend-linux/lib/libxenism-core.la
frontend_linux_lib_libxenism_core_la_SOURCES = \
	frontend-linux/lib/api.c \
	frontend-linux/lib/dev.c \
	frontend-linux/lib/event.c \
	frontend-linux/lib/evq.c \
	frontend-linux/lib/kdev.c \
	frontend-linux/lib/kdev.h \
	frontend-linux/lib/kevent.c \
	frontend-linux/lib/kregion.c \
	frontend-linux/lib/name.c \
	frontend-linux/lib/pgdir.c \
	frontend-linux/lib/platform.h \
	frontend-linux/lib/private.h \
	frontend-linux/lib/region.c \
	frontend-linux/lib/rendezvous.c \
	frontend-linux/lib/request.c \
	frontend-linux/lib/ring.c \
	frontend-linux/lib/rpc.c \
	frontend-linux/lib/shared.h \
	frontend-linux/lib/xenbus.c \
	frontend-linux/lib/xsval.c
frontend_linux_lib_libxenism_core_la_CPPFLAGS = $(ISM_FE_CPPFLAGS)

lib_LTLIBRARIES += frontend-linux/lib/libxenism.la
frontend_linux_lib_libxenism_la_SOURCES = frontend-linux/lib/open.c \
	frontend-linux/lib/platform-linux.c frontend-linux/lib/waker.c \
	frontend-linux/lib/waker.h
frontend_linux_lib_libxenism_la_CPPFLAGS = $(ISM_FE_CPPFLAGS) \
	$(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS) \
	$(XENTOOLLOG_CFLAGS)
frontend_linux_lib_libxenism_la_CFLAGS = $(AM_CFLAGS) -pthread
frontend_linux_lib_libxenism_la_LIBADD = frontend-linux/lib/libxenism-core.la \
	$(XENSTORE_LIBS) $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS)
frontend_linux_lib_libxenism_la_LDFLAGS = $(AM_LDFLAGS) -pthread \
	-version-info 1:0:1 \
	-Wl,--version-script=$(top_srcdir)/frontend-linux/lib/libxenism.map
EXTRA_frontend_linux_lib_libxenism_la_DEPENDENCIES = \
	frontend-linux/lib/libxenism.map
include_HEADERS = frontend-linux/include/xenism.h
EXTRA_DIST += frontend-linux/lib/libxenism.map frontend-linux/lib/xenism.pc.in

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = frontend-linux/lib/xenism.pc
DISTCLEANFILES += frontend-linux/lib/xenism.pc

include frontend-linux/cli/local.mk
include frontend-linux/bench/local.mk
include frontend-linux/man/local.mk
include frontend-linux/tests/local.mk
include frontend-linux/smc/local.mk
