-- The text form of vector: what is accepted, how it prints, and every
-- malformed input.

-- whitespace around elements and brackets, signs, exponents, strtof forms
SELECT '[1,2,3]'::vector;
SELECT ' [ 1 , 2 ,3 ] '::vector;
SELECT (E'\t[\n-1.5,+2.25,\r3e2\f]' || chr(11))::vector;	-- chr(11) is \v
SELECT '[1.,.5,-.25,1E1,1e+1,1e-1,+0,-0]'::vector;
SELECT '[0x10,0x1p-2,-0X.8]'::vector;

-- output: shortest text that reads back to the same float4, as float4out
SELECT '[0.1,0.3333333333,1e-5,0.0001,123456,999999,1000000,16777217]'::vector;
SELECT '[3.4028235e38,-3.4028235e38,1.17549435e-38,1.4e-45]'::vector;
SELECT '[1e-50,-1e-50]'::vector;	-- below float4's range: signed zero, like strtof
SELECT '[52304312,103712224]'::vector;	-- halfway digits are not printed

-- text round trip of values printed with every digit
SELECT v::text::vector = v AS round_trip
FROM (SELECT '[0.1,0.2,0.30000001,1.17549435e-38,3.4028235e38,-7.006492e-45]'::vector AS v) t;

-- type modifier
SELECT '[1,2,3]'::vector(3);
SELECT '[1,2]'::vector(3);
SELECT '[1,2,3]'::vector(2);
SELECT '[1]'::vector(0);
SELECT '[1]'::vector(16001);
SELECT '[1]'::vector(2, 3);
SELECT '[1]'::vector(-1);
SELECT format_type('vector'::regtype, 5), format_type('vector'::regtype, -1);

CREATE TABLE vector_input_items (id int, embedding vector(3));
INSERT INTO vector_input_items VALUES (1, '[1,2,3]'), (2, ' [4, 5, 6] ');
INSERT INTO vector_input_items VALUES (3, '[1,2]');
INSERT INTO vector_input_items VALUES (4, '[1,2,3]'::vector(3)), (5, '[7,8,9]'::vector);
SELECT * FROM vector_input_items ORDER BY id;
\d vector_input_items
SELECT attstorage FROM pg_attribute WHERE attrelid = 'vector_input_items'::regclass AND attname = 'embedding';
DROP TABLE vector_input_items;

-- text COPY in and out
CREATE TABLE vector_input_copy (v vector(2));
COPY vector_input_copy FROM STDIN;
[1,2]
 [ 3.5 , -4e-3 ] 
\N
\.
COPY vector_input_copy TO STDOUT;
COPY vector_input_copy FROM STDIN;
[1,2,3]
\.
DROP TABLE vector_input_copy;

-- arrays of vectors; a typmod applies to each element
SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::vector[]);
SELECT '{"[1,2]","[3,4]"}'::vector(2)[];
SELECT '{"[1,2,3]"}'::vector(2)[];

-- at the dimension limit
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']')::vector;
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector(16000));

-- empty
SELECT '[]'::vector;
SELECT ' [ ] '::vector;

-- malformed
SELECT ''::vector;
SELECT '1,2,3'::vector;
SELECT '(1,2)'::vector;
SELECT '[1,2'::vector;
SELECT '['::vector;
SELECT '[1,,2]'::vector;
SELECT '[,1]'::vector;
SELECT '[1,]'::vector;
SELECT '[1 2]'::vector;
SELECT '[1;2]'::vector;
SELECT '[1,2]x'::vector;
SELECT '[1,2]]'::vector;
SELECT '[--1]'::vector;
SELECT '[+-1]'::vector;
SELECT '[1e]'::vector;
SELECT '[one]'::vector;
SELECT '[0x]'::vector;

-- out of float4's range
SELECT '[1e40]'::vector;
SELECT '[1,-3.4028236e38]'::vector;
SELECT '[1e99999999999]'::vector;

-- not finite
SELECT '[NaN]'::vector;
SELECT '[1,inf]'::vector;
SELECT '[-Infinity]'::vector;
