/* The threads beside the main one: a worker job's result taken in once,
 * never before its work is done, a stop its work sees, and a worker
 * never started that is done already and joins at once. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdint.h>

#include "lede/worker.h"

static void *answer(void *arg, const atomic_bool *cancel)
{
	(void)cancel;
	return arg;
}

/* Runs until told to stop: until then the job cannot be taken. */
static void *until_stopped(void *arg, const atomic_bool *cancel)
{
	while (!atomic_load(cancel))
		sched_yield();
	return arg;
}

Test(worker, job_result_taken_when_done)
{
	int x;
	struct worker_job j = {0};
	cr_assert(worker_job_start(&j, answer, &x));
	void *out = NULL;
	cr_assert(worker_job_take(&j, true, &out));
	cr_assert_eq(out, &x);
	cr_assert_not(j.w.running, "the thread is joined");
}

Test(worker, job_not_taken_before_its_work_ends, .timeout = 10)
{
	int x;
	struct worker_job j = {0};
	cr_assert(worker_job_start(&j, until_stopped, &x));
	void *out = &x;
	for (int i = 0; i < 100; i++) {
		cr_assert_not(worker_job_take(&j, false, &out), "taken while it runs");
		cr_assert_null(out);
	}
	worker_job_stop(&j);
	cr_assert(worker_job_take(&j, true, &out));
	cr_assert_eq(out, &x);
}

Test(worker, never_started_is_done)
{
	struct worker w = {0};
	cr_assert(worker_done(&w));
	worker_join(&w); /* nothing to wait for */
	cr_assert_not(w.running);
}
