-- halfvec and bit distances give the scalar target's results on every SIMD
-- target this CPU supports (within float32 rounding for halfvec, exactly for
-- bit).  The output does not depend on which targets the machine has.

-- pairs of lengths around every lane width, stored in a table so that short
-- values (1-byte header) and long ones both take the in-place argument path
CREATE TABLE halfvec_simd_pairs AS
SELECT n,
	ARRAY(SELECT ((i * 7919 + n * 104729) % 2001 - 1000) / 64.0 FROM generate_series(1, n) i)::halfvec AS a,
	ARRAY(SELECT ((i * 6007 + n * 15485863::bigint) % 1999 - 999) / 32.0 FROM generate_series(1, n) i)::halfvec AS b,
	ARRAY(SELECT (i * 7919 + n) % 3 = 0 FROM generate_series(1, n) i)::text AS bits_a,
	ARRAY(SELECT (i * 6007 + n) % 5 < 2 FROM generate_series(1, n) i)::text AS bits_b
FROM unnest(ARRAY[1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 61, 63, 64, 65, 127, 128, 129, 511, 512, 513, 768, 1000, 4000]) n;
ALTER TABLE halfvec_simd_pairs
	ADD COLUMN bit_a varbit, ADD COLUMN bit_b varbit;
UPDATE halfvec_simd_pairs
	SET bit_a = translate(trim(both '{}' from bits_a), 'tf,', '10')::varbit,
		bit_b = translate(trim(both '{}' from bits_b), 'tf,', '10')::varbit;

CREATE TABLE halfvec_simd_results (target text, active text, n int, function text, value float8, scale float8);

DO $$
DECLARE
	target text;
BEGIN
	FOREACH target IN ARRAY vector_simd_targets()
	LOOP
		PERFORM set_config('vector.simd_target', target, false);
		INSERT INTO halfvec_simd_results
		SELECT target, vector_simd_target(), n, f.name, f.value, f.scale
		FROM halfvec_simd_pairs,
			LATERAL (VALUES
				('l2_distance', l2_distance(a, b), 1.0),
				('halfvec_l2_squared_distance', halfvec_l2_squared_distance(a, b), 1.0),
				('l1_distance', l1_distance(a, b), 1.0),
				-- products may cancel: scale the tolerance by |a| |b|
				('inner_product', inner_product(a, b), l2_norm(a) * l2_norm(b)),
				('halfvec_negative_inner_product', halfvec_negative_inner_product(a, b), l2_norm(a) * l2_norm(b)),
				('cosine_distance', cosine_distance(a, b), 1.0),
				('l2_norm', l2_norm(a), 1.0),
				('hamming_distance', hamming_distance(bit_a, bit_b), 0.0),
				('jaccard_distance', jaccard_distance(bit_a, bit_b), 0.0)
			) f(name, value, scale);
	END LOOP;
	PERFORM set_config('vector.simd_target', 'auto', false);
END
$$;

SELECT bool_and(target = active) AS each_target_was_used FROM halfvec_simd_results;

SELECT r.function,
	count(DISTINCT r.n) AS pairs,
	bool_and(CASE WHEN r.scale = 0 THEN r.value = s.value
			 ELSE abs(r.value - s.value) <= 1e-5 * greatest(abs(s.value), r.scale, 1.0) END) AS matches_scalar
FROM halfvec_simd_results r
JOIN halfvec_simd_results s ON s.target = 'scalar' AND s.n = r.n AND s.function = r.function
GROUP BY r.function
ORDER BY r.function;

-- the scalar results themselves, against sums computed here in float8 (the
-- kernels accumulate in float32: agreement to float32 rounding)
SELECT s.function,
	bool_and(abs(s.value - x.value) <= 1e-5 * greatest(abs(x.value), 1.0)) AS matches_sql
FROM halfvec_simd_results s
JOIN (SELECT n, 'l1_distance' AS function, sum(abs(x - y)) AS value
	  FROM halfvec_simd_pairs, unnest(a::real[], b::real[]) u(x, y) GROUP BY n
	  UNION ALL
	  SELECT n, 'halfvec_l2_squared_distance', sum((x - y)::float8 ^ 2)
	  FROM halfvec_simd_pairs, unnest(a::real[], b::real[]) u(x, y) GROUP BY n
	  UNION ALL
	  SELECT n, 'hamming_distance', length(replace((bit_a # bit_b)::text, '0', ''))
	  FROM halfvec_simd_pairs) x ON x.n = s.n AND x.function = s.function
WHERE s.target = 'scalar'
GROUP BY s.function
ORDER BY s.function;

DROP TABLE halfvec_simd_pairs, halfvec_simd_results;
