-- avg(vector) and sum(vector).

CREATE TABLE vector_aggregates_items (g int, v vector(3));
INSERT INTO vector_aggregates_items VALUES
	(1, '[1,2,3]'), (1, '[3,4,5]'), (1, NULL), (2, '[0.5,-1,0]'), (3, '[1e20,-1e20,1]'), (3, '[1e20,1e20,2]');

SELECT avg(v), sum(v) FROM vector_aggregates_items WHERE g = 1;
SELECT g, avg(v), sum(v), count(v) FROM vector_aggregates_items GROUP BY g ORDER BY g;
SELECT avg(v), sum(v) FROM vector_aggregates_items WHERE g = 3;	-- float8 sums, float4 result
SELECT avg(v), sum(v) FROM vector_aggregates_items WHERE g = 0;	-- no rows: NULL
SELECT avg(v), sum(v) FROM vector_aggregates_items WHERE v IS NULL;	-- only NULLs: NULL
SELECT avg(v) OVER (ORDER BY v ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM vector_aggregates_items WHERE g = 1 ORDER BY v;

-- avg sums in float8 and keeps the ones a float4 sum (as sum() has) loses
SELECT avg(v), sum(v) FROM (VALUES ('[16777216]'::vector), ('[1]'), ('[1]'), ('[1]'), ('[1]')) t(v);

-- the transition state is pgvector's: {count, sum_1, ..., sum_dim}
SELECT vector_accum('{0}', '[1,2]'), vector_accum(vector_accum('{0}', '[1,2]'), '[3,5]');
SELECT vector_combine('{2,4,6}', '{1,1,1}'), vector_combine('{0}', '{1,1,1}'), vector_combine('{1,1,1}', '{0}');
SELECT vector_avg('{2,4,6}'), vector_avg('{0}');

-- dimension mismatches
SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]')) t(v);
SELECT vector_combine('{1,1,1}', '{1,1}');

-- malformed states
SELECT vector_accum('{}', '[1]');
SELECT vector_accum('{1,NULL}', '[1]');
SELECT vector_avg('{{1,2}}');

-- overflow
SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
SELECT avg(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);	-- fits: the sum is float8
SELECT vector_accum('{1,1e308}', '[3e38]');	-- float4 rows cannot overflow a float8 sum
SELECT vector_combine('{1,1e308}', '{1,1e308}');
SELECT vector_avg('{0.5,1e308}');

-- sum adds into its running total in place: check every stored form of
-- vector (1-byte header, compressed, out of line in TOAST), windows, grouping
CREATE TABLE vector_aggregates_forms (id int, g int, v vector);
SELECT setseed(0.75);
INSERT INTO vector_aggregates_forms VALUES
	(1, 1, '[1,2,3]'), (2, 1, '[4,5,6]'), (3, 1, '[7,8,9]'),
	(4, 2, array_fill(1, ARRAY[3000])::vector), (5, 2, array_fill(2, ARRAY[3000])::vector);
INSERT INTO vector_aggregates_forms
	SELECT 5 + i, 3, ARRAY(SELECT (random() * 1000000)::int FROM generate_series(1, 2500))::vector
	FROM generate_series(1, 3) i;
SELECT g, vector_dims(sum(v)), avg(v) = sum(v) * array_fill(1.0 / count(*), ARRAY[vector_dims(sum(v))])::vector AS avg_is_sum_over_count
FROM vector_aggregates_forms GROUP BY g ORDER BY g;
SELECT sum(v) FROM vector_aggregates_forms WHERE g = 1;
SELECT bool_and(x = 3) AS all_threes FROM unnest((SELECT sum(v) FROM vector_aggregates_forms WHERE g = 2)::real[]) x;
-- exact: integer sums below 2^24 are exact in float4
SELECT (SELECT sum(v) FROM vector_aggregates_forms WHERE g = 3)::real[] =
	(SELECT array_agg(total ORDER BY position) FROM
		(SELECT position, sum(x)::real AS total
		 FROM vector_aggregates_forms, unnest(v::real[]) WITH ORDINALITY u(x, position)
		 WHERE g = 3 GROUP BY position) t) AS matches_element_sums;
SELECT id, sum(v) OVER (ORDER BY id) AS running,
	sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS moving
FROM vector_aggregates_forms WHERE g = 1 ORDER BY id;
SELECT sum(v + v), sum(v) FROM vector_aggregates_forms WHERE g = 1;
SET enable_sort = off;
SELECT g, vector_dims(sum(v)) FROM vector_aggregates_forms GROUP BY g ORDER BY g;
RESET enable_sort;
SELECT id, v FROM vector_aggregates_forms WHERE g = 1 ORDER BY id;	-- inputs untouched
DROP TABLE vector_aggregates_forms;

-- parallel plans use the combine functions
CREATE TABLE vector_aggregates_parallel (v vector(2));
INSERT INTO vector_aggregates_parallel SELECT ARRAY[i % 7, i % 3]::vector FROM generate_series(1, 30000) i;
ANALYZE vector_aggregates_parallel;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM vector_aggregates_parallel;
SELECT avg(v), sum(v) FROM vector_aggregates_parallel;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
SELECT avg(v), sum(v) FROM vector_aggregates_parallel;

DROP TABLE vector_aggregates_items, vector_aggregates_parallel;
