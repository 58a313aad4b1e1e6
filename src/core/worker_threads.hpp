// worker_threads.hpp: threads for pure computation inside one core call
// (shared/DESIGN.md, rule 6): started with every signal blocked, so the
// backend's handlers only ever run in the calling thread, and joined before
// the object (which lives inside the call) is destroyed.
#pragma once

#include "cpp_only.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <signal.h>
#include <thread>
#include <vector>

namespace vector_core
{

// While one lives, the calling thread has every signal blocked: threads
// started meanwhile inherit that mask, so the backend's signal handlers
// only ever run in the backend's own thread.
class SignalsBlocked
{
public:
	SignalsBlocked() noexcept;
	~SignalsBlocked();

	SignalsBlocked(const SignalsBlocked &) = delete;
	SignalsBlocked &operator=(const SignalsBlocked &) = delete;

private:
	sigset_t	caller_signals_;
};

class WorkerThreads
{
public:
	// Up to threads - 1 threads besides the caller; fewer if starting one
	// fails (count() says how many there are, the caller included).
	explicit WorkerThreads(size_t threads) noexcept;
	~WorkerThreads();

	WorkerThreads(const WorkerThreads &) = delete;
	WorkerThreads &operator=(const WorkerThreads &) = delete;

	size_t		count() const noexcept { return started_ + 1; }

	// Run work(index) once on every thread, the caller as index 0, and
	// return when all are done.  work must not throw.
	template <typename Work>
	void		run(Work &work) noexcept
	{
		run_erased([](void *job, size_t index) noexcept { (*static_cast<Work *>(job))(index); },
				   &work);
	}

	// Bytes the pool allocates for threads (their stacks aside).
	static size_t memory_bytes(size_t threads) noexcept;

private:
	using Job = void (*)(void *, size_t) noexcept;

	void		run_erased(Job job, void *argument) noexcept;
	void		serve(size_t index) noexcept;

	std::mutex	mutex_;
	std::condition_variable wake_;
	std::condition_variable finished_;
	Job			job_ = nullptr;
	void	   *argument_ = nullptr;
	uint64_t	generation_ = 0;
	size_t		pending_ = 0;
	bool		stopping_ = false;
	size_t		started_ = 0;
	std::vector<std::thread> threads_;
};

}							// namespace vector_core
