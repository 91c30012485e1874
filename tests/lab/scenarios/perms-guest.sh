#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the perms scenario (roles a, b, c; see perms.lab).
# Exit statuses of ism(1): 5 refused, 6 not found.
. /lab/guest-lib.sh
pattern() { yes "read-only data for guest b" | head -c 65536; }
wait_file() { # FILE SIZE: until FILE has at least SIZE octets (60 s)
	i=0
	while [ "$(wc -c <"$1" 2>/dev/null || echo 0)" -lt "$2" ] &&
		[ $i -lt 600 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

case $1 in
a)
	b=$(get lab/b) bdev=$(get lab/bdev) c=$(get lab/c)
	pattern >/tmp/pattern
	ism alloc 64K --perm d --grant "$bdev:ra" --publish pb --peer "$b" \
		--write /tmp/pattern --wait-peer --notify --wait-detach \
		--sleep 15000 >/tmp/token &
	pid=$!
	# Guest c gets the token through ~/lab (dom0 lets c read it).
	wait_file /tmp/token 16
	xenstore-write lab/token "$(head -n 1 /tmp/token)"
	wait $pid
	check "alloc with DENY_OTHER, grant b READ, publish, write, hold" 0 $?
	;;
b)
	a=$(get lab/a)
	ism attach --lookup pb --from "$a" --wait --read /tmp/got --sleep 8000 &
	pid=$!
	wait_file /tmp/got 65536
	xenstore-write lab/attached 1
	wait $pid
	check "attach the region granted READ and read it" 0 $?
	pattern | cmp -s - /tmp/got && echo "ok - the data read is guest a's" ||
		echo "not ok - the data read is guest a's"
	token=$(xenstore-read /local/domain/$a/lab/token 2>/dev/null)
	echo "xen-ism" >/tmp/x
	ism attach "$token" --write /tmp/x 2>/tmp/err
	check "writing a region granted READ only is refused: $(cat /tmp/err)" 5 $?
	;;
c)
	a=$(get lab/a) b=$(get lab/b)
	get /local/domain/$b/lab/attached >/dev/null
	token=$(get /local/domain/$a/lab/token)
	ism attach "$token" 2>/tmp/err
	check "a third guest cannot attach: $(cat /tmp/err)" 5 $?
	ism attach deadbeefdeadbeef 2>/tmp/err
	check "a wrong token fails with ENOENT: $(cat /tmp/err)" 6 $?
	;;
esac
exit 0
