# shellcheck shell=bash
# SITE_HOST and SITE_ROOT are read by render (through ${!name}):
# shellcheck disable=SC2034
# sites.sh: sites (README, "Sites"), an old frontend served by haas's nginx
# on the host name its client calls, with a compatibility profile.  Shared
# by scripts/lib.sh (the dev and test stacks, from HAAS_SITES) and by
# haas-sites (the installed layout, from $(sysconfdir)/haas/sites).  The
# caller defines die MESSAGE and render TEMPLATE OUT, which fills the
# @KEY@ placeholders (SITE_HOST and SITE_ROOT among them).
#
# A site is PROFILE:HOST[:ROOT]; without ROOT it serves BASE/HOST, where
# the built frontend is to be put.

SITE_PROFILES="haas-react msmp electroports"
SITE_HOST=
SITE_ROOT=

site_check() {
	local from=$1 profile=$2 host=$3 root=$4
	[[ " $SITE_PROFILES " == *" $profile "* ]] ||
		die "$from: unknown profile '$profile' (one of: $SITE_PROFILES)"
	[[ $host =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] ||
		die "$from: '$host' is not a host name"
	[[ $root == /* ]] || die "$from: the root of $host must be an absolute path"
	[[ $root != *[[:space:]\;\{\}\'\"\$\\]* ]] ||
		die "$from: the root of $host has a character nginx would misread"
	[ -d "$root" ] || die "$from: the root of $host does not exist: $root"
}

# The default root of a site: an empty frontend that says where the build
# goes, until an administrator puts it there.
site_default_root() {
	local base=$1 host=$2 dir=$1/$2
	mkdir -p "$dir"
	chmod 755 "$base" "$dir"
	[ -e "$dir/index.html" ] || cat >"$dir/index.html" <<-EOT
		<!doctype html><html lang="en"><head><meta charset="utf-8">
		<title>$host</title></head><body><main><h1>$host</h1>
		<p>This haas site has no frontend yet: put the built files of its
		client in $dir.</p></main></body></html>
	EOT
	echo "$dir"
}

# sites_write FROM TEMPLATES BASE OUT SITE...: one server block per site
# (TEMPLATES/site-PROFILE.conf.in) into OUT, replaced whole or not at all.
# FROM names where the sites came from, for errors.
sites_write() {
	local from=$1 templates=$2 base=$3 out=$4 site profile host root rest
	local seen=" "
	shift 4
	: >"$out.tmp"
	for site in "$@"; do
		profile=${site%%:*}
		rest=${site#*:}
		host=${rest%%:*}
		root=
		[ "$rest" != "$host" ] && root=${rest#*:}
		[ "$site" != "$profile" ] || die "$from: '$site' is not PROFILE:HOST[:ROOT]"
		[[ $seen != *" $host "* ]] || die "$from: $host is named twice"
		seen+="$host "
		[ -n "$root" ] || root=$(site_default_root "$base" "$host")
		site_check "$from" "$profile" "$host" "$root"
		SITE_HOST=$host SITE_ROOT=$root render "$templates/site-$profile.conf.in" "$out.site"
		cat "$out.site" >>"$out.tmp"
		rm -f "$out.site"
	done
	mv "$out.tmp" "$out"
}
