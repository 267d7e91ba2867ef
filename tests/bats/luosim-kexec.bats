#!/usr/bin/env bats
# Simulated kexec: handover content, multi-boot runs, kexec-tools, the state
# directory, and the two-stage selftest-style program.

load helpers
load luosim-helpers

setup() {
	STATE=$(mktemp -d)
	rmdir "$STATE"
	SELFTEST="$abs_top_builddir/tests/progs/luo-selftest"
	export SELFTEST
	MODE=7.2
}

teardown() {
	rm -rf "$STATE" "${IMAGE:-}"
}

@test "a handed-over memfd comes back with content, size and position" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 100003 fill m 0 100003 7 seek m 4321 \
			preserve s m 5
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve s d db getfd m s 5 size m 100003 pos m 4321 \
			verify m 0 100003 7 mmap-check m 100003 7
		assert_success
	done
}

@test "seals survive in 7.2 (memfd-v2); 6.19 (memfd-v1) returns F_SEAL_SEAL only" {
	MODE=7.2
	stage1 "$STATE" open d create s d db memfd m 4096 addseals m 6 preserve s m 1
	assert_equal "$status" 99
	stage2 "$STATE" open d retrieve s d db getfd m s 1 seals m 6
	assert_success
	rm -rf "$STATE"
	MODE=6.19
	stage1 "$STATE" open d create s d db memfd m 4096 addseals m 6 preserve s m 1
	assert_equal "$status" 99
	stage2 "$STATE" open d retrieve s d db getfd m s 1 seals m 1
	assert_success
}

@test "writes after PRESERVE_FD and before the kexec are carried" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 8192 preserve s m 1 fill m 0 8192 8
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve s d db getfd m s 1 verify m 0 8192 8
		assert_success
	done
}

@test "a 256 MiB memfd comes back byte-identical" {
	MODE=7.2
	local size=$((256 << 20))
	stage1 "$STATE" open d create s d big memfd m $size fill m 0 $size 77 preserve s m 1
	assert_equal "$status" 99
	stage2 "$STATE" open d retrieve s d big getfd m s 1 size m $size verify m 0 $size 77
	assert_success
}

@test "a 4 GiB sparse memfd comes back identical and its holes stay holes" {
	MODE=7.2
	local size=$((4 << 30)) mid=$((2 << 30)) end=$(((4 << 30) - 4096))
	stage1 "$STATE" open d create s d sparse memfd m $size \
		fill m 0 4096 1 fill m $mid 65536 2 fill m $end 4096 3 preserve s m 1
	assert_equal "$status" 99
	# The state keeps the holes: far less than 4 GiB on disk.
	local used
	used=$(du -k "$STATE/handover/s0.f0" | cut -f1)
	((used < 10240))
	stage2 "$STATE" open d retrieve s d sparse getfd m s 1 size m $size \
		verify m 0 4096 1 verify-zero m 4096 65536 verify m $mid 65536 2 \
		verify-zero m $((mid + 65536)) 1048576 verify m $end 4096 3
	assert_success
}

@test "many sessions and tokens, including token 0 and UINT64_MAX, survive" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create a d alpha create b d beta create e d empty \
			memfd m 10 fill m 0 10 1 preserve a m 0 \
			memfd n 10 fill n 0 10 2 preserve a n 18446744073709551615 \
			memfd o 10 fill o 0 10 3 preserve b o 0
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve a d alpha retrieve b d beta retrieve e d empty \
			getfd m a 0 verify m 0 10 1 getfd n a 18446744073709551615 verify n 0 10 2 \
			getfd o b 0 verify o 0 10 3 finish a finish b finish e
		assert_success
	done
}

@test "--boots runs a two-stage script in one invocation; LUOSIM_BOOT counts" {
	for MODE in "${MODES[@]}"; do
		run "$LUOSIM_BIN" --kernel "$MODE" --boots 3 sh -c '
			echo "boot $LUOSIM_BOOT kernel $LUOSIM_KERNEL"
			case $LUOSIM_BOOT in
			1) "$CLIENT" open d create s d db memfd m 10 fill m 0 10 4 preserve s m 1 \
				hold >/dev/null && exec "$LUOSIM_BIN" kexec ;;
			2) "$CLIENT" open d retrieve s d db getfd m s 1 finish s create o d db2 preserve o m 1 \
				hold >/dev/null && exec "$LUOSIM_BIN" kexec ;;
			3) "$CLIENT" open d retrieve o d db2 getfd m o 1 verify m 0 10 4 >/dev/null &&
				exit 42 ;;
			esac'
		assert_equal "$status" 42
		assert_line "boot 1 kernel $MODE"
		assert_line "boot 2 kernel $MODE"
		assert_line "boot 3 kernel $MODE"
	done
}

@test "--boots N ends with 99 when the last boot kexecs too" {
	run "$LUOSIM_BIN" --boots 2 sh -c 'echo "boot $LUOSIM_BOOT"; exec "$LUOSIM_BIN" kexec'
	assert_equal "$status" 99
	assert_output $'boot 1\nboot 2'
}

@test "a boot that ends without a kexec leaves a cold boot behind" {
	MODE=7.2
	stage1 "$STATE" open d create s d db
	assert_equal "$status" 99
	run -0 "$LUOSIM_BIN" --state "$STATE" sh -c 'echo "boot $LUOSIM_BOOT"'
	assert_output "boot 2"
	run -0 "$LUOSIM_BIN" --state "$STATE" sh -c 'echo "boot $LUOSIM_BOOT"; "$CLIENT" open d expect ENOENT retrieve s d db'
	assert_line "boot 1"
}

@test "kexec-tools: kexec -l -s then kexec -e is a simulated kexec" {
	IMAGE=$(mktemp)
	make_fake_bzimage "$IMAGE"
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		run "$LUOSIM_BIN" --kernel "$MODE" --state "$STATE" sh -c '
			"$CLIENT" open d create s d db hold >/dev/null || exit 1
			echo "loaded $(cat /sys/kernel/kexec_loaded)"
			kexec -l -s --reuse-cmdline "$1" || exit 1
			echo "loaded $(cat /sys/kernel/kexec_loaded)"
			kexec -e
			echo "kexec -e returned $?"' sh "$IMAGE"
		assert_equal "$status" 99
		assert_output $'loaded 0\nloaded 1'
		stage2 "$STATE" open d retrieve s d db
		assert_success
	done
}

@test "kexec-tools: kexec -e with nothing loaded fails as on a real kernel" {
	run -0 "$LUOSIM_BIN" sh -c 'kexec -e; echo "status $?"'
	assert_output --partial "Nothing has been loaded"
	assert_line "status 1"
}

@test "kexec-tools: kexec -u unloads" {
	IMAGE=$(mktemp)
	make_fake_bzimage "$IMAGE"
	run -0 "$LUOSIM_BIN" sh -c 'kexec -l -s "$1" && kexec -s -u &&
		cat /sys/kernel/kexec_loaded && "$CLIENT" expect EINVAL reboot 0xfee1dead 0x45584543' \
		sh "$IMAGE"
	assert_line "0"
}

@test "the two-stage selftest program passes across a kexec-tools kexec" {
	IMAGE=$(mktemp)
	make_fake_bzimage "$IMAGE"
	for MODE in "${MODES[@]}"; do
		run "$LUOSIM_BIN" --kernel "$MODE" --boots 2 sh -c '
			"$SELFTEST" "$LUOSIM_BOOT" || exit
			[ "$LUOSIM_BOOT" = 1 ] || exit 0
			kexec -l -s --reuse-cmdline "$1" && kexec -e' sh "$IMAGE"
		assert_success
		assert_line "luo-selftest: stage 1 done; kexec now"
		assert_line "luo-selftest: PASS"
	done
}

@test "the selftest program skips without a device and fails a wrong stage" {
	[[ ! -e /dev/liveupdate ]] || skip "this host has a real /dev/liveupdate"
	run -4 "$SELFTEST"
	assert_output --partial "SKIP"
	run -1 "$LUOSIM_BIN" "$SELFTEST" 2
	assert_output --partial "asked for stage 2, detected stage 1"
}

# ---- the state directory ----

@test "state: created private (0700) with a format marker" {
	run -0 "$LUOSIM_BIN" --state "$STATE" true
	assert_equal "$(stat -c %a "$STATE")" 700
	assert_file_exists "$STATE/luosim-state"
}

@test "state: a foreign non-empty directory is refused, never cold-booted over" {
	mkdir -p "$STATE"
	echo precious >"$STATE/data"
	run -125 "$LUOSIM_BIN" --state "$STATE" true
	assert_output "luosim: state directory $STATE: not empty and not a luosim state directory (no luosim-state file)"
	assert_equal "$(cat "$STATE/data")" precious
}

@test "state: a corrupt handover is refused with a clear message" {
	stage1 "$STATE" open d create s d db
	assert_equal "$status" 99
	echo garbage >"$STATE/handover/manifest"
	run -125 "$LUOSIM_BIN" --state "$STATE" true
	assert_output "luosim: state directory $STATE: its handover is corrupt; refusing to cold-boot over it"
	echo "luosim-state 9" >"$STATE/luosim-state"
	run -125 "$LUOSIM_BIN" --state "$STATE" true
	assert_output --partial "unsupported luosim state format version"
}

@test "state: a handover from another kernel mode is refused; no --kernel follows it" {
	MODE=6.19
	stage1 "$STATE" open d create s d db
	assert_equal "$status" 99
	run -125 "$LUOSIM_BIN" --kernel 7.2 --state "$STATE" true
	assert_output --partial "written by a 6.19 kernel; a 7.2 kernel cannot take it"
	run -0 "$LUOSIM_BIN" --state "$STATE" sh -c 'echo $LUOSIM_KERNEL; "$CLIENT" open d retrieve s d db >/dev/null'
	assert_output "6.19"
}

@test "state: the temporary state of a run without --state is removed" {
	local tmp
	tmp=$(mktemp -d)
	run -0 env TMPDIR="$tmp" "$LUOSIM_BIN" --boots 2 sh -c '[ $LUOSIM_BOOT = 2 ] || exec "$LUOSIM_BIN" kexec'
	run ls -A "$tmp"
	assert_output ""
	rmdir "$tmp"
}

@test "state: one machine per state directory at a time" {
	"$LUOSIM_BIN" --state "$STATE" sleep 3 &
	local pid=$!
	for _ in $(seq 50); do [[ -e $STATE/luosim-state ]] && break; sleep 0.1; done
	sleep 0.5
	run -125 "$LUOSIM_BIN" --state "$STATE" true
	assert_output "luosim: state directory $STATE: in use by another luosim"
	wait "$pid"
}

@test "state: a handover write interrupted by a crash is cleaned up, the old one kept" {
	stage1 "$STATE" open d create s d db
	assert_equal "$status" 99
	mkdir "$STATE/.handover.crashed"
	echo partial >"$STATE/.handover.crashed/manifest"
	stage2 "$STATE" open d retrieve s d db
	assert_success
	assert_not_exists "$STATE/.handover.crashed"
}
