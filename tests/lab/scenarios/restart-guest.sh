#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the restart scenario: ROLE owner or peer, with two ism
# devices.  lab-restart runs on each at once: on the first with the fast
# path ("fast", or MODE, the second argument: "refused" in the silo
# scenario), on the second without it ("slow": every notification a
# NOTIFY through xen-ismd), each exchanging rounds over a 1 MiB region
# with the same program in the peer guest until dom0 writes the owner's
# ~/lab/stop, then sharing a second region and releasing everything (see
# lab-restart.c).  Each program's exit status goes to ~/lab/MODE-rc; the
# guest stays until ~/lab/end.
. /lab/guest-lib.sh
# dom0 stops xen-ismd for up to 30 s, and a busy host stretches its start:
# a NOTIFY through the backend may wait that long for its answer (the
# requests wait in the ring meanwhile).  Three minutes, not guest-lib's one.
export ISM_TIMEOUT_MS=180000
role=$1
mode=${2:-fast}
peer=$(get lab/peer)
set -- $(xenstore-list device/ism | sort -n)
if [ $# != 2 ]; then
	echo "not ok - two ism devices (found: $*)"
	exit 1
fi
lab-restart "$role" "$peer" "$1" "$mode" &
fast=$!
lab-restart "$role" "$peer" "$2" slow &
slow=$!
wait $fast
frc=$?
xenstore-write lab/$mode-rc $frc
wait $slow
src=$?
xenstore-write lab/slow-rc $src
await lab/end 1800 >/dev/null
[ $frc = 0 ] && [ $src = 0 ]
