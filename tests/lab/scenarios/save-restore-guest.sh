#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the save-restore scenario (roles a, b; see
# save-restore.lab).  b is saved while it maps a's region, and restored.
# $2: the frontend, user or kernel.
. /lab/guest-lib.sh
[ "$2" = kernel ] && kfront_use
pattern() { yes "save and restore, round $1 0123456789" | head -c 65536; }
got_all() { [ -f "$1" ] && [ "$(wc -c <"$1")" -ge 65536 ]; }

# a_round N PEER-NODE WHAT: publish region srN for the peer that
# PEER-NODE names, write pattern N into it, wait until the peer detached.
a_round()
{
	local peer
	peer=$(get "lab/$2")
	pattern "$1" >/tmp/p$1
	ism alloc 64K --publish "sr$1" --peer "$peer" --wait-peer \
		--write /tmp/p$1 --notify --wait-detach --timeout 600000 >/dev/null
	check "a: $3" 0 $?
}

# b_round N AFTER: once dom0 wrote lab/roundN (after AFTER), attach to
# a's region srN on this guest's device and check what it holds.
b_round()
{
	get "lab/round$1" >/dev/null &&
		echo "ok - b: runs on after the $2, as domain $(xenstore-read domid)" ||
		echo "not ok - b: runs on after the $2"
	ism attach --lookup "sr$1" --from "$peer" --wait --read /tmp/got$1
	check "b: a new process attaches to a's region $1 after the $2" 0 $?
	pattern "$1" | cmp -s - /tmp/got$1 && echo "ok - b: ... and reads it" ||
		echo "not ok - b: ... and reads it"
}

case $1 in
a)
	a_round 1 peer "its wait for b's detach ends when b is saved (its domain died)"
	xenstore-write lab/round1 1
	# b's new domid once dom0 restored it, then once it migrated it.
	a_round 2 peer2 "shares a new region with the restored b"
	a_round 3 peer3 "shares a new region with b after its migration"
	;;
b)
	peer=$(get lab/peer)
	ism attach --lookup sr1 --from "$peer" --wait --read /tmp/got1 \
		--sleep 600000 &
	old=$!
	wait_until 120 got_all /tmp/got1
	pattern 1 | cmp -s - /tmp/got1 && echo "ok - b: attached, mapped and read a's region" ||
		echo "not ok - b: attached, mapped and read a's region"
	xenstore-write lab/attached 1
	# dom0 saves this guest now, and restores it: it goes on here, in a
	# new domain whose home dom0 marks with lab/round2.
	b_round 2 restore
	# dom0 migrates this guest now (to the same host): again a new domain,
	# where Xen can migrate it (see save-restore.lab).
	xenstore-write lab/round2-done 1
	b_round 3 migration
	# The process that held the device before the save lost its mappings
	# and its event channel in the restore, and dies; Linux 6.1's evtchn
	# driver BUGs when its port is closed (evtchn_unbind_from_user: the
	# port has no irq after a restore), which leaves the process stuck in
	# its exit.  Not ours to fix; the kernel frontend is the way for
	# guests that are saved.
	kill -KILL "$old" 2>/dev/null
	old_gone() { ! kill -0 "$old" 2>/dev/null; }
	wait_until 10 old_gone
	if dmesg | grep -q 'kernel BUG at drivers/xen/evtchn.c'; then
		echo "not ok - b: the process that held the device before the save exits cleanly # TODO Linux 6.1's evtchn driver BUGs closing a port lost in the restore"
		exit 0
	fi
	echo "ok - b: the process that held the device before the save exits cleanly"
	dmesg | grep -iE 'ism|grant' | tail -n 20 | sed 's/^/# b: dmesg: /'
	;;
esac
kernel_clean && echo "ok - $1: the kernel log is clean" ||
	echo "not ok - $1: the kernel log is clean: $(head -n 3 /tmp/kbad)"
