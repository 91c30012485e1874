# SPDX-License-Identifier: GPL-2.0-or-later
#
# The grant helper, a Linux kernel module for the backend domain, built
# with kbuild against the kernel tree configure found (--with-linux-headers)
# and installed to $(DESTDIR)/lib/modules/<release>/updates/.

KMOD_SRC = backend/kmod/Kbuild backend/kmod/xen-ism-gnt.c backend/kmod/xen-ism-gnt.h
EXTRA_DIST += $(KMOD_SRC)

if ISM_KMOD
KMOD_DIR = $(abs_top_builddir)/backend/kmod

# kbuild builds in the directory of its sources: link them into the build
# tree (a no-op when building in the source tree).
kmod: $(addprefix $(top_srcdir)/,$(KMOD_SRC))
	@$(MKDIR_P) $(KMOD_DIR)
	@for f in $(KMOD_SRC); do \
	  test -e $(KMOD_DIR)/$${f##*/} || ln -s $(abs_top_srcdir)/$$f $(KMOD_DIR)/; \
	done
	$(AM_V_GEN)$(MAKE) -C $(LINUX_HEADERS) M=$(KMOD_DIR) $(if $(AM_V_P:false=),,-s) modules

all-local: kmod

install-exec-local: kmod
	$(MKDIR_P) $(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates
	$(INSTALL_DATA) $(KMOD_DIR)/xen-ism-gnt.ko \
		$(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates/

uninstall-local:
	rm -f $(DESTDIR)/lib/modules/$(LINUX_RELEASE)/updates/xen-ism-gnt.ko

clean-kmod:
	-$(MAKE) -C $(LINUX_HEADERS) M=$(KMOD_DIR) clean >/dev/null 2>&1
else
kmod:
	@echo "kmod: no kernel headers were found by configure (--with-linux-headers)"; exit 1
clean-kmod:
endif
PHONY_TARGETS += kmod clean-kmod
