-- hnsw over halfvec, sparsevec and bit: every opclass on small tables (rows
-- in exact distance order), limits, and recall on 2,000 rows for the build
-- and insert paths.
SET enable_seqscan = off;

-- halfvec
CREATE TABLE hh (id int, val halfvec(3));
INSERT INTO hh VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL), (5, '[-1,0.5,2]');
CREATE INDEX hh_idx ON hh USING hnsw (val halfvec_l2_ops);
INSERT INTO hh VALUES (6, '[1,2,4]');
SELECT id, val FROM hh ORDER BY val <-> '[3,3,3]';
DROP INDEX hh_idx;
CREATE INDEX hh_idx ON hh USING hnsw (val halfvec_ip_ops);
SELECT id, val FROM hh ORDER BY val <#> '[3,3,3]';
DROP INDEX hh_idx;
CREATE INDEX hh_idx ON hh USING hnsw (val halfvec_cosine_ops);
SELECT id, val FROM hh ORDER BY val <=> '[3,3,3]', id;
SELECT count(*) FROM (SELECT * FROM hh ORDER BY val <=> '[0,0,0]') t;
DROP INDEX hh_idx;
CREATE INDEX hh_idx ON hh USING hnsw (val halfvec_l1_ops);
SELECT id, val FROM hh ORDER BY val <+> '[3,3,3]', id;
SELECT count(*) FROM (SELECT * FROM hh ORDER BY val <+> (SELECT NULL::halfvec)) t;
DROP TABLE hh;
CREATE TABLE hh (val halfvec(4000));
CREATE INDEX ON hh USING hnsw (val halfvec_l2_ops);
DROP TABLE hh;
CREATE TABLE hh (val halfvec(4001));
CREATE INDEX ON hh USING hnsw (val halfvec_l2_ops);
DROP TABLE hh;

-- sparsevec: any dimensions, at most 1,000 non-zero elements per row
CREATE TABLE hsp (id int, val sparsevec(3));
INSERT INTO hsp VALUES (1, '{}/3'), (2, '{1:1,2:2,3:3}/3'), (3, '{1:1,2:1,3:1}/3'), (4, NULL), (5, '{1:-1,3:2}/3');
CREATE INDEX hsp_idx ON hsp USING hnsw (val sparsevec_l2_ops);
INSERT INTO hsp VALUES (6, '{1:1,2:2,3:4}/3');
SELECT id, val FROM hsp ORDER BY val <-> '{1:3,2:3,3:3}/3';
DROP INDEX hsp_idx;
CREATE INDEX hsp_idx ON hsp USING hnsw (val sparsevec_ip_ops);
SELECT id, val FROM hsp ORDER BY val <#> '{1:3,2:3,3:3}/3';
DROP INDEX hsp_idx;
CREATE INDEX hsp_idx ON hsp USING hnsw (val sparsevec_cosine_ops);
SELECT id, val FROM hsp ORDER BY val <=> '{1:3,2:3,3:3}/3', id;
DROP INDEX hsp_idx;
CREATE INDEX hsp_idx ON hsp USING hnsw (val sparsevec_l1_ops);
SELECT id, val FROM hsp ORDER BY val <+> '{1:3,2:3,3:3}/3', id;
DROP TABLE hsp;
CREATE TABLE hsp (val sparsevec(100000));
INSERT INTO hsp SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1000) i;
CREATE INDEX ON hsp USING hnsw (val sparsevec_l2_ops);
INSERT INTO hsp SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1001) i;
TRUNCATE hsp;
INSERT INTO hsp SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1001) i;
CREATE INDEX ON hsp USING hnsw (val sparsevec_l2_ops);
DROP TABLE hsp;

-- bit: fixed length (bit, not bit varying), up to 64,000
CREATE TABLE hb (id int, val bit(4));
INSERT INTO hb VALUES (1, '0000'), (2, '1100'), (3, '1111'), (4, NULL), (5, '0110');
CREATE INDEX hb_idx ON hb USING hnsw (val bit_hamming_ops);
INSERT INTO hb VALUES (6, '1110');
SELECT id, val, val <~> '1111' AS distance FROM hb ORDER BY val <~> '1111', id;
DROP INDEX hb_idx;
CREATE INDEX hb_idx ON hb USING hnsw (val bit_jaccard_ops);
SELECT id, val, round((val <%> '1111')::numeric, 4) AS distance FROM hb ORDER BY val <%> '1111', id;
SELECT id FROM hb ORDER BY val <~> '111' LIMIT 1;
DROP TABLE hb;
CREATE TABLE hb (val varbit(3));
CREATE INDEX ON hb USING hnsw (val bit_hamming_ops);
CREATE INDEX ON hb USING hnsw ((val::bit(3)) bit_hamming_ops);
DROP TABLE hb;
CREATE TABLE hb (val bit(64001));
CREATE INDEX ON hb USING hnsw (val bit_hamming_ops);
DROP TABLE hb;

-- Recall@10 on 2,000 rows of 24-d data in 20 clusters, for each type,
-- against the exact answers of a table without an index
SELECT setseed(0.17);
CREATE TABLE ht_centres AS
	SELECT c, ARRAY(SELECT random() * 4 - 2 FROM generate_series(1, 24) WHERE c >= 0) AS centre
	FROM generate_series(0, 19) c;
CREATE TABLE ht_plain AS
	SELECT i AS id, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x)::vector(24) AS val
	FROM generate_series(1, 2000) i JOIN ht_centres ON c = i % 20;
CREATE TABLE ht_queries AS
	SELECT q, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x)::vector(24) AS val
	FROM generate_series(1, 20) q JOIN ht_centres ON c = (q * 3) % 20;

CREATE FUNCTION ht_recall(expression text, operator text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	hits bigint;
BEGIN
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('CREATE TEMP TABLE ht_exact AS SELECT q, id FROM ht_queries CROSS JOIN LATERAL
		(SELECT id FROM ht_plain ORDER BY %1$s %2$s (SELECT %1$s FROM (SELECT ht_queries.val) v(val)) LIMIT 10) t',
		expression, operator);
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT count(*) FROM ht_queries CROSS JOIN LATERAL
		(SELECT id FROM ht ORDER BY %1$s %2$s (SELECT %1$s FROM (SELECT ht_queries.val) v(val)) LIMIT 10) t
		JOIN ht_exact USING (q, id)', expression, operator) INTO hits;
	DROP TABLE ht_exact;
	RETURN hits / 200.0;
END
$$;

CREATE TABLE ht (id int, val vector(24));
-- build path
INSERT INTO ht SELECT * FROM ht_plain;
CREATE INDEX ht_idx ON ht USING hnsw ((val::halfvec(24)) halfvec_l2_ops);
SELECT ht_recall('val::halfvec(24)', '<->') >= 0.95 AS halfvec_l2_build;
DROP INDEX ht_idx;
CREATE INDEX ht_idx ON ht USING hnsw ((val::halfvec(24)) halfvec_cosine_ops);
SELECT ht_recall('val::halfvec(24)', '<=>') >= 0.95 AS halfvec_cosine_build;
DROP INDEX ht_idx;
CREATE INDEX ht_idx ON ht USING hnsw ((val::sparsevec(24)) sparsevec_l2_ops);
SELECT ht_recall('val::sparsevec(24)', '<->') >= 0.95 AS sparsevec_l2_build;
DROP INDEX ht_idx;
CREATE INDEX ht_idx ON ht USING hnsw ((binary_quantize(val)::bit(24)) bit_hamming_ops);
SELECT ht_recall('binary_quantize(val)::bit(24)', '<~>') >= 0.80 AS bit_hamming_build;
DROP INDEX ht_idx;
CREATE INDEX ht_idx ON ht USING hnsw (val vector_ip_ops);
SELECT ht_recall('val', '<#>') >= 0.90 AS vector_ip_build;
DROP INDEX ht_idx;
CREATE INDEX ht_idx ON ht USING hnsw (val vector_l1_ops);
SELECT ht_recall('val', '<+>') >= 0.95 AS vector_l1_build;
DROP INDEX ht_idx;
-- insert path
TRUNCATE ht;
CREATE INDEX ht_idx ON ht USING hnsw ((val::halfvec(24)) halfvec_l2_ops);
INSERT INTO ht SELECT * FROM ht_plain;
SELECT ht_recall('val::halfvec(24)', '<->') >= 0.95 AS halfvec_l2_insert;
DROP INDEX ht_idx;
TRUNCATE ht;
CREATE INDEX ht_idx ON ht USING hnsw ((val::sparsevec(24)) sparsevec_cosine_ops);
INSERT INTO ht SELECT * FROM ht_plain;
SELECT ht_recall('val::sparsevec(24)', '<=>') >= 0.95 AS sparsevec_cosine_insert;
DROP INDEX ht_idx;
TRUNCATE ht;
CREATE INDEX ht_idx ON ht USING hnsw ((binary_quantize(val)::bit(24)) bit_jaccard_ops);
INSERT INTO ht SELECT * FROM ht_plain;
SELECT ht_recall('binary_quantize(val)::bit(24)', '<%>') >= 0.80 AS bit_jaccard_insert;

DROP TABLE ht, ht_plain, ht_queries, ht_centres;
DROP FUNCTION ht_recall(text, text);
RESET enable_seqscan;
