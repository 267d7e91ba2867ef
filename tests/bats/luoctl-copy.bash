# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by helpers.bash (every bats file) and by bad-input-setup.bash (which
# tests/vm/bad-input also runs outside bats).

# copy_luoctl_for_anyone DIR: copies of $LUOCTL and of the luoctl-full it runs for
# dump, check and list, in DIR, that any user may execute (the build tree may
# be private: /root/... in a chroot, say); prints the copy of luoctl's path.
copy_luoctl_for_anyone() {
	mkdir -p "$1"
	chmod 755 "$1"
	cp "$LUOCTL" "${LUOCTL%/*}/luoctl-full" "$1/"
	chmod 755 "$1/luoctl" "$1/luoctl-full"
	echo "$1/luoctl"
}
