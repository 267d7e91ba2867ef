#!/usr/bin/env bats
# luoctl create: the session is created, passed down by fd and by name, and
# lives exactly as long as its holder; every refusal is explained.
load helpers
load session-helpers

setup() {
	session_setup
}

@test "create passes the session to PROG at fd 3, named in LUOCTL_SESSIONS" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- sh -c 'echo "$LUOCTL_SESSIONS"; [ -e /proc/$$/fd/3 ] && echo open'
		assert_success
		assert_equal "$output" "3:out:db
open"
		[ -z "$stderr" ]
	done
}

@test "create loads none of check's and dump's libraries (libkmod, zlib, libfdt)" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" env LD_DEBUG=files "$LUOCTL" create db -- true
		assert_success
		[[ $stderr == *"file=libc.so.6"* ]] || fail "LD_DEBUG=files said nothing: $stderr"
		if [[ $stderr =~ file=lib(kmod|z|fdt|crypto|zstd|lzma)\.so ]]; then
			fail "create loaded ${BASH_REMATCH[0]}: $stderr"
		fi
	done
}

@test "create passes exactly one fd more than the caller had: the session" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$W/fds"; "$LUOCTL" create db -- sh -c "\"\$W/fds\"; echo \$LUOCTL_SESSIONS"'
		assert_success
		local before="${lines[0]}" after="${lines[1]}" sessions="${lines[2]}"
		local fd="${sessions%%:*}"
		assert_equal "$after" "$(echo $before $fd | tr ' ' '\n' | sort -n | tr '\n' ' ')"
		refute [ -z "$fd" ]
	done
}

@test "several sessions in one chain stay reachable by name" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'echo one > "$W/a"; echo two > "$W/b";
			"$LUOCTL" create a -- "$LUOCTL" create b -- \
			"$LUOCTL" preserve b --file "$W/b:2" -- "$LUOCTL" preserve a --file "$W/a:1" \
			-- sh -c "echo \$LUOCTL_SESSIONS"'
		assert_success
		# Each session has its own fd; which number b gets depends on what is open.
		assert_output --regexp '^3:out:a [0-9]+:out:b$'
		refute_output --regexp ' 3:out:b$'
	done
}

@test "create preserves files given with it, in the same step" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'echo data > "$W/f";
			"$LUOCTL" --json create db --file "$W/f:7" -- true'
		assert_success
		assert_output "{\"session\":{\"name\":\"db\",\"fd\":3,\"direction\":\"outgoing\"},\"preserved\":[{\"token\":7,\"source\":\"file\",\"path\":\"$W/f\",\"bytes\":5}]}"
	done
}

@test "create prints nothing without --json: standard output is PROG's" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- echo prog
		assert_success
		assert_output "prog"
	done
}

@test "--session-fd puts the session where asked" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create --session-fd 9 db -- sh -c 'echo "$LUOCTL_SESSIONS"; [ -e /proc/$$/fd/9 ] && echo open'
		assert_success
		assert_equal "$output" "9:out:db
open"
	done
}

@test "--session-fd moves a session the chain holds out of the way" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create a -- "$LUOCTL" create --session-fd 3 b -- sh -c 'echo "$LUOCTL_SESSIONS"; "$LUOCTL" preserve a --file /etc/hostname:1 && echo "a works"'
		assert_success
		# a was at 3; it moved above the target, and LUOCTL_SESSIONS followed it.
		assert_line --index 0 --regexp '^([4-9]|[1-9][0-9]+):out:a 3:out:b$'
		assert_line 'a works'
	done
}

@test "a name taken in this kernel is EEXIST, explained" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" create db -- true
		assert_failure 1
		assert_equal "$stderr" 'luoctl: create: cannot create session "db": the name is taken: an outgoing session of that name already exists in this kernel (held earlier in this chain or by another process) (File exists)'
	done
}

@test "the session ends with its last holder: the name is free again" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db -- true && "$LUOCTL" create db -- echo again'
		assert_success
		assert_output again
	done
}

@test "a background holder keeps the session until it exits" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create db --ready-file "$W/ready" -- sleep 1000 &
			holder=$!
			while [ ! -e "$W/ready" ]; do sleep 0.05; done
			"$LUOCTL" create db -- true; echo "held: $?"
			kill $holder; wait $holder
			"$LUOCTL" create db -- true; echo "released: $?"'
		assert_success
		assert_line "held: 1"
		assert_line "released: 0"
		rm -f "$W/ready"
	done
}

@test "another opener of /dev/liveupdate is EBUSY, exit 4, naming the holder" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'exec 7<>/dev/liveupdate; "$LUOCTL" create --wait 0 db -- true 7>&-'
		assert_failure 4
		assert_regex "$stderr" '^luoctl: create: cannot open /dev/liveupdate: it is held by PID [0-9]+ \(sh\); it allows one opener at a time \(Device or resource busy\)$'
	done
}

@test "luoctl closes /dev/liveupdate before the exec" {
	for k in $KERNELS; do
		# The nested create could not open the device if the outer one kept it.
		run --separate-stderr boot "$k" "$LUOCTL" create a -- sh -c 'ls -l /proc/$$/fd | grep -c liveupdate; "$LUOCTL" create b -- true'
		assert_success
		assert_output 0
	done
}

@test "names: empty and over 63 bytes are usage errors before any kernel step" {
	run --separate-stderr "$LUOCTL" create "" -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: create: a session name must not be empty (LUO takes 1 to 63 bytes)'
	local long
	long=$(printf 'n%.0s' $(seq 64))
	run --separate-stderr "$LUOCTL" create "$long" -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "luoctl: create: session name \"$long\" is 64 bytes long; LUO takes at most 63"
}

@test "names: 63 bytes work; over 38 bytes warn about /proc links" {
	local name
	name=$(printf 'n%.0s' $(seq 63))
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create "$name" -- sh -c 'echo "$LUOCTL_SESSIONS"'
		assert_success
		assert_output "3:out:$name"
		assert_equal "$stderr" "luoctl: create: warning: session name \"$name\" is longer than 38 bytes: before Linux 7.0.10 and 7.1, readlink of its fd in /proc fails (ENAMETOOLONG)"
	done
}

@test "names: arbitrary bytes are percent-encoded in LUOCTL_SESSIONS and found again" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create 'a b:c%' -- sh -c 'echo "$LUOCTL_SESSIONS"; "$LUOCTL" preserve "a b:c%" --file /etc/hostname:1'
		assert_success
		assert_line --index 0 '3:out:a%20b%3Ac%25'
		assert_line --index 1 'session "a b:c%" at fd 3'
	done
}

@test "names: \"systemd\" is refused unless --force" {
	run --separate-stderr "$LUOCTL" create systemd -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: create: the session name "systemd" belongs to systemd (v261 and later); give --force to use it anyway'
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create --force systemd -- sh -c 'echo "$LUOCTL_SESSIONS"'
		assert_success
		assert_output "3:out:systemd"
	done
}

@test "no PROG is a usage error: the session would die at once" {
	run --separate-stderr "$LUOCTL" create db
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: create: no program to run: the session would be closed at once, and a closed outgoing session keeps nothing (try: luoctl create db -- sleep infinity)'
	run --separate-stderr "$LUOCTL" create
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: create: no session name given'
}

@test "PROG not found is 127 and not executable is 126, before the session exists" {
	# No luosim here: the check happens before /dev/liveupdate is even opened.
	run -127 --separate-stderr "$LUOCTL" create db -- /nonexistent/prog
	assert_equal "$stderr" 'luoctl: create: cannot run "/nonexistent/prog": No such file or directory'
	printf '#!/bin/sh\n' > "$W/noexec"
	chmod -x "$W/noexec"
	run --separate-stderr "$LUOCTL" create db -- "$W/noexec"
	assert_failure 126
	assert_equal "$stderr" "luoctl: create: cannot run \"$W/noexec\": Permission denied"
	run -127 --separate-stderr "$LUOCTL" create db -- no-such-program-anywhere
}

@test "PROG that passes the checks but cannot be executed: the message says the session closes" {
	# Executable, but its interpreter is missing: only execve itself finds out,
	# past the point of no return (the message's tail is worded only then).
	printf '#!/nonexistent/interpreter\n' > "$W/badinterp"
	chmod +x "$W/badinterp"
	for k in $KERNELS; do
		run -127 --separate-stderr boot "$k" "$LUOCTL" create db -- "$W/badinterp"
		assert_equal "$stderr" "luoctl: create: cannot run \"$W/badinterp\" (session \"db\" closes as luoctl exits): No such file or directory"
	done
}

@test "without LUO, create exits 3 and says why" {
	[ ! -e /dev/liveupdate ] || skip "this machine has /dev/liveupdate"
	run --separate-stderr "$LUOCTL" create db -- true
	assert_failure 3
	assert_equal "$stderr" 'luoctl: create: cannot open /dev/liveupdate: LUO is not available: this kernel has no /dev/liveupdate (no CONFIG_LIVEUPDATE, or booted without liveupdate=on) (No such file or directory)'
}

@test "--session-fd must be 3 or more" {
	run --separate-stderr "$LUOCTL" create --session-fd 1 db -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: create: --session-fd 1: standard input, output and error stay as they are; use 3 or more'
}

@test "a malformed LUOCTL_SESSIONS is refused, not guessed at" {
	LUOCTL_SESSIONS="3:sideways:db" run --separate-stderr "$LUOCTL" create db -- true
	assert_failure 2
	assert_equal "$stderr" 'luoctl: create: malformed LUOCTL_SESSIONS entry "3:sideways:db" (expected FD:out:NAME or FD:in:NAME[:TOKENS])'
}

@test "6.19: the 820th outgoing session is ENOMEM, explained" {
	luosim_only "a 6.19 kernel (the VM tier boots 7.2 and 7.3)"
	local chain=() i
	for i in $(seq 1 820); do chain+=("$LUOCTL" create "s$i" --); done
	run --separate-stderr boot 6.19 "${chain[@]}" true
	assert_failure 1
	assert_equal "$stderr" 'luoctl: create: cannot create session "s820": out of memory, or the limit of 819 outgoing sessions was reached (kernels before 7.2) (Cannot allocate memory)'
}
