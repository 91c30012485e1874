# SPDX-License-Identifier: GPL-2.0-or-later
#
# xenstore-schema/: the xen-ism protocol.  ismif.h is the definition,
# ism-nodes.txt the machine-readable node list, ism-protocol.md is rendered
# from both (committed; `make update-ism-protocol-md` regenerates it), and
# ism-schema-check validates xenstore dumps against the node list.

ISM_SCHEMA_DIR = $(top_srcdir)/xenstore-schema

# The public header, for frontends and backends of other projects too.
ismincludedir = $(includedir)/xen-ism
isminclude_HEADERS = xenstore-schema/ismif.h

# The node list, read at run time by ism-schema-check.
ismnodesdir = $(pkgdatadir)
dist_ismnodes_DATA = xenstore-schema/ism-nodes.txt

# The rendered protocol document.
ismprotodocdir = $(docdir)
dist_ismprotodoc_DATA = xenstore-schema/ism-protocol.md

bin_PROGRAMS += ism-schema-check
ism_schema_check_SOURCES = xenstore-schema/ism-schema-check.c \
	xenstore-schema/schema.c xenstore-schema/schema.h
ism_schema_check_CPPFLAGS = $(AM_CPPFLAGS) \
	-DISM_NODES_DEFAULT='"$(pkgdatadir)/ism-nodes.txt"'
dist_man_MANS += xenstore-schema/ism-schema-check.1

EXTRA_DIST += xenstore-schema/render-md.awk xenstore-schema/ism-wire.size \
	xenstore-schema/tests/dumps.sh xenstore-schema/tests/doc.sh \
	$(ISM_SCHEMA_DUMPS)

# Header checks: ismif.h alone, as C99, C11, C++98 and C++11, warnings as
# errors; the size assertions are active in C11 and C++11.
ISM_HDR_CFLAGS = -Wall -Wextra -Werror -pedantic-errors
check_PROGRAMS += xenstore-schema/tests/hdr-c99 xenstore-schema/tests/hdr-c11 \
	xenstore-schema/tests/hdr-cxx98 xenstore-schema/tests/hdr-cxx11
xenstore_schema_tests_hdr_c99_SOURCES = xenstore-schema/tests/hdr.c
xenstore_schema_tests_hdr_c99_CFLAGS = $(AM_CFLAGS) -std=c99 $(ISM_HDR_CFLAGS)
xenstore_schema_tests_hdr_c11_SOURCES = xenstore-schema/tests/hdr.c
xenstore_schema_tests_hdr_c11_CFLAGS = $(AM_CFLAGS) -std=c11 $(ISM_HDR_CFLAGS)
xenstore_schema_tests_hdr_cxx98_SOURCES = xenstore-schema/tests/hdr.cc
xenstore_schema_tests_hdr_cxx98_CXXFLAGS = $(AM_CXXFLAGS) -std=c++98 \
	$(ISM_HDR_CFLAGS)
xenstore_schema_tests_hdr_cxx11_SOURCES = xenstore-schema/tests/hdr.cc
xenstore_schema_tests_hdr_cxx11_CXXFLAGS = $(AM_CXXFLAGS) -std=c++11 \
	$(ISM_HDR_CFLAGS)

# Wire sizes against the reference file; node names against the macros.
check_PROGRAMS += xenstore-schema/tests/wire-sizes xenstore-schema/tests/fields
xenstore_schema_tests_wire_sizes_SOURCES = xenstore-schema/tests/wire-sizes.c
xenstore_schema_tests_wire_sizes_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
xenstore_schema_tests_fields_SOURCES = xenstore-schema/tests/fields.c \
	xenstore-schema/schema.c xenstore-schema/schema.h
xenstore_schema_tests_fields_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)

# The checker against good and bad dumps (one file per case, curl style).
ISM_SCHEMA_DUMPS = \
	xenstore-schema/tests/dumps/bad-bool.dump \
	xenstore-schema/tests/dumps/bad-devid-dup.dump \
	xenstore-schema/tests/dumps/bad-devid-zero.dump \
	xenstore-schema/tests/dumps/bad-dir-value.dump \
	xenstore-schema/tests/dumps/bad-duplicate.dump \
	xenstore-schema/tests/dumps/bad-early-frontend.dump \
	xenstore-schema/tests/dumps/bad-evtchn.dump \
	xenstore-schema/tests/dumps/bad-frontend-id.dump \
	xenstore-schema/tests/dumps/bad-frontend-path.dump \
	xenstore-schema/tests/dumps/bad-gid-mismatch.dump \
	xenstore-schema/tests/dumps/bad-gid-zero.dump \
	xenstore-schema/tests/dumps/bad-gref.dump \
	xenstore-schema/tests/dumps/bad-hex64.dump \
	xenstore-schema/tests/dumps/bad-leading-zero.dump \
	xenstore-schema/tests/dumps/bad-min-devices.dump \
	xenstore-schema/tests/dumps/bad-missing-frontend-id.dump \
	xenstore-schema/tests/dumps/bad-missing-gid.dump \
	xenstore-schema/tests/dumps/bad-missing-ring-ref.dump \
	xenstore-schema/tests/dumps/bad-nested-node.dump \
	xenstore-schema/tests/dumps/bad-no-perms.dump \
	xenstore-schema/tests/dumps/bad-not-full-path.dump \
	xenstore-schema/tests/dumps/bad-orphan-backend.dump \
	xenstore-schema/tests/dumps/bad-orphan-frontend.dump \
	xenstore-schema/tests/dumps/bad-perms-extra.dump \
	xenstore-schema/tests/dumps/bad-perms-missing.dump \
	xenstore-schema/tests/dumps/bad-perms-no-reader.dump \
	xenstore-schema/tests/dumps/bad-perms-owner.dump \
	xenstore-schema/tests/dumps/bad-perms-world.dump \
	xenstore-schema/tests/dumps/bad-range.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-dir.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-gid.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-name.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-perms.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-self.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-token.dump \
	xenstore-schema/tests/dumps/bad-rendezvous-value.dump \
	xenstore-schema/tests/dumps/bad-size.dump \
	xenstore-schema/tests/dumps/bad-state-mismatch.dump \
	xenstore-schema/tests/dumps/bad-state.dump \
	xenstore-schema/tests/dumps/bad-text.dump \
	xenstore-schema/tests/dumps/bad-truncated.dump \
	xenstore-schema/tests/dumps/bad-unknown-node.dump \
	xenstore-schema/tests/dumps/bad-unreadable.dump \
	xenstore-schema/tests/dumps/bad-version.dump \
	xenstore-schema/tests/dumps/bad-versions.dump \
	xenstore-schema/tests/dumps/good-allow-unknown.dump \
	xenstore-schema/tests/dumps/good-closed.dump \
	xenstore-schema/tests/dumps/good-connected.dump \
	xenstore-schema/tests/dumps/good-initwait.dump \
	xenstore-schema/tests/dumps/good-one-device.dump


TESTS += xenstore-schema/tests/hdr-c99 xenstore-schema/tests/hdr-c11 \
	xenstore-schema/tests/hdr-cxx98 xenstore-schema/tests/hdr-cxx11 \
	xenstore-schema/tests/wire-sizes xenstore-schema/tests/fields \
	xenstore-schema/tests/dumps.sh xenstore-schema/tests/doc.sh

# ism-protocol.md is generated by render-md.awk and committed, so that it
# can be read on the web; tests/doc.sh fails when the copy is stale.
ISM_MD_INPUTS = $(ISM_SCHEMA_DIR)/ismif.h $(ISM_SCHEMA_DIR)/ism-nodes.txt \
	$(ISM_SCHEMA_DIR)/ism-wire.size
ISM_MD_RENDER = $(AWK) -f $(ISM_SCHEMA_DIR)/render-md.awk $(ISM_MD_INPUTS) \
	$(ISM_SCHEMA_DIR)/ismif.h

xenstore-schema/ism-protocol.md.new: $(ISM_MD_INPUTS) \
		$(ISM_SCHEMA_DIR)/render-md.awk
	@$(MKDIR_P) xenstore-schema
	$(AM_V_GEN)$(ISM_MD_RENDER) > $@.tmp && mv $@.tmp $@
CLEANFILES += xenstore-schema/ism-protocol.md.new

update-ism-protocol-md: xenstore-schema/ism-protocol.md.new
	cp xenstore-schema/ism-protocol.md.new $(ISM_SCHEMA_DIR)/ism-protocol.md

# Print the wire sizes in the format of ism-wire.size.
ism-wire-sizes: xenstore-schema/tests/wire-sizes
	@xenstore-schema/tests/wire-sizes --print

.PHONY: update-ism-protocol-md ism-wire-sizes
