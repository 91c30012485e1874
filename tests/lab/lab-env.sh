# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by the lab scripts: where things live and small helpers.
#
# LAB_ARCH names the lab's architecture by its Debian name: amd64 (the
# default; the host's) or arm64 (Xen arm64 in qemu-system-aarch64, with
# Debian's arm64 packages and a cross-built xen-ism).

LAB_SRC=${LAB_SRC:-$(cd "$(dirname "$0")" && pwd)}
LAB_CACHE=${LAB_CACHE:-/var/cache/xen-ism-lab}
LAB_ARCH=${LAB_ARCH:-amd64}

lab_die()
{
	echo "lab: $*" >&2
	exit 1
}

lab_say()
{
	echo "lab: $*" >&2
}

case $LAB_ARCH in
amd64 | arm64) ;;
*) lab_die "LAB_ARCH must be amd64 or arm64, not '$LAB_ARCH'" ;;
esac

# lab_multiarch [ARCH]: Debian's multiarch triplet of ARCH (default
# LAB_ARCH): the library directories' name and the cross tools' prefix.
lab_multiarch()
{
	case ${1:-$LAB_ARCH} in
	amd64) echo x86_64-linux-gnu ;;
	arm64) echo aarch64-linux-gnu ;;
	*) lab_die "no multiarch triplet for '${1:-$LAB_ARCH}'" ;;
	esac
}

# lab_kabi [ARCH]: the kernel ABI name that linux-image-ARCH depends on
# (6.1.0-57-amd64); ARCH defaults to LAB_ARCH.
lab_kabi()
{
	local arch=${1:-$LAB_ARCH} dep
	dep=$(apt-cache depends "linux-image-$arch:$arch" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\([0-9][^ :]*-$arch\)\(:$arch\)\{0,1\}\$/\1/p" |
		head -n 1)
	[ -n "$dep" ] || lab_die "cannot tell which kernel linux-image-$arch depends on (dpkg --add-architecture $arch; apt-get update)"
	echo "$dep"
}

# lab_packages KIND KABI [ARCH]: package names of one kind ("host", "lab"
# or "sysroot") from the packages file: the KIND lines, then the KIND.ARCH
# ones, with @KABI@, @KCOMMON@ (the kernel's -common headers) and @ARCH@
# filled in.
lab_packages()
{
	local kind=$1 kabi=$2 arch=${3:-$LAB_ARCH}
	sed -n -e "s/^$kind //p" -e "s/^$kind\.$arch //p" "$LAB_SRC/packages" |
		sed -e "s/@KABI@/$kabi/g" -e "s/@KCOMMON@/${kabi%-"$arch"}-common/g" \
			-e "s/@ARCH@/$arch/g"
}

# lab_current_env: the file lab-fetch writes for LAB_ARCH and lab-image
# reads.
lab_current_env()
{
	echo "$LAB_CACHE/current-$LAB_ARCH.env"
}

# lab_stage KIND...: download the packages of these kinds for LAB_ARCH
# into the cache (only the missing ones), unpack them into one stage per
# exact set of package files, and print the stage's directory: its root/
# holds the unpacked tree, versions every package and version, and .done
# marks it complete (a caller adds its own files before that).
lab_stage()
{
	local kabi kind names= specs= p a uris files= missing= url file tmp key stage
	kabi=$(lab_kabi) || return 1
	for kind in "$@"; do
		names="$names $(lab_packages "$kind" "$kabi")"
	done
	# A foreign architecture's packages are named pkg:arm64, except
	# those built for all architectures.
	for p in $names; do
		if [ "$LAB_ARCH" = "$(dpkg --print-architecture)" ]; then
			specs="$specs $p"
			continue
		fi
		a=$(apt-cache show --no-all-versions "$p:$LAB_ARCH" 2>/dev/null |
			sed -n 's/^Architecture: //p' | head -n 1)
		if [ -n "$a" ]; then
			specs="$specs $p:$LAB_ARCH"
		elif apt-cache show --no-all-versions "$p:all" >/dev/null 2>&1; then
			specs="$specs $p"
		else
			lab_die "no package $p for $LAB_ARCH (dpkg --add-architecture $LAB_ARCH; apt-get update)"
		fi
	done
	mkdir -p "$LAB_CACHE/debs"
	# Ask apt which file each package would be; download only the missing.
	# shellcheck disable=SC2086
	uris=$(apt-get download --print-uris $specs 2>/dev/null) ||
		lab_die "apt-get cannot resolve the packages$specs (run apt-get update)"
	while read -r url file _; do
		file=${file#\'}
		file=${file%\'}
		files="$files $file"
		[ -s "$LAB_CACHE/debs/$file" ] || missing="$missing ${url//\'/}"
	done <<<"$uris"
	[ -n "$files" ] || lab_die "apt-get listed no package files"
	if [ -n "$missing" ]; then
		# apt's _apt user must be able to write where it downloads.
		tmp=$(mktemp -d)
		chmod 0777 "$tmp"
		lab_say "downloading$(echo "$missing" | wc -w | sed 's/^/ /') package(s)"
		# shellcheck disable=SC2086
		(cd "$tmp" && apt-get download -q $specs) >&2 ||
			{ rm -rf "$tmp"; lab_die "apt-get download failed"; }
		mv -f "$tmp"/*.deb "$LAB_CACHE/debs/"
		rm -rf "$tmp"
	fi
	# One stage per exact set of packages: a new kernel or Xen gives a new one.
	key=$(echo "$files" | tr ' ' '\n' | LC_ALL=C sort | sha256sum | cut -c1-16)
	stage=$LAB_CACHE/stage-$key
	if [ ! -e "$stage/.unpacked" ]; then
		rm -rf "$stage"
		mkdir -p "$stage/root"
		for file in $files; do
			dpkg-deb -x "$LAB_CACHE/debs/$file" "$stage/root"
		done
		for file in $files; do
			dpkg-deb -f "$LAB_CACHE/debs/$file" Package Version |
				paste -sd' ' | sed 's/^Package: \(.*\) Version: /\1 /'
		done | LC_ALL=C sort >"$stage/versions"
		touch "$stage/.unpacked"
	fi
	echo "$stage"
}
