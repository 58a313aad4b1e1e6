-- Edge cases where pgvector 0.8's behaviour is easy to get wrong, checked
-- against its C sources.  Error texts are our own, so errors are shown by
-- SQLSTATE only: that is the part a client can depend on.

CREATE FUNCTION pg_temp.sqlstate_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

-- Text input.  Whitespace around the literal and its tokens is allowed; an
-- empty list is a data exception (22000), not a syntax error; strtof syntax
-- (hex, a leading '+', '5.') is accepted; a value that underflows is zero
-- for vector and halfvec but out of range (22003) for sparsevec, whose
-- parser follows float4in more closely.
SELECT '  [1,2,3]  '::vector AS v1, '[1,2,3]   '::vector AS v2, E'\t[ 1 ,\n2 ]\r'::vector AS v3;
SELECT '  [1,2]  '::halfvec AS h, E' { 2 : 1 , 1 : 2 } / 3 \n'::sparsevec AS s;
SELECT '[0x10,+1.5e+2,5.,-0,0x1p-2,-.5]'::vector AS strtof_forms, '[ 1e5 ]'::vector AS spaced;
SELECT '[1e-50,-1e-50]'::vector AS v_underflow, '[1e-50]'::halfvec AS h_underflow, '[1e-40]'::vector AS v_subnormal;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '[]'::vector$$),
	($$SELECT '[ ]'::halfvec$$),
	($$SELECT ''::vector$$),
	($$SELECT '[1,2,]'::vector$$),
	($$SELECT '[1,,2]'::vector$$),
	($$SELECT '[1 2]'::vector$$),
	($$SELECT '[1,2'::vector$$),
	($$SELECT '[1,2] x'::vector$$),
	($$SELECT '[1e+]'::vector$$),
	($$SELECT '[0x]'::vector$$),
	($$SELECT '[nan(123)]'::vector$$),
	($$SELECT ('[' || repeat('1,', 16000) || '1]')::vector$$),
	($$SELECT ('[' || repeat('1,', 16000) || '1]')::halfvec$$),
	($$SELECT '[nan]'::vector$$),
	($$SELECT '[-inf]'::vector$$),
	($$SELECT '[1e39]'::vector$$),
	($$SELECT '[65520]'::halfvec$$),
	($$SELECT '[nan]'::halfvec$$),
	($$SELECT '{1:1e-50}/3'::sparsevec$$),
	($$SELECT '{1:1e39}/3'::sparsevec$$),
	($$SELECT '{1:inf}/3'::sparsevec$$),
	($$SELECT '{1:1}/3 x'::sparsevec$$),
	($$SELECT '{1:1}'::sparsevec$$),
	($$SELECT '{1.5:1}/3'::sparsevec$$)
) AS cases(query);

-- sparsevec indices: pgvector ignores the index of a zero value, and checks
-- the others against the dimensions only (22000), however large they are.
SELECT '{0:0,9:0,-1:0}/3'::sparsevec AS zero_values_any_index, '{1:1,1:0}/3'::sparsevec AS zero_repeat;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '{0:1}/3'::sparsevec$$),
	($$SELECT '{-5:1}/3'::sparsevec$$),
	($$SELECT '{4:1}/3'::sparsevec$$),
	($$SELECT '{99999999999:1}/3'::sparsevec$$),
	($$SELECT '{-99999999999:1}/3'::sparsevec$$),
	($$SELECT '{1:1,1:2}/3'::sparsevec$$),
	($$SELECT '{}/0'::sparsevec$$),
	($$SELECT '{}/1000000001'::sparsevec$$),
	($$SELECT '{}/99999999999'::sparsevec$$)
) AS cases(query);
SELECT '{}/1000000000'::sparsevec AS max_dims;

-- Dimension limits: 16,000 for vector and halfvec (54000 beyond)
SELECT vector_dims(array_fill(1, ARRAY[16000])::vector) AS vector_max,
	vector_dims(array_fill(1, ARRAY[16000])::halfvec) AS halfvec_max;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT array_fill(1, ARRAY[16001])::vector$$),
	($$SELECT array_fill(1, ARRAY[16001])::halfvec$$),
	($$SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector$$),
	($$SELECT array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec$$),
	($$SELECT '{1:1}/16001'::sparsevec::vector$$),
	($$SELECT '{1:1}/16001'::sparsevec::halfvec$$),
	($$SELECT '[1]'::vector(16001)$$),
	($$SELECT '[1]'::vector(0)$$),
	($$SELECT '[1]'::vector(1, 2)$$),
	($$SELECT '[1]'::halfvec(16001)$$),
	($$SELECT '{}/1'::sparsevec(1000000001)$$)
) AS cases(query);

-- Type modifiers are checked by every cast into a constrained type (22000)
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '[1,2]'::vector(3)$$),
	($$SELECT ARRAY[1,2]::vector(3)$$),
	($$SELECT ARRAY[1,2]::real[]::vector(3)$$),
	($$SELECT '[1,2]'::vector::vector(3)$$),
	($$SELECT '[1,2]'::halfvec(3)$$),
	($$SELECT '[1,2,3]'::vector::halfvec(2)$$),
	($$SELECT '[1,2,3]'::halfvec::vector(2)$$),
	($$SELECT '{1:1}/2'::sparsevec(3)$$),
	($$SELECT '{1:1}/3'::sparsevec::vector(2)$$),
	($$SELECT '[1,2,3]'::vector::sparsevec(2)$$),
	($$SELECT ARRAY[1,2]::sparsevec(3)$$)
) AS cases(query);
CREATE TABLE compat_typmod (v vector(3), h halfvec(3), s sparsevec(3));
INSERT INTO compat_typmod (v) VALUES ('[1,2,3]'), (ARRAY[4,5,6]), ('[7,8,9]'::halfvec);
INSERT INTO compat_typmod (h) VALUES ('[1,2,3]'::vector), (ARRAY[1.5,2,3]::numeric[]);
INSERT INTO compat_typmod (s) VALUES ('[1,0,3]'::vector), ('[0,-0,2]'::halfvec), (ARRAY[0,0,1]);
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$INSERT INTO compat_typmod (v) VALUES ('[1,2]')$$),
	($$INSERT INTO compat_typmod (h) VALUES (ARRAY[1,2,3,4])$$),
	($$INSERT INTO compat_typmod (s) VALUES ('[1,0,3,4]'::vector)$$)
) AS cases(query);
SELECT * FROM compat_typmod;
DROP TABLE compat_typmod;

-- Arrays: empty (22000), not 1-D (22000), NULL elements (22004); the lower
-- bound does not matter; int4, float8 and numeric go through float4.  A
-- float8 beyond float4 is 22003 here; pgvector rounds it to infinity and
-- then reports an infinite element (22000): same class, clearer cause.
SELECT '[0:2]={1,2,3}'::real[]::vector AS v, '[5:6]={1,2}'::int[]::sparsevec AS s,
	'[0:1]={1,2}'::float8[]::halfvec AS h;
SELECT ARRAY[2147483647]::int[]::vector AS int_max, ARRAY[0.1]::numeric[]::vector AS numeric_tenth,
	ARRAY[1e-50]::float8[]::vector AS float8_underflow, ARRAY[0,1,0,-0]::real[]::sparsevec AS zeros_dropped;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '{}'::real[]::vector$$),
	($$SELECT '{}'::int[]::halfvec$$),
	($$SELECT '{}'::float8[]::sparsevec$$),
	($$SELECT ARRAY[[1,2],[3,4]]::vector$$),
	($$SELECT ARRAY[[1]]::sparsevec$$),
	($$SELECT ARRAY[1,NULL]::vector$$),
	($$SELECT ARRAY[1,NULL]::int[]::sparsevec$$),
	($$SELECT ARRAY['NaN']::float8[]::vector$$),
	($$SELECT ARRAY['Infinity']::real[]::halfvec$$),
	($$SELECT ARRAY['NaN']::float8[]::sparsevec$$),
	($$SELECT ARRAY[1e39]::float8[]::vector$$),
	($$SELECT ARRAY[1e39]::numeric[]::vector$$),
	($$SELECT ARRAY[70000]::int[]::halfvec$$)
) AS cases(query);

-- l2_normalize: a zero vector stays zero; sparsevec drops the elements that
-- become zero; division is done in float8 and rounded once.
SELECT l2_normalize('[0,0,0]'::vector) AS v_zero, l2_normalize('[0,0]'::halfvec) AS h_zero,
	l2_normalize('{}/3'::sparsevec) AS s_zero;
SELECT l2_normalize('[3,4]'::vector) AS v, l2_normalize('[1e-45,0]'::vector) AS v_tiny,
	l2_normalize('[65504,65504]'::halfvec) AS h_max;
SELECT l2_normalize('{1:1e-45,2:1e38}/3'::sparsevec) AS s_drops_zero,
	l2_normalize('{1:1e-45,3:1}/3'::sparsevec) AS s_keeps_subnormal;

-- subvector(v, start, count): 1-based like substring; a start before 1
-- shortens the result; count < 1 or an empty result is 22000; no integer
-- overflow at the extremes.
SELECT subvector('[1,2,3,4,5]'::vector, 0, 3) AS start_0, subvector('[1,2,3,4,5]'::vector, -1, 3) AS start_neg,
	subvector('[1,2,3,4,5]'::vector, 4, 10) AS past_end, subvector('[1,2,3,4,5]'::vector, 5, 2147483647) AS count_max,
	subvector('[1,2,3,4,5]'::halfvec, 0, 3) AS h_start_0;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT subvector('[1,2,3,4,5]'::vector, 3, 0)$$),
	($$SELECT subvector('[1,2,3,4,5]'::vector, 3, -1)$$),
	($$SELECT subvector('[1,2,3,4,5]'::vector, 6, 1)$$),
	($$SELECT subvector('[1,2,3,4,5]'::vector, -2, 3)$$),
	($$SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 2147483647)$$),
	($$SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 10)$$),
	($$SELECT subvector('[1,2,3,4,5]'::halfvec, 6, 1)$$),
	($$SELECT subvector('[1,2,3,4,5]'::halfvec, 1, 0)$$)
) AS cases(query);

-- binary_quantize: bit set only for values > 0 (not for 0 or -0)
SELECT binary_quantize('[0,-0,1,-1,0.5,-0.5,1e-30,-1e-30,2]'::vector) AS v,
	binary_quantize('[0,-0,1,-1,0.5,-0.5,6e-8,2]'::halfvec) AS h;

-- Comparison: element by element first, then the number of dimensions
-- (like PostgreSQL arrays); -0 equals 0.
SELECT v FROM unnest(ARRAY['[1,2]'::vector, '[1]', '[0,5]', '[1,2,3]', '[-1]', '[2]']) v ORDER BY v;
SELECT h FROM unnest(ARRAY['[1,2]'::halfvec, '[1]', '[0,5]', '[1,2,3]', '[-1]']) h ORDER BY h;
SELECT s FROM unnest(ARRAY['{1:1}/2'::sparsevec, '{}/2', '{2:1}/2', '{1:-1}/3', '{}/1', '{1:1}/1', '{3:-1}/3']) s ORDER BY s;
SELECT '[-0]'::vector = '[0]'::vector AS v_zero, '[-0]'::halfvec = '[0]'::halfvec AS h_zero,
	vector_cmp('[2]', '[1,5]') AS values_before_dims, vector_cmp('[1,2]', '[1,2,0]') AS shorter_first;
-- sparsevec_cmp over sparse layouts that make a merge easy to get wrong;
-- expected: the order of the same vectors written out densely
SELECT a, b, sparsevec_cmp(a, b) AS cmp, sparsevec_cmp(b, a) AS reverse_cmp FROM (VALUES
	('{1:1}/3'::sparsevec, '{1:1}/2'::sparsevec),
	('{2:1}/3', '{1:1}/3'),
	('{}/3', '{1:-1}/3'),
	('{1:1}/3', '{1:1,2:1}/3'),
	('{1:1,3:1}/3', '{1:1,2:1}/3'),
	('{}/2', '{3:1}/3'),
	('{}/2', '{3:-1}/3'),
	('{2:1}/2', '{1:1}/3'),
	('{1:1,2:1}/2', '{1:1}/3'),
	('{1:1,3:-1}/3', '{1:1}/2'),
	('{}/5', '{3:1}/3'),
	('{2:-1}/2', '{}/3'),
	('{1:2,2:3}/2', '{1:2,2:3}/2')
) AS pairs(a, b);

-- Aggregates: different dimensions are an error (22000); no rows gives NULL;
-- NULL rows are skipped; avg sums in float8, so it does not overflow where
-- sum (float4) does.
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v)$$),
	($$SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v)$$),
	($$SELECT sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v)$$),
	($$SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v)$$),
	($$SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v)$$),
	($$SELECT sum(v) FROM (VALUES ('[65000]'::halfvec), ('[65000]')) t(v)$$)
) AS cases(query);
SELECT sum(v) AS v_sum, avg(v) AS v_avg FROM (SELECT '[1]'::vector WHERE false) t(v);
SELECT sum(v) AS h_sum, avg(v) AS h_avg FROM (SELECT '[1]'::halfvec WHERE false) t(v);
SELECT sum(v) AS v_sum, avg(v) AS v_avg FROM (VALUES ('[1,2]'::vector), (NULL), ('[3,5]')) t(v);
SELECT avg(v) AS v_avg_big FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
SELECT avg(v) AS h_avg_big FROM (VALUES ('[65000]'::halfvec), ('[65000]')) t(v);

-- Distances: inner product and L2/L1 overflow to infinity instead of
-- failing; cosine of a zero vector is NaN; cosine distance is clamped to
-- [0, 2] and the spherical distance's input to [-1, 1]; norms are summed in
-- float8.
SELECT inner_product('[3e38,3e38]'::vector, '[3e38,3e38]') AS ip, '[3e38]'::vector <#> '[3e38]' AS neg_ip,
	l2_distance('[3e38]'::vector, '[-3e38]') AS l2, l1_distance('[3e38,3e38]'::vector, '[-3e38,-3e38]') AS l1;
SELECT inner_product('{1:3e38}/2'::sparsevec, '{1:3e38}/2') AS s_ip, l2_distance('{1:3e38}/2'::sparsevec, '{1:-3e38}/2') AS s_l2;
SELECT cosine_distance('[0,0]'::vector, '[1,1]') AS v, cosine_distance('[0,0]'::halfvec, '[1,1]') AS h,
	cosine_distance('{}/2'::sparsevec, '{1:1}/2') AS s;
SELECT cosine_distance('[1,1]'::vector, '[-1,-1]') AS opposite, cosine_distance('[2,4]'::halfvec, '[1,2]') AS h_parallel;
SELECT vector_spherical_distance('[2,0]', '[2,0]') AS clamped_to_0, vector_spherical_distance('[-2,0]', '[2,0]') AS clamped_to_1,
	halfvec_spherical_distance('[2,0]', '[2,0]') AS h_clamped;
-- a and 3a (and -3a) in ten dimensions: without the clamp, float4 rounding
-- pushes about half of the similarities past 1 (or -1)
SELECT min(cosine_distance(a, a * p)) >= 0 AS v_min_ok, max(cosine_distance(a, a * p)) < 1e-6 AS v_near_0,
	max(cosine_distance(a, a * n)) <= 2 AS v_max_ok, min(cosine_distance(a, a * n)) > 2 - 1e-6 AS v_near_2,
	min(cosine_distance(a::halfvec, (a * p)::halfvec)) >= 0 AS h_min_ok,
	max(cosine_distance(a::halfvec, (a * n)::halfvec)) <= 2 AS h_max_ok,
	min(cosine_distance(a::sparsevec, (a * p)::sparsevec)) >= 0 AS s_min_ok,
	max(cosine_distance(a::sparsevec, (a * n)::sparsevec)) <= 2 AS s_max_ok
FROM (SELECT ARRAY(SELECT ((i * 31 + k * 17) % 97) / 7.0 - 6 FROM generate_series(1, 10) k)::vector AS a,
		array_fill(3, ARRAY[10])::vector AS p, array_fill(-3, ARRAY[10])::vector AS n
	FROM generate_series(1, 200) i) t;
SELECT vector_norm('[3e38,3e38]') AS v_norm, l2_norm('[60000,60000]'::halfvec) AS h_norm,
	l2_norm('{1:3e38,2:3e38}/2'::sparsevec) AS s_norm;
SELECT jaccard_distance(B'000', B'000') AS no_bits_set, jaccard_distance(B'', B'') AS empty,
	hamming_distance(B'', B'') AS empty_hamming;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '[1,2]'::vector <-> '[1,2,3]'$$),
	($$SELECT '[1,2]'::halfvec <=> '[1,2,3]'$$),
	($$SELECT '{1:1}/2'::sparsevec <#> '{1:1}/3'$$),
	($$SELECT '{1:1}/2'::sparsevec <+> '{1:1}/3'$$),
	($$SELECT hamming_distance(B'101', B'1011')$$),
	($$SELECT jaccard_distance(B'101', B'1011')$$)
) AS cases(query);

-- Element-wise arithmetic: a result that overflows to infinity, or a
-- product of non-zeros that underflows to zero, is 22003.
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '[3e38]'::vector + '[3e38]'$$),
	($$SELECT '[-3e38]'::vector - '[3e38]'$$),
	($$SELECT '[3e38]'::vector * '[10]'$$),
	($$SELECT '[1e-30]'::vector * '[1e-30]'$$),
	($$SELECT '[60000]'::halfvec + '[60000]'$$),
	($$SELECT '[60000]'::halfvec - '[-60000]'$$),
	($$SELECT '[60000]'::halfvec * '[2]'$$),
	($$SELECT '[0.0001]'::halfvec * '[0.0001]'$$),
	($$SELECT '[1,2]'::vector + '[1,2,3]'$$)
) AS cases(query);
SELECT '[1e-30,0]'::vector * '[0,1e-30]' AS zero_times_tiny, '[0.0001,0]'::halfvec * '[0,5]' AS h_zero_times;

-- Conversions between the types: float4 -> half rounds and may overflow
-- (22003, not an underflow error); sparsevec drops zeros, -0 included.
SELECT '[1e-8,0.1,65504]'::vector::halfvec AS to_half, '[1,0,2,-0]'::vector::sparsevec AS v_to_s,
	'[1,0,2,-0]'::halfvec::sparsevec AS h_to_s, '{1:1,3:2}/4'::sparsevec::vector AS s_to_v;
SELECT query, pg_temp.sqlstate_of(query) FROM (VALUES
	($$SELECT '[70000]'::vector::halfvec$$),
	($$SELECT '{1:70000}/2'::sparsevec::halfvec$$)
) AS cases(query);

-- Binary sparsevec input: more elements than the 16,000 limit, or than the
-- dimensions, is 54000 as in pgvector (which checks the limit first).  Other
-- malformed headers and elements are 22P03 here (pgvector: 22000; both
-- data exceptions).
-- a scratch file in the server's data directory, which only this server uses
SELECT current_setting('data_directory') || '/vector_regress_compat_edge_cases.bin' AS recv_file \gset
CREATE TABLE compat_recv (v sparsevec);
COPY (SELECT decode('0000000a00003e8100000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
SELECT 'dim 10, nnz 16001' AS header, pg_temp.sqlstate_of(format('COPY compat_recv FROM %L WITH (FORMAT binary)', :'recv_file'));
COPY (SELECT decode('0000000a0000000b00000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
SELECT 'dim 10, nnz 11' AS header, pg_temp.sqlstate_of(format('COPY compat_recv FROM %L WITH (FORMAT binary)', :'recv_file'));
COPY (SELECT decode('0000000a0000000100000000' || '00000002' || '00000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
SELECT 'a zero value' AS element, pg_temp.sqlstate_of(format('COPY compat_recv FROM %L WITH (FORMAT binary)', :'recv_file'));
DROP TABLE compat_recv;
