#!/usr/bin/env bats
# Issue 11: /dev/liveupdate allows one opener at a time. luoctl waits for a
# busy device (10 s by default, --wait SECONDS, 0: fail at once), like
# flock -w, and names the holder when it gives up. These tests run the same
# on luosim and, through `boot`, on a real LUO kernel.
load helpers
load session-helpers

setup() {
	session_setup
}

# The holder: opens the device, says so in $W/held, keeps it for $1 seconds.
HOLD='exec 7<>/dev/liveupdate; echo held > "$W/held"; exec sleep "$1"'

@test "ten create chains started at once all succeed" {
	for k in $KERNELS; do
		# Each chain opens the device twice (two nested creates) and preserves.
		run --separate-stderr boot_sh "$k" 'pids=
			for i in 0 1 2 3 4 5 6 7 8 9; do
				echo "data $i" | "$LUOCTL" create "a$i" --stdin 1 -- \
					"$LUOCTL" create "b$i" -- sh -c "\"\$LUOCTL\" preserve a$i --stdin 2 </dev/null >/dev/null" &
				pids="$pids $!"
			done
			failed=0
			for p in $pids; do wait "$p" || failed=$((failed + 1)); done
			echo "failed: $failed"'
		assert_success
		assert_output "failed: 0"
		[ -z "$stderr" ]
	done
}

@test "a busy device is waited for while its holder keeps it" {
	for k in $KERNELS; do
		rm -f "$W/held"
		run --separate-stderr boot_sh "$k" 'sh -c '"'$HOLD'"' hold 1 &
			while [ ! -s "$W/held" ]; do sleep 0.02; done
			"$LUOCTL" create db -- true; echo "status $?"'
		assert_success
		assert_output "status 0"
		[ -z "$stderr" ]
	done
}

@test "--wait 0 fails at once, exit 4, naming the holder" {
	for k in $KERNELS; do
		rm -f "$W/held"
		# The holder keeps the device far longer than luoctl can take: still
		# holding afterwards means luoctl gave up rather than waited it out.
		run --separate-stderr boot_sh "$k" 'sh -c '"'$HOLD'"' holder 600 &
			while [ ! -s "$W/held" ]; do sleep 0.02; done
			"$LUOCTL" create --wait 0 db -- true; echo "status $?"
			kill -0 $! && echo "holder still holds"; kill $!'
		assert_success
		assert_line --index 0 "status 4"
		assert_line --index 1 "holder still holds"
		assert_regex "$stderr" '^luoctl: create: cannot open /dev/liveupdate: it is held by PID [0-9]+ \([^)]+\); it allows one opener at a time \(Device or resource busy\)$'
	done
}

@test "--wait gives up after SECONDS, naming the holder and the wait" {
	for k in $KERNELS; do
		rm -f "$W/held"
		# No upper bound on the time (load makes any bound flaky): the holder
		# outlasting luoctl shows it gave up; the lower bound, that it waited.
		run --separate-stderr boot_sh "$k" 'sh -c '"'$HOLD'"' holder 600 &
			while [ ! -s "$W/held" ]; do sleep 0.02; done
			start=$(date +%s%N); "$LUOCTL" retrieve --wait 0.3 db --finish; echo "status $?"
			echo "ms $(( ($(date +%s%N) - start) / 1000000 ))"
			kill -0 $! && echo "holder still holds"; kill $!'
		assert_success
		assert_line --index 0 "status 4"
		[ "${lines[1]#ms }" -ge 300 ]
		assert_line --index 2 "holder still holds"
		assert_regex "$stderr" '^luoctl: retrieve: cannot open /dev/liveupdate: it is held by PID [0-9]+ \([^)]+\) \(waited 0\.3 s, see --wait\); it allows one opener at a time \(Device or resource busy\)$'
	done
}

@test "a device fd luoctl itself inherited is not waited for" {
	for k in $KERNELS; do
		run --separate-stderr boot_sh "$k" 'exec 7<>/dev/liveupdate; exec "$LUOCTL" finish --wait 5 db'
		assert_failure 4
		assert_equal "$stderr" 'luoctl: finish: cannot open /dev/liveupdate: luoctl itself holds it at fd 7, inherited from its caller, which should have opened it close-on-exec (Device or resource busy)'
	done
}

@test "--wait takes a number of seconds, bounded" {
	for bad in -1 x 1e3 0x10 1. 86401; do
		run --separate-stderr "$LUOCTL" create --wait "$bad" db -- true
		assert_failure 2
	done
	assert_equal "$stderr" 'luoctl: create: --wait: more than a day (86400 seconds) is not a bounded wait'
	run --separate-stderr "$LUOCTL" finish --wait x db
	assert_equal "$stderr" 'luoctl: finish: --wait: expected a number of seconds, such as 10 or 0.5'
}

@test "--wait is completed for create, retrieve and finish" {
	source "$abs_top_srcdir/completions/bash/luoctl"
	for cmd in create retrieve finish; do
		COMP_WORDS=("$LUOCTL" "$cmd" --wa)
		COMP_CWORD=2
		COMPREPLY=()
		_luoctl
		assert_equal "${COMPREPLY[*]}" --wait
	done
}
