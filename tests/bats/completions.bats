#!/usr/bin/env bats
# Shell completions: they take commands and options from luoctl's own --help.
load helpers

setup() {
	source "$abs_top_srcdir/completions/bash/luoctl"
}

complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_luoctl
	printf '%s\n' "${COMPREPLY[@]}"
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

@test "zsh completion parses" {
	require_tool zsh zsh
	run -0 zsh -n "$abs_top_srcdir/completions/zsh/_luoctl"
}

@test "fish completion parses" {
	require_tool fish fish
	run -0 fish --no-execute "$abs_top_srcdir/completions/fish/luoctl.fish"
}
