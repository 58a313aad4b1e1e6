-- Every SIMD target this CPU supports gives the scalar target's results,
-- within float32 rounding (the targets add in a different order).  The
-- output does not depend on which targets the machine has.

SELECT 'scalar' = ANY (vector_simd_targets()) AS has_scalar,
	vector_simd_target() = (vector_simd_targets())[1] AS uses_best_by_default;

-- pairs of vectors of lengths around every lane width, deterministic values
CREATE TEMP TABLE simd_pairs AS
SELECT n, array_to_vector(ARRAY(SELECT ((i * 7919 + n::bigint * 104729) % 2001 - 1000) / 64.0
			FROM generate_series(1, n) i)::real[], -1, false) AS a,
	array_to_vector(ARRAY(SELECT ((i * 6007 + n::bigint * 15485863) % 1999 - 999) / 32.0
			FROM generate_series(1, n) i)::real[], -1, false) AS b
FROM unnest(ARRAY[1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 129, 255, 256, 257, 768, 1000, 1536, 2000, 16000]) n;

CREATE TEMP TABLE simd_results (target text, active text, n int, function text, value float8, scale float8);

DO $$
DECLARE
	target text;
BEGIN
	FOREACH target IN ARRAY vector_simd_targets()
	LOOP
		PERFORM set_config('vector.simd_target', target, false);
		INSERT INTO simd_results
		SELECT target, vector_simd_target(), n, f.name, f.value, f.scale
		FROM simd_pairs,
			LATERAL (SELECT avg(v) AS avg_ab FROM (VALUES (a), (b)) t(v)) avg_pair,
			LATERAL (VALUES
				('l2_distance', l2_distance(a, b), 1.0),
				('vector_l2_squared_distance', vector_l2_squared_distance(a, b), 1.0),
				('l1_distance', l1_distance(a, b), 1.0),
				-- products may cancel: scale the tolerance by |a| |b|
				('inner_product', inner_product(a, b), vector_norm(a) * vector_norm(b)),
				('vector_negative_inner_product', vector_negative_inner_product(a, b), vector_norm(a) * vector_norm(b)),
				('cosine_distance', cosine_distance(a, b), 1.0),
				('vector_spherical_distance', vector_spherical_distance(l2_normalize(a), l2_normalize(b)), 1.0),
				('vector_norm', vector_norm(a), 1.0),
				('sum of a + b', (SELECT sum(x) FROM unnest((a + b)::real[]) x), 1.0),
				('sum of a - b', (SELECT sum(x) FROM unnest((a - b)::real[]) x), 1.0),
				('sum of a * b', (SELECT sum(x) FROM unnest((a * b)::real[]) x), 1.0),
				('avg', (SELECT sum(x) FROM unnest(avg_ab::real[]) x), 1.0)
			) f(name, value, scale);
	END LOOP;
	PERFORM set_config('vector.simd_target', 'auto', false);
END
$$;

-- the setting really switched the kernels
SELECT bool_and(target = active) AS each_target_was_used FROM simd_results;

-- each function agrees with the scalar target on every pair
SELECT r.function,
	count(DISTINCT r.n) AS pairs,
	bool_and(abs(r.value - s.value) <= 1e-5 * greatest(abs(s.value), r.scale, 1.0)) AS matches_scalar
FROM simd_results r
JOIN simd_results s ON s.target = 'scalar' AND s.n = r.n AND s.function = r.function
GROUP BY r.function
ORDER BY r.function;

-- small integer inputs are exact on every target (lengths past a lane width)
DO $$
DECLARE
	target text;
BEGIN
	FOREACH target IN ARRAY vector_simd_targets()
	LOOP
		PERFORM set_config('vector.simd_target', target, false);
		IF l2_distance('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3]'::vector, '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,-1]') <> 4
			OR inner_product('[1,2,3,4,5,6,7,8,9]'::vector, '[9,8,7,6,5,4,3,2,1]') <> 165
			OR l1_distance('[1,-2,3,-4,5,-6,7,-8,9,-10,11,-12,13,-14,15,-16,17]'::vector,
						   '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') <> 153
			OR cosine_distance('[1,0,0,0,0,0,0,0,0]'::vector, '[0,1,0,0,0,0,0,0,0]') <> 1 THEN
			RAISE EXCEPTION 'target % gives an inexact result on exact input', target;
		END IF;
	END LOOP;
	PERFORM set_config('vector.simd_target', 'auto', false);
END
$$;

SELECT vector_simd_target() = (vector_simd_targets())[1] AS back_to_best;
SET vector.simd_target = 'no_such_target';
