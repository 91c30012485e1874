# SPDX-License-Identifier: GPL-2.0-or-later
#
# Turns a lab serial log into TAP for automake's harness.
#
# Input: the serial console, one line per line, each prefixed by the host
# with "[SECONDS] " (time since QEMU started).  The dom0 init marks
#   "@lab@ LINE"             a TAP line of the scenario
#   "@lab-file@ begin NAME"  ... "@lab-file@ | LINE" ... "@lab-file@ end NAME"
#                            a guest console log, saved as logdir/NAME
#   "@lab-end@"              the scenario finished and logs were dumped
# Output: the scenario's TAP, plus "# lab: ..." notes (boot time), and a
# "Bail out!" if the run ended without @lab-end@ (timeout or crash).
# Variables: logdir (where guest logs go; empty: not saved), status (QEMU's
# exit status; 124 or 137: the host's time limit killed it; 143: lab-run
# was interrupted).
BEGIN {
	ended = 0
	crash = ""
	file = ""
}

{
	sub(/\r+$/, "")
	t = ""
	line = $0
	if (match(line, /^\[ *[0-9.]+\] /)) {
		t = substr(line, 2, RLENGTH - 3)
		sub(/^ +/, "", t)
		line = substr(line, RLENGTH + 1)
	}
}

# Guest console logs, passed through dom0's console.
line ~ /^@lab-file@ begin / {
	file = substr(line, 18)
	gsub(/[^A-Za-z0-9._-]/, "_", file)
	if (logdir != "")
		printf "" > (logdir "/" file)
	next
}
line ~ /^@lab-file@ end / {
	if (logdir != "" && file != "")
		close(logdir "/" file)
	file = ""
	next
}
line ~ /^@lab-file@ \| / {
	if (logdir != "" && file != "")
		print substr(line, 14) >> (logdir "/" file)
	next
}

line ~ /^@lab-end@/ {
	ended = 1
	next
}

line ~ /^@lab@ / {
	tap = substr(line, 7)
	if (tap ~ /^# dom0 ready/ && t != "")
		printf "# lab: dom0 ready %s s after QEMU started\n", t
	print tap
	next
}

# What ends a run early, for the Bail out message.
crash == "" && line ~ /Panic on CPU|Hardware Dom0 crashed|Kernel panic|Reboot in five seconds|domain_crash/ {
	crash = line
}

END {
	if (t != "")
		printf "# lab: last console line at %s s\n", t
	if (!ended) {
		if (status == 124 || status == 137)
			reason = "the run hit the host's time limit"
		else if (status == 143)
			reason = "the run was interrupted"
		else if (crash != "")
			reason = "crash: " crash
		else
			reason = "the console stopped (QEMU exit status " status ")"
		printf "Bail out! the scenario did not finish: %s\n", reason
		exit 1
	}
}
