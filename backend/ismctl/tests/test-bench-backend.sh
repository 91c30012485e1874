#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unit test of ism-bench-backend without Xen: a fake xenstore (a file per
# node in a temporary directory, a watch that polls them), a fake ismctl
# (the daemon's numbers in files; each query counts its own wake-up, as
# xen-ismd does) and this script as the guest, which writes the phases and
# waits for the acks.  The numbers of the JSON are checked exactly, under
# each POSIX shell found (sh, and busybox sh as in the lab's dom0).
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/../ism-bench-backend
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
		for f in "$tmp/out.json" "$tmp/stdout" "$tmp/stderr"; do
			[ -f "$f" ] && sed "s|^|# ${f##*/}: |" "$f"
		done
	fi
}

# The fakes, commands as the script's environment names them.
xs=$tmp/xs
mkdir -p "$xs" "$tmp/daemon"
cat >"$tmp/xs-read" <<'EOF'
#!/bin/sh
cat "$XS_ROOT$1" 2>/dev/null || { echo "xenstore-read: $1: no such node" >&2; exit 1; }
EOF
cat >"$tmp/xs-write" <<'EOF'
#!/bin/sh
mkdir -p "$(dirname "$XS_ROOT$1")" &&
	printf '%s' "$2" >"$XS_ROOT$1.new" && mv "$XS_ROOT$1.new" "$XS_ROOT$1"
EOF
cat >"$tmp/xs-watch" <<'EOF'
#!/bin/sh
# Like xenstore-watch: the path once at once, then once per change (of
# what it was before that first line: no write is missed).
old=$(cat "$XS_ROOT$1" 2>/dev/null)
echo "$1"
while sleep 0.02; do
	new=$(cat "$XS_ROOT$1" 2>/dev/null)
	[ "$new" = "$old" ] && continue
	old=$new
	echo "$1"
done
EOF
cat >"$tmp/ismctl" <<'EOF'
#!/bin/sh
# `ismctl list --json` of a daemon whose numbers are files in $DAEMON; the
# query wakes the daemon once, counted in its answer.  No file "cost": an
# older daemon.  The arguments are kept in $DAEMON/args.
echo "$*" >>"$DAEMON/args"
w=$(($(cat "$DAEMON/wakeups") + 1))
echo $w >"$DAEMON/wakeups"
if [ -f "$DAEMON/cost" ]; then
	cost=", \"wakeups\": $w, \"cpu_us\": $(cat "$DAEMON/cpu_us"), \"uptime_ms\": $(cat "$DAEMON/uptime_ms")"
else
	cost=", \"wakeups\": null, \"cpu_us\": null, \"uptime_ms\": null"
fi
cat <<JSON
{
  "devices": [
    {"name": "vm1", "domid": 5, "devid": 1, "backend": 0, "regions": 1}
  ],
  "totals": {"devices": 2, "connected": 2, "regions": 1, "released": 0, "grants": 257, "quarantined": 0, "held": 0, "requests": $(cat "$DAEMON/requests"), "protocol_errors": 0$cost}
}
JSON
EOF
chmod +x "$tmp/xs-read" "$tmp/xs-write" "$tmp/xs-watch" "$tmp/ismctl"
XS_ROOT=$xs
DAEMON=$tmp/daemon
ISM_BENCH_XENSTORE_READ=$tmp/xs-read
ISM_BENCH_XENSTORE_WRITE=$tmp/xs-write
ISM_BENCH_XENSTORE_WATCH=$tmp/xs-watch
ISMCTL=$tmp/ismctl
ISM_BENCH_POLL_INTERVAL=0.05
export XS_ROOT DAEMON ISM_BENCH_XENSTORE_READ ISM_BENCH_XENSTORE_WRITE \
	ISM_BENCH_XENSTORE_WATCH ISMCTL ISM_BENCH_POLL_INTERVAL

node=/local/domain/5/data/ism-bench/phase

# daemon WAKEUPS CPU_US UPTIME_MS REQUESTS: set the fake daemon's numbers.
daemon()
{
	echo "$1" >"$DAEMON/wakeups"
	echo "$2" >"$DAEMON/cpu_us"
	echo "$3" >"$DAEMON/uptime_ms"
	echo "$4" >"$DAEMON/requests"
	: >"$DAEMON/cost"
}

# add WAKEUPS CPU_US UPTIME_MS REQUESTS: the daemon works.
add()
{
	for k in wakeups:$1 cpu_us:$2 uptime_ms:$3 requests:$4; do
		f=$DAEMON/${k%%:*}
		echo $(($(cat "$f") + ${k#*:})) >"$f"
	done
}

# phase VALUE: the guest's side: write it, wait (10 s at most) for its ack.
phase()
{
	"$tmp/xs-write" "$node" "$1"
	i=0
	while [ "$(cat "$xs$node-ack" 2>/dev/null)" != "$1" ]; do
		i=$((i + 1))
		[ $i -gt 500 ] && return 1
		sleep 0.02
	done
	return 0
}

# fresh: an empty store and a daemon at zero.
fresh()
{
	rm -rf "${xs:?}"/*
	daemon 0 0 0 0
}

# guest STEP...: the guest's phases, in order, each waiting for its ack
# ($ok 0 if one is not acknowledged), "!VALUE" for one that does not wait,
# or "+W C U R" for the daemon's work meanwhile (see add); then the
# script's exit status in $st.
guest()
{
	ok=1
	for step in "$@"; do
		case $step in
		+*) add ${step#+} ;;
		!*) "$tmp/xs-write" "$node" "${step#!}" ;;
		*) phase "$step" || ok=0 ;;
		esac
	done
	finished
	st=$?
}

# start ARGS...: ism-bench-backend ARGS in the background under $shell.
start()
{
	rm -f "$tmp/out.json" "$tmp/stdout" "$tmp/stderr" "$DAEMON/args"
	$shell "$bench" "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
}

# finished: its exit status, once it exits (within 10 s; else killed, 124).
finished()
{
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 500 ]; do
		i=$((i + 1))
		sleep 0.02
	done
	kill $pid 2>/dev/null && { wait $pid; return 124; }
	wait $pid
}

shells=sh
command -v busybox >/dev/null && busybox sh -c : 2>/dev/null &&
	shells="$shells busybox"
set -- $shells
echo "1..$((9 * $# + 14))"

# The whole benchmark, under each shell.
for shell in $shells; do
	[ "$shell" = busybox ] && shell="busybox sh"
	rm -rf "${xs:?}"/*
	# Left by an earlier run, acknowledged: not a phase.
	"$tmp/xs-write" "$node" "done end 0"
	"$tmp/xs-write" "$node-ack" "done end 0"
	daemon 100 5000 1000 7
	start --stats-socket /x/ismd.sock --timeout 20 5 "$tmp/out.json"
	sleep 0.3
	check "$shell: an old acknowledged 'done' does not stop it" \
		'kill -0 $pid'
	# idle: 0.2 ms of CPU in 10 s, no wake-up; relay: a wake-up every
	# other notification, 4 us of CPU each; fastpath: nothing.
	guest "idle begin 10" "+0 200 10000 0" "idle end 10" \
		"relay begin 100000" "+50000 400000 2000 100000" \
		"relay end 100000" "fastpath begin 1000000" "+0 0 1000 0" \
		"fastpath end 1000000" "done end 0"
	check "$shell: every phase is acknowledged" '[ $ok = 1 ]'
	check "$shell: it exits 0 after done" '[ $st = 0 ]'
	check "$shell: the JSON: per phase, the daemon's numbers less its queries" \
		'[ "$(cat "$tmp/out.json")" = "{\"backend\": [
  {\"phase\": \"idle\", \"count\": 10, \"elapsed_ms\": 10000, \"wakeups\": 0, \"cpu_ms\": 0.200, \"requests\": 0, \"wakeups_per_s\": 0.000},
  {\"phase\": \"relay\", \"count\": 100000, \"elapsed_ms\": 2000, \"wakeups\": 50000, \"cpu_ms\": 400.000, \"requests\": 100000, \"wakeups_per_s\": 25000.000, \"cpu_ms_per_1000\": 4.000, \"wakeups_per_1000\": 500.000},
  {\"phase\": \"fastpath\", \"count\": 1000000, \"elapsed_ms\": 1000, \"wakeups\": 0, \"cpu_ms\": 0.000, \"requests\": 0, \"wakeups_per_s\": 0.000, \"cpu_ms_per_1000\": 0.000, \"wakeups_per_1000\": 0.000}
]}" ]'
	check "$shell: one query per begin and end, on the socket given" \
		'[ "$(grep -c "^list --json --stats-socket /x/ismd.sock$" "$DAEMON/args")" = 6 ] &&
		[ "$(wc -l <"$DAEMON/args")" = 6 ]'
	check "$shell: nothing on standard output" '[ ! -s "$tmp/stdout" ]'
	check "$shell: a table on standard error" \
		'grep -q "^phase  *count  *elapsed_ms  *wakeups  *cpu_ms  *requests  *wakeups/s  *cpu_ms/1000  *wakeups/1000$" "$tmp/stderr" &&
		grep -q "^relay  *100000  *2000  *50000  *400.000  *100000  *25000.000  *4.000  *500.000$" "$tmp/stderr" &&
		grep -q "^idle  *10  *10000  *0  *0.200  *0  *0.000$" "$tmp/stderr"'
	check "$shell: no watch or timer left running" \
		'! ps -eo args | grep -v grep | grep -q "$tmp/xs-watch"'

	# Polling the node instead of watching it.
	fresh
	ISM_BENCH_XENSTORE_WATCH=
	start 5 "$tmp/out.json"
	ISM_BENCH_XENSTORE_WATCH=$tmp/xs-watch
	guest "relay begin 500" "+10 1000 100 500" "relay end 500" "done end 0"
	check "$shell: without a watch it polls the node" \
		'[ $ok = 1 ] && [ $st = 0 ] &&
		grep -q "{\"phase\": \"relay\", \"count\": 500, \"elapsed_ms\": 100, \"wakeups\": 10, \"cpu_ms\": 1.000, \"requests\": 500, \"wakeups_per_s\": 100.000, \"cpu_ms_per_1000\": 2.000, \"wakeups_per_1000\": 20.000}" "$tmp/out.json"'
done

shell=sh

# A watch command that is not there: polls, and says so.
fresh
ISM_BENCH_XENSTORE_WATCH=$tmp/no-such-watch
start 5 "$tmp/out.json"
ISM_BENCH_XENSTORE_WATCH=$tmp/xs-watch
guest "idle begin 1" "idle end 1" "done end 0"
check "without xenstore-watch it polls the node, and says so" \
	'[ $ok = 1 ] && [ $st = 0 ] &&
	grep -q "no $tmp/no-such-watch: reading $node every 0.05 s instead" "$tmp/stderr" &&
	grep -q "{\"phase\": \"idle\", \"count\": 1, " "$tmp/out.json"'

# The timeout: what ended is written, what did not is left out; exit 3.
fresh
start --timeout 3 5 "$tmp/out.json"
guest "idle begin 1" "+1 0 1000 0" "idle end 1" "!relay begin 100"
check "on the timeout it exits 3" '[ $st = 3 ]'
check "... with the phases that ended" \
	'[ "$(cat "$tmp/out.json")" = "{\"backend\": [
  {\"phase\": \"idle\", \"count\": 1, \"elapsed_ms\": 1000, \"wakeups\": 1, \"cpu_ms\": 0.000, \"requests\": 0, \"wakeups_per_s\": 1.000}
]}" ]'
check "... and says so" \
	'grep -q "timed out after 3 s" "$tmp/stderr" &&
	grep -q "phase .relay. begun but not ended: left out" "$tmp/stderr"'

# An older daemon (no cost in its report): acked, but no numbers; exit 1.
fresh
rm "$DAEMON/cost"
start 5
guest "relay begin 100" "relay end 100" "bad phase" "fastpath end 100" \
	"done end 0"
check "without the daemon's cost every phase is still acknowledged" \
	'[ $ok = 1 ]'
check "... it exits 1" '[ $st = 1 ]'
check "... the JSON, on standard output, has null numbers" \
	'[ "$(cat "$tmp/stdout")" = "{\"backend\": [
  {\"phase\": \"relay\", \"count\": 100, \"elapsed_ms\": null, \"wakeups\": null, \"cpu_ms\": null, \"requests\": null, \"wakeups_per_s\": null, \"cpu_ms_per_1000\": null, \"wakeups_per_1000\": null}
]}" ]'
check "... and it says why" \
	'grep -q "xen-ismd does not report its wake-ups and CPU time" "$tmp/stderr"'
check "a malformed phase and an end without a begin are ignored" \
	'grep -q "ignoring a bad phase .bad phase." "$tmp/stderr" &&
	grep -q "ignoring the end of phase .fastpath., which did not begin" "$tmp/stderr"'

# The daemon not running: ismctl has no totals.
fresh
cat >"$tmp/ismctl-none" <<'EOF2'
#!/bin/sh
echo "ismctl: xen-ismd is not running (no /run/xen-ismd.sock): showing xenstore only" >&2
printf '{\n  "devices": [],\n  "totals": null\n}\n'
EOF2
chmod +x "$tmp/ismctl-none"
ISMCTL=$tmp/ismctl-none
start 5
ISMCTL=$tmp/ismctl
guest "idle begin 1" "done end 0"
check "without a daemon it says so and exits 1" \
	'[ $st = 1 ] && grep -q "no totals from xen-ismd: ismctl: xen-ismd is not running" "$tmp/stderr" &&
	[ "$(cat "$tmp/stdout")" = "{\"backend\": []}" ]'

# Usage.
start
guest
check "no domain id: usage, exit 2" \
	'[ $st = 2 ] && grep -q "want DOMID" "$tmp/stderr"'
start --timeout soon 5
guest
check "a bad timeout: exit 2" \
	'[ $st = 2 ] && grep -q "bad timeout .soon." "$tmp/stderr"'
start --help
guest
check "--help: the usage, exit 0" \
	'[ $st = 0 ] && grep -q "^Usage: ism-bench-backend \[--stats-socket PATH\] \[--timeout SEC\] DOMID \[OUTPUT.json\]$" "$tmp/stdout"'
start 5 /nonexistent/dir/out.json --timeout 1
guest
check "arguments after DOMID are refused" '[ $st = 2 ]'

[ $fails = 0 ]
