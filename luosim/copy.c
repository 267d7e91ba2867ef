// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Moving a preserved memfd's bytes to the state directory at a kexec and back
 * into a new memfd at RETRIEVE_FD.
 *
 * The page-aligned bulk bypasses the page cache (O_DIRECT): at the kexec it
 * goes straight from the memfd's pages (mapped) to the disk, several writes in
 * flight; at RETRIEVE_FD from the disk into a buffer, then into the new memfd. A buffered copy puts a
 * second full-size copy in the page cache at the kexec: twice the fresh memory,
 * which costs more than the disk I/O on this project's VMs (touching 1 GiB of
 * new memory there takes 0.7-1.7 s; see bench/README.md, luosim-bench).
 * What O_DIRECT cannot take (a tail shorter than a page, a filesystem or a
 * mapping that refuses it) is copied through a buffer, as before. Holes of
 * the source are skipped either way, and both file offsets end where they
 * were, so a memfd keeps the position the tree left it at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io.h"
#include "luosim.h"

/* Bytes moved by one O_DIRECT call, and by one buffered pread/pwrite pair. */
#define DIRECT_CHUNK   (8 << 20)
#define BUFFERED_CHUNK (1 << 20)
/*
 * O_DIRECT writes in flight at the kexec. One at a time, each from its own
 * mapping, the disk idles between them: 1 GiB took 0.65-0.78 s here, against
 * 0.50-0.53 s with 4 of 8 MiB in flight from one mapping (bench/README.md).
 */
#define SAVE_DEPTH 4
/* Buffered copies start writeback every this many bytes, so the final fsync has little left. */
#define WRITEBACK_CHUNK (32 << 20)

struct copy {
	int in, out;
	bool to_memfd; /* restore: `out` is the memfd; save: `in` is */
	bool direct;   /* O_DIRECT has not been refused so far */
	off_t page;
};

/* Bounce buffers, aligned for O_DIRECT: two for the pipelined restore. */
static char bounce[2][DIRECT_CHUNK] __attribute__((aligned(4096)));

static int copy_buffered(const struct copy *c, off_t start, off_t end)
{
	char *buf = bounce[0];

	while (start < end) {
		size_t want = (size_t)(end - start) < BUFFERED_CHUNK ? (size_t)(end - start)
								     : BUFFERED_CHUNK;
		ssize_t n = pread(c->in, buf, want, start);

		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		int err = io_pwrite_all(c->out, buf, (size_t)n, start);

		if (err)
			return err;
		if (!c->to_memfd && ((start + n) & (WRITEBACK_CHUNK - 1)) == 0)
			sync_file_range(c->out, start + n - WRITEBACK_CHUNK, WRITEBACK_CHUNK,
					SYNC_FILE_RANGE_WRITE);
		start += n;
	}
	return 0;
}

static int set_direct(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_DIRECT : fl & ~O_DIRECT;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

/*
 * One chunk [start, start + len) with O_DIRECT. 0, 1 when O_DIRECT was refused
 * (the caller copies buffered), or -errno.
 */
static int copy_direct_chunk(const struct copy *c, off_t start, size_t len)
{
	char *buf = bounce[0];
	ssize_t n;
	int err;

	if (c->to_memfd) {
		/*
		 * Into a buffer, then pwrite: the memfd's pages are allocated by
		 * the write, not faulted in one by one through a mapping (here 3-6x
		 * slower, and the noisier for it).
		 */
		n = pread(c->in, buf, len, start);
		if (n < 0)
			return errno == EINVAL ? 1 : -errno;
		if ((size_t)n != len)
			return -EIO;
		return io_pwrite_all(c->out, buf, len, start);
	}
	/* From the memfd's own pages: no copy, no new memory. */
	char *map = mmap(NULL, len, PROT_READ, MAP_SHARED, c->in, start);

	if (map == MAP_FAILED)
		return 1; /* a write-sealed memfd on kernels before 6.7 */
	err = io_pwrite_all(c->out, map, len, start);
	munmap(map, len);
	return err == -EINVAL ? 1 : err;
}

static size_t chunk_len(off_t at, off_t end)
{
	return end - at < DIRECT_CHUNK ? (size_t)(end - at) : DIRECT_CHUNK;
}

static int submit_io(aio_context_t ctx, struct iocb *cb, uint16_t op, int fd, char *buf,
		     off_t at, size_t len)
{
	struct iocb *list[1] = { cb };

	*cb = (struct iocb){ .aio_lio_opcode = op,
			     .aio_fildes = (uint32_t)fd,
			     .aio_buf = (uintptr_t)buf,
			     .aio_nbytes = len,
			     .aio_offset = at };
	return syscall(SYS_io_submit, ctx, 1, list) == 1 ? 0 : -errno;
}

static int submit_read(aio_context_t ctx, struct iocb *cb, int fd, char *buf, off_t at,
		       size_t len)
{
	return submit_io(ctx, cb, IOCB_CMD_PREAD, fd, buf, at, len);
}

/*
 * The one read in flight: 0 once all of it is in, or -errno. *reaped says
 * whether it is over (false only when io_getevents itself failed).
 */
static int wait_read(aio_context_t ctx, const struct iocb *cb, bool *reaped)
{
	struct io_event ev;
	long n;

	do
		n = syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL);
	while (n < 0 && errno == EINTR);
	*reaped = n == 1;
	if (n != 1)
		return n < 0 ? -errno : -EIO;
	if (ev.res < 0)
		return (int)ev.res;
	return (uint64_t)ev.res == cb->aio_nbytes ? 0 : -EIO;
}

/*
 * The supervisor's one AIO context, made at the first large restore and kept:
 * io_destroy() waits for an RCU grace period, tens of milliseconds, which a
 * context per file would add to every RETRIEVE_FD.
 */
static aio_context_t aio_ctx;
static bool aio_ready, aio_refused;
static pid_t aio_pid; /* a context is not inherited by a fork */

static bool aio_get(void)
{
	if (aio_ready && aio_pid != getpid())
		aio_ready = aio_refused = false;
	if (!aio_ready && !aio_refused) {
		aio_pid = getpid();
		/* ENOSYS, a seccomp profile, fs.aio-max-nr reached: copy without it. */
		aio_ready = syscall(SYS_io_setup, SAVE_DEPTH, &aio_ctx) == 0;
		aio_refused = !aio_ready;
	}
	return aio_ready;
}

/* I/O is in flight that could not be waited for: io_destroy() waits for it. */
static void aio_drop(void)
{
	syscall(SYS_io_destroy, aio_ctx);
	aio_ready = false;
}

/*
 * Restore with the disk read of chunk k + 1 in flight (kernel AIO, which
 * O_DIRECT makes asynchronous) while chunk k is written into the memfd: done
 * one after the other, the two took 0.2-0.5 s and 0.4-1 s for 1 GiB here.
 * Not a thread: the supervisor has unshared its PID namespace for the
 * simulated machine, and clone(CLONE_THREAD) fails there with EINVAL.
 * 0, 1 when there is nothing to overlap (one chunk) or AIO or O_DIRECT was
 * refused before anything moved, or -errno. No read is in flight on return.
 */
static int restore_pipelined(const struct copy *c, off_t start, off_t end)
{
	struct iocb cb[2];
	bool moved = false, in_flight;
	int cur = 0, err;

	if (end - start <= DIRECT_CHUNK || !aio_get())
		return 1;
	err = submit_read(aio_ctx, &cb[0], c->in, bounce[0], start, chunk_len(start, end));
	in_flight = !err;
	for (off_t at = start; !err && at < end; at += DIRECT_CHUNK, cur ^= 1) {
		off_t next = at + DIRECT_CHUNK;
		bool reaped;

		err = wait_read(aio_ctx, &cb[cur], &reaped);
		in_flight = !reaped;
		if (!err && next < end) {
			err = submit_read(aio_ctx, &cb[cur ^ 1], c->in, bounce[cur ^ 1], next,
					  chunk_len(next, end));
			in_flight = !err;
		}
		if (!err)
			err = io_pwrite_all(c->out, bounce[cur], cb[cur].aio_nbytes, at);
		moved = moved || !err;
	}
	if (in_flight) {
		bool reaped;

		wait_read(aio_ctx, &cb[cur], &reaped);
		if (!reaped)
			aio_drop();
	}
	return err == -EINVAL && !moved ? 1 : err;
}

/*
 * A write that came up short, as when the disk fills: the rest is written
 * synchronously, which either completes it or says why it cannot (ENOSPC).
 * O_DIRECT writes stop on a block boundary; any other stop is an I/O error.
 */
static int finish_short_write(const struct iocb *cb, uint64_t done)
{
	if (done % 512)
		return -EIO;
	return io_pwrite_all((int)cb->aio_fildes, (const char *)(uintptr_t)cb->aio_buf + done,
			     cb->aio_nbytes - done, (off_t)(cb->aio_offset + done));
}

/*
 * Wait for at least one of the writes in flight; each one reaped frees its
 * slot. 0, or -errno of the first that failed (its slot is freed too).
 * *lost: io_getevents itself failed, and what is in flight cannot be waited
 * for.
 */
static int reap_writes(struct iocb *cb, int *free_slot, int *nr_free, bool *moved, bool *lost)
{
	struct io_event ev[SAVE_DEPTH];
	long n;
	int err = 0;

	do
		n = syscall(SYS_io_getevents, aio_ctx, 1, SAVE_DEPTH, ev, NULL);
	while (n < 0 && errno == EINTR);
	*lost = n < 1;
	if (n < 1)
		return n < 0 ? -errno : -EIO;
	for (long i = 0; i < n; i++) {
		int slot = (int)((struct iocb *)(uintptr_t)ev[i].obj - cb);
		int e = ev[i].res < 0 ? (int)ev[i].res : 0;

		free_slot[(*nr_free)++] = slot;
		if (!e && (uint64_t)ev[i].res != cb[slot].aio_nbytes)
			e = finish_short_write(&cb[slot], (uint64_t)ev[i].res);
		*moved = *moved || !e;
		err = err ? err : e;
	}
	return err;
}

/*
 * Save with SAVE_DEPTH O_DIRECT writes in flight (kernel AIO), all from one
 * mapping of the extent: a mapping per write set up its page tables again
 * each time (0.1 s per GiB). 0, 1 when AIO or O_DIRECT or the mapping was
 * refused before anything moved, or -errno. Nothing is in flight on return.
 */
static int save_pipelined(const struct copy *c, off_t start, off_t end)
{
	size_t len = (size_t)(end - start);
	struct iocb cb[SAVE_DEPTH];
	int free_slot[SAVE_DEPTH], nr_free = SAVE_DEPTH, err = 0;
	bool moved = false, lost = false;
	char *map;

	if (len <= DIRECT_CHUNK || !aio_get())
		return 1;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, c->in, start);
	if (map == MAP_FAILED)
		return 1; /* a write-sealed memfd on kernels before 6.7 */
	for (int i = 0; i < SAVE_DEPTH; i++)
		free_slot[i] = i;
	for (off_t at = start; !err && at < end;) {
		if (nr_free == 0) {
			err = reap_writes(cb, free_slot, &nr_free, &moved, &lost);
			continue;
		}
		int slot = free_slot[--nr_free];

		err = submit_io(aio_ctx, &cb[slot], IOCB_CMD_PWRITE, c->out, map + (at - start), at,
				chunk_len(at, end));
		if (err)
			free_slot[nr_free++] = slot;
		at += DIRECT_CHUNK;
	}
	/* The pages stay mapped until no write reads them any more. */
	while (nr_free < SAVE_DEPTH && !lost) {
		int e = reap_writes(cb, free_slot, &nr_free, &moved, &lost);

		err = err ? err : e;
	}
	if (lost)
		aio_drop(); /* waits for what is in flight */
	munmap(map, len);
	return err == -EINVAL && !moved ? 1 : err;
}

/* Chunk by chunk: a save or a restore where AIO is refused. */
static int copy_chunks(const struct copy *c, off_t start, off_t end)
{
	int err = 0;

	for (off_t o = start; !err && o < end; o += DIRECT_CHUNK) {
		err = copy_direct_chunk(c, o, chunk_len(o, end));
		if (err == 1 && o != start)
			err = -EINVAL; /* refused half-way: not a fallback case */
	}
	return err;
}

static int copy_direct(struct copy *c, off_t start, off_t end)
{
	int file = c->to_memfd ? c->in : c->out;
	int err = 1;

	/* O_DIRECT only around the aligned middle: the ragged ends go buffered. */
	if (c->direct && set_direct(file, true) == 0) {
		err = c->to_memfd ? restore_pipelined(c, start, end) : save_pipelined(c, start, end);
		if (err == 1)
			err = copy_chunks(c, start, end);
		set_direct(file, false);
	}
	if (err == 1) {
		/*
		 * Refused before anything moved (a filesystem without O_DIRECT:
		 * FUSE, data=journal ext4; a write-sealed memfd's mapping on
		 * kernels before 6.7): the range buffered.
		 */
		c->direct = false;
		err = copy_buffered(c, start, end);
	}
	return err;
}

/* One data extent: the page-aligned middle direct, the ragged ends buffered. */
static int copy_extent(struct copy *c, off_t start, off_t end)
{
	off_t a = (start + c->page - 1) & ~(c->page - 1), b = end & ~(c->page - 1);
	int err;

	if (a >= b)
		return copy_buffered(c, start, end);
	err = copy_buffered(c, start, a);
	if (!err)
		err = copy_direct(c, a, b);
	if (!err)
		err = copy_buffered(c, b, end);
	return err;
}

static int copy_sparse(struct copy *c, uint64_t size)
{
	off_t data = 0, hole;
	int err;

	while ((uint64_t)data < size) {
		data = lseek(c->in, data, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(c->in, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if ((uint64_t)hole > size)
			hole = (off_t)size;
		err = copy_extent(c, data, hole);
		if (err)
			return err;
		data = hole;
	}
	return 0;
}

static int copy_with_file(int in, int out, bool to_memfd, uint64_t size)
{
	struct copy c = { .in = in, .out = out, .to_memfd = to_memfd, .direct = true,
			  .page = sysconf(_SC_PAGESIZE) };
	/* SEEK_DATA/SEEK_HOLE move the source's offset: put it back. */
	off_t pos = lseek(in, 0, SEEK_CUR);
	int err = copy_sparse(&c, size);

	if (pos >= 0 && lseek(in, pos, SEEK_SET) < 0 && !err)
		err = -errno;
	return err;
}

int copy_memfd_to_file(int memfd, int file, uint64_t size)
{
	return copy_with_file(memfd, file, false, size);
}

int copy_file_to_memfd(int file, int memfd, uint64_t size)
{
	return copy_with_file(file, memfd, true, size);
}
