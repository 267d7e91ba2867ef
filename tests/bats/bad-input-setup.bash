# SPDX-License-Identifier: LGPL-2.1-or-later
# What runs the rows of tests/bad-input.tsv, shared by tests/bats/bad-input.bats
# (under luosim) and tests/vm/bad-input (on a real kernel, in the VM): the
# fixtures, the rows of a command, the sessions a handover carries.

# shellcheck source=tests/bats/luoctl-copy.bash
. "${BASH_SOURCE[0]%/*}/luoctl-copy.bash"

# The commands of the table, in the order their rows run.
BAD_INPUT_COMMANDS=(create preserve retrieve finish dump check list)

# bad_input_fixtures: a directory every user can reach ($TOP; the test's own
# is private), with the fixtures in $D and a copy of luoctl that user 65534 may
# execute ($LUOCTL_NOBODY, copy_luoctl_for_anyone). Exported.
bad_input_fixtures() {
	TOP=$(mktemp -d /tmp/luoctl-bad-input.XXXXXX)
	export TOP D=$TOP/d LUOCTL_NOBODY=$TOP/bin/luoctl
	chmod 755 "$TOP"
	mkdir -m 755 "$D"
	copy_luoctl_for_anyone "$TOP/bin" > /dev/null
	(
		cd "$D" || exit
		printf 'small\n' > data
		: > empty
		mkdir dir
		printf 'secret\n' > noread
		chmod 000 noread
		truncate -s 1T huge
		ln -s missing dangling
		printf '#!/bin/sh\n' > noexec
		chmod 644 noexec
		mkfifo fifo
	)
}

# bad_input_ids TABLE CMD ALL: the ids of CMD's rows, one a line. Without ALL,
# only those that reach LUO: usage errors (2) and a PROG that cannot run (126,
# 127) are found before any kernel step.
bad_input_ids() {
	awk -F'\t' -v c="$2" -v all="$3" \
		'!/^#/ && $2 == c && (all || $5 !~ /^(2|126|127)$/) { print $1 }' "$1"
}

# bad_input_needs_handover CMD: its rows need the sessions of the previous boot.
bad_input_needs_handover() {
	case $1 in create | dump | check | list) return 1 ;; esac
}

# bad_input_handover KEXEC...: hold the sessions the rows expect from the
# previous kernel, db (tokens 1 and 42), s1, s2 and s3, and run KEXEC.
bad_input_handover() {
	(cd "$D" && exec "$LUOCTL" create db --file data:1 --file empty:42 -- \
		"$LUOCTL" create s1 --file data:1 -- "$LUOCTL" create s2 --file data:1 -- \
		"$LUOCTL" create s3 --file data:1 -- "$@")
}
