/* timing: the clocks and the sort the benchmark's timed programs share
 * (timing.h). */
#include "timing.h"

#include <sys/resource.h>
#include <time.h>

static double ms_of(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

double timing_now_ms(void)
{
	return ms_of(CLOCK_MONOTONIC);
}

double timing_cpu_ms(void)
{
	return ms_of(CLOCK_THREAD_CPUTIME_ID);
}

long timing_peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int timing_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
