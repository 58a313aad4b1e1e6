#!/usr/bin/env bash
# scripts/test.sh: install what is missing, then run every test suite:
#   1. the core's unit tests (CMake build in build/, ctest)
#   2. build and install the extension, start a scratch cluster
#   3. the SQL regression tests (make installcheck)
#   4. the TAP tests (make prove_installcheck), when test/t/*.pl exist
#   5. the client tests: Python (test/clients/python), Node (test/clients/node)
#   6. on x86-64: the core's unit tests cross-built for arm64 and run under
#      qemu-user, so the NEON kernels are tested too (build-arm64/)
# Every suite runs even when an earlier one failed; the exit status is
# non-zero when any failed.  The scratch cluster is stopped at the end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JOBS="$(nproc)"
# The core's CMake build folder (VECTOR_CMAKE_BUILD_DIR to use another one).
CMAKE_BUILD_DIR="${VECTOR_CMAKE_BUILD_DIR:-$VECTOR_ROOT/build}"
TAP_TEST_FILES=("$VECTOR_ROOT"/test/t/*.pl)
[ -e "${TAP_TEST_FILES[0]}" ] || TAP_TEST_FILES=()

packages=("${VECTOR_BASE_PACKAGES[@]}" cmake libgtest-dev libbenchmark-dev
	python3-numpy python3-psycopg2 python3-psycopg python3-sqlalchemy python3-asyncpg)
# PostgreSQL::Test::Cluster (the TAP framework) needs IPC::Run.
[ "${#TAP_TEST_FILES[@]}" -gt 0 ] && packages+=(libipc-run-perl)
[ "$(uname -m)" = x86_64 ] && packages+=(g++-aarch64-linux-gnu qemu-user)
ensure_packages "${packages[@]}"
ensure_node

SUITES_PASSED=()
SUITES_FAILED=()

# run_suite NAME COMMAND...: run one suite and remember how it went.
run_suite() {
	local name="$1"
	shift
	log "suite: $name"
	if "$@"; then
		SUITES_PASSED+=("$name")
	else
		SUITES_FAILED+=("$name")
		printf '\033[1;31m--- suite %s FAILED\033[0m\n' "$name" >&2
	fi
}

unit_tests() {
	cmake -S "$VECTOR_ROOT" -B "$CMAKE_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
		cmake --build "$CMAKE_BUILD_DIR" -j"$JOBS" &&
		ctest --test-dir "$CMAKE_BUILD_DIR" --output-on-failure -j"$JOBS"
}

regression_tests() {
	local status=0
	# TAP_TESTS= : PGXS would run the TAP tests here too; they get their own suite.
	(cd "$VECTOR_ROOT" && make installcheck TAP_TESTS= PG_CONFIG="$PG_CONFIG") || status=$?
	if [ "$status" -ne 0 ] && [ -f "$VECTOR_ROOT/regression.diffs" ]; then
		echo "----- regression.diffs -----"
		cat "$VECTOR_ROOT/regression.diffs"
	fi
	return "$status"
}

# The TAP framework runs initdb, which refuses to run as root: as root, run the
# tests as the cluster user in a copy of the checkout that user owns.
tap_tests() {
	if ! is_root; then
		(cd "$VECTOR_ROOT" && make prove_installcheck PG_CONFIG="$PG_CONFIG")
		return
	fi
	local copy status=0
	copy="$(mktemp -d /tmp/vector-tap.XXXXXX)"
	tar -C "$VECTOR_ROOT" --exclude=./build --exclude=./build-arm64 --exclude=./.cluster --exclude=node_modules \
		--exclude='*.o' -cf - . | tar -C "$copy" -xf -
	chown -R "$CLUSTER_USER": "$copy"
	runuser -u "$CLUSTER_USER" -- env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
		make -C "$copy" prove_installcheck PG_CONFIG="$PG_CONFIG" || status=$?
	if [ "$status" -ne 0 ]; then
		echo "----- TAP logs kept in $copy/tmp_check/log -----"
	else
		rm -rf "$copy"
	fi
	return "$status"
}

python_client_tests() {
	/usr/bin/python3 -m unittest discover -s "$VECTOR_ROOT/test/clients/python" -p 'test_*.py' -v
}

# (Suites run in an "if", where set -e does not apply: chain with &&.)
node_client_tests() {
	(
		cd "$VECTOR_ROOT/test/clients/node" &&
			npm ci --no-audit --no-fund --loglevel=error &&
			node --test ./*.test.mjs
	)
}

# The NEON target cannot run here natively: cross-build the unit tests and run
# them under emulation.  The two tests that re-execute their own binary (to
# read VECTOR_SIMD_TARGET afresh) cannot under qemu-user, and are left out;
# so are the HNSW graph-quality tests (HnswRecall: builds of 5,000-point
# graphs, minutes under emulation, nothing NEON-specific that the kernel
# tests do not already check).
ARM64_BUILD_DIR="$VECTOR_ROOT/build-arm64"
arm64_unit_tests() {
	cmake -S "$VECTOR_ROOT" -B "$ARM64_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_TOOLCHAIN_FILE="$VECTOR_ROOT/test/arm64/toolchain.cmake" >/dev/null &&
		cmake --build "$ARM64_BUILD_DIR" -j"$JOBS" --target vector_core_tests &&
		qemu-aarch64 -L /usr/aarch64-linux-gnu "$ARM64_BUILD_DIR/vector_core_tests" \
			--gtest_filter='-KernelDispatchEnvironment.*:*HnswRecall*' --gtest_brief=1
}

run_suite "unit tests (ctest)" unit_tests

build_and_install_extension || die "the extension did not build or install; no SQL test can run"
cluster_start

run_suite "SQL regression tests (make installcheck)" regression_tests
if [ "${#TAP_TEST_FILES[@]}" -gt 0 ]; then
	run_suite "TAP tests (make prove_installcheck)" tap_tests
fi
run_suite "Python client tests" python_client_tests
run_suite "Node client tests" node_client_tests
if [ "$(uname -m)" = x86_64 ]; then
	run_suite "unit tests on arm64 (NEON, under qemu)" arm64_unit_tests
fi

echo
log "summary"
for name in "${SUITES_PASSED[@]}"; do echo "  passed  $name"; done
for name in "${SUITES_FAILED[@]}"; do echo "  FAILED  $name"; done
echo "suites: ${#SUITES_PASSED[@]} passed, ${#SUITES_FAILED[@]} failed"
[ "${#SUITES_FAILED[@]}" -eq 0 ]
