-- halfvec: distances, norms, arithmetic, subvector, quantization,
-- comparisons, aggregates and casts

-- distances
SELECT '[1,2,3]'::halfvec <-> '[4,6,8]' AS l2,
       '[1,2,3]'::halfvec <#> '[4,6,8]' AS negative_ip,
       '[1,2,3]'::halfvec <=> '[4,6,8]' AS cosine,
       '[1,2,3]'::halfvec <+> '[4,6,8]' AS l1;
SELECT l2_distance('[1,2,3]'::halfvec, '[4,6,8]'),
       inner_product('[1,2,3]'::halfvec, '[4,6,8]'),
       cosine_distance('[1,2,3]'::halfvec, '[4,6,8]'),
       l1_distance('[1,2,3]'::halfvec, '[4,6,8]');
SELECT halfvec_l2_squared_distance('[1,2,3]', '[4,6,8]'),
       halfvec_negative_inner_product('[1,2,3]', '[4,6,8]'),
       halfvec_spherical_distance('[0.6,0.8]', '[0,1]');
-- the elements are halves: 0.1 is 0.099975586
SELECT '[0.1]'::halfvec <-> '[0]';
-- cosine: parallel, opposite, orthogonal, and NaN for a zero vector
SELECT '[1,1]'::halfvec <=> '[2,2]', '[1,1]'::halfvec <=> '[-1,-1]',
       '[1,0]'::halfvec <=> '[0,1]', '[0,0]'::halfvec <=> '[1,1]';
-- spherical distance stays defined when rounding leaves the unit circle
SELECT halfvec_spherical_distance('[1,1]', '[1,1]'), halfvec_spherical_distance('[1,1]', '[-1,-1]');
-- results beyond half are fine in float8
SELECT '[60000,60000]'::halfvec <#> '[60000,60000]', '[-60000]'::halfvec <-> '[60000]';
SELECT '[1,2]'::halfvec <-> '[1,2,3]';
SELECT '[1,2]'::halfvec <#> '[1,2,3]';
SELECT '[1,2]'::halfvec <=> '[1,2,3]';
SELECT '[1,2]'::halfvec <+> '[1,2,3]';

-- values read from a table: short in-line values (1-byte header), longer
-- ones, and compressed ones (STORAGE main)
CREATE TABLE halfvec_rows (id int, v halfvec);
INSERT INTO halfvec_rows VALUES
	(1, '[1,2,3]'),
	(2, array_fill(0.5, ARRAY[100])::halfvec),
	(3, array_fill(0.25, ARRAY[4000])::halfvec);
SELECT id, pg_column_size(v), v <-> v AS self, v <#> v AS negative_ip, l2_norm(v)
  FROM halfvec_rows ORDER BY id;
SELECT id, v <-> '[0,0,0]', v <+> '[1,1,1]' FROM halfvec_rows WHERE id = 1;

-- norms
SELECT l2_norm('[3,4]'::halfvec), l2_norm('[0,0]'::halfvec), l2_norm('[60000,60000]'::halfvec);
SELECT l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec), l2_normalize('[-65504,65504]'::halfvec);
SELECT vector_dims('[1,2,3]'::halfvec);

-- binary quantize: a bit per element, set where the element is positive
SELECT binary_quantize('[1,-1,0,2,0.001,-0.001,5,6,-7]'::halfvec);
SELECT binary_quantize('[1]'::halfvec), length(binary_quantize(array_fill(1, ARRAY[17])::halfvec));

-- subvector(v, start, count), 1-based and clipped like substring
SELECT subvector('[1,2,3,4,5]'::halfvec, 2, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 4, 10);
SELECT subvector('[1,2,3,4,5]'::halfvec, -1, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 1, 2147483647);
SELECT subvector('[1,2,3,4,5]'::halfvec, 5, 1);
SELECT subvector('[1,2,3,4,5]'::halfvec, 6, 1);
SELECT subvector('[1,2,3,4,5]'::halfvec, -1, 2);
SELECT subvector('[1,2,3,4,5]'::halfvec, 2, 0);
SELECT subvector('[1,2,3,4,5]'::halfvec, -2147483648, 2147483647);

-- arithmetic, rounded to half
SELECT '[1,2]'::halfvec + '[3,4]', '[1,2]'::halfvec - '[3,4.5]', '[1,2]'::halfvec * '[3,-4]';
SELECT '[0.1]'::halfvec + '[0.2]', '[2049]'::halfvec + '[0]', '[2048]'::halfvec + '[1]';
SELECT '[65504]'::halfvec + '[15]';
SELECT '[65504]'::halfvec + '[16]';
SELECT '[-65504]'::halfvec - '[65504]';
SELECT '[300]'::halfvec * '[300]';
SELECT '[0.0001]'::halfvec * '[0.0001]';
SELECT '[0]'::halfvec * '[0.0001]';
SELECT '[1,2]'::halfvec + '[1]';
SELECT '[1,2]'::halfvec - '[1]';
SELECT '[1,2]'::halfvec * '[1]';

-- concatenation
SELECT '[1,2]'::halfvec || '[3]', vector_dims(array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8000])::halfvec);
SELECT array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec;

-- comparisons: element by element, then the shorter first
SELECT '[1,2]'::halfvec < '[1,3]', '[1,2]'::halfvec < '[1,2,0]', '[2]'::halfvec > '[1,9]',
       '[1,2]'::halfvec = '[1,2]', '[1,2]'::halfvec = '[1,2.0001]', '[0.1]'::halfvec = '[0.1001]',
       '[1,2]'::halfvec <> '[1,2]', '[1,2]'::halfvec <= '[1,2]', '[1,2]'::halfvec >= '[1,3]',
       '[-0]'::halfvec = '[0]';
SELECT halfvec_cmp('[1,2]', '[1,3]'), halfvec_cmp('[1,3]', '[1,2]'), halfvec_cmp('[1]', '[1]');
CREATE TABLE halfvec_sorted (v halfvec);
INSERT INTO halfvec_sorted VALUES ('[1,2,3]'), ('[1,2]'), ('[-1]'), ('[1,1,9]'), ('[0.5,-0]'), ('[1,2]');
CREATE INDEX ON halfvec_sorted (v);
SET enable_seqscan = off;
SELECT v FROM halfvec_sorted WHERE v >= '[1]' ORDER BY v;
SELECT count(*) FROM halfvec_sorted WHERE v = '[1,2]';
RESET enable_seqscan;
SELECT DISTINCT v FROM halfvec_sorted ORDER BY v;

-- aggregates
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[3,5]'), ('[-1,0.5]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[0.1,1]'::halfvec), ('[0.2,1]'), ('[0.3,1]')) t(v);
SELECT avg(v), sum(v) FROM halfvec_rows WHERE false;
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[1]')) t(v);
-- the state is avg(vector)'s: {count, sum_1, ..., sum_dim} in float8
SELECT halfvec_accum('{0}', '[1,2]'), halfvec_accum(halfvec_accum('{0}', '[1,2]'), '[0.1,65504]');
SELECT s, halfvec_accum(s, '[1,1]') FROM (SELECT '{1,1,2}'::float8[] AS s) t;
SELECT halfvec_avg('{2,3,5}'), halfvec_avg('{0}'), halfvec_combine('{1,1,2}', '{2,3,4}');
SELECT halfvec_accum('{1,1,2}', '[1]');
SELECT halfvec_accum('{1,1e308}', '[65504]');
SELECT halfvec_avg('{1,70000}');
SELECT halfvec_accum('{}', '[1]');
SELECT halfvec_avg('{1,NULL}');
-- the same with a parallel plan, which combines partial states
CREATE TABLE halfvec_many AS
	SELECT ARRAY[i % 10, 1]::halfvec AS v FROM generate_series(1, 10000) i;
ANALYZE halfvec_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v) FROM halfvec_many;
-- (sum is left out: rounding to half at every step depends on the order)
SELECT avg(v) FROM halfvec_many;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- casts from arrays
SELECT ARRAY[1,2,3]::halfvec, ARRAY[1.5,-2,0.1]::real[]::halfvec,
       ARRAY[1.5,-2,0.1]::float8[]::halfvec, ARRAY[1.5,-2,0.1]::numeric[]::halfvec;
SELECT ARRAY[1,2,3]::halfvec(3);
SELECT ARRAY[1,2,3]::halfvec(2);
SELECT ARRAY[]::integer[]::halfvec;
SELECT ARRAY[[1,2],[3,4]]::halfvec;
SELECT ARRAY[1,NULL]::halfvec;
SELECT ARRAY[70000]::halfvec;
SELECT ARRAY[1e40]::float8[]::halfvec;
SELECT ARRAY[1e40]::numeric[]::halfvec;
SELECT ARRAY['NaN']::real[]::halfvec;
SELECT ARRAY['Infinity']::float8[]::halfvec;
SELECT array_fill(1, ARRAY[16001])::halfvec;
SELECT ARRAY['a']::text[]::halfvec;
-- and to real[], by assignment
SELECT '[1,0.1,-65504]'::halfvec::real[];
CREATE TABLE halfvec_real (a real[]);
INSERT INTO halfvec_real VALUES ('[0.5,2]'::halfvec);
SELECT a FROM halfvec_real;

-- casts between halfvec and vector
SELECT '[1,0.1,-65504]'::vector::halfvec, '[1,0.1,-65504]'::halfvec::vector;
SELECT '[1,2]'::vector::halfvec(2), '[1,2]'::halfvec::vector(2);
SELECT '[1,2]'::vector::halfvec(3);
SELECT '[1,2]'::halfvec::vector(3);
SELECT '[65520]'::vector::halfvec;
-- vector converts to halfvec implicitly, halfvec to vector only on assignment
SELECT '[1,2,3]'::halfvec <-> '[4,6,8]'::vector;
CREATE TABLE halfvec_assign (h halfvec(2), v vector(2));
INSERT INTO halfvec_assign VALUES ('[0.1,1]'::vector, '[0.1,1]'::halfvec);
SELECT h, v FROM halfvec_assign;
SELECT castcontext FROM pg_cast
 WHERE castsource = 'vector'::regtype AND casttarget = 'halfvec'::regtype;
SELECT castcontext FROM pg_cast
 WHERE castsource = 'halfvec'::regtype AND casttarget IN ('vector'::regtype, 'real[]'::regtype);

DROP TABLE halfvec_rows, halfvec_sorted, halfvec_many, halfvec_real, halfvec_assign;
