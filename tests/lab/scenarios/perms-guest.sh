#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the perms scenario (roles a, b, c; see perms.lab).
# Exit statuses of ism(1): 5 refused, 6 not found.  a and b stay until
# dom0 writes their ~/lab/end (after c powered off and b tried to write):
# c waits for nodes of both, and b and c need a's region.
# With "kernel" as the second argument (kfront-perms) the devices are the
# kernel frontend's, ism(1) runs as user "ism" of group xen-ism, and the
# guests check what only /dev/xen-ism can get wrong: a user outside the
# group, another user of the group, read-only mappings (lab-kfront).
. /lab/guest-lib.sh
front=${2:-user}
if [ "$front" = kernel ]; then
	kfront_use
	as_user outsider ism info >/dev/null 2>/tmp/err
	check "a user outside group xen-ism is refused: $(cat /tmp/err)" 5 $?
fi
pattern() { yes "read-only data for guest b" | head -c 65536; }
has() { [ "$(wc -c <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
wait_file() { # FILE SIZE: until FILE has at least SIZE octets (60 s)
	wait_until 60 has "$1" "$2"
}

case $1 in
a)
	b=$(get lab/b) bdev=$(get lab/bdev) c=$(get lab/c)
	pattern >/tmp/pattern
	# --print once b detached, then hold the region until dom0's end.
	ism alloc 64K --perm d --grant "$bdev:ra" --publish pb --peer "$b" \
		--write /tmp/pattern --wait-peer --notify --wait-detach \
		--print --sleep 600000 >/tmp/token &
	pid=$!
	# Guest c gets the token through ~/lab (dom0 lets c read it).
	wait_file /tmp/token 16
	xenstore-write lab/token "$(head -n 1 /tmp/token)"
	if [ "$front" = kernel ]; then
		as_user ism2 ism attach "$(head -n 1 /tmp/token)" 2>/tmp/err
		rc=$?
		[ $rc != 0 ] && echo "ok - another user of the group cannot take user ism's region: $(cat /tmp/err)" ||
			echo "not ok - another user of the group cannot take user ism's region"
		as_user ism2 lab-kfront handles
	fi
	get lab/end >/dev/null
	# Still sleeping after its --print: every action before succeeded.
	if kill -0 $pid 2>/dev/null; then
		grep -q "^peer-domid " /tmp/token && rc=0 || rc="none: still waiting for b"
		kill $pid
		wait $pid
	else
		wait $pid
		rc=$?
	fi
	check "alloc with DENY_OTHER, grant b READ, publish, write, hold" 0 "$rc"
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
	[ "$front" = kernel ] && as_user ism lab-kfront readonly "$token"
	xenstore-write lab/tried 1
	# Until c has seen ~/lab/attached: a guest's nodes go with it.
	get lab/end >/dev/null
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
if [ "$front" = kernel ]; then
	kernel_clean && echo "ok - the kernel log is clean" ||
		echo "not ok - the kernel log is clean: $(head -n 3 /tmp/kbad)"
fi
exit 0
