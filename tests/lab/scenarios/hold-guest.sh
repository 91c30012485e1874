#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A guest that opens its ism device, holds it (with one region) until dom0
# writes ~/lab/done, then lets go.
ism alloc 4K --sleep 120000 >/tmp/token &
pid=$!
i=0
until [ -s /tmp/token ] || [ $i -ge 300 ]; do
	i=$((i + 1))
	sleep 0.1
done
[ -s /tmp/token ] && echo "ok - the device connects and a region is allocated" ||
	echo "not ok - the device connects and a region is allocated"
i=0
until xenstore-read lab/done >/dev/null 2>&1 || [ $i -ge 1200 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill $pid
wait $pid
exit 0
