#!/usr/bin/env bash
# test/pgvector/run_hnsw_suite.sh PGVECTOR_GIT_DIR [TAG] [METHOD]: pgvector's
# METHOD_*.sql files (default hnsw) of TAG against ours; the same as
# run_suite.sh METHOD PGVECTOR_GIT_DIR TAG (kept for older instructions).
exec "$(dirname "${BASH_SOURCE[0]}")/run_suite.sh" "${3:-hnsw}" "${1:?usage: run_hnsw_suite.sh PGVECTOR_GIT_DIR [TAG] [METHOD]}" "${2:-v0.8.6}"
