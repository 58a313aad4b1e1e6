-- sparsevec: text and binary I/O, type modifier, and every way input can be bad

-- text: 1-based indices, sorted on input, zeros dropped
SELECT '{1:1.5,3:2}/5'::sparsevec;
SELECT ' { 3 : 2 , 1:1.5,	2:0 } / 5 '::sparsevec;
SELECT '{}/3'::sparsevec, '{ }/1'::sparsevec, '{1:0}/1'::sparsevec;
SELECT '{1:0.1,2:-1e-45,3:3e38,1000000000:1}/1000000000'::sparsevec;
SELECT '{2147483647:1}/1000000000'::sparsevec;

-- indices: in range, each once
SELECT '{1:1,1:2}/3'::sparsevec;
SELECT '{2:1,3:1,2:0.5}/3'::sparsevec;
SELECT '{4:1}/3'::sparsevec;
SELECT '{0:1}/3'::sparsevec;
SELECT '{-1:1}/3'::sparsevec;
SELECT '{2147483648:1}/3'::sparsevec;

-- values
SELECT '{1:nan}/3'::sparsevec;
SELECT '{1:-inf}/3'::sparsevec;
SELECT '{1:1e39}/3'::sparsevec;
SELECT '{1:1e-46}/3'::sparsevec;

-- dimensions
SELECT '{}/0'::sparsevec;
SELECT '{1:1}/-1'::sparsevec;
SELECT '{}/1000000001'::sparsevec;
SELECT '{}/99999999999999999999'::sparsevec;

-- malformed
SELECT ''::sparsevec;
SELECT '[1,2]'::sparsevec;
SELECT '{1:2'::sparsevec;
SELECT '{1:2}'::sparsevec;
SELECT '{1:2}/'::sparsevec;
SELECT '{1:2}/3x'::sparsevec;
SELECT '{1:2}/3.5'::sparsevec;
SELECT '{1 2}/3'::sparsevec;
SELECT '{1:}/3'::sparsevec;
SELECT '{:1}/3'::sparsevec;
SELECT '{1:2,}/3'::sparsevec;
SELECT '{1:2,,3:4}/5'::sparsevec;
SELECT '{1.5:2}/3'::sparsevec;
SELECT '{a:2}/3'::sparsevec;

-- 16,000 non-zero elements at most
SELECT l2_norm(('{' || string_agg(i || ':1', ',') || '}/16000')::sparsevec)
  FROM generate_series(1, 16000) i;
SELECT ('{' || string_agg(i || ':1', ',') || '}/16001')::sparsevec
  FROM generate_series(1, 16001) i;

-- type modifier
CREATE TABLE sparsevec_io (v sparsevec(5));
INSERT INTO sparsevec_io VALUES ('{1:1.5,3:2}/5'), ('{}/5'), ('{5:-1}/5');
INSERT INTO sparsevec_io VALUES ('{1:1}/4');
SELECT * FROM sparsevec_io ORDER BY v;
SELECT '{1:1}/4'::sparsevec(4), '{1:1}/4'::sparsevec::sparsevec(4);
SELECT '{1:1}/4'::sparsevec(5);
SELECT '{1:1}/4'::sparsevec::sparsevec(5);
SELECT '{}/1'::sparsevec(0);
SELECT '{}/1'::sparsevec(1000000001);
SELECT '{}/1'::sparsevec(1, 2);
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'sparsevec_io'::regclass AND attname = 'v';

-- binary send: int32 dim, nnz, unused; 0-based int32 indices; float4 values
SELECT encode(sparsevec_send('{1:1.5,3:2}/5'), 'hex');
SELECT encode(sparsevec_send('{}/7'), 'hex');

-- binary receive: a round trip through COPY in binary format
-- a scratch file in the server's data directory, which only this server uses
SELECT current_setting('data_directory') || '/vector_regress_sparsevec_recv.bin' AS recv_file \gset
COPY sparsevec_io TO :'recv_file' WITH (FORMAT binary);
CREATE TABLE sparsevec_recv (v sparsevec);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
SELECT * FROM sparsevec_recv ORDER BY v;

-- hand-made bytes: COPY a bytea out in binary format (its field is the raw
-- bytes), then into a sparsevec column
COPY (SELECT decode('0000000a00000002000000000000000000000009bf80000040400000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
SELECT * FROM sparsevec_recv ORDER BY v;

-- zero and negative dimensions, too many dimensions
COPY (SELECT decode('000000000000000000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('ffffffff0000000000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('3b9aca010000000000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- negative nnz, nnz above dim, nnz above the limit
COPY (SELECT decode('00000003ffffffff00000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('000000010000000200000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('3b9aca0000003e8100000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- reserved field not zero
COPY (SELECT decode('000000030000000000000001', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- truncated: header, and elements (a huge nnz must not allocate first)
COPY (SELECT decode('0000000300000001', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('00000003000000010000000000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('3b9aca0000003e8000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- trailing bytes
COPY (SELECT decode('000000030000000000000000ff', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- indices out of range, repeated, decreasing
COPY (SELECT decode('00000003000000010000000000000003' || '3f800000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('000000030000000100000000ffffffff' || '3f800000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('000000030000000200000000' || '0000000100000001' || '3f8000003f800000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('000000030000000200000000' || '0000000200000001' || '3f8000003f800000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- NaN, infinity and zero values
COPY (SELECT decode('00000003000000010000000000000000' || '7fc00000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('00000003000000010000000000000000' || 'ff800000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
COPY (SELECT decode('00000003000000010000000000000000' || '00000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_recv FROM :'recv_file' WITH (FORMAT binary);
-- dimensions against the column's type modifier
COPY (SELECT decode('000000030000000000000000', 'hex')) TO :'recv_file' WITH (FORMAT binary);
COPY sparsevec_io FROM :'recv_file' WITH (FORMAT binary);
SELECT count(*) FROM sparsevec_recv;

DROP TABLE sparsevec_io, sparsevec_recv;
