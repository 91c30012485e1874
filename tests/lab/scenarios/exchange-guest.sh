#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the exchange scenario: "a" allocates, publishes, writes
# and waits for the reply; "b" looks up, attaches, checks and replies.
# With "kernel" as the second argument (kfront-exchange, kfront-mixed) the
# device is the kernel frontend's and ism(1) runs as user "ism", who is in
# group xen-ism and could not open gntdev or xenstore.
. /lab/guest-lib.sh
role=$1
front=${2:-user}
if [ "$front" = kernel ]; then
	kfront_use
	as_user ism ism info >/tmp/info 2>&1
	check "ism info as user ism: $(tr '\n' ' ' </tmp/info)" 0 $?
fi
peer=$(wait_until 30 xenstore-read lab/peer 2>/dev/null)
pattern() { yes "xen-ism pattern 0123456789abcdef" | head -c 1048576; }
reply() { yes "reply from guest b" | head -c 4096; }

case $role in
a)
	pattern >/tmp/pattern
	ism alloc 1M --publish demo --peer "$peer" --wait-peer \
		--write /tmp/pattern --notify --wait --length 4096 \
		--read /tmp/reply --wait-detach
	rc=$?
	[ $rc = 0 ] && echo "ok - alloc 1 MiB, publish, write, notify, wait for the reply" ||
		echo "not ok - alloc 1 MiB, publish, write, notify, wait for the reply (ism exit $rc)"
	reply | cmp -s - /tmp/reply && echo "ok - the reply guest b wrote is in the region" ||
		echo "not ok - the reply guest b wrote is in the region"
	;;
b)
	reply >/tmp/reply
	ism attach --lookup demo --from "$peer" --wait --read /tmp/got \
		--write /tmp/reply --notify
	rc=$?
	[ $rc = 0 ] && echo "ok - look up, attach, wait for the update, read, reply, notify" ||
		echo "not ok - look up, attach, wait for the update, read, reply, notify (ism exit $rc)"
	pattern | cmp -s - /tmp/got && echo "ok - every byte of the 1 MiB guest a wrote arrived" ||
		echo "not ok - every byte of the 1 MiB guest a wrote arrived ($(wc -c </tmp/got) bytes)"
	;;
esac
if [ "$front" = kernel ]; then
	kernel_clean && echo "ok - the kernel log is clean" ||
		echo "not ok - the kernel log is clean: $(head -n 3 /tmp/kbad)"
fi
