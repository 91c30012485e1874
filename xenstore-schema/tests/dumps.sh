#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs ism-schema-check on every dump under tests/dumps.  Each dump says
# what must happen in its header lines (curl style):
#
#   # test: what the case is about
#   # exit: 0, 1 or 2
#   # expect: a string that must appear in the checker's output
#   # args: extra arguments for the checker
#
# One TAP test point per dump.
src=${top_srcdir:-.}/xenstore-schema
check=${top_builddir:-.}/ism-schema-check
out=${TMPDIR:-/tmp}/ism-dumps.$$
trap 'rm -f "$out"' EXIT

set -- "$src"/tests/dumps/*.dump
echo "1..$#"
n=0
for dump; do
	n=$((n + 1))
	name=${dump##*/}
	title=$(sed -n 's/^# test: //p' "$dump")
	want=$(sed -n 's/^# exit: //p' "$dump")
	args=$(sed -n 's/^# args: //p' "$dump")
	# shellcheck disable=SC2086 # args are words
	"$check" --nodes "$src/ism-nodes.txt" $args "$dump" > "$out" 2>&1
	got=$?
	bad=
	[ "$got" = "$want" ] || bad="exit status $got, want $want"
	while IFS= read -r line; do
		grep -qF -- "$line" "$out" ||
			bad="${bad:+$bad; }missing \"$line\""
	done <<END
$(sed -n 's/^# expect: //p' "$dump")
END
	if [ -z "$want" ] || [ -z "$title" ]; then
		bad="the dump lacks '# test:' or '# exit:'"
	fi
	if [ -z "$bad" ]; then
		echo "ok $n - $name: $title"
	else
		echo "not ok $n - $name: $title: $bad"
		sed 's/^/# /' "$out"
	fi
done
