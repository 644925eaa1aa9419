/* atomic: replacing a file whole, for the cache and the marks. A reader
 * sees the old file or the new one, never half of either, and nothing
 * planted beside the file can turn the write onto another file.
 *
 * The new content goes to a temporary "PATH.tmp.PID.RANDOM" in PATH's own
 * directory (a rename is atomic only within one file system), created with
 * O_CREAT|O_EXCL|O_NOFOLLOW: a symbolic or hard link planted under any name
 * makes the creation fail and another name is drawn, so the write never
 * lands in a file that existed before. It is synced, renamed over PATH, and
 * the directory synced, so that the rename too survives a crash (a file
 * that can be made again is only renamed: atomic_commit_derived).
 * Temporaries left by processes that died mid-write are removed on the way
 * (the PID in the name tells whose they are). */
#ifndef LEDE_ATOMIC_H
#define LEDE_ATOMIC_H

#include <stddef.h>

struct atomic_file {
	int fd;     /* where the new content goes; -1 once closed */
	char *tmp;  /* the temporary's path (owned) */
	char *path; /* the file it will replace (owned) */
};

/* Start replacing path, whose directory must exist: sweep stale
 * temporaries, create a fresh one (mode 0600). Returns 0, or -1 with errno
 * (and af holds nothing). */
int atomic_begin(struct atomic_file *af, const char *path);
/* Append data[0..n) to the temporary. Returns 0, or -1 with errno. */
int atomic_write(struct atomic_file *af, const void *data, size_t n);
/* Sync the temporary, rename it over the path, sync the directory. Returns
 * 0, or -1 with errno, the temporary removed and the old file untouched.
 * Either way af is released. */
int atomic_commit(struct atomic_file *af);
/* atomic_commit for a file made from others that can be made again (the
 * cache): renamed without waiting for its bytes or the rename to reach
 * the disk. A reader never sees half of it while the system runs; after a
 * crash it may find it empty, or with blocks of zeros, or the old file,
 * which is why such a file must check itself when it is read. */
int atomic_commit_derived(struct atomic_file *af);
/* Give up: remove the temporary, release af. */
void atomic_abort(struct atomic_file *af);

/* An unnamed file in path's directory (which must exist), open for
 * reading and writing, for data on its way to path: it is gone once
 * closed, whatever becomes of the process (it has a name, one of
 * atomic_begin's temporaries', only for the instant between its creation
 * and its unlinking, where O_TMPFILE is missing). Returns the descriptor,
 * or -1 with errno. */
int atomic_scratch(const char *path);

/* Give fd, an unnamed file of atomic_scratch in path's directory, the
 * name path, replacing whatever is there as atomic_commit_derived does
 * (not synced): linked under a fresh temporary name, then renamed. Where
 * the file cannot be given a name (no O_TMPFILE, no /proc), its bytes are
 * copied into a temporary that is. 0, or -1 with errno and path as it
 * was. fd stays open, the caller's. */
int atomic_publish_scratch(int fd, const char *path);

/* Remove "PATH.tmp.PID" and "PATH.tmp.PID.RANDOM" (16 hex digits) files,
 * and no other, whose process is gone (and has been for a minute: a process
 * of another PID namespace may still be writing), or that nobody has
 * touched for a day. */
void atomic_sweep(const char *path);

/* Open lockpath, never through a symbolic link, and flock it with op:
 * LOCK_EX creates the file (mode 0600) when missing, LOCK_SH only opens it
 * (ENOENT when no writer ever made it). Returns the descriptor, to close()
 * to unlock, or -1 with errno. */
int atomic_lock(const char *lockpath, int op);

/* Sync the directory holding path, so that a new name in it is durable.
 * Returns 0, or -1 with errno. */
int atomic_sync_dir(const char *path);

/* write() all of data[0..n) to fd, retrying short writes and EINTR.
 * Returns 0, or -1 with errno. */
int atomic_write_fd(int fd, const void *data, size_t n);

#endif
