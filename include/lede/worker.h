/* worker: the threads the program starts beside its main one, and the
 * boilerplate each would otherwise repeat. A worker is a thread started
 * and not yet joined that says when it is done; a worker job is a worker
 * below the main thread's priority, with a flag asking it to stop and a
 * result that the thread which started it takes in (the reader's
 * clusters and facets' counts each embed one). */
#ifndef LEDE_WORKER_H
#define LEDE_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* A thread started (running) and not yet joined, and whether it is done:
 * set by the thread as its last act (worker_finish), so that joining it
 * then waits for nothing. Zeroed, it is a worker never started. */
struct worker {
	pthread_t tid;
	bool running;
	atomic_bool done;
};

/* pthread_create(tid, fn, arg) with every signal blocked in the new
 * thread, so that signals (SIGWINCH, SIGINT, SIGTSTP) stay with the
 * threads that were already there, where the program's handlers expect
 * them. Every thread of the program is started through it. False when no
 * thread could be had. */
bool worker_spawn(pthread_t *tid, void *(*fn)(void *), void *arg);

/* Start fn(arg) on a thread of w's; false when no thread could be had
 * (w is then as if never started). */
bool worker_start(struct worker *w, void *(*fn)(void *), void *arg);
/* fn(arg) on a thread of w's, or right here when no thread can be had
 * (slower, the same result); worker_join then waits for it either way. */
void worker_run(struct worker *w, void *(*fn)(void *), void *arg);
/* The thread's last act: from then on joining it waits for nothing. */
void worker_finish(struct worker *w);
/* Whether the thread is done (or was never started). From the thread
 * that started it. */
bool worker_done(struct worker *w);
/* Wait for the thread to end, if it was started; w is then not running. */
void worker_join(struct worker *w);

/* The work of a job: arg as given to worker_job_start, cancel the job's
 * flag (poll it; once it reads true, give up). Returns the result, owned
 * by whoever takes it in; NULL is a result too (e.g. cancelled). */
typedef void *worker_job_fn(void *arg, const atomic_bool *cancel);

/* A piece of work on a thread of its own, below the main thread's
 * priority, so that a key never waits behind it. Embedded by its owner,
 * which must keep it in place until worker_job_take returns true. */
struct worker_job {
	struct worker w;
	atomic_bool cancel;
	worker_job_fn *work;
	void *arg;
	void *result;
};

/* Start work(arg) on j's thread; j zeroed before. False when no thread
 * could be had: nothing runs, nothing is to be taken. */
bool worker_job_start(struct worker_job *j, worker_job_fn *work, void *arg);
/* When the job is done (wait: wait for it): true, its thread joined and
 * *out its result. false while it runs (*out NULL). From the thread that
 * started it. */
bool worker_job_take(struct worker_job *j, bool wait, void **out);
/* Ask the job to stop, without waiting: its work sees the flag. */
void worker_job_stop(struct worker_job *j);

#endif
