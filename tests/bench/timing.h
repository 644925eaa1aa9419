/* timing: the clocks and the sort the benchmark's timed programs share
 * (cluster, facets, marks), so that each reads time the same way. */
#ifndef LEDE_BENCH_TIMING_H
#define LEDE_BENCH_TIMING_H

/* Wall time in milliseconds, from an arbitrary start (CLOCK_MONOTONIC). */
double timing_now_ms(void);
/* CPU time of the calling thread in milliseconds, which a busy machine
 * changes less than the wall time. */
double timing_cpu_ms(void);
/* The process's peak resident memory so far, in KiB. */
long timing_peak_kb(void);
/* Ascending doubles, for qsort. */
int timing_cmp_double(const void *a, const void *b);

#endif
