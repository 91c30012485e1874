# SPDX-License-Identifier: GPL-2.0-or-later
#
# render-md.awk: renders ism-protocol.md from ismif.h, ism-nodes.txt and
# ism-wire.size.  POSIX awk (mawk and gawk give the same output).
#
#   awk -f render-md.awk ismif.h ism-nodes.txt ism-wire.size ismif.h
#
# The first pass over ismif.h collects struct and union definitions, the
# #define lines and the DOC titles; the node list gives the types and nodes;
# the size file the wire sizes; the second pass over ismif.h prints every
# "DOC:" comment block as a section, with the lines "@NAME ARG@" replaced:
#
#   @NODES side@      table and descriptions of one side of the node list
#   @TYPES@           the value types of the node list
#   @DEFINES regex@   table of the #define names matching regex
#   @STRUCT name@     the C definition of struct (or union) name
#   @SIZES@           the wire sizes
#
# An unknown marker or a missing struct is an error, so that the document
# cannot silently lose a part.

function fail(msg) {
	printf "render-md.awk: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

function anchor(s) {
	s = tolower(s)
	gsub(/[^a-z0-9 _-]/, "", s)
	gsub(/ /, "-", s)
	return s
}

function doc_text(line) {
	if (line == " *")
		return ""
	if (substr(line, 1, 3) == " * ")
		return substr(line, 4)
	fail("DOC line does not start with \" * \"")
}

function side_dir(side) {
	if (side == "backend")
		return "/local/domain/$BE/backend/ism/$FE/$DEVID"
	if (side == "frontend")
		return "/local/domain/$FE/device/ism/$DEVID"
	if (side == "data")
		return "/local/domain/$DOM/data/ism"
	fail("unknown side " side)
}

function node_label(name) {
	if (name == ".")
		return "(the directory)"
	if (name == "*")
		return "`<name>`"
	return "`" name "`"
}

function emit_nodes(side,    i, n) {
	n = 0
	print "Directory: `" side_dir(side) "`"
	print ""
	print "| Node | Type | Writer | Required | Perms |"
	print "| --- | --- | --- | --- | --- |"
	for (i = 1; i <= nnodes; i++) {
		if (node_side[i] != side)
			continue
		n++
		printf "| %s | `%s` | %s | %s | `(%s)` |\n", node_label(node_name[i]), \
			node_type[i], node_writer[i], node_req[i], node_perms[i]
	}
	if (!n)
		fail("no nodes for side " side)
	print ""
	for (i = 1; i <= nnodes; i++) {
		if (node_side[i] != side)
			continue
		print "- " node_label(node_name[i]) ": " node_desc[i]
	}
}

function emit_types(    i) {
	print "| Type | Values |"
	print "| --- | --- |"
	for (i = 1; i <= ntypes; i++)
		printf "| `%s` | %s |\n", type_name[i], type_desc[i]
}

function emit_defines(re,    i, n, cmts) {
	n = 0
	cmts = 0
	for (i = 1; i <= ndefs; i++)
		if (def_name[i] ~ re && def_cmt[i] != "")
			cmts++
	print cmts ? "| Name | Value | Meaning |" : "| Name | Value |"
	print cmts ? "| --- | --- | --- |" : "| --- | --- |"
	for (i = 1; i <= ndefs; i++) {
		if (def_name[i] !~ re)
			continue
		n++
		if (cmts)
			printf "| `%s` | `%s` | %s |\n", def_name[i], def_val[i], def_cmt[i]
		else
			printf "| `%s` | `%s` |\n", def_name[i], def_val[i]
	}
	if (!n)
		fail("no #define matches " re)
}

function emit_struct(name) {
	if (!(name in struct_text))
		fail("no struct or union " name " in ismif.h")
	print "```c"
	printf "%s", struct_text[name]
	print "```"
}

function emit_sizes(    i) {
	if (!nsizes)
		fail("no wire sizes")
	print "| Structure | Octets |"
	print "| --- | --- |"
	for (i = 1; i <= nsizes; i++)
		printf "| `%s` | %s |\n", size_name[i], size_val[i]
}

function emit_marker(text,    m, arg) {
	m = substr(text, 2, length(text) - 2)
	arg = m
	sub(/^[A-Z]+ ?/, "", arg)
	sub(/ .*$/, "", m)
	if (m == "NODES")
		emit_nodes(arg)
	else if (m == "TYPES")
		emit_types()
	else if (m == "DEFINES")
		emit_defines(arg)
	else if (m == "STRUCT")
		emit_struct(arg)
	else if (m == "SIZES")
		emit_sizes()
	else
		fail("unknown marker " text)
}

FNR == 1 { file++ }

# Pass 1: ismif.h
file == 1 && capture != "" {
	struct_text[capture] = struct_text[capture] $0 "\n"
	if ($0 ~ /^};/)
		capture = ""
	next
}
file == 1 && /^(struct|union) [a-z0-9_]+ \{$/ {
	capture = $2
	struct_text[capture] = $0 "\n"
	next
}
file == 1 && /^#define ISM_[A-Z0-9_]+[ \t]/ {
	name = $2
	rest = $0
	sub(/^#define[ \t]+[A-Z0-9_]+[ \t]+/, "", rest)
	cmt = ""
	if (index(rest, "/*")) {
		cmt = substr(rest, index(rest, "/*") + 2)
		rest = substr(rest, 1, index(rest, "/*") - 1)
		sub(/\*\/.*$/, "", cmt)
	}
	ndefs++
	def_name[ndefs] = name
	def_val[ndefs] = trim(rest)
	def_cmt[ndefs] = trim(cmt)
	next
}
file == 1 && prev == "/**" && /^ \* DOC: / {
	ntitles++
	title[ntitles] = substr($0, 9)
}
file == 1 { prev = $0; next }

# The node list.
file == 2 && /^(#|$)/ { next }
file == 2 && /^\t/ {
	text = substr($0, 2)
	if (last == "type")
		type_desc[ntypes] = type_desc[ntypes] (type_desc[ntypes] == "" ? "" : " ") text
	else if (last == "node")
		node_desc[nnodes] = node_desc[nnodes] (node_desc[nnodes] == "" ? "" : " ") text
	else
		fail("description without a type or node")
	next
}
file == 2 && $1 == "protocol" { protocol = $2; last = ""; next }
file == 2 && $1 == "type" {
	ntypes++
	type_name[ntypes] = $2
	type_desc[ntypes] = ""
	last = "type"
	next
}
file == 2 && $1 == "node" {
	if (NF != 7)
		fail("node line without 7 fields")
	nnodes++
	node_side[nnodes] = $2
	node_name[nnodes] = $3
	node_type[nnodes] = $4
	w = $5
	gsub(/,/, ", ", w)
	node_writer[nnodes] = w
	node_req[nnodes] = $6
	node_perms[nnodes] = $7
	node_desc[nnodes] = ""
	last = "node"
	next
}
file == 2 { fail("unknown line") }

# The wire sizes.
file == 3 && /^(#|$)/ { next }
file == 3 {
	nsizes++
	size_name[nsizes] = $1 " " $2
	size_val[nsizes] = $3
	next
}

# Pass 2: ismif.h again, printing the DOC blocks.
file == 4 && FNR == 1 {
	print "<!-- SPDX-License-Identifier: MIT -->"
	print "<!-- Generated by xenstore-schema/render-md.awk from ismif.h, ism-nodes.txt"
	print "     and ism-wire.size: do not edit; run `make update-ism-protocol-md`. -->"
	print ""
	print "# The xen-ism protocol, version " protocol
	print ""
	print "This document is rendered from `xenstore-schema/ismif.h`, the C header that"
	print "defines the protocol, and `xenstore-schema/ism-nodes.txt`, its"
	print "machine-readable list of xenstore nodes.  It is enough to write a compatible"
	print "frontend or backend."
	print ""
	print "Contents:"
	print ""
	for (i = 1; i <= ntitles; i++)
		print "- [" title[i] "](#" anchor(title[i]) ")"
	print ""
}
file == 4 && indoc && /^ \*\/$/ { indoc = 0; print ""; next }
file == 4 && indoc {
	text = doc_text($0)
	if (text ~ /^@[A-Z]+( [^@]*)?@$/)
		emit_marker(text)
	else
		print text
	next
}
file == 4 && prev2 == "/**" && /^ \* DOC: / {
	print "## " substr($0, 9)
	indoc = 1
}
file == 4 { prev2 = $0 }

END {
	if (failed)
		exit 1
	if (file != 4) {
		print "render-md.awk: needs ismif.h ism-nodes.txt ism-wire.size ismif.h" > "/dev/stderr"
		exit 1
	}
}
