#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the hostile scenario (roles a, b, h; see hostile.lab).
#
# a (two ism devices) and b are a well-behaved pair over libxenism (ism,
# ism-bench), each side on a device the other commands leave alone.  They
# run the commands dom0 writes to ~/lab/cmdN, one after the other, and
# answer each in ~/lab/resN: "ok [VALUE...]" or "not ok: why" (no answer
# to "end": the guest powers off).  Commands:
#   exchange N      a allocates 64 KiB, publishes it as xN for b and
#                   writes pattern N; b attaches, reads and checks it,
#                   writes a 4 KiB reply, notifies and holds the region
#                   until a has read and checked the reply and let go
#   listen N        a: ism-bench --listen, N times
#   rtt N           b: ism-bench --connect a --only scale --quick, N
#                   times: answers "ok RTT-US STREAM-MBS RTT...", the
#                   medians and each batch's round trip
#   regions         a holds two regions for the hostile guest, one on each
#                   of its devices: R1 denies everyone but b's device, R2
#                   grants READ and ATTACH (its data: RO_LINE repeated);
#                   answers "ok TOKEN1 TOKEN2"
#   attach-r1 TOKEN b attaches R1 and checks it
#   regions-check   a: R1 and R2 were let go, R2's data is untouched
#   r3 / r3-check   a holds R3 (default rights) until its peer goes;
#                   answers "ok TOKEN" / whether its wait ended well
# h runs lab-hostile's groups, each when dom0 writes ~/lab/go-GROUP, and
# writes its exit status to ~/lab/done-GROUP.  Every guest stays until
# dom0 destroys it or says end.
. /lab/guest-lib.sh
RO_LINE="hostile read-only pattern 0123456789"
pattern() { yes "hostile exchange $1 0123456789" | head -c 65536; }
reply() { yes "reply $1 from guest b" | head -c 4096; }
denied() { yes "region denied to the hostile guest" | head -c 4096; }
has_line() { [ -s "$1" ] && [ "$(wc -l <"$1")" -ge 1 ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# why FILE: the first lines of an error output, on one line.
why() { head -c 300 "$1" 2>/dev/null | tr '\n' ' '; }

# median NAME FILE: the median of result NAME in an ism-bench JSON file.
median()
{
	grep -o "{\"name\": \"$1\", [^}]*}" "$2" | head -n 1 |
		sed -n 's/.*"median": \([-0-9.]*\).*/\1/p'
}

run_a()
{
	case $1 in
	exchange)
		pattern "$2" >/tmp/pattern
		reply "$2" >/tmp/want
		rm -f /tmp/reply
		# b holds the region until a has read its reply and let go.
		ism alloc 64K --publish "x$2" --peer "$peer" --wait-peer \
			--write /tmp/pattern --notify --wait --length 4096 \
			--read /tmp/reply --timeout 120000 \
			>/dev/null 2>/tmp/err
		rc=$?
		if [ $rc = 0 ] && cmp -s /tmp/want /tmp/reply; then
			res=ok
		else
			res="not ok: ism exit $rc, reply $(cmp /tmp/want /tmp/reply 2>&1 | head -n 1): $(why /tmp/err)"
		fi
		;;
	listen)
		res=ok
		i=0
		while [ $i -lt "$2" ]; do
			timeout 600 ism-bench --listen >/tmp/out 2>&1
			rc=$?
			[ $rc = 0 ] || res="not ok: ism-bench --listen exit $rc: $(why /tmp/out)"
			i=$((i + 1))
		done
		;;
	regions)
		# One process per device: R1 on the first, R2 on the second.
		bdev=$(get lab/bdev)
		set -- $(xenstore-list device/ism | sort -n)
		denied >/tmp/p1
		yes "$RO_LINE" | head -c 65536 >/tmp/p2
		rm -f /tmp/r1.out /tmp/r2.out /tmp/after2
		ism -d "$1" alloc 4K --perm d --grant "$bdev:rwa" \
			--write /tmp/p1 --wait-peer --wait-detach \
			--timeout 600000 >/tmp/r1.out 2>/tmp/r1.err &
		r1=$!
		ism -d "$2" alloc 64K --perm ra --write /tmp/p2 --wait-peer \
			--wait-detach --read /tmp/after2 --timeout 600000 \
			>/tmp/r2.out 2>/tmp/r2.err &
		r2=$!
		if wait_until 60 has_line /tmp/r1.out && wait_until 60 has_line /tmp/r2.out; then
			res="ok $(head -n 1 /tmp/r1.out) $(head -n 1 /tmp/r2.out)"
		else
			res="not ok: no tokens: $(why /tmp/r1.err) $(why /tmp/r2.err)"
		fi
		;;
	regions-check)
		wait_until 180 gone "$r1"
		wait_until 180 gone "$r2"
		kill "$r1" "$r2" 2>/dev/null
		wait "$r1"
		rc1=$?
		wait "$r2"
		rc2=$?
		if [ $rc1 = 0 ] && [ $rc2 = 0 ] && cmp -s /tmp/p2 /tmp/after2; then
			res=ok
		else
			res="not ok: R1 exit $rc1 ($(why /tmp/r1.err)), R2 exit $rc2 ($(why /tmp/r2.err)), R2 data $(cmp /tmp/p2 /tmp/after2 2>&1 | head -n 1)"
		fi
		;;
	r3)
		rm -f /tmp/r3.out
		ism alloc 4K --wait-peer --wait-detach --timeout 600000 \
			>/tmp/r3.out 2>/tmp/r3.err &
		r3=$!
		wait_until 60 has_line /tmp/r3.out &&
			res="ok $(head -n 1 /tmp/r3.out)" ||
			res="not ok: no token: $(why /tmp/r3.err)"
		;;
	r3-check)
		wait_until 180 gone "$r3"
		kill "$r3" 2>/dev/null
		wait "$r3"
		rc=$?
		[ $rc = 0 ] && res=ok || res="not ok: exit $rc: $(why /tmp/r3.err)"
		;;
	*)
		res="not ok: unknown command $1"
		;;
	esac
}

run_b()
{
	case $1 in
	exchange)
		pattern "$2" >/tmp/pattern
		reply "$2" >/tmp/reply
		rm -f /tmp/got
		ism attach --lookup "x$2" --from "$peer" --wait --read /tmp/got \
			--write /tmp/reply --notify --wait-detach \
			--timeout 120000 2>/tmp/err
		rc=$?
		if [ $rc = 0 ] && cmp -s /tmp/pattern /tmp/got; then
			res=ok
		else
			res="not ok: ism exit $rc, data $(cmp /tmp/pattern /tmp/got 2>&1 | head -n 1): $(why /tmp/err)"
		fi
		;;
	rtt)
		# $2 batches (ism-bench --quick: 50 round trips, 4 MiB), each
		# a run of its own; the medians of their results.
		res=
		: >/tmp/rtts
		: >/tmp/streams
		i=0
		while [ $i -lt "$2" ]; do
			rm -f /tmp/rtt.json
			ism-bench --connect "$peer" --only scale --quick \
				--timeout 600 --json /tmp/rtt.json >/tmp/out 2>&1
			rc=$?
			median scale.rtt /tmp/rtt.json >>/tmp/rtts
			median scale.stream /tmp/rtt.json >>/tmp/streams
			[ $rc = 0 ] || res="not ok: ism-bench exit $rc: $(why /tmp/out)"
			i=$((i + 1))
		done
		half=$((($2 + 1) / 2))
		rtt=$(sort -n /tmp/rtts | sed -n "${half}p")
		stream=$(sort -n /tmp/streams | sed -n "${half}p")
		[ "$(wc -l </tmp/rtts)" = "$2" ] && [ -n "$rtt" ] && [ -n "$stream" ] ||
			res=${res:-"not ok: results missing from ism-bench's JSON"}
		res=${res:-"ok $rtt $stream $(tr '\n' ' ' </tmp/rtts)"}
		;;
	attach-r1)
		denied >/tmp/p1
		rm -f /tmp/r1
		ism attach "$2" --read /tmp/r1 2>/tmp/err
		rc=$?
		[ $rc = 0 ] && cmp -s /tmp/p1 /tmp/r1 && res=ok ||
			res="not ok: exit $rc: $(why /tmp/err)"
		;;
	*)
		res="not ok: unknown command $1"
		;;
	esac
}

role=$1
peer=$(get lab/peer)
xenstore-write lab/ready 1
case $role in
a | b)
	n=1
	while cmd=$(await lab/cmd$n 1800); do
		[ "$cmd" = end ] && break
		# shellcheck disable=SC2086
		run_$role $cmd
		echo "# command $n ($cmd): $res"
		xenstore-write lab/res$n "$res"
		n=$((n + 1))
	done
	;;
h)
	for g in xenstore ring regions quota flood final; do
		if ! await lab/go-$g 1800 >/dev/null; then
			echo "not ok - dom0 said go-$g"
			break
		fi
		lab-hostile $g "$RO_LINE"
		xenstore-write lab/done-$g $?
	done
	await lab/end 1800 >/dev/null
	;;
esac
exit 0
