-- The binary form of vector (send/recv), byte for byte pgvector's:
-- int16 dim, int16 unused (0), then dim float4 values, network byte order.

SELECT encode(vector_send('[1,2,3]'), 'hex');
SELECT encode(vector_send('[-0,0.5,-2.5,3.4028235e38,1e-45]'), 'hex');
SELECT encode(vector_send(('[' || array_to_string(array_fill(7, ARRAY[16000]), ',') || ']')::vector), 'hex') LIKE '3e800000' || repeat('40e00000', 16000) AS max_dims_layout;

\set SHOW_CONTEXT never

-- Feed one binary-COPY row whose vector field is the given bytes (hex) into
-- vector_binary_items; COPY calls vector_recv with the column's typmod.
CREATE TABLE vector_binary_items (v vector);
CREATE TABLE vector_binary_items3 (v vector(3));
CREATE FUNCTION copy_vector_field(target regclass, field_hex text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	stream text := '5047434f50590aff0d0a00' || '00000000' || '00000000'	-- signature, flags, extension
		|| '0001' || lpad(to_hex(length(field_hex) / 2), 8, '0') || field_hex
		|| 'ffff';
BEGIN
	EXECUTE format('COPY %s FROM PROGRAM %L WITH (FORMAT binary)', target,
		'/usr/bin/python3 -c "import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))" ' || stream);
END
$$;

-- well-formed
SELECT copy_vector_field('vector_binary_items', '00020000' || '3f800000' || '40000000');
SELECT copy_vector_field('vector_binary_items', '00010000' || '80000000');
SELECT copy_vector_field('vector_binary_items3', '00030000' || '3f800000' || '40000000' || 'c0400000');
SELECT v FROM vector_binary_items;
SELECT v FROM vector_binary_items3;

-- round trip of send output through recv is bit-exact
TRUNCATE vector_binary_items;
SELECT copy_vector_field('vector_binary_items', encode(vector_send('[0.1,-0,1e-45,-3.4028235e38,16777216,0.33333334]'), 'hex'));
SELECT v, encode(vector_send(v), 'hex') = encode(vector_send('[0.1,-0,1e-45,-3.4028235e38,16777216,0.33333334]'), 'hex') AS same_bytes
FROM vector_binary_items;

-- malformed
SELECT copy_vector_field('vector_binary_items', '00000000');	-- zero dimensions
SELECT copy_vector_field('vector_binary_items', 'ffff0000' || '3f800000');	-- negative dimensions
SELECT copy_vector_field('vector_binary_items', '3e810000' || '3f800000');	-- 16001 dimensions
SELECT copy_vector_field('vector_binary_items', '00010001' || '3f800000');	-- unused must be 0
SELECT copy_vector_field('vector_binary_items', '00010000' || '7fc00000');	-- NaN
SELECT copy_vector_field('vector_binary_items', '00020000' || '3f800000' || '7f800000');	-- infinity
SELECT copy_vector_field('vector_binary_items', '00010000' || 'ff800000');	-- -infinity
SELECT copy_vector_field('vector_binary_items', '00020000' || '3f800000');	-- truncated values
SELECT copy_vector_field('vector_binary_items', '0001');	-- truncated header
SELECT copy_vector_field('vector_binary_items', '00010000' || '3f800000' || '00');	-- trailing byte
SELECT copy_vector_field('vector_binary_items3', '00020000' || '3f800000' || '40000000');	-- typmod
SELECT count(*) FROM vector_binary_items;

DROP FUNCTION copy_vector_field(regclass, text);
DROP TABLE vector_binary_items, vector_binary_items3;
