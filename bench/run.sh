#!/usr/bin/env bash
# bench/run.sh: sequential-scan benchmark on a scratch cluster.
# Installs what is missing, builds and installs the extension, starts a
# scratch cluster tuned for the measurement (4GB shared_buffers, no parallel
# workers, no JIT), runs bench/seqscan.py and writes its table to
# bench/results/seqscan-<date>.md.  Arguments go to seqscan.py, e.g.
#   bench/run.sh --rows 20000 --only "vector(768)"
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

ensure_packages "${VECTOR_BASE_PACKAGES[@]}" python3-numpy python3-psycopg2
build_and_install_extension
cluster_start "shared_buffers = 4GB" "max_parallel_workers_per_gather = 0" "jit = off" \
	"max_wal_size = 8GB" "checkpoint_timeout = 1h" "maintenance_work_mem = 1GB"

mkdir -p "$VECTOR_ROOT/bench/results"
output="$VECTOR_ROOT/bench/results/seqscan-$(date -u +%Y%m%d-%H%M).md"
/usr/bin/python3 "$VECTOR_ROOT/bench/seqscan.py" --output "$output" "$@"
