# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unmodified programs over SMC-D (issue 15): libism-smc.so, which
# ism-smc-run preloads, makes their TCP sockets AF_SMC ones; ism-smc sets
# a guest up for SMC-D (the module is frontend-linux/kmod/smcd-*.c).

ismsmcdir = $(pkglibdir)
ismsmc_LTLIBRARIES = frontend-linux/smc/libism-smc.la
frontend_linux_smc_libism_smc_la_SOURCES = frontend-linux/smc/preload.c
frontend_linux_smc_libism_smc_la_LDFLAGS = $(AM_LDFLAGS) -module \
	-avoid-version -shared -export-symbols-regex '^socket$$'
frontend_linux_smc_libism_smc_la_LIBADD = -ldl

bin_PROGRAMS += ism-smc-run
ism_smc_run_SOURCES = frontend-linux/smc/run.c
ism_smc_run_CPPFLAGS = $(AM_CPPFLAGS) \
	-DISM_SMC_LIB='"$(pkglibdir)/libism-smc.so"'

dist_man_MANS += frontend-linux/smc/ism-smc-run.1

# ism-smc: a guest's SMC-D set-up (UEID) and its link groups.
bin_PROGRAMS += ism-smc
ism_smc_SOURCES = frontend-linux/smc/ism-smc.c frontend-linux/smc/genl.c \
	frontend-linux/smc/genl.h
dist_man_MANS += frontend-linux/smc/ism-smc.8

# The library and the wrapper from the build tree, on this host's kernel.
check_PROGRAMS += frontend-linux/tests/test-smc-preload
TESTS += frontend-linux/tests/test-smc-preload
frontend_linux_tests_test_smc_preload_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests \
	-DISM_SMC_TEST_LIB='"$(abs_top_builddir)/frontend-linux/smc/.libs/libism-smc.so"' \
	-DISM_SMC_TEST_RUN='"$(abs_top_builddir)/ism-smc-run"'
EXTRA_frontend_linux_tests_test_smc_preload_DEPENDENCIES = \
	frontend-linux/smc/libism-smc.la ism-smc-run

# ism-smc's attribute walker, and its argument checks, from the build tree.
check_PROGRAMS += frontend-linux/tests/test-smc-genl
TESTS += frontend-linux/tests/test-smc-genl
frontend_linux_tests_test_smc_genl_SOURCES = \
	frontend-linux/tests/test-smc-genl.c frontend-linux/smc/genl.c
frontend_linux_tests_test_smc_genl_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests -I$(top_srcdir)/frontend-linux/smc \
	-DISM_SMC_TEST_BIN='"$(abs_top_builddir)/ism-smc"'
EXTRA_frontend_linux_tests_test_smc_genl_DEPENDENCIES = ism-smc
