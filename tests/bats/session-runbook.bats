#!/usr/bin/env bats
# Multi-boot runbooks: stage 1 creates sessions and preserves fds, files and
# stdin, waits for readiness and kexecs; stage 2 retrieves, verifies byte for
# byte and finishes. Sessions survive exactly as long as the kernel says.
load helpers
load session-helpers

setup() {
	session_setup
	random_file "$W/big" 1048577
	random_file "$W/small" 17
	: > "$W/zero"
}

@test "two-stage runbook: files, stdin and an empty file cross the kexec intact" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'cat "$W/small" |
			"$LUOCTL" create db --file "$W/big:1" --file "$W/zero:0" -- \
			"$LUOCTL" create meta -- \
			"$LUOCTL" preserve meta --stdin 0xffffffffffffffff -- "$LUOSIM_BIN" kexec'
		assert_failure 99
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" retrieve db --file "1:$W/big.out" --file "0:$W/zero.out" --finish &&
			"$LUOCTL" retrieve meta --file "18446744073709551615:$W/small.out" --finish'
		assert_success
		cmp "$W/big" "$W/big.out"
		cmp "$W/small" "$W/small.out"
		cmp "$W/zero" "$W/zero.out"
		rm -f "$W"/*.out
	done
}

@test "only sessions held at the kexec survive it" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create gone --file "$W/small:1" -- true &&
			"$LUOCTL" create kept --file "$W/small:1" -- "$LUOSIM_BIN" kexec'
		assert_failure 99
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve kept --file "1:$W/out" --finish &&
			"$LUOCTL" retrieve gone --finish'
		assert_failure 1
		assert_output 'retrieved session "kept", finished
retrieved token 1: wrote 17 bytes to "'"$W/out"'"'
		assert_regex "$stderr" 'cannot retrieve session "gone": no incoming session has this name'
		cmp "$W/small" "$W/out"
	done
}

@test "incoming sessions are not carried over a second kexec" {
	for k in $KERNELS; do
		run boot "$k" "$LUOCTL" create db --file "$W/small:1" -- "$LUOSIM_BIN" kexec
		assert_failure 99
		# Boot 2 does not touch db and kexecs again; boot 3 has nothing.
		run boot "$k" "$LUOSIM_BIN" kexec
		assert_failure 99
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --finish
		assert_failure 1
		assert_regex "$stderr" 'no incoming session has this name'
	done
}

@test "data carried over two updates: retrieve, finish, preserve again" {
	for k in $KERNELS; do
		run boot "$k" "$LUOCTL" create db --file "$W/big:1" -- "$LUOSIM_BIN" kexec
		assert_failure 99
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --fd 1:5 --finish -- "$LUOCTL" create db --fd 5:1 -- "$LUOSIM_BIN" kexec
		assert_failure 99
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --file "1:$W/out" --finish
		assert_success
		cmp "$W/big" "$W/out"
		rm -f "$W/out"
	done
}

@test "readiness through a FIFO on the last step: kexec after every preserve" {
	for k in $KERNELS; do
		rm -f "$W/ready"
		mkfifo "$W/ready"
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create db -- "$LUOCTL" preserve db --file "$W/big:1" \
				-- "$LUOCTL" create db2 -- "$LUOCTL" preserve db2 --file "$W/small:2" \
				--ready-fd 5 -- sleep 1000 5>"$W/ready" &
			signal=$(cat "$W/ready")
			[ "$signal" = ready ] || { echo "signal: [$signal]"; exit 7; }
			exec "$LUOSIM_BIN" kexec'
		assert_failure 99
		run --separate-stderr boot_sh "$k" '"$LUOCTL" retrieve db --file "1:$W/big.out" --finish &&
			"$LUOCTL" retrieve db2 --file "2:$W/small.out" --finish'
		assert_success
		cmp "$W/big" "$W/big.out"
		cmp "$W/small" "$W/small.out"
		rm -f "$W"/*.out
	done
}

@test "readiness through a FIFO: a failed step closes it with nothing written" {
	for k in $KERNELS; do
		rm -f "$W/ready"
		mkfifo "$W/ready"
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create db -- "$LUOCTL" preserve db --file "$W/missing:1" --ready-fd 5 \
				-- sleep 1000 5>"$W/ready" &
			echo "signal: [$(cat "$W/ready")]"'
		assert_success
		assert_output 'signal: []'
		assert_equal "$stderr" "luoctl: preserve: --file $W/missing:1: cannot open \"$W/missing\": No such file or directory"
	done
}

@test "readiness through a file: it appears once preserved; a stale one is removed" {
	for k in $KERNELS; do
		echo stale > "$W/ready.file"
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create db -- "$LUOCTL" preserve db --stdin 1 --ready-file "$W/ready.file" \
				-- sleep 1000 < "$W/small" &
			# Read, never test-then-read: preserve removes the stale file in between.
			for i in $(seq 1200); do
				r=$(cat "$W/ready.file" 2>/dev/null) && [ "$r" != stale ] && break
				sleep 0.05
			done
			echo "$r"
			exec "$LUOSIM_BIN" kexec'
		assert_failure 99
		assert_output ready
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --file "1:$W/out" --finish
		assert_success
		cmp "$W/small" "$W/out"
		rm -f "$W/out"
	done
}

@test "a failing chain leaves no ready file behind, even a stale one" {
	for k in $KERNELS; do
		echo stale > "$W/ready.file"
		run --separate-stderr boot "$k" "$LUOCTL" create db -- "$LUOCTL" preserve db --file "$W/missing:1" --ready-file "$W/ready.file" -- true
		assert_failure 1
		assert_file_not_exists "$W/ready.file"
	done
}

@test "a session closed before the kexec unpreserves its files: nothing to retrieve" {
	for k in $KERNELS; do
		# The holder exits before the kexec: db is closed, so nothing is carried.
		run --separate-stderr boot_sh "$k" '"$LUOCTL" create db --file "$W/small:1" -- sleep 0; exec "$LUOSIM_BIN" kexec'
		assert_failure 99
		run --separate-stderr boot "$k" "$LUOCTL" retrieve db --finish
		assert_failure 1
	done
}
