# SPDX-License-Identifier: GPL-2.0-or-later
#
# ismctl: the toolstack side of xen-ism.  It creates and removes the
# xenstore directories of ism devices as xl does for other PV devices.  The
# work is in libismctl.la, over the platform seam's xenstore ops, so that
# the tests run it on the fake Xen and check what it writes against
# ism-nodes.txt with ism-schema-check.

# backend/daemon for stats.h: the daemon's report, which `ismctl list` reads.
ISM_CTL_CPPFLAGS = $(AM_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS) \
	-I$(top_srcdir)/backend/ismctl -I$(top_srcdir)/backend/daemon

noinst_LTLIBRARIES += backend/ismctl/libismctl.la
backend_ismctl_libismctl_la_SOURCES = backend/ismctl/ismctl.h \
	backend/ismctl/create.c backend/ismctl/device.c backend/ismctl/list.c \
	backend/ismctl/report.c \
	backend/ismctl/spec.c
backend_ismctl_libismctl_la_CPPFLAGS = $(ISM_CTL_CPPFLAGS)
backend_ismctl_libismctl_la_LIBADD = $(XLUTIL_LIBS)

sbin_PROGRAMS += ismctl
ismctl_SOURCES = backend/ismctl/main.c
ismctl_CPPFLAGS = $(ISM_CTL_CPPFLAGS) $(ISM_PLATFORM_XEN_CPPFLAGS)
ismctl_LDADD = backend/ismctl/libismctl.la $(ISM_PLATFORM_XEN_LIBS)
dist_man_MANS += backend/ismctl/ismctl.8

# Tests: specs, xl configuration files, the devices on the fake Xen,
# create with a fake xl; the
# daemon's report: the parser on canned reports, `list' with a canned report
# served on a Unix socket, and the daemon's writer (backend/daemon/stats.c)
# read back by the parser.
ISM_CTL_TESTS = \
	backend/ismctl/tests/test-spec \
	backend/ismctl/tests/test-xlcfg \
	backend/ismctl/tests/test-devices \
	backend/ismctl/tests/test-create \
	backend/ismctl/tests/test-report \
	backend/ismctl/tests/test-list \
	backend/ismctl/tests/test-report-writer
check_PROGRAMS += $(ISM_CTL_TESTS)
TESTS += $(ISM_CTL_TESTS)

ISM_CTL_TEST_CPPFLAGS = $(ISM_CTL_CPPFLAGS) -I$(top_srcdir)/tests \
	-I$(top_srcdir)/tests/fake

backend_ismctl_tests_test_spec_SOURCES = backend/ismctl/tests/test-spec.c
backend_ismctl_tests_test_spec_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_spec_LDADD = backend/ismctl/libismctl.la

backend_ismctl_tests_test_xlcfg_SOURCES = backend/ismctl/tests/test-xlcfg.c
backend_ismctl_tests_test_xlcfg_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_xlcfg_LDADD = backend/ismctl/libismctl.la

backend_ismctl_tests_test_devices_SOURCES = \
	backend/ismctl/tests/test-devices.c
backend_ismctl_tests_test_devices_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_devices_LDADD = backend/ismctl/libismctl.la \
	tests/fake/libfakexen.la

backend_ismctl_tests_test_create_SOURCES = backend/ismctl/tests/test-create.c
backend_ismctl_tests_test_create_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_create_LDADD = backend/ismctl/libismctl.la \
	tests/fake/libfakexen.la

backend_ismctl_tests_test_report_SOURCES = backend/ismctl/tests/test-report.c
backend_ismctl_tests_test_report_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_report_LDADD = backend/ismctl/libismctl.la

backend_ismctl_tests_test_list_SOURCES = backend/ismctl/tests/test-list.c
backend_ismctl_tests_test_list_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_list_LDADD = backend/ismctl/libismctl.la \
	tests/fake/libfakexen.la

backend_ismctl_tests_test_report_writer_SOURCES = \
	backend/ismctl/tests/test-report-writer.c backend/daemon/stats.c
backend_ismctl_tests_test_report_writer_CPPFLAGS = $(ISM_CTL_TEST_CPPFLAGS)
backend_ismctl_tests_test_report_writer_LDADD = backend/ismctl/libismctl.la \
	tests/unit/libfrontend.la backend/libismbackend.la \
	tests/fake/libfakexen.la

# Sample xl domain configuration files read by test-xlcfg.
ISM_CTL_TEST_CFGS = \
	backend/ismctl/tests/bad-key.cfg \
	backend/ismctl/tests/bad-devid.cfg \
	backend/ismctl/tests/bad-not-list.cfg \
	backend/ismctl/tests/bad-nested.cfg \
	backend/ismctl/tests/bad-syntax.cfg \
	backend/ismctl/tests/good-driver-domain.cfg \
	backend/ismctl/tests/good-none.cfg \
	backend/ismctl/tests/good-two.cfg
EXTRA_DIST += $(ISM_CTL_TEST_CFGS)

# ism-bench-backend: the backend's cost during the guests' ism-bench, a
# POSIX sh script installed with the backend tools; its test runs it on a
# fake xenstore and a fake ismctl.
dist_sbin_SCRIPTS = backend/ismctl/ism-bench-backend
dist_man_MANS += backend/ismctl/ism-bench-backend.8
TESTS += backend/ismctl/tests/test-bench-backend.sh
EXTRA_DIST += backend/ismctl/tests/test-bench-backend.sh
