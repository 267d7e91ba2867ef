# fish completion for luoctl. Commands and options come from luoctl's own
# --help, generated from its command table.

function __luoctl_commands
    luoctl --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { n = $1; $1 = ""; sub(/^ +/, ""); print n "\t" $0 }'
end

function __luoctl_subcommand_options
    set -l cmd (commandline -opc)[2..-1]
    for w in $cmd
        if not string match -q -- '-*' $w
            luoctl $w --help 2>/dev/null | string match -ar -- '--[a-z][a-z0-9-]*' | sort -u
            return
        end
    end
end

# After "--": the program to run, completed as a command line of its own.
function __luoctl_after_dashdash
    contains -- -- (commandline -opc)
end

function __luoctl_program
    set -l words (commandline -opc)
    set -l i (contains -i -- -- $words)
    set -l rest $words[(math $i + 1)..-1]
    complete -C (string join ' ' -- (string escape -- $rest) (commandline -ct))
end

complete -c luoctl -f
complete -c luoctl -n __luoctl_after_dashdash -xa '(__luoctl_program)'
complete -c luoctl -n __fish_use_subcommand -a '(__luoctl_commands)'
complete -c luoctl -n __fish_use_subcommand -s j -l json -d 'print JSON instead of text'
complete -c luoctl -n __fish_use_subcommand -l pretty -d 'indent JSON output'
complete -c luoctl -n __fish_use_subcommand -s h -l help -d 'display this help'
complete -c luoctl -n __fish_use_subcommand -s V -l version -d 'display version'
complete -c luoctl -n '__fish_seen_subcommand_from help' -a '(__luoctl_commands)'
complete -c luoctl -n 'not __fish_use_subcommand; and not __luoctl_after_dashdash; and string match -q -- "-*" (commandline -ct)' -a '(__luoctl_subcommand_options)'
complete -c luoctl -n 'not __fish_use_subcommand; and not __luoctl_after_dashdash' -F
# dump's option values (its -f is --format; create's and retrieve's is --force).
complete -c luoctl -n '__fish_seen_subcommand_from dump; and not __luoctl_after_dashdash' -s f -l format -xa 'text dts json' -d 'output format'
complete -c luoctl -n '__fish_seen_subcommand_from dump; and not __luoctl_after_dashdash' -s e -l endian -xa 'little big' -d 'byte order'
