#!/usr/bin/env bats
# luosim's command line, exit statuses, misuse errors and isolation.

load helpers
load luosim-helpers

@test "--help and --version print to stdout and exit 0" {
	run -0 "$LUOSIM_BIN" --help
	assert_line " luosim [options] [--] PROG [ARG...]"
	assert_line "For more details see luosim(1)."
	run -0 "$LUOSIM_BIN" -V
	assert_line --regexp '^luosim [0-9]'
}

@test "bad usage exits 125, one line" {
	run -125 "$LUOSIM_BIN" --no-such-option true
	assert_output "luosim: --no-such-option: unknown option"
	run -125 "$LUOSIM_BIN"
	assert_line "luosim: no program to run"
	run -125 "$LUOSIM_BIN" --kernel 6.1 true
	assert_line --partial 'unknown kernel version "6.1"'
	run -125 "$LUOSIM_BIN" --boots 0 true
	assert_line --partial 'invalid --boots "0"'
	run -125 "$LUOSIM_BIN" --boots abc true
	assert_line --partial 'invalid --boots "abc"'
}

@test "PROG's options pass through untouched" {
	run -0 "$LUOSIM_BIN" echo --kernel 6.19 --boots 2 -h
	assert_output "--kernel 6.19 --boots 2 -h"
}

@test "exit status: PROG's own, 128+signal, 126 and 127" {
	run -3 "$LUOSIM_BIN" sh -c 'exit 3'
	run -143 "$LUOSIM_BIN" sh -c 'kill -TERM $$'
	run -127 "$LUOSIM_BIN" /no/such/program
	assert_output 'luosim: cannot run "/no/such/program": No such file or directory'
	run -126 "$LUOSIM_BIN" /etc/passwd
	assert_output --partial 'luosim: cannot run "/etc/passwd": Permission denied'
}

@test "the tree sees LUOSIM, LUOSIM_KERNEL and LUOSIM_BOOT" {
	run -0 "$LUOSIM_BIN" --kernel 6.19 sh -c 'echo "$LUOSIM $LUOSIM_KERNEL $LUOSIM_BOOT"'
	assert_output "1 6.19 1"
	run -0 "$LUOSIM_BIN" sh -c 'echo "$LUOSIM_KERNEL"'
	assert_output "7.2"
}

@test "nested luosim is refused with a clear message" {
	run -125 "$LUOSIM_BIN" "$LUOSIM_BIN" true
	assert_output "luosim: cannot run inside a luosim tree: nested luosim is not supported"
}

@test "luosim kexec refuses to run outside a tree" {
	run -125 "$LUOSIM_BIN" kexec
	assert_output --partial "refusing to run outside a luosim tree"
	# The marker alone is not enough: the seccomp filter must be there too.
	run -125 env LUOSIM=1 "$LUOSIM_BIN" kexec
}

# A marker no other run (another worktree's test suite) uses at the same time.
marker() {
	echo "7$$$RANDOM.5"
}

@test "the tree is PID 1's children in its own PID namespace, and killed with it" {
	run -0 "$LUOSIM_BIN" sh -c 'echo "pid $$"; ps -o pid= -p 1 >/dev/null && echo "init ok"'
	assert_line "pid 2"
	# A daemon left behind does not outlive the boot.
	local m
	m=$(marker)
	run -0 "$LUOSIM_BIN" sh -c 'setsid sleep "$1" </dev/null >/dev/null 2>&1 & exit 0' sh "$m"
	run pgrep -f "sleep $m"

	assert_failure
}

@test "if luosim dies, the tree does not hang around" {
	local m
	m=$(marker)
	"$LUOSIM_BIN" sleep "$m" &
	local pid=$!
	for _ in $(seq 50); do pgrep -x -f "sleep $m" >/dev/null && break; sleep 0.1; done
	run pgrep -x -f "sleep $m"
	assert_success
	kill -KILL "$pid"
	wait "$pid" || true
	for _ in $(seq 50); do pgrep -f "sleep $m" >/dev/null || break; sleep 0.1; done
	run pgrep -f "sleep $m"
	assert_failure
}

@test "SIGTERM to luosim ends the boot and removes its temporary state" {
	local tmp
	tmp=$(mktemp -d)
	local m
	m=$(marker)
	TMPDIR=$tmp "$LUOSIM_BIN" sleep "$m" &
	local pid=$!
	for _ in $(seq 50); do pgrep -x -f "sleep $m" >/dev/null && break; sleep 0.1; done
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	# luosim waited for the whole machine: nothing of it is left.
	run pgrep -f "sleep $m"
	assert_failure
	run ls -A "$tmp"
	assert_output ""
	rmdir "$tmp"
}

@test "own network namespace with loopback up, unless --share-net" {
	run -0 "$LUOSIM_BIN" cat /proc/net/dev
	refute_output --regexp '^ *(eth|ens|enp)'
	run -0 "$LUOSIM_BIN" sh -c 'grep -c : /proc/net/dev'
	assert_output 1
	run -0 "$LUOSIM_BIN" sh -c 'cat /sys/class/net/lo/operstate; ip -o link show lo 2>/dev/null | grep -o "<[^>]*UP[^>]*>" || true'
	run -0 "$LUOSIM_BIN" --share-net sh -c 'grep -c : /proc/net/dev'
	assert_equal "$output" "$(grep -c : /proc/net/dev)"
	# Sharing the host's network, the tree may not reconfigure it (CAP_NET_ADMIN).
	run -0 "$LUOSIM_BIN" --share-net sh -c 'grep CapBnd /proc/self/status'
	local bnd=${output##*:}
	(( (16#${bnd//[[:space:]]/} >> 12 & 1) == 0 ))
	run -0 "$LUOSIM_BIN" sh -c 'grep CapBnd /proc/self/status'
	bnd=${output##*:}
	(( (16#${bnd//[[:space:]]/} >> 12 & 1) == 1 ))
}

@test "nothing is created in the host's /dev or /sys" {
	[[ ! -e /dev/liveupdate ]] || skip "this host has a real /dev/liveupdate"
	run -0 "$LUOSIM_BIN" sh -c 'test -f /dev/liveupdate && test -f /sys/kernel/kexec_loaded && touch /dev/luosim-probe'
	assert_file_not_exists /dev/liveupdate
	assert_file_not_exists /dev/luosim-probe
	assert_file_not_exists /sys/kernel/kexec_loaded
}

@test "the tree cannot reboot for real: no CAP_SYS_BOOT, reboot trapped" {
	run -0 "$LUOSIM_BIN" sh -c 'grep CapBnd /proc/self/status'
	local bnd=${output##*:}
	(( (16#${bnd//[[:space:]]/} >> 22 & 1) == 0 ))
	run -0 "$LUOSIM_BIN" "$CLIENT" expect EPERM reboot 0xfee1dead 0x01234567
}

@test "without root: a user namespace, trapped opens, the same semantics" {
	[[ $(id -u) == 0 ]] || fail "needs root to switch to nobody"
	local dir
	dir=$(mktemp -d)
	# Copies nobody can reach wherever the build tree is (/root/..., say).
	chmod 0755 "$dir"
	cp "$LUOSIM_BIN" "$CLIENT" "$dir/"
	chown 65534 "$dir"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env CLIENT="$dir/luo-client" LUOSIM_BIN="$dir/luosim" \
		"$dir/luosim" --state "$dir/state" --boots 2 sh -c '
		echo "boot $LUOSIM_BOOT"
		if [ "$LUOSIM_BOOT" = 1 ]; then
			"$CLIENT" open d expect EBUSY open e create s d db memfd m 100 \
				fill m 0 100 3 preserve s m 1 hold >/dev/null &&
			exec "$LUOSIM_BIN" kexec
		fi
		"$CLIENT" open d retrieve s d db getfd m s 1 verify m 0 100 3 close d open e'
	rm -rf "$dir"
	assert_userns_run setpriv --reuid=65534 --regid=65534 --clear-groups unshare --user true
}
