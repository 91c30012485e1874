# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unit tests: the fake Xen (tests/fake) and the TAP programs that run on it
# (tests/unit).  No Xen, root or network is needed.

EXTRA_DIST += tests/tap.h tests/backend-stat.h

# The fake platform: an in-memory Xen behind backend/platform.h, linked into
# every unit test of the backend core.
noinst_LTLIBRARIES += tests/fake/libfakexen.la
tests_fake_libfakexen_la_SOURCES = tests/fake/fake-xen.c tests/fake/fake-xen.h
tests_fake_libfakexen_la_CPPFLAGS = $(AM_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS)

ISM_UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS) \
	-I$(top_srcdir)/tests/fake -I$(top_srcdir)/tests
ISM_UNIT_LDADD = tests/fake/libfakexen.la

ISM_FAKE_TESTS = \
	tests/unit/test-platform \
	tests/unit/test-fake-xenstore \
	tests/unit/test-fake-grant \
	tests/unit/test-fake-evtchn \
	tests/unit/test-fake-domain \
	tests/unit/test-fake-fault \
	tests/unit/test-fake-keep

# Each test is built from tests/unit/<name>.c (automake's default source).
check_PROGRAMS += $(ISM_FAKE_TESTS)
TESTS += $(ISM_FAKE_TESTS)
EXTRA_DIST += tests/unit/unit.h

tests_unit_test_platform_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_platform_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_xenstore_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_xenstore_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_grant_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_grant_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_evtchn_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_evtchn_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_domain_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_domain_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_fault_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_fault_LDADD = $(ISM_UNIT_LDADD)

tests_unit_test_fake_keep_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_fake_keep_LDADD = $(ISM_UNIT_LDADD)

# The backend core's tests: scenarios played by guests over the fake, with
# the frontend driver (tests/unit/frontend.c) acting as each guest.
noinst_LTLIBRARIES += tests/unit/libfrontend.la
tests_unit_libfrontend_la_SOURCES = tests/unit/frontend.c tests/unit/frontend.h
tests_unit_libfrontend_la_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)

ISM_CORE_LDADD = tests/unit/libfrontend.la backend/libismbackend.la \
	$(ISM_UNIT_LDADD)

ISM_CORE_TESTS = \
	tests/unit/test-backend-region \
	tests/unit/test-backend-device \
	tests/unit/test-backend-ring \
	tests/unit/test-backend-events \
	tests/unit/test-backend-quota \
	tests/unit/test-backend-death \
	tests/unit/test-backend-driverdom \
	tests/unit/test-backend-pages \
	tests/unit/test-backend-fault \
	tests/unit/test-backend-restart

check_PROGRAMS += $(ISM_CORE_TESTS)
TESTS += $(ISM_CORE_TESTS)

tests_unit_test_backend_region_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_region_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_device_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_device_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_ring_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_ring_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_events_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_events_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_driverdom_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_driverdom_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_quota_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_quota_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_death_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_death_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_pages_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_pages_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_fault_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_fault_LDADD = $(ISM_CORE_LDADD)

tests_unit_test_backend_restart_CPPFLAGS = $(ISM_UNIT_CPPFLAGS)
tests_unit_test_backend_restart_LDADD = $(ISM_CORE_LDADD)

# Scale benchmark of the core on the fake (not a test): `make bench-core`.
noinst_PROGRAMS += tests/bench/bench-core
tests_bench_bench_core_SOURCES = tests/bench/bench-core.c
tests_bench_bench_core_CPPFLAGS = $(ISM_UNIT_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_bench_bench_core_LDADD = $(ISM_CORE_LDADD)

bench-core: tests/bench/bench-core$(EXEEXT)
	tests/bench/bench-core$(EXEEXT)
PHONY_TARGETS += bench-core
