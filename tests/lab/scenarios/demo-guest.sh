#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guests of the demo: A ("a") and B ("b").  Lines "# ..." are the
# transcript; "ok - ..." lines are its checks.
. /lab/guest-lib.sh
peer=$(wait_until 30 xenstore-read lab/peer 2>/dev/null)
me=$(xenstore-read domid)
say() { echo "# $*"; }
msg="Hello from guest A (domain $me): these bytes crossed no network."

case $1 in
a)
	say "allocating a 64 KiB region and publishing its token as 'demo' for domain $peer"
	echo "$msg" >/tmp/msg
	ism alloc 64K --publish demo --peer "$peer" --wait-peer \
		--write /tmp/msg --notify --wait --length 80 --read /tmp/answer \
		--wait-detach >/tmp/token
	rc=$?
	say "the token was $(head -n 1 /tmp/token); B attached, A wrote and notified"
	say "B's answer, read in place: $(tr -d '\0' </tmp/answer)"
	[ $rc = 0 ] && grep -q "Hello back" /tmp/answer &&
		echo "ok - A got B's answer through the shared region" ||
		echo "not ok - A got B's answer through the shared region (ism exit $rc)"
	;;
b)
	say "looking up 'demo' in domain $peer's xenstore, attaching, waiting for an update"
	echo "Hello back from guest B (domain $me): message received." >/tmp/answer
	ism attach --lookup demo --from "$peer" --wait --length 80 --read /tmp/got \
		--write /tmp/answer --notify
	rc=$?
	say "woken by the event, B read: $(tr -d '\0' </tmp/got)"
	[ $rc = 0 ] && grep -q "Hello from guest A" /tmp/got &&
		echo "ok - B read A's message after the update event" ||
		echo "not ok - B read A's message after the update event (ism exit $rc)"
	;;
esac
exit 0
