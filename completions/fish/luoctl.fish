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

complete -c luoctl -f
complete -c luoctl -n __fish_use_subcommand -a '(__luoctl_commands)'
complete -c luoctl -n __fish_use_subcommand -s j -l json -d 'print JSON instead of text'
complete -c luoctl -n __fish_use_subcommand -l pretty -d 'indent JSON output'
complete -c luoctl -n __fish_use_subcommand -s h -l help -d 'display this help'
complete -c luoctl -n __fish_use_subcommand -s V -l version -d 'display version'
complete -c luoctl -n '__fish_seen_subcommand_from help' -a '(__luoctl_commands)'
complete -c luoctl -n 'not __fish_use_subcommand; and string match -q -- "-*" (commandline -ct)' -a '(__luoctl_subcommand_options)'
complete -c luoctl -n 'not __fish_use_subcommand' -F
