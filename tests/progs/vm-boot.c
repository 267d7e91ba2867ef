// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vm-boot PROG [ARG...]: one "boot" of a VM-tier test (tests/vm/luosim-shim).
 *
 * Under luosim a boot ends when its program does: luosim kills whatever the
 * program left running (holders that setsid() and sleep included), and the
 * device and the sessions they held are released. On the real kernel the shim
 * runs the program directly, so a holder would outlive its boot: the next test
 * finds the device busy, and bats waits for ever on the fd the holder kept.
 *
 * So this becomes a child subreaper, runs PROG, and when PROG exits kills every
 * descendant still running (orphans are re-parented to it), then exits with
 * PROG's status (128 + signal if it was killed). A boot that kexecs never gets
 * here: the machine is gone first.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The parent pid in /proc/PID/stat, after the comm (which may hold ") "). */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512];
	const char *p;
	FILE *f;
	size_t n;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* SIGKILL every child of ours; how many were signalled. */
static int kill_children(void)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && parent_of(e->d_name) == self &&
		    kill(atoi(e->d_name), SIGKILL) == 0)
			n++;
	closedir(d);
	return n;
}

int main(int argc, char *argv[])
{
	pid_t prog;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: vm-boot PROG [ARG...]\n");
		return 125;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("vm-boot: PR_SET_CHILD_SUBREAPER");
		return 125;
	}
	prog = fork();
	if (prog < 0) {
		perror("vm-boot: fork");
		return 125;
	}
	if (prog == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "vm-boot: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(prog, &status, 0) < 0)
		if (errno != EINTR) {
			perror("vm-boot: waitpid");
			return 125;
		}
	/* The boot is over: what it left running goes, as luosim ends a boot. */
	for (;;) {
		kill_children();
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			break;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
