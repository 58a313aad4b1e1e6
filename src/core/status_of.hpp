// status_of.hpp: the one place where a C++ exception becomes a vc_status.
//
// Every extern "C" function of vector_core.h runs its work through
// status_of, so nothing throws across the C boundary.  Only allocation
// failures can happen inside the core (std::length_error for an absurd size
// included): all of them are VC_ERROR_NO_MEMORY.
#pragma once

#include "cpp_only.hpp"

#include "vector_core.h"

namespace vector_core
{

template <typename Action>
vc_status
status_of(Action &&action) noexcept
{
	try
	{
		action();
		return VC_OK;
	}
	catch (...)
	{
		return VC_ERROR_NO_MEMORY;
	}
}

// The create function of an opaque handle built from a params struct:
// *out is NULL unless a new Handle(*params) is returned with VC_OK.
template <typename Handle, typename Params>
vc_status
create_handle(const Params *params, bool (*is_valid)(const Params &) noexcept,
			  Handle **out) noexcept
{
	if (out == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	*out = nullptr;
	if (params == nullptr || !is_valid(*params))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { *out = new Handle(*params); });
}

}							// namespace vector_core
