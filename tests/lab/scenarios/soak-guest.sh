#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the soak scenario: lab-soak ROLE (owner or peer) with
# its peer's domid, a warm-up of WARM cycles, then, once dom0 has taken its
# baseline (~/lab/go), CYCLES more, and writes lab-soak's exit status to
# ~/lab/done; the guest stays until ~/lab/end.
. /lab/guest-lib.sh
role=$1 warm=$2 cycles=$3
peer=$(get lab/peer)
lab-soak "$role" "$peer" "$warm" 65536 | sed 's/^ok - /ok - warm-up: /;s/^not ok - /not ok - warm-up: /'
xenstore-write lab/warm 1
await lab/go 600 >/dev/null || echo "not ok - dom0 said go"
lab-soak "$role" "$peer" "$cycles" 65536
xenstore-write lab/done $?
await lab/end 3600 >/dev/null
