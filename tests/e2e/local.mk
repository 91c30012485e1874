# SPDX-License-Identifier: GPL-2.0-or-later
#
# End to end on the fake Xen: the backend core and libxenism together.

check_PROGRAMS += tests/e2e/test-e2e-fake
TESTS += tests/e2e/test-e2e-fake
tests_e2e_test_e2e_fake_SOURCES = tests/e2e/test-e2e-fake.c \
	frontend-linux/tests/fe-host.c frontend-linux/tests/fe-host.h
tests_e2e_test_e2e_fake_CPPFLAGS = $(ISM_FE_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS) \
	-I$(top_srcdir)/tests/fake -I$(top_srcdir)/tests
tests_e2e_test_e2e_fake_LDADD = backend/libismbackend.la \
	frontend-linux/tests/libfetest.la frontend-linux/lib/libxenism-core.la \
	tests/fake/libfakexen.la
