# Shared by every bats file: `load helpers` at the top.
# Paths to the binaries under test, and the bats helper libraries.
bats_require_minimum_version 1.5.0

: "${abs_top_builddir:?run the tests through make check (abs_top_builddir unset)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
LUOCTL="$abs_top_builddir/luoctl"
LUOSIM="$abs_top_builddir/luosim/luosim"
export LUOCTL LUOSIM

# Where LUO comes from: "luosim" (the default: each test boots simulated
# machines) or "kernel" (tests/vm runs the same files inside a QEMU guest on a
# real LUO kernel, see tests/vm/README.md). A test that only luosim can run
# starts with `luosim_only REASON` and is skipped, with that reason, in the VM.
: "${LUOCTL_TEST_TARGET:=luosim}"
export LUOCTL_TEST_TARGET
luosim_only() {
	[ "$LUOCTL_TEST_TARGET" = luosim ] || skip "luosim only: $*"
}

# require_tool CMD PACKAGE: a tool the suite needs, which ./quickstart installs.
# Its absence is a failure, never a skip: a skipped check proves nothing.
require_tool() {
	command -v "$1" >/dev/null ||
		fail "$1 is not installed: apt-get install $2 (./quickstart test installs it)"
}

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file
