#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the guest halves of the smcd-* scenarios share (after guest-lib.sh):
# SMC-D's set-up as an administrator does it, and checks of SMC's state.

# smcd_setup [MODULE-ARGS]: the set-up steps, each one checked; SMC's
# buffers are SMCD_BUFFERS (default: ism-smc's).
smcd_setup()
{
	local mods=/lib/modules/xen
	insmod $mods/ib_core.ko && insmod $mods/smc.ko &&
		insmod "/lib/modules/$(uname -r)/updates/xen-ism-smcd.ko" "$@"
	check "the modules ib_core, smc and xen-ism-smcd load" 0 $?
	ism-smc setup ${SMCD_BUFFERS:+--buffers $SMCD_BUFFERS} >/tmp/setup 2>&1
	check "ism-smc setup: $(tr '\n' ' ' </tmp/setup)" 0 $?
	wait_until 10 sh -c "dmesg | grep -q 'xen-ism-smcd: ism [0-9]*: SMC-D device'" &&
		echo "ok - xen-ism-smcd made an SMC-D device: $(dmesg | sed -n 's/.*xen-ism-smcd: //p' | head -n 1)" ||
		echo "not ok - xen-ism-smcd made an SMC-D device"
}

# linkgroups WANT: `ism-smc linkgroups` lists WANT (some|none) link groups.
linkgroups()
{
	local rc
	as_user ism ism-smc linkgroups >/tmp/lgr 2>&1
	rc=$?
	sed 's/^/# /' /tmp/lgr
	if [ "$1" = some ]; then
		[ $rc = 0 ] && grep -q "^id .* peer-gid [0-9a-f]\{16\} conns [0-9]* chid" /tmp/lgr
		check "ism-smc linkgroups lists an SMC-D link group" 0 $?
	else
		[ $rc = 0 ] && [ ! -s /tmp/lgr ]
		check "ism-smc linkgroups lists no SMC-D link group" 0 $?
	fi
}

# linkgroups_gone: `ism-smc linkgroups` lists none (for wait_until).
linkgroups_gone()
{
	[ -z "$(as_user ism ism-smc linkgroups 2>/dev/null)" ]
}

# stats WHAT N FALLBACKS: `ism-smc stats` counts N SMC-D connections of
# WHAT (client|server) and FALLBACKS fallbacks to TCP.
stats()
{
	ism-smc stats >/tmp/stats 2>&1
	sed 's/^/# /' /tmp/stats
	grep -qx "smcd-$1-v2 $2" /tmp/stats && grep -qx "fallback-$1 $3" /tmp/stats
	check "ism-smc stats: $2 SMC-D connection(s) as $1, $3 fallback(s) to TCP" 0 $?
}

# budget WHAT TOTAL: TOTAL connections as WHAT, each over SMC-D or, past
# the DMB budget, over TCP (SMC reuses a link group's free DMBs first).
budget()
{
	local smcd fb
	ism-smc stats >/tmp/stats 2>&1
	sed 's/^/# /' /tmp/stats
	smcd=$(sed -n "s/^smcd-$1-v2 //p" /tmp/stats)
	fb=$(sed -n "s/^fallback-$1 //p" /tmp/stats)
	[ -n "$smcd" ] && [ -n "$fb" ] && [ $((smcd + fb)) = "$2" ]
	check "ism-smc stats: of $2 connections as $1, ${smcd:-?} over SMC-D, ${fb:-?} over TCP" 0 $?
}

# run ARG...: lab-smcd as user "ism" through ism-smc-run.
run() { as_user ism ism-smc-run lab-smcd "$@"; }
