// worker_threads.cpp: a pool of signal-blocked threads that runs one job at a
// time on all of them and is joined on destruction.
#include "worker_threads.hpp"

#include <pthread.h>
#include <signal.h>

namespace vector_core
{

SignalsBlocked::SignalsBlocked() noexcept
{
	sigset_t	all_signals;

	sigfillset(&all_signals);
	pthread_sigmask(SIG_BLOCK, &all_signals, &caller_signals_);
}

SignalsBlocked::~SignalsBlocked()
{
	pthread_sigmask(SIG_SETMASK, &caller_signals_, nullptr);
}

WorkerThreads::WorkerThreads(size_t threads) noexcept
{
	if (threads <= 1)
		return;

	SignalsBlocked blocked;		// inherited by the threads

	try
	{
		threads_.reserve(threads - 1);
		for (size_t index = 1; index < threads; index++)
		{
			threads_.emplace_back([this, index] { serve(index); });
			started_++;
		}
	}
	catch (...)
	{
		// Fewer threads than asked for: callers share the work by count().
	}
}

WorkerThreads::~WorkerThreads()
{
	{
		std::lock_guard<std::mutex> lock(mutex_);

		stopping_ = true;
	}
	wake_.notify_all();
	for (std::thread &thread : threads_)
		thread.join();
}

size_t
WorkerThreads::memory_bytes(size_t threads) noexcept
{
	// the vector of handles and each thread's shared state (a few words)
	return threads * (sizeof(std::thread) + 128);
}

void
WorkerThreads::run_erased(Job job, void *argument) noexcept
{
	if (started_ > 0)
	{
		std::lock_guard<std::mutex> lock(mutex_);

		job_ = job;
		argument_ = argument;
		pending_ = started_;
		generation_++;
	}
	wake_.notify_all();
	job(argument, 0);
	if (started_ > 0)
	{
		std::unique_lock<std::mutex> lock(mutex_);

		finished_.wait(lock, [this] { return pending_ == 0; });
	}
}

void
WorkerThreads::serve(size_t index) noexcept
{
	uint64_t	seen = 0;

	for (;;)
	{
		Job			job;
		void	   *argument;

		{
			std::unique_lock<std::mutex> lock(mutex_);

			wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
			if (stopping_)
				return;
			seen = generation_;
			job = job_;
			argument = argument_;
		}
		job(argument, index);

		std::lock_guard<std::mutex> lock(mutex_);

		if (--pending_ == 0)
			finished_.notify_one();
	}
}

}							// namespace vector_core
