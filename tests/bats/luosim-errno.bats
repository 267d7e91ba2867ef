#!/usr/bin/env bats
# The errno table of luo-uapi.md §21, row by row, in both kernel modes.
# Rows the emulator cannot produce are listed at the end of this file.

load helpers
load luosim-helpers

setup() {
	STATE=$(mktemp -d)
	rmdir "$STATE"
	# On a real kernel (tests/vm) the same rows are checked against the kernel.
	if [ "$LUOCTL_TEST_TARGET" = kernel ]; then
		vm_test_setup
	fi
}

teardown() {
	rm -rf "$STATE" /dev/shm/luosim-errno-*
}

# ---- open ----

@test "open: ENOENT where the node is absent (the host has no LUO)" {
	[[ ! -e /dev/liveupdate ]] || skip "this host has a real /dev/liveupdate"
	run -1 "$CLIENT" expect ok open d
	assert_output --partial "open: ENOENT"
}

@test "open: EBUSY while any open description exists, same process or not" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d expect EBUSY open d2
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c \
			'"$CLIENT" open d hold >/dev/null && "$CLIENT" expect EBUSY open d'
	done
}

@test "open: EIO after incoming data failed to deserialize (7.2); 6.19.0 ignores it" {
	luosim_only "it corrupts a preserved file in luosim's state directory"
	MODE=7.2
	stage1 "$STATE" open d create s d db memfd m 4096 fill m 0 4096 1 preserve s m 1
	assert_equal "$status" 99
	truncate -s 100 "$STATE/handover/s0.f0"
	stage2 "$STATE" expect EIO open d expect EIO open d
	assert_success
	rm -rf "$STATE"
	MODE=6.19
	stage1 "$STATE" open d create s d db memfd m 4096 fill m 0 4096 1 preserve s m 1
	assert_equal "$status" 99
	truncate -s 100 "$STATE/handover/s0.f0"
	stage2 "$STATE" open d retrieve s d db expect EIO getfd m s 1
	assert_success
}

# ---- any LUO ioctl ----

@test "FIOCLEX, FIONCLEX, FIONBIO succeed on the device and on sessions" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db buf 4 set 0 u32 1 \
			ioctl d 0x5451 null ioctl d 0x5450 null ioctl d 0x5421 buf \
			ioctl s 0x5451 null ioctl s 0x5450 null ioctl s 0x5421 buf
	done
}

@test "nr outside the fd's range: EINVAL, even with a NULL argument" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db \
			expect EINVAL ioctl d 0xBA02 null expect EINVAL ioctl d 0xBA40 null \
			expect EINVAL ioctl s 0xBA00 null expect EINVAL ioctl s 0xBA01 null \
			expect EINVAL ioctl s 0xBA44 null expect EINVAL ioctl s 0xBAff null
	done
}

@test "nr in range, request value differs: ENOTTY" {
	for MODE in "${MODES[@]}"; do
		# _IOWR(0xBA, 0, 72) and _IOW(0xBA, 0x40, 16) spell the same nr.
		run -0 client open d create s d db buf 72 set 0 u32 72 \
			expect ENOTTY ioctl d 0xC048BA00 buf expect ENOTTY ioctl s 0x4010BA40 buf \
			expect ENOTTY ioctl d 0xBB00 buf
	done
}

@test "unreadable argument: EFAULT" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db \
			expect EFAULT ioctl d 0xBA00 null expect EFAULT ioctl d 0xBA01 bad \
			expect EFAULT ioctl s 0xBA40 null expect EFAULT ioctl s 0xBA42 bad
	done
}

@test "size below the minimum: EINVAL; above with a non-zero tail: E2BIG" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d \
			buf 72 set 0 u32 71 set 8 str db expect EINVAL ioctl d 0xBA00 buf \
			buf 80 set 0 u32 80 set 8 str db set 79 u8 1 expect E2BIG ioctl d 0xBA00 buf \
			buf 80 set 0 u32 80 set 8 str db ioctl d 0xBA00 buf bufvar s 4 \
			buf 16 set 0 u32 15 expect EINVAL ioctl s 0xBA40 buf \
			buf 8 set 0 u32 7 expect EINVAL ioctl s 0xBA42 buf
	done
}

@test "a tail beyond readable memory: EFAULT" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d buf 72 set 0 u32 4096 set 8 str db \
			expect EFAULT ioctl d 0xBA00 buf
	done
}

@test "reply cannot be written: EFAULT, and create left nothing behind" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d buf 72 set 0 u32 72 set 8 str db readonly \
			expect EFAULT ioctl d 0xBA00 buf create s d db
	done
}

@test "reply cannot be written: what each command has already done stays done" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		# PRESERVE_FD: the file stays preserved.
		stage1 "$STATE" open d create s d db memfd m 10 fill m 0 10 6 \
			buf 16 set 0 u32 16 set 4 fd m set 8 u64 1 readonly \
			expect EFAULT ioctl s 0xBA40 buf expect EEXIST preserve s m 1 \
			create t d db2
		assert_equal "$status" 99
		# RETRIEVE_SESSION: the session is consumed. RETRIEVE_FD: stays retrieved.
		stage2 "$STATE" open d retrieve s d db \
			buf 16 set 0 u32 16 set 8 u64 1 readonly expect EFAULT ioctl s 0xBA41 buf \
			getfd m s 1 verify m 0 10 6 \
			buf 72 set 0 u32 72 set 8 str db2 readonly expect EFAULT ioctl d 0xBA01 buf \
			expect ENOENT retrieve t d db2
		assert_success
	done
}

@test "an O_PATH fd of /dev/liveupdate is no device (EBADF)" {
	for MODE in "${MODES[@]}"; do
		run -0 client opath p /dev/liveupdate buf 72 set 0 u32 72 set 8 str db \
			expect EBADF ioctl p 0xBA00 buf open d
	done
}

# ---- CREATE_SESSION ----

@test "create: EMFILE with no free fd, ahead of every other error" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d taken nofile-exhaust \
			expect EMFILE create s2 d new expect EMFILE create s2 d taken \
			expect EMFILE create s2 d "" nofile-restore create s2 d new
	done
}

@test "create: empty or unterminated names: accepted and truncated (6.19), EINVAL (7.2)" {
	local n63 n64
	n63=$(printf 'x%.0s' {1..63})
	n64=${n63}x
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create a d "" create b d "$n64" expect EEXIST create c d "$n63"
	fi
	MODE=7.2
	run -0 client open d expect EINVAL create a d "" expect EINVAL create b d "$n64" \
		create c d "$n63" getname c
	assert_output --partial "name=$n63"
}

@test "create: EEXIST for a name in the outgoing list" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db expect EEXIST create s2 d db
	done
}

@test "create: the 820th session is ENOMEM in 6.19, unlimited in 7.2" {
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create-many d s 819 expect ENOMEM create x d one-more
	fi
	MODE=7.2
	run -0 client open d create-many d s 820 create x d one-more
}

# ---- RETRIEVE_SESSION ----

@test "retrieve: ENOENT on a cold boot and for unknown names" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d expect ENOENT retrieve s d db \
			create s d db expect ENOENT retrieve s2 d db
	done
}

@test "retrieve: EINVAL while retrieved and open, ENOENT once closed, EMFILE first" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db close d
		assert_equal "$status" 99
		stage2 "$STATE" open d nofile-exhaust expect EMFILE retrieve s d db \
			nofile-restore retrieve s d db expect EINVAL retrieve s2 d db \
			close s expect ENOENT retrieve s d db
		assert_success
	done
}

# ---- PRESERVE_FD ----

@test "preserve: EEXIST for a used token, checked before the fd" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db create s2 d db2 memfd m 10 memfd n 10 \
			preserve s m 5 expect EEXIST preserve s n 5 expect EEXIST preserve s -1 5 \
			preserve s2 n 5
	done
}

@test "preserve: the 129th file is ENOSPC in 6.19 (before EBADF), unlimited in 7.2" {
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create s d db preserve-many s 128 memfd m 10 \
			expect ENOSPC preserve s m 1000 expect ENOSPC preserve s -1 1000
	fi
	MODE=7.2
	run -0 client open d create s d db preserve-many s 129
}

@test "preserve: EBADF for a negative, closed or O_PATH fd" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db opath p /dev/shm \
			expect EBADF preserve s -1 1 expect EBADF preserve s 999 2 \
			expect EBADF preserve s p 3
	done
}

@test "preserve: ENOENT for anything but an unnamed shmem file" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db openfile f /dev/shm/luosim-errno-named \
			openfile g /dev/null pipe r w \
			expect ENOENT preserve s f 1 expect ENOENT preserve s g 2 \
			expect ENOENT preserve s r 3 expect ENOENT preserve s s 4 \
			expect ENOENT preserve s d 5 \
			tmpfile t /dev/shm preserve s t 6 \
			openfile u /dev/shm/luosim-errno-unlinked unlink /dev/shm/luosim-errno-unlinked \
			preserve s u 7
	done
}

@test "preserve: ENOENT for a hugetlb memfd" {
	run "$CLIENT" hugetlb h
	[[ $status == 0 ]] || skip "this host cannot create hugetlb memfds"
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db hugetlb h expect ENOENT preserve s h 1
	done
}

@test "preserve: a file already preserved is accepted (6.19) or EBUSY (7.2)" {
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create s d db create s2 d db2 memfd m 10 dup m2 m \
			preserve s m 1 preserve s m 2 preserve s2 m2 1
	fi
	MODE=7.2
	run -0 client open d create s d db create s2 d db2 memfd m 10 dup m2 m \
		preserve s m 1 expect EBUSY preserve s m 2 expect EBUSY preserve s2 m2 1 \
		close s preserve s2 m2 1
}

@test "preserve: a retrieved, unfinished file is accepted (6.19) or EBUSY (7.2)" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 10 preserve s m 1
		assert_equal "$status" 99
		if [[ $MODE == 6.19 ]]; then
			stage2 "$STATE" open d retrieve s d db getfd m s 1 create o d out \
				preserve o m 1
		else
			stage2 "$STATE" open d retrieve s d db getfd m s 1 create o d out \
				expect EBUSY preserve o m 1 finish s preserve o m 1
		fi
		assert_success
	done
}

@test "preserve: on an incoming session runs (6.19) or is EINVAL (7.2)" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db
		assert_equal "$status" 99
		if [[ $MODE == 6.19 ]]; then
			stage2 "$STATE" open d retrieve s d db memfd m 10 preserve s m 1
		else
			stage2 "$STATE" open d retrieve s d db memfd m 10 expect EINVAL preserve s m 1
		fi
		assert_success
	done
}

@test "preserve: more than UINT_MAX pages is EFBIG in 7.2 only" {
	MODE=7.2
	run -0 client open d create s d db memfd m 17592186044417 expect EFBIG preserve s m 1
	# Exactly UINT_MAX pages passes the check. A real kernel then pins every
	# page of the file (memfd_pin_folios allocates the holes too), which takes
	# 16 TiB of RAM: ENOMEM in the VM. luosim keeps no memory and takes it.
	if [ "$LUOCTL_TEST_TARGET" != kernel ]; then
		run -0 client open d create s d db memfd n 17592186040320 preserve s n 2
	fi
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create s d db memfd m 17592186044417 preserve s m 1
	fi
}

# ---- RETRIEVE_FD ----

@test "retrieve fd: EMFILE, ENOENT for unknown tokens and finished sessions" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 10 preserve s m 1 memfd n 10 preserve s n 2
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve s d db nofile-exhaust expect EMFILE getfd m s 1 \
			nofile-restore expect ENOENT getfd x s 99 getfd m s 1 finish s \
			expect ENOENT getfd n s 2 expect ENOENT getfd m s 1
		assert_success
	done
}

@test "retrieve fd: the same token again gives the same open file" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 100 preserve s m 1
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve s d db getfd a s 1 getfd b s 1 seek a 42 pos b 42
		assert_success
	done
}

@test "retrieve fd: a failed retrieve is retried (6.19.0) or remembered (7.2)" {
	luosim_only "it truncates a preserved file in luosim's state directory"
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db memfd m 4096 fill m 0 4096 3 preserve s m 1
		assert_equal "$status" 99
		local data="$STATE/incoming/s0.f0"
		if [[ $MODE == 6.19 ]]; then
			stage2 "$STATE" open d retrieve s d db openfile f "$data" truncate f 1 \
				expect EIO getfd m s 1 truncate f 4096 getfd m s 1
		else
			stage2 "$STATE" open d retrieve s d db openfile f "$data" truncate f 1 \
				expect EIO getfd m s 1 truncate f 4096 expect EIO getfd m s 1
		fi
		assert_success
	done
}

@test "retrieve fd and finish on an outgoing session: EINVAL" {
	for MODE in "${MODES[@]}"; do
		run -0 client open d create s d db memfd m 10 preserve s m 1 \
			expect EINVAL getfd x s 1 expect EINVAL finish s
	done
}

# ---- FINISH ----

@test "finish: twice, empty, and with unretrieved files all return 0" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create e d empty create s d db memfd m 10 preserve s m 1
		assert_equal "$status" 99
		stage2 "$STATE" open d retrieve e d empty finish e finish e \
			retrieve s d db finish s expect ENOENT getfd m s 1 \
			expect EINVAL retrieve s2 d db close s expect ENOENT retrieve s d db
		assert_success
	done
}

@test "finish: reserved != 0 is ignored (6.19) or EINVAL (7.2)" {
	for MODE in "${MODES[@]}"; do
		rm -rf "$STATE"
		stage1 "$STATE" open d create s d db
		assert_equal "$status" 99
		if [[ $MODE == 6.19 ]]; then
			stage2 "$STATE" open d retrieve s d db finish-reserved s 1
		else
			stage2 "$STATE" open d retrieve s d db expect EINVAL finish-reserved s 1 finish s
		fi
		assert_success
	done
}

@test "finish: an empty outgoing session is a no-op in 6.19, EINVAL in 7.2" {
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create s d db finish s
	fi
	MODE=7.2
	run -0 client open d create s d db expect EINVAL finish s
}

# ---- GET_NAME ----

@test "get name: EINVAL in 6.19; in 7.2 the name, EINVAL below 72 bytes or reserved set" {
	if mode_runs 6.19; then
		MODE=6.19
		run -0 client open d create s d db expect EINVAL getname s
	fi
	MODE=7.2
	run -0 client open d create s d db getname s \
		buf 72 set 0 u32 71 expect EINVAL ioctl s 0xBA43 buf \
		buf 72 set 0 u32 72 set 4 u32 1 expect EINVAL ioctl s 0xBA43 buf \
		buf 80 set 0 u32 80 set 8 str ZZZZZZZZ ioctl s 0xBA43 buf getstr 8
	assert_output --partial "getname: ok name=db"
	assert_output --partial "getstr: ok value=db"
	# strscpy() copies a word at a time: the rest of the 8-byte word holding the
	# NUL is zeroed (bytes 10-15), the bytes after it are left as they were.
	run -0 client open d create s d db buf 80 set 0 u32 80 set 8 str ZZZZZZZZZZZZZZZZ \
		ioctl s 0xBA43 buf getstr 11 getstr 16
	assert_line --index 6 "getstr: ok value="
	assert_line --index 7 "getstr: ok value=ZZZZZZZZ"
}

@test "get name works on incoming sessions too (7.2)" {
	MODE=7.2
	stage1 "$STATE" open d create s d "in coming"
	assert_equal "$status" 99
	stage2 "$STATE" open d retrieve s d "in coming" getname s
	assert_success
	assert_output --partial "name=in coming"
}

# ---- reboot(KEXEC) ----

@test "reboot: EPERM without CAP_SYS_BOOT, EINVAL with nothing loaded or bad magic" {
	luosim_only "it calls reboot(LINUX_REBOOT_CMD_KEXEC), which kexecs a real machine whenever an image is loaded"
	for MODE in "${MODES[@]}"; do
		run -0 "$LUOSIM_BIN" --kernel "$MODE" sh -c '
			"$CLIENT" expect EINVAL reboot 0xfee1dead 0x45584543 \
				expect EINVAL reboot 0x1234 0x45584543 &&
			setpriv --reuid=65534 "$CLIENT" expect EPERM reboot 0xfee1dead 0x45584543'
	done
}

@test "a 32-bit caller gets ENOTTY, and its reboot never reaches the kernel" {
	local bin=$BATS_TEST_TMPDIR/luo-client32
	"${CC:-cc}" -m32 -nostdlib -static -ffreestanding -fno-pic -fno-stack-protector -O1 \
		-o "$bin" "$abs_top_srcdir/tests/progs/luo-client32.c" 2>/dev/null ||
		skip "no 32-bit code generation here"
	# Outside luosim it only proves the binary runs: no device (1), a wrong magic.
	run "$bin"
	[[ $status == 1 ]] || skip "this kernel cannot run i386 binaries (status $status)"
	for MODE in "${MODES[@]}"; do
		# Device opened (no 1), ENOTTY (2), reboot stopped by the filter (4).
		run -6 client32 "$bin"
	done
}

client32() {
	"$LUOSIM_BIN" --kernel "$MODE" "$1"
}

# Not reproducible by the emulator, and so not tested here (see luosim(1)):
# out-of-memory rows (ENOMEM, ENFILE), an unknown memfd seal (EOPNOTSUPP:
# every seal defined today is accepted), a handler refusing FINISH (EBUSY:
# only memfd exists), the frozen size of a preserved memfd (EPERM), readlink
# of a session fd (it is a socket), the kexec lock (EBUSY), freeze and KHO
# finalize failures.
