#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the net scenario: "server" receives 1 MiB over TCP and
# checks it; "client SERVER-IP" sends it.
. /lab/guest-lib.sh
data() { yes lab-net-data | head -c 1048576; }
send() { data | timeout 30 nc -w 2 "$1" 5000; }
case $1 in
server)
	want=$(data | md5sum | cut -d' ' -f1)
	timeout 90 nc -l -p 5000 >/tmp/recv
	got=$(md5sum </tmp/recv | cut -d' ' -f1)
	size=$(wc -c </tmp/recv)
	[ "$got" = "$want" ] && echo "ok - received 1 MiB over TCP intact" ||
		echo "not ok - received 1 MiB over TCP intact (got $size bytes)"
	;;
client)
	reach "$2" && echo "ok - ping the other guest" ||
		echo "not ok - ping the other guest"
	# Until the server listens: tries for 30 s.
	WAIT_STEP=0.5 wait_until 30 send "$2" &&
		echo "ok - send 1 MiB over TCP" ||
		echo "not ok - send 1 MiB over TCP"
	;;
esac
