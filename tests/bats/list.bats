#!/usr/bin/env bats
# luoctl list: the sessions held now, with their holders. The two-holder test
# runs on luosim and on a real LUO kernel (tests/vm); the --root tests give the
# kernel's own /proc links on a prepared tree and run anywhere.
load helpers
load session-helpers

setup() {
	session_setup
}

# row NAME: the list line of session NAME in the last output.
row() {
	local line
	for line in "${lines[@]}"; do
		[[ $line == "$1 "* ]] && { echo "$line"; return 0; }
	done
	return 1
}

@test "two sessions held by two processes: names, kinds, holder PIDs and fds" {
	for k in $KERNELS; do
		rm -f "$W"/pid.* "$W"/list.*
		run --separate-stderr boot_sh "$k" '
			"$LUOCTL" create db -- sh -c "echo \$\$ > \"$W/pid.db.new\"; mv \"$W/pid.db.new\" \"$W/pid.db\"; exec sleep 60" &
			# until the holder has exec()ed sleep: its pid file is written just before
			until [ -s "$W/pid.db" ] && [ "$(cat "/proc/$(cat "$W/pid.db")/comm" 2>/dev/null)" = sleep ]; do sleep 0.05; done
			"$LUOCTL" create web --session-fd 7 -- sh -c "echo \$\$ > \"$W/pid.web.new\"; mv \"$W/pid.web.new\" \"$W/pid.web\"; exec sleep 60" &
			until [ -s "$W/pid.web" ] && [ "$(cat "/proc/$(cat "$W/pid.web")/comm" 2>/dev/null)" = sleep ]; do sleep 0.05; done
			"$LUOCTL" list > "$W/list.txt"
			"$LUOCTL" --json list > "$W/list.json"
			kill $(cat "$W/pid.db") $(cat "$W/pid.web")
			cat "$W/list.txt"'
		assert_success
		local db web
		db=$(cat "$W/pid.db")
		web=$(cat "$W/pid.web")
		assert_line --index 0 --regexp '^NAME +KIND +PID +FD +COMMAND +TOKENS$'
		run row db
		assert_output --regexp "^db +out +$db +3 +sleep +-$"
		run cat "$W/list.txt"
		run row web
		assert_output --regexp "^web +out +$web +7 +sleep +-$"
		if command -v jq >/dev/null; then
			assert_equal "$(jq -r '.sessions[] | [.name, .kind, .pid, .fd, .command] | @tsv' "$W/list.json")" \
				"$(printf 'db\tout\t%s\t3\tsleep\nweb\tout\t%s\t7\tsleep' "$db" "$web")"
		fi
	done
}

@test "no session held: only the header" {
	run --separate-stderr boot_sh 7.2 '"$LUOCTL" list'
	assert_success
	assert_line --index 0 --regexp '^NAME +KIND'
	refute_line --regexp '^[a-z]+ +(out|in) '
}

@test "luosim: incoming sessions not retrieved are listed; a retrieved one is held, kind in" {
	luosim_only "reads luosim's session table and uses luosim kexec"
	run --separate-stderr boot_sh 7.2 '"$LUOCTL" create db --file /etc/hostname:5 -- "$LUOCTL" create vm0 -- "$LUOSIM_BIN" kexec'
	assert_failure 99
	# One boot: a boot that ends without a kexec drops what it did not retrieve.
	run --separate-stderr boot_sh 7.2 '"$LUOCTL" list > "$W/before"
		"$LUOCTL" retrieve db --fd 5:9 -- sh -c "\"\$LUOCTL\" --json list > \"\$W/after.json\"; \"\$LUOCTL\" list"'
	assert_success
	assert_line "incoming sessions not retrieved: vm0"
	run row db
	assert_output --regexp '^db +in +[0-9]+ +3 +sh +5$'
	run cat "$W/before"
	assert_line "incoming sessions not retrieved: db vm0"
	refute_line --regexp '^db '
	if command -v jq >/dev/null; then
		assert_equal "$(jq -c '[.incoming_unclaimed, [.sessions[].name]]' "$W/after.json")" '[["vm0"],["db"]]'
	fi
}

@test "luosim: its session table maps the socket inode the holder sees to the session" {
	luosim_only "reads luosim's /sys/kernel/debug/luosim/sessions"
	run --separate-stderr boot_sh 7.2 '"$LUOCTL" create "a b%" -- sh -c "
		stat -L -c %i /proc/self/fd/3
		cat /sys/kernel/debug/luosim/sessions"'
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" "out ${lines[0]} held a%20b%25"
}

# A machine whose /proc shows what a real LUO kernel shows.
mk_proc() {
	P="$BATS_TEST_TMPDIR/machine"
	mkdir -p "$P/proc/100/fd" "$P/proc/200/fd" "$P/proc/300/fd"
	echo qemu-system-x86 > "$P/proc/100/comm"
	printf 'qemu-system-x86_64\0-m\0001G\0' > "$P/proc/100/cmdline"
	ln -s 'anon_inode:[luo_session] vm0' "$P/proc/100/fd/3"
	ln -s 'socket:[999]' "$P/proc/100/fd/4"
	echo postgres > "$P/proc/200/comm"
	printf 'postgres\0' > "$P/proc/200/cmdline"
	printf 'HOME=/\0LUOCTL_SESSIONS=5:in:db:1,2 6:out:db%%20new\0' > "$P/proc/200/environ"
	ln -s 'anon_inode:[luo_session] db' "$P/proc/200/fd/5"
	ln -s 'anon_inode:[luo_session] db new' "$P/proc/200/fd/6"
	echo bash > "$P/proc/300/comm"
	ln -s /dev/pts/0 "$P/proc/300/fd/0"
}

@test "--root: the kernel's anon_inode links, kinds and tokens from LUOCTL_SESSIONS" {
	mk_proc
	run --separate-stderr "$LUOCTL" list --root "$P"
	assert_success
	assert_equal "${#lines[@]}" 5
	assert_line --index 1 --regexp '^db +in +200 +5 +postgres +1,2$'
	assert_line --index 2 --regexp '^db new +out +200 +6 +postgres +-$'
	assert_line --index 3 --regexp '^vm0 +\? +100 +3 +qemu-system-x86 +-$'
	assert_line --index 4 "incoming sessions not retrieved: cannot be known on this kernel (LUO lists none; try luoctl retrieve NAME)"
}

@test "--root --json: kind null when unknown, tokens, cmdline, incoming null" {
	command -v jq >/dev/null || skip "jq is not installed"
	mk_proc
	run --separate-stderr "$LUOCTL" list --root "$P" --json
	assert_success
	assert_equal "$(jq -c '.sessions[0]' <<<"$output")" \
		'{"name":"db","kind":"in","pid":200,"fd":5,"command":"postgres","cmdline":"postgres","tokens":[1,2]}'
	assert_equal "$(jq -c '.sessions[2] | [.kind, .cmdline, .tokens]' <<<"$output")" '[null,"qemu-system-x86_64 -m 1G",null]'
	assert_equal "$(jq -c '[.incoming_unclaimed, .processes_unreadable]' <<<"$output")" '[null,0]'
}

@test "--root: luosim's session table resolves socket links" {
	mk_proc
	mkdir -p "$P/sys/kernel/debug/luosim"
	printf 'out 999 held web\nin - unclaimed old%%2F1\nin - finished gone\n' > "$P/sys/kernel/debug/luosim/sessions"
	run --separate-stderr "$LUOCTL" list --root "$P"
	assert_success
	assert_line --index 4 --regexp '^web +out +100 +4 +qemu-system-x86 +-$'
	assert_line "incoming sessions not retrieved: old/1"
}

@test "usage: list takes no arguments" {
	run --separate-stderr "$LUOCTL" list extra
	assert_failure 2
	assert_equal "$stderr" 'luoctl: list: unexpected argument "extra": luoctl list takes options only'
}
