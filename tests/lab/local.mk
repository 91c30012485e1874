# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lab: real Xen 4.17 with dom0 and PV guests, booted in QEMU.
#   make lab-images   fetch packages (cached) and build the boot images
#   make check-lab    run every scenario through the TAP harness
#   make lab-demo     run the README's demo scenario and show its transcript
#   make lab-shell    boot the lab and stay at dom0's shell (debugging)
#   make bench        issue 6's benchmarks at full length on the lab

LAB_CACHE = /var/cache/xen-ism-lab
LAB_OUT = tests/lab/out
# The lab's architecture is the one this tree is built for: amd64, or
# arm64 in a cross build (configure --host=aarch64-linux-gnu).
LAB_ARCH = $(ISM_DEB_ARCH)
LAB_ENV = LAB_CACHE='$(LAB_CACHE)' LAB_ARCH='$(LAB_ARCH)' \
	LAB_IMAGES='$(abs_top_builddir)/$(LAB_OUT)' \
	LAB_LOGDIR='$(abs_top_builddir)/tests/lab/logs'

# Programs the lab's dom0 and guests carry besides the project's install.
noinst_PROGRAMS += tests/lab/lab-probe
tests_lab_lab_probe_SOURCES = tests/lab/probe/lab-probe.c tests/lab/probe/lab-check.h
tests_lab_lab_probe_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend/kmod
tests_lab_lab_probe_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS)
tests_lab_lab_probe_LDADD = $(XENSTORE_LIBS) $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS)
# Sanitizer runtimes are not in the lab images.
tests_lab_lab_probe_LDFLAGS =
# lab-region: one region over libxenism, held across a scenario's steps;
# linked with the library's objects, as the images carry no build tree.
noinst_PROGRAMS += tests/lab/lab-region
tests_lab_lab_region_SOURCES = tests/lab/probe/lab-region.c \
	frontend-linux/lib/open.c frontend-linux/lib/platform-linux.c \
	frontend-linux/lib/waker.c
tests_lab_lab_region_CPPFLAGS = $(ISM_FE_CPPFLAGS)
tests_lab_lab_region_CFLAGS = $(AM_CFLAGS) -pthread $(XENSTORE_CFLAGS) \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS) $(XENTOOLLOG_CFLAGS)
tests_lab_lab_region_LDADD = frontend-linux/lib/libxenism-core.la \
	$(XENSTORE_LIBS) $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS)
tests_lab_lab_region_LDFLAGS = -pthread
# lab-soak: the soak scenario's cycles of region life, over libxenism.
noinst_PROGRAMS += tests/lab/lab-soak
tests_lab_lab_soak_SOURCES = tests/lab/probe/lab-soak.c \
	frontend-linux/lib/open.c frontend-linux/lib/platform-linux.c \
	frontend-linux/lib/waker.c
tests_lab_lab_soak_CPPFLAGS = $(ISM_FE_CPPFLAGS)
tests_lab_lab_soak_CFLAGS = $(tests_lab_lab_region_CFLAGS)
tests_lab_lab_soak_LDADD = $(tests_lab_lab_region_LDADD)
tests_lab_lab_soak_LDFLAGS = -pthread
# lab-restart: the restart scenario's rounds over a region, over libxenism.
noinst_PROGRAMS += tests/lab/lab-restart
tests_lab_lab_restart_SOURCES = tests/lab/probe/lab-restart.c \
	tests/lab/probe/lab-check.h \
	frontend-linux/lib/open.c frontend-linux/lib/platform-linux.c \
	frontend-linux/lib/waker.c
tests_lab_lab_restart_CPPFLAGS = $(ISM_FE_CPPFLAGS)
tests_lab_lab_restart_CFLAGS = $(tests_lab_lab_region_CFLAGS)
tests_lab_lab_restart_LDADD = $(tests_lab_lab_region_LDADD)
tests_lab_lab_restart_LDFLAGS = -pthread
LAB_PROGS = tests/lab/lab-probe tests/lab/lab-region tests/lab/lab-soak \
	tests/lab/lab-restart

# lab-compat32: the grant helper's ioctls from a 32-bit process (the
# grant-helper scenario skips it when configure found no -m32).
EXTRA_DIST += tests/lab/probe/lab-compat32.c
if ISM_M32
tests/lab/lab-compat32: $(top_srcdir)/tests/lab/probe/lab-compat32.c \
		$(top_srcdir)/backend/kmod/xen-ism-gnt.h
	$(AM_V_CC)$(MKDIR_P) tests/lab && $(CC) $(ISM_M32_CFLAGS) -O2 -Wall \
		-Wextra -Werror -I$(top_srcdir)/backend/kmod -o $@ \
		$(top_srcdir)/tests/lab/probe/lab-compat32.c
LAB_PROGS += tests/lab/lab-compat32
CLEANFILES += tests/lab/lab-compat32
endif
# lab-hostile: issue 13's hostile frontend, over the raw Xen libraries.
noinst_PROGRAMS += tests/lab/lab-hostile
tests_lab_lab_hostile_SOURCES = tests/lab/probe/lab-hostile.c \
	tests/lab/probe/lab-check.h
tests_lab_lab_hostile_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS) \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS)
tests_lab_lab_hostile_LDADD = $(XENSTORE_LIBS) $(XENGNTTAB_LIBS) \
	$(XENEVTCHN_LIBS)
tests_lab_lab_hostile_LDFLAGS =
LAB_PROGS += tests/lab/lab-hostile
# lab-kfront: /dev/xen-ism checks of the kfront-perms scenario.
noinst_PROGRAMS += tests/lab/lab-kfront
tests_lab_lab_kfront_SOURCES = tests/lab/probe/lab-kfront.c \
	tests/lab/probe/lab-check.h
tests_lab_lab_kfront_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/frontend-linux/kmod
tests_lab_lab_kfront_LDFLAGS =
LAB_PROGS += tests/lab/lab-kfront
# lab-kfront-ioctl: the kfront-ioctl scenario's raw ioctls of /dev/xen-ism.
noinst_PROGRAMS += tests/lab/lab-kfront-ioctl
tests_lab_lab_kfront_ioctl_SOURCES = tests/lab/probe/lab-kfront-ioctl.c \
	tests/lab/probe/lab-check.h
tests_lab_lab_kfront_ioctl_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/frontend-linux/kmod
tests_lab_lab_kfront_ioctl_LDFLAGS =
LAB_PROGS += tests/lab/lab-kfront-ioctl
# lab-smc: a TCP program for the smc-preload scenario (dynamically linked,
# so that ism-smc-run's preload reaches it).
noinst_PROGRAMS += tests/lab/lab-smc
tests_lab_lab_smc_SOURCES = tests/lab/probe/lab-smc.c \
	tests/lab/probe/lab-check.h
LAB_PROGS += tests/lab/lab-smc
# lab-smcd: TCP streams between two guests for the smcd-* scenarios.
noinst_PROGRAMS += tests/lab/lab-smcd
tests_lab_lab_smcd_SOURCES = tests/lab/probe/lab-smcd.c \
	tests/lab/probe/lab-check.h
LAB_PROGS += tests/lab/lab-smcd

LAB_FILES = tests/lab/lab-env.sh tests/lab/lab-fetch tests/lab/lab-image \
	tests/lab/lab-debs \
	tests/lab/lab-run tests/lab/lab-lib.sh tests/lab/guest-lib.sh \
	tests/lab/wait-lib.sh tests/lab/lab-bench \
	tests/lab/console-tap.awk \
	tests/lab/init/dom0-init tests/lab/init/guest-init tests/lab/init/vif-lab \
	tests/lab/packages
LAB_SCENARIOS = tests/lab/scenarios/smoke.lab \
	tests/lab/scenarios/grant-helper.lab tests/lab/scenarios/net.lab \
	tests/lab/scenarios/exchange.lab tests/lab/scenarios/connect.lab \
	tests/lab/scenarios/perms.lab tests/lab/scenarios/driver-domain.lab \
	tests/lab/scenarios/demo.lab
LAB_SCENARIO_SRC = $(LAB_SCENARIOS) tests/lab/scenarios/smoke-guest.sh \
	tests/lab/scenarios/net-guest.sh tests/lab/scenarios/exchange-guest.sh \
	tests/lab/scenarios/hold-guest.sh tests/lab/scenarios/perms-guest.sh \
	tests/lab/scenarios/dd-guest.sh tests/lab/scenarios/demo-guest.sh
# Issue 5: teardown, a peer's death, limits.
LAB_SCENARIOS += tests/lab/scenarios/teardown.lab \
	tests/lab/scenarios/death.lab tests/lab/scenarios/limits.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/teardown-guest.sh \
	tests/lab/scenarios/death-guest.sh tests/lab/scenarios/limits-guest.sh
# Issue 6: the benchmarks, briefly (bench) and at full length (bench-full,
# `make bench` only).
LAB_SCENARIOS += tests/lab/scenarios/bench.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/bench-guest.sh \
	tests/lab/scenarios/bench-full.lab
# Issue 12: several pairs through one backend, briefly (scale) and at full
# length (scale-full, `make bench` only).
LAB_SCENARIOS += tests/lab/scenarios/scale.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/scale-guest.sh \
	tests/lab/scenarios/scale-full.lab
# Issue 13: a hostile guest attacks the backend (hostile.lab).
LAB_SCENARIOS += tests/lab/scenarios/hostile.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/hostile-guest.sh
# Issue 13's soak: 1000 cycles here, 10000 with `make soak SOAK=full`.
LAB_SCENARIOS += tests/lab/scenarios/soak.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/soak-guest.sh \
	tests/lab/scenarios/soak-full.lab
# Issue 13: xen-ismd restarts (SIGTERM, kill -9) under two exchanging guests.
LAB_SCENARIOS += tests/lab/scenarios/restart.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/restart-guest.sh
# Issue 14: the kernel frontend xen-ismfront and /dev/xen-ism.
LAB_SCENARIOS += tests/lab/scenarios/kfront-exchange.lab \
	tests/lab/scenarios/kfront-mixed.lab \
	tests/lab/scenarios/kfront-perms.lab \
	tests/lab/scenarios/kfront-death.lab \
	tests/lab/scenarios/kfront-unload.lab \
	tests/lab/scenarios/kfront-ioctl.lab
LAB_SCENARIOS += tests/lab/scenarios/kfront-bench.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/kfront-death-guest.sh \
	tests/lab/scenarios/kfront-unload-guest.sh \
	tests/lab/scenarios/kfront-ioctl-guest.sh \
	tests/lab/scenarios/kfront-bench-guest.sh \
	tests/lab/scenarios/kfront-bench-full.lab
# Issue 17: xl save and restore (and migrate, where Xen can) of a guest
# that maps a region, on either frontend.
LAB_SCENARIOS += tests/lab/scenarios/save-restore.lab \
	tests/lab/scenarios/kfront-save-restore.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/save-restore-guest.sh
# Issue 17: the lab on the Debian packages (make check-lab-deb, below).
LAB_SCENARIO_SRC += tests/lab/scenarios/package.lab
# Issue 15: unmodified programs over SMC (ism-smc-run).
LAB_SCENARIOS += tests/lab/scenarios/smc-preload.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/smc-preload-guest.sh
# Issue 15: SMC-D over xen-ism (xen-ism-smcd) between two guests.
LAB_SCENARIOS += tests/lab/scenarios/smcd-stream.lab \
	tests/lab/scenarios/smcd-many.lab \
	tests/lab/scenarios/smcd-fallback.lab \
	tests/lab/scenarios/smcd-death.lab \
	tests/lab/scenarios/smcd-nobufs.lab \
	tests/lab/scenarios/smcd-latency.lab \
	tests/lab/scenarios/smcd-bench.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/smcd-guest.sh \
	tests/lab/scenarios/smcd-lib.sh \
	tests/lab/scenarios/smcd-bench-guest.sh \
	tests/lab/scenarios/smcd-bench-full.lab \
	tests/lab/scenarios/smcd-bench-table \
	tests/lab/scenarios/smcd-pvh.lab
EXTRA_DIST += $(LAB_FILES) $(LAB_SCENARIO_SRC) tests/lab/README.md

# Issue 16: the scenarios of the arm64 lab (Xen arm64 in
# qemu-system-aarch64, PVH guests), `make check-lab` of a tree built for
# arm64; silo runs under Debian's default XSM SILO policy.
LAB_SCENARIOS_ARM64 = tests/lab/scenarios/smoke.lab \
	tests/lab/scenarios/connect.lab tests/lab/scenarios/exchange.lab \
	tests/lab/scenarios/perms.lab tests/lab/scenarios/teardown.lab \
	tests/lab/scenarios/death.lab tests/lab/scenarios/demo.lab \
	tests/lab/scenarios/silo.lab
LAB_SCENARIO_SRC += tests/lab/scenarios/silo.lab

LAB_TESTS += $(if $(filter arm64,$(LAB_ARCH)),$(LAB_SCENARIOS_ARM64),$(LAB_SCENARIOS))

# make check-lab-arm64, make bench-arm64: check-lab and bench on the arm64
# lab, from any tree.  A tree built for arm64 runs its own; a native tree
# cross-builds one in arm64/ (scripts/build: the sysroot of Debian's arm64
# packages) and runs it there.  $(1): the target.
lab_arm64 = \
	if test "$(LAB_ARCH)" = arm64; then \
	  $(MAKE) $(AM_MAKEFLAGS) $(1); \
	else \
	  $(SHELL) $(top_srcdir)/scripts/build '$(abs_top_builddir)/arm64' \
	    --host=aarch64-linux-gnu && \
	  $(MAKE) -C arm64 $(1); \
	fi
check-lab-arm64:
	+@$(call lab_arm64,check-lab)
bench-arm64:
	+@$(call lab_arm64,bench)
PHONY_TARGETS += check-lab-arm64 bench-arm64
TEST_EXTENSIONS = .lab
LAB_LOG_COMPILER = env $(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-run
LAB_LOG_DRIVER = $(LOG_DRIVER)
LAB_LOG_DRIVER_FLAGS = $(LOG_DRIVER_FLAGS)

# The images hold the project as `make install` lays it out; they are
# rebuilt when a program, a lab script or the package cache changes.
LAB_IMAGE_DEPS = $(bin_PROGRAMS) $(sbin_PROGRAMS) $(lib_LTLIBRARIES) \
	$(bin_SCRIPTS) $(sbin_SCRIPTS) \
	$(LAB_PROGS) $(addprefix $(top_srcdir)/,$(LAB_FILES) $(LAB_SCENARIO_SRC))
if ISM_KMOD
# And their sources: kbuild leaves an unchanged module untouched, so that
# xen-ism-smcd.ko (built beside xen-ismfront.ko) changes on its own.
LAB_IMAGE_DEPS += $(KMOD_MODULES) $(addprefix $(top_srcdir)/,$(KMOD_FRONT_SRC))
endif

lab-fetch:
	$(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-fetch

$(LAB_OUT)/dom0.cpio: $(LAB_IMAGE_DEPS) $(LAB_CACHE)/current-$(LAB_ARCH).env
	rm -rf $(LAB_OUT)/install && $(MKDIR_P) $(LAB_OUT)/install
	$(MAKE) $(AM_MAKEFLAGS) install DESTDIR='$(abs_top_builddir)/$(LAB_OUT)/install'
	$(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-image $(LAB_OUT) \
		'$(abs_top_builddir)/$(LAB_OUT)/install' $(LAB_PROGS)

lab-images: lab-fetch
	$(MAKE) $(AM_MAKEFLAGS) $(LAB_OUT)/dom0.cpio

# The README's demo: two guests share memory through xen-ismd.
LAB_DEMO = demo.lab
lab-demo: lab-images
	@$(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-run $(LAB_DEMO)

lab-shell: lab-images
	$(LAB_ENV) LAB_SHELL=1 $(SHELL) $(top_srcdir)/tests/lab/lab-run smoke.lab

# Issue 6's benchmarks at full length (the bench-full scenario): one folder
# bench-results/<UTC date-time>/ per run, with table.txt, results.json,
# the serial and guest logs; bench-results/latest is the last one.
# BENCH_ARGS: more ism-bench arguments, e.g. make bench BENCH_ARGS="--reps 3";
# BENCH_PIN=no leaves the guests' placement to Xen (default: pCPUs 0 and 1).
BENCH_ARGS =
BENCH_PIN = yes
bench: all lab-images
	@$(LAB_ENV) BENCH_ARGS='$(BENCH_ARGS)' BENCH_PIN='$(BENCH_PIN)' \
		BENCH_RESULTS='$(abs_top_builddir)/bench-results' \
		$(SHELL) $(top_srcdir)/tests/lab/lab-bench

# Issue 13's soak: 1000 cycles of a region's life (soak.lab), or 10000
# with SOAK=full (soak-full.lab).  It fails if any check failed: the TAP
# is in tests/lab/logs/soak.tap.
SOAK =
soak: all lab-images
	@$(MKDIR_P) tests/lab/logs; \
	{ $(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-run \
		$(if $(SOAK),soak-full.lab,soak.lab); \
	  echo "$$?" >tests/lab/logs/soak.rc; } | tee tests/lab/logs/soak.tap; \
	test "$$(cat tests/lab/logs/soak.rc)" = 0 && \
		! grep -q '^not ok' tests/lab/logs/soak.tap

# Issue 17: the lab booted from the Debian packages (scripts/debs's
# output, build-deb/ of the source tree, and the modules DKMS built
# there) instead of `make install`, in its own images (tests/lab/out-deb),
# running package.lab: checks that the packages' files are what runs,
# then the demo.
LAB_DEB_DIR = $(abs_top_srcdir)/build-deb
LAB_DEB_OUT = tests/lab/out-deb
LAB_DEB_SCENARIOS = tests/lab/scenarios/package.lab
check-lab-deb: all lab-fetch
	rm -rf $(LAB_DEB_OUT)/install && $(MKDIR_P) $(LAB_DEB_OUT)/install
	$(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-debs '$(LAB_DEB_DIR)' \
		'$(abs_top_builddir)/$(LAB_DEB_OUT)/install'
	$(LAB_ENV) $(SHELL) $(top_srcdir)/tests/lab/lab-image $(LAB_DEB_OUT) \
		'$(abs_top_builddir)/$(LAB_DEB_OUT)/install' $(LAB_PROGS)
	$(MAKE) $(AM_MAKEFLAGS) -j1 check TESTS="$(LAB_DEB_SCENARIOS)" \
		LAB_OUT=$(LAB_DEB_OUT)

clean-lab:
	rm -rf $(LAB_OUT) $(LAB_DEB_OUT) tests/lab/logs

PHONY_TARGETS += lab-fetch lab-images lab-demo lab-shell bench soak clean-lab \
	check-lab-deb

# The part of the lab that judges a run is unit-tested in `make check`.
TESTS += tests/lab/test-console-tap.sh tests/lab/test-smcd-bench-table.sh
EXTRA_DIST += tests/lab/test-console-tap.sh tests/lab/test-smcd-bench-table.sh \
	tests/lab/fixtures/finished.serial \
	tests/lab/fixtures/hung.serial tests/lab/fixtures/crashed.serial
