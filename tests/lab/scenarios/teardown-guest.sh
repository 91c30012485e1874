#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the teardown scenario (roles a, b; see teardown.lab).
. /lab/guest-lib.sh
pattern() { yes "teardown pattern 0123456789" | head -c 65536; }
peer=$(get lab/peer)

# Phase 1: a whole exchange with ism(1).
case $1 in
a)
	pattern >/tmp/pattern
	ism alloc 64K --publish td --peer "$peer" --wait-peer \
		--write /tmp/pattern --notify --wait-detach >/dev/null
	check "alloc, publish, write, notify, wait until b detached" 0 $?
	;;
b)
	ism attach --lookup td --from "$peer" --wait --read /tmp/got
	check "look up, attach, wait for the update, read" 0 $?
	pattern | cmp -s - /tmp/got && echo "ok - b read a's 64 KiB" ||
		echo "not ok - b read a's 64 KiB"
	;;
esac
xenstore-write lab/p1 1

# Phase 2: a frees the region while b still maps it.
get lab/p2 >/dev/null
case $1 in
a)
	lab-region alloc 65536 fill put lab/token @token event attached \
		get lab/free-now free put lab/freed 1
	check "lab-region: alloc, fill, wait for b, free" 0 $?
	;;
b)
	lab-region attach "@/local/domain/$peer/lab/token" \
		check "b reads a's data" put lab/mapped 1 \
		event released \
		check "b still reads a's data after a freed the region" \
		put lab/held 1 get lab/go detach put lab/detached 1
	check "lab-region: attach, check, released, check again, detach" 0 $?
	;;
esac

# Phase 3: a region of 17 MiB, more pages than one grant batch.
get lab/p3 >/dev/null
case $1 in
a)
	lab-region alloc 17825792 fill put lab/token3 @token event attached \
		event detached free put lab/freed3 1
	check "lab-region: 17 MiB: alloc, fill, wait for b, free" 0 $?
	;;
b)
	lab-region attach "@/local/domain/$peer/lab/token3" \
		check "b reads a's 17 MiB" detach put lab/detached3 1
	check "lab-region: attach a's 17 MiB region, check it, detach" 0 $?
	;;
esac
# Until dom0 has read the flags: a guest's nodes go with it.
get lab/end >/dev/null
exit 0
