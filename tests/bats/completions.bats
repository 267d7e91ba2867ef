#!/usr/bin/env bats
# Shell completions: they take commands and options from luoctl's own --help.
load helpers

setup() {
	source "$abs_top_srcdir/completions/bash/luoctl"
	source "$abs_top_srcdir/completions/bash/luosim"
	# compopt works only under readline: record what the completion asks of it.
	compopt() { local IFS=' '; printf '%s\n' "$*" >>"$BATS_TEST_TMPDIR/compopt"; }
	D=$BATS_TEST_TMPDIR/d
	mkdir -p "$D/a dir" "$D/sub"
	touch "$D/my file" "$D/other"
	# Completion of PROG finds these by name, as an interactive shell would.
	PATH=$abs_top_builddir:$abs_top_builddir/luosim:$PATH
}

# complete_words WORD...: the candidates for the last word, one per line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	case ${1##*/} in
	luosim) _luosim ;;
	*) _luoctl ;;
	esac
	printf '%s\n' "${COMPREPLY[@]}"
}

# The completion functions of Debian's bash-completion (_command_offset).
load_bash_completion() {
	[ -r /usr/share/bash-completion/bash_completion ] ||
		fail "bash-completion is not installed: apt-get install bash-completion"
	source /usr/share/bash-completion/bash_completion
	# Its own loader would look for luoctl's file elsewhere: keep ours.
	complete -F _luoctl luoctl
	complete -F _luosim luosim
}

zsh_complete() {
	zsh -f "$abs_top_srcdir/tests/bats/zsh-complete.zsh" "$@"
}

@test "bash: command names come from the command table" {
	run complete_words "$LUOCTL" cr
	assert_success
	assert_output "create"
	run complete_words "$LUOCTL" ""
	for cmd in create preserve retrieve finish dump check help; do
		assert_line "$cmd"
	done
}

@test "bash: global options, and options of the command being completed" {
	run complete_words "$LUOCTL" --v
	assert_output "--version"
	run complete_words "$LUOCTL" create --he
	assert_output "--help"
	run complete_words "$LUOCTL" --json dump --pre
	assert_output "--pretty"
}

@test "bash: help completes command names" {
	run complete_words "$LUOCTL" help fi
	assert_output "finish"
}

@test "bash: file names with spaces stay whole, marked as file names" {
	run -0 complete_words "$LUOCTL" dump "$D/my"
	assert_output "$D/my file"
	run -0 complete_words "$LUOCTL" create db --file "$D/o"
	assert_output "$D/other"
	# With -o filenames readline quotes the space and ends a directory with /.
	assert_file_contains "$BATS_TEST_TMPDIR/compopt" '^.o filenames$'
}

@test "bash: directories are completed as file names, so they get their /" {
	run -0 complete_words "$LUOCTL" dump "$D/a"
	assert_output "$D/a dir"
	run -0 complete_words "$LUOCTL" dump --save "$D/"
	assert_equal "${#lines[@]}" 2
	assert_line "$D/a dir"
	assert_line "$D/sub"
	assert_file_contains "$BATS_TEST_TMPDIR/compopt" '^.o filenames$'
}

@test "bash: --format and --endian complete their values" {
	run -0 complete_words "$LUOCTL" dump --format ""
	assert_output "text
dts
json"
	run -0 complete_words "$LUOCTL" dump -f j
	assert_output "json"
	run -0 complete_words "$LUOCTL" --json dump --endian ""
	assert_output "little
big"
	run -0 complete_words "$LUOCTL" dump -e b
	assert_output "big"
	# create's -f is --force: what follows is a file again.
	run -0 complete_words "$LUOCTL" create -f "$D/my"
	assert_output "$D/my file"
}

@test "bash: the program after -- completes as a command, then its arguments as files" {
	# The build tree's PATH also has luoctl-full (installed, it is in libexec);
	# in the order of the directory.
	run -0 complete_words "$LUOCTL" create db -- luoc
	assert_equal "$(sort <<<"$output")" "$(printf 'luoctl\nluoctl-full')"
	run -0 complete_words "$LUOCTL" create db -- cat "$D/my"
	assert_output "$D/my file"
	# Options of luoctl no longer apply there.
	run -0 complete_words "$LUOCTL" dump -- cat --forma
	refute_output "--format"
}

@test "bash: with bash-completion loaded, the program after -- uses its own completion" {
	load_bash_completion
	run -0 complete_words luoctl create db -- luoctl fi
	assert_output "finish"
	run -0 complete_words luoctl retrieve db --finish -- luoctl dump --format d
	assert_output "dts"
}

@test "bash: luosim options, their values, then PROG as a command" {
	run -0 complete_words luosim --k
	assert_output "--kernel"
	run -0 complete_words luosim --kernel ""
	assert_output "6.19
7.2"
	run -0 complete_words luosim --state "$D/a"
	assert_output "$D/a dir"
	run -0 complete_words luosim --boots 2 --kernel 7.2 luoc
	assert_equal "$(sort <<<"$output")" "$(printf 'luoctl\nluoctl-full')"
	run -0 complete_words luosim -- luos
	assert_line "luosim"
	run -0 complete_words luosim --state "$D" sh "$D/my"
	assert_output "$D/my file"
	load_bash_completion
	run -0 complete_words luosim --boots 2 -- luoctl cr
	assert_output "create"
	run -0 complete_words luosim --kernel 6.19 luoctl dump --endian l
	assert_output "little"
}

@test "zsh: completion files parse" {
	require_tool zsh zsh
	run -0 zsh -n "$abs_top_srcdir/completions/zsh/_luoctl"
	run -0 zsh -n "$abs_top_srcdir/completions/zsh/_luosim"
}

@test "zsh: --format and --endian values, the program after --, files elsewhere" {
	require_tool zsh zsh
	local f=$abs_top_srcdir/completions/zsh/_luoctl
	run -0 zsh_complete "$f" luoctl dump --format ""
	assert_output "text
dts
json"
	run -0 zsh_complete "$f" luoctl dump -e ""
	assert_output "little
big"
	run -0 zsh_complete "$f" luoctl create db -- ls -l
	assert_output "normal 2 ls -l"
	run -0 zsh_complete "$f" luoctl create -f ""
	assert_output "files "
	run -0 zsh_complete "$f" luoctl dump --save ""
	assert_output "files -/"
}

@test "zsh: luosim's options, their values, PROG as a command line of its own" {
	require_tool zsh zsh
	run -0 zsh_complete "$abs_top_srcdir/completions/zsh/_luosim" luosim ""
	assert_line '--state[keep the machine state (handover) in DIR]:state directory:_files -/'
	assert_line '--kernel[kernel rules to follow]:kernel version:(6.19 7.2)'
	assert_line '1:program:_command_names -e'
	assert_line '*::program arguments:_normal'
}

# fish_complete CMDLINE: fish's candidates (without descriptions) for CMDLINE.
fish_complete() {
	fish -c 'source $argv[1]; source $argv[2]; complete -C $argv[3]' \
		"$abs_top_srcdir/completions/fish/luoctl.fish" \
		"$abs_top_srcdir/completions/fish/luosim.fish" "$1" | cut -f1
}

@test "fish: completion files parse" {
	require_tool fish fish
	run -0 fish --no-execute "$abs_top_srcdir/completions/fish/luoctl.fish"
	run -0 fish --no-execute "$abs_top_srcdir/completions/fish/luosim.fish"
}

@test "fish: --format and --endian values, file names whole, the program after --" {
	require_tool fish fish
	run -0 fish_complete "luoctl dump --format "
	assert_output "dts
json
text"
	run -0 fish_complete "luoctl dump -e "
	assert_output "big
little"
	run -0 fish_complete "luoctl dump $D/my"
	assert_output "$D/my file"
	run -0 fish_complete "luoctl create db -- luoctl fi"
	assert_output "finish"
}

@test "fish: luosim's options, their values, PROG and its arguments" {
	require_tool fish fish
	run -0 fish_complete "luosim --kernel "
	assert_output "6.19
7.2"
	run -0 fish_complete "luosim --state $D/a"
	assert_output "$D/a dir/"
	run -0 fish_complete "luosim --boots 2 luoctl cr"
	assert_output "create"
	run -0 fish_complete "luosim -- luoctl dump --endian l"
	assert_output "little"
}
