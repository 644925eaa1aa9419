/* yaml_floor: the least any loader built on libyaml can cost. Reads every
 * regular file under the directories given, on one thread, and runs only
 * libyaml's event parser over it (yaml_parser_parse until STREAM_END or an
 * error): no article is built, nothing is kept. The benchmark compares
 * lede's cold load with this.
 *
 *     yaml_floor [-j PROCESSES] DIR...
 *
 * With -j, the files are listed first (in the order of the walk) and each
 * of that many processes parses its own contiguous share of the list: the
 * floor for a loader that uses every core.
 *
 * Prints "files bytes events errors" so that a run that parsed nothing
 * cannot pass for a fast one. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

static unsigned long long files, bytes, events, errors;
static char *data;
static size_t cap;

static int parse_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "yaml_floor: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t want = (size_t)st.st_size + 1, n = 0;
	if (want > cap) {
		cap = want * 2;
		free(data);
		if (!(data = malloc(cap))) {
			perror("yaml_floor");
			exit(1);
		}
	}
	ssize_t r;
	while (n < cap && (r = read(fd, data + n, cap - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "yaml_floor: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);

	yaml_parser_t p;
	yaml_event_t ev;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, n);
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			errors++;
			break;
		}
		events++;
		int done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (done)
			break;
	}
	yaml_parser_delete(&p);
	files++;
	bytes += n;
	return 0;
}

/* The files listed for -j, or NULL: each is parsed as the walk finds it. */
static char **list;
static size_t nlist, caplist;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (!caplist)
		return parse_file(path), 0;
	if (nlist == caplist && !(list = realloc(list, (caplist *= 2) * sizeof *list)))
		return -1;
	return (list[nlist++] = strdup(path)) ? 0 : -1;
}

/* Parses the listed files on nproc processes, each its contiguous share,
 * and adds up what they counted. */
static int parse_list(int nproc)
{
	unsigned long long(*sum)[4] =
		mmap(NULL, (size_t)nproc * sizeof *sum, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sum == MAP_FAILED) {
		perror("yaml_floor: mmap");
		return 1;
	}
	for (int k = 0; k < nproc; k++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("yaml_floor: fork");
			return 1;
		}
		if (pid == 0) {
			for (size_t i = nlist * (size_t)k / (size_t)nproc;
			     i < nlist * (size_t)(k + 1) / (size_t)nproc; i++)
				parse_file(list[i]);
			sum[k][0] = files, sum[k][1] = bytes, sum[k][2] = events, sum[k][3] = errors;
			_exit(0);
		}
	}
	int status, failed = 0;
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	for (int k = 0; k < nproc; k++)
		files += sum[k][0], bytes += sum[k][1], events += sum[k][2], errors += sum[k][3];
	return failed;
}

int main(int argc, char **argv)
{
	int nproc = 0, opt;
	while ((opt = getopt(argc, argv, "j:")) != -1)
		if (opt != 'j' || (nproc = atoi(optarg)) < 1 || nproc > 64)
			optind = argc + 1;
	if (optind >= argc) {
		fprintf(stderr, "usage: yaml_floor [-j PROCESSES] DIR...\n");
		return 2;
	}
	if (nproc && !(list = malloc((caplist = 1024) * sizeof *list))) {
		perror("yaml_floor");
		return 1;
	}
	for (int i = optind; i < argc; i++)
		if (nftw(argv[i], visit, 64, FTW_PHYS) < 0) {
			fprintf(stderr, "yaml_floor: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
	if (nproc && parse_list(nproc) != 0)
		return 1;
	printf("%llu files %llu bytes %llu events %llu errors\n", files, bytes, events, errors);
	for (size_t i = 0; i < nlist; i++)
		free(list[i]);
	free(list);
	free(data);
	return 0;
}
