# Shared by the luosim-*.bats files, after `load helpers`.
# MODE is the kernel mode a test runs in; most tests loop over both.

CLIENT="$abs_top_builddir/tests/progs/luo-client"
MODES=(6.19 7.2)
export CLIENT

# What luosim says when it has neither CAP_SYS_ADMIN nor a user namespace.
USERNS_NEEDED="luosim: cannot create a user namespace (luosim needs CAP_SYS_ADMIN, or user namespaces: sysctl user.max_user_namespaces above 0, kernel.unprivileged_userns_clone=1 where it exists, not in a chroot, and unshare(CLONE_NEWUSER) allowed by the container's seccomp profile): Operation not permitted"

# assert_userns_run PROBE...: after `run` of luosim without CAP_SYS_ADMIN, the
# boot worked if PROBE (unshare --user, run the same way as luosim) can create a
# user namespace; otherwise (a chroot, a sysctl) luosim failed saying exactly
# what it needs.
assert_userns_run() {
	if "$@" 2>/dev/null; then
		assert_success
		assert_line "verify: ok"
	else
		assert_failure 125
		assert_output "$USERNS_NEEDED"
	fi
}

# client ARGS...: one boot running the raw-uAPI client.
client() {
	"$LUOSIM_BIN" --kernel "$MODE" "$CLIENT" "$@"
}

# mode_runs MODE: whether this run can check MODE's rows. The VM tier boots
# 7.2 and 7.3 kernels only, so there the 6.19 rows are luosim's alone.
mode_runs() {
	[ "$LUOCTL_TEST_TARGET" != kernel ] || [ "$1" != 6.19 ]
}

# stage1 DIR ARGS...: run the client, hold its fds, kexec. Sets status/output.
stage1() {
	local dir=$1
	shift
	run "$LUOSIM_BIN" --kernel "$MODE" --state "$dir" \
		sh -c '"$@" && exec "$LUOSIM_BIN" kexec' sh "$CLIENT" "$@" hold
}

# stage2 DIR ARGS...: the next boot, running the client.
stage2() {
	local dir=$1
	shift
	run "$LUOSIM_BIN" --kernel "$MODE" --state "$dir" "$CLIENT" "$@"
}

# A header that passes kexec-tools' bzImage64 probe; nothing is ever booted.
make_fake_bzimage() {
	require_tool python3 python3
	python3 - "$1" <<'PY'
import struct, sys
b = bytearray(16384)
b[0x1f1] = 4
b[0x1fe:0x200] = b'\x55\xaa'
b[0x202:0x206] = b'HdrS'
b[0x206:0x208] = struct.pack('<H', 0x020f)
b[0x211] = 1
b[0x236:0x238] = struct.pack('<H', 3)
open(sys.argv[1], 'wb').write(b)
PY
}
