# SPDX-License-Identifier: GPL-2.0-or-later
#
# backend/xen/: the real platform, backend/platform.h over libxenstore,
# libxengnttab, libxenevtchn, libxenctrl and the grant helper device.  A
# convenience library for xen-ismd and ismctl.

noinst_LTLIBRARIES += backend/xen/libismplatformxen.la
backend_xen_libismplatformxen_la_SOURCES = backend/xen/platform-xen.c \
	backend/xen/platform-xen.h
backend_xen_libismplatformxen_la_CPPFLAGS = $(AM_CPPFLAGS) \
	$(ISM_BACKEND_CPPFLAGS) -I$(top_srcdir)/backend/kmod \
	-I$(top_srcdir)/backend/xen $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(XENCONTROL_CFLAGS) $(XENTOOLLOG_CFLAGS)
backend_xen_libismplatformxen_la_LIBADD = $(XENSTORE_LIBS) \
	$(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS) $(XENCONTROL_LIBS) \
	$(XENTOOLLOG_LIBS)

# For programs and tests that open the real platform.
ISM_PLATFORM_XEN_CPPFLAGS = $(ISM_BACKEND_CPPFLAGS) -I$(top_srcdir)/backend/xen
ISM_PLATFORM_XEN_LIBS = backend/xen/libismplatformxen.la

EXTRA_DIST += backend/xen/README.md

# What runs without Xen: arguments, absent devices, random.
check_PROGRAMS += backend/xen/tests/test-platform-xen
TESTS += backend/xen/tests/test-platform-xen
backend_xen_tests_test_platform_xen_SOURCES = \
	backend/xen/tests/test-platform-xen.c
backend_xen_tests_test_platform_xen_CPPFLAGS = $(AM_CPPFLAGS) \
	$(ISM_PLATFORM_XEN_CPPFLAGS) -I$(top_srcdir)/backend/kmod \
	-I$(top_srcdir)/tests
backend_xen_tests_test_platform_xen_LDADD = $(ISM_PLATFORM_XEN_LIBS)
