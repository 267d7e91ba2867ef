#!/usr/bin/env bats
# luoctl dump on hand-overs taken from real Linux 7.2 and 7.3 kernels in the
# test VM (tests/fixtures/real/capture): debugfs saved with `dump --save
# --deep`, with the few pages of physical memory the deep decode reads, before
# and after a real kexec that carried a 1 MiB file and a message.
load helpers

REAL=$abs_top_srcdir/tests/fixtures/real

setup() {
	command -v jq >/dev/null || skip "jq is not installed (JSON checks)"
	compgen -G "$REAL/*/before" >/dev/null || skip "no real-kernel fixtures"
}

@test "real kernels before the kexec: every form exits 0, the cut out/fdt is decoded" {
	for d in "$REAL"/*/before; do
		run -0 "$LUOCTL" dump "$d"
		assert_line --index 0 --partial "outgoing hand-over ($d/out)"
		assert_output --regexp "out/fdt is cut short by the kernel: it shows [0-9]+ of the FDT's [0-9]+ bytes. Linux 7.2 and 7.3"
		assert_output --partial "sessions_pa is 0: the outgoing sessions are written only during the kexec"
		assert_output --partial 'compatible           "luo-v5"'
		refute_output --partial "problem"
		run -0 "$LUOCTL" dump --format dts "$d"
		assert_output --partial 'compatible = "kho-v4";'
		run -0 "$LUOCTL" dump --json "$d"
		echo "$output" | jq -e '.side == "out" and .valid'
		echo "$output" | jq -e '.blobs[0].root.era == "E6" and .blobs[0].cut_by_kernel.names_lost == 0'
		echo "$output" | jq -e --arg r "$(cat "$d/release")" \
			'.blobs[] | select(.name == "kexec-metadata") | .kexec_metadata.previous_release == $r'
	done
}

@test "real kernels before the kexec: --deep walks the live tree, at least the 1 MiB memfd" {
	for d in "$REAL"/*/before; do
		run -0 "$LUOCTL" dump --deep "$d"
		assert_output --regexp "memory map preserves [0-9]+ bytes"
		assert_output --partial "FLB page 0x"
		refute_output --partial "not in the memory image"
		run -0 "$LUOCTL" dump --deep --json "$d"
		echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes >= 1048576'
		echo "$output" | jq -e '.blobs[0].root.memory_map | (.ranges | map(.bytes) | add) == .preserved_bytes'
		echo "$output" | jq -e '[.blobs[0].root.memory_map.ranges[].phys | ltrimstr("0x")] | length > 0'
	done
}

@test "real kernels after the kexec: in/ by default, the freed LUO blob and map are notes, exit 0" {
	for d in "$REAL"/*/after; do
		for args in "" "--in" "--in --deep" "--deep --json"; do
			# shellcheck disable=SC2086
			run -0 "$LUOCTL" dump $args "$d"
			refute_output --partial '"valid": false'
			refute_output --partial "problem"
		done
		run -0 "$LUOCTL" dump --in --deep "$d"
		assert_line --index 0 --partial "incoming hand-over ($d/in)"
		assert_output --partial "is no longer held by the kernel"
		run -0 "$LUOCTL" dump "$d"
		assert_line --index 0 --partial "shown by default (--out for the outgoing one)"
		run -0 "$LUOCTL" dump --in --deep --json "$d"
		echo "$output" | jq -e '.side == "in" and .valid'
		echo "$output" | jq -e '.blobs[0].root.memory_map.freed_by_kernel'
		echo "$output" | jq -e '.blobs[] | select(.name == "LUO") | .freed_by_kernel'
		# What the kernel keeps: the previous kernel's release and count.
		echo "$output" | jq -e --arg r "$(cat "$d/release")" \
			'.blobs[] | select(.name == "kexec-metadata") | .kexec_metadata | .previous_release == $r and .kexec_count == 1'
		run -0 "$LUOCTL" dump --out --deep "$d"
		assert_output --partial "out/fdt does not exist (the kernel omits out/fdt after a KHO boot)"
	done
}

@test "real kernels with no session and with eight: every form exits 0, before and after" {
	compgen -G "$REAL/*/zero/before" >/dev/null || skip "no zero-session fixtures"
	for d in "$REAL"/*/{zero,many}/before "$REAL"/*/{zero,many}/after; do
		[ -d "$d" ] || continue # a series without these fixtures
		for args in "" "--json" "--format dts" "--deep" "--deep --json"; do
			# shellcheck disable=SC2086
			run -0 "$LUOCTL" dump $args "$d"
			refute_output --partial '"valid": false'
			refute_output --partial "problem"
		done
	done
	for d in "$REAL"/*/zero/before; do
		[ -d "$d" ] || continue
		run -0 "$LUOCTL" dump --deep --json "$d"
		# KHO's own blobs only: no memfd data in the live tree.
		echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes | . > 0 and . < 65536'
	done
	for d in "$REAL"/*/many/before; do
		[ -d "$d" ] || continue
		run -0 "$LUOCTL" dump --deep --json "$d"
		# sessions s1..s8: 16 files, 2,654,244 bytes in all
		echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes >= 2654244'
	done
	for d in "$REAL"/*/{zero,many}/after; do
		[ -d "$d" ] || continue
		run -0 "$LUOCTL" dump --in --deep "$d"
		assert_line --index 0 --partial "incoming hand-over ($d/in)"
		assert_output --partial "is no longer held by the kernel"
	done
}

@test "real fixtures stay small: each under 1 MiB" {
	for d in "$REAL"/*/{before,after}/ "$REAL"/*/{zero,many}/{before,after}/; do
		[ ! -d "$d" ] || [ "$(du -sk "$d" | cut -f1)" -lt 1024 ]
	done
}
