-- Functions and operators over vector.  Small integer vectors keep the float
-- arithmetic exact, so the expected values can be checked by hand.

-- distances
SELECT l2_distance('[0,0]'::vector, '[3,4]'), '[1,2,3]'::vector <-> '[4,5,6]', '[4,5,6]'::vector <-> '[1,2,3]';
SELECT vector_l2_squared_distance('[1,2,3]', '[4,5,6]');
SELECT inner_product('[1,2,3]'::vector, '[4,5,6]'), '[1,2,3]'::vector <#> '[4,5,6]', vector_negative_inner_product('[1,2,3]', '[-4,5,6]');
SELECT cosine_distance('[1,2,3]'::vector, '[4,5,6]'), '[1,2,3]'::vector <=> '[4,5,6]';
SELECT cosine_distance('[1,1]'::vector, '[2,2]'), cosine_distance('[1,0]'::vector, '[0,1]'), cosine_distance('[1,0]'::vector, '[-1,0]');
SELECT cosine_distance('[0,0]'::vector, '[1,1]'), cosine_distance('[1,1]'::vector, '[0,0]');	-- undefined for a zero vector
SELECT l1_distance('[1,2,3]'::vector, '[4,6,3]'), '[1,-2,3]'::vector <+> '[-4,6,3]';
SELECT vector_spherical_distance('[1,0]', '[0,1]'), vector_spherical_distance('[1,0]', '[1,0]'),
	vector_spherical_distance('[1,0]', '[-1,0]'), vector_spherical_distance('[1,1]', '[1,1]');
SELECT vector_spherical_distance('[3e38,-3e38]', '[3e38,3e38]');	-- the product overflows to NaN, which stays NaN like pgvector
SELECT l2_distance('[1e20]'::vector, '[-1e20]');	-- float4 accumulation overflows, like pgvector
SELECT inner_product('[3e38]'::vector, '[3e38]'), l1_distance('[3e38]'::vector, '[-3e38]'),
	cosine_distance('[3e38]'::vector, '[3e38]');
-- rounding may put the similarity just beyond +-1: clamped to [0, 2]
SELECT cosine_distance('[1,1]'::vector, '[1.1,1.1]'), cosine_distance('[1,1]'::vector, '[-1.1,-1.1]');

-- every binary function requires equal dimensions
SELECT '[1,2]'::vector <-> '[1,2,3]';
SELECT '[1,2]'::vector <#> '[1,2,3]';
SELECT '[1,2]'::vector <=> '[1,2,3]';
SELECT '[1,2]'::vector <+> '[1,2,3]';
SELECT inner_product('[1,2]'::vector, '[1,2,3]');
SELECT vector_l2_squared_distance('[1,2]', '[1,2,3]');
SELECT vector_spherical_distance('[1,2]', '[1,2,3]');
SELECT '[1,2]'::vector + '[1,2,3]';
SELECT '[1,2]'::vector - '[1,2,3]';
SELECT '[1,2]'::vector * '[1,2,3]';

-- dimensions, norms
SELECT vector_dims('[1,2,3]'::vector), vector_dims('[1]'::vector);
SELECT vector_norm('[3,4]'), vector_norm('[1,1]'), vector_norm('[0,0]'), vector_norm('[-3e38,3e38]');
SELECT l2_normalize('[3,4]'::vector), l2_normalize('[0,0,-2]'::vector), l2_normalize('[0,0]'::vector), l2_normalize('[1e-40,0]'::vector);

-- binary_quantize: bit i is set where element i is positive
SELECT binary_quantize('[1,-1,0,2,3,0,0,1,5]'::vector), binary_quantize('[-0.5]'::vector), binary_quantize('[0.5]'::vector);
SELECT length(binary_quantize(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector));

-- subvector(v, start, count): 1-based, clipped like substring
SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), subvector('[1,2,3,4,5]'::vector, 1, 5), subvector('[1,2,3,4,5]'::vector, 5, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 0, 2), subvector('[1,2,3,4,5]'::vector, -1, 3), subvector('[1,2,3,4,5]'::vector, 4, 100);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 2147483647), subvector('[1,2,3,4,5]'::vector, 3, 2147483647),
	subvector('[1,2,3,4,5]'::vector, -2147483644, 2147483647);	-- no int32 overflow
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 2, 0);
SELECT subvector('[1,2,3,4,5]'::vector, 2, -1);
SELECT subvector('[1,2,3,4,5]'::vector, 0, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 2147483647);

-- element-wise arithmetic
SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,6,8]', '[1,2,3]'::vector * '[4,5,-6]';
SELECT '[0]'::vector * '[1e-30]', '[3e38]'::vector - '[3e38]';
SELECT '[3e38]'::vector + '[3e38]';
SELECT '[-3e38]'::vector - '[3e38]';
SELECT '[1,1e20]'::vector * '[1,1e20]';
SELECT '[1,1e-30]'::vector * '[1,1e-30]';	-- underflow to zero is an error too

-- concatenation
SELECT '[1,2]'::vector || '[3]', '[1]'::vector || '[2]' || '[3,4]';
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[8000]), ',') || ']')::vector
	|| ('[' || array_to_string(array_fill(2, ARRAY[8000]), ',') || ']')::vector);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[8000]), ',') || ']')::vector
	|| ('[' || array_to_string(array_fill(2, ARRAY[8001]), ',') || ']')::vector;

-- comparisons: element by element, then the shorter first (like arrays)
SELECT '[1,2]'::vector < '[1,3]', '[1,2]'::vector <= '[1,2]', '[1,2]'::vector = '[1,2]',
	'[1,2]'::vector <> '[1,2]', '[1,3]'::vector >= '[1,2]', '[1,3]'::vector > '[1,2]';
SELECT '[1,2]'::vector < '[1,2,0]', '[2]'::vector > '[1,5]', '[0]'::vector = '[-0]';
SELECT vector_cmp('[1,2]', '[1,3]'), vector_cmp('[1,3]', '[1,2]'), vector_cmp('[1,2]', '[1,2]'),
	vector_cmp('[1,2]', '[1,2,3]'), vector_cmp('[2]', '[1,2,3]');

-- the default btree opclass vector_ops: ORDER BY, DISTINCT and index scans
CREATE TABLE vector_functions_items (id int, v vector);
INSERT INTO vector_functions_items VALUES
	(1, '[1,2,3]'), (2, '[1,2]'), (3, '[0,5]'), (4, '[1,2,3]'), (5, '[-1,10,0,0]'), (6, '[1,2,2.5]');
SELECT id, v FROM vector_functions_items ORDER BY v, id;
SELECT DISTINCT v FROM vector_functions_items ORDER BY v;
CREATE INDEX ON vector_functions_items (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM vector_functions_items WHERE v = '[1,2,3]';
SELECT id FROM vector_functions_items WHERE v = '[1,2,3]' ORDER BY id;
SELECT id FROM vector_functions_items WHERE v < '[1,2,3]' ORDER BY v, id;
RESET enable_seqscan;
DROP TABLE vector_functions_items;

-- stored values in every varlena form: 1-byte header (small), 4-byte header,
-- compressed inline, and out of line in TOAST
CREATE TABLE vector_functions_storage (id int, v vector);
SELECT setseed(0.25);
INSERT INTO vector_functions_storage VALUES
	(1, '[1,2,3]'),
	(2, array_to_vector(ARRAY(SELECT random() FROM generate_series(1, 100))::real[], -1, false)),
	(3, array_fill(1, ARRAY[1500])::vector),
	(4, array_to_vector(ARRAY(SELECT random() FROM generate_series(1, 15999))::real[], -1, false));
SELECT id, vector_dims(v), v <-> v AS l2, v <=> v < 1e-6 AS cosine, v <+> v AS l1,
	abs((v <#> v) + vector_norm(v) ^ 2) < 1e-3 * vector_norm(v) ^ 2 AS inner_product,
	v = v::text::vector AS text_round_trip, vector_dims(v || subvector(v, 1, 1)) - vector_dims(v) AS concat_adds,
	vector_dims(subvector(v, 2, 2)) AS sub_dims, length(binary_quantize(v)) AS bits
FROM vector_functions_storage ORDER BY id;
SELECT id, abs((v <-> (v * v)) - sqrt((SELECT sum((x - x * x) ^ 2) FROM unnest(v::real[]) x))) < 1e-3 AS l2_matches_sql
FROM vector_functions_storage ORDER BY id;
DROP TABLE vector_functions_storage;
