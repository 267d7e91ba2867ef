# fish completion for luosim: its options, then PROG and its arguments
# completed as a command line of their own.

# The index of PROG in the command line so far, or nothing while options go on.
function __luosim_prog_index
    set -l words (commandline -opc)
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --state --kernel --boots --release
                set i (math $i + 2)
            case --
                math $i + 1
                return
            case '-*'
                set i (math $i + 1)
            case '*'
                echo $i
                return
        end
    end
    return 1
end

function __luosim_in_prog
    set -l i (__luosim_prog_index); or return 1
    test $i -le (count (commandline -opc))
end

function __luosim_program
    set -l i (__luosim_prog_index)
    set -l words (commandline -opc)
    complete -C (string join ' ' -- (string escape -- $words[$i..-1]) (commandline -ct))
end

complete -c luosim -f
complete -c luosim -n 'not __luosim_in_prog' -l state -xa '(__fish_complete_directories)' -d 'keep the machine state in DIR'
complete -c luosim -n 'not __luosim_in_prog' -l kernel -xa '6.19 7.2' -d 'kernel rules to follow'
complete -c luosim -n 'not __luosim_in_prog' -l boots -x -d 'run PROG again after each kexec, up to N boots'
complete -c luosim -n 'not __luosim_in_prog' -l share-net -d 'keep the host network namespace'
complete -c luosim -n 'not __luosim_in_prog' -l release -x -d 'the simulated kernel release string'
complete -c luosim -n 'not __luosim_in_prog' -s h -l help -d 'display the help'
complete -c luosim -n 'not __luosim_in_prog' -s V -l version -d 'display the version'
complete -c luosim -n 'not __luosim_in_prog; and not string match -q -- "-*" (commandline -ct)' -xa '(__fish_complete_command)'
complete -c luosim -n __luosim_in_prog -xa '(__luosim_program)'
