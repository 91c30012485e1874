# SPDX-License-Identifier: GPL-2.0-or-later
#
# The backend daemon, xen-ismd.  The platform seam (platform.h) is the one
# interface between the core and Xen; tests/fake implements it, backend/xen
# is the real one.  The core (libismbackend.la, a convenience library) holds
# the protocol logic; the daemon and the unit tests link it.

# Flags for anything that includes backend headers (the core, the fake and
# the unit tests).
ISM_BACKEND_CPPFLAGS = -I$(top_srcdir)/backend

EXTRA_DIST += backend/platform.h

noinst_LTLIBRARIES += backend/libismbackend.la
backend_libismbackend_la_SOURCES = \
	backend/ism-backend.h \
	backend/core.h \
	backend/backend.c \
	backend/device.c \
	backend/ring.c \
	backend/request.c \
	backend/control.c \
	backend/region.c \
	backend/pages.c \
	backend/state.c \
	backend/rate.c \
	backend/token.c \
	backend/perm.c \
	backend/quota.c \
	backend/events.c \
	backend/xsval.c \
	backend/xsval.h \
	backend/hash.c \
	backend/hash.h
backend_libismbackend_la_CPPFLAGS = $(AM_CPPFLAGS) $(ISM_BACKEND_CPPFLAGS)
