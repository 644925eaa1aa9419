/* yaml_floor: the least any loader built on libyaml can cost. Reads every
 * regular file under the directories given, on one thread, and runs only
 * libyaml's event parser over it (yaml_parser_parse until STREAM_END or an
 * error): no article is built, nothing is kept. The benchmark compares
 * lede's cold load with this.
 *
 *     yaml_floor DIR...
 *
 * Prints "files bytes events errors" so that a run that parsed nothing
 * cannot pass for a fast one. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		parse_file(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: yaml_floor DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (nftw(argv[i], visit, 64, FTW_PHYS) < 0) {
			fprintf(stderr, "yaml_floor: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
	printf("%llu files %llu bytes %llu events %llu errors\n", files, bytes, events, errors);
	free(data);
	return 0;
}
