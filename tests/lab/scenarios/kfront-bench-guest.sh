#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of kfront-bench: the guest has two ism devices, both
# bound by xen-ismfront when it loaded; the second is handed to libxenism's
# userspace path (unbound through sysfs, which closes it), so that
# ism-bench measures both frontends in one run.  Then bench-guest.sh (as
# root).  Then the same pair again without root: user "ism" of group
# xen-ism runs ism-bench (A: --listen --peer B; B: --connect A --quick
# --only rtt,setup), both on the kernel frontend, the control channel over
# xen-ism; B sends that table and JSON as user-table.txt and user.json.
. /lab/guest-lib.sh
role=$1
ip=${2:-}
devs=$(xenstore-list device/ism | sort -n)
second=$(echo "$devs" | sed -n 2p)
drv=$(ls -d /sys/bus/xen/drivers/* 2>/dev/null | while read -r d; do
	[ "$(basename "$(readlink "$d/module")")" = xen_ismfront ] && echo "$d"; done | head -n 1)
for d in $devs; do wait_until 60 kfront_bound "$d"; done
echo "ism-$second" >"$drv/unbind" && ! kfront_bound "$second" &&
	echo "ok - device $second is handed to the userspace path ($drv/unbind)" ||
	echo "not ok - device $second is handed to the userspace path ($drv/unbind)"
. /lab/scenarios/bench-guest.sh

# Without root.  bench-guest.sh set $peer (the other guest's domid).
kfront_setup || exit 1
first=$(echo "$devs" | sed -n 1p)
kfront_bound "$first" && echo "ok - device $first is the kernel frontend's for the run without root" ||
	echo "not ok - device $first is the kernel frontend's for the run without root"
mkdir -p /tmp/nr && chown ism /tmp/nr
case $role in
listen)
	as_user ism ism-bench --listen --peer "$peer" >/tmp/nr/out 2>&1
	rc=$?
	sed 's/^/# listener (user ism): /' /tmp/nr/out
	check "ism-bench --listen --peer $peer as user ism (no root) served the run" 0 $rc
	grep -q "control channel goes over xen-ism" /tmp/nr/out &&
		echo "ok - without root, A's control channel goes over xen-ism" ||
		echo "not ok - without root, A's control channel goes over xen-ism"
	;;
connect)
	# A starts its listener once its first run ended: a minute at most
	# on a busy host; --timeout bounds B's look for it.
	set -- --connect "$peer" --tcp "$ip" --quick --only rtt,setup --timeout 300 \
		--json /tmp/nr/bench.json
	echo "# as user ism: ism-bench $*"
	as_user ism ism-bench "$@" >/tmp/nr/table.txt 2>/tmp/nr/err
	rc=$?
	sed 's/^/# /' /tmp/nr/err
	check "ism-bench --connect as user ism (no root) ran rtt and setup, every byte checked" 0 $rc
	grep -q "control channel goes over xen-ism" /tmp/nr/err &&
		echo "ok - without root, B's control channel goes over xen-ism" ||
		echo "not ok - without root, B's control channel goes over xen-ism"
	send_file user-table.txt /tmp/nr/table.txt
	send_file user.json /tmp/nr/bench.json ||
		echo "not ok - ism-bench as user ism wrote its JSON"
	;;
esac
