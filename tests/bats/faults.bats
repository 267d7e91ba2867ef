#!/usr/bin/env bats
# Faults: a holder killed before the kexec, luosim killed in the middle of
# one, the state directory out of space or failing with EIO, a retrieve that
# fails half-way, and a short soak (tests/soak/soak; `make soak` runs the long
# one).
load helpers
load session-helpers

# The disk's I/O errors, made with a seccomp filter (tests/progs/fail-syscall.c).
FAIL_SYSCALL=$abs_top_builddir/tests/progs/fail-syscall
export FAIL_SYSCALL

setup() {
	session_setup
	random_file "$W/small" 4099
}

# The PDEATHSIG test holds processes under strace: a failed step must not
# leave them (or strace) behind.
teardown() {
	pkill -KILL -f -- "$W/state-(luosim|supervisor)|$W/ran" 2>/dev/null || true
}

# in_small_tmpfs DIR SIZE CMD...: CMD in a private mount namespace where DIR is
# a tmpfs of SIZE (mount(8) syntax). Skips when mount namespaces are not ours.
in_small_tmpfs() {
	local dir=$1 size=$2
	shift 2
	mkdir -p "$dir"
	unshare -m --propagation private true 2>/dev/null ||
		skip "needs a private mount namespace (root, or CAP_SYS_ADMIN)"
	unshare -m --propagation private sh -c 'mount -t tmpfs -o size="$1" tmpfs "$2" &&
		shift 2 && exec "$@"' sh "$size" "$dir" "$@"
}

@test "a holder killed with SIGKILL before the kexec takes its session with it" {
	for k in $KERNELS; do
		rm -f "$W/ready" "$W"/*.out
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create gone --file "$W/small:1" --ready-file "$W/ready" -- sleep 600 &
			pid=$!
			while [ ! -e "$W/ready" ]; do sleep 0.05; done
			kill -KILL $pid
			wait $pid
			echo "holder status $?"
			"$LUOCTL" create kept --file "$W/small:2" -- "$LUOSIM_BIN" kexec'
		assert_failure 99
		assert_output "holder status 137"
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" retrieve kept --file "2:$W/kept.out" --finish >/dev/null &&
			"$LUOCTL" retrieve gone --file "1:$W/gone.out" --finish'
		assert_failure 1
		assert_regex "$stderr" 'cannot retrieve session "gone": no incoming session has this name'
		cmp "$W/small" "$W/kept.out"
		assert_not_exist "$W/gone.out"
	done
}

@test "luosim killed at 50 random points of a kexec: the next boot sees none or all of it" {
	luosim_only "kills luosim itself and reads its state directory"
	local st=$W/state-kill big=$W/big points=${FAULT_POINTS:-50}
	random_file "$big" $((16 * 1048576))
	# How long an undisturbed boot with the kexec takes: the kill points span it.
	local t0 t1 span old=0 new=0
	t0=$(date +%s%N)
	"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" create db --file "$big:1" -- "$LUOSIM_BIN" kexec \
		>/dev/null 3>&- || [ $? = 99 ]
	t1=$(date +%s%N)
	span=$(( (t1 - t0) / 1000 ))	# microseconds
	"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" finish db >/dev/null 3>&-
	for ((point = 0; point < points; point++)); do
		local us=$(( (RANDOM * 32768 + RANDOM) % (span + span / 5) ))
		rm -f "$W/out"
		# exec: $! must be luosim itself, not a subshell waiting for it.
		(exec "$LUOSIM_BIN" --state "$st" -- "$LUOCTL" create db --file "$big:1" -- \
			"$LUOSIM_BIN" kexec >/dev/null 2>"$W/boot.err" 3>&-) &
		local pid=$!
		sleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
		kill -KILL $pid 2>/dev/null || true
		wait $pid || true
		# The machine's processes go with luosim (they hold $big open while alive).
		for _ in $(seq 50); do pgrep -f -- "$big" >/dev/null || break; sleep 0.1; done
		# A killed process's command line is empty while it exits, before it lets go
		# of its files: wait for the state directory's lock (luosim's own, a flock).
		flock -w 30 "$st/luosim-state" true ||
			fail "point $point: the state directory stays locked: $(ps -eo pid,ppid,stat,wchan:24,args | grep -F "$LUOSIM_BIN")"
		run pgrep -af -- "$big"
		assert_failure
		run --separate-stderr "$LUOSIM_BIN" --state "$st" -- "$LUOCTL" retrieve db \
			--file "1:$W/out" --finish 3>&-
		if [ "$status" = 0 ]; then
			cmp "$big" "$W/out"	# the new state, whole
			new=$((new + 1))
		else
			# The old state: no handover. Anything else must say what is wrong.
			[ "$status" = 1 ] || fail "point $point (${us} us): retrieve exited $status: $stderr"
			assert_regex "$stderr" 'no incoming session has this name'
			old=$((old + 1))
		fi
		# No half-written handover is left behind once a boot has run.
		run find "$st" -name '.handover.*'
		assert_output ""
		[ -z "${FAULT_TRACE:-}" ] || echo "# point $point at ${us} us: old $old new $new" >&3
	done
	echo "# $points kill points over ${span} us: $old old, $new new" >&3
	assert_equal $((old + new)) "$points"
}

# luosim_child_of PID: the first luosim child of PID, waited for (up to 5 s).
# By name: strace forks short-lived children of its own to probe ptrace.
luosim_child_of() {
	local c
	for _ in $(seq 100); do
		c=$(pgrep -P "$1" -x luosim | head -n 1) && [ -n "$c" ] && echo "$c" && return
		sleep 0.05
	done
	fail "no child of $1 appeared: $(ps -eo pid,ppid,stat,args | grep -F "$LUOSIM_BIN")"
}

# A parent killed between fork() and its child's PR_SET_PDEATHSIG sends no
# signal. strace holds each process's first prctl() (that one) for 2 s: the
# window, made wide. The orphan must not run a boot, a tree or PROG on its own.
@test "luosim or its supervisor killed before the child's PR_SET_PDEATHSIG: nothing runs on alone" {
	luosim_only "kills luosim's own processes"
	command -v strace >/dev/null || fail "needs strace (./quickstart installs it)"
	local victim st tracer main sup init
	for victim in luosim supervisor; do
		st=$W/state-$victim
		rm -f "$W/ran"
		strace -f -qq -o /dev/null -e trace=prctl -e inject=prctl:delay_enter=2000000:when=1 \
			"$LUOSIM_BIN" --state "$st" -- sh -c "echo ran >'$W/ran'; exec sleep 600" \
			>/dev/null 2>"$W/$victim.err" 3>&- &
		tracer=$!
		main=$(luosim_child_of $tracer)
		sup=$(luosim_child_of "$main")	# held in its first prctl()
		if [ $victim = luosim ]; then
			kill -KILL "$main"
		else
			init=$(luosim_child_of "$sup")	# held in its first prctl()
			kill -KILL "$sup"
		fi
		# What is left exits when its prctl() returns, and lets go of the state.
		local locked=0 left
		flock -w 10 "$st/luosim-state" true || locked=1
		for _ in $(seq 100); do pgrep -f -- "$st|$W/ran" >/dev/null || break; sleep 0.05; done
		left=$(ps -o pid,ppid,stat,wchan:24,args -p "$(pgrep -d, -f -- "$st|$W/ran")" 2>/dev/null || true)
		# Whatever outlived its parent goes now (strace would wait for it).
		pkill -KILL -f -- "$st|$W/ran" || true
		kill -KILL $tracer 2>/dev/null || true
		wait $tracer || true
		[ "$locked" = 0 ] || fail "$victim killed: the state directory stays locked by: $left"
		[ -z "$left" ] || fail "$victim killed: processes outlived it: $left"
		assert_not_exist "$W/ran"
	done
}

# enospc_kexec MIB FS_SIZE: a kexec of MIB MiB into a state directory on a
# tmpfs of FS_SIZE fails with ENOSPC, leaves nothing half-written, and the next
# boot can still kexec and retrieve a small file.
enospc_kexec() {
	random_file "$W/big" $(($1 * 1048576))
	run --separate-stderr in_small_tmpfs "$W/fs" "$2" sh -c '
		st=$1/state
		"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" create db --file "$W/big:1" -- "$LUOSIM_BIN" kexec
		echo "kexec $?"
		ls -A "$st"
		"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" retrieve db --finish
		echo "retrieve $?"
		"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" create db --file "$W/small:1" -- \
			"$LUOSIM_BIN" kexec >/dev/null
		echo "small kexec $?"
		"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" retrieve db --file "1:$W/small.out" --finish \
			>/dev/null
		echo "small retrieve $?"' sh "$W/fs"
	assert_success
	assert_output "kexec 125
luosim-state
retrieve 1
small kexec 99
small retrieve 0"
	assert_regex "$stderr" "luosim: cannot write the handover to the state directory .*: No space left on device"
	assert_regex "$stderr" 'cannot retrieve session "db": no incoming session has this name'
	cmp "$W/small" "$W/small.out"
}

@test "ENOSPC on the state directory: the kexec fails clearly and nothing half-written is left" {
	luosim_only "puts luosim's state directory on a full file system"
	enospc_kexec 3 1m
}

@test "ENOSPC half-way through a large file, with several writes in flight" {
	luosim_only "puts luosim's state directory on a full file system"
	# 40 MiB are five 8 MiB chunks: four are in flight when the disk fills.
	enospc_kexec 40 16m
}

@test "EIO from the disk at the kexec's fsync: the kexec fails clearly and nothing is left" {
	luosim_only "makes luosim's fsync fail"
	random_file "$W/big" $((40 * 1048576))
	run --separate-stderr sh -c '
		st=$W/state
		"$FAIL_SYSCALL" fdatasync EIO "$LUOSIM_BIN" --state "$st" -- \
			"$LUOCTL" create db --file "$W/big:1" -- "$LUOSIM_BIN" kexec
		echo "kexec $?"
		ls -A "$st"
		"$LUOSIM_BIN" --state "$st" -- "$LUOCTL" retrieve db --finish
		echo "retrieve $?"'
	assert_success
	assert_output "kexec 125
luosim-state
retrieve 1"
	assert_regex "$stderr" "luosim: cannot write the handover to the state directory $W/state: Input/output error"
	assert_regex "$stderr" 'cannot retrieve session "db": no incoming session has this name'
}

@test "EIO reading a file back at RETRIEVE_FD: luoctl names the token and what is lost" {
	luosim_only "makes luosim's reads of its state directory fail"
	random_file "$W/big" $((40 * 1048576))
	run boot 7.2 "$LUOCTL" create db --file "$W/big:1" --file "$W/big:2" -- "$LUOSIM_BIN" kexec
	assert_failure 99
	# luosim reads a file of more than 8 MiB back through kernel AIO.
	run --separate-stderr "$FAIL_SYSCALL" io_submit EIO "$LUOSIM_BIN" --state "$W/state-7.2" \
		--kernel 7.2 -- "$LUOCTL" retrieve db --file "1:$W/one" --file "2:$W/two" --finish
	assert_failure 1
	assert_equal "$stderr" 'luoctl: retrieve: cannot retrieve token 1 from session "db": the preserved pages could not be restored (Input/output error); session "db" closes as luoctl exits: the kernel finishes it and discards every file not retrieved'
	assert_not_exist "$W/one"
	assert_not_exist "$W/two"
	assert_equal "$(ls -A "$W/state-7.2")" luosim-state
}

@test "a retrieve that fails half-way says what is in place and what is lost" {
	random_file "$W/big" $((2 * 1048576))
	for k in $KERNELS; do
		run boot "$k" "$LUOCTL" create db --file "$W/small:1" --file "$W/big:2" \
			--file "$W/small:3" -- "$LUOSIM_BIN" kexec
		assert_failure 99
		run in_small_tmpfs "$W/fs" 1m "$LUOSIM_BIN" --state "$W/state-$k" \
			--kernel "$k" -- "$LUOCTL" retrieve db --file "1:$W/fs/one" \
			--file "2:$W/fs/two" --file "3:$W/fs/three" --finish
		assert_failure 1
		# One line per failed write, each ending with where every byte is.
		local fate="session \"db\" closes as luoctl exits: the kernel finishes it and discards every file not retrieved; token 1 is in \"$W/fs/one\"; token 2: only [0-9]+ bytes written, kept in \"$W/fs/two\.[A-Za-z0-9]{6}\"; token 3: only [0-9]+ bytes written, kept in \"$W/fs/three\.[A-Za-z0-9]{6}\"\$"
		assert_equal "${#lines[@]}" 2
		assert_regex "${lines[0]}" "^luoctl: retrieve: cannot write token 2 of session \"db\" to \"$W/fs/two\": No space left on device; $fate"
		assert_regex "${lines[1]}" "^luoctl: retrieve: cannot write token 3 of session \"db\" to \"$W/fs/three\": No space left on device; $fate"
	done
}

@test "a short soak: random sessions, sizes and orders over 6 kexec cycles lose nothing" {
	luosim_only "reads luosim's state directory between cycles"
	run "$abs_top_srcdir/tests/soak/soak" 6 2
	assert_success
	assert_output --regexp '^soak: 6 cycles, .* 0 lost, 0 fds or processes leaked'
}
