-- Casts between vector and SQL arrays, and the typmod coercion.

-- integer[], real[], double precision[], numeric[] -> vector (assignment)
SELECT ARRAY[1,2,3]::vector, ARRAY[1.5,-2.25]::real[]::vector, ARRAY[0.1,1e-50]::float8[]::vector,
	ARRAY[1.5,2.75]::numeric[]::vector;
SELECT ARRAY[2147483647, -2147483648]::vector;	-- rounded to the nearest float4
SELECT ARRAY[0.1]::float8[]::vector = '[0.1]'::vector AS rounds_like_text;
SELECT '{1,2,3}'::int[]::vector(3), '{1,2}'::real[]::vector(2);
SELECT array_to_vector('{4,5}'::int[], -1, false);

-- assignment casts apply on INSERT; a typmod is enforced
CREATE TABLE vector_casts_items (v vector(2));
INSERT INTO vector_casts_items VALUES (ARRAY[1,2]), (ARRAY[3.5,4]::real[]), (ARRAY[5,6]::float8[]), (ARRAY[7,8]::numeric[]);
INSERT INTO vector_casts_items VALUES (ARRAY[1,2,3]);
SELECT v FROM vector_casts_items;
DROP TABLE vector_casts_items;

-- no implicit cast from arrays: a function taking vector does not accept one
SELECT vector_dims(ARRAY[1,2]);

-- vector -> real[] (implicit)
SELECT '[1,2.5,-3]'::vector::real[], ('[1,2,3]'::vector)::real[] = ARRAY[1,2,3]::real[];
SELECT array_length('[1,2,3,4]'::vector::real[], 1), pg_typeof('[1]'::vector::real[]);
SELECT array_to_vector('[1,2]'::vector, -1, false);	-- implicit vector -> real[] picks the real[] overload

-- typmod coercion: vector -> vector(n)
SELECT '[1,2,3]'::vector::vector(3);
SELECT '[1,2,3]'::vector::vector(2);
SELECT vector('[1,2]'::vector, 2, true), vector('[1,2]'::vector, -1, false);
SELECT vector('[1,2]'::vector, 3, true);

-- bad arrays
SELECT '{}'::int[]::vector;
SELECT '{1,NULL,3}'::int[]::vector;
SELECT '{{1,2},{3,4}}'::int[]::vector;
SELECT '{NaN}'::real[]::vector;
SELECT '{1,Infinity}'::float8[]::vector;
SELECT '{-Infinity}'::real[]::vector;
SELECT '{NaN}'::numeric[]::vector;
SELECT '{1e39}'::float8[]::vector;
SELECT '{1e39}'::numeric[]::vector;
SELECT array_fill(1, ARRAY[16001])::vector;
SELECT ARRAY[1,2,3]::vector(2);
SELECT vector_dims(array_fill(1, ARRAY[16000])::vector);
