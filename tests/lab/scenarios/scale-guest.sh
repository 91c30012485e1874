#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the scale scenario:
#   listen              ism-bench --listen, once per phase
#   connect [ARG...]    ism-bench --connect PEER --only scale ARG..., once
#                       per phase; its JSON and table go to dom0 through
#                       the console (send_file) as scale-P.json, scale-P.txt
# The phases this guest's pair takes part in are in ~/lab/phases; each
# starts when dom0 writes ~/lab/goP and ends with ~/lab/doneP.  The guest
# stays until ~/lab/end, so that its nodes are there when dom0 looks.
# It waits on xenstore watches (await), so that waiting guests leave the
# CPUs to the pairs at work.
. /lab/guest-lib.sh
role=$1
shift
peer=$(get lab/peer)
phases=$(get lab/phases)
xenstore-write lab/ready 1
for p in $phases; do
	# Phases before ours, at full length, take many minutes.
	if ! await lab/go$p 3000 >/dev/null; then
		echo "not ok - phase $p: dom0 never said go"
		continue
	fi
	case $role in
	listen)
		ism-bench --listen >/tmp/out 2>&1
		rc=$?
		sed "s/^/# phase $p, listener: /" /tmp/out
		check "phase $p: ism-bench --listen served the run" 0 $rc
		;;
	connect)
		ism-bench --connect "$peer" --only scale --json /tmp/scale.json \
			"$@" >/tmp/scale.txt 2>/tmp/err
		rc=$?
		sed "s/^/# phase $p: /" /tmp/err
		check "phase $p: ism-bench --only scale ran, every byte checked" 0 $rc
		send_file scale-$p.json /tmp/scale.json
		send_file scale-$p.txt /tmp/scale.txt
		;;
	esac
	xenstore-write lab/done$p 1
done
await lab/end 3000 >/dev/null
exit 0
