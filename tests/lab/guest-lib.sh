# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for the guest halves of lab scenarios (busybox sh in a guest).
# A guest reports checks as "ok - ..." / "not ok - ..." console lines,
# which dom0's guest_tap turns into tests.  Every wait is wait-lib.sh's
# wait_until, bounded by the clock.
. /lab/wait-lib.sh

# The lab must pass on a busy host, where xen-ismd may take longer than
# libxenism's 10 s to connect a device: every ism program here waits a
# minute (ism_dev_open(3), ISM_TIMEOUT_MS).
export ISM_TIMEOUT_MS=60000

# get PATH: wait (up to 3 minutes) until the xenstore node exists; print
# it.  A node of another guest goes with that guest: wait only for one
# whose guest stays until it is told (`get lab/end` after writing it).
get()
{
	wait_until 180 xenstore-read "$1" 2>/dev/null
}

# await PATH [SECONDS]: get for a guest that waits long among many (up to
# SECONDS, default 180): it sleeps on one xenstore watch (watch_until)
# rather than looking ten times a second.
await()
{
	local path=$1
	case $path in
	/*) ;;
	*) path=/local/domain/$(xenstore-read domid)/$path ;;
	esac
	watch_until "${2:-180}" "$path" xenstore-read "$path" 2>/dev/null
}

# check DESCRIPTION WANTED-STATUS ACTUAL-STATUS: one check of an exit status.
check()
{
	[ "$3" = "$2" ] && echo "ok - $1" || echo "not ok - $1 (exit $3, want $2)"
}

# send_file NAME FILE: send FILE to dom0 through the console, its lines
# behind "@file@ NAME | " and then its md5 sum; dom0's guest_file takes it
# out of the console log.  NAME: letters, digits, '.', '-'.
send_file()
{
	[ -f "$2" ] || return 1
	sed "s/^/@file@ $1 | /" "$2"
	echo "@file@ $1 md5 $(md5sum <"$2" | cut -d' ' -f1)"
}

# reach ADDR: wait (up to 30 s) until ADDR answers a ping.
reach()
{
	local WAIT_STEP=0.5
	wait_until 30 ping -c 1 -W 1 "$1" >/dev/null 2>&1
}
