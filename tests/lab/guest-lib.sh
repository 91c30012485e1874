# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for the guest halves of lab scenarios (busybox sh in a guest).
# A guest reports checks as "ok - ..." / "not ok - ..." console lines,
# which dom0's guest_tap turns into tests.

# get PATH: wait (up to 3 minutes) until the xenstore node exists; print it.
get()
{
	i=0
	until xenstore-read "$1" 2>/dev/null || [ $i -ge 1800 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

# check DESCRIPTION WANTED-STATUS ACTUAL-STATUS: one check of an exit status.
check()
{
	[ "$3" = "$2" ] && echo "ok - $1" || echo "not ok - $1 (exit $3, want $2)"
}
