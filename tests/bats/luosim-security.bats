#!/usr/bin/env bats
# luosim's own safety: private state directories, and reboot/kexec calls that
# never reach the host kernel.
load helpers
load luosim-helpers

setup() {
	luosim_only "tests luosim's state directory and its seccomp trap"
	STATE=$BATS_TEST_TMPDIR/state
}

@test "state directory: created 0700, whatever the umask" {
	run -0 sh -c 'umask 000 && exec "$LUOSIM_BIN" --state "$1" true' sh "$STATE"
	run -0 stat -c %a "$STATE"
	assert_output 700
}

@test "state directory: refused when another user owns it, and left as it was" {
	[[ $(id -u) == 0 ]] || fail "needs root to give the directory away"
	mkdir -m 0700 "$STATE"
	chown 65534 "$STATE"
	run -125 "$LUOSIM_BIN" --state "$STATE" true
	assert_output "luosim: state directory $STATE: owned by uid 65534, not by the user running luosim (uid 0)"
	run -0 stat -c '%a %u' "$STATE"
	assert_output "700 65534"
	run -0 ls -A "$STATE"
	assert_output ""
}

@test "state directory: refused when its group or others may write it" {
	local mode
	for mode in 0777 0720 0702 1777; do
		rm -rf "$STATE"
		mkdir "$STATE"
		chmod "$mode" "$STATE"
		run -125 "$LUOSIM_BIN" --state "$STATE" true
		assert_output "luosim: state directory $STATE: writable by its group or by others (mode $mode): make it private (chmod 0700)"
		run -0 ls -A "$STATE"
		assert_output ""
	done
	# Read and search bits only: made private and used.
	chmod 0755 "$STATE"
	run -0 "$LUOSIM_BIN" --state "$STATE" true
	run -0 stat -c %a "$STATE"
	assert_output 700
}

# Inside the tree the kernel would refuse each call with EPERM (no CAP_SYS_BOOT
# in the bounding set, checked first by reboot, kexec_load and kexec_file_load
# alike); every answer below other than EPERM is luosim's, so none reached it.
@test "reboot, kexec_load and kexec_file_load are answered by luosim, never the kernel" {
	for MODE in "${MODES[@]}"; do
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c '
			grep CapBnd /proc/self/status
			"$CLIENT" expect EINVAL reboot 0xfee1dead 0x45584543 \
				expect EBADF kexec-file-load 0 \
				expect EINVAL kexec-file-load 0x80 \
				kexec-file-load 4 &&
			echo "loaded $(cat /sys/kernel/kexec_loaded)" &&
			"$CLIENT" kexec-file-load 1 &&
			echo "loaded $(cat /sys/kernel/kexec_loaded)" &&
			"$CLIENT" kexec-segments &&
			echo "loaded $(cat /sys/kernel/kexec_loaded)"'
		local bnd=${lines[0]##*:}
		(( (16#${bnd//[[:space:]]/} >> 22 & 1) == 0 ))
		assert_line "reboot: EINVAL"
		assert_line "kexec-file-load: EBADF"
		assert_line "kexec-file-load: EINVAL"
		assert_equal "$(grep -c '^loaded 1$' <<<"$output")" 2
		assert_line "loaded 0"
	done
	# After a load, reboot(KEXEC) is the simulated kexec: luosim's status 99.
	run -99 "$LUOSIM_BIN" sh -c '"$CLIENT" kexec-file-load 4 reboot 0xfee1dead 0x45584543'
}
