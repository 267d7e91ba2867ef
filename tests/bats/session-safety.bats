#!/usr/bin/env bats
# Issue 11: session commands never lose preserved state. Every check that can
# be made before a session is taken is made before it, and the session is
# still there afterwards; what fails past that point is kept and said; fd
# collisions are refused alike by every command; messages are one line each.
load helpers
load session-helpers

setup() {
	session_setup
	random_file "$W/blob" 70000
	printf 'small\n' > "$W/small"
}

# stage1 KERNEL: session db holds blob (token 1) and small (token 42); then the kexec.
stage1() {
	run boot "$1" "$LUOCTL" create db --file "$W/blob:1" --file "$W/small:42" -- "$LUOSIM_BIN" kexec
	assert_failure 99
}

# Appended to a refused command in the same boot: its status, then whether
# the session was left whole (it retrieves byte for byte).
STILL_THERE='; echo "status $?"
	"$LUOCTL" retrieve db --file "1:$W/again" --finish > /dev/null &&
		cmp "$W/blob" "$W/again" && echo intact'

@test "--json with a file on fd 1 is refused before the session is taken" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" --json retrieve db --fd 1:1 -- true'"$STILL_THERE"
		assert_success
		assert_equal "$stderr" 'luoctl: retrieve: --fd 1:1: standard output carries the --json report; put the file on another fd, or drop --json'
		assert_line --index 1 "status 2"
		assert_line --index 2 intact
		rm -f "$W/again"
	done
}

@test "a file on fd 2: messages after the placement go to the original stderr" {
	# Executable, but its interpreter is missing: the exec fails after every check.
	printf '#!/nonexistent/interpreter\n' > "$W/badinterp"
	chmod +x "$W/badinterp"
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 42:2 -- "$W/badinterp"
		assert_failure 127
		assert_equal "$stderr" "luoctl: retrieve: cannot run \"$W/badinterp\" (session \"db\" closes as luoctl exits: the kernel finishes it and discards every file not retrieved): No such file or directory"
	done
}

@test "--file into a directory is refused first; the session stays" {
	for k in $KERNELS; do
		stage1 "$k"
		mkdir "$W/dir"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --file "1:$W/dir" --finish'"$STILL_THERE"
		assert_success
		assert_equal "$stderr" "luoctl: retrieve: --file 1:$W/dir: \"$W/dir\" is a directory; give the path of the file to write"
		assert_output "status 2
intact"
		[ -z "$(ls "$W/dir")" ]
		rmdir "$W/dir"
		rm -f "$W/again"
	done
}

@test "fd numbers at or above RLIMIT_NOFILE are refused first, by every command" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" 'ulimit -n 64; "$LUOCTL" retrieve db --fd 1:64 -- true; echo "status $?"
			"$LUOCTL" retrieve db --session-fd 100 -- true; echo "status $?"
			"$LUOCTL" create new --session-fd 64 -- true'"$STILL_THERE"
		assert_success
		assert_equal "$output" "status 2
status 2
status 2
intact"
		assert_equal "${stderr_lines[0]}" 'luoctl: retrieve: --fd 1:64: fd 64 is not below the open-file limit of this process (RLIMIT_NOFILE 64)'
		assert_equal "${stderr_lines[1]}" 'luoctl: retrieve: --session-fd: fd 100 is not below the open-file limit of this process (RLIMIT_NOFILE 64)'
		assert_equal "${stderr_lines[2]}" 'luoctl: create: --session-fd: fd 64 is not below the open-file limit of this process (RLIMIT_NOFILE 64)'
		rm -f "$W/again"
	done
}

@test "--fd without a program is refused: the file would die with luoctl" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --fd 1:5 --finish'"$STILL_THERE"
		assert_success
		assert_equal "$stderr" 'luoctl: retrieve: --fd passes fds to a program; none is given, and the files would close with luoctl'
		assert_output "status 2
intact"
		rm -f "$W/again"
	done
}

@test "finish inside a LISTEN_FDS layout keeps LISTEN_FDS and LISTEN_FDNAMES true" {
	for k in $KERNELS; do
		stage1 "$k"
		# Layout: db at 3, small at 4, blob at 5; finish drops db: small 3, blob 4.
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --listen 42:small --listen 1:blob -- \
			"$LUOCTL" finish db -- sh -c '[ "$LISTEN_PID" = $$ ] && echo "pid ok"
				echo "$LISTEN_FDS $LISTEN_FDNAMES"; cat <&3; cmp - "$W/blob" <&4 && echo same
				[ -e /proc/$$/fd/5 ] || echo "5 closed"'
		assert_success
		assert_equal "$output" 'pid ok
2 small:blob
small
same
5 closed'
	done
}

@test "--stdin twice, or with standard input closed, is refused" {
	run --separate-stderr "$LUOCTL" preserve db --stdin 1 --stdin 2
	assert_failure 2
	assert_equal "$stderr" 'luoctl: preserve: --stdin is given twice (--stdin 1, --stdin 2): standard input can be read once'
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db --stdin 1 -- true <&-'
		assert_failure 2
		assert_equal "$stderr" 'luoctl: create: --stdin 1: standard input is closed'
	done
}

@test "one path for two --file tokens is refused, however it is spelled" {
	for k in $KERNELS; do
		stage1 "$k"
		mkdir -p "$W/sub"
		ln -sfn "$W" "$W/link"
		# Each spelling is refused in turn; then the session is still whole.
		run --separate-stderr boot_sh "$k" 'for p in "$W/./p" "$W/sub/../p" "$W/link/p" "$W//p"; do
			"$LUOCTL" retrieve db --file "1:$W/p" --file "42:$p" --finish; echo "status $?"
		done'"$STILL_THERE"
		assert_success
		assert_equal "$stderr" "luoctl: retrieve: \"$W/./p\" is asked for both token 1 and token 42; each file is written once
luoctl: retrieve: \"$W/sub/../p\" is asked for both token 1 and token 42; each file is written once
luoctl: retrieve: \"$W/link/p\" is asked for both token 1 and token 42; each file is written once
luoctl: retrieve: \"$W//p\" is asked for both token 1 and token 42; each file is written once"
		assert_output "status 2
status 2
status 2
status 2
status 0
intact"
		[ ! -e "$W/p" ]
		rm -f "$W/again"
	done
}

@test "a collision with an fd the program keeps is refused by create as by retrieve" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 --finish -- \
			"$LUOCTL" create next --fd 5:9 --session-fd 5 -- true
		assert_failure 2
		assert_equal "$stderr" 'luoctl: create: fd 5 is asked for both the session and --fd 5:9'
	done
	run --separate-stderr "$LUOCTL" create db --session-fd 5 --ready-fd 5 -- true 5>/dev/null
	assert_failure 2
	assert_equal "$stderr" 'luoctl: create: fd 5 is asked for both the session and --ready-fd'
	run --separate-stderr "$LUOCTL" preserve db --fd 5:1 --ready-fd 5 5>/dev/null
	assert_failure 2
	assert_equal "$stderr" 'luoctl: preserve: fd 5 is asked for both --ready-fd and --fd 5:1'
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" preserve db --fd 3:1
		assert_failure 2
		assert_equal "$stderr" 'luoctl: preserve: fd 3 is asked for both --fd 3:1 and the session'
	done
	run --separate-stderr "$LUOCTL" retrieve db --session-fd 6 --fd 1:6 -- true
	assert_failure 2
	assert_equal "$stderr" 'luoctl: retrieve: fd 6 is asked for both the session and token 1'
}

@test "an inherited LISTEN_FDS fd is claimed like any other" {
	run --separate-stderr env LISTEN_PID=$$ LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$LUOCTL" retrieve db --listen 1 --fd 42:3 -- true'
	assert_failure 2
	assert_equal "$stderr" 'luoctl: retrieve: fd 3 is asked for both an inherited LISTEN_FDS fd and token 42'
}

@test "--fdname blames --fdname, not the session name" {
	run --separate-stderr "$LUOCTL" retrieve db --fdname a:b -- true
	assert_failure 2
	assert_equal "$stderr" "luoctl: retrieve: --fdname \"a:b\": not a valid FDNAME (printable ASCII, no ':', 1 to 255 characters)"
}

@test "every error is one line, usage errors included" {
	run --separate-stderr "$LUOCTL" create
	assert_failure 2
	assert_equal "$stderr" 'luoctl: create: no session name given'
	run --separate-stderr "$LUOCTL" retrieve db --bogus
	assert_failure 2
	assert_equal "$stderr" 'luoctl: retrieve: --bogus: unknown option'
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --file "1:$W/out" --file "7:$W/out7" -- true
		assert_failure 1
		# What was retrieved before the failure is kept, and the message says where.
		assert_equal "$stderr" "luoctl: retrieve: cannot retrieve token 7 from session \"db\": no file is preserved under this token: an unknown token, or the session was already finished (No such file or directory); session \"db\" closes as luoctl exits: the kernel finishes it and discards every file not retrieved; token 1 is in \"$W/out\""
		cmp "$W/blob" "$W/out"
		# Token 7 was never retrieved: its temporary file is gone, nothing else is there.
		assert_equal "$(ls "$W" | grep -c out)" 1
	done
}

@test "--json failures print a JSON error object too" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" --json retrieve nosuch --finish
		assert_failure 1
		assert_output '{"error":{"command":"retrieve","message":"cannot retrieve session \"nosuch\": no incoming session has this name: a cold boot, the previous kernel did not carry it (its fd was closed before the kexec), or it was already retrieved and closed (No such file or directory)","exit":1}}'
	done
	run --separate-stderr "$LUOCTL" create --json
	assert_failure 2
	assert_output '{"error":{"command":"create","message":"no session name given","exit":2}}'
}

@test "--ready-file is not removed when the command fails before any kernel step" {
	echo old > "$W/ready"
	run --separate-stderr "$LUOCTL" create db --ready-file "$W/ready" --session-fd 1 -- true
	assert_failure 2
	assert_equal "$(cat "$W/ready")" old
	run --separate-stderr "$LUOCTL" preserve db --ready-file "$W/ready" --stdin x
	assert_failure 2
	assert_equal "$(cat "$W/ready")" old
}

@test "a retrieved file that cannot be written out is kept, and the message names it" {
	luosim_only "mounts a small tmpfs in the simulated machine's mount namespace"
	for k in $KERNELS; do
		stage1 "$k"
		mkdir -p "$W/tiny"
		# 70000 bytes into a 16 KiB file system: the copy fails after the retrieve.
		run --separate-stderr boot_sh "$k" 'mount -t tmpfs -o size=16k tmpfs "$W/tiny" || exit 77
			"$LUOCTL" retrieve db --file "1:$W/tiny/out" --file "42:$W/small.out" --finish
			echo "status $?"; ls "$W/tiny"; cat "$W/small.out"'
		[ "$status" -ne 77 ] || skip "cannot mount a tmpfs here"
		assert_success
		assert_line --index 0 "status 1"
		assert_line --index 1 --regexp '^out\.[A-Za-z0-9]{6}$'
		assert_line --index 2 small
		local tmp=${lines[1]}
		assert_regex "$stderr" "^luoctl: retrieve: cannot write token 1 of session \"db\" to \"$W/tiny/out\": No space left on device; session \"db\" closes as luoctl exits: the kernel finishes it and discards every file not retrieved; token 1: only [0-9]+ bytes written, kept in \"$W/tiny/$tmp\"; token 42 is in \"$W/small.out\"\$"
		rm -f "$W/small.out"
	done
}

@test "with standard input closed, the session still goes to 3 or above" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db -- sh -c "echo \"\$LUOCTL_SESSIONS\"; [ -e /proc/\$\$/fd/0 ] || echo stdin closed" <&-'
		assert_success
		assert_output "3:out:db
stdin closed"
	done
}
