#!/usr/bin/env bats
# Issue 12: bad input, table-driven. Every row of tests/bad-input.tsv runs
# under luosim (the session commands in both kernel modes), one boot per group
# of rows (tests/bats/bad-input-run), and must give exactly its exit status
# and its one line on standard error, print nothing on standard output (or
# the JSON error object with --json), and leave nothing behind: no session
# held, the incoming session "db" still there, no file created, no fd or
# process left. The man pages' DIAGNOSTICS sections are generated from the
# same table (tools/bad-input-man) and may not drift from it. In the VM tier,
# tests/vm/bad-input runs the rows on the real kernel and this file checks
# what they did (LUOCTL_BAD_INPUT_RESULTS).
load helpers
load session-helpers
load bad-input-setup

TABLE="$abs_top_srcdir/tests/bad-input.tsv"
RUNNER="$abs_top_srcdir/tests/bats/bad-input-run"

# all_modes KERNEL: non-empty when every row runs in this kernel mode. Usage
# errors (2) and a PROG that cannot run (126, 127) are found before any kernel
# step: they run in 7.2 mode only; what reaches LUO runs in every mode.
all_modes() {
	[ "$1" = 7.2 ] && echo yes
}

# Rows run on a real kernel (tests/vm/bad-input) are checked here from their
# results: LUOCTL_BAD_INPUT_RESULTS/results-7.2/ID.*, in one mode.
if [ -n "${LUOCTL_BAD_INPUT_RESULTS:-}" ]; then
	KERNELS=7.2
fi

# setup_file: each command's rows run in one boot per kernel mode (two for the
# session commands: the first hands over the sessions some rows need), and the
# tests check the results, a group of rows each.
setup_file() {
	if [ -n "${LUOCTL_BAD_INPUT_RESULTS:-}" ]; then
		export W=$LUOCTL_BAD_INPUT_RESULTS
		return 0
	fi
	[ "$LUOCTL_TEST_TARGET" = luosim ] || return 0
	[ -x "$LUOSIM_BIN" ] || return 0
	export W=$BATS_FILE_TMPDIR
	unset LUOCTL_SESSIONS LISTEN_FDS LISTEN_PID LISTEN_FDNAMES LISTEN_PIDFDID
	bad_input_fixtures
	local cmd k ids kernels
	for cmd in "${BAD_INPUT_COMMANDS[@]}"; do
		kernels=$KERNELS
		# dump, check and list do not talk to LUO: one kernel mode is enough.
		case $cmd in dump | check | list) kernels=7.2 ;; esac
		for k in $kernels; do
			mapfile -t ids < <(bad_input_ids "$TABLE" "$cmd" "$(all_modes "$k")")
			mkdir -p "$W/results-$k"
			if bad_input_needs_handover "$cmd"; then
				"$LUOSIM_BIN" --state "$W/state-$cmd-$k" --kernel "$k" -- \
					bash -c '. "$1" && shift && bad_input_handover "$@"' sh \
					"$abs_top_srcdir/tests/bats/bad-input-setup.bash" "$LUOSIM_BIN" kexec 3>&- \
					> "$W/stage1-$cmd-$k" 2>&1 || echo "exit $?" >> "$W/stage1-$cmd-$k"
			fi
			"$LUOSIM_BIN" --state "$W/state-$cmd-$k" --kernel "$k" -- \
				"$RUNNER" "$TABLE" "$W/results-$k" "${ids[@]}" 3>&- > "$W/run-$cmd-$k" 2>&1 ||
				echo "exit $?" >> "$W/run-$cmd-$k"
		done
	done
}

teardown_file() {
	[ -z "${TOP:-}" ] || rm -rf "$TOP"
}

setup() {
	[ -n "${LUOCTL_BAD_INPUT_RESULTS:-}" ] && return 0
	luosim_only "removes /dev/liveupdate, holds it, runs luoctl as another user (tests/vm/bad-input runs the rows on a real kernel)"
	[ -x "$LUOSIM_BIN" ] || fail "luosim is not built at $LUOSIM_BIN: these tests need it"
}

# The table, once: the fields of each row by id.
declare -gA T_CMD T_SETUP T_ARGS T_STATUS T_MSG
while IFS= read -r line; do
	# Tabs are IFS white space: two in a row would be one. Split on US.
	IFS=$'\x1f' read -r id cmd setup args status msg <<< "${line//$'\t'/$'\x1f'}"
	case $id in '#'* | '') continue ;; esac
	T_CMD[$id]=$cmd T_SETUP[$id]=$setup T_ARGS[$id]=$args T_STATUS[$id]=$status T_MSG[$id]=$msg
done < "$TABLE"
unset line id cmd setup args status msg

# matches ACTUAL EXPECTED: equal, or matching where EXPECTED has a "*" (the
# only special character). No subshells here: this runs for every row.
matches() {
	if [[ $2 == *'*'* ]]; then
		local pat=${2//\\/\\\\}
		pat=${pat//\?/\\?}
		pat=${pat//\[/\\[}
		pat=${pat//]/\\]}
		# shellcheck disable=SC2053
		[[ $1 == $pat ]]
	else
		[ "$1" = "$2" ]
	fi
}

N63=$(printf 'n%.0s' $(seq 63))
N64=$(printf 'n%.0s' $(seq 64))
N255=$(printf 'n%.0s' $(seq 255))

# slurp VAR FILE: the file's contents, without the last newline (as $(< FILE)).
slurp() {
	IFS= read -r -d '' "$1" < "$2" || true
	printf -v "$1" '%s' "${!1%$'\n'}"
}

# check_row ID KERNEL: adds to PROBLEMS what is wrong with the row's run there.
check_row() {
	local id=$1 k=$2 r=$W/results-$2/$1 cmd=${T_CMD[$1]} args=${T_ARGS[$1]}
	local status=${T_STATUS[$1]} msg=${T_MSG[$1]} got_status err out left want_out m
	msg=${msg//'$N255'/$N255}
	msg=${msg//'$N64'/$N64}
	msg=${msg//'$N63'/$N63}
	if [ ! -e "$r.status" ]; then
		PROBLEMS+="$id ($k): did not run: $(cat "$W/stage1-$cmd-$k" "$W/run-$cmd-$k" 2>/dev/null)"$'\n'
		return
	fi
	slurp got_status "$r.status"
	slurp err "$r.err"
	slurp out "$r.out"
	slurp left "$r.left"
	[ "$got_status" = "$status" ] ||
		PROBLEMS+="$id ($k): exit status $got_status, expected $status"$'\n'
	matches "$err" "$msg" ||
		PROBLEMS+="$id ($k): standard error"$'\n'"  got:      $err"$'\n'"  expected: $msg"$'\n'
	want_out=
	if [[ " $args " == *" --json "* ]]; then
		m=${msg#luoctl: "$cmd": }
		m=${m//\\/\\\\}
		m=${m//\"/\\\"}
		if [[ " $args " == *" --pretty "* ]]; then
			printf -v want_out '{\n  "error": {\n    "command": "%s",\n    "message": "%s",\n    "exit": %s\n  }\n}' "$cmd" "$m" "$status"
		else
			want_out="{\"error\":{\"command\":\"$cmd\",\"message\":\"$m\",\"exit\":$status}}"
		fi
	fi
	matches "$out" "$want_out" ||
		PROBLEMS+="$id ($k): standard output"$'\n'"  got:      $out"$'\n'"  expected: $want_out"$'\n'
	[ -z "$left" ] || PROBLEMS+="$id ($k): left behind:"$'\n'"$left"$'\n'
}

# check_group GROUP: every row whose id starts with GROUP-, in every kernel
# mode it ran in; one message per problem, naming the row.
check_group() {
	local group=$1 id k kernels=$KERNELS n=0
	PROBLEMS=
	case $group in dump-* | check-* | list-*) kernels=7.2 ;; esac
	for id in "${!T_CMD[@]}"; do
		[[ $id == "$group"-* ]] || continue
		n=$((n + 1))
		for k in $kernels; do
			[ "$k" = 7.2 ] || [[ ! ${T_STATUS[$id]} =~ ^(2|126|127)$ ]] || continue
			check_row "$id" "$k"
		done
	done
	[ "$n" -gt 0 ] || fail "tests/bad-input.tsv has no rows in group $group"
	[ -z "$PROBLEMS" ] || fail "$PROBLEMS"
}

@test "the table: six fields a row, ids unique, every group has a test here" {
	run awk -F'\t' '!/^#/ && NF != 6 { print "line " NR ": " NF " fields" }' "$TABLE"
	assert_output ''
	run bash -c "grep -v '^#' '$TABLE' | cut -f1 | sort | uniq -d"
	assert_output ''
	local groups tested
	groups=$(awk -F'\t' '!/^#/ { split($1, p, "-"); print p[1] "-" p[2] }' "$TABLE" | sort -u)
	tested=$(grep -o 'check_group [a-z][a-z-]*' "$BATS_TEST_FILENAME" | awk '{ print $2 }' | sort -u)
	assert_equal "$tested" "$groups"
}

@test "the table covers every option of every command" {
	local cmd id opt alt used missing=
	for cmd in "${BAD_INPUT_COMMANDS[@]}"; do
		used=
		for id in "${!T_CMD[@]}"; do
			[ "${T_CMD[$id]}" = "$cmd" ] && used+=" ${T_ARGS[$id]} "
		done
		# " -w, --wait SECONDS": either spelling counts, "--wait=..." too.
		while IFS='|' read -r opt alt; do
			[[ $used == *" $opt "* || $used == *" $opt="* ]] && continue
			[ -n "$alt" ] && [[ $used == *" $alt "* || $used == *" $alt="* ]] && continue
			missing+=" $cmd:$opt"
		done < <("$LUOCTL" "$cmd" --help | sed -n -e 's/^ *\(-[a-z]\), \(--[a-z-]*\).*/\2|\1/p' \
			-e t -e 's/^ *\(--[a-z-]*\).*/\1|/p')
	done
	assert_equal "$missing" ''
}

@test "the man pages' DIAGNOSTICS and EXIT STATUS agree with the table" {
	run "$abs_top_srcdir/tools/bad-input-man" --check "$abs_top_srcdir"
	assert_success
}

@test "create: usage" { check_group create-usage; }
@test "create: names" { check_group create-name; }
@test "create: --fd" { check_group create-fd; }
@test "create: tokens" { check_group create-token; }
@test "create: --file" { check_group create-file; }
@test "create: --stdin" { check_group create-stdin; }
@test "create: --session-fd" { check_group create-sessionfd; }
@test "create: --ready-fd, --ready-file" { check_group create-ready; }
@test "create: --wait" { check_group create-wait; }
@test "create: PROG" { check_group create-prog; }
@test "create: the device" { check_group create-device; }
@test "preserve: usage" { check_group preserve-usage; }
@test "preserve: LUOCTL_SESSIONS" { check_group preserve-env; }
@test "preserve: names" { check_group preserve-name; }
@test "preserve: --session-fd" { check_group preserve-sessionfd; }
@test "preserve: --fd" { check_group preserve-fd; }
@test "preserve: tokens" { check_group preserve-token; }
@test "preserve: --file" { check_group preserve-file; }
@test "preserve: --stdin" { check_group preserve-stdin; }
@test "preserve: --ready-fd, --ready-file" { check_group preserve-ready; }
@test "preserve: PROG" { check_group preserve-prog; }
@test "retrieve: usage" { check_group retrieve-usage; }
@test "retrieve: names" { check_group retrieve-name; }
@test "retrieve: --fd" { check_group retrieve-fd; }
@test "retrieve: tokens" { check_group retrieve-token; }
@test "retrieve: --file" { check_group retrieve-file; }
@test "retrieve: --listen" { check_group retrieve-listen; }
@test "retrieve: --fdname" { check_group retrieve-fdname; }
@test "retrieve: --session-fd" { check_group retrieve-sessionfd; }
@test "retrieve: --wait" { check_group retrieve-wait; }
@test "retrieve: PROG" { check_group retrieve-prog; }
@test "retrieve: the device" { check_group retrieve-device; }
@test "finish: usage" { check_group finish-usage; }
@test "finish: names" { check_group finish-name; }
@test "finish: --session-fd" { check_group finish-sessionfd; }
@test "finish: --wait" { check_group finish-wait; }
@test "finish: PROG" { check_group finish-prog; }
@test "finish: the device" { check_group finish-device; }
@test "dump: usage" { check_group dump-usage; }
@test "dump: --format, --endian, --name" { check_group dump-format; check_group dump-endian; check_group dump-name; }
@test "dump: FILE" { check_group dump-file; }
@test "dump: --memory" { check_group dump-memory; }
@test "dump: --debugfs" { check_group dump-debugfs; }
@test "dump: --save" { check_group dump-save; }
@test "check: usage" { check_group check-usage; }
@test "check: --root, --next" { check_group check-root; check_group check-next; }
@test "list: usage" { check_group list-usage; }
@test "list: --root" { check_group list-root; }
