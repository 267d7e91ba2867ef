#!/usr/bin/env bats
# luoctl preserve: fds, files and stdin into a held session, by name or fd;
# the checks made before the kernel is asked, and the kernel's refusals.
load helpers
load session-helpers

setup() {
	session_setup
}

@test "preserve without PROG reports what it preserved, in text" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'printf 12345 > "$W/f"; printf abc |
			"$LUOCTL" create db -- "$LUOCTL" preserve db --file "$W/f:1" --stdin 0'
		assert_success
		assert_equal "$output" "session \"db\" at fd 3
preserved token 1: file \"$W/f\" (5 bytes)
preserved token 0: standard input (3 bytes)"
		[ -z "$stderr" ]
	done
}

@test "preserve --json reports every item" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'printf 12345 > "$W/f";
			"$LUOCTL" create db -- "$LUOCTL" preserve --json db --file "$W/f:0xffffffffffffffff"'
		assert_success
		assert_output "{\"session\":{\"name\":\"db\",\"fd\":3},\"preserved\":[{\"token\":18446744073709551615,\"token_hex\":\"0xffffffffffffffff\",\"source\":\"file\",\"path\":\"$W/f\",\"bytes\":5}]}"
	done
}

@test "preserve with PROG runs it holding the session, printing nothing" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" preserve db --file /etc/hostname:1 -- sh -c 'echo "prog $LUOCTL_SESSIONS"'
		assert_success
		assert_output "prog 3:out:db"
	done
}

@test "preserve --fd keeps an inherited memfd (a retrieved one, re-preserved)" {
	for k in $KERNELS; do
		random_file "$W/blob" 5000
		run boot "$k" "$LUOCTL" create db --file "$W/blob:1" -- "$LUOSIM_BIN" kexec
		assert_failure 99
		# Stage 2 hands the retrieved memfd, at fd 5, to a new outgoing session.
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 --finish -- "$LUOCTL" create next -- "$LUOCTL" preserve next --fd 5:9
		assert_success
		assert_line 'preserved token 9: fd 5'
	done
}

@test "preserve --session-fd finds a session by fd" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create --session-fd 7 db -- "$LUOCTL" preserve --session-fd 7 --file /etc/hostname:1
		assert_success
		assert_line --index 0 'session "db" at fd 7'
	done
}

@test "a file that is not a memfd is ENOENT: memfd only" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db -- "$LUOCTL" preserve db --fd 5:1 5</etc/hostname'
		assert_failure 1
		assert_equal "$stderr" 'luoctl: preserve: cannot preserve fd 5 as token 1 in session "db": this kind of file cannot be preserved (memfd only; not hugetlb memfds, files with a name, pipes, sockets or devices) (No such file or directory)'
	done
}

@test "a token used twice in a session is EEXIST; earlier tokens are listed" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db --file /etc/hostname:1 -- "$LUOCTL" preserve db --file /etc/hostname:2 --file /etc/hostname:1
		assert_failure 1
		assert_equal "$stderr" 'luoctl: preserve: cannot preserve a copy of "/etc/hostname" as token 1 in session "db": the token is already used in this session (File exists); tokens 2 were preserved before the failure; they stay in session "db" while any process holds it'
	done
}

@test "tokens: 0 to 2^64-1 in decimal or 0x hex; anything else is refused" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db --file /etc/hostname:0 --file /etc/hostname:18446744073709551615 --file /etc/hostname:0x10 -- true
		assert_success
	done
	for bad in -1 010 1x "" " 1" 0x; do
		run --separate-stderr "$LUOCTL" preserve db --file "/etc/hostname:$bad"
		assert_failure 2
		assert_equal "${stderr_lines[0]}" "luoctl: preserve: --file /etc/hostname:$bad: \"$bad\" is not a token (a 64-bit number, decimal or 0x hex)"
	done
	bad=18446744073709551616
	run --separate-stderr "$LUOCTL" preserve db --file "/etc/hostname:$bad"
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "luoctl: preserve: --file /etc/hostname:$bad: \"$bad\" is not a token: it does not fit in 64 bits (at most 18446744073709551615)"
}

@test "the same token twice in one call is refused before the kernel is asked" {
	run --separate-stderr "$LUOCTL" preserve db --file /etc/hostname:1 --stdin 1
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: preserve: token 1 is given twice (tokens are unique in a session)'
}

@test "the same file twice in one call is refused, whatever the kernel" {
	for k in $KERNELS; do
		# Two fds of one open file: 6.19 would accept both (undefined), 7.1+ EBUSY.
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db -- "$LUOCTL" preserve db --fd 5:1 --fd 6:2 5</etc/hostname 6<&5'
		assert_failure 2
		assert_equal "${stderr_lines[0]}" 'luoctl: preserve: fd 5 and fd 6 are the same file; LUO preserves a file once'
	done
}

@test "an fd that is not open is a usage error" {
	run --separate-stderr "$LUOCTL" preserve db --fd 99:1
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: preserve: --fd 99:1: fd 99 is not open'
}

@test "nothing to preserve is a usage error" {
	LUOCTL_SESSIONS=3:out:db run --separate-stderr "$LUOCTL" preserve db 3</dev/null
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: preserve: nothing to preserve: give --fd, --file or --stdin'
}

@test "a session this chain does not hold is named in the error" {
	run --separate-stderr "$LUOCTL" preserve nosuch --file /etc/hostname:1
	assert_failure 1
	assert_equal "$stderr" 'luoctl: preserve: no session "nosuch" is held by this chain (LUOCTL_SESSIONS); run this command under "luoctl create NAME -- ..."'
}

@test "a stale LUOCTL_SESSIONS entry (fd closed) is caught" {
	LUOCTL_SESSIONS=9:out:db run --separate-stderr "$LUOCTL" preserve db --file /etc/hostname:1
	assert_failure 1
	assert_equal "$stderr" 'luoctl: preserve: session "db": LUOCTL_SESSIONS names fd 9, which is not open (closed earlier in the chain, or LUOCTL_SESSIONS inherited by mistake)'
}

@test "7.2: an entry naming the wrong session is caught through GET_NAME" {
	run --separate-stderr boot 7.2 "$LUOCTL" create real -- env LUOCTL_SESSIONS=3:out:other "$LUOCTL" preserve other --file /etc/hostname:1
	assert_failure 1
	assert_equal "$stderr" 'luoctl: preserve: LUOCTL_SESSIONS says fd 3 holds session "other", but the kernel says "real"'
}

@test "a retrieved session takes no files: luoctl says so" {
	for k in $KERNELS; do
		run boot "$k" "$LUOCTL" create db -- "$LUOSIM_BIN" kexec
		assert_failure 99
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db -- "$LUOCTL" preserve db --file /etc/hostname:1
		assert_failure 1
		assert_equal "$stderr" 'luoctl: preserve: session "db" held by this chain was retrieved from the previous kernel: LUO takes files only into sessions created in this kernel'
	done
}

@test "7.2: the kernel's EINVAL on an incoming session is explained" {
	run boot 7.2 "$LUOCTL" create db -- "$LUOSIM_BIN" kexec
	assert_failure 99
	run --separate-stderr boot 7.2 "$LUOCTL" retrieve db -- env -u LUOCTL_SESSIONS "$LUOCTL" preserve --session-fd 3 --file /etc/hostname:1
	assert_failure 1
	assert_equal "$stderr" 'luoctl: preserve: cannot preserve a copy of "/etc/hostname" as token 1 in session "db": the session is an incoming one: only sessions created in this kernel take files (Invalid argument)'
}

@test "6.19: the 129th file is ENOSPC; 7.2 has no limit" {
	luosim_only "a 6.19 kernel (the VM tier boots 7.2 and 7.3)"
	local items=() i
	for i in $(seq 1 129); do items+=(--file "/etc/hostname:$i"); done
	run --separate-stderr boot 6.19 "$LUOCTL" create db -- "$LUOCTL" preserve db "${items[@]}" -- true
	assert_failure 1
	assert_equal "$stderr" 'luoctl: preserve: cannot preserve a copy of "/etc/hostname" as token 129 in session "db": the session already holds 128 files, the limit of kernels before 7.2 (No space left on device); tokens 1, 2, 3, 4, 5, 6, 7, 8 and 120 more were preserved before the failure; they stay in session "db" while any process holds it'
	run --separate-stderr boot 7.2 "$LUOCTL" create db -- "$LUOCTL" preserve db "${items[@]}" -- true
	assert_success
}

@test "7.2: a file preserved in another session is EBUSY" {
	random_file "$W/blob" 100
	run boot 7.2 "$LUOCTL" create db --file "$W/blob:1" -- "$LUOSIM_BIN" kexec
	assert_failure 99
	# Retrieved and not finished: still registered with LUO.
	run --separate-stderr boot 7.2 "$LUOCTL" retrieve db --fd 1:5 -- "$LUOCTL" create next --fd 5:1 -- true
	assert_failure 1
	assert_equal "$stderr" 'luoctl: create: cannot preserve fd 5 as token 1 in session "next": the file is already preserved in a session, or was retrieved from a session that is not finished yet (Device or resource busy); session "next" closes as luoctl exits'
}

@test "a missing file is named; nothing reaches the kernel" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db --file /etc/hostname:1 -- "$LUOCTL" preserve db --file "$W/missing:2"
		assert_failure 1
		assert_equal "$stderr" "luoctl: preserve: --file $W/missing:2: cannot open \"$W/missing\": No such file or directory"
	done
}

@test "--file splits at the last colon: paths may hold colons" {
	for k in $KERNELS; do
		printf x > "$W/a:b"
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" preserve db --file "$W/a:b:3"
		assert_success
		assert_line "preserved token 3: file \"$W/a:b\" (1 bytes)"
	done
}

@test "a refused item leaves earlier ones preserved while a holder keeps the session" {
	for k in $KERNELS; do
		# The shell holds db: token 2 goes in before token 1 is refused, and stays.
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db -- sh -c "
			\"\$LUOCTL\" preserve db --file /etc/hostname:1 > /dev/null
			\"\$LUOCTL\" preserve db --file /etc/hostname:2 --file /etc/hostname:1
			\"\$LUOCTL\" preserve db --file /etc/hostname:2"'
		assert_failure 1
		assert_equal "${stderr_lines[0]}" 'luoctl: preserve: cannot preserve a copy of "/etc/hostname" as token 1 in session "db": the token is already used in this session (File exists); tokens 2 were preserved before the failure; they stay in session "db" while any process holds it'
		assert_equal "${stderr_lines[1]}" 'luoctl: preserve: cannot preserve a copy of "/etc/hostname" as token 2 in session "db": the token is already used in this session (File exists)'
	done
}

@test "6.19: a refused item in create: the new session dies with luoctl, and says so" {
	luosim_only "a 6.19 kernel (the VM tier boots 7.2 and 7.3)"
	local items=() i
	for i in $(seq 1 129); do items+=(--file "/etc/hostname:$i"); done
	run --separate-stderr boot 6.19 "$LUOCTL" create db "${items[@]}" -- true
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^luoctl: create: cannot preserve .*; tokens 1, 2, 3, 4, 5, 6, 7, 8 and [0-9]+ more were preserved before the failure; session "db" closes as luoctl exits, which unpreserves them$'
}
