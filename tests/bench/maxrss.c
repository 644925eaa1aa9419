/* maxrss: run a command and report its wall time, peak memory and CPU time,
 * the figures the benchmark needs from every run, without /usr/bin/time
 * (which a minimal system may lack).
 *
 *     maxrss OUT COMMAND [ARG...]
 *
 * Runs COMMAND with its standard streams untouched (fork and execvp, no
 * shell) and writes "SECONDS MAXRSS_KB STATUS CPU_SECONDS" to the file OUT,
 * so that nothing mixes with the command's own output; the CPU time is user
 * plus system, of the command and of the processes it waited for, and the
 * peak is the largest of theirs (not their sum). Exits with the command's
 * status. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: maxrss OUT COMMAND [ARG...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "maxrss: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("maxrss: wait4");
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	FILE *f = fopen(argv[1], "w");
	/* ru_maxrss is in kilobytes on Linux */
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	if (!f || fprintf(f, "%.6f %ld %d %.6f\n", secs, ru.ru_maxrss, code, cpu) < 0 ||
	    fclose(f) != 0) {
		perror("maxrss: writing the result");
		return 125;
	}
	return code;
}
