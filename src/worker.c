/* worker: threads beside the main one, started, polled and joined, and
 * the jobs built on them: below the main thread's priority, stoppable,
 * their result taken in by the thread that started them (worker.h). */
#include "lede/worker.h"

#include <signal.h>

#include "lede/compat.h"

bool worker_spawn(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits it */
	bool started = pthread_create(tid, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

bool worker_start(struct worker *w, void *(*fn)(void *), void *arg)
{
	atomic_store(&w->done, false);
	w->running = worker_spawn(&w->tid, fn, arg);
	return w->running;
}

void worker_run(struct worker *w, void *(*fn)(void *), void *arg)
{
	if (!worker_start(w, fn, arg))
		fn(arg);
}

void worker_finish(struct worker *w)
{
	atomic_store_explicit(&w->done, true, memory_order_release);
}

bool worker_done(struct worker *w)
{
	return !w->running || atomic_load_explicit(&w->done, memory_order_acquire);
}

void worker_join(struct worker *w)
{
	if (w->running)
		pthread_join(w->tid, NULL);
	w->running = false;
}

static void *job_main(void *arg)
{
	struct worker_job *j = arg;
	/* below the reader's thread: a key never waits behind the job */
	compat_lower_thread_priority();
	j->result = j->work(j->arg, &j->cancel);
	worker_finish(&j->w);
	return NULL;
}

bool worker_job_start(struct worker_job *j, worker_job_fn *work, void *arg)
{
	j->work = work;
	j->arg = arg;
	return worker_start(&j->w, job_main, j);
}

bool worker_job_take(struct worker_job *j, bool wait, void **out)
{
	*out = NULL;
	if (!wait && !worker_done(&j->w))
		return false;
	worker_join(&j->w);
	*out = j->result;
	return true;
}

void worker_job_stop(struct worker_job *j)
{
	atomic_store(&j->cancel, true);
}
