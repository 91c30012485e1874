#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the kfront-unload scenario (see kfront-unload.lab).
# ISM_FRONTEND (libxenism(3)) forces one path of the library.
. /lab/guest-lib.sh
kfront_setup || exit 1
devid=$(xenstore-list device/ism | head -n 1)
mod=/lib/modules/$(uname -r)/updates/xen-ismfront.ko
fe_state() { xenstore-read "device/ism/$devid/state" 2>/dev/null; }
fe_closed() { [ "$(fe_state)" = 6 ]; }
loaded() { grep -q '^xen_ismfront ' /proc/modules; }
unload() { rmmod xen_ismfront 2>/dev/null; }

as_user ism ism alloc 64K --sleep 600002 >/dev/null &
wait_until 120 slots_are 1 &&
	echo "ok - a process of user ism holds a region (slots-used 1)" ||
	echo "not ok - a process of user ism holds a region (slots-used $(slots_used))"
rmmod xen_ismfront 2>/tmp/err
rc=$?
[ $rc != 0 ] && loaded &&
	echo "ok - rmmod while the region is held fails cleanly: $(cat /tmp/err)" ||
	echo "not ok - rmmod while the region is held fails cleanly (exit $rc)"
slots_are 1 && echo "ok - the region is still held after the refused rmmod" ||
	echo "not ok - the region is still held after the refused rmmod (slots-used $(slots_used))"
kill_cmd TERM 600002
wait
wait_until 30 unload && echo "ok - rmmod once the holder has ended" ||
	echo "not ok - rmmod once the holder has ended: $(rmmod xen_ismfront 2>&1)"
loaded && echo "not ok - the module is gone" || echo "ok - the module is gone"
[ -e /dev/xen-ism ] && echo "not ok - /dev/xen-ism is gone" || echo "ok - /dev/xen-ism is gone"
wait_until 30 fe_closed && echo "ok - the module closed the device on its way out (state 6)" ||
	echo "not ok - the module closed the device on its way out (state $(fe_state))"
xenstore-write lab/unloaded 1
await lab/checked 300 >/dev/null

# One frontend at a time: a device that libxenism drives from userspace
# (root, no module: its state is Connected) is left alone by the module.
ism alloc 4K --sleep 600003 >/dev/null 2>/tmp/user-err &
fe_connected() { [ "$(fe_state)" = 4 ]; }
wait_until 120 fe_connected && echo "ok - without the module, root drives the device from userspace" ||
	echo "not ok - without the module, root drives the device from userspace (state $(fe_state)): $(cat /tmp/user-err)"
insmod "$mod" && echo "ok - insmod xen-ismfront again" ||
	echo "not ok - insmod xen-ismfront again"
sleep 2
kfront_bound "$devid" && echo "not ok - the module leaves the device userspace drives alone" ||
	echo "ok - the module leaves the device userspace drives alone: $(dmesg | grep -i "ism.*$devid" | tail -n 1)"
ISM_FRONTEND=kernel ism info >/dev/null 2>/tmp/err
rc=$?
[ $rc != 0 ] && echo "ok - the kernel path refuses that device: $(cat /tmp/err)" ||
	echo "not ok - the kernel path refuses that device"
# Killed, the holder leaves the device Connected; a libxenism program run
# by root on it then resets it and closes it on exit.
kill_cmd TERM 600003
wait
ISM_FRONTEND=user ism info >/dev/null 2>/tmp/err &&
	echo "ok - root's next userspace program on the device works" ||
	echo "not ok - root's next userspace program on the device works: $(cat /tmp/err)"
wait_until 30 fe_closed && echo "ok - and leaves the device Closed (state 6)" ||
	echo "not ok - and leaves the device Closed (state $(fe_state))"
# The administrator hands the device to the module with sysfs.
drv=$(ls -d /sys/bus/xen/drivers/* 2>/dev/null | while read -r d; do
	[ "$(basename "$(readlink "$d/module")")" = xen_ismfront ] && echo "$d"; done | head -n 1)
echo "ism-$devid" >"$drv/bind" 2>/tmp/err &&
	echo "ok - echo ism-$devid >$drv/bind" || echo "not ok - bind through sysfs ($drv): $(cat /tmp/err)"
wait_until 60 kfront_bound "$devid" && echo "ok - the module binds device $devid again" ||
	echo "not ok - the module binds device $devid again"
ISM_FRONTEND=user ism info >/dev/null 2>/tmp/err
rc=$?
[ $rc != 0 ] && echo "ok - root cannot drive the module's device from userspace: $(cat /tmp/err)" ||
	echo "not ok - root cannot drive the module's device from userspace"
kfront_setup >/dev/null || echo "not ok - /dev/xen-ism is back with the rule's group and mode"
as_user ism ism alloc 4K --print >/tmp/out 2>&1
check "user ism allocates again on the reloaded module: $(head -n 1 /tmp/out)" 0 $?
slots_are 0 && echo "ok - and its region is released when ism exits" ||
	echo "not ok - and its region is released when ism exits (slots-used $(slots_used))"
kernel_clean && echo "ok - the kernel log is clean" ||
	echo "not ok - the kernel log is clean: $(head -n 3 /tmp/kbad)"
