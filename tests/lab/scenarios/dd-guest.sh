#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The driver domain of the driver-domain scenario: the grant helper is
# loaded by init (lab.insmod); run xen-ismd until dom0 writes ~/lab/done
# (5 minutes at most).
. /lab/guest-lib.sh
xen-ismd --foreground -v --pid-file=none --gid-file=/tmp/gid \
	>/tmp/xen-ismd.log 2>&1 &
pid=$!
if wait_until 30 [ -S /run/xen-ismd.sock ]; then
	echo "ok - xen-ismd starts in the driver domain"
	xenstore-write lab/ready 1
else
	echo "not ok - xen-ismd starts in the driver domain"
fi
wait_until 300 xenstore-read lab/done >/dev/null 2>&1
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && echo "ok - xen-ismd stops cleanly in the driver domain" ||
	echo "not ok - xen-ismd stops cleanly in the driver domain (exit $rc)"
sed 's/^/# /' /tmp/xen-ismd.log
exit 0
