#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of kfront-bench: the guest has two ism devices, both
# bound by xen-ismfront when it loaded; the second is handed to libxenism's
# userspace path (unbound through sysfs, which closes it), so that
# ism-bench measures both frontends in one run.  Then bench-guest.sh.
. /lab/guest-lib.sh
devs=$(xenstore-list device/ism | sort -n)
second=$(echo "$devs" | sed -n 2p)
drv=$(ls -d /sys/bus/xen/drivers/* 2>/dev/null | while read -r d; do
	[ "$(basename "$(readlink "$d/module")")" = xen_ismfront ] && echo "$d"; done | head -n 1)
for d in $devs; do wait_until 60 kfront_bound "$d"; done
echo "ism-$second" >"$drv/unbind" && ! kfront_bound "$second" &&
	echo "ok - device $second is handed to the userspace path ($drv/unbind)" ||
	echo "not ok - device $second is handed to the userspace path ($drv/unbind)"
. /lab/scenarios/bench-guest.sh
