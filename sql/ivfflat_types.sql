-- ivfflat over halfvec and bit, and over expressions of vector: each
-- opclass against a sequential scan, partial indexes, dimension limits.

SELECT setseed(0.17);
CREATE TABLE ih (id int PRIMARY KEY, val halfvec(6), embedding vector(3), flag bool);
INSERT INTO ih SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 6) WHERE i > 0)::halfvec(6),
	ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 3) WHERE i > 0)::vector(3), i % 4 = 0
	FROM generate_series(1, 500) i;
CREATE TABLE ihq (qid int, q halfvec(6), qv vector(3));
INSERT INTO ihq SELECT i, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 6) WHERE i > 0)::halfvec(6),
	ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 3) WHERE i > 0)::vector(3)
	FROM generate_series(1, 10) i;

-- Index and sequential scan give the same 10 rows in the same order, for
-- each of the 10 queries; expr is the ORDER BY expression over ih and ihq.
-- With a tolerance, the distances of the rows in the order returned must
-- agree that closely instead (halfvec cosine: the index scores values
-- normalized to halfvec, which moves near-ties).
CREATE FUNCTION ih_mismatches(expr text, filter text DEFAULT 'true', tolerance float8 DEFAULT NULL)
	RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	query text := format(
		'SELECT qid, array_agg(id) AS ids, array_agg(d) AS ds FROM ihq, LATERAL '
		'(SELECT id, %2$s AS d FROM ih WHERE %1$s ORDER BY %2$s LIMIT 10) s GROUP BY qid',
		filter, expr);
	mismatches bigint;
	plan text;
	index_used bool := false;
BEGIN
	SET LOCAL enable_seqscan = off;
	FOR plan IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		index_used := index_used OR plan LIKE '%Index Scan using%';
	END LOOP;
	IF NOT index_used THEN
		RAISE EXCEPTION 'no index scan for %', expr;
	END IF;
	EXECUTE 'CREATE TEMP TABLE by_index AS ' || query;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE 'CREATE TEMP TABLE by_seqscan AS ' || query;
	IF tolerance IS NULL THEN
		SELECT count(*) INTO mismatches FROM by_index i FULL JOIN by_seqscan s USING (qid)
			WHERE i.ids IS DISTINCT FROM s.ids;
	ELSE
		SELECT count(*) INTO mismatches FROM by_index i FULL JOIN by_seqscan s USING (qid)
			WHERE cardinality(i.ds) IS DISTINCT FROM cardinality(s.ds)
			OR EXISTS (SELECT FROM generate_subscripts(i.ds, 1) k WHERE abs(i.ds[k] - s.ds[k]) > tolerance);
	END IF;
	DROP TABLE by_index, by_seqscan;
	RETURN mismatches;
END $$;

SET ivfflat.probes = 8;

CREATE INDEX ih_l2 ON ih USING ivfflat (val halfvec_l2_ops) WITH (lists = 8);
SELECT ih_mismatches('val <-> ihq.q') AS halfvec_l2_mismatches;
DROP INDEX ih_l2;
CREATE INDEX ih_ip ON ih USING ivfflat (val halfvec_ip_ops) WITH (lists = 8);
SELECT ih_mismatches('val <#> ihq.q') AS halfvec_ip_mismatches;
DROP INDEX ih_ip;
CREATE INDEX ih_cosine ON ih USING ivfflat (val halfvec_cosine_ops) WITH (lists = 8);
SELECT ih_mismatches('val <=> ihq.q', tolerance => 0.002) AS halfvec_cosine_mismatches;
-- inserts after the build
INSERT INTO ih SELECT id + 1000, val, embedding, flag FROM ih WHERE id <= 100;
SELECT ih_mismatches('val <=> ihq.q', tolerance => 0.002) AS halfvec_cosine_after_inserts_mismatches;
DELETE FROM ih WHERE id > 1000;
DROP INDEX ih_cosine;

-- an expression index: vector indexed as halfvec
CREATE INDEX ih_expr ON ih USING ivfflat ((embedding::halfvec(3)) halfvec_l2_ops) WITH (lists = 8);
SELECT ih_mismatches('embedding::halfvec(3) <-> ihq.qv::halfvec(3)') AS expression_mismatches;
DROP INDEX ih_expr;

-- a partial index
CREATE INDEX ih_partial ON ih USING ivfflat (embedding vector_l2_ops) WITH (lists = 4) WHERE flag;
SELECT ih_mismatches('embedding <-> ihq.qv', 'flag') AS partial_mismatches;
-- used when the query implies the index's predicate, and only then
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ih WHERE flag ORDER BY embedding <-> '[1,1,1]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM ih ORDER BY embedding <-> '[1,1,1]' LIMIT 5;
RESET enable_seqscan;
DROP INDEX ih_partial;

-- bit: hamming distances tie a lot, so compare the distances in order
CREATE INDEX ih_bit ON ih USING ivfflat ((binary_quantize(val)::bit(6)) bit_hamming_ops) WITH (lists = 4);
SET ivfflat.probes = 4;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ih ORDER BY binary_quantize(val)::bit(6) <~> B'101010' LIMIT 5;
CREATE TEMP TABLE bit_index AS SELECT qid, (SELECT array_agg(d) FROM (SELECT binary_quantize(val)::bit(6) <~> binary_quantize(ihq.q)::bit(6) AS d
	FROM ih ORDER BY binary_quantize(val)::bit(6) <~> binary_quantize(ihq.q)::bit(6) LIMIT 20) s) AS ds FROM ihq;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE bit_seqscan AS SELECT qid, (SELECT array_agg(d) FROM (SELECT binary_quantize(val)::bit(6) <~> binary_quantize(ihq.q)::bit(6) AS d
	FROM ih ORDER BY binary_quantize(val)::bit(6) <~> binary_quantize(ihq.q)::bit(6) LIMIT 20) s) AS ds FROM ihq;
RESET enable_indexscan;
SELECT count(*) AS bit_mismatches FROM bit_index i JOIN bit_seqscan s USING (qid) WHERE i.ds IS DISTINCT FROM s.ds;
SELECT count(*) FROM (SELECT id FROM ih ORDER BY binary_quantize(val)::bit(6) <~> B'111111') t;
-- the wrong length in the query
SET enable_seqscan = off;
SELECT id FROM ih ORDER BY binary_quantize(val)::bit(6) <~> B'101' LIMIT 1;
RESET enable_seqscan;
DROP INDEX ih_bit;
-- the same through vector's binary_quantize, as the issue's example
CREATE INDEX ih_bit3 ON ih USING ivfflat ((binary_quantize(embedding)::bit(3)) bit_hamming_ops) WITH (lists = 2);
SELECT count(*) FROM (SELECT id FROM ih ORDER BY binary_quantize(embedding)::bit(3) <~> B'101') t;
DROP INDEX ih_bit3;

-- Limits: halfvec up to 4,000 dimensions, bit up to 64,000; bit varying is refused
CREATE TABLE ilim (h halfvec(4001), b bit(64001), vb varbit(8), v vector(4000));
CREATE INDEX ON ilim USING ivfflat (h halfvec_l2_ops);
CREATE INDEX ON ilim USING ivfflat (b bit_hamming_ops);
CREATE INDEX ON ilim USING ivfflat (vb bit_hamming_ops);
CREATE INDEX ON ilim USING ivfflat ((v::halfvec(4000)) halfvec_l2_ops) WITH (lists = 1);
DROP TABLE ilim;
-- the opclasses pgvector has for ivfflat, and no others
SELECT opcname, opcintype::regtype, opcdefault FROM pg_opclass
	WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'ivfflat') ORDER BY opcname, opcintype::regtype::text;
SELECT amproc.amprocnum, amproc.amproc::regproc, opc.opcname, opc.opcintype::regtype
	FROM pg_amproc amproc JOIN pg_opclass opc ON opc.opcfamily = amproc.amprocfamily
	WHERE opc.opcmethod = (SELECT oid FROM pg_am WHERE amname = 'ivfflat')
	ORDER BY opc.opcname, opc.opcintype::regtype::text, amproc.amprocnum;
-- sparsevec has no ivfflat opclass
CREATE TABLE isp (val sparsevec(3));
CREATE INDEX ON isp USING ivfflat (val);

RESET ivfflat.probes;
DROP TABLE ih, ihq, isp, bit_index, bit_seqscan;
DROP FUNCTION ih_mismatches(text, text, float8);
