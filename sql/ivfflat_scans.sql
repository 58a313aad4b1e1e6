-- ivfflat scans on a few thousand rows: recall against brute force as
-- probes grow, iterative scans under a selective filter, parallel builds.

-- 3,000 rows of 16 dimensions in 40 overlapping clusters, and 25 queries among them
SELECT setseed(0.73);
CREATE TABLE sc_centre (c int, v real[]);
INSERT INTO sc_centre SELECT c, ARRAY(SELECT random() * 10 FROM generate_series(1, 16) WHERE c >= 0)
	FROM generate_series(0, 39) c;
CREATE TABLE sc (id int PRIMARY KEY, val vector(16));
INSERT INTO sc SELECT i, (SELECT ARRAY(SELECT v[d] + (random() - 0.5) * 8 FROM generate_series(1, 16) d WHERE i > 0)
	FROM sc_centre WHERE c = i % 40)::vector(16) FROM generate_series(1, 3000) i;
CREATE TABLE sq (qid int, q vector(16));
INSERT INTO sq SELECT i, (SELECT ARRAY(SELECT v[d] + (random() - 0.5) * 8 FROM generate_series(1, 16) d WHERE i > 0)
	FROM sc_centre WHERE c = (i * 7) % 40)::vector(16) FROM generate_series(1, 25) i;

-- brute force: the 10 nearest of every query
SET enable_indexscan = off;
CREATE TABLE sc_truth AS SELECT qid, ARRAY(SELECT id FROM sc ORDER BY val <-> sq.q LIMIT 10) AS ids FROM sq;
-- and under a filter that keeps 30 rows of the 3,000, spread over the clusters
CREATE TABLE sc_filtered AS SELECT qid, ARRAY(SELECT id FROM sc WHERE id % 97 = 0 ORDER BY val <-> sq.q LIMIT 10) AS ids FROM sq;
RESET enable_indexscan;

-- the fraction of the true 10 nearest an index scan returns
CREATE FUNCTION sc_recall() RETURNS float8 LANGUAGE sql AS $$
	SELECT avg((SELECT count(*) FROM unnest(t.ids) i WHERE i = ANY (
		ARRAY(SELECT id FROM sc ORDER BY val <-> sq.q LIMIT 10))) / 10.0)::float8
	FROM sq JOIN sc_truth t USING (qid)
$$;

CREATE INDEX sc_idx ON sc USING ivfflat (val vector_l2_ops) WITH (lists = 40);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sc ORDER BY val <-> (SELECT q FROM sq LIMIT 1) LIMIT 10;
SELECT sc_recall() >= 0.6 AS recall_probes_1;
SET ivfflat.probes = 4;
SELECT sc_recall() >= 0.85 AS recall_probes_4;
SET ivfflat.probes = 40;
SELECT sc_recall() = 1 AS recall_all_lists;
RESET ivfflat.probes;

-- Iterative scans: a filter that keeps 1 row in 97
SELECT count(*) < 10 AS runs_out FROM (SELECT id FROM sc WHERE id % 97 = 0 ORDER BY val <-> (SELECT q FROM sq WHERE qid = 1) LIMIT 10) t;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM sc WHERE id % 97 = 0 ORDER BY val <-> (SELECT q FROM sq WHERE qid = 1) LIMIT 10) t;
-- every query gets 10 rows, and they are the right ones once enough lists are read
SELECT min(n), max(n) FROM (SELECT qid, (SELECT count(*) FROM (SELECT id FROM sc WHERE id % 97 = 0
	ORDER BY val <-> sq.q LIMIT 10) t) AS n FROM sq) s;
CREATE FUNCTION sc_filtered_recall() RETURNS float8 LANGUAGE sql AS $$
	SELECT avg((SELECT count(*) FROM unnest(f.ids) i WHERE i = ANY (ARRAY(SELECT id FROM sc WHERE id % 97 = 0
		ORDER BY val <-> sq.q LIMIT 10))) / 10.0)::float8
	FROM sq JOIN sc_filtered f USING (qid)
$$;
SET ivfflat.probes = 10;
SELECT sc_filtered_recall() >= 0.5 AS filtered_recall_probes_10;
SET ivfflat.probes = 40;
SELECT sc_filtered_recall() = 1 AS filtered_recall_all_lists;
RESET ivfflat.probes;
-- fewer matching rows than the LIMIT: all of them, after every list
SELECT count(*) FROM (SELECT id FROM sc WHERE id % 1000 = 0 ORDER BY val <-> (SELECT q FROM sq WHERE qid = 1) LIMIT 10) t;
-- ivfflat.max_probes stops it (but never below ivfflat.probes)
SET ivfflat.max_probes = 1;
SELECT count(*) < 10 AS stopped FROM (SELECT id FROM sc WHERE id % 97 = 0 ORDER BY val <-> (SELECT q FROM sq WHERE qid = 1) LIMIT 10) t;
SET ivfflat.probes = 40;
SELECT count(*) FROM (SELECT id FROM sc WHERE id % 97 = 0 ORDER BY val <-> (SELECT q FROM sq WHERE qid = 1) LIMIT 10) t;
RESET ivfflat.max_probes;
RESET ivfflat.probes;
RESET ivfflat.iterative_scan;

-- the scan reads each probed list in batches and orders rows a chunk at a
-- time: a LIMIT past the first chunks still returns exact order
SET ivfflat.probes = 40;
SET enable_indexscan = off;
RESET enable_seqscan;
CREATE TEMP TABLE seq_order AS SELECT array_agg(id) AS ids FROM (SELECT id FROM sc ORDER BY val <-> (SELECT q FROM sq WHERE qid = 3) LIMIT 500) s;
RESET enable_indexscan;
SET enable_seqscan = off;
SELECT (SELECT array_agg(id) FROM (SELECT id FROM sc ORDER BY val <-> (SELECT q FROM sq WHERE qid = 3) LIMIT 500) s)
	= (SELECT ids FROM seq_order) AS long_order_matches_seqscan;
RESET ivfflat.probes;

-- every row is in the list of its nearest centre: its own vector finds it
-- at one probe
CREATE FUNCTION sc_rows_found_by_themselves() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM sc s WHERE (SELECT val <-> s.val FROM sc ORDER BY val <-> s.val LIMIT 1) = 0
$$;
SELECT sc_rows_found_by_themselves();

-- a build whose rows do not fit in maintenance_work_mem (its sample does)
-- assigns them to lists through a sort, here with parallel workers: the
-- same recall, and every row
DROP INDEX sc_idx;
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
SET maintenance_work_mem = '2000kB';
SET client_min_messages = debug1;
CREATE INDEX sc_idx ON sc USING ivfflat (val vector_l2_ops) WITH (lists = 40);
RESET client_min_messages;
SET ivfflat.probes = 4;
SELECT sc_recall() >= 0.85 AS recall_parallel_build;
SET ivfflat.probes = 40;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM sc ORDER BY val <-> (SELECT q FROM sq WHERE qid = 2)) t;
SELECT sc_recall() = 1 AS recall_parallel_build_all_lists;
RESET ivfflat.probes;
SELECT sc_rows_found_by_themselves();
-- with every row in memory (as the first build above), k-means runs over
-- all of them, in threads
DROP INDEX sc_idx;
RESET maintenance_work_mem;
SET client_min_messages = debug1;
CREATE INDEX sc_idx ON sc USING ivfflat (val vector_l2_ops) WITH (lists = 40);
RESET client_min_messages;
SET ivfflat.probes = 4;
SELECT sc_recall() >= 0.85 AS recall_threaded_build;
RESET ivfflat.probes;
SELECT sc_rows_found_by_themselves();
RESET max_parallel_maintenance_workers;
RESET min_parallel_table_scan_size;

-- CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY (the build's scan
-- under an MVCC snapshot, then the validation pass) give a usable index
DROP INDEX sc_idx;
CREATE INDEX CONCURRENTLY sc_idx ON sc USING ivfflat (val vector_l2_ops) WITH (lists = 40);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'sc_idx'::regclass;
SELECT sc_rows_found_by_themselves();
REINDEX INDEX CONCURRENTLY sc_idx;
SELECT sc_rows_found_by_themselves();
SET ivfflat.probes = 4;
SELECT sc_recall() >= 0.85 AS recall_reindexed_concurrently;
RESET ivfflat.probes;

RESET enable_seqscan;
DROP TABLE sc, sq, sc_centre, sc_truth, sc_filtered;
DROP FUNCTION sc_recall(), sc_filtered_recall(), sc_rows_found_by_themselves();

-- The centres are one array cut into pages: at 64 dimensions a page holds
-- 31.9 of them, so some straddle two pages.  One probe finds a row only if
-- the scan ranks the lists by the centres the build assigned it with, so
-- every row (and every one inserted later) is found by itself only if each
-- centre was read back whole: built through the sort (the rows do not fit
-- in maintenance_work_mem) and from memory.
CREATE TABLE scw (id int, val vector(64));
INSERT INTO scw SELECT i, (SELECT array_agg(sin(i * d * 0.0013 + d) + i % 5) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(1, 12000) i;
CREATE FUNCTION scw_rows_found_by_themselves() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM scw s WHERE id % 20 = 0 AND (SELECT val <-> s.val FROM scw ORDER BY val <-> s.val LIMIT 1) = 0
$$;
SET enable_seqscan = off;
SET maintenance_work_mem = '6MB';
SET client_min_messages = debug1;
CREATE INDEX scw_idx ON scw USING ivfflat (val vector_l2_ops) WITH (lists = 100);
RESET client_min_messages;
SELECT scw_rows_found_by_themselves();
DROP INDEX scw_idx;
RESET maintenance_work_mem;
CREATE INDEX scw_idx ON scw USING ivfflat (val vector_l2_ops) WITH (lists = 100);
SELECT scw_rows_found_by_themselves();
INSERT INTO scw SELECT i, (SELECT array_agg(cos(i * d * 0.0017 + d) - i % 3) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(12001, 13000) i;
SELECT scw_rows_found_by_themselves();
RESET enable_seqscan;
DROP TABLE scw;
DROP FUNCTION scw_rows_found_by_themselves();

-- A build writes every list's entries list after list on shared pages
-- (an entry says its list): 64-d entries fit 30 to a page, so 1,000 rows
-- take ceil(1000 / 30) = 34 pages whatever their lists, after the
-- metapage, one directory page and one page of centres.
CREATE TABLE scp (id int, val vector(64));
INSERT INTO scp SELECT i, (SELECT array_agg(sin(i * d * 0.0031 + d) + i % 7) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(1, 1000) i;
CREATE FUNCTION scp_rows_found_by_themselves() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM scp s WHERE (SELECT val <-> s.val FROM scp ORDER BY val <-> s.val LIMIT 1) = 0
$$;
CREATE FUNCTION scp_all_lists_exact() RETURNS boolean LANGUAGE sql AS $$
	SELECT bool_and(ARRAY(SELECT id FROM scp ORDER BY val <-> q.val, id LIMIT 20) =
					ARRAY(SELECT id FROM (SELECT id, val <-> q.val AS d FROM scp ORDER BY val <-> q.val LIMIT 20) t ORDER BY d, id))
	FROM scp q WHERE q.id % 50 = 0
$$;
CREATE INDEX scp_idx ON scp USING ivfflat (val vector_l2_ops) WITH (lists = 7);
SELECT pg_relation_size('scp_idx') / 8192 AS pages, 3 + ceil(1000 / 30.0) AS expected;
SET enable_seqscan = off;
SELECT scp_rows_found_by_themselves();
-- inserts go to the list's last page while it has room, then to a chain
-- of pages of the list's own
INSERT INTO scp SELECT i, (SELECT array_agg(cos(i * d * 0.0029 + d) - i % 5) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(1001, 2000) i;
SELECT scp_rows_found_by_themselves();
SET ivfflat.probes = 7;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM scp ORDER BY val <-> (SELECT val FROM scp WHERE id = 3)) t;
-- VACUUM takes from a shared page only its list's dead entries, and
-- counts every entry left once
CREATE TABLE scp_deleted AS SELECT * FROM scp WHERE id % 3 = 0;
DELETE FROM scp WHERE id % 3 = 0;
VACUUM scp;
SELECT reltuples FROM pg_class WHERE relname = 'scp_idx';
SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id % 3 = 0) AS deleted
	FROM (SELECT id FROM scp ORDER BY val <-> (SELECT val FROM scp WHERE id = 4)) t;
RESET ivfflat.probes;
SELECT scp_rows_found_by_themselves();
-- the space VACUUM freed takes inserts again: the 666 rows back take a
-- few new pages at most (a list may fill the room another one freed on a
-- page they share), where new pages for them all would be 23
SELECT pg_relation_size('scp_idx') / 8192 AS pages_before \gset
INSERT INTO scp SELECT id + 2000, val FROM scp_deleted;
SELECT pg_relation_size('scp_idx') / 8192 - :pages_before < 5 AS space_reused;
SELECT scp_rows_found_by_themselves();
SET ivfflat.probes = 7;
SELECT scp_all_lists_exact();
RESET ivfflat.probes;
-- lists with no rows at all: the first insert into one starts its chain
TRUNCATE scp;
INSERT INTO scp SELECT i, (SELECT array_agg(sin(i * d * 0.0031 + d) + i % 7) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(1, 3) i;
DROP INDEX scp_idx;
CREATE INDEX scp_idx ON scp USING ivfflat (val vector_l2_ops) WITH (lists = 12);
INSERT INTO scp SELECT i, (SELECT array_agg(cos(i * d * 0.0029 + d) - i % 5) FROM generate_series(1, 64) d)::vector(64)
	FROM generate_series(4, 600) i;
SELECT scp_rows_found_by_themselves();
SET ivfflat.probes = 12;
SELECT scp_all_lists_exact();
RESET ivfflat.probes;
RESET enable_seqscan;
DROP TABLE scp, scp_deleted;
DROP FUNCTION scp_rows_found_by_themselves(), scp_all_lists_exact();
