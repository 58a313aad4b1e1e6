// cpp_only.hpp: included first by every internal header of the core.
//
// The core must never see PostgreSQL's headers: ereport() longjmps, and a
// longjmp across C++ frames that own objects skips their destructors. Making
// the mix a compile error keeps the boundary mechanical (shared/DESIGN.md).
#pragma once

#ifdef PG_VERSION_NUM
#error "src/core is C++ that must not include PostgreSQL headers; talk to it through vector_core.h"
#endif

#ifndef __cplusplus
#error "this header is C++ only; C code includes vector_core.h"
#endif
