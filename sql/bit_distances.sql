-- bit: Hamming and Jaccard distances

SELECT B'1010' <~> B'0110' AS hamming, B'1010' <%> B'0110' AS jaccard;
SELECT hamming_distance(B'1010', B'0110'), jaccard_distance(B'1010', B'0110');
SELECT hamming_distance(B'1', B'1'), hamming_distance(B'1', B'0'),
       jaccard_distance(B'1', B'1'), jaccard_distance(B'1', B'0');
-- no bit set in either: distance 1 (there is nothing in common)
SELECT jaccard_distance(B'0000', B'0000'), hamming_distance(B'0000', B'0000');
-- lengths that are not a multiple of 8 or 64
SELECT B'111111111' <~> B'000000001', B'111111111' <%> B'000000001';
SELECT repeat('10', 70)::bit(140) <~> repeat('01', 70)::bit(140),
       repeat('10', 70)::bit(140) <%> repeat('11', 70)::bit(140);
-- varbit works too
SELECT '101'::varbit <~> '111'::varbit, '101'::varbit <%> '111'::varbit;
-- lengths must match
SELECT B'101' <~> B'10';
SELECT B'101' <%> B'1011';
SELECT hamming_distance(B'', B'1');

-- rows of a table: bit(768) values are stored with a 1-byte header
CREATE TABLE bit_rows (id int, b bit(768));
INSERT INTO bit_rows
	SELECT i, (repeat('0', i) || repeat('1', 768 - i))::bit(768) FROM generate_series(0, 768, 64) i;
SELECT id, pg_column_size(b), b <~> repeat('1', 768)::bit(768) AS hamming,
       round((b <%> repeat('1', 768)::bit(768))::numeric, 6) AS jaccard
  FROM bit_rows ORDER BY id;
SELECT sum(b <~> repeat('01', 384)::bit(768)), round(sum(b <%> repeat('01', 384)::bit(768))::numeric, 10) FROM bit_rows;
-- long values are compressed or moved to TOAST, and read back from there
CREATE TABLE bit_long (b bit(64000));
INSERT INTO bit_long VALUES (repeat('1', 64000)::bit(64000)), (repeat('10', 32000)::bit(64000));
SELECT pg_column_size(b) < 8000 AS compressed, b <~> repeat('0', 64000)::bit(64000) AS hamming,
       b <%> repeat('01', 32000)::bit(64000) AS jaccard
  FROM bit_long ORDER BY hamming;
-- incompressible bits go out of line to the TOAST table
INSERT INTO bit_long
	SELECT string_agg(('x' || md5(i::text))::bit(128)::text, '')::bit(64000) FROM generate_series(1, 500) i;
SELECT pg_column_size(b) > 8000 AS out_of_line,
       b <~> repeat('0', 64000)::bit(64000) = length(replace(b::text, '0', '')) AS hamming_matches_count_of_ones,
       b <%> b = 0 AS jaccard_to_itself_zero
  FROM bit_long WHERE pg_column_size(b) > 8000;
DROP TABLE bit_long;
-- quantized vectors compare by Hamming distance
SELECT binary_quantize('[1,-1,2,-2]'::halfvec) <~> binary_quantize('[1,1,-2,-2]'::halfvec);

DROP TABLE bit_rows;
