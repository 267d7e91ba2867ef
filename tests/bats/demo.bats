#!/usr/bin/env bats
# The README's demo: a full simulated live update must run and verify its data.
load helpers

@test "examples/demo carries 1 MiB and a message across a simulated kexec" {
	run "$abs_top_srcdir/examples/demo"
	assert_success
	assert_line "boot 2: 1 MiB state came back byte for byte; message: hello from the old kernel"
	assert_line "demo: live update simulated successfully"
}
