#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the smcd-* scenarios: set SMC-D up as an administrator
# would (xen-ismfront is loaded at boot; load smc.ko and xen-ism-smcd, add
# the UEID), then run lab-smcd as user "ism" through ism-smc-run.
#   smcd-guest.sh stream a|b SERVER-IP     b sends 4 MiB to a (lab-smcd),
#					   runs iperf3 against a, sends a
#					   file with socat, and 4 MiB again
#					   that a reads with splice(2)
#   smcd-guest.sh latency a|b SERVER-IP    sockperf ping-pong, TCP then
#					   SMC-D, against a's server
#   smcd-guest.sh many a|b SERVER-IP       64 connections of 1 MiB each,
#					   with 64K buffers, then with 1M
#   smcd-guest.sh fallback a|b|c SERVER-IP a's policy (peers=) refuses b;
#					   c has no ism device: TCP both
#   smcd-guest.sh death a|b SERVER-IP      b streams to a until dom0
#					   destroys b (lab/destroyed)
#   smcd-guest.sh nobufs a|b SERVER-IP     b sends to a, whose DMB b
#					   cannot attach: both ends fail
. /lab/guest-lib.sh
. /lab/scenarios/smcd-lib.sh
test=$1 role=$2 server=$3
port=5001

make_file() { yes "xen-ism smcd file 0123456789" | head -c 8388608; }

if [ "$test$role" = fallbackc ]; then
	# No ism device: SMC without any SMC-D device.
	insmod /lib/modules/xen/ib_core.ko && insmod /lib/modules/xen/smc.ko
	check "the modules ib_core and smc load (no ism device here)" 0 $?
	ism-smc setup >/dev/null 2>&1
	grep -q '^ism:' /etc/passwd ||
		echo "ism:x:1000:1000:ism user:/tmp:/bin/sh" >>/etc/passwd
else
	kfront_use
	case $test$role in
	fallbacka) smcd_setup peers=4000 ;;
	# 64 connections of 1 MiB buffers would not fit 128 MiB guests, nor
	# the backend's grant pool.
	many*) SMCD_BUFFERS=64K smcd_setup ;;
	*) smcd_setup ;;
	esac
fi
case $role in
b | c)
	reach "$server" && echo "ok - ping the other guest" ||
		echo "not ok - ping the other guest"
	;;
esac

case $test$role in
streama)
	# While the other guest is there: its death ends the link group.
	run serve $port 4194304 1 && linkgroups some
	as_user ism ism-smc-run iperf3 -s -1 -p 5201 >/tmp/iperf 2>&1
	check "iperf3 -s serves one test through ism-smc-run" 0 $?
	make_file >/tmp/want
	as_user ism ism-smc-run socat -u TCP-LISTEN:5002,reuseaddr OPEN:/tmp/got,creat,trunc
	check "socat receives a file through ism-smc-run" 0 $?
	[ "$(md5sum </tmp/got)" = "$(md5sum </tmp/want)" ]
	check "the file arrived with the same md5 sum ($(wc -c </tmp/got) octets)" 0 $?
	# SMC lends the DMB's pages to a pipe: splice(2) reads intact.
	run serve-splice 5004 4194304 1
	# lab-smcd's two connections, iperf3's two, socat's.
	stats server 5 0
	;;
streamb)
	run send "$server" $port 4194304 1 && linkgroups some
	WAIT_STEP=0.5 wait_until 60 as_user ism ism-smc-run iperf3 -c "$server" -p 5201 -t 3 >/tmp/iperf 2>&1
	check "iperf3 -c runs 3 s against guest a through ism-smc-run" 0 $?
	sed -n 's/^\(\[ *[0-9]*\].*\(sender\|receiver\)\)$/# iperf3: \1/p' /tmp/iperf
	make_file >/tmp/file
	WAIT_STEP=0.5 wait_until 60 as_user ism ism-smc-run socat -u OPEN:/tmp/file TCP:"$server":5002
	check "socat sends an 8 MiB file through ism-smc-run" 0 $?
	run send "$server" 5004 4194304 1
	stats client 5 0
	;;
latencya)
	as_user ism ism-smc-run sockperf server --tcp -p 5003 >/tmp/sockperf 2>&1 &
	# b says it is done by connecting here (plain TCP).
	as_user ism lab-smcd serve 5005 0 1 >/dev/null
	kill_cmd TERM sockperf
	# The TCP client is a fallback for the AF_SMC listener.
	stats server 1 1
	;;
latencyb)
	for mode in tcp smc; do
		pre=
		[ $mode = smc ] && pre=ism-smc-run
		WAIT_STEP=0.5 wait_until 60 as_user ism $pre sockperf ping-pong --tcp \
			-i "$server" -p 5003 -t 3 >/tmp/sp-$mode 2>&1
		check "sockperf ping-pong over $mode for 3 s" 0 $?
		eval lat_$mode=$(sed -n 's/.*avg-latency=\([0-9.]*\).*/\1/p' /tmp/sp-$mode | head -n 1)
	done
	echo "# sockperf average latency: TCP ${lat_tcp:-?} us, SMC-D ${lat_smc:-?} us"
	as_user ism lab-smcd send "$server" 5005 0 1 >/dev/null
	stats client 1 0
	;;
manya)
	run serve $port 1048576 64 && linkgroups some && stats server 64 0
	# Again with 1 MiB buffers: past the DMB budget, over TCP, intact.
	ism-smc setup --buffers 1M >/dev/null
	run serve 5002 1048576 64 && budget server 128
	# Until b has checked too: a's death would end b's link group.
	as_user ism lab-smcd serve 5009 0 1 >/dev/null
	;;
manyb)
	run send "$server" $port 1048576 64 && linkgroups some && stats client 64 0
	ism-smc setup --buffers 1M >/dev/null
	run send "$server" 5002 1048576 64 && budget client 128
	as_user ism lab-smcd send "$server" 5009 0 1 >/dev/null
	;;
fallbacka)
	run serve $port 4194304 2
	dmesg | grep -q 'xen-ism-smcd: ism [0-9]*: device [0-9]* is not in peers'
	check "xen-ism-smcd says its policy refused a device" 0 $?
	linkgroups none
	stats server 0 2
	;;
fallbackb | fallbackc)
	run send "$server" $port 4194304 1
	linkgroups none
	stats client 0 1
	;;
deatha)
	# Stops reading after 1 MiB, so that b blocks mid-stream, until dom0
	# destroyed b.
	run drain $port /tmp/go >/tmp/drain &
	pid=$!
	wait_until 120 grep -q '^# receiving' /tmp/drain &&
		xenstore-write lab/receiving 1
	wait_until 120 xenstore-read lab/destroyed >/dev/null 2>&1
	touch /tmp/go
	wait $pid
	cat /tmp/drain
	;;
deathb) run send "$server" $port 1073741824 1 ;;
nobufsa)
	run cut $port 4194304
	check "lab-smcd cut: the connection ends short, not by a timeout" 0 $?
	wait_until 30 linkgroups_gone
	linkgroups none
	stats server 1 0
	;;
nobufsb)
	# Its own "not ok" lines are what this test wants.
	run send "$server" $port 4194304 1 >/tmp/send 2>&1
	rc=$?
	sed 's/^/# /' /tmp/send
	check "lab-smcd send fails: its connection ended" 1 $rc
	dmesg | grep -q 'xen-ism-smcd: ism [0-9]*: cannot write the DMB of device [0-9]* (token [0-9a-f]*): -105: ending the link groups with it'
	check "xen-ism-smcd could not attach the DMB (-ENOBUFS) and ended the link groups" 0 $?
	wait_until 30 linkgroups_gone
	linkgroups none
	stats client 1 0
	;;
esac
dmesg | grep 'xen-ism' | sed 's/^/# /'
kernel_clean
check "the kernel log has no oops, BUG or WARNING$(head -n 3 /tmp/kbad | tr '\n' ' ')" 0 $?
