#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the limits scenario (roles a, b, c; see limits.lab).
# ism(1) exits 1 for EFBIG and EDQUOT ("any other failure"); its message
# names the error.
. /lab/guest-lib.sh
refused() { # DESCRIPTION ERROR-TEXT COMMAND...: exit 1 naming ERROR-TEXT
	local what=$1 text=$2 rc
	shift 2
	"$@" >/dev/null 2>/tmp/err
	rc=$?
	[ $rc = 1 ] && grep -q "$text" /tmp/err &&
		echo "ok - $what: $(cat /tmp/err)" ||
		echo "not ok - $what (exit $rc: $(cat /tmp/err))"
}
pattern() { yes "limits pattern 0123456789" | head -c 262144; }

case $1 in
a)
	set -- $(xenstore-list device/ism)
	d1=$1 d2=$2
	ism -d "$d1" info >/tmp/info
	grep -qx "max-bytes 262144" /tmp/info && grep -qx "region-size 524288" /tmp/info &&
		echo "ok - the device announces max-bytes 256K and region-size 512K" ||
		echo "not ok - the device announces max-bytes 256K and region-size 512K: $(tr '\n' ' ' </tmp/info)"
	refused "a region above --region-size is refused (EFBIG)" "File too large" \
		ism -d "$d1" alloc 1M
	refused "a region above the quota is refused (EDQUOT)" "quota exceeded" \
		ism -d "$d1" alloc 512K
	# Hold the whole quota on one device; ask for more on the other.
	lab-region -d "$d1" alloc 262144 put lab/held @token get "/local/domain/$(get lab/b)/lab/shared" \
		detach >/tmp/holder &
	pid=$!
	get lab/held >/dev/null
	refused "another region beyond the quota, on the other device (EDQUOT)" \
		"quota exceeded" ism -d "$d2" alloc 4K
	refused "attaching beyond the quota is refused (EDQUOT)" "quota exceeded" \
		ism -d "$d2" attach "$(xenstore-read lab/held)"
	ism -d "$d2" info >/tmp/info
	grep -qx "bytes-used 262144" /tmp/info &&
		echo "ok - the backend reports 256K in use" ||
		echo "not ok - the backend reports 256K in use: $(tr '\n' ' ' </tmp/info)"
	xenstore-write lab/full 1
	wait $pid
	check "lab-region held 256K until b and c had shared" 0 $?
	cat /tmp/holder
	ism -d "$d2" alloc 256K >/dev/null
	check "after letting go, a allocates 256K again" 0 $?
	;;
b)
	a=$(get lab/a) c=$(get lab/c)
	get "/local/domain/$a/lab/full" >/dev/null
	pattern >/tmp/pattern
	ism alloc 256K --publish lm --peer "$c" --wait-peer --write /tmp/pattern \
		--notify --wait-detach >/dev/null
	check "b allocates its whole quota and shares it with c" 0 $?
	xenstore-write lab/shared 1
	# Until dom0 and a have seen it: a guest's nodes go with it.
	get lab/end >/dev/null
	;;
c)
	b=$(get lab/b)
	ism attach --lookup lm --from "$b" --wait --read /tmp/got
	check "c attaches b's region and reads it" 0 $?
	pattern | cmp -s - /tmp/got && echo "ok - c read b's 256K" ||
		echo "not ok - c read b's 256K"
	;;
esac
exit 0
