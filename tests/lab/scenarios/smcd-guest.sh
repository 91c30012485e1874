#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the smcd-* scenarios: set SMC-D up as an administrator
# would (xen-ismfront is loaded at boot; load smc.ko, xen-ism-smcd, add the
# UEID), then run lab-smcd as user "ism" through ism-smc-run.
#   smcd-guest.sh stream a|b SERVER-IP: b sends 4 MiB to a.
. /lab/guest-lib.sh
test=$1 role=$2 server=$3
kfront_use
mods=/lib/modules/xen
insmod $mods/ib_core.ko && insmod $mods/smc.ko &&
	insmod "/lib/modules/$(uname -r)/updates/xen-ism-smcd.ko"
check "the modules ib_core, smc and xen-ism-smcd load" 0 $?
ism-smc setup >/tmp/setup 2>&1
check "ism-smc setup: $(cat /tmp/setup)" 0 $?
dmesg | grep -q 'xen-ism-smcd: ism [0-9]*: SMC-D device' &&
	echo "ok - xen-ism-smcd made an SMC-D device: $(dmesg | sed -n 's/.*xen-ism-smcd: //p' | head -n 1)" ||
	echo "not ok - xen-ism-smcd made an SMC-D device"

size=4194304
case $role in
a)
	as_user ism ism-smc-run lab-smcd serve 5001 $size 1
	;;
b)
	reach "$server" && echo "ok - ping the other guest" ||
		echo "not ok - ping the other guest"
	as_user ism ism-smc-run lab-smcd send "$server" 5001 $size 1
	;;
esac
as_user ism ism-smc linkgroups >/tmp/lgr 2>&1
rc=$?
sed 's/^/# /' /tmp/lgr
[ $rc = 0 ] && grep -q "^id .* peer-gid [0-9a-f]\{16\} conns [0-9]* chid" /tmp/lgr
check "ism-smc linkgroups lists an SMC-D link group" 0 $?
kernel_clean
check "the kernel log has no oops, BUG or WARNING$(head -n 3 /tmp/kbad | tr '\n' ' ')" 0 $?
