# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unit tests of libxenism: the pure pieces on plain memory, the rest on
# the fake Xen (tests/fake) through tests/platform-fake.c, with a scripted
# backend (sbackend.c) playing dom0.

ISM_FE_TEST_CPPFLAGS = $(ISM_FE_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS) \
	-I$(top_srcdir)/tests/fake -I$(top_srcdir)/tests

noinst_LTLIBRARIES += frontend-linux/tests/libfetest.la
frontend_linux_tests_libfetest_la_SOURCES = \
	frontend-linux/tests/platform-fake.c \
	frontend-linux/tests/platform-fake.h \
	frontend-linux/tests/sbackend.c \
	frontend-linux/tests/sbackend.h
frontend_linux_tests_libfetest_la_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)

ISM_FE_TEST_LDADD = frontend-linux/tests/libfetest.la \
	frontend-linux/lib/libxenism-core.la tests/fake/libfakexen.la

ISM_FE_TESTS = \
	frontend-linux/tests/test-ring \
	frontend-linux/tests/test-evq \
	frontend-linux/tests/test-pgdir \
	frontend-linux/tests/test-rendezvous \
	frontend-linux/tests/test-handshake \
	frontend-linux/tests/test-event-wait \
	frontend-linux/tests/test-fast-path \
	frontend-linux/tests/test-posted \
	frontend-linux/tests/test-kdev-select \
	frontend-linux/tests/test-kevent

check_PROGRAMS += $(ISM_FE_TESTS)
TESTS += $(ISM_FE_TESTS)

frontend_linux_tests_test_ring_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_ring_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_evq_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_evq_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_pgdir_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_pgdir_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_rendezvous_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_rendezvous_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_handshake_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_handshake_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_event_wait_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_event_wait_LDADD = $(ISM_FE_TEST_LDADD)
# With the backend core (backend/) as dom0, for two guests' fast path.
frontend_linux_tests_test_fast_path_SOURCES = frontend-linux/tests/test-fast-path.c \
	frontend-linux/tests/fe-host.c frontend-linux/tests/fe-host.h
frontend_linux_tests_test_fast_path_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_fast_path_LDADD = backend/libismbackend.la \
	$(ISM_FE_TEST_LDADD)
# Posted DETACH and FREE, on the backend core too.
frontend_linux_tests_test_posted_SOURCES = frontend-linux/tests/test-posted.c \
	frontend-linux/tests/fe-host.c frontend-linux/tests/fe-host.h
frontend_linux_tests_test_posted_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_posted_LDADD = backend/libismbackend.la \
	$(ISM_FE_TEST_LDADD)
# The kernel frontend's path, without the kernel: which path a device
# takes (a fake sysfs), and the chardev's event records (over a pipe).
frontend_linux_tests_test_kdev_select_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_kdev_select_LDADD = $(ISM_FE_TEST_LDADD)
frontend_linux_tests_test_kevent_CPPFLAGS = $(ISM_FE_TEST_CPPFLAGS)
frontend_linux_tests_test_kevent_LDADD = $(ISM_FE_TEST_LDADD)
