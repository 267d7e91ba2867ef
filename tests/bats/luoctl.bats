#!/usr/bin/env bats
# The luoctl front door: dispatch, help, version, usage errors, exit codes.
load helpers

@test "--help lists every command from the table, on stdout, exit 0" {
	run --separate-stderr "$LUOCTL" --help
	assert_success
	assert_line --partial "Usage:"
	for cmd in create preserve retrieve finish dump check list help; do
		assert_line --regexp "^ $cmd +[a-z]"
	done
	assert_line "For more details see luoctl(8)."
	[ -z "$stderr" ]
}

@test "help CMD and CMD --help print the same generated text" {
	run "$LUOCTL" help create
	assert_success
	local via_help="$output"
	run "$LUOCTL" create --help
	assert_success
	assert_equal "$output" "$via_help"
	assert_line --partial "luoctl create"
	assert_line "For more details see luoctl-create(8)."
}

@test "-V prints the version and a feature line" {
	run "$LUOCTL" -V
	assert_success
	assert_line --index 0 --regexp '^luoctl [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^\+POPT \+FDT \+KMOD \+JSON [+-]SYSTEM_UAPI_HEADER$'
}

@test "no command is a usage error (exit 2), one line" {
	run --separate-stderr "$LUOCTL"
	assert_failure 2
	assert_equal "$stderr" "luoctl: no command given"
	[ -z "$output" ]
}

@test "an unknown command is a usage error naming it" {
	run --separate-stderr "$LUOCTL" frobnicate
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: unknown command "frobnicate"'
}

@test "an unknown option is a usage error naming it" {
	run --separate-stderr "$LUOCTL" --bogus
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "luoctl: --bogus: unknown option"
	run --separate-stderr "$LUOCTL" create --bogus
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "luoctl: create: --bogus: unknown option"
	assert_equal "${#stderr_lines[@]}" 1
}

@test "help for an unknown command fails with exit 2" {
	run --separate-stderr "$LUOCTL" help nosuch
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: unknown command "nosuch"'
}

@test "a closed stdout is reported, not ignored" {
	[ -e /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c '"$LUOCTL" --help > /dev/full'
	assert_failure 1
	assert_equal "$stderr" "luoctl: cannot write to standard output: No space left on device"
}

@test "global and per-command output options are both accepted" {
	run --separate-stderr "$LUOCTL" --json --pretty list
	assert_success
	assert_line --index 0 "{"
	run --separate-stderr "$LUOCTL" list --json --pretty
	assert_success
	assert_line --index 0 "{"
}

@test "--json: a failure of the dispatcher itself is a JSON object too" {
	run --separate-stderr "$LUOCTL" --json frobnicate
	assert_failure 2
	assert_output '{"error":{"message":"unknown command \"frobnicate\"","exit":2}}'
	assert_equal "$stderr" 'luoctl: unknown command "frobnicate"'
}

@test "luoctl needs no optional library at start: libkmod, zlib and libfdt are dlopen()ed" {
	# Issue 12: the loader bound them (and libkmod's libcrypto) on every start.
	require_tool readelf binutils
	run -0 readelf -d "$LUOCTL"
	assert_output --partial "(NEEDED)"
	refute_output --regexp 'NEEDED.*\[lib(kmod|z|fdt|crypto|zstd|lzma)\.so'
}
