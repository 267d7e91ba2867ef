#!/usr/bin/env bats
# tests/vm/run-vm itself, driven by a fake QEMU (no kernel is booted): what it
# does when a kexec hangs and when QEMU cannot use KVM.

load helpers

setup() {
	[[ $EUID == 0 ]] || skip "run-vm builds its initramfs with mknod: root only"
	F=$BATS_TEST_TMPDIR
	# What kernel-build prints, without building a kernel.
	mkdir -p "$F/kdir"
	: >"$F/kdir/bzImage"
	echo 7.2.99-fake >"$F/kdir/version"
	printf 'echo "ok - a step"\n' >"$F/step"
	chmod +x "$F/step"
	# The fake QEMU: writes the console and the VM directory as a guest would
	# (FAKE_QEMU says how far it gets) and answers QMP as QEMU does.
	cat >"$F/qemu" <<'PY'
#!/usr/bin/env python3
import json, os, signal, socket, sys, time

args = sys.argv[1:]
opt = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("-")}
serial = opt["-serial"].removeprefix("file:")
vmdir = os.path.dirname(serial)
accel = opt["-machine"].split("accel=")[1]
with open(os.path.join(vmdir, "qemu.argv"), "a") as f:
    f.write(" ".join(args) + "\n")
mode = os.environ["FAKE_QEMU"]
if mode == "kvm-abort" and "kvm" in accel:
    print("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69", file=sys.stderr)
    signal.signal(signal.SIGABRT, signal.SIG_DFL)
    os.abort()


def put(path, text):
    with open(os.path.join(vmdir, path), "w") as f:
        f.write(text)


console = open(serial, "w", buffering=1)
console.write("Linux version 7.2.99-fake\r\n")
put("boot", "1\n")
if mode == "kexec-hang":
    # Listening before the line that starts run-vm's clock, as QEMU is.
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(opt["-qmp"].removeprefix("unix:").split(",")[0])
    sock.listen(1)
    console.write("kexec_core: Starting new kernel\r\n")
    conn, _ = sock.accept()
    out = conn.makefile("rw")
    out.write(json.dumps({"QMP": {"version": {}, "capabilities": []}}) + "\n")
    out.flush()
    for line in out:
        cmd = json.loads(line)
        answer = {}
        if cmd["execute"] == "human-monitor-command":
            answer = "fake answer to " + cmd["arguments"]["command-line"] + "\n"
        out.write(json.dumps({"return": answer}) + "\n")
        out.flush()
    time.sleep(3600)
# The whole plan ran: one step, one case.
os.makedirs(os.path.join(vmdir, "step.0"), exist_ok=True)
put("step.0/tap", "ok - the fake guest ran its plan\n")
put("cursor", "1\n")
put("finished", "")
PY
	chmod +x "$F/qemu"
	export QEMU=$F/qemu LUOCTL_VM_KDIR=$F/kdir
}

teardown() {
	pkill -f "python3 $F/qemu" || true
}

@test "run-vm: a kexec whose new kernel stays silent is ended, named, and its CPUs kept" {
	FAKE_QEMU=kexec-hang LUOCTL_VM_KEXEC_STALL=2 LUOCTL_VM_ACCEL=tcg \
		run --separate-stderr "$abs_top_srcdir/tests/vm/run-vm" --series 7.2 --script "$F/step" --dir "$F/vm" --timeout 120
	assert_success
	assert_line --regexp "^not ok 1 - 7\.2: the VM did not finish its plan: the kexec after boot 1 hung: no console output from the new kernel for 2 s \(the CPUs then: $F/vm/kexec-hung.regs\), stopped in step 1 of 1 "
	assert_line "1..1"
	# What the monitor said, asked over QMP before QEMU was ended.
	run cat "$F/vm/kexec-hung.regs"
	assert_output "(qemu) info registers -a
fake answer to info registers -a

(qemu) x/8i \$pc
fake answer to x/8i \$pc"
	# The fake QEMU is gone: run-vm killed it, not the VM timeout.
	run pgrep -f "python3 $F/qemu"
	assert_failure
}

@test "run-vm: QEMU failing under KVM before the first boot runs the plan again under TCG" {
	FAKE_QEMU=kvm-abort LUOCTL_VM_ACCEL=kvm \
		run --separate-stderr "$abs_top_srcdir/tests/vm/run-vm" --series 7.2 --script "$F/step" --dir "$F/vm"
	assert_success
	assert_output "ok 1 - 7.2: the fake guest ran its plan
1..1"
	assert_regex "$stderr" "vm 7\.2: QEMU failed under kvm \(status 134\): qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69"
	assert_regex "$stderr" "vm 7\.2: retrying under TCG"
	run cut -d' ' -f2 "$F/vm/qemu.argv"
	assert_output "q35,accel=kvm
q35,accel=tcg"
}
