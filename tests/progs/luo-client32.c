// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * luo-client32: a freestanding i386 program (int 0x80, no libc) for the
 * "32-bit caller" rows. Built by the test itself with `cc -m32 -nostdlib`.
 * Its exit status is a bit mask:
 *   1  open("/dev/liveupdate") failed
 *   2  CREATE_SESSION on the device fd answered ENOTTY (no compat handler)
 *   4  reboot() with a wrong magic answered EPERM: refused before the kernel,
 *      which would have said EINVAL (harmless everywhere: wrong magic)
 */
#define NR_EXIT 1
#define NR_OPEN 5
#define NR_IOCTL 54
#define NR_REBOOT 88

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

struct create_session {
	unsigned int size;
	int fd;
	char name[64];
};

void _start(void);

void _start(void)
{
	struct create_session arg = { 72, -1, "compat" };
	long fd = sys3(NR_OPEN, (long)"/dev/liveupdate", 2 /* O_RDWR */, 0);
	long r = fd < 0 ? fd : sys3(NR_IOCTL, fd, 0xBA00, (long)&arg);
	long rb = sys3(NR_REBOOT, (long)0xfee1dead, 0x12345678, 0x45584543);
	int mask = (fd < 0 ? 1 : 0) | (r == -25 /* ENOTTY */ ? 2 : 0) |
		   (rb == -1 /* EPERM */ ? 4 : 0);

	sys3(NR_EXIT, mask, 0, 0);
	for (;;)
		;
}
