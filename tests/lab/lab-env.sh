# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by the lab scripts: where things live and small helpers.

LAB_SRC=${LAB_SRC:-$(cd "$(dirname "$0")" && pwd)}
LAB_CACHE=${LAB_CACHE:-/var/cache/xen-ism-lab}

lab_die()
{
	echo "lab: $*" >&2
	exit 1
}

lab_say()
{
	echo "lab: $*" >&2
}

# The kernel ABI name that linux-image-amd64 depends on (6.1.0-56-amd64).
lab_kabi()
{
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' |
		head -n 1)
	[ -n "$dep" ] || lab_die "cannot tell which kernel linux-image-amd64 depends on (run apt-get update)"
	echo "$dep"
}

# Package names of one kind ("host" or "lab") from the packages file.
lab_packages()
{
	local kind=$1 kabi=$2
	sed -n "s/^$kind //p" "$LAB_SRC/packages" | sed "s/@KABI@/$kabi/g"
}
