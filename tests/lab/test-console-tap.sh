#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unit test of console-tap.awk, the part of the lab that decides whether a
# run passed: recorded serial logs in, TAP and guest logs out.
here=$(cd "$(dirname "$0")" && pwd)
awk_prog=$here/console-tap.awk
fx=$here/fixtures
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

run()
{
	mkdir -p "$tmp/logs"
	rm -f "$tmp/logs"/*
	awk -v logdir="$tmp/logs" -v status="$2" -f "$awk_prog" "$fx/$1" >"$tmp/out"
	echo $? >"$tmp/rc"
}

echo 1..12
run finished.serial 0
check "a finished run exits 0" '[ "$(cat "$tmp/rc")" = 0 ]'
check "its TAP lines come out without marker or CR" \
	'grep -qx "ok 1 - xl create guest g (domain 1)" "$tmp/out" && grep -qx "not ok 2 - g: mapped the page" "$tmp/out" && grep -qx "1\.\.2" "$tmp/out"'
check "no Bail out when the scenario finished" '! grep -q "Bail out" "$tmp/out"'
check "console lines that are not TAP stay out" '! grep -q "kernel line\|XEN" "$tmp/out"'
check "boot time is reported from the host's timestamp" \
	'grep -qx "# lab: dom0 ready 11.996 s after QEMU started" "$tmp/out"'
check "a guest console log is saved under its name" \
	'[ "$(cat "$tmp/logs/guest-g.log")" = "$(printf "@guest@ start /lab/x\nnot ok - mapped the page")" ]'

run hung.serial 124
check "a run killed by the time limit fails" '[ "$(cat "$tmp/rc")" != 0 ]'
check "and says so in a Bail out" \
	'grep -q "^Bail out! the scenario did not finish: the run hit the host.s time limit" "$tmp/out"'
check "the tests seen before the hang are still reported" \
	'grep -qx "ok 1 - xl create guest g (domain 1)" "$tmp/out"'

run crashed.serial 0
check "a crashed dom0 fails the run" '[ "$(cat "$tmp/rc")" != 0 ]'
check "and the Bail out quotes the crash" \
	'grep -q "^Bail out! .*crash: (XEN) Hardware Dom0 crashed" "$tmp/out"'
check "no guest log is invented" '[ -z "$(ls "$tmp/logs")" ]'
[ $fails -eq 0 ]
