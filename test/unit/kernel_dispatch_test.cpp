// kernel_dispatch_test.cpp: choosing and forcing SIMD targets.
#include "kernel_test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace
{

TEST(KernelDispatch, SupportedTargetsAreBestFirstAndEndWithScalar)
{
	auto		targets = kernel_test::supported_targets();

	ASSERT_FALSE(targets.empty());
	EXPECT_EQ(targets.front(), vc_simd_best_target());
	EXPECT_EQ(targets.back(), "scalar");

	const char *one[1];

	EXPECT_EQ(vc_simd_supported_targets(one, 1), targets.size());
	EXPECT_EQ(std::string(one[0]), targets.front());
	EXPECT_EQ(vc_simd_supported_targets(nullptr, 0), targets.size());
}

TEST(KernelDispatch, EveryTargetCanBeForcedAndReset)
{
	for (const std::string &name : kernel_test::supported_targets())
	{
		ASSERT_EQ(vc_simd_set_target(name.c_str()), VC_OK);
		EXPECT_EQ(vc_simd_target(), name);
	}
	ASSERT_EQ(vc_simd_set_target(nullptr), VC_OK);

	// With no VECTOR_SIMD_TARGET in the test environment, the default is the best.
	if (std::getenv("VECTOR_SIMD_TARGET") == nullptr)
	{
		EXPECT_STREQ(vc_simd_target(), vc_simd_best_target());
	}
}

TEST(KernelDispatch, UnknownOrUnsupportedNamesAreRejected)
{
	const char *before = vc_simd_target();

	EXPECT_EQ(vc_simd_set_target("avx1024"), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_simd_set_target(""), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_simd_set_target("AVX2"), VC_ERROR_INVALID_ARGUMENT);
#if defined(__x86_64__)
	EXPECT_EQ(vc_simd_set_target("neon"), VC_ERROR_INVALID_ARGUMENT);
#else
	EXPECT_EQ(vc_simd_set_target("avx2"), VC_ERROR_INVALID_ARGUMENT);
#endif
	EXPECT_STREQ(vc_simd_target(), before);
}

// VECTOR_SIMD_TARGET is read once, at the first kernel call of the process,
// so these run in a freshly started child ("threadsafe" death tests re-run
// the test binary for just this test).
void
exit_with_default_target_for(const char *requested, const char *expected)
{
	setenv("VECTOR_SIMD_TARGET", requested, 1);
	bool		chosen = std::strcmp(vc_simd_target(), expected) == 0;

	// later changes of the variable are not looked at
	setenv("VECTOR_SIMD_TARGET", "scalar", 1);
	std::exit(chosen && std::strcmp(vc_simd_target(), expected) == 0 ? 0 : 1);
}

TEST(KernelDispatchEnvironment, ASupportedTargetIsHonoured)
{
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	for (const std::string &name : kernel_test::supported_targets())
		EXPECT_EXIT(exit_with_default_target_for(name.c_str(), name.c_str()),
					::testing::ExitedWithCode(0), "") << name;
}

TEST(KernelDispatchEnvironment, AnUnknownTargetFallsBackToTheBest)
{
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	std::string best = vc_simd_best_target();

	EXPECT_EXIT(exit_with_default_target_for("avx9000", best.c_str()),
				::testing::ExitedWithCode(0), "");
	EXPECT_EXIT(exit_with_default_target_for("", best.c_str()),
				::testing::ExitedWithCode(0), "");
}

#if defined(__x86_64__)
TEST(KernelDispatch, X86TargetsFollowTheCpu)
{
	auto		targets = kernel_test::supported_targets();
	auto		has = [&](const char *name) {
		return std::find(targets.begin(), targets.end(), name) != targets.end();
	};

	__builtin_cpu_init();
	EXPECT_EQ(has("avx2"), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
			  __builtin_cpu_supports("f16c"));
	EXPECT_EQ(has("avx512"), has("avx2") && __builtin_cpu_supports("avx512f") &&
			  __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
			  __builtin_cpu_supports("avx512vl"));
	EXPECT_EQ(has("sse4_2"), __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt"));
}
#endif

}							// namespace
