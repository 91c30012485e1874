# SPDX-License-Identifier: GPL-2.0-or-later
#
# xen-ismd, the backend daemon: its command line, log and pid file here;
# the device logic is the core in backend/, Xen is backend/xen/.

noinst_LTLIBRARIES += backend/daemon/libismd.la
backend_daemon_libismd_la_SOURCES = backend/daemon/options.c \
	backend/daemon/options.h backend/daemon/log.c backend/daemon/log.h \
	backend/daemon/pidfile.c backend/daemon/pidfile.h \
	backend/daemon/limits.c backend/daemon/limits.h \
	backend/daemon/keep.c backend/daemon/keep.h
backend_daemon_libismd_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend

check_PROGRAMS += backend/daemon/tests/test-options
backend_daemon_tests_test_options_SOURCES = backend/daemon/tests/test-options.c
backend_daemon_tests_test_options_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/backend/daemon -I$(top_srcdir)/tests
backend_daemon_tests_test_options_LDADD = backend/daemon/libismd.la
TESTS += backend/daemon/tests/test-options

check_PROGRAMS += backend/daemon/tests/test-limits
backend_daemon_tests_test_limits_SOURCES = backend/daemon/tests/test-limits.c
backend_daemon_tests_test_limits_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/backend/daemon -I$(top_srcdir)/backend \
	-I$(top_srcdir)/tests
backend_daemon_tests_test_limits_LDADD = backend/daemon/libismd.la \
	backend/libismbackend.la
TESTS += backend/daemon/tests/test-limits

check_PROGRAMS += backend/daemon/tests/test-keep
backend_daemon_tests_test_keep_SOURCES = backend/daemon/tests/test-keep.c
backend_daemon_tests_test_keep_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/backend/daemon -I$(top_srcdir)/tests
backend_daemon_tests_test_keep_LDADD = backend/daemon/libismd.la
TESTS += backend/daemon/tests/test-keep

sbin_PROGRAMS += backend/daemon/xen-ismd
backend_daemon_xen_ismd_SOURCES = backend/daemon/main.c \
	backend/daemon/stats.c backend/daemon/stats.h
backend_daemon_xen_ismd_CPPFLAGS = $(AM_CPPFLAGS) $(ISM_PLATFORM_XEN_CPPFLAGS)
backend_daemon_xen_ismd_LDADD = backend/daemon/libismd.la \
	backend/libismbackend.la $(ISM_PLATFORM_XEN_LIBS)
dist_man_MANS += backend/daemon/xen-ismd.8

# The systemd unit, with the installed path of the daemon.
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = backend/daemon/xen-ismd.service
backend/daemon/xen-ismd.service: backend/daemon/xen-ismd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) backend/daemon && \
	$(SED) 's|@sbindir[@]|$(sbindir)|g' $< >$@
CLEANFILES += backend/daemon/xen-ismd.service
EXTRA_DIST += backend/daemon/xen-ismd.service.in
