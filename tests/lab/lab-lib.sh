# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for lab scenarios, sourced in dom0 (busybox sh).  A scenario
# prints TAP on stdout: tap_ok / tap_fail / tap_check print one test each,
# guest_tap turns a guest's "ok - ..." lines into tests, and tap_finish
# prints the plan at the end.  Diagnostics go to stdout as "# ..." lines.
# Every wait is wait-lib.sh's wait_until, bounded by the clock.
. /lab/wait-lib.sh

# Kept when sourced again: a scenario may run its own checks, then
# another scenario (package.lab runs demo.lab).
LAB_TESTS=${LAB_TESTS:-0}
LAB_FAILED=${LAB_FAILED:-0}
LAB_GUEST_KERNEL=/lab/guest/vmlinux
LAB_GUEST_RAMDISK=/lab/guest/initrd.cpio
# The same with iperf3, sockperf and socat (GUEST_MEMORY=256 to boot it).
LAB_GUEST_TOOLS_RAMDISK=/lab/guest/initrd-tools.cpio
LAB_CONSOLE_DIR=/var/log/xen/console
# Bounds of dom0's waits, in seconds, for a busy host (another lab on the
# same CPUs): a guest's boot up to its program (seen to take 125 s), and
# a guest's power-off once its program is done.
LAB_BOOT_WAIT=420
LAB_OFF_WAIT=300
# Guests are PV on x86 and PVH on arm64 (which has no PV), with 256 MiB
# there: Debian's arm64 kernel has no ZONE_DEVICE, so its grant mappings
# take real guest RAM (128 MiB ran out mapping a 17 MiB region).
case $(uname -m) in
aarch64) LAB_GUEST_TYPE=pvh LAB_GUEST_MEMORY=256 ;;
*) LAB_GUEST_TYPE=pv LAB_GUEST_MEMORY=128 ;;
esac

tap_ok()
{
	LAB_TESTS=$((LAB_TESTS + 1))
	echo "ok $LAB_TESTS - $*"
}

tap_fail()
{
	LAB_TESTS=$((LAB_TESTS + 1))
	LAB_FAILED=$((LAB_FAILED + 1))
	echo "not ok $LAB_TESTS - $*"
}

# tap_skip DESCRIPTION REASON: a test that cannot run here, and why.
tap_skip()
{
	LAB_TESTS=$((LAB_TESTS + 1))
	echo "ok $LAB_TESTS - $1 # SKIP $2"
}

tap_diag()
{
	echo "# $*"
}

# tap_check DESCRIPTION COMMAND...: one test, passing if COMMAND succeeds;
# the command's output becomes diagnostics.  COMMAND runs in a subshell.
tap_check()
{
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/# /'
	if [ $rc -eq 0 ]; then tap_ok "$desc"; else tap_fail "$desc (exit $rc)"; fi
	return $rc
}

tap_finish()
{
	echo "1..$LAB_TESTS"
	[ $LAB_FAILED -eq 0 ]
}

# The lab network: a bridge in dom0 that guests join with a vif.  The
# addresses are link-local (169.254.77.0/24): the lab has no way out, and
# nothing in it pretends to be anything else.
LAB_NET=169.254.77
lab_net_up()
{
	local m
	for m in llc stp bridge xen-netback; do
		grep -q "^$(echo $m | tr - _) " /proc/modules || insmod /lib/modules/xen/$m.ko || return 1
	done
	brctl addbr xenbr0 2>/dev/null
	ip addr add $LAB_NET.1/24 dev xenbr0 2>/dev/null
	ip link set xenbr0 up
}

# guest_net N: xl config lines and a kernel argument giving a guest address
# $LAB_NET.N on the lab bridge; use as GUEST_XL_EXTRA=$(guest_net N).
guest_net()
{
	echo "vif = [ \"bridge=xenbr0,script=vif-lab\" ]"
	echo "#lab.ip=$LAB_NET.$1"
}

# guest_config NAME RUN [ARG...]: write the xl config of a guest whose
# init runs RUN with ARGs to /tmp/NAME.cfg (see guest_create for the
# variables it reads) and print its path.
guest_config()
{
	local name=$1 run=$2 args cfg kargs
	shift 2
	args=$(echo "$*" | tr ' ' :)
	cfg=/tmp/$name.cfg
	# Kernel arguments asked for by GUEST_XL_EXTRA as "#lab.x=y" lines.
	kargs=$(echo "${GUEST_XL_EXTRA:-}" | sed -n 's/^#\(lab\.[a-z]*=[^ ]*\)$/\1/p' | tr '\n' ' ')
	cat >"$cfg" <<CFG
name = "$name"
type = "${GUEST_TYPE:-$LAB_GUEST_TYPE}"
kernel = "$LAB_GUEST_KERNEL"
ramdisk = "${GUEST_RAMDISK:-$LAB_GUEST_RAMDISK}"
extra = "console=hvc0 rdinit=/init loglevel=4 panic=-1 lab.run=$run lab.args=$args $kargs"
memory = ${GUEST_MEMORY:-$LAB_GUEST_MEMORY}
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
${GUEST_XL_EXTRA:-}
CFG
	echo "$cfg"
}

# guest_create NAME RUN [ARG...]: start a guest whose init runs RUN with
# ARGs, and print its domid.  Extra xl config lines may be given in the
# GUEST_XL_EXTRA variable; GUEST_PAUSED=1 creates it paused (xl unpause
# NAME starts it), so that devices can be added before it boots;
# GUEST_TYPE is pv or pvh (default: LAB_GUEST_TYPE; on x86 pvh needs a
# scenario with a "# lab-cpu: qemu64,+svm,+npt" line); a guest that
# reboots is destroyed; GUEST_MEMORY is its memory in MiB (default
# LAB_GUEST_MEMORY), GUEST_RAMDISK its
# initramfs (default $LAB_GUEST_RAMDISK).  Its xl config stays in
# /tmp/NAME.cfg.
guest_create()
{
	local name=$1 cfg
	cfg=$(guest_config "$@") || return 1
	xl create -q ${GUEST_PAUSED:+-p} "$cfg" >/tmp/$name.xl.log 2>&1 || {
		sed 's/^/# xl: /' /tmp/$name.xl.log >&2
		return 1
	}
	xl domid "$name"
}

# guest_gone NAME: the guest is not running (any more).
guest_gone()
{
	! xl domid "$1" >/dev/null 2>&1
}

# guest_stuck_diag NAME: what dom0 can see of a guest that did not end:
# its vCPUs' time and state, whether xenconsoled gave it a console log
# and how long that is, and its console nodes (a guest that printed
# nothing at all, twice seen beside another lab, is a guest whose console
# nobody may be reading).
guest_stuck_diag()
{
	local d log=$LAB_CONSOLE_DIR/guest-$1.log
	d=$(xl domid "$1" 2>/dev/null) || return 0
	xl vcpu-list "$1" 2>&1 | sed "s/^/# $1: /"
	if [ -f "$log" ]; then
		tap_diag "$1: console log of $(wc -c <"$log") bytes"
	else
		tap_diag "$1: no console log: xenconsoled never saw its output"
	fi
	xenstore-ls -f "/local/domain/$d/console" 2>&1 | sed "s/^/# $1: /"
}

# guest_wait NAME SECONDS: wait for the guest to power off; destroy it and
# fail if it is still running after SECONDS.  It looks every LAB_WAIT_STEP
# seconds (default 0.1); each look is an xl command, a load on dom0 that
# benchmarks avoid with a longer step.
guest_wait()
{
	local WAIT_STEP=${LAB_WAIT_STEP:-0.1}
	wait_until "$2" guest_gone "$1" && return 0
	tap_diag "guest $1 still running after $2 s; destroying it"
	guest_stuck_diag "$1"
	xl destroy "$1" >/dev/null 2>&1
	return 1
}

# results_tap PREFIX: "ok - ..." / "not ok - ..." lines on stdin become
# tests named "PREFIX...", "# ..." lines diagnostics; a "@guest@ done rc=N"
# line sets LAB_RC; the rest is ignored (a console log holds kernel
# messages too).
results_tap()
{
	local prefix=$1 line
	LAB_RC=
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | tr -d '\r')
		case $line in
		"ok - "*) tap_ok "$prefix${line#ok - }" ;;
		"not ok - "*) tap_fail "$prefix${line#not ok - }" ;;
		"# "*) tap_diag "$prefix${line#\# }" ;;
		"@guest@ done rc="*) LAB_RC=${line#@guest@ done rc=} ;;
		esac
	done
}

# probe_tap COMMAND...: run a checking program in dom0; its result lines
# become tests, and a non-zero exit fails one more.
probe_tap()
{
	local out=/tmp/probe.$$ rc
	"$@" >$out 2>&1
	rc=$?
	results_tap "" <$out
	grep -v -e '^ok - ' -e '^not ok - ' $out | sed 's/^/# /'
	rm -f $out
	[ $rc -eq 0 ] || tap_fail "$1 exited with $rc"
	return $rc
}

# guest_tap NAME: the guest's results, from its console log, as tests.
# A guest that did not report "done rc=0" fails one more test.
guest_tap()
{
	local name=$1 log=$LAB_CONSOLE_DIR/guest-$1.log
	if [ ! -f "$log" ]; then
		tap_fail "$name: no console log"
		return 1
	fi
	results_tap "$name: " <"$log"
	if [ "$LAB_RC" = 0 ]; then
		tap_ok "$name: guest program finished"
	else
		tap_fail "$name: guest program finished (rc=${LAB_RC:-none: it never ended})"
	fi
}

# ismd_start [OPTION...]: start xen-ismd in the background, logging to
# /var/log/xen/xen-ismd.log (dumped with the guest logs), and wait (up to
# LAB_ISMD_WAIT seconds, default 10) until it serves (its stats socket
# appears); fail at once if it exits.  A socket that a killed daemon left
# behind (kill -9 removes nothing) is removed first, or the wait would end
# before the new daemon listens.  Call it in the scenario's shell, not in a
# subshell such as tap_check's, so that ismd_stop knows its pid.
ismd_start()
{
	if [ -z "${LAB_ISMD_PID:-}" ] || ! kill -0 $LAB_ISMD_PID 2>/dev/null; then
		rm -f /run/xen-ismd.sock
	fi
	xen-ismd --foreground -v --gid-file=/tmp/ism-gid "$@" \
		>>/var/log/xen/xen-ismd.log 2>&1 &
	LAB_ISMD_PID=$!
	wait_until "${LAB_ISMD_WAIT:-10}" ismd_settled && [ -S /run/xen-ismd.sock ]
}

# ismd_settled: xen-ismd serves, or has exited: either ends ismd_start's
# wait.
ismd_settled()
{
	[ -S /run/xen-ismd.sock ] || ! kill -0 $LAB_ISMD_PID 2>/dev/null
}

# ismd_stop [SIGNAL]: send xen-ismd SIGNAL (default TERM) and wait for it
# to exit; its exit status (0: it stopped cleanly).  On SIGTERM xen-ismd
# keeps its state for the next start (--state-file): it closes no device,
# guests keep their regions.  On SIGINT it closes every device (frontends
# see Closed).  KILL: the status is 137 (128 + 9); the state is kept as for
# SIGTERM.
ismd_stop()
{
	local rc
	if ! kill -"${1:-TERM}" $LAB_ISMD_PID 2>/dev/null; then
		wait $LAB_ISMD_PID
		rc=$?
		echo "xen-ismd had already exited, with status $rc"
		return 1
	fi
	wait $LAB_ISMD_PID
}

# guest_peer NAME-A NAME-B: tell each guest the other's domid in ~/lab/peer
# (a directory the guest owns).
guest_peers()
{
	local a b
	a=$(xl domid "$1") && b=$(xl domid "$2") || return 1
	for pair in "$a $b" "$b $a"; do
		set -- $pair
		xenstore-write "/local/domain/$1/lab/peer" "$2" &&
			xenstore-chmod -r "/local/domain/$1/lab" "n$1" || return 1
	done
}

# ism_connected DOMID: the domain has ism devices, and each is Connected
# on both ends.
ism_connected()
{
	local dev be fe seen=
	for dev in $(xenstore-list "/local/domain/$1/device/ism" 2>/dev/null); do
		fe=$(xenstore-read "/local/domain/$1/device/ism/$dev/state" 2>/dev/null)
		be=$(xenstore-read "$(xenstore-read "/local/domain/$1/device/ism/$dev/backend")/state" 2>/dev/null)
		[ "$fe" = 4 ] && [ "$be" = 4 ] || return 1
		seen=1
	done
	[ -n "$seen" ]
}

# ism_wait_connected DOMID SECONDS: wait until every ism device of the
# domain is Connected on both ends.
ism_wait_connected()
{
	wait_until "$2" ism_connected "$1"
}

# ism_totals: the daemon's totals that a teardown must bring back, from
# `ismctl list --json`, as "regions=N released=N grants=N quarantined=N
# held=N".
ism_totals()
{
	local t k v out=
	t=$(ismctl list --json 2>/dev/null | tr -d '\n' |
		sed -n 's/.*"totals": *{\([^}]*\)}.*/\1/p')
	[ -n "$t" ] || return 1
	for k in regions released grants quarantined held; do
		v=$(echo "$t" | sed -n "s/.*\"$k\": *\([0-9]*\).*/\1/p")
		out="$out${out:+ }$k=${v:-?}"
	done
	echo "$out"
}

# ism_totals_are WANTED: ism_totals prints WANTED; the totals it read go
# to ism_totals_wait's `now`.
ism_totals_are()
{
	now=$(ism_totals)
	[ "$now" = "$1" ]
}

# ism_totals_wait WANTED SECONDS: wait until ism_totals prints WANTED (the
# daemon finishes a release or a reclaim on its own time); print the last.
ism_totals_wait()
{
	local now=
	wait_until "$2" ism_totals_are "$1"
	echo "$now"
	[ "$now" = "$1" ]
}

# xs_seen PATH [DIR]: xenstore PATH exists, or DIR (if given) is gone,
# which sets xs_wait's `gone`: either ends xs_wait's wait.
xs_seen()
{
	xenstore-read "$1" >/dev/null 2>&1 && return 0
	[ -n "${2:-}" ] && ! xenstore-read "$2" >/dev/null 2>&1 && gone=1
}

# xs_wait PATH SECONDS: wait until xenstore PATH exists.  A node under
# /local/domain/N/ goes with its domain: once /local/domain/N is gone (a
# guest that powered off, on_poweroff=destroy), PATH cannot appear any more,
# and the wait fails at once.  So never wait for a node of a guest that may
# have written it and exited: keep the guest until it is told (the guest
# half's `get lab/end`, as in teardown and limits).  With XS_WAIT_WATCH
# set, it sleeps on a watch of PATH (watch_until) instead of looking every
# WAIT_STEP, for long waits while guests are measured.
xs_wait()
{
	local dir= rest gone=
	case $1 in
	/local/domain/*/*)
		rest=${1#/local/domain/}
		dir=/local/domain/${rest%%/*}
		;;
	esac
	if [ -n "${XS_WAIT_WATCH:-}" ]; then
		watch_until "$2" "$1" xs_seen "$1" "$dir"
	else
		wait_until "$2" xs_seen "$1" "$dir"
	fi
	if [ $? -ne 0 ]; then
		tap_diag "$1 did not appear in $2 s"
		return 1
	fi
	if [ -n "$gone" ]; then
		tap_diag "domain ${dir#/local/domain/} is gone before $1 appeared"
		return 1
	fi
}

# lab_keep FILE [NAME]: bring FILE out of the lab: dom0-init dumps it, as
# NAME (default: its base name), into the run's log directory on the host
# (logs/SCENARIO/NAME) when the scenario ends, with its md5 sum in
# lab-out.md5 there.
lab_keep()
{
	mkdir -p /run/lab-out && cp "$1" "/run/lab-out/${2:-${1##*/}}"
}

# guest_file GUEST NAME OUT: the file that guest GUEST sent as NAME
# (guest-lib.sh's send_file), out of its console log into OUT; fails unless
# it arrived whole (its md5 sum matches).
guest_file()
{
	local log=$LAB_CONSOLE_DIR/guest-$1.log want got
	[ -f "$log" ] || return 1
	tr -d '\r' <"$log" | sed -n -e "s/^@file@ $2 | //p" -e "s/^@file@ $2 |\$//p" >"$3"
	want=$(tr -d '\r' <"$log" | sed -n "s/^@file@ $2 md5 //p" | tail -n 1)
	got=$(md5sum <"$3" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$want" = "$got" ]
}
