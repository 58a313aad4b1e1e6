#!/usr/bin/env bash
# test/pgvector/run_hnsw_suite.sh PGVECTOR_GIT_DIR [TAG]: pgvector's hnsw_*.sql
# files against ours; the same as run_suite.sh hnsw (kept for older instructions).
exec "$(dirname "${BASH_SOURCE[0]}")/run_suite.sh" hnsw "$@"
