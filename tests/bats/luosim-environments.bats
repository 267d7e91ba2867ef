#!/usr/bin/env bats
# Where users run test suites: a chroot whose / is not a mount point
# (debootstrap, sbuild, pbuilder, schroot), a container without CAP_SYS_ADMIN,
# an unprivileged user.
load helpers
load luosim-helpers

setup() {
	luosim_only "tests luosim itself in chroots and without capabilities"
	[[ $(id -u) == 0 ]] || fail "these tests build chroots and drop capabilities: run them as root"
	require_tool capsh libcap2-bin
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT"/{usr,dev,sys,proc,tmp,etc} "$ROOT$abs_top_builddir" "$ROOT$abs_top_srcdir"
	local l
	for l in bin lib lib64 sbin; do
		ln -s "usr/$l" "$ROOT/$l"
	done
}

# A stage script for two boots: a session and a memfd, a kexec, then the retrieve.
TWO_BOOTS='
	echo "boot $LUOSIM_BOOT"
	if [ "$LUOSIM_BOOT" = 1 ]; then
		"$CLIENT" open d create s d db memfd m 100 fill m 0 100 7 preserve s m 1 hold \
			>/dev/null && exec "$LUOSIM_BIN" kexec
	fi
	"$CLIENT" open d retrieve s d db getfd m s 1 verify m 0 100 7'

# in_chroot [BINDS...] -- COMMAND...: COMMAND chrooted into $ROOT, a plain
# directory, never a mount point, in a mount namespace of its own. BINDS name
# what to mount in it: dev, sys, proc (the usual chroot set-up). The mount
# holding $ROOT is shared, as / is on a systemd host: a mount luosim made
# without making it private first would show up outside, and fails the call.
in_chroot() {
	local binds=()
	while [[ $1 != -- ]]; do
		binds+=("$1")
		shift
	done
	shift
	unshare -m sh -c '
		root=$1 binds=$2
		shift 2
		mount --bind "${root%/*}" "${root%/*}"
		mount --make-shared "${root%/*}"
		mount --rbind /usr "$root/usr"
		mount --bind "$abs_top_builddir" "$root$abs_top_builddir"
		[ "$abs_top_srcdir" = "$abs_top_builddir" ] ||
			mount --bind "$abs_top_srcdir" "$root$abs_top_srcdir"
		for b in $binds; do
			case $b in
			proc) mount -t proc proc "$root/proc" ;;
			*) mount --rbind "/$b" "$root/$b" ;;
			esac
		done
		before=$(wc -l </proc/self/mountinfo)
		unshare -m --propagation unchanged chroot "$root" "$@"
		status=$?
		after=$(wc -l </proc/self/mountinfo)
		[ "$before" = "$after" ] || { echo "luosim leaked $((after - before)) mounts"; exit 90; }
		exit $status' sh "$ROOT" "${binds[*]}" "$@"
}

@test "chroot whose / is not a mount point: a full kexec, and no mount reaches outside" {
	run -0 in_chroot dev sys proc -- "$LUOSIM_BIN" --boots 2 sh -c "$TWO_BOOTS"
	assert_line "boot 1"
	assert_line "boot 2"
	assert_line "verify: ok"
}

@test "chroot without /dev mounted: luosim refuses, naming what to mount" {
	run -125 in_chroot sys proc -- "$LUOSIM_BIN" true
	assert_output "luosim: / is not a mount point (a chroot?) and neither is /dev, so luosim's mounts could reach the host: mount /dev, /sys and /proc in the chroot, or bind-mount the chroot onto itself: Invalid argument"
}

@test "root without CAP_SYS_ADMIN (a container): a user namespace, the same machine" {
	run -0 capsh --drop=cap_sys_admin -- -c 'grep CapEff /proc/self/status'
	local eff=${output##*:}
	(( (16#${eff//[[:space:]]/} >> 21 & 1) == 0 ))
	run capsh --drop=cap_sys_admin -- -c '"$LUOSIM_BIN" --boots 2 sh -c "$1"' sh "$TWO_BOOTS"
	# In a chroot (quickstart's own test run, say) no user namespace is possible.
	assert_userns_run capsh --drop=cap_sys_admin -- -c 'unshare --user true'
}

@test "without CAP_SYS_ADMIN in a chroot (no user namespace possible): what it needs" {
	run -125 in_chroot dev sys proc -- /usr/sbin/capsh --drop=cap_sys_admin -- -c '"$LUOSIM_BIN" true'
	assert_output "$USERNS_NEEDED"
}
