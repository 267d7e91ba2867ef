# Shared by every bats file: `load helpers` at the top.
# Paths to the binaries under test, and the bats helper libraries.
bats_require_minimum_version 1.5.0

: "${abs_top_builddir:?run the tests through make check (abs_top_builddir unset)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
LUOCTL="$abs_top_builddir/luoctl"
LUOSIM="$abs_top_builddir/luosim/luosim"
export LUOCTL LUOSIM

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file
