#!/usr/bin/env bats
# luoctl dump on hand-overs written by lib/kho's builder (kho-mkimage): every
# era, every input kind, every format, deep decode, and the error paths.
load helpers

MKIMAGE="$abs_top_builddir/lib/kho/kho-mkimage"

setup() {
	IMG="$BATS_TEST_TMPDIR/img"
}

need_jq() {
	require_tool jq jq
}

# mkimage ERA [more kho-mkimage options]: a serialized hand-over with two sessions.
mkimage() {
	local era=$1
	shift
	local sessions=(--session vm0=1:2097152 --session db=7:4096,8:0)
	[ "$era" = E1 ] && sessions=(--reserve-mem r1:0x50000000:0x100000 --kho-test)
	"$MKIMAGE" --era "$era" --serialized --flb "${sessions[@]}" "$@" "$IMG"
}

@test "dump --help lists the formats and options" {
	run -0 "$LUOCTL" dump --help
	assert_output --partial "--format"
	assert_output --partial "--deep"
	assert_output --partial "--save"
}

@test "without a loadable libfdt, dump names the library and its package (exit 1)" {
	local lib
	mkimage E6
	lib=$(unloadable LIBFDT)
	LD_LIBRARY_PATH="$lib" run --separate-stderr "$LUOCTL" dump "$IMG"
	assert_failure 1
	assert_equal "$stderr" "luoctl: dump: cannot load $(soname LIBFDT): $lib/$(soname LIBFDT): file too short (install libfdt1)"
}

@test "every era: text output names the era and decodes the LUO blob" {
	for era in E1 E2 E4 E5 E6 E7; do
		rm -rf "$IMG"
		mkimage "$era"
		run -0 "$LUOCTL" dump "$IMG"
		case $era in
		E1) assert_output --partial "era E1 (\"kho-v1\")"
		    assert_output --partial "reserve-mem-v1" ;;
		E2) assert_output --partial "era E2 (\"kho-v1\"), memory map: chunk-list"
		    assert_output --partial "luo-session-v2" ;;
		E4) assert_output --partial "era E4 (\"kho-v2\"), memory map: radix-tree" ;;
		E5) assert_output --partial "era E5 (\"kho-v3\")"
		    assert_output --partial "previous_release     \"7.2.0-luosim\"" ;;
		E6) assert_output --partial "era E6 (\"kho-v4\")"
		    assert_output --partial "compatible           \"luo-v5\"" ;;
		E7) assert_output --partial "era E7 (\"kho-v4;radix-v1;vmalloc-v1\")"
		    assert_output --partial "\"luo-v5;block-v1\"" ;;
		esac
	done
}

@test "dts output is byte-identical to dtc -I dtb -O dts for every FDT blob" {
	[ -n "$DTC" ] || fail "dtc is not installed: apt-get install device-tree-compiler"
	local n=0
	for era in E1 E2 E4 E5 E6 E7; do
		rm -rf "$IMG"
		mkimage "$era" --reserve-mem r1:0x50000000:0x100000 --kho-test
		for f in "$IMG"/out/fdt "$IMG"/out/sub_fdts/*; do
			head -c 4 "$f" | cmp -s - <(printf '\xd0\x0d\xfe\xed') || continue
			"$DTC" -q -I dtb -O dts "$f" > "$BATS_TEST_TMPDIR/dtc.dts"
			run -0 "$LUOCTL" dump --format dts "$f"
			diff -u "$BATS_TEST_TMPDIR/dtc.dts" <("$LUOCTL" dump --format dts "$f")
			n=$((n + 1))
		done
	done
	[ "$n" -ge 20 ]
}

@test "dts of a directory lists every blob; a non-FDT blob alone is an error" {
	mkimage E6
	run -0 "$LUOCTL" dump --format dts "$IMG"
	assert_line "// out/fdt"
	assert_line "// out/sub_fdts/LUO"
	assert_line "// not an FDT (luo-struct, 32 bytes): see --format text"
	run -1 "$LUOCTL" dump --format dts "$IMG/out/sub_fdts/LUO"
	assert_output --partial "is not an FDT"
}

@test "JSON is valid, keeps every property, and matches the schema's keys" {
	need_jq
	mkimage E5 --reserve-mem r1:0x50000000:0x100000
	run -0 "$LUOCTL" dump --format json "$IMG"
	echo "$output" | jq -e '.valid == true and .side == "out"'
	echo "$output" | jq -e '.blobs[0].root.era == "E5" and .blobs[0].root.memory_map.kind == "radix-tree"'
	echo "$output" | jq -e '[.blobs[].label] == ["out/fdt","out/sub_fdts/memblock","out/sub_fdts/LUO","out/sub_fdts/kexec-metadata"]'
	echo "$output" | jq -e '.blobs[2].luo.liveupdate_number == 1 and .blobs[2].luo.session_compatible == "luo-session-v2"'
	echo "$output" | jq -e '.blobs[1].nodes[1].properties | map(.name) == ["compatible","start","size"]'
	echo "$output" | jq -e '.blobs[1].nodes[1].properties[1] | .type == "phys" and .value == "0x50000000"'
	echo "$output" | jq -e '.blobs[3].kexec_metadata.kexec_count == 1'
	# -j is the same as --format json
	diff <("$LUOCTL" dump -j "$IMG") <("$LUOCTL" dump --format json "$IMG")
}

@test "--deep follows the addresses into the memory image" {
	need_jq
	mkimage E2
	run -0 "$LUOCTL" dump --deep --memory "$IMG/memory.elf" "$IMG"
	assert_output --partial "session \"vm0\": 1 files"
	assert_output --partial "token 1 (0x1)  memfd-v1"
	assert_output --partial "512 folios listed in 2 pages"
	assert_output --partial "session \"db\": 2 files"
	assert_output --partial "order 4 : 1 blocks"
	rm -rf "$IMG"
	mkimage E6
	run -0 "$LUOCTL" dump -j --memory "$IMG/memory.elf" "$IMG"
	echo "$output" | jq -e '.blobs[1].deep.session_layout == "chain"'
	echo "$output" | jq -e '.blobs[1].deep.sessions[1].files[0].token == 7'
	echo "$output" | jq -e '.blobs[1].deep.sessions[0].files[0].memfd.nr_folios == 512'
	echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes > 2097152'
}

@test "--deep with memory that lacks the records names the address" {
	mkimage E6
	# The boot-time memory of the same layout: the session block is an empty page.
	"$MKIMAGE" --era E6 "$BATS_TEST_TMPDIR/boot"
	run -1 "$LUOCTL" dump --deep --memory "$BATS_TEST_TMPDIR/boot/memory.elf" "$IMG"
	assert_output --regexp "corrupt at 0x[0-9a-f]+: block at 0x[0-9a-f]+: count 0 \\(must be 1..51\\)"
	# E1 memory holds nothing but its root page.
	"$MKIMAGE" --era E1 "$BATS_TEST_TMPDIR/e1"
	run -1 "$LUOCTL" dump --deep --memory "$BATS_TEST_TMPDIR/e1/memory.elf" "$IMG"
	assert_output --regexp "corrupt at 0x[0-9a-f]+: physical address 0x[0-9a-f]+ is not in the memory image"
	run -1 "$LUOCTL" dump --deep --memory "$IMG/out/fdt" "$IMG"
	assert_output --partial "not a usable ELF core"
	run -1 "$LUOCTL" dump --deep --memory "$BATS_TEST_TMPDIR/none" "$IMG"
	assert_output --partial "cannot open the physical memory image"
}

@test "--save copies a debugfs tree that dump reads back the same" {
	need_jq
	mkimage E2 --side in
	"$MKIMAGE" --era E2 --number 2 --count 2 "$IMG"	# this boot's out/ next to in/
	run -0 "$LUOCTL" dump --debugfs "$IMG" --save "$BATS_TEST_TMPDIR/saved"
	assert_output --regexp "^saved 8 files from .* to .*saved$"
	assert_file_exists "$BATS_TEST_TMPDIR/saved/in/sub_fdts/LUO"
	assert_file_exists "$BATS_TEST_TMPDIR/saved/out/finalize"
	for side in --in --out; do
		diff <("$LUOCTL" dump -j $side "$IMG" | jq 'del(.source)') \
		     <("$LUOCTL" dump -j $side "$BATS_TEST_TMPDIR/saved" | jq 'del(.source)')
	done
	# and the running-system path reads the same through --debugfs
	diff <("$LUOCTL" dump --in --debugfs "$IMG") <("$LUOCTL" dump --in "$IMG")
	# never overwrites a previous save
	run -1 "$LUOCTL" dump --debugfs "$IMG" --save "$BATS_TEST_TMPDIR/saved"
	assert_output --partial "File exists"
}

@test "stdin and single files: root, LUO struct, kexec-metadata, unknown bytes" {
	mkimage E6
	run -0 "$LUOCTL" dump - < "$IMG/out/fdt"
	assert_output --partial "-: 285 bytes, kho-root"
	run -0 "$LUOCTL" dump --name LUO - < "$IMG/out/sub_fdts/LUO"
	assert_output --partial "luo-struct"
	run -0 "$LUOCTL" dump - < "$IMG/out/sub_fdts/kexec-metadata"
	assert_output --partial "kexec-metadata"
	head -c 20 /dev/zero > "$BATS_TEST_TMPDIR/zeros"
	run -0 "$LUOCTL" dump "$BATS_TEST_TMPDIR/zeros"
	assert_output --partial "20 bytes, raw"
	assert_output --partial "0010  00 00 00 00"
}

@test "--in reads the previous kernel's hand-over; missing in/ is exit 3" {
	mkimage E5 --side in
	run -0 "$LUOCTL" dump --in "$IMG"
	assert_output --partial "in/fdt: 285 bytes, kho-root"
	assert_output --partial "in/sub_fdts/LUO: 311 bytes, luo-fdt"
	rm -rf "$IMG" && mkimage E5
	run -3 "$LUOCTL" dump --in --debugfs "$IMG"
	assert_output --partial "this boot was not a KHO boot"
}

@test "out/fdt cut short by the kernel (fixed-length debugfs file) is a note; in/fdt cut is a problem" {
	mkimage E5
	head -c 233 "$IMG/out/fdt" > "$BATS_TEST_TMPDIR/fdt" && mv "$BATS_TEST_TMPDIR/fdt" "$IMG/out/fdt"
	run -0 "$LUOCTL" dump "$IMG"
	assert_output --partial "note at 0xe9: out/fdt is cut short by the kernel: it shows 233 of the FDT's 285 bytes"
	assert_output --partial "cut by the kernel: 52 of 57 bytes of the strings block; 6 property names inferred"
	assert_output --partial "*preserved-memory-map = 0x"
	assert_output --partial "out/sub_fdts/LUO: 311 bytes, luo-fdt"
	refute_output --partial "problem"
	# Only debugfs out/ does this: a short in/fdt is damage.
	rm -rf "$IMG" && mkimage E5 --side in
	head -c 233 "$IMG/in/fdt" > "$BATS_TEST_TMPDIR/fdt" && mv "$BATS_TEST_TMPDIR/fdt" "$IMG/in/fdt"
	run -1 "$LUOCTL" dump --in "$IMG"
	assert_output --partial "truncated at 0xe9: truncated: the input has 233 bytes, the FDT header's totalsize is 285"
	assert_output --partial "luoctl: dump: 1 problem found in"
}

@test "corrupt blobs: offset and cause, exit 1, the rest still decoded" {
	mkimage E6
	printf '\x00' | dd of="$IMG/out/fdt" bs=1 seek=0 conv=notrunc status=none
	run -1 "$LUOCTL" dump "$IMG"
	assert_output --partial "corrupt at 0x0: bad FDT magic"
	assert_output --partial "out/sub_fdts/kexec-metadata: 73 bytes, kexec-metadata"
	rm -rf "$IMG" && mkimage E6
	printf '\x02' | dd of="$IMG/out/sub_fdts/kexec-metadata" bs=1 seek=0 conv=notrunc status=none
	run -1 "$LUOCTL" dump "$IMG"
	assert_output --partial "kexec-metadata version 2 (expected 1)"
	rm -rf "$IMG" && mkimage E6
	head -c 20 "$IMG/out/sub_fdts/LUO" > "$BATS_TEST_TMPDIR/l" && mv "$BATS_TEST_TMPDIR/l" "$IMG/out/sub_fdts/LUO"
	run -1 "$LUOCTL" dump "$IMG"
	assert_output --partial "the file has 20 bytes, the root's blob-size says 32"
	assert_output --partial "luo_ser needs 24 bytes after its 8-byte header, the blob has 20"
	run -1 "$LUOCTL" dump --format dts - < <(head -c 100 "$IMG/out/fdt")
	assert_output --partial "truncated at offset 0x64"
}

@test "usage and environment errors" {
	run -2 "$LUOCTL" dump --format yaml
	assert_output --partial "unknown format \"yaml\""
	run -2 "$LUOCTL" dump a b
	assert_output --partial "too many arguments"
	run -2 "$LUOCTL" dump --in --out
	run -2 "$LUOCTL" dump --save x somefile
	run -2 "$LUOCTL" dump --json --format dts x
	run -3 "$LUOCTL" dump --debugfs "$BATS_TEST_TMPDIR/nothing"
	assert_output --partial "no KHO debugfs at"
	run -1 "$LUOCTL" dump "$BATS_TEST_TMPDIR/nothing"
	assert_output --partial "cannot open"
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -1 "$LUOCTL" dump "$BATS_TEST_TMPDIR/empty"
	assert_output --partial "is not a KHO directory"
}

@test "--endian reads values written by a machine of the other byte order" {
	need_jq
	mkimage E5
	run -0 "$LUOCTL" dump -j "$IMG/out/sub_fdts/LUO"
	echo "$output" | jq -e '.blobs[0].luo.liveupdate_number == 1'
	run -0 "$LUOCTL" dump -j --endian big "$IMG/out/sub_fdts/LUO"
	echo "$output" | jq -e '.blobs[0].luo.liveupdate_number == 72057594037927936'
	# a big-endian machine's value, read with --endian big, is the same number
	printf 'luo-v5\0\0\0\0\0\0\0\0\0\x2a%.0s' > "$BATS_TEST_TMPDIR/be"
	head -c 16 /dev/zero >> "$BATS_TEST_TMPDIR/be"
	run -0 "$LUOCTL" dump -j --endian big --name LUO "$BATS_TEST_TMPDIR/be"
	echo "$output" | jq -e '.blobs[0].luo.liveupdate_number == 42'
	run -2 "$LUOCTL" dump --endian big --deep "$IMG"
	assert_output --partial "this machine's byte order only"
	run -2 "$LUOCTL" dump --endian middle "$IMG"
}

@test "a write error on stdout fails the dump in every format" {
	[ -w /dev/full ] || skip "no /dev/full"
	mkimage E6
	for fmt in text dts json; do
		run -1 sh -c '"$0" dump --format "$1" "$2" > /dev/full' "$LUOCTL" $fmt "$IMG/out/fdt"
		assert_output --partial "cannot write the output: No space left on device"
	done
}

# kernel_view SIDE: a hand-over shaped like Linux 7.2/7.3 debugfs and memory
# show it (kho-mkimage --kernel-view): before the kexec a held 1 MiB memfd;
# after it, the same serialized, as the new kernel leaves it.
kernel_view() {
	if [ "$1" = out ]; then
		"$MKIMAGE" --era E6 --flb --held --kernel-view --release 7.2.13 \
			--session vm0=1:1048576 "$IMG"
	else
		"$MKIMAGE" --era E6 --flb --serialized --kernel-view --side in \
			--release 7.2.13 --session vm0=1:1048576 "$IMG"
	fi
}

@test "7.2/7.3 before the kexec: every form exits 0; out/fdt cut and sessions_pa 0 are notes" {
	need_jq
	kernel_view out
	[ "$(stat -c %s "$IMG/out/fdt")" = 233 ]
	run -0 "$LUOCTL" dump "$IMG"
	assert_line --index 0 --partial "outgoing hand-over ($IMG/out)"
	assert_output --partial "out/fdt is cut short by the kernel: it shows 233 of the FDT's 285 bytes. Linux 7.2 and 7.3"
	assert_output --partial "sessions_pa is 0: the outgoing sessions are written only during the kexec"
	refute_output --partial "problem"
	run -0 "$LUOCTL" dump --format dts "$IMG"
	assert_output --partial "// out/fdt is cut short by the kernel: 233 of 285 bytes"
	assert_output --partial 'compatible = "kho-v4";'
	run -0 "$LUOCTL" dump --json "$IMG"
	echo "$output" | jq -e '.side == "out" and .valid'
	echo "$output" | jq -e '.blobs[0].cut_by_kernel | .bytes_shown == 233 and .totalsize == 285 and .names_inferred == 6'
	echo "$output" | jq -e '[.blobs[0].nodes[].properties[] | select(.name_cut == "inferred")] | length == 6'
	run -0 "$LUOCTL" dump --deep "$IMG"
	assert_output --regexp "memory map preserves [0-9]+ bytes \(1\.[0-9] MiB\)"
	assert_output --partial "0x000200000000-0x000200100000  order 0   1048576 bytes (1 MiB)"
	assert_output --partial "FLB page 0x"
	run -0 "$LUOCTL" dump --deep --json "$IMG"
	echo "$output" | jq -e '.blobs[0].root.memory_map.preserved_bytes >= 1048576'
	echo "$output" | jq -e '.blobs[0].root.memory_map.ranges | map(.bytes) | add >= 1048576'
}

@test "7.2/7.3 after the kexec: in/ is the default, the freed LUO blob and map are notes" {
	need_jq
	kernel_view in
	for args in "" "--in" "--in --deep" "--deep"; do
		# shellcheck disable=SC2086
		run -0 "$LUOCTL" dump $args "$IMG"
		assert_line --index 0 --partial "incoming hand-over ($IMG/in)"
		assert_output --partial "in/sub_fdts/LUO no longer holds the previous kernel's LUO header"
		assert_output --partial 'previous_release     "7.2.13"'
		refute_output --partial "problem"
	done
	assert_output --partial "memory map at 0x"
	assert_output --partial "is no longer held by the kernel"
	run -0 "$LUOCTL" dump "$IMG"
	assert_line --index 0 --partial "shown by default (--out for the outgoing one)"
	run -0 "$LUOCTL" dump --format dts "$IMG"
	assert_line --index 0 "// incoming hand-over ($IMG/in), shown by default after a KHO boot"
	run -0 "$LUOCTL" dump --in --deep --json "$IMG"
	echo "$output" | jq -e '.side == "in" and .valid and (.side_by_default | not)'
	run -0 "$LUOCTL" dump --json "$IMG"
	echo "$output" | jq -e '.side == "in" and .side_by_default'
	run -0 "$LUOCTL" dump --in --deep --json "$IMG"
	echo "$output" | jq -e '.blobs[1].freed_by_kernel and (.blobs[1].data | length == 64)'
	echo "$output" | jq -e '.blobs[0].root.memory_map.freed_by_kernel'
	echo "$output" | jq -e '[.blobs[].issues[]? | select(.severity == "problem")] | length == 0'
}

@test "7.2/7.3 views: real corruption still fails" {
	kernel_view out
	# A structure token broken inside the part debugfs shows.
	printf '\x00\x00\x00\x0b' | dd of="$IMG/out/fdt" bs=1 seek=56 conv=notrunc status=none
	run -1 "$LUOCTL" dump "$IMG"
	assert_output --partial "unknown structure token 0x0000000b"
	rm -rf "$IMG" && kernel_view in
	printf '\x02' | dd of="$IMG/in/sub_fdts/kexec-metadata" bs=1 seek=0 conv=notrunc status=none
	run -1 "$LUOCTL" dump "$IMG"
	assert_output --partial "kexec-metadata version 2 (expected 1)"
	# A freed LUO blob is only expected after a KHO boot: out/ garbage is damage.
	rm -rf "$IMG" && kernel_view out
	head -c 32 /dev/zero | tr '\0' '\377' > "$IMG/out/sub_fdts/LUO"
	run -1 "$LUOCTL" dump "$IMG"
}
