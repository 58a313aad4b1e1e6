#!/usr/bin/env bash
# bench/run.sh: benchmarks on a scratch cluster.
#
#   bench/run.sh [seqscan] [options]   sequential-scan throughput (bench/seqscan.py),
#                                      e.g. bench/run.sh --rows 20000 --only "vector(768)"
#   bench/run.sh hnsw [options]        HNSW build/size/recall/QPS/insert rate against the
#                                      reference pgvector (bench/hnsw.py --help),
#                                      e.g. bench/run.sh hnsw --dataset l2-128 --rows 20000
#   bench/run.sh hnsw_vacuum [options] HNSW recall after deleting a fifth of the rows and VACUUM,
#                                      against a fresh build (bench/hnsw_vacuum.py --help),
#                                      e.g. bench/run.sh hnsw_vacuum --dataset l2-128
#   bench/run.sh ivfflat [options]     IVFFlat build/size/recall/QPS over ivfflat.probes against
#                                      the reference pgvector (bench/ivfflat.py --help),
#                                      e.g. bench/run.sh ivfflat --engines ref --rows 20000 --lists 100
#
# Installs what is missing, builds and installs the extension, starts a
# scratch cluster tuned for the measurement and runs the bench; the report
# goes to bench/results/<bench>-<date>.md.  The HNSW and IVFFlat benches compare with
# pgvector 0.8.6 installed as extension pgvector_ref
# (/work/shared/tools/install_pgvector_ref.sh) and skips it when that is missing.
#
#   VECTOR_BENCH_SKIP_BUILD=1   do not build and install the extension first
#                               (use what is installed, e.g. while the tree does not compile)
#   VECTOR_CLUSTER_PORT, VECTOR_CLUSTER_DIR: see scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

bench=seqscan
case "${1:-}" in
	seqscan | hnsw | hnsw_vacuum | ivfflat)
		bench="$1"
		shift
		;;
esac

ensure_packages "${VECTOR_BASE_PACKAGES[@]}" python3-numpy python3-psycopg2 python3-matplotlib
if [ "${VECTOR_BENCH_SKIP_BUILD:-0}" = 1 ]; then
	log "VECTOR_BENCH_SKIP_BUILD=1: using the extension as installed"
else
	build_and_install_extension
fi

case "$bench" in
	seqscan)
		cluster_start "shared_buffers = 4GB" "max_parallel_workers_per_gather = 0" "jit = off" \
			"max_wal_size = 8GB" "checkpoint_timeout = 1h" "maintenance_work_mem = 1GB"
		;;
	hnsw | hnsw_vacuum | ivfflat)
		# One parallel maintenance worker: the machine has two cores.
		cluster_start "shared_buffers = 2GB" "maintenance_work_mem = 4GB" \
			"max_parallel_maintenance_workers = 1" "max_parallel_workers_per_gather = 0" "jit = off" \
			"max_wal_size = 8GB" "checkpoint_timeout = 1h"
		;;
esac

mkdir -p "$VECTOR_ROOT/bench/results"
output="$VECTOR_ROOT/bench/results/$bench-$(date -u +%Y%m%d-%H%M).md"
/usr/bin/python3 "$VECTOR_ROOT/bench/$bench.py" --output "$output" "$@"
