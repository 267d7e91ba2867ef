#!/usr/bin/env bats
# luoctl finish: held sessions by name or fd, sessions nobody retrieved, what
# was discarded, and the refusals.
load helpers
load session-helpers

setup() {
	session_setup
	random_file "$W/blob" 3000
}

stage1() {
	run boot "$1" "$LUOCTL" create db --file "$W/blob:1" --file "$W/blob:2" -- "$LUOSIM_BIN" kexec
	assert_failure 99
}

@test "finish a held session: the tokens retrieved through luoctl are listed" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 -- "$LUOCTL" finish db
		assert_success
		assert_output 'finished session "db": unretrieved files discarded; retrieved through luoctl: token 1'
		[ -z "$stderr" ]
	done
}

@test "finish --json" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 --fd 2:6 -- "$LUOCTL" finish --json db
		assert_success
		assert_output '{"session":{"name":"db"},"finished":true,"discarded":"unretrieved","retrieved_tokens":[1,2]}'
	done
}

@test "finish a session nobody retrieved: everything is discarded, and it is gone" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot_sh "$k" '"$LUOCTL" finish db && "$LUOCTL" retrieve db --finish'
		assert_failure 1
		assert_line --index 0 'finished session "db": all files discarded (none was retrieved)'
		assert_regex "$stderr" 'cannot retrieve session "db": no incoming session has this name'
	done
}

@test "finish by fd, then chain on: the file retrieved stays usable" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve --session-fd 8 db --fd 1:5 -- "$LUOCTL" finish --session-fd 8 -- sh -c 'echo "[$LUOCTL_SESSIONS]"; cmp - "$W/blob" <&5 && echo same; [ -e /proc/$$/fd/8 ] || echo closed'
		assert_success
		assert_equal "$output" "[]
same
closed"
	done
}

@test "after retrieve --finish the session is gone: retrieving again is ENOENT" {
	for k in $KERNELS; do
		stage1 "$k"
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --finish --fd 1:5 -- sh -c '"$LUOCTL" retrieve db --finish'
		assert_failure 1
		assert_regex "$stderr" 'cannot retrieve session "db": no incoming session has this name'
	done
}

@test "an outgoing session cannot be finished: luoctl says so" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" finish db
		assert_failure 1
		assert_equal "$stderr" 'luoctl: finish: session "db" held by this chain was created in this kernel: only sessions retrieved from the previous kernel can be finished (close it to drop it)'
	done
}

@test "FINISH on an outgoing session reaching the kernel is EINVAL, explained" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" create db --file "$W/blob:1" -- env -u LUOCTL_SESSIONS "$LUOCTL" finish --session-fd 3
		assert_failure 1
		assert_regex "$stderr" '^luoctl: finish: cannot finish session "(db|at fd 3)": the session is an outgoing one: only retrieved sessions can be finished \(Invalid argument\)$'
	done
}

@test "finish of an unknown session is ENOENT" {
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" finish nosuch
		assert_failure 1
		assert_equal "$stderr" 'luoctl: finish: cannot retrieve session "nosuch" to finish it: no incoming session has this name: a cold boot, the previous kernel did not carry it (its fd was closed before the kexec), or it was already retrieved and closed (No such file or directory)'
	done
}

@test "finish needs a name or --session-fd; --session-fd must be open" {
	run --separate-stderr "$LUOCTL" finish
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: finish: no session name given'
	run --separate-stderr "$LUOCTL" finish --session-fd 99
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'luoctl: finish: --session-fd 99: fd 99 is not open'
}
