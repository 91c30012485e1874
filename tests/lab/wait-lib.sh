# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lab's one way to wait, sourced by lab-lib.sh (dom0) and guest-lib.sh
# (guests), busybox sh.  A wait is bounded by the clock (date +%s), never
# by a count of tries: a busy host stretches each try and each sleep, and a
# count of them stretched a "180 s" wait past the scenario's bound.

# wait_until SECONDS COMMAND...: run COMMAND until it succeeds, sleeping
# WAIT_STEP seconds (default 0.1) between tries; return 1 once at least
# SECONDS of wall clock have passed.  The clock is read after a failed try,
# so a command that succeeds at once never waits.  COMMAND's output is the
# caller's business (redirect it, or the call).
wait_until()
{
	local _wait_end
	_wait_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		# date +%s counts whole seconds: only past the end's second
		# have at least SECONDS passed.
		[ "$(date +%s)" -le $_wait_end ] || return 1
		sleep "${WAIT_STEP:-0.1}"
	done
}

# watch_until SECONDS PATH COMMAND...: as wait_until, but COMMAND runs
# each time a xenstore watch of PATH fires (once when it is set, then when
# PATH, a node below it or its parent is written or removed), not every
# WAIT_STEP: a long wait among many costs nothing between changes.  Under
# emulation each command a wait starts costs a PV guest tens of
# milliseconds, so eight looking guests take a CPU from the ones measured.
# A node written before the watch is set is seen when it first fires.
watch_until()
{
	local _secs=$1 _path=$2 _fifo _pid _rc=1
	shift 2
	_fifo=$(mktemp -u /tmp/watch.XXXXXX) && mkfifo "$_fifo" || return 1
	timeout "$_secs" xenstore-watch "$_path" >"$_fifo" 2>/dev/null &
	_pid=$!
	while read -r _; do
		if "$@" </dev/null; then
			_rc=0
			break
		fi
	done <"$_fifo"
	kill "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	rm -f "$_fifo"
	return $_rc
}
