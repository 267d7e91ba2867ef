// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test helper: run a program with one system call failing.
 *
 *   fail-syscall SYSCALL ERRNO PROG [ARG...]
 *
 * Every SYSCALL made by PROG and everything it starts fails with ERRNO (a
 * name such as EIO), through a seccomp filter that is inherited and cannot be
 * lifted. The faults tests use it for what this machine cannot otherwise make
 * happen here: a disk that reports an I/O error. luosim's own filter stacks
 * on top; an errno answer takes precedence over its user notifications.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct named {
	const char *name;
	int value;
};

#define NAMED(x) { #x, x }
static const struct named syscalls[] = {
	{ "fdatasync", SYS_fdatasync }, { "fsync", SYS_fsync },
	{ "io_submit", SYS_io_submit }, { "io_setup", SYS_io_setup },
};
static const struct named errnos[] = {
	NAMED(EIO), NAMED(ENOSPC), NAMED(EROFS), NAMED(ENOSYS), NAMED(EPERM),
};

/* The value of NAME in TABLE (N entries), or -1 with a message naming WHAT. */
static int lookup(const struct named *table, size_t n, const char *what, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return table[i].value;
	fprintf(stderr, "fail-syscall: unknown %s %s\n", what, name);
	return -1;
}

int main(int argc, char **argv)
{
	int nr, err;

	if (argc < 4) {
		fprintf(stderr, "usage: fail-syscall SYSCALL ERRNO PROG [ARG...]\n");
		return 2;
	}
	nr = lookup(syscalls, sizeof(syscalls) / sizeof(syscalls[0]), "system call", argv[1]);
	err = lookup(errnos, sizeof(errnos) / sizeof(errnos[0]), "errno", argv[2]);
	if (nr < 0 || err < 0)
		return 2;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned int)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	/* Without CAP_SYS_ADMIN a filter needs no_new_privs. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 &&
	    (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	     syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)) {
		fprintf(stderr, "fail-syscall: cannot install the filter: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "fail-syscall: cannot run %s: %s\n", argv[3], strerror(errno));
	return 127;
}
