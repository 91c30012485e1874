#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ism-protocol.md is generated from ismif.h, ism-nodes.txt and ism-wire.size
# and committed.  Fail if the committed copy is not what render-md.awk
# makes of the current sources.
src=${top_srcdir:-.}/xenstore-schema
out=${TMPDIR:-/tmp}/ism-protocol.md.$$
trap 'rm -f "$out"' EXIT

echo 1..3
if ${AWK:-awk} -f "$src/render-md.awk" "$src/ismif.h" "$src/ism-nodes.txt" \
	"$src/ism-wire.size" "$src/ismif.h" > "$out"; then
	echo "ok 1 - render-md.awk renders the protocol document"
else
	echo "not ok 1 - render-md.awk failed (see the message above)"
fi
missing=$(sed -n "s/^#define \(ISM_[A-Z0-9_]*\) .*/\1/p" "$src/ismif.h" |
	while read -r name; do
		grep -qF "| \`$name\` |" "$out" || printf " %s" "$name"
	done)
if [ -z "$missing" ]; then
	echo "ok 2 - every ISM_ constant of ismif.h is in a table of the document"
else
	echo "not ok 2 - constants missing from the document (add them to a\
 @DEFINES@ line):$missing"
fi
if cmp -s "$out" "$src/ism-protocol.md"; then
	echo "ok 3 - xenstore-schema/ism-protocol.md is up to date"
else
	echo "not ok 3 - xenstore-schema/ism-protocol.md is stale: run" \
		"'make update-ism-protocol-md' and commit the result"
	diff -u "$src/ism-protocol.md" "$out" 2>&1 | head -20 | sed 's/^/# /'
fi
