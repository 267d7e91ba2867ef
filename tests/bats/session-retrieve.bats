#!/usr/bin/env bats
# luoctl retrieve after a simulated kexec: placement by fd, by file and the
# systemd way, --finish, fd hygiene, and every refusal explained.
load helpers
load session-helpers

setup() {
	session_setup
	random_file "$W/blob" 70000
	printf 'small\n' > "$W/small"
}

# stage1 KERNEL: session db holds blob (token 1) and small (token 0x2a), plus an
# empty session "empty"; then the simulated kexec.
stage1() {
	run boot "$1" "$LUOCTL" create db --file "$W/blob:1" --file "$W/small:0x2a" -- "$LUOCTL" create empty -- "$LUOSIM_BIN" kexec
	assert_failure 99
}

@test "retrieve --file writes each file out byte for byte" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --file "1:$W/out1" --file "42:$W/out2" --finish
		assert_success
		assert_equal "$output" "retrieved session \"db\", finished
retrieved token 1: wrote 70000 bytes to \"$W/out1\"
retrieved token 42: wrote 6 bytes to \"$W/out2\""
		cmp "$W/blob" "$W/out1"
		cmp "$W/small" "$W/out2"
		rm -f "$W/out1" "$W/out2"
	done
}

@test "retrieve --fd places a file where asked, on stdin included" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:0 --fd 42:7 -- sh -c 'cat > "$W/out1"; cat <&7'
		assert_success
		assert_output small
		cmp "$W/blob" "$W/out1"
	done
}

@test "retrieve passes the session on, with the tokens it retrieved" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 --file "42:$W/x" -- sh -c 'echo "$LUOCTL_SESSIONS"'
		assert_success
		assert_output "3:in:db:1,42"
	done
}

@test "retrieve --json reports the session and every file" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" --json retrieve db --fd 1:5 --file "42:$W/x" -- true
		assert_success
		assert_output "{\"session\":{\"name\":\"db\",\"fd\":3,\"finished\":false},\"retrieved\":[{\"token\":1,\"fd\":5},{\"token\":42,\"bytes\":6,\"path\":\"$W/x\"}]}"
	done
}

@test "PROG sees exactly the fds it asked for" {
	for k in $KERNELS; do
		stage1 "$k"
		# Baseline, then: the session and token 1 at 6; --file leaves no fd behind.
		run --separate-stderr boot_sh "$k" '"$W/fds"; "$LUOCTL" retrieve db --fd 1:6 --file "42:$W/x" -- "$W/fds"'
		assert_success
		assert_equal "${lines[1]}" "$(echo ${lines[0]} 3 6 | tr ' ' '\n' | sort -n | tr '\n' ' ')"
	done
}

@test "with --finish, PROG gets only the files, not the finished session" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$W/fds"; "$LUOCTL" retrieve db --finish --fd 1:6 -- sh -c "\"\$W/fds\"; echo \"[\$LUOCTL_SESSIONS]\""'
		assert_success
		assert_equal "${lines[1]}" "$(echo ${lines[0]} 6 | tr ' ' '\n' | sort -n | tr '\n' ' ')"
		assert_equal "${lines[2]}" "[]"
	done
}

@test "--listen speaks the systemd protocol: session at 3, files from 4" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --listen 42:small --listen 1 -- sh -c '
			[ "$LISTEN_PID" = $$ ] && echo "pid ok"
			echo "$LISTEN_FDS $LISTEN_FDNAMES"; cat <&4; cmp - "$W/blob" <&5 && echo same'
		assert_success
		assert_equal "$output" "pid ok
3 db:small:1
small
same"
	done
}

@test "--listen keeps inherited LISTEN_FDS in place and appends after them" {
	for k in $KERNELS; do
		stage1 "$k"
		echo inherited > "$W/pre"
		run --separate-stderr boot_sh "$k" 'exec 3<"$W/pre"; LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=pre exec "$LUOCTL" retrieve db --listen 42:small -- sh -c "echo \$LISTEN_FDS \$LISTEN_FDNAMES; cat <&3; cat <&5"'
		assert_success
		assert_equal "$output" "3 pre:db:small
inherited
small"
	done
}

@test "--fdname names the session; names must be valid FDNAMEs" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve --fdname state db -- sh -c 'echo "$LISTEN_FDS $LISTEN_FDNAMES"'
		assert_success
		assert_output "1 state"
	done
	run --separate-stderr "$LUOCTL" retrieve db --listen 1:a:b -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: --listen 1:"a:b": not a valid FDNAME (printable ASCII, no '"':'"', 1 to 255 characters)'
	run --separate-stderr "$LUOCTL" retrieve a:b --listen 1 -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: session name "a:b" is not a valid FDNAME (printable ASCII, no '"':'"'); give --fdname'
}

@test "an empty session retrieves and finishes" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve empty --finish
		assert_success
		assert_output 'retrieved session "empty", finished'
	done
}

@test "an unknown session is ENOENT, explained" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve nosuch --finish
		assert_failure 1
		assert_equal "$stderr" 'luoctl: retrieve: cannot retrieve session "nosuch": no incoming session has this name: a cold boot, the previous kernel did not carry it (its fd was closed before the kexec), or it was already retrieved and closed (No such file or directory)'
	done
}

@test "a session retrieved and still held is EINVAL, explained" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db -- "$LUOCTL" retrieve db --finish
		assert_failure 1
		assert_equal "$stderr" 'luoctl: retrieve: cannot retrieve session "db": the session was already retrieved and is still held (earlier in this chain, or by another process such as systemd) (Invalid argument)'
	done
}

@test "an unknown token is ENOENT, and the loss that follows is said" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 7:5 -- true
		assert_failure 1
		assert_equal "$stderr" 'luoctl: retrieve: cannot retrieve token 7 from session "db": no file is preserved under this token: an unknown token, or the session was already finished (No such file or directory); session "db" closes as luoctl exits: the kernel finishes it and discards every file not retrieved'
	done
}

@test "an output file that cannot be created costs nothing: checked first" {
	for k in $KERNELS; do
		stage1 "$k"
		# The session is not taken by the failing call: the second one gets it.
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --file "1:$W/no/such/dir/out" --finish; echo "status $?";
			"$LUOCTL" retrieve db --file "1:$W/out" --finish'
		assert_success
		assert_equal "${stderr_lines[0]}" "luoctl: retrieve: --file 1:$W/no/such/dir/out: cannot create a file next to \"$W/no/such/dir/out\": No such file or directory"
		assert_line --index 0 "status 1"
		cmp "$W/blob" "$W/out"
	done
}

@test "a missing PROG costs nothing either: 127 before the session is taken" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --fd 1:5 -- no-such-program-anywhere; echo "status $?";
			"$LUOCTL" retrieve db --finish'
		assert_success
		assert_equal "$stderr" 'luoctl: retrieve: cannot run "no-such-program-anywhere": No such file or directory'
		assert_line --index 0 "status 127"
	done
}

@test "no PROG without --finish is refused: it would discard the rest" {
	run --separate-stderr "$LUOCTL" retrieve db --fd 1:5
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: no program to run: the session would be closed at once, which finishes it and discards every file not retrieved; give a program, or --finish to mean exactly that'
}

@test "two items for one fd, or an fd for both session and file, are refused" {
	run --separate-stderr "$LUOCTL" retrieve db --fd 1:5 --fd 2:5 -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: fd 5 is asked for both token 1 and token 2'
	run --separate-stderr "$LUOCTL" retrieve --session-fd 5 db --fd 1:5 -- true
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: fd 5 is asked for both the session and token 1'
	run --separate-stderr "$LUOCTL" retrieve --session-fd 5 --finish db
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: --session-fd cannot be combined with --finish (the session is closed)'
}

@test "\"systemd\" is not retrieved unless --force: PID 1 owns it" {
	run --separate-stderr "$LUOCTL" retrieve systemd --finish
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: the session name "systemd" belongs to systemd (v261 and later); give --force to use it anyway'
}

@test "closing a retrieved session finishes it: retrieving again is ENOENT" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db -- true; "$LUOCTL" retrieve db --finish'
		assert_failure 1
		assert_regex "$stderr" 'cannot retrieve session "db": no incoming session has this name'
	done
}

@test "the retrieved file keeps its data after the session is finished" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve --finish db --fd 1:0 -- cmp - "$W/blob"
		assert_success
	done
}

# Corrupting a preserved file relies on luosim's state layout (handover/s0.f0):
# luosim's own errno tests do the same.
@test "undeserializable data: EIO on open (7.2, exit 3), on the token (6.19)" {
	luosim_only "it corrupts a preserved file in luosim's state directory"
	stage1 7.2
	truncate -s 100 "$W/state-7.2/handover/s0.f0"
	run --separate-stderr boot 7.2 "$LUOCTL" retrieve db --finish
	assert_failure 3
	assert_equal "$stderr" 'luoctl: retrieve: cannot open /dev/liveupdate: the sessions handed over by the previous kernel could not be restored; LUO refuses every open until the next reboot (Input/output error)'
	stage1 6.19
	truncate -s 100 "$W/state-6.19/handover/s0.f0"
	run --separate-stderr boot 6.19 "$LUOCTL" retrieve db --fd 1:5 -- true
	assert_failure 1
	assert_equal "$stderr" 'luoctl: retrieve: cannot retrieve token 1 from session "db": the preserved pages could not be restored (Input/output error); session "db" closes as luoctl exits: the kernel finishes it and discards every file not retrieved'
}

@test "a report that cannot be written is an error that says what was done" {
	[ -e /dev/full ] || skip "no /dev/full"
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --file "1:$W/out" --finish > /dev/full'
		assert_failure 1
		assert_equal "$stderr" "luoctl: retrieve: cannot write the report to standard output (session \"db\" was retrieved and finished; token 1 is in \"$W/out\"): No space left on device"
		cmp "$W/blob" "$W/out"
	done
}

@test "--listen with --finish passes only the files, from fd 3" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve --finish db --listen 42:small -- sh -c 'echo "$LISTEN_FDS $LISTEN_FDNAMES [$LUOCTL_SESSIONS]"; cat <&3'
		assert_success
		assert_equal "$output" "1 small []
small"
	done
}

@test "--pretty indents the JSON report" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" --json --pretty retrieve --finish db
		assert_success
		assert_equal "$output" '{
  "session": {
    "name": "db",
    "fd": null,
    "finished": true
  },
  "retrieved": []
}'
	done
}
