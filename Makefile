# PGXS build of the extension: the C glue (src/*.c) and the C++20 core
# (src/core) linked into one vector.so.  See shared/DESIGN.md for the layout.

EXTENSION = vector
EXTVERSION = 0.8.6

MODULE_big = vector
DATA = $(wildcard sql/$(EXTENSION)--*.sql)

# Every sql/<topic>.sql but the install and upgrade scripts is a regression test.
REGRESS = $(sort $(filter-out $(EXTENSION)--%,$(basename $(notdir $(wildcard sql/*.sql)))))
REGRESS_OPTS = --inputdir=. --load-extension=$(EXTENSION)

# TAP tests (make prove_installcheck) live in test/t.  PGXS would fall back
# to t/*.pl when there are none, so only switch them on when some exist.
PROVE_TESTS = $(wildcard test/t/*.pl)
ifneq ($(PROVE_TESTS),)
TAP_TESTS = 1
endif

ARCH := $(shell uname -m)

GLUE_SRCS = $(wildcard src/*.c src/hnsw/*.c src/ivfflat/*.c)
CORE_SRCS = $(wildcard src/core/*.cpp)

# Kernels compiled once per instruction set; cpu_dispatch.cpp picks one at load.
ifeq ($(ARCH),x86_64)
TARGET_SRCS = src/core/targets/sse4_2.cpp src/core/targets/avx2.cpp src/core/targets/avx512.cpp
else ifeq ($(ARCH),aarch64)
TARGET_SRCS = src/core/targets/neon.cpp
else
TARGET_SRCS =
endif

OBJS = $(GLUE_SRCS:.c=.o) $(CORE_SRCS:.cpp=.o) $(TARGET_SRCS:.cpp=.o)

# Per-target instruction sets; nothing else in the build may assume them.
src/core/targets/sse4_2.o: CXXFLAGS += -msse4.2 -mpopcnt
src/core/targets/avx2.o: CXXFLAGS += -mavx2 -mfma -mf16c -mpopcnt
src/core/targets/avx512.o: CXXFLAGS += -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vpopcntdq -mfma -mf16c -mpopcnt

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core
# -Wextra minus two checks that PostgreSQL's own headers and callback
# signatures trip (ARR_DATA_PTR's sign-mixed ?:, unused hook arguments).
PG_CFLAGS = -Wextra -Wno-unused-parameter -Wno-sign-compare
# The C++ core includes no PostgreSQL header and is unit-tested (CMake) with
# strict aliasing: PostgreSQL's -fno-strict-aliasing, meant for its own C,
# cost the core's k-means 18% (a 100k x 128 refinement: 1.35-1.38 s against
# 1.12-1.16 s, one thread, 5 alternating runs).  GCC's -O2 vectorises only
# loops that need no run-time checks or remainder (the very-cheap cost
# model): the k-means' loops over bounds have both, and vectorised took 12%
# less time (0.78 against 0.89 s, the same refinement, 5 runs each).
PG_CXXFLAGS = -std=c++20 -fPIC -Wextra -fvisibility=hidden -fno-math-errno -fno-trapping-math \
	-fstrict-aliasing -fvect-cost-model=dynamic
SHLIB_LINK = -lstdc++ -lm

# Bitcode for LLVM inlining would need clang; the kernels are not worth inlining.
override with_llvm = no

EXTRA_CLEAN = build tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS runs the TAP tests only inside installcheck; this runs them alone.
.PHONY: prove_installcheck
prove_installcheck:
	$(prove_installcheck)

$(OBJS): $(wildcard src/*.h src/hnsw/*.h src/ivfflat/*.h src/core/*.h src/core/*.hpp)
