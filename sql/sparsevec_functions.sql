-- sparsevec: distances, norms, comparisons and casts

-- distances; a and b overlap at index 3 only
SELECT '{1:1,3:2}/4'::sparsevec <-> '{2:1,3:1,4:-2}/4' AS l2,
       '{1:1,3:2}/4'::sparsevec <#> '{2:1,3:1,4:-2}/4' AS negative_ip,
       '{1:1,3:2}/4'::sparsevec <=> '{2:1,3:1,4:-2}/4' AS cosine,
       '{1:1,3:2}/4'::sparsevec <+> '{2:1,3:1,4:-2}/4' AS l1;
SELECT l2_distance('{1:1,3:2}/4'::sparsevec, '{2:1,3:1,4:-2}/4'),
       inner_product('{1:1,3:2}/4'::sparsevec, '{2:1,3:1,4:-2}/4'),
       cosine_distance('{1:1,3:2}/4'::sparsevec, '{2:1,3:1,4:-2}/4'),
       l1_distance('{1:1,3:2}/4'::sparsevec, '{2:1,3:1,4:-2}/4');
SELECT sparsevec_l2_squared_distance('{1:1,3:2}/4', '{2:1,3:1,4:-2}/4'),
       sparsevec_negative_inner_product('{1:1,3:2}/4', '{2:1,3:1,4:-2}/4');
-- disjoint, empty, identical
SELECT '{1:3}/2'::sparsevec <-> '{2:4}/2', '{1:3}/2'::sparsevec <#> '{2:4}/2',
       '{1:3}/2'::sparsevec <=> '{2:4}/2', '{1:3}/2'::sparsevec <+> '{2:4}/2';
SELECT '{}/2'::sparsevec <-> '{2:4}/2', '{}/2'::sparsevec <=> '{2:4}/2', '{}/2'::sparsevec <+> '{}/2';
SELECT '{1:1,5:2}/5'::sparsevec <-> '{1:1,5:2}/5', '{1:1,5:2}/5'::sparsevec <=> '{1:2,5:4}/5';
-- far apart indices in a large space
SELECT '{1:1,1000000000:2}/1000000000'::sparsevec <-> '{1000000000:-1}/1000000000';
SELECT '{1:1}/2'::sparsevec <-> '{1:1}/3';
SELECT '{1:1}/2'::sparsevec <#> '{1:1}/3';
SELECT '{1:1}/2'::sparsevec <=> '{1:1}/3';
SELECT '{1:1}/2'::sparsevec <+> '{1:1}/3';

-- the same as the dense distances
SELECT '{1:1,3:2}/4'::sparsevec <-> '{2:1,3:1,4:-2}/4' = '[1,0,2,0]'::vector <-> '[0,1,1,-2]',
       '{1:1,3:2}/4'::sparsevec <=> '{2:1,3:1,4:-2}/4' = '[1,0,2,0]'::vector <=> '[0,1,1,-2]';

-- values read from a table: short in-line ones (1-byte header) and longer
CREATE TABLE sparsevec_rows (id int, v sparsevec);
INSERT INTO sparsevec_rows VALUES
	(1, '{1:1,3:2}/4'),
	(2, ('{' || (SELECT string_agg(i || ':0.5', ',') FROM generate_series(1, 100) i) || '}/200')::sparsevec);
SELECT id, pg_column_size(v), v <-> v AS self, v <#> v AS negative_ip, l2_norm(v)
  FROM sparsevec_rows ORDER BY id;
SELECT v <-> '{2:1,3:1,4:-2}/4', v <+> '{2:1,3:1,4:-2}/4' FROM sparsevec_rows WHERE id = 1;

-- norms
SELECT l2_norm('{1:3,7:4}/9'::sparsevec), l2_norm('{}/9'::sparsevec), l2_norm('{1:3e38,2:3e38}/2'::sparsevec);
SELECT l2_normalize('{1:3,7:4}/9'::sparsevec), l2_normalize('{}/9'::sparsevec);
-- an element that rounds to zero after normalizing is dropped
SELECT l2_normalize('{1:1e-45,2:3e38}/2'::sparsevec);

-- comparisons: as the dense vectors compare, then fewer dimensions first
SELECT '{1:1}/2'::sparsevec < '{1:2}/2', '{1:1}/2'::sparsevec < '{2:1}/2',
       '{1:-1}/2'::sparsevec < '{}/2', '{2:-1}/2'::sparsevec < '{}/2',
       '{}/2'::sparsevec < '{}/3', '{1:1}/2'::sparsevec < '{}/3',
       '{2:1}/2'::sparsevec > '{3:1}/3', '{1:1,2:2}/2'::sparsevec = '{1:1,2:2}/2',
       '{1:1}/2'::sparsevec = '{1:1}/3', '{1:1}/2'::sparsevec <> '{1:1}/2',
       '{1:1}/2'::sparsevec <= '{1:1}/2', '{1:1}/2'::sparsevec >= '{1:1.5}/2';
SELECT sparsevec_cmp('{1:1}/2', '{2:1}/2'), sparsevec_cmp('{2:1}/2', '{1:1}/2'), sparsevec_cmp('{}/2', '{}/2');
CREATE TABLE sparsevec_sorted (v sparsevec);
INSERT INTO sparsevec_sorted VALUES ('{1:1}/3'), ('{}/3'), ('{3:-1}/3'), ('{1:1,2:1}/2'), ('{2:1}/3'), ('{}/2'), ('{1:1}/3');
CREATE INDEX ON sparsevec_sorted (v);
SET enable_seqscan = off;
SELECT v FROM sparsevec_sorted WHERE v > '{}/3' ORDER BY v;
SELECT count(*) FROM sparsevec_sorted WHERE v = '{1:1}/3';
RESET enable_seqscan;
SELECT v, v::vector AS dense FROM sparsevec_sorted ORDER BY 1;

-- casts from arrays, by assignment
SELECT ARRAY[0,2,0,-1]::sparsevec, ARRAY[0,0.1,0]::real[]::sparsevec,
       ARRAY[1.5,0]::float8[]::sparsevec, ARRAY[0,1.25]::numeric[]::sparsevec;
SELECT ARRAY[0,0]::sparsevec(2);
SELECT ARRAY[0,0]::sparsevec(3);
SELECT ARRAY[]::integer[]::sparsevec;
SELECT ARRAY[[1,2]]::sparsevec;
SELECT ARRAY[1,NULL]::sparsevec;
SELECT ARRAY['NaN']::real[]::sparsevec;
SELECT ARRAY[1e40]::float8[]::sparsevec;

-- casts between sparsevec, vector and halfvec
SELECT '[1,0,-2.5,0]'::vector::sparsevec, '{1:1,3:-2.5}/4'::sparsevec::vector;
SELECT '[1,0,0.1,0]'::halfvec::sparsevec, '{1:1,3:0.1}/4'::sparsevec::halfvec;
SELECT '[0,0]'::vector::sparsevec, '{}/2'::sparsevec::vector, '{}/2'::sparsevec::halfvec;
SELECT '[1,2]'::vector::sparsevec(2), '{1:1}/2'::sparsevec::vector(2), '{1:1}/2'::sparsevec::halfvec(2);
SELECT '[1,2]'::vector::sparsevec(3);
SELECT '[1,2]'::halfvec::sparsevec(3);
SELECT '{1:1}/2'::sparsevec::vector(3);
SELECT '{1:1}/2'::sparsevec::halfvec(3);
SELECT '{1:1}/16001'::sparsevec::vector;
SELECT '{1:1}/16001'::sparsevec::halfvec;
SELECT '{1:70000}/2'::sparsevec::halfvec;
-- vector and halfvec convert to sparsevec implicitly, back only on assignment
SELECT '{1:1,3:2}/4'::sparsevec <-> '[0,1,1,-2]'::vector, '{1:1,3:2}/4'::sparsevec <-> '[0,1,1,-2]'::halfvec;
CREATE TABLE sparsevec_assign (s sparsevec(3), v vector(3), h halfvec(3));
INSERT INTO sparsevec_assign VALUES ('[1,0,2]'::vector, '{1:1,3:2}/3'::sparsevec, '{1:1,3:2}/3'::sparsevec);
SELECT s, v, h FROM sparsevec_assign;
SELECT castsource::regtype, casttarget::regtype, castcontext FROM pg_cast
 WHERE 'sparsevec'::regtype IN (castsource, casttarget)
 ORDER BY castsource::regtype::text, casttarget::regtype::text;

DROP TABLE sparsevec_rows, sparsevec_sorted, sparsevec_assign;

-- L1 sums in float4 like the dense vector's (and pgvector's): both give 1e8
SELECT '{1:100000000,2:1}/2'::sparsevec <+> '{}/2' AS sparse_l1,
       '[100000000,1]'::vector <+> '[0,0]' AS dense_l1;
