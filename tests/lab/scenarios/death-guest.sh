#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the death scenario (roles a, b, c, w; see death.lab).
# Exit status of ism(1) --wait-detach: 0 when the peer detached or is gone.
. /lab/guest-lib.sh
pattern() { yes "death pattern 0123456789" | head -c 65536; }
reply() { yes "reply from guest c" | head -c 4096; }
read_all() { [ "$(wc -c </tmp/got 2>/dev/null || echo 0)" -ge 65536 ]; }
peer=$(get lab/peer)

case $1 in
a)
	pattern >/tmp/pattern
	ism alloc 64K --publish dn --peer "$peer" --wait-peer \
		--write /tmp/pattern --notify --wait-detach --timeout 120000 \
		>/dev/null
	check "ism --wait-detach returns 0 when the peer is gone" 0 $?
	xenstore-read lab/destroyed >/dev/null 2>&1 &&
		echo "ok - the wait ended after dom0 destroyed b" ||
		echo "not ok - the wait ended after dom0 destroyed b (before it)"
	xenstore-write lab/p1 1
	c=$(get lab/c)
	ism alloc 64K --publish dc --peer "$c" --wait-peer \
		--write /tmp/pattern --notify --wait --length 4096 \
		--read /tmp/reply --wait-detach >/dev/null
	check "alloc again, share with c, write, notify, wait for the reply" 0 $?
	reply | cmp -s - /tmp/reply && echo "ok - c's reply is in the region" ||
		echo "not ok - c's reply is in the region"
	;;
b)
	ism attach --lookup dn --from "$peer" --wait --read /tmp/got \
		--sleep 600000 &
	wait_until 120 read_all
	pattern | cmp -s - /tmp/got && echo "ok - b attached and read a's data" ||
		echo "not ok - b attached and read a's data"
	xenstore-write lab/attached 1
	wait
	echo "not ok - b was not destroyed while it held the region"
	;;
c)
	reply >/tmp/reply
	ism attach --lookup dc --from "$peer" --wait --read /tmp/got \
		--write /tmp/reply --notify
	check "c looks up, attaches, reads, replies" 0 $?
	pattern | cmp -s - /tmp/got && echo "ok - c read a's data" ||
		echo "not ok - c read a's data"
	;;
w)
	ism alloc 4K --wait-peer --timeout -1 >/tmp/out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/out
	[ $rc != 0 ] && grep -q "^ism: wait: " /tmp/out &&
		echo "ok - a wait with no time limit ends when the backend closes (exit $rc)" ||
		echo "not ok - a wait with no time limit ends when the backend closes (exit $rc)"
	;;
esac
exit 0
