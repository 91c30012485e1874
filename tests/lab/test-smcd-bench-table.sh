#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unit test of smcd-bench-table, which turns smcd-bench's samples into the
# README's SMC-D table and its JSON: medians, the per-repetition ratios,
# the ratio of medians against ism-bench's stream, a missing row.
here=$(cd "$(dirname "$0")" && pwd)
table=$here/scenarios/smcd-bench-table
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

check()
{
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		fails=$((fails + 1))
		sed 's/^/# | /' "$tmp/out"
	fi
}

# Three repetitions, in the order smcd-bench measures.
cat >"$tmp/samples" <<'S'
iperf3.tcp 40
cpu.tcp 20
sockperf.tcp 1000
iperf3.smcd 160
cpu.smcd 8
sockperf.smcd 300
iperf3.smcd 200
cpu.smcd 6
sockperf.smcd 250
iperf3.tcp 50
cpu.tcp 24
sockperf.tcp 1000
iperf3.tcp 30
cpu.tcp 30
sockperf.tcp 900
iperf3.smcd 180
cpu.smcd 9
sockperf.smcd 450
stream.ism-copy.65536 400
S

echo 1..8
sh "$table" 3 10 "$tmp/json" <"$tmp/samples" >"$tmp/out"
rc=$?
check "every row present: exit 0" '[ $rc = 0 ]'
check "a row's median, minimum and maximum" \
	'grep -q "^iperf3\.smcd  *iperf3, one stream, SMC-D over xen-ism MB/s  *180\.00  *160\.00  *200\.00$" "$tmp/out"'
# Per repetition: 300/1000, 250/1000, 450/900 -> 0.30 0.25 0.50.
check "a ratio's median and range over the repetitions, with its target" \
	'grep -q "^sockperf\.smcd / sockperf\.tcp  *0\.30  *0\.25  *0\.50  <= 0\.50$" "$tmp/out"'
# 160/40, 200/50, 180/30 -> 4.00 4.00 6.00.
check "the throughput ratio pairs each repetition's two runs" \
	'grep -q "^iperf3\.smcd / iperf3\.tcp  *4\.00  *4\.00  *6\.00  >= 4\.00$" "$tmp/out"'
check "the ratio against ism-bench's stream is of medians (180 / 400)" \
	'grep -q "^iperf3\.smcd / stream\.ism-copy\.65536 (medians)  *0\.45  *-  *-  >= 0\.50$" "$tmp/out"'
check "the JSON has the row with its samples in order" \
	'tr -d "\n" <"$tmp/json" | grep -q "{\"name\": \"iperf3\.smcd\", \"unit\": \"MB/s\", \"median\": 180\.0000, \"min\": 160\.0000, \"max\": 200\.0000, \"samples\": \[160\.0000, 200\.0000, 180\.0000\]}"'
check "the JSON has every ratio, closed" \
	'[ "$(grep -c "\"name\": \"[a-z0-9.-]* / " "$tmp/json")" = 4 ] && tail -n 1 "$tmp/json" | grep -qx "\]}"'
grep -v '^stream\.' "$tmp/samples" >"$tmp/fewer"
sh "$table" 3 10 "$tmp/json" <"$tmp/fewer" >"$tmp/out"
rc=$?
check "a row without samples: exit 1" '[ $rc = 1 ]'
[ $fails = 0 ]
