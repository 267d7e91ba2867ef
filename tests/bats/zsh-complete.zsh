# zsh-complete.zsh FILE WORD...: run the zsh completion function in FILE for the
# command line WORD... (the last word being completed), with the completion
# system's builtins replaced by stubs that print what they were given: the
# candidates, "files ARGS" for _files, "normal CURRENT WORDS" for _normal.
f=$1
shift
compadd() { local -a a; a=("${@:#-*}"); [[ $1 == -a ]] && a=("${(P@)2}"); print -rl -- "${a[@]}" }
_describe() { print -rl -- "${(P@)4}" }
_files() { print -r -- "files $*" }
_normal() { print -r -- "normal $CURRENT ${(j: :)words}" }
_arguments() { print -rl -- "$@" }
_call_program() { shift; eval "$*" }
words=("$@")
CURRENT=$#
PREFIX=${words[-1]}
# As compsys runs it: a function, so its locals are local.
_complete_it() { source $f }
_complete_it
