#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of smcd-bench: unmodified programs between the same two
# guests over TCP (netfront) and over SMC-D (xen-ism, through
# ism-smc-run), in one run.
#   a LIMIT              the servers: iperf3 and sockperf, each once over
#                        TCP and once through ism-smc-run, and ism-bench
#                        --listen; until b says it is done (LIMIT s at
#                        most)
#   b A-IP REPS SECONDS  the driver: REPS repetitions, each runs iperf3
#                        (one stream, SECONDS s) and sockperf ping-pong
#                        (SECONDS s) over both, the order alternating; then
#                        ism-bench --only stream over the kernel frontend
# b prints the table (smcd-table.txt) and its JSON (smcd.json), and sends
# both to dom0 (send_file).
. /lab/guest-lib.sh
. /lab/scenarios/smcd-lib.sh
role=$1
kfront_setup || exit 1
smcd_setup

case $role in
a)
	as_user ism iperf3 -s -p 5201 >/tmp/ip-tcp 2>&1 &
	as_user ism ism-smc-run iperf3 -s -p 5202 >/tmp/ip-smc 2>&1 &
	as_user ism sockperf server --tcp -p 5003 >/tmp/sp-tcp 2>&1 &
	as_user ism ism-smc-run sockperf server --tcp -p 5004 >/tmp/sp-smc 2>&1 &
	ism-bench --listen >/tmp/ismb 2>&1 &
	# b connects here when it is done (plain TCP); each try waits 2 min.
	wait_until "$2" as_user ism lab-smcd serve 5005 0 1 >/dev/null
	check "b ran its benchmark against a's servers" 0 $?
	kill_cmd TERM iperf3
	kill_cmd TERM sockperf
	kill_cmd TERM ism-bench
	;;
b)
	ip=$2 reps=$3 secs=$4
	reach "$ip" && echo "ok - b reaches a ($ip)" || echo "not ok - b reaches a ($ip)"
	samples=/tmp/samples
	: >$samples
	bad=0
	# iperf3 MODE: one run; "NAME VALUE" lines for throughput and CPU.
	iperf() {
		local port=5201 pre=
		[ $1 = smcd ] && port=5202 pre=ism-smc-run
		WAIT_STEP=0.5 wait_until 60 as_user ism $pre iperf3 -c "$ip" -p $port \
			-t "$secs" -f M -V >/tmp/iperf 2>&1 || return 1
		awk -v m=$1 '
			/receiver$/ { for (i = 1; i < NF; i++) if ($(i + 1) == "MBytes/sec") mbs = $i }
			/CPU Utilization:/ { l = $4; r = $7; sub("%", "", l); sub("%", "", r) }
			END {
				if (mbs <= 0 || l == "" || r == "") exit 1
				printf "iperf3.%s %s\ncpu.%s %.4f\n", m, mbs, m, (l + r) * 10 / mbs
			}' /tmp/iperf
	}
	# sockperf MODE: one ping-pong run; its average latency.
	sockp() {
		local port=5003 pre=
		[ $1 = smcd ] && port=5004 pre=ism-smc-run
		WAIT_STEP=0.5 wait_until 60 as_user ism $pre sockperf ping-pong --tcp \
			-i "$ip" -p $port -t "$secs" >/tmp/sp 2>&1 || return 1
		sed -n "s/.*avg-latency=\([0-9.]*\).*/sockperf.$1 \1/p" /tmp/sp | head -n 1 | grep .
	}
	r=1
	while [ $r -le "$reps" ]; do
		order="tcp smcd"
		[ $((r % 2)) = 0 ] && order="smcd tcp"
		for m in $order; do
			iperf $m >>$samples || { bad=$((bad + 1)); sed 's/^/# /' /tmp/iperf; }
			sockp $m >>$samples || { bad=$((bad + 1)); sed 's/^/# /' /tmp/sp; }
		done
		r=$((r + 1))
	done
	check "every iperf3 and sockperf run of $reps repetitions gave its numbers" 0 $bad
	stats client $((reps * 3)) 0
	peer=$(get lab/peer)
	ism-bench --connect "$peer" --tcp "$ip" --only stream --json /tmp/ismb.json \
		>/tmp/ismb.txt 2>&1
	check "ism-bench --only stream ran against a" 0 $?
	grep -o '"name": "stream.ism-copy.65536", "unit": "MB/s", "median": [0-9.]*' \
		/tmp/ismb.json | sed 's/.*"median": /stream.ism-copy.65536 /' >>$samples
	/lab/scenarios/smcd-bench-table $reps $secs /tmp/smcd.json <$samples \
		>/tmp/smcd-table.txt
	check "the table has every row and ratio" 0 $?
	sed 's/^/# /' /tmp/smcd-table.txt
	send_file smcd-table.txt /tmp/smcd-table.txt
	send_file smcd.json /tmp/smcd.json
	as_user ism lab-smcd send "$ip" 5005 0 1 >/dev/null
	;;
esac
