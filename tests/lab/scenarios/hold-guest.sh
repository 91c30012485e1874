#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A guest that opens its ism device, holds it (with one region) until dom0
# writes ~/lab/done (2 minutes at most), then lets go.
. /lab/guest-lib.sh
ism alloc 4K --sleep 120000 >/tmp/token &
pid=$!
wait_until 30 [ -s /tmp/token ] &&
	echo "ok - the device connects and a region is allocated" ||
	echo "not ok - the device connects and a region is allocated"
wait_until 120 xenstore-read lab/done >/dev/null 2>&1
kill $pid
wait $pid
exit 0
