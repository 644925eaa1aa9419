/* compat: the few calls lede makes that are not plain POSIX, each behind one
 * name here, so that a port to a BSD or macOS is a matter of this header and
 * src/compat.c. Linux (glibc or musl) is what is built and tested. */
#ifndef LEDE_COMPAT_H
#define LEDE_COMPAT_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Open flag for a directory used only as a base for *at() calls: O_PATH
 * needs no read permission on it where the system has one. */
#ifdef O_PATH
#define COMPAT_O_DIRSEARCH O_PATH
#else
#define COMPAT_O_DIRSEARCH O_RDONLY
#endif

/* A stat's modification, status-change and access times as struct timespec
 * lvalues (POSIX.1-2008 names; macOS spells them st_mtimespec, ...). */
#ifdef __APPLE__
#define COMPAT_ST_MTIM(st) ((st)->st_mtimespec)
#define COMPAT_ST_CTIM(st) ((st)->st_ctimespec)
#define COMPAT_ST_ATIM(st) ((st)->st_atimespec)
#else
#define COMPAT_ST_MTIM(st) ((st)->st_mtim)
#define COMPAT_ST_CTIM(st) ((st)->st_ctim)
#define COMPAT_ST_ATIM(st) ((st)->st_atim)
#endif

/* pipe(2) with both ends close-on-exec from the start where pipe2 exists;
 * elsewhere set just after, which only a fork in another thread could see. */
int compat_pipe_cloexec(int fds[2]);

/* qsort with a context argument, in glibc's argument order, whatever order
 * the system's own qsort_r takes (the BSDs and macOS differ). */
void compat_qsort_r(void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *, void *), void *arg);

/* Fill buf with n bytes from the kernel's random source without blocking;
 * 0, or -1 when it cannot (the caller falls back). */
int compat_random(void *buf, size_t n);

/* The running executable's path into buf (NUL-terminated); its length, or
 * -1 when the system cannot say. */
ssize_t compat_exe_path(char *buf, size_t size);

/* Give the system back the free pages inside the heap (glibc keeps what a
 * load freed in the middle of it, resident); nothing where malloc does
 * not say how. */
void compat_release_free_memory(void);

/* Have malloc map every block of at least n bytes on its own, and unmap it
 * when freed, from now on (glibc otherwise raises that size to the largest
 * such block freed, up to 32 MB, after which the arrays of a sort or a
 * search come from the heap and their pages stay, scattered among others,
 * when they are freed); nothing where malloc does not say how. */
void compat_map_blocks_from(size_t n);

/* n bytes of zeroed memory whose pages are all in place at once, rather
 * than each by a fault when first touched (a fault costs dearly on a
 * virtual machine, and tens of thousands of them were a fifth of a warm
 * --list), where the system can. Never NULL: no memory is fatal, as in
 * xmalloc. Free it with compat_unmap and the same n. */
void *compat_map_prefaulted(size_t n);
void compat_unmap(void *p, size_t n);
/* As compat_map_prefaulted, in huge pages where the system gives them (n
 * a multiple of 2 MB): memory read all over, in no order, then costs the
 * processor far fewer page translations, and its pages far fewer faults. */
void *compat_map_huge(size_t n);
/* Put in place at once the whole pages of the n bytes at p, where the
 * system can (else they come by faults, as before): for a big array about
 * to be filled. */
void compat_prefault(void *p, size_t n);
/* Let go of the resident pages of the n bytes at p, a read-only mapping of
 * a file never written through it: they stop counting as the process's
 * memory and come back from the file (the page cache's copy, a minor
 * fault) when next touched. Nothing where the system cannot say so. */
void compat_map_release(void *p, size_t n);

/* Let the calling thread yield the processor to the others of the
 * process: for work in the background that a key must never wait behind
 * (the check of every file after the reader's first screen). Nothing
 * where a thread has no priority of its own. */
void compat_lower_thread_priority(void);

/* In a child between fork and exec (async-signal-safe calls only): the
 * signals lede handles or ignores back to their defaults (an ignored one
 * would stay ignored across exec), none blocked. */
void compat_child_signals(void);

#endif
