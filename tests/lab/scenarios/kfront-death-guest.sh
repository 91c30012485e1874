#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the kfront-death scenario (roles a, b; see
# kfront-death.lab).  ism(1) runs as user "ism" on the kernel frontend.
. /lab/guest-lib.sh
pattern() { yes "kfront death 0123456789" | head -c 65536; }
read_all() { [ "$(wc -c </tmp/got 2>/dev/null || echo 0)" -ge 65536 ]; }
kfront_use
peer=$(get lab/peer)

case $1 in
a)
	# A process killed while it holds a region releases it.
	ism alloc 64K --sleep 600001 >/dev/null &
	wait_until 120 slots_are 1 &&
		echo "ok - a process of user ism holds a 64 KiB region (slots-used 1)" ||
		echo "not ok - a process of user ism holds a 64 KiB region (slots-used $(slots_used))"
	kill_cmd KILL 600001
	wait
	wait_until 60 slots_are 0 &&
		echo "ok - killed with SIGKILL, its region is released (slots-used 0)" ||
		echo "not ok - killed with SIGKILL, its region is released (slots-used $(slots_used))"
	xenstore-write lab/killed 1
	# Share with b, which dom0 destroys while it maps the region.
	pattern >/tmp/pattern
	ism alloc 64K --publish kd --peer "$peer" --wait-peer \
		--write /tmp/pattern --notify --wait-detach --timeout 420000 \
		>/dev/null
	check "ism --wait-detach returns 0 when b is destroyed" 0 $?
	;;
b)
	await lab/go 600 >/dev/null
	ism attach --lookup kd --from "$peer" --wait --read /tmp/got \
		--sleep 600000 &
	wait_until 120 read_all
	pattern | cmp -s - /tmp/got && echo "ok - b attached, mapped and read a's data" ||
		echo "not ok - b attached, mapped and read a's data"
	xenstore-write lab/attached 1
	wait
	echo "not ok - b was not destroyed while it held the region"
	;;
esac
kernel_clean && echo "ok - the kernel log is clean" ||
	echo "not ok - the kernel log is clean: $(head -n 3 /tmp/kbad)"
