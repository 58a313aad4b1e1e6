-- hnsw over vector: every opclass, NULLs and zero vectors, duplicates,
-- inserts after the build, options, GUCs, limits, expression and partial
-- indexes.  (Scans, plans and vacuum: hnsw_scans.sql.)
SET enable_seqscan = off;

-- Small tables: the index must give every row, in exact distance order.
CREATE TABLE hv (id int, val vector(3));
INSERT INTO hv VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL),
	(5, '[-1,0.5,2]'), (6, '[3,3,3]'), (7, '[1,2,3]');

CREATE INDEX hv_l2 ON hv USING hnsw (val vector_l2_ops);
INSERT INTO hv VALUES (8, '[1,2,4]'), (9, NULL), (10, '[1,2,3]');
EXPLAIN (COSTS OFF) SELECT id FROM hv ORDER BY val <-> '[3,3,3]' LIMIT 3;
SELECT id, val, round((val <-> '[3,3,3]')::numeric, 4) AS distance FROM hv ORDER BY val <-> '[3,3,3]';
-- a NULL query gives the rows in no particular order, but all of them
SELECT count(*) FROM (SELECT * FROM hv ORDER BY val <-> (SELECT NULL::vector)) t;
-- wrong dimensions in the query
SELECT id FROM hv ORDER BY val <-> '[1,2]' LIMIT 1;
DROP INDEX hv_l2;

CREATE INDEX hv_ip ON hv USING hnsw (val vector_ip_ops);
SELECT id, val, val <#> '[3,3,3]' AS distance FROM hv ORDER BY val <#> '[3,3,3]';
DROP INDEX hv_ip;

-- cosine leaves the zero vector out; a zero query still returns rows
CREATE INDEX hv_cosine ON hv USING hnsw (val vector_cosine_ops);
SELECT id, val, round((val <=> '[3,3,3]')::numeric, 4) AS distance FROM hv ORDER BY val <=> '[3,3,3]', id;
SELECT count(*) FROM (SELECT * FROM hv ORDER BY val <=> '[0,0,0]') t;
SELECT count(*) FROM (SELECT * FROM hv ORDER BY val <=> (SELECT NULL::vector)) t;
DROP INDEX hv_cosine;

CREATE INDEX hv_l1 ON hv USING hnsw (val vector_l1_ops);
SELECT id, val, val <+> '[3,3,3]' AS distance FROM hv ORDER BY val <+> '[3,3,3]', id;
DROP INDEX hv_l1;

-- identical vectors: every row is returned
CREATE TABLE hdup (id int, val vector(2));
INSERT INTO hdup SELECT i, '[1,1]' FROM generate_series(1, 100) i;
INSERT INTO hdup SELECT i, '[2,2]' FROM generate_series(101, 130) i;
CREATE INDEX ON hdup USING hnsw (val vector_l2_ops);
INSERT INTO hdup SELECT i, '[1,1]' FROM generate_series(131, 160) i;
SET hnsw.ef_search = 1000;
SELECT count(*), count(DISTINCT id), min(id), max(id) FROM (SELECT id FROM hdup ORDER BY val <-> '[1,1]' LIMIT 200) t;
-- the 130 rows at distance 0 come before every [2,2] row
SELECT count(*) FILTER (WHERE id BETWEEN 101 AND 130) AS far_rows FROM (SELECT id FROM hdup ORDER BY val <-> '[1,1]' LIMIT 130) t;
RESET hnsw.ef_search;
DROP TABLE hdup;

-- UPDATE of the indexed column: the row is found by its new value only
CREATE INDEX hv_l2 ON hv USING hnsw (val vector_l2_ops);
UPDATE hv SET val = '[9,9,9]' WHERE id = 3;
SELECT id, val FROM hv ORDER BY val <-> '[9,9,8]' LIMIT 2;
SELECT id, val FROM hv ORDER BY val <-> '[1,1,1]' LIMIT 2;
-- an update of another column (HOT) keeps the row findable
ALTER TABLE hv ADD COLUMN note text;
UPDATE hv SET note = 'seen' WHERE id = 6;
SELECT id, note FROM hv ORDER BY val <-> '[3,3,3]' LIMIT 1;
DROP INDEX hv_l2;

-- TRUNCATE empties the index; it works again afterwards
CREATE INDEX hv_l2 ON hv USING hnsw (val vector_l2_ops);
TRUNCATE hv;
SELECT * FROM hv ORDER BY val <-> '[3,3,3]';
INSERT INTO hv VALUES (1, '[1,1,1]'), (2, '[2,2,2]');
SELECT id FROM hv ORDER BY val <-> '[3,3,3]';
DROP TABLE hv;

-- An unlogged table's index
CREATE UNLOGGED TABLE hu (id int, val vector(3));
INSERT INTO hu VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]');
CREATE INDEX ON hu USING hnsw (val vector_l2_ops);
SELECT id FROM hu ORDER BY val <-> '[3,3,3]';
DROP TABLE hu;

-- Options: names, ranges and the ef_construction >= 2 * m rule
CREATE TABLE ho (val vector(3));
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (m = 1);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (m = 101);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (ef_construction = 1001);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (m = 16, ef_construction = 31);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) WITH (lists = 10);
CREATE INDEX ho_ok ON ho USING hnsw (val vector_l2_ops) WITH (m = 2, ef_construction = 4);
SELECT reloptions FROM pg_class WHERE relname = 'ho_ok';
-- one column only, no INCLUDE, no unique
CREATE INDEX ON ho USING hnsw (val vector_l2_ops, val vector_l2_ops);
CREATE INDEX ON ho USING hnsw (val vector_l2_ops) INCLUDE (val);
CREATE UNIQUE INDEX ON ho USING hnsw (val vector_l2_ops);
-- a type without an hnsw opclass
CREATE INDEX ON ho USING hnsw ((val::text));
DROP TABLE ho;

-- GUCs: defaults and ranges
SHOW hnsw.ef_search;
SET hnsw.ef_search = 0;
SET hnsw.ef_search = 1001;
SHOW hnsw.iterative_scan;
SET hnsw.iterative_scan = on;
SHOW hnsw.max_scan_tuples;
SET hnsw.max_scan_tuples = 0;
SHOW hnsw.scan_mem_multiplier;
SET hnsw.scan_mem_multiplier = 0;
SET hnsw.scan_mem_multiplier = 1001;

-- Dimensions: fixed, and at most 2,000 (halfvec takes up to 4,000)
CREATE TABLE hd (val vector);
CREATE INDEX ON hd USING hnsw (val vector_l2_ops);
DROP TABLE hd;
CREATE TABLE hd (val vector(2000));
INSERT INTO hd SELECT array_fill(i::real, ARRAY[2000])::vector FROM generate_series(1, 3) i;
CREATE INDEX ON hd USING hnsw (val vector_l2_ops);
SELECT vector_dims(val), (val::real[])[2000] AS last FROM hd ORDER BY val <-> array_fill(2.9::real, ARRAY[2000])::vector LIMIT 1;
DROP TABLE hd;
CREATE TABLE hd (val vector(2001));
CREATE INDEX ON hd USING hnsw (val vector_l2_ops);
CREATE INDEX ON hd USING hnsw ((val::halfvec(2001)) halfvec_l2_ops);
DROP TABLE hd;

-- Expression and partial indexes
CREATE TABLE he (id int, category int, val vector(3));
INSERT INTO he SELECT i, i % 4, ARRAY[i, i % 7, i % 3]::vector FROM generate_series(1, 300) i;
CREATE INDEX he_half ON he USING hnsw ((val::halfvec(3)) halfvec_l2_ops);
CREATE INDEX he_bits ON he USING hnsw ((binary_quantize(val)::bit(3)) bit_hamming_ops);
CREATE INDEX he_part ON he USING hnsw (val vector_l2_ops) WHERE category = 3;
EXPLAIN (COSTS OFF) SELECT id FROM he ORDER BY val::halfvec(3) <-> '[10,1,1]' LIMIT 3;
SELECT id FROM he ORDER BY val::halfvec(3) <-> '[10,1,1]' LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id FROM he WHERE category = 3 ORDER BY val <-> '[10,1,1]' LIMIT 3;
SELECT id FROM he WHERE category = 3 ORDER BY val <-> '[10,1,1]' LIMIT 3;
SELECT count(*) FROM (SELECT id FROM he ORDER BY binary_quantize(val)::bit(3) <~> '111' LIMIT 5) t;
DROP TABLE he;

RESET enable_seqscan;
