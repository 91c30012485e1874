#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of smc-preload: bring up loopback (the guest has no
# other network), load SMC as `modprobe smc` would, then run lab-smc as
# user "smc" with and without ism-smc-run.
. /lab/guest-lib.sh

ip link set lo up
insmod /lib/modules/xen/ib_core.ko && insmod /lib/modules/xen/smc.ko
check "the kernel's ib_core and smc modules load" 0 $?
grep -q '^smc:' /etc/passwd || {
	echo "smc:x:1003:1003:unprivileged:/tmp:/bin/sh" >>/etc/passwd
	echo "smc:x:1003:" >>/etc/group
}
as_user smc lab-smc tcp || rc=1
ISM_SMC_DEBUG=1 as_user smc ism-smc-run lab-smc smc 2>/tmp/smc-debug || rc=1
grep -q '^ism-smc: TCP socket [0-9]* is AF_SMC$' /tmp/smc-debug
check "ISM_SMC_DEBUG says the program's TCP sockets are AF_SMC" 0 $?
as_user smc ism-smc-run /nonexistent-program 2>/tmp/smc-err
check "ism-smc-run of a missing program" 127 $?
exit ${rc:-0}
