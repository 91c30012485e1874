# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers for the guest halves of lab scenarios (busybox sh in a guest).
# A guest reports checks as "ok - ..." / "not ok - ..." console lines,
# which dom0's guest_tap turns into tests.  Every wait is wait-lib.sh's
# wait_until, bounded by the clock.
. /lab/wait-lib.sh

# The lab must pass on a busy host, where xen-ismd may take longer than
# libxenism's 10 s to connect a device: every ism program here waits a
# minute (ism_dev_open(3), ISM_TIMEOUT_MS).
export ISM_TIMEOUT_MS=60000

# get PATH: wait (up to 3 minutes) until the xenstore node exists; print
# it.  A node of another guest goes with that guest: wait only for one
# whose guest stays until it is told (`get lab/end` after writing it).
get()
{
	wait_until 180 xenstore-read "$1" 2>/dev/null
}

# await PATH [SECONDS]: get for a guest that waits long among many (up to
# SECONDS, default 180): it sleeps on one xenstore watch (watch_until)
# rather than looking ten times a second.
await()
{
	local path=$1
	case $path in
	/*) ;;
	*) path=/local/domain/$(xenstore-read domid)/$path ;;
	esac
	watch_until "${2:-180}" "$path" xenstore-read "$path" 2>/dev/null
}

# check DESCRIPTION WANTED-STATUS ACTUAL-STATUS: one check of an exit status.
check()
{
	[ "$3" = "$2" ] && echo "ok - $1" || echo "not ok - $1 (exit $3, want $2)"
}

# send_file NAME FILE: send FILE to dom0 through the console, its lines
# behind "@file@ NAME | " and then its md5 sum; dom0's guest_file takes it
# out of the console log.  NAME: letters, digits, '.', '-'.
send_file()
{
	[ -f "$2" ] || return 1
	sed "s/^/@file@ $1 | /" "$2"
	echo "@file@ $1 md5 $(md5sum <"$2" | cut -d' ' -f1)"
}

# reach ADDR: wait (up to 30 s) until ADDR answers a ping.
reach()
{
	local WAIT_STEP=0.5
	wait_until 30 ping -c 1 -W 1 "$1" >/dev/null 2>&1
}

# kfront_setup: the kernel frontend, set up as an administrator would: the
# module is loaded (the scenario's `#lab.insmod=xen-ismfront`), the
# project's udev rule gives /dev/xen-ism its group and mode (the lab has
# no udevd: this applies the GROUP and MODE of the installed rule), user
# "ism" (uid 1000) and "ism2" (uid 1002) are in group xen-ism and user
# "outsider" (uid 1001) is not.  Prints "ok"/"not ok" lines; 0 if all is ready.
kfront_setup()
{
	local rule line group mode
	grep -q '^xen_ismfront ' /proc/modules &&
		echo "ok - the module xen-ismfront is loaded" ||
		{ echo "not ok - the module xen-ismfront is loaded"; return 1; }
	wait_until 10 test -c /dev/xen-ism &&
		echo "ok - /dev/xen-ism exists" ||
		{ echo "not ok - /dev/xen-ism exists"; return 1; }
	rule=$(find /lib/udev/rules.d /usr/lib/udev/rules.d /usr/local/lib/udev/rules.d \
		-name '*xen-ism*.rules' 2>/dev/null | head -n 1)
	line=$(grep -h 'KERNEL=="xen-ism"' "$rule" 2>/dev/null | head -n 1)
	group=$(echo "$line" | sed -n 's/.*GROUP="\([^"]*\)".*/\1/p')
	mode=$(echo "$line" | sed -n 's/.*MODE="\([0-7]*\)".*/\1/p')
	[ -n "$group" ] && [ -n "$mode" ] &&
		echo "ok - the installed udev rule $rule sets group $group, mode $mode" ||
		{ echo "not ok - an installed udev rule for xen-ism with GROUP and MODE ($rule)"; return 1; }
	if ! grep -q '^ism:' /etc/passwd; then
		echo "$group:x:1000:ism,ism2" >>/etc/group
		echo "ism:x:1000:1000:ism user:/tmp:/bin/sh" >>/etc/passwd
		echo "ism2:x:1002:1000:second ism user:/tmp:/bin/sh" >>/etc/passwd
		echo "outsider:x:1001:1001:not in $group:/tmp:/bin/sh" >>/etc/passwd
		echo "outsider:x:1001:" >>/etc/group
	fi
	chgrp "$group" /dev/xen-ism && chmod "$mode" /dev/xen-ism
}

# as_user USER CMD [ARGS]: run CMD as USER with the user's groups,
# keeping the environment (PATH, LD_LIBRARY_PATH, ISM_TIMEOUT_MS).
as_user()
{
	local user=$1 cmd
	shift
	cmd=$(for a in "$@"; do printf "'%s' " "$(printf %s "$a" | sed "s/'/'\\\\''/g")"; done)
	su -m -s /bin/sh "$user" -c "$cmd"
}

# kfront_use: this guest half runs on the kernel frontend: set it up
# (kfront_setup; exits the guest program if that fails), check that the
# device is the module's, and make `ism` run ism(1) as user "ism".
kfront_use()
{
	kfront_setup || exit 1
	devid=$(xenstore-list device/ism | head -n 1)
	kfront_bound "$devid" && echo "ok - device $devid is bound to xen-ismfront" ||
		echo "not ok - device $devid is bound to xen-ismfront"
	ism() { as_user ism ism "$@"; }
}

# kfront_bound DEVID: the device is driven by the kernel frontend (its
# xenbus driver belongs to the module xen_ismfront).
kfront_bound()
{
	[ "$(basename "$(readlink "/sys/bus/xen/devices/ism-$1/driver/module" 2>/dev/null)")" = xen_ismfront ]
}

# kernel_clean: the kernel log has no oops, BUG, WARNING or lockdep splat.
# The lines that say so go to /tmp/kbad; the log from the first of them
# (40 lines: the trace) is printed as "# dmesg: " diagnostics.
kernel_clean()
{
	local bad='Oops|BUG:|WARNING:|possible circular|general protection|Call Trace' n
	dmesg >/tmp/dmesg
	grep -E "$bad" /tmp/dmesg >/tmp/kbad || return 0
	n=$(grep -nE "$bad" /tmp/dmesg | head -n 1 | cut -d: -f1)
	sed -n "$n,$((n + 40))p" /tmp/dmesg | sed 's/^/# dmesg: /'
	return 1
}

# slots_used: the device's slots in use, as user "ism" sees them (INFO).
slots_used()
{
	as_user ism ism info 2>/dev/null | sed -n 's/^slots-used //p'
}

# slots_are N: slots_used prints N.
slots_are()
{
	[ "$(slots_used)" = "$1" ]
}

# kill_cmd SIGNAL WORD: send SIGNAL to each process whose command line has
# the argument WORD.
kill_cmd()
{
	local p
	for p in /proc/[0-9]*; do
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qx -- "$2" &&
			kill "-$1" "${p#/proc/}"
	done
	return 0
}
