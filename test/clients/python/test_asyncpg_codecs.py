"""asyncpg (Debian's python3-asyncpg): it speaks the binary protocol for
every query, so a binary codec registered by type name, the way
pgvector-python registers one for asyncpg, must read and write the types
unchanged; a text codec must too.
"""
import asyncio
import unittest

import asyncpg
import numpy as np

import wire_formats as wire

TABLE = "client_python_asyncpg_values"


def connect():
    # asyncpg reads PGHOST, PGPORT, PGUSER and PGDATABASE itself.
    return asyncpg.connect()


async def type_exists(connection, type_name):
    return await connection.fetchval("SELECT to_regtype($1) IS NOT NULL", type_name)


class AsyncpgCodecTest(unittest.TestCase):
    def run_async(self, coroutine):
        return asyncio.run(coroutine)

    def test_vector_binary_codec(self):
        async def scenario():
            connection = await connect()
            try:
                await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
                await connection.set_type_codec(
                    "vector",
                    encoder=wire.encode_vector_binary,
                    decoder=wire.decode_vector_binary,
                    format="binary",
                )
                values = np.random.default_rng(99).standard_normal(777).astype(np.float32)
                values[:3] = [0.0, -0.0, 3.4028235e38]
                await connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
                await connection.execute(f"CREATE TABLE {TABLE} (id integer, value vector(777))")
                await connection.execute(f"INSERT INTO {TABLE} VALUES (1, $1)", values)
                read = await connection.fetchval(f"SELECT value FROM {TABLE} WHERE id = 1")
                text = await connection.fetchval(f"SELECT value::text FROM {TABLE} WHERE id = 1")
                distance = await connection.fetchval(f"SELECT value <-> $1 FROM {TABLE} WHERE id = 1", values)
                await connection.execute(f"DROP TABLE {TABLE}")
                return values, read, text, distance
            finally:
                await connection.close()

        values, read, text, distance = self.run_async(scenario())
        self.assertEqual(read.tobytes(), values.tobytes())
        self.assertEqual(wire.decode_vector_text(text).tobytes(), values.tobytes())
        self.assertEqual(distance, 0.0)

    def test_halfvec_and_sparsevec_binary_codecs(self):
        async def scenario():
            connection = await connect()
            try:
                await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
                if not (await type_exists(connection, "halfvec") and await type_exists(connection, "sparsevec")):
                    return None
                await connection.set_type_codec(
                    "halfvec",
                    encoder=wire.encode_halfvec_binary,
                    decoder=wire.decode_halfvec_binary,
                    format="binary",
                )
                await connection.set_type_codec(
                    "sparsevec",
                    encoder=lambda value: wire.encode_sparsevec_binary(*value),
                    decoder=wire.decode_sparsevec_binary,
                    format="binary",
                )
                half = np.array([1.5, -0.0, 65504, 2**-24, -3.25], dtype=np.float16)
                sparse = (10, np.array([0, 4, 9], dtype=np.int32), np.array([1.5, -2, 3e-5], dtype=np.float32))
                half_read = await connection.fetchval("SELECT $1::halfvec", half)
                sparse_read = await connection.fetchval("SELECT $1::sparsevec", sparse)
                half_text = await connection.fetchval("SELECT $1::halfvec::text", half)
                sparse_text = await connection.fetchval("SELECT $1::sparsevec::text", sparse)
                return half, half_read, half_text, sparse, sparse_read, sparse_text
            finally:
                await connection.close()

        result = self.run_async(scenario())
        if result is None:
            self.skipTest("the installed extension has no halfvec or sparsevec type yet")
        half, half_read, half_text, sparse, sparse_read, sparse_text = result
        self.assertEqual(half_read.tobytes(), half.tobytes())
        self.assertEqual(wire.decode_vector_text(half_text, np.float16).tobytes(), half.tobytes())
        for got in (sparse_read, wire.decode_sparsevec_text(sparse_text)):
            self.assertEqual(got[0], sparse[0])
            self.assertEqual(got[1].tolist(), sparse[1].tolist())
            self.assertEqual(got[2].tobytes(), sparse[2].tobytes())

    def test_text_codec_by_type_name(self):
        async def scenario():
            connection = await connect()
            try:
                await connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
                await connection.set_type_codec(
                    "vector", encoder=wire.encode_vector_text, decoder=wire.decode_vector_text, format="text"
                )
                values = np.array([1, 2.5, -1e-7], dtype=np.float32)
                return values, await connection.fetchval("SELECT $1::vector", values)
            finally:
                await connection.close()

        values, read = self.run_async(scenario())
        self.assertEqual(read.tobytes(), values.tobytes())


if __name__ == "__main__":
    unittest.main()
