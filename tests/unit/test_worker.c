/* The threads beside the main one: a worker job's result taken in once,
 * never before its work is done, a stop its work sees, a worker never
 * started that is done already and joins at once, and every thread
 * started with the signals blocked that the program handles, the
 * starting thread's own mask left as it was. */
#include <criterion/criterion.h>
#include <sched.h>
#include <signal.h>
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

/* The signals the program's handlers are for, and whether each is
 * blocked in the calling thread: bit k for the k-th. */
static const int handled[] = {SIGWINCH, SIGINT, SIGTERM, SIGTSTP, SIGCONT, SIGHUP};

static unsigned blocked_here(void)
{
	sigset_t now;
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	unsigned bits = 0;
	for (size_t k = 0; k < sizeof handled / sizeof *handled; k++)
		if (sigismember(&now, handled[k]))
			bits |= 1u << k;
	return bits;
}

static void *note_mask(void *arg)
{
	*(unsigned *)arg = blocked_here();
	return NULL;
}

Test(worker, threads_start_with_the_handled_signals_blocked)
{
	const unsigned all = (1u << (sizeof handled / sizeof *handled)) - 1;
	unsigned before = blocked_here(), seen = 0;
	pthread_t tid;
	cr_assert(worker_spawn(&tid, note_mask, &seen));
	pthread_join(tid, NULL);
	cr_expect_eq(seen, all, "blocked in a spawned thread: %#x of %#x", seen, all);
	cr_expect_eq(blocked_here(), before, "the caller's mask changed");

	seen = 0;
	struct worker w = {0};
	worker_run(&w, note_mask, &seen);
	cr_assert(w.running, "no thread was had");
	worker_join(&w);
	cr_expect_eq(seen, all, "blocked in a worker: %#x of %#x", seen, all);
}
