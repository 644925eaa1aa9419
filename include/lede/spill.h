/* spill: a stream of bytes appended in memory and moved, a bounded piece
 * at a time, into an unnamed file, so that a writer can produce more than
 * it may hold; then copied out, any run of it in order, into another file
 * (in the kernel where it can), or read back. The cache writer's lanes,
 * index and records section are spills. Use one from one thread at a
 * time. */
#ifndef LEDE_SPILL_H
#define LEDE_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "lede/util.h"

/* What memory holds before it is moved to the file. */
enum { SPILL_BOUND = 256 * 1024 };

struct spill {
	/* The bytes after the file's: append to it directly (buf_add), then
	 * call spill_settle. */
	struct buf mem;
	int fd;           /* the file, -1 until the first move */
	uint64_t in_file; /* bytes in the file */
	/* Makes the file, open for reading and writing: a descriptor, or -1
	 * with errno. NULL: everything stays in memory. */
	int (*make)(void *ctx);
	void *ctx;
	int err;     /* the first failure's errno, 0: then what comes is dropped */
	size_t peak; /* the most bytes mem has had allocated, for tests */
};

void spill_init(struct spill *s, int (*make)(void *ctx), void *ctx);
/* The bytes written so far, in the file and in memory: the offset of the
 * next byte appended. */
uint64_t spill_size(const struct spill *s);
/* Move what memory holds to the file once it holds SPILL_BOUND bytes or
 * more (after a whole record: a record appended and found unwanted may be
 * cut off mem until then). */
void spill_settle(struct spill *s);
/* Everything in the file: made with make (the spill's own may be NULL)
 * when there is none yet, what memory holds written after what it has.
 * Its descriptor (the spill keeps it), or -1 with errno (also when the
 * spill had failed). */
int spill_file(struct spill *s, int (*make)(void *ctx), void *ctx);
/* Append bytes [off, off + len) of the stream to out at its offset.
 * 0, or -1 with errno (also when the spill had failed: its errno). */
int spill_copy(struct spill *s, uint64_t off, uint64_t len, int out);
/* Bytes [off, off + len) of the stream into dst. 0, or -1 with errno. */
int spill_read(const struct spill *s, uint64_t off, void *dst, size_t len);
void spill_free(struct spill *s);

#endif
