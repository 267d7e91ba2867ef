# Shared by every bats file: `load helpers` at the top.
# Paths to the binaries under test, and the bats helper libraries.
bats_require_minimum_version 1.5.0

: "${abs_top_builddir:?run the tests through make check (abs_top_builddir unset)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
LUOCTL="$abs_top_builddir/luoctl"
LUOSIM_BIN="$abs_top_builddir/luosim/luosim"
export LUOCTL LUOSIM_BIN

# Where LUO comes from: "luosim" (the default: each test boots simulated
# machines) or "kernel" (tests/vm runs the same files inside a QEMU guest on a
# real LUO kernel, see tests/vm/README.md). A test that only luosim can run
# starts with `luosim_only REASON` and is skipped, with that reason, in the VM.
: "${LUOCTL_TEST_TARGET:=luosim}"
export LUOCTL_TEST_TARGET
luosim_only() {
	[ "$LUOCTL_TEST_TARGET" = luosim ] || skip "luosim only: $*"
}

# vm_test_setup: in kernel mode, from a test's setup (tests/vm/guest-run runs
# the file). LUOSIM_BIN becomes tests/vm/luosim-shim: each `$LUOSIM_BIN [OPTIONS] --
# PROG` is one boot of this test's machine, run directly on the real kernel,
# and `luosim kexec` a real kexec, which ends bats with the kernel. guest-run
# then runs the file again in the next boot: tests that already have a result
# are skipped (and left out of the TAP), and the interrupted one runs from the
# top, its earlier boots replayed from their records (exit status and output,
# saved with the working directory W before the kexec); the next boot runs for
# real. A boot that did not kexec is followed by the next on the same kernel.
vm_test_setup() {
	[ -e /dev/liveupdate ] || fail "LUOCTL_TEST_TARGET=kernel, but this machine has no /dev/liveupdate"
	: "${LUOCTL_VM_DIR:?LUOCTL_TEST_TARGET=kernel runs under tests/vm/guest-run}"
	local id
	id=$(printf %s "$BATS_TEST_DESCRIPTION" | md5sum | cut -c1-16)
	LUOCTL_VM_TEST_DIR=$LUOCTL_VM_DIR/$id
	[ -e "$LUOCTL_VM_TEST_DIR/done" ] && skip "vm: completed in an earlier boot"
	mkdir -p "$LUOCTL_VM_TEST_DIR"
	W=/tmp/luoctl-vm/$id
	VM_RESUMED=0
	rm -rf "$W"
	mkdir -p "$W"
	if [ -f "$LUOCTL_VM_TEST_DIR/w.tar" ]; then
		tar -C "$W" -xf "$LUOCTL_VM_TEST_DIR/w.tar"
		VM_RESUMED=1
	fi
	echo 0 > "$W/.vm-calls"
	KERNELS=$LUOCTL_VM_SERIES
	MODES=("$LUOCTL_VM_SERIES")
	LUOSIM_BIN=$LUOCTL_VM_TOOLS/luosim-shim
	LUOCTL_VM_W=$W
	export W LUOSIM_BIN LUOCTL_VM_TEST_DIR LUOCTL_VM_W
}

# require_tool CMD PACKAGE: a tool the suite needs, which ./quickstart installs.
# Its absence is a failure, never a skip: a skipped check proves nothing.
require_tool() {
	command -v "$1" >/dev/null ||
		fail "$1 is not installed: apt-get install $2 (./quickstart test installs it)"
}

# soname NAME: the soname configure found for an optional library luoctl
# dlopen()s (LIBKMOD, ZLIB, LIBFDT), from config.h.
soname() {
	sed -n "s/^#define $1_SONAME \"\(.*\)\"\$/\1/p" "$abs_top_builddir/config.h"
}

# unloadable NAME: a directory for LD_LIBRARY_PATH in which NAME's soname is a
# file that is no library, so luoctl's dlopen() of it fails; printed.
unloadable() {
	local dir="$BATS_TEST_TMPDIR/unloadable-$1"
	mkdir -p "$dir"
	echo "not a library" > "$dir/$(soname "$1")"
	echo "$dir"
}

# shellcheck source=tests/bats/luoctl-copy.bash
. "${BASH_SOURCE[0]%/*}/luoctl-copy.bash"

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file
