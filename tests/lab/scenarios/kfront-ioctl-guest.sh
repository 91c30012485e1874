#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the kfront-ioctl scenario (see kfront-ioctl.lab).
# Role "a" runs lab-kfront-ioctl's owner part, then its gone part; role
# "b" its peer part; each as user "ism" of group xen-ism.  Root here only
# sets up, looks at xenstore and the kernel log, and paces the owner: it
# unpublishes once root has seen the name's permissions.
. /lab/guest-lib.sh
role=$1
kfront_use
self=$(xenstore-read domid)
peer=$(wait_until 30 xenstore-read lab/peer 2>/dev/null)
as_user outsider lab-kfront-ioctl outsider
check "lab-kfront-ioctl outsider, as user outsider" 0 $?

case $role in
a)
	rm -f /tmp/kio-unpublish /tmp/kio-ready
	as_user ism lab-kfront-ioctl owner "$self" "$peer" "$devid" &
	pid=$!
	published() { xenstore-read data/ism/kio >/dev/null 2>&1; }
	# The owner publishes the name for dom0 first, then for the peer.
	perms() { xenstore-ls -p "/local/domain/$self/data" 2>&1 | tr -s ' .' ' '; }
	for_peer() {
		case $(perms) in
		*"ism = \"\" (n$self)"*"kio = \""*"\" (n$self,r$peer)"*) ;;
		*) return 1 ;;
		esac
	}
	for_peer_or_ended() { for_peer || ! kill -0 $pid 2>/dev/null; }
	wait_for_peer() { local WAIT_STEP=0.5; wait_until 300 for_peer_or_ended; }
	wait_for_peer
	perms | sed 's/^/# /'
	for_peer && echo "ok - PUBLISH: data/ism is (n$self), data/ism/kio (n$self,r$peer)" ||
		echo "not ok - PUBLISH: data/ism is (n$self), data/ism/kio (n$self,r$peer)"
	touch /tmp/kio-unpublish
	wait $pid
	check "lab-kfront-ioctl owner, as user ism" 0 $?
	published && echo "not ok - data/ism/kio is gone once the owner ended" ||
		echo "ok - data/ism/kio is gone once the owner ended"

	# dom0 stops xen-ismd with SIGINT once lab/ready is there: the
	# backend closes the device under two regions.
	as_user ism lab-kfront-ioctl gone "$self" "$devid" &
	pid=$!
	ready_or_ended() { [ -e /tmp/kio-ready ] || ! kill -0 $pid 2>/dev/null; }
	wait_until 120 ready_or_ended
	[ -e /tmp/kio-ready ] && xenstore-write lab/ready 1 &&
		echo "ok - the gone part holds its regions: lab/ready written" ||
		echo "not ok - the gone part holds its regions: lab/ready written"
	wait $pid
	check "lab-kfront-ioctl gone, as user ism" 0 $?
	;;
b)
	as_user ism lab-kfront-ioctl peer "$self" "$peer" "$devid"
	check "lab-kfront-ioctl peer, as user ism" 0 $?
	;;
esac
dmesg | grep -i 'xen-ism\|xen_ism' | tail -n 20 | sed 's/^/# dmesg: /'
kernel_clean && echo "ok - the kernel log is clean" ||
	echo "not ok - the kernel log is clean: $(head -n 3 /tmp/kbad)"
