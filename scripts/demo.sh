#!/usr/bin/env bash
# scripts/demo.sh: install what is missing, build and install the extension,
# start a scratch cluster, load 100,000 seeded random 128-dimensional vectors,
# build an hnsw index on them and answer a nearest-neighbour query with it,
# beside the exact scan's answer and time.  Safe to run again: the scratch
# cluster is created afresh each time and stopped at the end.
#
#   DEMO_ROWS   number of vectors (default 100000)
#   DEMO_DIM    their dimension (default 128)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO_ROWS="${DEMO_ROWS:-100000}"
DEMO_DIM="${DEMO_DIM:-128}"

ensure_packages "${VECTOR_BASE_PACKAGES[@]}"
build_and_install_extension
cluster_start "maintenance_work_mem = 1GB" "max_parallel_maintenance_workers = 1"

log "loading $DEMO_ROWS random vectors of $DEMO_DIM dimensions"
cluster_psql -v rows="$DEMO_ROWS" -v dim="$DEMO_DIM" <<'SQL'
CREATE EXTENSION vector;
\echo SIMD target in use:
SELECT vector_simd_target();

CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(:dim));

-- setseed() makes random() repeat the same sequence, so every run loads the
-- same data.  Each row gets its own :dim values (the lateral subquery refers
-- to the row number, so it runs once per row).
SELECT setseed(0.5) \g /dev/null
\echo Loading:
\timing on
INSERT INTO items (embedding)
SELECT ('[' || values_text || ']')::vector
FROM generate_series(1, :rows) AS row_number,
	LATERAL (SELECT string_agg(round(random()::numeric, 6)::text, ',') AS values_text
			 FROM generate_series(1, :dim)
			 WHERE row_number > 0) AS generated;
\timing off
VACUUM ANALYZE items;
\echo Table size:
SELECT count(*) AS vectors, pg_size_pretty(pg_total_relation_size('items')) AS size FROM items;
SQL

log "building the hnsw index (m = 16, ef_construction = 64)"
cluster_psql <<'SQL'
\timing on
CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops);
\timing off
\echo Index size:
SELECT pg_size_pretty(pg_relation_size('items_embedding_idx')) AS index_size;
SQL

log "the 5 nearest neighbours of a random query vector: hnsw index, then exact scan"
cluster_psql -v dim="$DEMO_DIM" <<'SQL'
SELECT setseed(0.25) \g /dev/null
SELECT ('[' || string_agg(round(random()::numeric, 6)::text, ',') || ']')::vector AS query
FROM generate_series(1, :dim) \gset

PREPARE nearest(vector) AS
	SELECT id, embedding <-> $1 AS distance FROM items ORDER BY embedding <-> $1 LIMIT 5;

\echo Query plan (with the query vector as parameter $1):
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE nearest(:'query');
RESET plan_cache_mode;

\echo Nearest neighbours with the index (hnsw.ef_search = 40):
\timing on
EXECUTE nearest(:'query');
EXECUTE nearest(:'query');
\timing off

\echo The same query as an exact sequential scan:
SET enable_indexscan = off;
PREPARE exact(vector) AS
	SELECT id, embedding <-> $1 AS distance FROM items ORDER BY embedding <-> $1 LIMIT 5;
\timing on
EXECUTE exact(:'query');
\timing off
SQL

log "done; the scratch cluster is being stopped"
