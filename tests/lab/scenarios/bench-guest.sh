#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the bench scenarios:
#   listen                     A: ism-bench --listen (TCP on its vif too)
#   connect A-IP [ARG...]      B: ism-bench --connect A, with the TCP
#                              baselines to A-IP and ARGs (--quick,
#                              --backend-sync ...)
# B sends its table and JSON to dom0 through the console (send_file).
. /lab/guest-lib.sh
peer=$(get lab/peer)

case $1 in
listen)
	ism-bench --listen >/tmp/out 2>&1
	rc=$?
	sed 's/^/# listener: /' /tmp/out
	check "ism-bench --listen served the run" 0 $rc
	;;
connect)
	ip=$2
	shift 2
	reach "$ip" && echo "ok - B reaches A ($ip) over the lab bridge" ||
		echo "not ok - B reaches A ($ip) over the lab bridge"
	echo "# ism-bench --connect $peer --tcp $ip --json /tmp/bench.json $*"
	ism-bench --connect "$peer" --tcp "$ip" --json /tmp/bench.json "$@" \
		>/tmp/table.txt 2>/tmp/err
	rc=$?
	sed 's/^/# /' /tmp/err
	check "ism-bench --connect ran every workload, every byte checked" 0 $rc
	send_file bench-table.txt /tmp/table.txt
	send_file bench.json /tmp/bench.json ||
		echo "not ok - ism-bench wrote its JSON"
	;;
esac
