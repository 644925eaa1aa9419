/* spill: a byte stream held in memory up to a bound and beyond it in an
 * unnamed file, copied out in runs (see spill.h). */
#define _GNU_SOURCE /* copy_file_range */
#include "lede/spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lede/atomic.h"

enum { COPY_PIECE = 256 * 1024 };

void spill_init(struct spill *s, int (*make)(void *ctx), void *ctx)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->make = make;
	s->ctx = ctx;
}

uint64_t spill_size(const struct spill *s)
{
	return s->in_file + s->mem.len;
}

void spill_settle(struct spill *s)
{
	if (s->mem.cap > s->peak)
		s->peak = s->mem.cap;
	if (!s->make || s->mem.len < SPILL_BOUND)
		return;
	if (!s->err && s->fd < 0 && (s->fd = s->make(s->ctx)) < 0)
		s->err = errno ? errno : EIO;
	/* Failed: the bytes are counted but dropped, so that offsets stay
	 * right and memory bounded; copying out then says why. */
	if (!s->err && atomic_write_fd(s->fd, s->mem.data, s->mem.len) < 0)
		s->err = errno ? errno : EIO;
	s->in_file += s->mem.len;
	s->mem.len = 0;
}

int spill_file(struct spill *s, int (*make)(void *ctx), void *ctx)
{
	if (!s->err && s->fd < 0 && (s->fd = make(ctx)) < 0)
		s->err = errno ? errno : EIO;
	if (!s->err && atomic_write_fd(s->fd, s->mem.data, s->mem.len) < 0)
		s->err = errno ? errno : EIO;
	if (s->err) {
		errno = s->err;
		return -1;
	}
	s->in_file += s->mem.len;
	s->mem.len = 0;
	return s->fd;
}

/* pread of all of len bytes at off. */
static int read_all(int fd, void *dst, size_t len, uint64_t off)
{
	char *p = dst;
	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int spill_read(const struct spill *s, uint64_t off, void *dst, size_t len)
{
	if (s->err) {
		errno = s->err;
		return -1;
	}
	char *p = dst;
	if (off < s->in_file) {
		size_t k = s->in_file - off < len ? (size_t)(s->in_file - off) : len;
		if (read_all(s->fd, p, k, off) < 0)
			return -1;
		p += k, off += k, len -= k;
	}
	if (len)
		memcpy(p, s->mem.data + (off - s->in_file), len);
	return 0;
}

/* The file's bytes [off, off + len) to out, by the kernel when it can (no
 * trip through this process's memory), else through a buffer. */
static int copy_file_part(struct spill *s, uint64_t off, uint64_t len, int out)
{
#ifdef __linux__
	while (len) {
		loff_t in = (loff_t)off;
		size_t want = len > (1u << 30) ? 1u << 30 : (size_t)len;
		ssize_t r = copy_file_range(s->fd, &in, out, NULL, want, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* not here (another file system, an old kernel): by hand */
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
#endif
	char *b = len ? xmalloc(COPY_PIECE) : NULL;
	int rc = 0;
	while (len && rc == 0) {
		size_t k = len > COPY_PIECE ? COPY_PIECE : (size_t)len;
		rc = read_all(s->fd, b, k, off) < 0 || atomic_write_fd(out, b, k) < 0 ? -1 : 0;
		off += k;
		len -= k;
	}
	free(b);
	return rc;
}

int spill_copy(struct spill *s, uint64_t off, uint64_t len, int out)
{
	if (s->err) {
		errno = s->err;
		return -1;
	}
	if (off < s->in_file) {
		uint64_t k = s->in_file - off < len ? s->in_file - off : len;
		if (copy_file_part(s, off, k, out) < 0)
			return -1;
		off += k, len -= k;
	}
	return len ? atomic_write_fd(out, s->mem.data + (off - s->in_file), (size_t)len) : 0;
}

void spill_free(struct spill *s)
{
	if (s->fd >= 0)
		close(s->fd);
	buf_free(&s->mem);
	s->fd = -1;
}
