#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest half of the smoke scenario.  Role "a" offers a page and an event
# channel to its peer, role "b" accepts them.  Both first accept dom0's page.
lab-probe dom0-accept || rc=1
case $1 in
a) lab-probe peer-offer || rc=1 ;;
b) lab-probe peer-accept || rc=1 ;;
*) echo "not ok - unknown role '$1'"; rc=1 ;;
esac
exit ${rc:-0}
