# Prepared machine trees for luoctl check --root and luoctl list --root: each
# test builds the files a machine would show, so every check is tested both
# ways anywhere (no LUO, no luosim needed).

REL=7.2.13-luo

# le32 N: four little-endian bytes as a printf format.
le32() {
	printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
		$((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}

# put_at FILE OFFSET FORMAT: overwrite bytes of FILE at OFFSET.
put_at() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# kernel_bytes RELEASE FORMAT...: what a decompressed kernel shows of itself.
kernel_bytes() {
	local rel=$1
	shift
	printf 'ELF-ish'
	printf '\0%s' "$@"
	printf '\0Linux version %s (t@t) #1 SMP\0' "$rel"
}

# mk_bzimage OUT gzip|xz RELEASE FORMAT...: an x86 bzImage (boot protocol
# 2.15 header, one setup sector) whose payload holds those strings.
mk_bzimage() {
	local out=$1 comp=$2 rel=$3 payload
	shift 3
	payload="$out.payload"
	case $comp in
	gzip) kernel_bytes "$rel" "$@" | gzip -n -9 -c > "$payload" ;;
	xz)
		local raw="$out.raw"
		kernel_bytes "$rel" "$@" > "$raw"
		xz --check=crc32 -c < "$raw" > "$payload"
		# The kernel's Makefile appends the uncompressed size.
		printf "$(le32 "$(stat -c %s "$raw")")" >> "$payload"
		rm -f "$raw"
		;;
	esac
	head -c 1024 /dev/zero > "$out"
	put_at "$out" $((0x1f1)) '\x01'
	put_at "$out" $((0x202)) 'HdrS\x0f\x02'
	put_at "$out" $((0x20e)) '\x00\x01'
	put_at "$out" $((0x300)) "$rel (t@t) #1 SMP\\0"
	put_at "$out" $((0x24c)) "$(le32 "$(stat -c %s "$payload")")"
	cat "$payload" >> "$out"
	rm -f "$payload"
}

# The LUO Kconfig of a kernel built for live update.
luo_config() {
	printf '%s\n' CONFIG_KEXEC_FILE=y CONFIG_KEXEC_HANDOVER=y \
		CONFIG_KEXEC_HANDOVER_DEBUGFS=y '# CONFIG_KEXEC_HANDOVER_ENABLE_DEFAULT is not set' \
		CONFIG_LIVEUPDATE=y CONFIG_LIVEUPDATE_MEMFD=y
}

# set_config FILE SYMBOL VALUE: y, n (is not set) or "" (absent).
set_config() {
	sed -i "/^CONFIG_$2=/d; /^# CONFIG_$2 is not set/d" "$1"
	case $3 in
	y | m) echo "CONFIG_$2=$3" >> "$1" ;;
	n) echo "# CONFIG_$2 is not set" >> "$1" ;;
	esac
}

# mk_machine DIR: a machine ready for a live update, booted with
# kho=on liveupdate=on, KHO debugfs mounted, kexec-tools installed.
mk_machine() {
	local t=$1
	rm -rf "$t"
	mkdir -p "$t"/proc/sys/kernel "$t"/proc/1/fd "$t"/boot "$t"/dev "$t"/usr/sbin \
		"$t"/sys/kernel/debug/kho/out/sub_fdts
	echo "$REL" > "$t/proc/sys/kernel/osrelease"
	luo_config > "$t/config"
	gzip -n -c "$t/config" > "$t/proc/config.gz"
	echo "BOOT_IMAGE=/vmlinuz root=/dev/vda kho=on liveupdate=on quiet" > "$t/proc/cmdline"
	# An unassigned character device number (240: local use): check only stats it.
	mknod "$t/dev/liveupdate" c 240 7 2>/dev/null || return 1
	chmod 0600 "$t/dev/liveupdate"
	echo init > "$t/proc/1/comm"
	ln -s /dev/null "$t/proc/1/fd/0"
	echo 0 > "$t/sys/kernel/kexec_loaded"
	# check reads the option table of kexec-tools, never runs it.
	printf '#!/bin/sh\n# --kexec-file-syscall\nexit 0\n' > "$t/usr/sbin/kexec"
	chmod +x "$t/usr/sbin/kexec"
	# The running kernel's hand-over as debugfs shows it (7.2: kho-v4, luo-v5).
	printf '\xd0\x0d\xfe\xed....\0kho-v4\0' > "$t/sys/kernel/debug/kho/out/fdt"
	printf "luo-v5\\0\\0$(le32 1)$(le32 0)" > "$t/sys/kernel/debug/kho/out/sub_fdts/LUO"
	head -c 16 /dev/zero >> "$t/sys/kernel/debug/kho/out/sub_fdts/LUO"
	# Its image names the file handler formats (memfd-v2).
	mk_bzimage "$t/boot/vmlinuz-$REL" gzip "$REL" kho-v4 luo-v5 memfd-v2
}

# mk_modules DIR RELEASE: /lib/modules/RELEASE indexes: vfio-pci a module,
# kvm built in, iommufd missing.
mk_modules() {
	local m="$1/lib/modules/$2"
	mkdir -p "$m/kernel/drivers/vfio/pci"
	: > "$m/kernel/drivers/vfio/pci/vfio-pci.ko"
	echo "vfio_pci kernel/drivers/vfio/pci/vfio-pci.ko:" | "$KMOD_INDEX" "$m/modules.dep.bin"
	echo "kvm " | "$KMOD_INDEX" "$m/modules.builtin.bin"
	: | "$KMOD_INDEX" "$m/modules.alias.bin"
}

KMOD_INDEX="$abs_top_builddir/tests/progs/kmod-index"
