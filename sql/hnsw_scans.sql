-- hnsw scans on a few thousand rows: recall against exact answers (build and
-- insert paths, in memory and on disk), iterative scans for filtered
-- queries, planner choices, and what VACUUM leaves behind.

-- 3,000 rows of 16-d data in 30 clusters, and 20 queries; deterministic.
SELECT setseed(0.42);
CREATE TABLE hs_centres AS
	SELECT c, ARRAY(SELECT random() * 10 FROM generate_series(1, 16) WHERE c >= 0) AS centre
	FROM generate_series(0, 29) c;
CREATE TABLE hs (id int PRIMARY KEY, category int, val vector(16));
INSERT INTO hs
	SELECT i, floor(random() * 20), ARRAY(SELECT x + (random() - 0.5) * 2 FROM unnest(centre) x)::vector
	FROM generate_series(1, 3000) i JOIN hs_centres ON c = i % 30;
CREATE TABLE hs_queries AS
	SELECT q, ARRAY(SELECT x + (random() - 0.5) * 2 FROM unnest(centre) x)::vector AS val
	FROM generate_series(1, 20) q JOIN hs_centres ON c = (q * 7) % 30;

-- the exact answers, from a copy without an index
CREATE TABLE hs_plain AS SELECT * FROM hs;
CREATE TABLE hs_exact AS
	SELECT q, id FROM hs_queries CROSS JOIN LATERAL
		(SELECT id FROM hs_plain ORDER BY hs_plain.val <-> hs_queries.val LIMIT 10) t;

-- recall@10 of the index over hs_queries
CREATE FUNCTION hs_recall() RETURNS float8 LANGUAGE sql AS $$
	SELECT count(*)::float8 / (SELECT count(*) FROM hs_exact)
	FROM hs_queries CROSS JOIN LATERAL
		(SELECT id FROM hs ORDER BY hs.val <-> hs_queries.val LIMIT 10) t
	JOIN hs_exact USING (q, id)
$$;

-- built in memory
CREATE INDEX hs_idx ON hs USING hnsw (val vector_l2_ops);
SET enable_seqscan = off;
SELECT hs_recall() >= 0.95 AS build_recall_ok;
SET hnsw.ef_search = 200;
SELECT hs_recall() >= 0.99 AS build_recall_ef200_ok;
RESET hnsw.ef_search;

-- rows come out in exact distance order
SELECT bool_and(d >= prev) AS ordered FROM (
	SELECT d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, val <-> (SELECT val FROM hs_queries WHERE q = 1) AS d
		FROM hs ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 40) s) t;

-- built row by row (every row inserted into an empty index)
DROP INDEX hs_idx;
TRUNCATE hs;
CREATE INDEX hs_idx ON hs USING hnsw (val vector_l2_ops);
INSERT INTO hs SELECT * FROM hs_plain;
SELECT hs_recall() >= 0.95 AS insert_recall_ok;

-- built past maintenance_work_mem: on disk from where memory ran out
DROP INDEX hs_idx;
SET maintenance_work_mem = '1MB';
SET client_min_messages = notice;
CREATE INDEX hs_idx ON hs USING hnsw (val vector_l2_ops) WITH (m = 48, ef_construction = 100);
RESET maintenance_work_mem;
SELECT hs_recall() >= 0.95 AS disk_build_recall_ok;
DROP INDEX hs_idx;

-- CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY (the build's scan
-- under an MVCC snapshot, then the validation pass) give a usable index
CREATE INDEX CONCURRENTLY hs_idx ON hs USING hnsw (val vector_l2_ops);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'hs_idx'::regclass;
SELECT hs_recall() >= 0.95 AS concurrent_build_recall_ok;
REINDEX INDEX CONCURRENTLY hs_idx;
SELECT hs_recall() >= 0.95 AS reindexed_concurrently_recall_ok;

-- Iterative scans: 10 rows of a 5% category
SET hnsw.ef_search = 20;
SELECT count(*) < 10 AS too_few_without FROM
	(SELECT id FROM hs WHERE category = 7 ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) t;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), bool_and(category = 7) FROM
	(SELECT id, category FROM hs WHERE category = 7 ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) t;
-- the relaxed rows are the exact 10 nearest of the category here
SELECT count(*) FROM
	(SELECT id FROM hs WHERE category = 7 ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) a
	JOIN (SELECT id FROM hs_plain WHERE category = 7 ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) b USING (id);
SET hnsw.iterative_scan = strict_order;
SELECT count(*), bool_and(d >= prev) AS ordered FROM (
	SELECT d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev FROM (
		SELECT row_number() OVER () AS n, val <-> (SELECT val FROM hs_queries WHERE q = 1) AS d
		FROM hs WHERE category = 7 ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) s) t;
-- a filter nothing passes: the scan stops at max_scan_tuples, with no rows
SET hnsw.max_scan_tuples = 100;
SELECT count(*) FROM (SELECT id FROM hs WHERE category = 99 ORDER BY val <-> '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 10) t;
RESET hnsw.max_scan_tuples;
SELECT count(*) FROM (SELECT id FROM hs WHERE category = 99 ORDER BY val <-> '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 10) t;
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
RESET enable_seqscan;

-- Planner: the index for ORDER BY ... LIMIT, not without LIMIT, and a btree
-- for a WHERE clause that picks one row
ANALYZE hs;
EXPLAIN (COSTS OFF) SELECT id FROM hs ORDER BY val <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hs ORDER BY val <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]';
EXPLAIN (COSTS OFF) SELECT id FROM hs WHERE id = 17 ORDER BY val <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hs WHERE val <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' < 1;

-- VACUUM: deleted rows never come back, their TIDs can be reused by new rows
SET enable_seqscan = off;
-- a random 20% of the rows
CREATE TABLE hs_deleted AS SELECT id FROM hs WHERE category < 4;
DELETE FROM hs WHERE id IN (SELECT id FROM hs_deleted);
DELETE FROM hs_plain WHERE id IN (SELECT id FROM hs_deleted);
DROP TABLE hs_exact;
CREATE TABLE hs_exact AS
	SELECT q, id FROM hs_queries CROSS JOIN LATERAL
		(SELECT id FROM hs_plain ORDER BY hs_plain.val <-> hs_queries.val LIMIT 10) t;
-- before VACUUM, the executor skips the dead rows the index returns
SELECT hs_recall() >= 0.93 AS deleted_recall_ok;
VACUUM hs;
SELECT hs_recall() >= 0.93 AS vacuum_recall_ok;
SELECT count(*) FROM hs_queries CROSS JOIN LATERAL
	(SELECT id FROM hs ORDER BY hs.val <-> hs_queries.val LIMIT 10) t
	WHERE id IN (SELECT id FROM hs_deleted);
-- a whole cluster deleted: VACUUM removes its elements and repairs the lists
-- around them; a query in the emptied region still gets 10 live rows, in
-- distance order, and they are its exact 10 (at ef_search 400 and 40).
-- With a greedy descent through the upper layers it found 2 of them: the
-- descent settled next to the region, in a cluster that no longer linked
-- into the rows nearest the query (search.c, hnsw_descend).
DELETE FROM hs WHERE id % 30 = (SELECT (q * 7) % 30 FROM hs_queries WHERE q = 1);
DELETE FROM hs_plain WHERE id % 30 = (SELECT (q * 7) % 30 FROM hs_queries WHERE q = 1);
VACUUM hs;
SET hnsw.ef_search = 400;
SELECT count(*) AS rows, bool_and(id % 30 <> (SELECT (q * 7) % 30 FROM hs_queries WHERE q = 1)) AS all_live,
	bool_and(d >= prev) AS ordered
FROM (SELECT id, d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev FROM (
	SELECT row_number() OVER () AS n, id, val <-> (SELECT val FROM hs_queries WHERE q = 1) AS d
	FROM hs ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) s) t;
SELECT count(*) AS found_of_exact_10 FROM
	(SELECT id FROM hs ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) i JOIN
	(SELECT id FROM hs_plain ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) e USING (id);
SET hnsw.ef_search = 40;
SELECT count(*) AS found_of_exact_10 FROM
	(SELECT id FROM hs ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) i JOIN
	(SELECT id FROM hs_plain ORDER BY val <-> (SELECT val FROM hs_queries WHERE q = 1) LIMIT 10) e USING (id);
SET hnsw.ef_search = 400;
-- new rows (reusing the dead rows' TIDs) are found, with their own values
INSERT INTO hs SELECT id, category, val FROM hs_queries JOIN (SELECT 10000 + q AS id, 0 AS category, q AS qq FROM hs_queries) n ON n.qq = hs_queries.q;
SELECT bool_and(found) FROM (SELECT (SELECT id FROM hs ORDER BY hs.val <-> hs_queries.val LIMIT 1) = 10000 + q AS found FROM hs_queries) t;
SELECT count(*) FROM hs;
RESET hnsw.ef_search;
RESET enable_seqscan;

DROP TABLE hs, hs_plain, hs_exact, hs_queries, hs_centres, hs_deleted;
DROP FUNCTION hs_recall();
