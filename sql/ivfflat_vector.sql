-- ivfflat over vector: every opclass against a sequential scan, NULLs and
-- zero vectors, inserts after the build, vacuum, TRUNCATE, unlogged
-- tables, options, GUCs, limits, plans.  (halfvec, bit, expression and
-- partial indexes: ivfflat_types.sql; recall and iterative scans:
-- ivfflat_scans.sql.)

-- Deterministic data: 600 rows of 8 dimensions, and 12 queries.
SELECT setseed(0.42);
CREATE TABLE iv (id int PRIMARY KEY, val vector(8));
INSERT INTO iv SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 8) WHERE i > 0)::vector(8)
	FROM generate_series(1, 600) i;
CREATE TABLE iq (qid int, q vector(8));
INSERT INTO iq SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 8) WHERE i > 0)::vector(8)
	FROM generate_series(1, 12) i;

-- The 10 nearest ids of every query, by whatever plan the settings allow.
CREATE FUNCTION iv_nearest(op text) RETURNS TABLE (qid int, ids int[]) LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT qid, (SELECT array_agg(id) FROM (SELECT id FROM iv ORDER BY val %s iq.q LIMIT 10) s) FROM iq',
		op);
END $$;

-- Same rows in the same order as a sequential scan when every list is probed.
CREATE FUNCTION iv_matches_seqscan(op text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	mismatches bigint;
BEGIN
	SET LOCAL enable_seqscan = off;
	CREATE TEMP TABLE by_index AS SELECT * FROM iv_nearest(op);
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	CREATE TEMP TABLE by_seqscan AS SELECT * FROM iv_nearest(op);
	SELECT count(*) INTO mismatches FROM by_index i JOIN by_seqscan s USING (qid)
		WHERE i.ids IS DISTINCT FROM s.ids;
	DROP TABLE by_index, by_seqscan;
	RETURN mismatches;
END $$;

CREATE INDEX iv_l2 ON iv USING ivfflat (val vector_l2_ops) WITH (lists = 10);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]' LIMIT 5;
SET ivfflat.probes = 10;
SELECT iv_matches_seqscan('<->') AS l2_mismatches;
-- one probe reads one list: fewer rows than the table
RESET ivfflat.probes;
SELECT count(*) < 600 AS one_list FROM (SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]') t;
-- every list: every row
SET ivfflat.probes = 10;
SELECT count(*) FROM (SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]') t;
-- a NULL query: rows in no particular order
SELECT count(*) FROM (SELECT id FROM iv ORDER BY val <-> (SELECT NULL::vector)) t;
-- wrong dimensions in the query
SELECT id FROM iv ORDER BY val <-> '[1,2]' LIMIT 1;
DROP INDEX iv_l2;

-- vector_l2_ops is the default opclass
CREATE INDEX iv_default ON iv USING ivfflat (val) WITH (lists = 10);
SELECT opcname FROM pg_index i JOIN pg_opclass o ON o.oid = i.indclass[0]
	WHERE i.indexrelid = 'iv_default'::regclass;
DROP INDEX iv_default;

CREATE INDEX iv_ip ON iv USING ivfflat (val vector_ip_ops) WITH (lists = 10);
SELECT iv_matches_seqscan('<#>') AS ip_mismatches;
DROP INDEX iv_ip;

CREATE INDEX iv_cosine ON iv USING ivfflat (val vector_cosine_ops) WITH (lists = 10);
SELECT iv_matches_seqscan('<=>') AS cosine_mismatches;
DROP INDEX iv_cosine;

-- Inserts after the build land in the right lists: still exact
CREATE TABLE iv_later (LIKE iv);
INSERT INTO iv_later SELECT * FROM iv WHERE id > 300;
DELETE FROM iv WHERE id > 300;
CREATE INDEX iv_l2 ON iv USING ivfflat (val vector_l2_ops) WITH (lists = 10);
INSERT INTO iv SELECT * FROM iv_later;
SELECT iv_matches_seqscan('<->') AS l2_after_inserts_mismatches;
SELECT count(*) FROM (SELECT id FROM iv ORDER BY val <-> '[0,0,0,0,0,0,0,0]') t;

-- VACUUM removes the dead rows' entries; inserts then reuse the space
DELETE FROM iv WHERE id % 3 = 0;
VACUUM iv;
SELECT count(*) FROM (SELECT id FROM iv ORDER BY val <-> '[0,0,0,0,0,0,0,0]') t;
SELECT iv_matches_seqscan('<->') AS l2_after_vacuum_mismatches;
SELECT pg_relation_size('iv_l2') AS size_before \gset
INSERT INTO iv SELECT * FROM iv_later WHERE id % 3 = 0;
SELECT pg_relation_size('iv_l2') = :size_before AS space_reused;
SELECT iv_matches_seqscan('<->') AS l2_after_reinsert_mismatches;
-- values the types refuse never reach the index
INSERT INTO iv VALUES (1001, '[1,2,3]');
INSERT INTO iv VALUES (1001, '[NaN,0,0,0,0,0,0,0]');
INSERT INTO iv VALUES (1001, '[Infinity,0,0,0,0,0,0,0]');
-- index tuples as VACUUM counts them
VACUUM iv;
SELECT reltuples FROM pg_class WHERE relname = 'iv_l2';
DROP INDEX iv_l2;

-- NULLs are not indexed; cosine leaves zero vectors out, a zero query still finds rows
CREATE TABLE iz (id int, val vector(3));
INSERT INTO iz VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL), (5, '[-1,0.5,2]');
CREATE INDEX iz_l2 ON iz USING ivfflat (val vector_l2_ops) WITH (lists = 2);
SELECT id FROM iz ORDER BY val <-> '[3,3,3]';
DROP INDEX iz_l2;
CREATE INDEX iz_cosine ON iz USING ivfflat (val vector_cosine_ops) WITH (lists = 2);
INSERT INTO iz VALUES (6, '[0,0,0]'), (7, '[2,2,2]');
SELECT id FROM iz ORDER BY val <=> '[3,3,3]', id;
SELECT count(*) FROM (SELECT id FROM iz ORDER BY val <=> '[0,0,0]') t;
DROP INDEX iz_cosine;
-- more lists than rows: a NOTICE; the index still holds every row
CREATE INDEX iz_l2 ON iz USING ivfflat (val vector_l2_ops) WITH (lists = 10);
SET ivfflat.probes = 10;
SELECT id FROM iz ORDER BY val <-> '[3,3,3]';
DROP TABLE iz;

-- TRUNCATE empties the index; it works again afterwards
CREATE TABLE it (id int, val vector(3));
INSERT INTO it SELECT i, ARRAY[i, i % 7, i % 3] FROM generate_series(1, 50) i;
CREATE INDEX ON it USING ivfflat (val vector_l2_ops) WITH (lists = 4);
TRUNCATE it;
SELECT * FROM it ORDER BY val <-> '[3,3,3]';
INSERT INTO it VALUES (1, '[1,1,1]'), (2, '[2,2,2]');
SELECT id FROM it ORDER BY val <-> '[3,3,3]';
DROP TABLE it;

-- An empty table: the index gets lists anyway (with a NOTICE), inserts find them
CREATE TABLE ie (id int, val vector(3));
CREATE INDEX ON ie USING ivfflat (val vector_l2_ops) WITH (lists = 3);
INSERT INTO ie SELECT i, ARRAY[i, -i, i % 5] FROM generate_series(1, 30) i;
SET ivfflat.probes = 3;
SELECT count(*) FROM (SELECT id FROM ie ORDER BY val <-> '[3,3,3]') t;
SET ivfflat.probes = 10;
DROP TABLE ie;

-- An unlogged table's index (and its init fork)
CREATE UNLOGGED TABLE iu (id int, val vector(3));
INSERT INTO iu SELECT i, ARRAY[i, i % 7, i % 3] FROM generate_series(1, 50) i;
CREATE INDEX iu_l2 ON iu USING ivfflat (val vector_l2_ops) WITH (lists = 4);
SELECT pg_relation_size('iu_l2', 'init') > 0 AS has_init_fork;
SELECT id FROM iu ORDER BY val <-> '[3,3,3]' LIMIT 3;
INSERT INTO iu VALUES (100, '[3,3,3]');
SELECT id FROM iu ORDER BY val <-> '[3,3,3]' LIMIT 1;
DROP TABLE iu;

-- Options: name and range
CREATE TABLE io (val vector(3));
CREATE INDEX ON io USING ivfflat (val vector_l2_ops) WITH (lists = 0);
CREATE INDEX ON io USING ivfflat (val vector_l2_ops) WITH (lists = 32769);
CREATE INDEX ON io USING ivfflat (val vector_l2_ops) WITH (m = 16);
CREATE INDEX io_idx ON io USING ivfflat (val vector_l2_ops) WITH (lists = 32768);
SELECT reloptions FROM pg_class WHERE relname = 'io_idx';
DROP INDEX io_idx;
-- what an ivfflat index does not do
CREATE INDEX ON io USING ivfflat (val vector_l2_ops, val vector_l2_ops);
CREATE INDEX ON io USING ivfflat (val vector_l2_ops) INCLUDE (val);
CREATE UNIQUE INDEX ON io USING ivfflat (val vector_l2_ops);
-- a column without dimensions; too many dimensions
CREATE TABLE io_any (val vector);
CREATE INDEX ON io_any USING ivfflat (val vector_l2_ops);
CREATE TABLE io_wide (embedding vector(2001));
CREATE INDEX ON io_wide USING ivfflat (embedding vector_l2_ops);
CREATE INDEX ON io_wide USING ivfflat ((embedding::halfvec(2001)) halfvec_l2_ops);
-- spherical k-means needs two dimensions
CREATE TABLE io_one (val vector(1));
CREATE INDEX ON io_one USING ivfflat (val vector_ip_ops);
CREATE INDEX ON io_one USING ivfflat (val vector_l2_ops) WITH (lists = 1);
DROP TABLE io, io_any, io_wide, io_one;

-- k-means' sample must fit in maintenance_work_mem
CREATE TABLE imem (val vector(2000));
INSERT INTO imem SELECT array_fill(i::real, ARRAY[2000]) FROM generate_series(1, 3) i;
SET maintenance_work_mem = '1MB';
CREATE INDEX ON imem USING ivfflat (val vector_l2_ops) WITH (lists = 500);
-- an empty table samples nothing: its lists fit
TRUNCATE imem;
CREATE INDEX ON imem USING ivfflat (val vector_l2_ops);
RESET maintenance_work_mem;
DROP TABLE imem;

-- GUCs: names, defaults, ranges
RESET ivfflat.probes;
SHOW ivfflat.probes;
SHOW ivfflat.iterative_scan;
SHOW ivfflat.max_probes;
SET ivfflat.probes = 0;
SET ivfflat.probes = 32769;
SET ivfflat.max_probes = 0;
SET ivfflat.max_probes = 32769;
SET ivfflat.iterative_scan = strict_order;
SET ivfflat.iterative_scan = relaxed_order;
SET ivfflat.unknown = 1;
RESET ivfflat.iterative_scan;

-- Plans: the index for ORDER BY distance LIMIT, never without ORDER BY
RESET enable_seqscan;
CREATE INDEX iv_l2 ON iv USING ivfflat (val vector_l2_ops) WITH (lists = 10);
ANALYZE iv;
EXPLAIN (COSTS OFF) SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]' LIMIT 5;
-- without LIMIT every row is wanted: a sequential scan and a sort
EXPLAIN (COSTS OFF) SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]';
EXPLAIN (COSTS OFF) SELECT id FROM iv WHERE val <-> '[1,1,1,1,1,1,1,1]' < 1;
EXPLAIN (COSTS OFF) SELECT count(*) FROM iv;
-- another operator than the opclass's: no index
EXPLAIN (COSTS OFF) SELECT id FROM iv ORDER BY val <#> '[1,1,1,1,1,1,1,1]' LIMIT 5;
-- ascending only
EXPLAIN (COSTS OFF) SELECT id FROM iv ORDER BY val <-> '[1,1,1,1,1,1,1,1]' DESC LIMIT 5;

-- what the access method says of itself
SELECT amname, pg_indexam_has_property(oid, 'can_order') AS can_order,
	pg_indexam_has_property(oid, 'can_unique') AS can_unique,
	pg_indexam_has_property(oid, 'can_multi_col') AS can_multi_col
	FROM pg_am WHERE amname = 'ivfflat';

DROP TABLE iv, iv_later, iq;
DROP FUNCTION iv_nearest(text), iv_matches_seqscan(text);
