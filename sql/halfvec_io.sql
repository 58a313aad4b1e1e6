-- halfvec: text and binary I/O, type modifier, and every way input can be bad

-- text: elements are rounded to the nearest IEEE half
SELECT '[1,2,3]'::halfvec;
SELECT ' [ 1 , -2.5e0 ,	3 ] '::halfvec;
SELECT '[0.1, 0.2, 1e-5, 3.14159]'::halfvec;
SELECT '[65504, -65504, 65519, 2049, 2051]'::halfvec;
SELECT '[5.9604645e-8, 2.9e-8, 1e-8, -0]'::halfvec;
SELECT vector_dims('[1,2,3,4,5]'::halfvec);

-- out of the half range: an error (22003), not infinity
SELECT '[65520]'::halfvec;
SELECT '[1, -1e5]'::halfvec;
SELECT '[1e39]'::halfvec;

-- not finite
SELECT '[NaN]'::halfvec;
SELECT '[1, inf]'::halfvec;
SELECT '[-Infinity]'::halfvec;

-- malformed
SELECT '[]'::halfvec;
SELECT ''::halfvec;
SELECT '['::halfvec;
SELECT '1,2'::halfvec;
SELECT '[1,2'::halfvec;
SELECT '[1,,2]'::halfvec;
SELECT '[1 2]'::halfvec;
SELECT '[1,2]x'::halfvec;
SELECT '[1,2,]'::halfvec;
SELECT '[a]'::halfvec;
SELECT '{1,2}'::halfvec;

-- dimensions: 16,000 at most
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::halfvec);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']')::halfvec;

-- type modifier
CREATE TABLE halfvec_io (v halfvec(3));
INSERT INTO halfvec_io VALUES ('[1,2,3]'), ('[-0.5,0,65504]');
INSERT INTO halfvec_io VALUES ('[1,2]');
SELECT * FROM halfvec_io ORDER BY v;
SELECT '[1,2]'::halfvec(2), '[1,2]'::halfvec::halfvec(2);
SELECT '[1,2]'::halfvec(3);
SELECT '[1,2]'::halfvec::halfvec(3);
SELECT '[1]'::halfvec(0);
SELECT '[1]'::halfvec(16001);
SELECT '[1]'::halfvec(1, 2);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'halfvec_io'::regclass AND attname = 'v';

-- binary send: int16 dim, int16 unused, IEEE half bits, network order
SELECT encode(halfvec_send('[1,-2,0.5]'), 'hex');
SELECT encode(halfvec_send('[65504,5.9604645e-8,-0]'), 'hex');

-- binary receive: a round trip through COPY in binary format
-- a scratch file in the server's data directory, which only this server uses
SELECT current_setting('data_directory') || '/vector_regress_halfvec_recv.bin' AS recv_file \gset
COPY halfvec_io TO :'recv_file' WITH (FORMAT binary);
CREATE TABLE halfvec_recv (v halfvec);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
SELECT * FROM halfvec_recv ORDER BY v;

-- binary receive of hand-made bytes: COPY a bytea out in binary format
-- (its field is the raw bytes), then into a halfvec column
COPY (SELECT decode('00020000c2003c00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
SELECT * FROM halfvec_recv ORDER BY v;

-- zero dimensions
COPY (SELECT decode('00000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- negative dimensions
COPY (SELECT decode('ffff00003c00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- too many dimensions (16001)
COPY (SELECT decode('3e810000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- reserved field not zero
COPY (SELECT decode('000100013c00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- truncated: 3 dimensions, 2 elements
COPY (SELECT decode('000300003c003c00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- truncated header
COPY (SELECT decode('0001', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- trailing bytes
COPY (SELECT decode('000100003c0000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- NaN and infinity bits
COPY (SELECT decode('000200003c007e00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('00010000fc00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_recv FROM :'recv_file' WITH (FORMAT binary);
-- dimensions against the column's type modifier
COPY (SELECT decode('000100003c00', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY halfvec_io FROM :'recv_file' WITH (FORMAT binary);
SELECT count(*) FROM halfvec_recv;

DROP TABLE halfvec_io, halfvec_recv;
