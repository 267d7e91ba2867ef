#!/usr/bin/env bats
# The KHO debugfs view and the simulated physical memory (kho-format.md §9).

load helpers
load luosim-helpers

setup() {
	STATE=$(mktemp -d)
	rmdir "$STATE"
	require_tool fdtget device-tree-compiler
}

teardown() {
	rm -rf "$STATE"
}

KHO=/sys/kernel/debug/kho

@test "cold boot: out/ with the era's root, no in/" {
	for MODE in 6.19 7.2; do
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c '
			tr -d "\\000" < '$KHO'/out/fdt | grep -ao "kho-v[0-9]"
			echo "out/fdt $(wc -c < '$KHO'/out/fdt) bytes"
			test -s '$KHO'/out/sub_fdts/LUO && echo LUO
			head -1 '$KHO'/out/scratch_phys
			test -e '$KHO'/in && echo "unexpected in/"
			test -e '$KHO'/out/finalize && echo finalize
			true'
		refute_line "unexpected in/"
		assert_line LUO
		assert_line --regexp '^0x[0-9a-f]+$'
		if [[ $MODE == 6.19 ]]; then
			assert_line kho-v1
			assert_line finalize
		else
			assert_line kho-v4
			refute_line finalize
			# As 7.2's debugfs: the size the root had when the file was made.
			assert_line "out/fdt 233 bytes"
		fi
	done
}

@test "after a simulated kexec: in/ is complete and out/fdt is gone" {
	for MODE in 6.19 7.2; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d vm0 memfd m 5000 preserve s m 3
		assert_equal "$status" 99
		run -0 "$LUOSIM_BIN" --state "$STATE" sh -c '
			fdtget -t s '$KHO'/in/fdt / compatible
			test -s '$KHO'/in/sub_fdts/LUO && echo in-LUO
			test -e '$KHO'/out/fdt || echo "no out/fdt"'
		assert_line in-LUO
		assert_line "no out/fdt"
	done
}

@test "6.19: the incoming LUO FDT carries the previous boot's liveupdate number" {
	MODE=6.19
	run "$LUOSIM_BIN" --kernel 6.19 --state "$STATE" --boots 3 sh -c '
		if [ "$LUOSIM_BOOT" = 3 ]; then
			fdtget -t bx '$KHO'/in/sub_fdts/LUO / liveupdate-number
			fdtget -t bx '$KHO'/out/sub_fdts/LUO / liveupdate-number
		else
			exec "$LUOSIM_BIN" kexec
		fi'
	assert_success
	assert_line "2 0 0 0 0 0 0 0"
	assert_line "3 0 0 0 0 0 0 0"
}

@test "the simulated memory is a kcore-like ELF holding the serialized sessions" {
	for MODE in 6.19 7.2; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d luosim-kcore-probe memfd m 5000 preserve s m 3
		assert_equal "$status" 99
		run -0 "$LUOSIM_BIN" --state "$STATE" sh -c '
			echo "$LUOSIM_KCORE"
			head -c 4 "$LUOSIM_KCORE" | od -An -c
			grep -a -c luosim-kcore-probe "$LUOSIM_KCORE"'
		assert_line /sys/kernel/debug/luosim/kcore
		assert_line --regexp '177 +E +L +F'
		assert_line 1
	done
}

@test "a kexec_load image carries no KHO data: no in/, and the count starts over" {
	local mark
	mark=$(mktemp -u)
	MODE=7.2
	run "$LUOSIM_BIN" --state "$STATE" --boots 2 sh -c '
		if [ ! -e "$1" ]; then
			: >"$1"
			"$CLIENT" open d create s d db hold kexec-segments >/dev/null
			exec "$CLIENT" reboot 0xfee1dead 0x45584543
		fi
		echo "boot $LUOSIM_BOOT"; test -e '$KHO'/in || echo "no in/"
		"$CLIENT" open d expect ENOENT retrieve s d db' sh "$mark"
	rm -f "$mark"
	assert_success
	assert_line "boot 1"
	assert_line "no in/"
}

@test "luoctl dump decodes the handover deeply from the simulated memory" {
	[[ -x $LUOCTL ]] && "$LUOCTL" dump --help 2>&1 | grep -q -- --deep ||
		skip "this luoctl has no dump --deep"
	export LUOCTL
	for MODE in 6.19 7.2; do
		rm -rf "$STATE"
		run "$LUOSIM_BIN" --kernel "$MODE" --state "$STATE" --boots 2 sh -c '
			if [ "$LUOSIM_BOOT" = 1 ]; then
				"$CLIENT" open d create s d vm-under-test memfd m 5000 \
					fill m 0 5000 1 seek m 17 preserve s m 3 hold >/dev/null &&
				exec "$LUOSIM_BIN" kexec
			fi
			"$LUOCTL" dump --in --deep --memory "$LUOSIM_KCORE"'
		assert_success
		if [[ $MODE == 6.19 ]]; then
			assert_line --partial 'session "vm-under-test": 1 files'
			assert_line --regexp 'token 3 \(0x3\) +memfd-v[12]'
			assert_line --partial 'size 5000 (4.9 KiB), pos 17'
		else
			# 7.2 freed the incoming LUO blob and the map's pages at boot.
			assert_output --partial "no longer holds the previous kernel's LUO header"
			assert_output --partial "memory map at 0x"
			assert_output --partial "is no longer held by the kernel"
		fi
	done
}

@test "7.2: the outgoing memory map grows as a memfd is preserved, before the kexec" {
	luosim_only "reads the simulated memory's layout of held sessions"
	[[ -x $LUOCTL ]] && "$LUOCTL" dump --help 2>&1 | grep -q -- --deep ||
		skip "this luoctl has no dump --deep"
	require_tool jq jq
	local big=$BATS_TEST_TMPDIR/big1m
	head -c 1048577 /dev/urandom >"$big"
	# As mm/memfd_luo.c at PRESERVE_FD: the folios join the outgoing radix tree,
	# whose root out/fdt (frozen at boot) still points at.
	run -0 "$LUOSIM_BIN" --kernel 7.2 -- "$LUOCTL" create db --file "$big:1" -- \
		"$LUOCTL" dump --deep --json
	echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes >= 1048576'
	echo "$output" | jq -e '.blobs[1].luo.sessions_pa == "0x0"'
	run -0 "$LUOSIM_BIN" --kernel 7.2 -- "$LUOCTL" create db --file "$big:1" -- \
		"$LUOCTL" dump --deep
	assert_output --regexp "memory map preserves [0-9]+ bytes \(1\.[0-9] MiB\)"
	assert_output --partial "out/fdt: 233 bytes"
	refute_output --partial "problem"
	# The session closed: its folios leave the map again (the release is seen
	# asynchronously, so wait for it a little).
	export big
	run -0 "$LUOSIM_BIN" --kernel 7.2 sh -c '
		"$LUOCTL" create db --file "$big:1" -- true || exit
		for i in $(seq 50); do
			n=$("$LUOCTL" dump --deep --json | jq .blobs[0].root.memory_map.preserved_bytes)
			[ "$n" -lt 1048576 ] && break
			sleep 0.1
		done
		echo "after close: $n"'
	assert_line --regexp '^after close: [0-9]{1,6}$'
	# 6.19 has no memory map before finalize, held sessions or not.
	run -0 "$LUOSIM_BIN" --kernel 6.19 -- "$LUOCTL" create db --file "$big:1" -- \
		"$LUOCTL" dump --deep --json
	echo "$output" | jq -e '.blobs[0].root.memory_map.phys == "0x0"'
}
