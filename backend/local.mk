# SPDX-License-Identifier: GPL-2.0-or-later
#
# The backend daemon, xen-ismd.  So far: the platform seam (platform.h), the
# one interface between the core and Xen; tests/fake implements it.

# Flags for anything that includes backend headers (the core, the fake and
# the unit tests).
ISM_BACKEND_CPPFLAGS = -I$(top_srcdir)/backend

EXTRA_DIST += backend/platform.h
