-- Versions and the upgrade from 0.1.0 (the types and functions, before the
-- index access methods) to 0.8.6: ALTER EXTENSION vector UPDATE gives an
-- existing database what a fresh CREATE EXTENSION vector gives, and indexes
-- on its data.  It runs in a database of its own, so the regression
-- database keeps its extension and whatever earlier tests left there.

-- pg_regress created the extension at the default version.
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT default_version FROM pg_available_extensions WHERE name = 'vector';
SELECT source, target, path FROM pg_extension_update_paths('vector')
	WHERE path IS NOT NULL ORDER BY source, target;
-- What tools read: pgvector 0.8-level (HNSW >= 0.5.0, halfvec and sparsevec
-- >= 0.7.0, iterative scans >= 0.8.0).
SELECT string_to_array(extversion, '.')::int[] >= '{0,8,0}' AS iterative_scans
	FROM pg_extension WHERE extname = 'vector';

SELECT current_database() AS regression_database \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS vector_extension_upgrade;  -- left by a run that failed
RESET client_min_messages;
CREATE DATABASE vector_extension_upgrade TEMPLATE template0;
\c vector_extension_upgrade

-- The extension's members, by description.
CREATE TEMP VIEW vector_members AS
	SELECT pg_describe_object(classid, objid, 0) AS member FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass
		AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector')
		AND deptype = 'e';

-- A fresh install: the members every upgraded database must have.
CREATE EXTENSION vector;
SELECT extversion FROM pg_extension WHERE extname = 'vector';
CREATE TEMP TABLE fresh_members AS SELECT member FROM vector_members;
DROP EXTENSION vector;

-- Members missing from the extension as it is now, or extra to it.
CREATE TEMP VIEW member_differences AS
	(SELECT 'missing' AS difference, member FROM fresh_members
		EXCEPT SELECT 'missing', member FROM vector_members)
	UNION ALL
	(SELECT 'extra', member FROM vector_members
		EXCEPT SELECT 'extra', member FROM fresh_members);

-- 1. A database at 0.1.0 as released: no index access methods.
CREATE EXTENSION vector VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT amname FROM pg_am WHERE amname IN ('hnsw', 'ivfflat');
CREATE TEMP TABLE members_0_1_0 AS SELECT member FROM vector_members;
CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
INSERT INTO items SELECT i, ARRAY[i % 17, i % 23, i % 29] FROM generate_series(1, 1000) i;
CREATE TABLE half_items (id int PRIMARY KEY, embedding halfvec(3));
INSERT INTO half_items SELECT id, embedding FROM items;
-- (the 4th, 5th and 6th nearest rows are at one distance: only the 3 nearest are compared)
SELECT array_agg(id) AS nearest_by_seqscan FROM
	(SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3) s;

ALTER EXTENSION vector UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT * FROM member_differences ORDER BY 1, 2;
-- what the upgrade added
SELECT member FROM vector_members EXCEPT SELECT member FROM members_0_1_0 ORDER BY 1;

-- Indexes on the data the table held before the upgrade.
SET enable_seqscan = off;
CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3;
SELECT array_agg(id) AS nearest_by_hnsw FROM
	(SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3) s;
DROP INDEX items_hnsw;
CREATE INDEX items_ivfflat ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 4);
SET ivfflat.probes = 4;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3;
SELECT array_agg(id) AS nearest_by_ivfflat FROM
	(SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3) s;
CREATE INDEX half_items_hnsw ON half_items USING hnsw (embedding halfvec_cosine_ops);
EXPLAIN (COSTS OFF) SELECT id FROM half_items ORDER BY embedding <=> '[3,5,7]' LIMIT 3;
SELECT count(*) FROM (SELECT id FROM half_items ORDER BY embedding <=> '[3,5,7]' LIMIT 3) s;
RESET enable_seqscan;
RESET ivfflat.probes;
DROP TABLE items, half_items;
DROP EXTENSION vector;

-- 2. A database at "0.1.0" from a development build that had hnsw but not
-- yet ivfflat (and an hnsw index in use): made here from a fresh install by
-- taking the ivfflat objects out and setting the version back.  The
-- upgrade leaves hnsw and its index alone and adds ivfflat.
CREATE EXTENSION vector;
SELECT format('ALTER EXTENSION vector DROP OPERATOR %s %I USING ivfflat', kind, name)
	FROM (SELECT 'CLASS' AS kind, opcname AS name, opcmethod AS method FROM pg_opclass
		UNION ALL SELECT 'FAMILY', opfname, opfmethod FROM pg_opfamily) o
	WHERE method = (SELECT oid FROM pg_am WHERE amname = 'ivfflat') ORDER BY 1 \gexec
ALTER EXTENSION vector DROP ACCESS METHOD ivfflat;
ALTER EXTENSION vector DROP FUNCTION ivfflathandler(internal);
ALTER EXTENSION vector DROP FUNCTION ivfflat_halfvec_support(internal);
ALTER EXTENSION vector DROP FUNCTION ivfflat_bit_support(internal);
SET client_min_messages = warning;
DROP ACCESS METHOD ivfflat CASCADE;
RESET client_min_messages;
DROP FUNCTION ivfflathandler(internal), ivfflat_halfvec_support(internal),
	ivfflat_bit_support(internal);
UPDATE pg_extension SET extversion = '0.1.0' WHERE extname = 'vector';
SELECT * FROM member_differences ORDER BY 1, 2;

SELECT oid AS hnsw_oid FROM pg_am WHERE amname = 'hnsw' \gset
CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
INSERT INTO items SELECT i, ARRAY[i % 17, i % 23, i % 29] FROM generate_series(1, 1000) i;
CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops);

ALTER EXTENSION vector UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT * FROM member_differences ORDER BY 1, 2;
SELECT oid = :hnsw_oid AS same_hnsw FROM pg_am WHERE amname = 'hnsw';
-- the hnsw index built before the upgrade serves L2, a new ivfflat one cosine
CREATE INDEX items_ivfflat_cosine ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 4);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3;
SELECT array_agg(id) AS nearest_by_hnsw FROM
	(SELECT id FROM items ORDER BY embedding <-> '[3,5,7]' LIMIT 3) s;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <=> '[3,5,7]' LIMIT 3;
SELECT count(*) AS rows_by_ivfflat FROM
	(SELECT id FROM items ORDER BY embedding <=> '[3,5,7]' LIMIT 3) s;
RESET enable_seqscan;
DROP TABLE items;
DROP EXTENSION vector;

-- 3. A database at "0.1.0" from a development build that had both access
-- methods: the upgrade changes nothing but the version.
CREATE EXTENSION vector;
UPDATE pg_extension SET extversion = '0.1.0' WHERE extname = 'vector';
CREATE TEMP TABLE oids_before AS
	SELECT classid, objid FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass
		AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector')
		AND deptype = 'e';
ALTER EXTENSION vector UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'vector';
SELECT * FROM member_differences ORDER BY 1, 2;
SELECT count(*) AS new_objects FROM (
	SELECT classid, objid FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass
		AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector')
		AND deptype = 'e'
	EXCEPT SELECT classid, objid FROM oids_before) s;

-- 4. Already at 0.8.6: nothing to do.
ALTER EXTENSION vector UPDATE;
ALTER EXTENSION vector UPDATE TO '0.8.6';
SELECT extversion FROM pg_extension WHERE extname = 'vector';

-- No way down.
ALTER EXTENSION vector UPDATE TO '0.1.0';

\c :regression_database
DROP DATABASE vector_extension_upgrade;
SELECT extversion FROM pg_extension WHERE extname = 'vector';
