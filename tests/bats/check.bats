#!/usr/bin/env bats
# luoctl check: every check both ways on machine trees made here (--root), so
# these run anywhere; the last tests run inside luosim.
load helpers
load check-helpers

setup() {
	T="$BATS_TEST_TMPDIR/machine"
	mk_machine "$T" || skip "cannot create a device node here (mknod needs root)"
}

teardown() {
	[ -z "${OPEN_TREE:-}" ] || rm -rf "$OPEN_TREE"
}

# check_line ID: the line of check ID in the last output.
check_line() {
	local line
	for line in "${lines[@]}"; do
		[[ $line =~ ^[a-zA-Z]+\ +$1\ + ]] && { echo "$line"; return 0; }
	done
	return 1
}

# assert_check STATUS ID [TEXT]: check ID has STATUS (and its line has TEXT).
assert_check() {
	local line
	line=$(check_line "$2") || fail "no check $2 in: $output"
	[[ $line == "$1 "* ]] || fail "check $2 is not $1: $line"
	[ -z "${3:-}" ] || [[ $line == *"$3"* ]] || fail "check $2 does not say \"$3\": $line"
}

@test "a machine booted for live update is ready: exit 0" {
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check ok config.KEXEC_HANDOVER
	assert_check ok cmdline.liveupdate
	assert_check ok device "character device 240:7, mode 0600"
	assert_check ok kexec.tools "/usr/sbin/kexec, with kexec_file_load (kexec -s)"
	assert_line "ready for a live update"
	assert_equal "$stderr" ""
}

@test "this machine itself, without --root: a kernel without LUO fails, naming what is missing" {
	[[ ! -e /dev/liveupdate && ! -e /sys/kernel/debug/kho ]] ||
		skip "this kernel has LUO (the VM tier checks that check passes there)"
	[ -z "${LUOSIM:-}" ] || skip "inside luosim"
	run --separate-stderr "$LUOCTL" check
	assert_failure 5
	assert_line --regexp '^FAIL +(config\.LIVEUPDATE|cmdline\.liveupdate|device) +.*(LIVEUPDATE|liveupdate)'
	assert_line --regexp '^ +fix: '
	assert_line --regexp '^not ready: [0-9]+ checks? failed$'
}

@test "config: a missing symbol fails, and says which and the fix" {
	for sym in KEXEC_HANDOVER LIVEUPDATE LIVEUPDATE_MEMFD KEXEC_FILE; do
		mk_machine "$T"
		set_config "$T/config" "$sym" n
		gzip -n -c "$T/config" > "$T/proc/config.gz"
		run --separate-stderr "$LUOCTL" check --root "$T"
		assert_failure 5
		assert_check FAIL "config.$sym" "CONFIG_$sym is not set"
		assert_line --partial "fix: build a kernel with CONFIG_$sym=y"
		assert_line "not ready: 1 check failed"
	done
}

@test "config: without debugfs support only a warning; absent symbols are named so" {
	set_config "$T/config" KEXEC_HANDOVER_DEBUGFS ""
	gzip -n -c "$T/config" > "$T/proc/config.gz"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check warn config.KEXEC_HANDOVER_DEBUGFS "is not in the configuration"
}

@test "config: /boot/config-RELEASE when there is no /proc/config.gz; unknown when neither" {
	rm "$T/proc/config.gz"
	cp "$T/config" "$T/boot/config-$REL"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check info config "/boot/config-$REL"
	rm "$T/boot/config-$REL"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check UNKNOWN config "cannot read the kernel configuration"
	assert_line "cannot tell: 1 check could not be made"
}

@test "cmdline: kho=on and liveupdate=on, each missing or off fails" {
	echo "root=/dev/vda liveupdate=on" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL cmdline.kho "not enabled on the command line"
	assert_line --partial "fix: boot with kho=on on the kernel command line"
	assert_check ok cmdline.liveupdate
	echo "kho=on liveupdate=on liveupdate=off" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check ok cmdline.kho
	assert_check FAIL cmdline.liveupdate "disabled on the command line"
	echo "kho=on -- liveupdate=on" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_check FAIL cmdline.liveupdate
	echo "kho=maybe liveupdate=1" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_check FAIL cmdline.kho "kho=maybe is not a boolean"
	assert_check ok cmdline.liveupdate
}

@test "cmdline: CONFIG_KEXEC_HANDOVER_ENABLE_DEFAULT makes kho= optional, kho=off still wins" {
	set_config "$T/config" KEXEC_HANDOVER_ENABLE_DEFAULT y
	gzip -n -c "$T/config" > "$T/proc/config.gz"
	echo "liveupdate=on" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check ok cmdline.kho "enabled by default"
	echo "kho=off liveupdate=on" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL cmdline.kho "disabled"
}

@test "device: missing, or not a character device, fails" {
	rm "$T/dev/liveupdate"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL device "No such file or directory"
	: > "$T/dev/liveupdate"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL device "not a character device"
}

@test "device.holder: a process holding /dev/liveupdate fails, by PID and command" {
	mkdir -p "$T/proc/4242/fd"
	echo luod > "$T/proc/4242/comm"
	ln -s /dev/liveupdate "$T/proc/4242/fd/7"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL device.holder "open in PID 4242 (luod), fd 7"
	rm "$T/proc/4242/fd/7"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check ok device.holder "not open in any process"
}

@test "unprivileged: device.access warns, unreadable processes make device.holder unknown" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	[ "$(id -u)" = 0 ] || skip "needs root to switch to an unprivileged user"
	# A tree every user can walk to (the test's own directory is private).
	OPEN_TREE=$(mktemp -d /tmp/luoctl-check.XXXXXX)
	T="$OPEN_TREE/machine"
	mk_machine "$T"
	chmod 755 "$OPEN_TREE"
	chmod -R a+rX "$T"
	chmod 600 "$T/dev/liveupdate"
	chmod 700 "$T/proc/1/fd"
	run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$(copy_luoctl_for_anyone "$OPEN_TREE/bin")" check --root "$T"
	assert_failure 5
	assert_check warn device.access "this user may not open /dev/liveupdate (mode 0600, owner 0:0)"
	assert_check UNKNOWN device.holder "the open files of 1 of 1 processes could not be read"
	assert_line --partial "fix: run luoctl check as root"
}

@test "kho.debugfs: present is ok, missing is a warning that does not block" {
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_check ok kho.debugfs
	assert_check info luo.number "live update number 1"
	rm -r "$T/sys/kernel/debug/kho"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check warn kho.debugfs "no /sys/kernel/debug/kho"
	assert_line --partial "fix: mount -t debugfs none /sys/kernel/debug"
}

@test "kho.incoming: a hand-over from the previous kernel, or none" {
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_check info kho.incoming "no incoming hand-over"
	mkdir -p "$T/sys/kernel/debug/kho/in/sub_fdts"
	{
		printf "$(le32 1)"
		printf '7.2.12'
		head -c 59 /dev/zero
		printf "$(le32 3)"
	} > "$T/sys/kernel/debug/kho/in/sub_fdts/kexec-metadata"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check info kho.incoming "from kernel 7.2.12, kexec count 3"
}

@test "kexec: no kexec_loaded or no kexec-tools fails; a loaded kernel is information" {
	echo 1 > "$T/sys/kernel/kexec_loaded"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_success
	assert_check info kexec.loaded "a kernel is loaded for kexec"
	rm "$T/sys/kernel/kexec_loaded"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL kexec.loaded "this kernel cannot kexec"
	echo 0 > "$T/sys/kernel/kexec_loaded"
	printf '#!/bin/sh\n# kexec -l only\n' > "$T/usr/sbin/kexec"
	run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL kexec.tools "does not know kexec_file_load"
	rm "$T/usr/sbin/kexec"
	PATH=/usr/bin:/bin run --separate-stderr "$LUOCTL" check --root "$T"
	assert_failure 5
	assert_check FAIL kexec.tools "no kexec on PATH"
	assert_line --partial "fix: install kexec-tools"
}

@test "--next RELEASE: a LUO kernel passes; Debian's stock config says it lacks LUO" {
	local next=7.2.13-1-amd64
	mk_modules "$T" "$next"
	cp "$T/config" "$T/boot/config-$next"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$next"
	assert_success
	assert_check info next.release "$next"
	assert_check ok next.config.LIVEUPDATE
	assert_check info next.cmdline "kho=on liveupdate=on"
	assert_check info next.formats "not compared"
	# Debian's 7.2 kernels: "# CONFIG_KEXEC_HANDOVER is not set", nothing of LUO.
	printf '%s\n' CONFIG_KEXEC_FILE=y '# CONFIG_KEXEC_HANDOVER is not set' > "$T/boot/config-$next"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$next"
	assert_failure 5
	assert_check FAIL next.config.KEXEC_HANDOVER "is not set"
	assert_check FAIL next.config.LIVEUPDATE "is not in the configuration"
	assert_check FAIL next.verdict "every preserved session would be lost at the kexec"
	rm "$T/boot/config-$next"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$next"
	assert_failure 5
	assert_check UNKNOWN next.config "/boot/config-$next"
}

@test "--next: modules through libkmod, built in, module or missing" {
	mk_modules "$T" "$REL"
	cp "$T/config" "$T/boot/config-$REL"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$REL"
	assert_success
	assert_check info next.module.vfio-pci "vfio-pci: module"
	assert_check info next.module.kvm "kvm: built-in"
	assert_check info next.module.iommufd "iommufd: missing"
	rm -r "$T/lib/modules/$REL"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$REL"
	assert_check info next.modules "no module index in /lib/modules/$REL"
}

@test "--next: a libkmod that cannot be loaded is named with its package; modules are not checked" {
	local lib
	lib=$(unloadable LIBKMOD)
	mk_modules "$T" "$REL"
	cp "$T/config" "$T/boot/config-$REL"
	LD_LIBRARY_PATH="$lib" run --separate-stderr "$LUOCTL" check --root "$T" --next "$REL"
	assert_check warn "library.$(soname LIBKMOD)" "cannot load $(soname LIBKMOD): $lib/$(soname LIBKMOD): file too short"
	assert_output --partial "fix: install libkmod2"
	assert_check info next.modules "modules of $REL not checked: no libkmod"
	refute_output --partial next.module.kvm
}

@test "libkmod is loaded for --next only, when it looks modules up" {
	mk_modules "$T" "$REL"
	cp "$T/config" "$T/boot/config-$REL"
	LD_DEBUG=files run --separate-stderr "$LUOCTL" check --root "$T"
	[[ $stderr == *"file=libc.so.6"* ]] || fail "LD_DEBUG=files said nothing: $stderr"
	[[ $stderr != *"file=$(soname LIBKMOD)"* ]] || fail "check loaded libkmod without --next"
	LD_DEBUG=files run --separate-stderr "$LUOCTL" check --root "$T" --next "$REL"
	[[ $stderr == *"file=$(soname LIBKMOD) [0];  dynamically loaded by"* ]] ||
		fail "check --next did not dlopen libkmod: $stderr"
}

@test "--next IMAGE: the same formats pass, another LUO version fails" {
	cp "$T/config" "$T/boot/config-7.3.0"
	mk_bzimage "$BATS_TEST_TMPDIR/same" gzip 7.3.0 kho-v4 luo-v5 memfd-v2 memfd-v1
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/same"
	assert_success
	assert_check info next.release 7.3.0
	assert_check ok next.format.kho "writes kho-v4, the next reads it"
	assert_check ok next.format.luo
	assert_check ok next.format.memfd "memfd-v2"
	mk_bzimage "$BATS_TEST_TMPDIR/other" gzip 7.3.0 kho-v4 luo-v6 memfd-v2
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/other"
	assert_failure 5
	assert_check FAIL next.format.luo "writes luo-v5, the next kernel reads luo-v6"
	mk_bzimage "$BATS_TEST_TMPDIR/nomemfd" gzip 7.3.0 kho-v4 luo-v5
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/nomemfd"
	assert_failure 5
	assert_check FAIL next.format.memfd "reads none"
}

@test "--next IMAGE: an xz bzImage goes through xz; the running formats may be unknown" {
	command -v xz >/dev/null || skip "xz is not installed"
	cp "$T/config" "$T/boot/config-7.3.0"
	mk_bzimage "$BATS_TEST_TMPDIR/bz" xz 7.3.0 kho-v4 luo-v5 memfd-v2
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/bz"
	assert_success
	assert_check info next.image "by xz"
	assert_check ok next.format.luo
	# Without debugfs and the running image nothing says what this kernel writes.
	rm -r "$T/sys/kernel/debug/kho" "$T/boot/vmlinuz-$REL"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/bz"
	assert_failure 5
	assert_check UNKNOWN next.format.luo "what this kernel writes could not be read"
}

@test "--next IMAGE: the configuration built into the image (IKCONFIG)" {
	local ik="$BATS_TEST_TMPDIR/ik"
	{ printf 'IKCFG_ST'; gzip -n -c "$T/config"; printf 'IKCFG_ED'; } > "$ik"
	# A raw vmlinux: the format names, then the gzip'd config between its markers.
	kernel_bytes 7.4.0 kho-v4 luo-v5 memfd-v2 > "$BATS_TEST_TMPDIR/vmlinux"
	cat "$ik" >> "$BATS_TEST_TMPDIR/vmlinux"
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/vmlinux"
	assert_success
	assert_check info next.config "from its image (CONFIG_IKCONFIG)"
	assert_check ok next.config.LIVEUPDATE_MEMFD
	run --separate-stderr "$LUOCTL" check --root "$T" --next "$BATS_TEST_TMPDIR/nonexistent/bz"
	assert_failure 5
	assert_check FAIL next.image "No such file or directory"
}

@test "-q prints nothing; the exit status tells" {
	run --separate-stderr "$LUOCTL" check -q --root "$T"
	assert_success
	assert_output ""
	rm "$T/dev/liveupdate"
	run --separate-stderr "$LUOCTL" check --quiet --root "$T"
	assert_failure 5
	assert_output ""
	assert_equal "$stderr" ""
}

@test "--json: every check with id, status, value, detail, fix; the verdict" {
	command -v jq >/dev/null || skip "jq is not installed"
	run --separate-stderr "$LUOCTL" --json check --root "$T"
	assert_success
	assert_equal "$(jq -r .verdict <<<"$output")" ready
	assert_equal "$(jq -r '.checks[] | select(.id == "config.LIVEUPDATE") | .status + " " + .value' <<<"$output")" "ok y"
	assert_equal "$(jq -r '.root' <<<"$output")" "$T"
	echo "kho=on" > "$T/proc/cmdline"
	run --separate-stderr "$LUOCTL" check --root "$T" --json
	assert_failure 5
	assert_equal "$(jq -r '[.verdict, .failed] | @tsv' <<<"$output")" "not-ready	1"
	assert_equal "$(jq -r '.checks[] | select(.status == "fail") | .id + ": " + .fix' <<<"$output")" \
		"cmdline.liveupdate: boot with liveupdate=on on the kernel command line"
}

@test "usage: check takes no arguments" {
	run --separate-stderr "$LUOCTL" check extra
	assert_failure 2
	assert_equal "$stderr" 'luoctl: check: unexpected argument "extra": luoctl check takes options only'
}

@test "completion: check's options come from its help" {
	source "$abs_top_srcdir/completions/bash/luoctl"
	COMP_WORDS=("$LUOCTL" check --ne)
	COMP_CWORD=2
	_luoctl
	assert_equal "${COMPREPLY[*]}" "--next"
	COMP_WORDS=("$LUOCTL" li)
	COMP_CWORD=1
	_luoctl
	assert_equal "${COMPREPLY[*]}" "list"
}

@test "inside luosim: the emulated device is usable and the machine ready" {
	luosim_only "inspects luosim's emulated kernel"
	run --separate-stderr "$LUOSIM_BIN" -- "$LUOCTL" check
	assert_success
	assert_check ok kernel.luosim "rules of Linux 7.2"
	assert_check ok device "luosim's emulated device, usable"
	assert_check ok luo.incoming "every incoming session is finished"
	assert_line "ready for a live update"
}

@test "inside luosim: a held device and unfinished incoming sessions are reported" {
	luosim_only "uses luosim kexec and its session table"
	local s="$BATS_TEST_TMPDIR/state"
	run --separate-stderr "$LUOSIM_BIN" --state "$s" -- "$LUOCTL" create db -- "$LUOSIM_BIN" kexec
	assert_failure 99
	run --separate-stderr "$LUOSIM_BIN" --state "$s" -- sh -c '
		exec 5<>/dev/liveupdate
		"$LUOCTL" check'
	assert_failure 5
	assert_check FAIL device.holder "fd 5"
	assert_check warn luo.incoming "1 incoming session(s) not finished"
	assert_check info kho.incoming "incoming hand-over from kernel"
	assert_check info luo.number "live update number 2"
}

@test "inside luosim: --next IMAGE compares with the emulated kernel's formats" {
	luosim_only "compares with luosim's emulated hand-over formats"
	mk_bzimage "$BATS_TEST_TMPDIR/bz" gzip 7.3.0 kho-v4 luo-v5 memfd-v2
	run --separate-stderr "$LUOSIM_BIN" --kernel 7.2 -- "$LUOCTL" check --next "$BATS_TEST_TMPDIR/bz"
	# Nothing fails (without a /boot/config-7.3.0 here, that one is unknown).
	[ "$status" -eq 0 ] || [ "$status" -eq 5 ]
	refute_line --regexp '^FAIL '
	assert_check ok next.format.kho
	assert_check ok next.format.luo
	assert_check info next.format.memfd "luosim does not show what it writes"
	run --separate-stderr "$LUOSIM_BIN" --kernel 6.19 -- "$LUOCTL" check --next "$BATS_TEST_TMPDIR/bz"
	assert_failure 5
	assert_check FAIL next.format.kho "writes kho-v1, the next kernel reads kho-v4"
	assert_check FAIL next.format.luo "writes luo-v1"
}
