# Shared by the session-*.bats files (issue 4): luoctl runs inside luosim, one
# simulated machine per test and kernel mode, its state under the test's tmpdir.
# Every test that talks to LUO runs once per kernel mode in KERNELS.

KERNELS="6.19 7.2"

session_setup() {
	if [ "$LUOCTL_TEST_TARGET" = kernel ]; then
		vm_test_setup
	else
		[ -x "$LUOSIM_BIN" ] || fail "luosim is not built at $LUOSIM_BIN: these tests need it"
		W="$BATS_TEST_TMPDIR"
	fi
	export W
	# Start every chain clean: nothing inherited from the caller's environment.
	unset LUOCTL_SESSIONS LISTEN_FDS LISTEN_PID LISTEN_FDNAMES LISTEN_PIDFDID
	# The fd-listing helper: the fds of the process that runs it, sorted, on one
	# line. ls writes to a file, not a pipe: a pipe would be open in the shell too.
	cat > "$W/fds" <<-'SCRIPT'
	#!/bin/sh
	ls /proc/$$/fd > "$W/fds.$$"
	sort -n "$W/fds.$$" | tr '\n' ' '
	echo
	rm -f "$W/fds.$$"
	SCRIPT
	chmod +x "$W/fds"
}

# boot KERNEL PROG [ARG...]: one boot of this test's machine in that kernel mode.
# fd 3 (bats' own) is closed so fd layouts are the same as from a plain shell.
boot() {
	local kernel=$1
	shift
	"$LUOSIM_BIN" --state "$W/state-$kernel" --kernel "$kernel" -- "$@" 3>&-
}

# boot_sh KERNEL SCRIPT: the same, running a shell script (LUOCTL, LUOSIM_BIN, W exported).
boot_sh() {
	boot "$1" sh -c "$2"
}

# random_file PATH SIZE: SIZE bytes of random data.
random_file() {
	# A test resumed after a real kexec keeps the data its first boot preserved.
	[ "${VM_RESUMED:-0}" = 1 ] && [ -e "$1" ] && return 0
	head -c "$2" /dev/urandom > "$1"
}
