# tests/ops/tap.sh: sourced by every tests/ops/*.test script.  Each check
# prints one TAP line ("ok N - what" or "not ok N - what"); scripts/test
# counts them.  A script that exits non-zero without a "not ok" line, or
# prints no line at all, counts as one failure.
# shellcheck shell=bash

TAP_N=0
TAP_FAILED=0

ok() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d - %s\n' "$TAP_N" "$1"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$1"
	[ -z "${2:-}" ] || printf '#   %s\n' "$2"
}

# check WHAT CMD...: ok when CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what" "failed: $*"; fi
}

# is GOT WANT WHAT: ok when the two strings are equal.
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "got '$1', want '$2'"
	fi
}

# tap_done: the script's exit status (non-zero when anything failed).
tap_done() {
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
