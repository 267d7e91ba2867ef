#!/usr/bin/env bats
# luoctl dump inside luosim: the system's KHO debugfs before and after a
# simulated kexec, shallow and deep (luosim's simulated memory is an ELF core at
# $LUOSIM_KCORE), in every format, in both kernel modes.
load helpers
load luosim-helpers

setup() {
	STATE=$BATS_TEST_TMPDIR/state
	[ -x "$CLIENT" ] || skip "tests/progs/luo-client is not built"
	require_tool jq jq
}

# kexec_with_session MODE: one boot that preserves memfd token 3 (5000 bytes) in
# session vm0, dumps its out/ as JSON to $BATS_TEST_TMPDIR/before.json, kexecs.
kexec_with_session() {
	rm -rf "$STATE"
	run "$LUOSIM_BIN" --kernel "$1" --state "$STATE" sh -c '
		"$@" >/dev/null || exit
		"$LUOCTL" dump -j > "$OUT" || exit
		exec "$LUOSIM_BIN" kexec' sh \
		"$CLIENT" open d create s d vm0 memfd m 5000 preserve s m 3 hold
	assert_equal "$status" 99
}

@test "before the kexec: out/ decoded, sessions not yet serialized" {
	export OUT=$BATS_TEST_TMPDIR/before.json
	for MODE in "${MODES[@]}"; do
		kexec_with_session "$MODE"
		jq -e '.side == "out" and .valid' "$OUT"
		if [[ $MODE == 6.19 ]]; then
			jq -e '.blobs[0].root.era == "E2" and .blobs[0].root.memory_map.phys == "0x0"' "$OUT"
			jq -e '.issues // [] | length == 0' "$OUT"
			jq -e '.blobs[0].issues[0].message | test("not finalized")' "$OUT"
			jq -e '.blobs[1].luo.compatible == "luo-v1"' "$OUT"
			jq -e '.finalize == "0"' "$OUT"
		else
			jq -e '.blobs[0].root.era == "E6"' "$OUT"
			jq -e '.blobs[1].luo.sessions_pa == "0x0"' "$OUT"
			jq -e '.blobs[2].kexec_metadata.kexec_count == 1' "$OUT"
		fi
	done
}

@test "before the kexec, deep: the boot-time records through LUOSIM_KCORE" {
	for MODE in "${MODES[@]}"; do
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c \
			'"$LUOCTL" dump --deep --memory "$LUOSIM_KCORE"'
		assert_output --partial "deep decode:"
		assert_output --partial ": 0"	# no session serialized yet
	done
}

@test "after the kexec: in/ deep decode lists the session, token and memfd" {
	export OUT=$BATS_TEST_TMPDIR/before.json
	for MODE in "${MODES[@]}"; do
		kexec_with_session "$MODE"
		# One boot: the boot after it would be a cold one, without in/.
		run -0 "$LUOSIM_BIN" --state "$STATE" sh -c '
			"$LUOCTL" dump -j --in --memory "$LUOSIM_KCORE" > "$0/after.json" || exit
			"$LUOCTL" dump --in --deep --memory "$LUOSIM_KCORE"' "$BATS_TEST_TMPDIR"
		local json
		json=$(cat "$BATS_TEST_TMPDIR/after.json")
		echo "$json" | jq -e '.side == "in" and .valid'
		if [[ $MODE == 6.19 ]]; then
			assert_output --partial 'session "vm0": 1 files'
			assert_output --partial "token 3 (0x3)  memfd-v"
			assert_output --partial "size 5000 (4.9 KiB)"
			assert_output --partial "2 folios listed in 1 pages"
			echo "$json" | jq -e '.blobs[1].deep.nr_sessions == 1'
			echo "$json" | jq -e '.blobs[1].deep.sessions[0].files[0] | .token == 3 and .token_hex == "0x3" and .memfd.size == 5000'
			echo "$json" | jq -e '.blobs[0].root.memory_map.preserved_bytes > 0'
			echo "$json" | jq -e '.blobs[0].root.era == "E2" and .blobs[1].deep.session_layout == "block"'
		else
			# As 7.2 leaves it: the LUO blob and the map's pages were freed at boot.
			assert_output --partial "in/sub_fdts/LUO no longer holds the previous kernel's LUO header"
			assert_output --partial "memory map: freed by the kernel at boot, its pages reused"
			echo "$json" | jq -e '.blobs[0].root.era == "E6" and .blobs[0].root.memory_map.freed_by_kernel'
			echo "$json" | jq -e '.blobs[1].freed_by_kernel'
		fi
	done
}

@test "after the kexec: dts of in/ equals dtc, and --save reads back outside" {
	[ -n "$DTC" ] || fail "dtc is not installed: apt-get install device-tree-compiler"
	export OUT=$BATS_TEST_TMPDIR/before.json DTC
	for MODE in "${MODES[@]}"; do
		kexec_with_session "$MODE"
		rm -rf "$BATS_TEST_TMPDIR/saved"
		run -0 "$LUOSIM_BIN" --state "$STATE" sh -c '
			K=/sys/kernel/debug/kho/in
			for f in $K/fdt $K/sub_fdts/LUO; do
				head -c 4 $f | od -An -tx1 | grep -q "d0 0d fe ed" || continue
				"$DTC" -q -I dtb -O dts $f > "$0/dtc.dts"
				"$LUOCTL" dump --format dts $f | cmp - "$0/dtc.dts" || exit 1
				echo "same $f"
			done
			"$LUOCTL" dump --save "$0/saved"' "$BATS_TEST_TMPDIR"
		assert_line "same /sys/kernel/debug/kho/in/fdt"
		assert_output --partial "saved"
		run -0 "$LUOCTL" dump --in "$BATS_TEST_TMPDIR/saved"
		assert_output --partial "in/sub_fdts/LUO"
	done
}

@test "inside luosim, --deep finds the simulated memory without --memory" {
	for MODE in "${MODES[@]}"; do
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c '"$LUOCTL" dump --deep'
		assert_output --partial "deep decode:"
		assert_output --partial "memory map"
		refute_output --partial "cannot open the physical memory image"
	done
}

@test "--save --deep keeps the pages the deep decode reads; the saved tree decodes deeply outside" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$BATS_TEST_TMPDIR/saved"
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c \
			'"$LUOCTL" dump --save "$0/saved" --deep' "$BATS_TEST_TMPDIR"
		assert_output --regexp "pages of memory the deep decode reads to memory.elf"
		# A few pages, not the whole simulated memory.
		[ "$(stat -c %s "$BATS_TEST_TMPDIR/saved/memory.elf")" -lt 262144 ]
		run -0 "$LUOCTL" dump --deep "$BATS_TEST_TMPDIR/saved"
		assert_output --partial "deep decode:"
		refute_output --partial "not in the memory image"
	done
}
