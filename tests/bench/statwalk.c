/* statwalk: the least that listing an archive and stat-ing every file can
 * cost, on one thread or several. The benchmark compares lede's warm load
 * and its first screen with this on two threads, beside the one-thread
 * `find -printf` walk.
 *
 *     statwalk [-j THREADS] DIR...
 *
 * The directories to read are shared between the threads (each takes the
 * next one not yet taken); every entry of each is stat-ed with fstatat,
 * symbolic links not followed. Prints "files bytes" so that a walk that
 * found nothing cannot pass for a fast one. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_THREADS = 64 };

/* The directories found and not yet read, and how many threads are reading
 * one (and may find more): the walk is over when both are none. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;
	char **dirs;
	size_t n, cap, busy;
	unsigned long long files, bytes;
} walk = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, 0, 0, 0};

static void die(const char *what)
{
	fprintf(stderr, "statwalk: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Called with the lock held. */
static void push(char *dir)
{
	if (walk.n == walk.cap) {
		walk.cap = walk.cap ? walk.cap * 2 : 64;
		if (!(walk.dirs = realloc(walk.dirs, walk.cap * sizeof *walk.dirs)))
			die("realloc");
	}
	walk.dirs[walk.n++] = dir;
	pthread_cond_signal(&walk.more);
}

/* Reads one directory; the subdirectories it finds go to the others. */
static void read_dir(char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d)
		die(path);
	unsigned long long files = 0, bytes = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			die(e->d_name);
		if (S_ISDIR(st.st_mode)) {
			char *sub;
			if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
				die("asprintf");
			pthread_mutex_lock(&walk.lock);
			push(sub);
			pthread_mutex_unlock(&walk.lock);
		} else if (S_ISREG(st.st_mode)) {
			files++;
			bytes += (unsigned long long)st.st_size;
		}
	}
	closedir(d);
	free(path);
	pthread_mutex_lock(&walk.lock);
	walk.files += files;
	walk.bytes += bytes;
	pthread_mutex_unlock(&walk.lock);
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&walk.lock);
	for (;;) {
		while (!walk.n && walk.busy)
			pthread_cond_wait(&walk.more, &walk.lock);
		if (!walk.n)
			break;
		char *dir = walk.dirs[--walk.n];
		walk.busy++;
		pthread_mutex_unlock(&walk.lock);
		read_dir(dir);
		pthread_mutex_lock(&walk.lock);
		walk.busy--;
		if (!walk.busy && !walk.n)
			pthread_cond_broadcast(&walk.more); /* the others may stop */
	}
	pthread_mutex_unlock(&walk.lock);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, opt;
	while ((opt = getopt(argc, argv, "j:")) != -1) {
		threads = opt == 'j' ? atoi(optarg) : 0;
		if (threads < 1 || threads > MAX_THREADS) {
			fprintf(stderr, "usage: statwalk [-j THREADS] DIR...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: statwalk [-j THREADS] DIR...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		char *dir = strdup(argv[i]);
		if (!dir)
			die("strdup");
		push(dir);
	}
	pthread_t tid[MAX_THREADS];
	for (int t = 1; t < threads; t++)
		if ((errno = pthread_create(&tid[t], NULL, worker, NULL)) != 0)
			die("pthread_create");
	worker(NULL);
	for (int t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	printf("%llu files %llu bytes\n", walk.files, walk.bytes);
	free(walk.dirs);
	return 0;
}
