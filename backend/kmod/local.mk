# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project's Linux kernel modules, built with kbuild against the kernel
# tree configure found (--with-linux-headers) and installed to
# $(DESTDIR)/lib/modules/<release>/updates/:
#  - xen-ism-gnt.ko, the grant helper of the backend domain (backend/kmod);
#  - xen-ismfront.ko, the guest's kernel frontend (frontend-linux/kmod);
#  - xen-ism-smcd.ko, SMC-D on it, built beside it where the kernel has
#    SMC and 6.1's SMC-D driver interface (frontend-linux/kmod/Kbuild).
# All include the protocol header from xenstore-schema/.

KMOD_GNT_SRC = backend/kmod/Kbuild backend/kmod/xen-ism-gnt.c \
	backend/kmod/xen-ism-gnt.h
EXTRA_DIST += $(KMOD_GNT_SRC) $(KMOD_FRONT_SRC)

if ISM_KMOD
# A cross build (configure --host) hands kbuild the kernel's architecture
# and the cross compiler's prefix.
KMOD_CROSS = $(if $(ISM_KCROSS),ARCH=$(ISM_KARCH) CROSS_COMPILE=$(ISM_KCROSS))
KMOD_MODULES = backend/kmod/xen-ism-gnt.ko frontend-linux/kmod/xen-ismfront.ko

# kbuild builds in the directory of its sources: link them into the build
# tree (a no-op when building in the source tree).  $(1): the directory,
# $(2): its sources.
kmod_build = \
	$(MKDIR_P) $(abs_top_builddir)/$(1) && \
	for f in $(2); do \
	  test -e $(abs_top_builddir)/$(1)/$${f\#\#*/} || \
	    ln -s $(abs_top_srcdir)/$$f $(abs_top_builddir)/$(1)/; \
	done && \
	$(MAKE) -C $(LINUX_HEADERS) M=$(abs_top_builddir)/$(1) $(KMOD_CROSS) \
	  ISM_SCHEMA=$(abs_top_srcdir)/xenstore-schema \
	  $(if $(AM_V_P:false=),,-s) modules

# The modules are files with their sources as prerequisites, so that the
# lab's images are rebuilt when a module changed (kbuild leaves a module
# that is up to date untouched).
backend/kmod/xen-ism-gnt.ko: $(addprefix $(top_srcdir)/,$(KMOD_GNT_SRC))
	+$(AM_V_GEN)$(call kmod_build,backend/kmod,$(KMOD_GNT_SRC))

frontend-linux/kmod/xen-ismfront.ko: \
		$(addprefix $(top_srcdir)/,$(KMOD_FRONT_SRC)) \
		$(top_srcdir)/xenstore-schema/ismif.h
	+$(AM_V_GEN)$(call kmod_build,frontend-linux/kmod,$(KMOD_FRONT_SRC))

kmod-gnt: backend/kmod/xen-ism-gnt.ko
kmod-front: frontend-linux/kmod/xen-ismfront.ko

kmod: kmod-gnt kmod-front

all-local: kmod

# Built only for kernels that have what it needs (see above).
KMOD_SMCD = frontend-linux/kmod/xen-ism-smcd.ko

# modprobe (xen-ismd.service's ExecStartPre) finds a module only through
# depmod's index, which an install into the running system updates; a
# staged one (DESTDIR) leaves that to whoever installs its files.
KMOD_DEPMOD = test -n "$(DESTDIR)" || depmod -a $(LINUX_RELEASE)

install-exec-local: kmod
	$(MKDIR_P) $(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates
	$(INSTALL_DATA) $(KMOD_MODULES) $(wildcard $(KMOD_SMCD)) \
		$(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates/
	$(KMOD_DEPMOD)

uninstall-local:
	cd $(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates && \
		rm -f $(notdir $(KMOD_MODULES) $(KMOD_SMCD))
	$(KMOD_DEPMOD)

clean-kmod:
	-for d in backend/kmod frontend-linux/kmod; do \
	  $(MAKE) -C $(LINUX_HEADERS) M=$(abs_top_builddir)/$$d $(KMOD_CROSS) clean >/dev/null 2>&1; \
	done
else
kmod kmod-gnt kmod-front:
	@echo "kmod: no kernel headers were found by configure (--with-linux-headers)"; exit 1
clean-kmod:
endif
PHONY_TARGETS += kmod kmod-gnt kmod-front clean-kmod
