# SPDX-License-Identifier: GPL-2.0-or-later
#
# ism-bench: xen-ism between two guests against its limits, libxenvchan
# and TCP (GPL program over libxenism).

ISM_BENCH_PURE = frontend-linux/bench/opts.c frontend-linux/bench/pattern.c \
	frontend-linux/bench/results.c frontend-linux/bench/bench.h

bin_PROGRAMS += ism-bench
ism_bench_SOURCES = $(ISM_BENCH_PURE) \
	frontend-linux/bench/backend.c frontend-linux/bench/clock.c \
	frontend-linux/bench/ctl.c frontend-linux/bench/ctl.h \
	frontend-linux/bench/ctl-ism.c frontend-linux/bench/ctl-xen.c \
	frontend-linux/bench/main.c frontend-linux/bench/rtt.c \
	frontend-linux/bench/scale.c \
	frontend-linux/bench/setup.c frontend-linux/bench/share.c \
	frontend-linux/bench/stream.c frontend-linux/bench/work.h
ism_bench_CPPFLAGS = $(ISM_FE_CPPFLAGS)
ism_bench_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) $(XENGNTTAB_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(XENVCHAN_CFLAGS)
ism_bench_LDADD = frontend-linux/lib/libxenism.la $(XENVCHAN_LIBS) \
	$(XENSTORE_LIBS) $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS)
dist_man_MANS += frontend-linux/bench/ism-bench.1

# Options, payload patterns and results, tested alone.
check_PROGRAMS += frontend-linux/bench/tests/test-bench
TESTS += frontend-linux/bench/tests/test-bench
frontend_linux_bench_tests_test_bench_SOURCES = \
	frontend-linux/bench/tests/test-bench.c $(ISM_BENCH_PURE)
frontend_linux_bench_tests_test_bench_CPPFLAGS = $(ISM_FE_CPPFLAGS) \
	-I$(top_srcdir)/tests -I$(top_srcdir)/frontend-linux/bench
