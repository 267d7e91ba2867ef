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

@test "luoctl-full needs no optional library at start: libkmod, zlib and libfdt are dlopen()ed" {
	# Issue 12: the loader bound them (and libkmod's libcrypto) on every start.
	require_tool readelf binutils
	run -0 readelf -d "$abs_top_builddir/luoctl-full"
	assert_output --partial "(NEEDED)"
	refute_output --regexp 'NEEDED.*\[lib(kmod|z|fdt|crypto|zstd|lzma)\.so'
}

@test "luoctl is static-pie where configure could make it so, and never loads a library" {
	# Issue 12: a session command's start is the loader's work, less without one.
	require_tool readelf binutils
	local flags
	flags=$(sed -n 's/^STATIC_LUOCTL_LDFLAGS = //p' "$abs_top_builddir/Makefile")
	run -0 readelf -l -d "$LUOCTL"
	if [ -n "$flags" ]; then
		refute_output --partial "INTERP"
		refute_output --partial "(NEEDED)"
	else
		# --disable-static-luoctl, the sanitizers or a shared popt: dynamic, and
		# still no optional library.
		assert_output --partial "INTERP"
		refute_output --regexp 'NEEDED.*\[lib(kmod|z|fdt|crypto|zstd|lzma)\.so'
	fi
}

# A copy of luoctl in its own directory, beside a fake luoctl-full that prints
# its arguments (a script's argv[0] is its own path) and records that it ran.
fake_full() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$LUOCTL" "$BATS_TEST_TMPDIR/bin/luoctl"
	cat > "$BATS_TEST_TMPDIR/bin/luoctl-full" <<-'EOF'
	#!/bin/sh
	echo ran > "${0%/*}/ran"
	printf 'full:%s\n' "$@"
	exit 7
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/luoctl-full"
}

@test "dump, check and list run luoctl-full from luoctl's directory, with the command line untouched" {
	fake_full
	local l=$BATS_TEST_TMPDIR/bin/luoctl
	run --separate-stderr "$l" --json --pretty dump --format dts -
	assert_failure 7
	assert_output "$(printf 'full:%s\n' --json --pretty dump --format dts -)"
	run --separate-stderr "$l" help check
	assert_failure 7
	assert_output "$(printf 'full:%s\n' help check)"
	run --separate-stderr "$l" list --root /
	assert_failure 7
	assert_output "$(printf 'full:%s\n' list --root /)"
	[ -z "$stderr" ]
}

@test "the session commands, help and version never run luoctl-full" {
	fake_full
	local l=$BATS_TEST_TMPDIR/bin/luoctl c
	for c in create preserve retrieve finish; do
		run -0 "$l" help "$c"
		assert_line --partial "luoctl $c"
		run -2 "$l" "$c"
	done
	run -0 "$l" --help
	assert_line --regexp '^ dump +decode the Kexec HandOver'
	assert_line --regexp '^ list +show the sessions held'
	run -0 "$l" --version
	assert_file_not_exists "$BATS_TEST_TMPDIR/bin/ran"
}

@test "a luoctl-full that cannot run is named, exit 1, and luoctl tries no other" {
	fake_full
	# Not even root may exec a file without any x bit.
	chmod -x "$BATS_TEST_TMPDIR/bin/luoctl-full"
	run --separate-stderr "$BATS_TEST_TMPDIR/bin/luoctl" --json dump
	assert_failure 1
	assert_equal "$stderr" "luoctl: dump: cannot run $BATS_TEST_TMPDIR/bin/luoctl-full (dump, check and list run there): Permission denied"
	assert_output "{\"error\":{\"command\":\"dump\",\"message\":\"cannot run $BATS_TEST_TMPDIR/bin/luoctl-full (dump, check and list run there): Permission denied\",\"exit\":1}}"
	assert_file_not_exists "$BATS_TEST_TMPDIR/bin/ran"
}

@test "without luoctl-full beside it, luoctl names the installed path it tried" {
	mkdir -p "$BATS_TEST_TMPDIR/alone"
	cp "$LUOCTL" "$BATS_TEST_TMPDIR/alone/luoctl"
	local installed
	installed=$(grep -ao '/[[:graph:]]*/luoctl-full' "$LUOCTL" | head -n 1)
	[ -n "$installed" ]
	[ ! -e "$installed" ] || skip "luoctl-full is installed at $installed"
	run --separate-stderr "$BATS_TEST_TMPDIR/alone/luoctl" check
	assert_failure 1
	assert_equal "$stderr" "luoctl: check: cannot run $installed (dump, check and list run there): No such file or directory"
}
