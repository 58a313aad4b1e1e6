"""psycopg 3: each type through the text AND the binary wire format, both
ways, compared bit for bit; dumpers and loaders are written here from the
format description in wire_formats.py.

Every combination is checked: written as text or binary, read as text or
binary, and the server's raw binary bytes against our own encoding.
halfvec and sparsevec are tested when the installed extension has them.
"""
import dataclasses
import struct
import unittest

import numpy as np
import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types import TypeInfo

import wire_formats as wire
from connection import connect_psycopg3, type_exists

TABLE = "client_python_psycopg3_values"


@dataclasses.dataclass
class VectorValue:
    values: np.ndarray  # float32


@dataclasses.dataclass
class HalfvecValue:
    values: np.ndarray  # float16


@dataclasses.dataclass
class SparsevecValue:
    dim: int
    indices: np.ndarray  # int32, 0-based, increasing
    values: np.ndarray  # float32, non-zero


# One (text, binary) encoder and (text, binary) decoder per type.
CODECS = {
    "vector": (
        lambda v: wire.encode_vector_text(v.values),
        lambda v: wire.encode_vector_binary(v.values),
        lambda text: VectorValue(wire.decode_vector_text(text)),
        lambda data: VectorValue(wire.decode_vector_binary(data)),
    ),
    "halfvec": (
        lambda v: wire.encode_vector_text(v.values),
        lambda v: wire.encode_halfvec_binary(v.values),
        lambda text: HalfvecValue(wire.decode_vector_text(text, np.float16)),
        lambda data: HalfvecValue(wire.decode_halfvec_binary(data)),
    ),
    "sparsevec": (
        lambda v: wire.encode_sparsevec_text(v.dim, v.indices, v.values),
        lambda v: wire.encode_sparsevec_binary(v.dim, v.indices, v.values),
        lambda text: SparsevecValue(*wire.decode_sparsevec_text(text)),
        lambda data: SparsevecValue(*wire.decode_sparsevec_binary(data)),
    ),
}
PYTHON_CLASSES = {"vector": VectorValue, "halfvec": HalfvecValue, "sparsevec": SparsevecValue}


def register_type(connection, type_name):
    """Register text and binary dumpers and loaders for one type; its oid."""
    oid = TypeInfo.fetch(connection, type_name).oid
    encode_text, encode_binary, decode_text, decode_binary = CODECS[type_name]

    class TextDumper(Dumper):
        format = Format.TEXT

        def dump(self, obj):
            return encode_text(obj).encode()

    class BinaryDumper(Dumper):
        format = Format.BINARY

        def dump(self, obj):
            return encode_binary(obj)

    class TextLoader(Loader):
        format = Format.TEXT

        def load(self, data):
            return decode_text(bytes(data).decode())

    class BinaryLoader(Loader):
        format = Format.BINARY

        def load(self, data):
            return decode_binary(bytes(data))

    TextDumper.oid = BinaryDumper.oid = oid
    adapters = connection.adapters
    adapters.register_dumper(PYTHON_CLASSES[type_name], TextDumper)
    adapters.register_dumper(PYTHON_CLASSES[type_name], BinaryDumper)
    adapters.register_loader(oid, TextLoader)
    adapters.register_loader(oid, BinaryLoader)
    return oid


class RawBytesLoader(Loader):
    """The binary form exactly as the server sent it."""

    format = Format.BINARY

    def load(self, data):
        return bytes(data)


def float32_samples(rng, count):
    """Edge values and random finite float32 bit patterns."""
    edges = np.array(
        [0.0, -0.0, 1.0, -1.0, 1e-45, -1e-45, 1.1754944e-38, 3.4028235e38, -3.4028235e38, 0.1, 1 / 3],
        dtype=np.float32,
    )
    bits = rng.integers(0, 2**32, size=count * 2, dtype=np.uint64).astype(np.uint32)
    randoms = bits.view(np.float32)
    randoms = randoms[np.isfinite(randoms)][:count]
    return np.concatenate([edges, randoms])


def float16_samples(rng, count):
    edges = np.array([0.0, -0.0, 1.0, -1.0, 2**-24, -(2**-24), 6.1035156e-05, 65504, -65504, 0.1], dtype=np.float16)
    bits = rng.integers(0, 2**16, size=count * 2, dtype=np.uint32).astype(np.uint16)
    randoms = bits.view(np.float16)
    randoms = randoms[np.isfinite(randoms)][:count]
    return np.concatenate([edges, randoms])


def samples(type_name, rng):
    if type_name == "vector":
        return [VectorValue(float32_samples(rng, 500)), VectorValue(np.array([42.5], dtype=np.float32))]
    if type_name == "halfvec":
        return [HalfvecValue(float16_samples(rng, 300)), HalfvecValue(np.array([-2.5], dtype=np.float16))]
    dense = []
    for dim, nnz in ((1000, 50), (1_000_000_000, 3), (7, 1)):
        indices = np.sort(rng.choice(min(dim, 100_000), size=nnz, replace=False)).astype(np.int32)
        values = float32_samples(rng, nnz + 20)
        values = values[values != 0][:nnz]
        dense.append(SparsevecValue(dim, indices, values))
    return dense


def same_bits(a, b):
    if isinstance(a, SparsevecValue):
        return (
            a.dim == b.dim
            and a.indices.astype(np.int32).tobytes() == b.indices.astype(np.int32).tobytes()
            and a.values.astype(np.float32).tobytes() == b.values.astype(np.float32).tobytes()
        )
    return a.values.dtype == b.values.dtype and a.values.tobytes() == b.values.tobytes()


class Psycopg3FormatsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.connection = connect_psycopg3()

    @classmethod
    def tearDownClass(cls):
        cls.connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cls.connection.close()

    def check_round_trips(self, type_name):
        if not type_exists(self.connection, type_name):
            self.skipTest(f"the installed extension has no {type_name} type yet")
        oid = register_type(self.connection, type_name)
        originals = samples(type_name, np.random.default_rng(12345))
        encode_binary = CODECS[type_name][1]

        self.connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self.connection.execute(f"CREATE TABLE {TABLE} (id integer, written_as text, value {type_name})")
        with self.connection.cursor() as cursor:
            for i, value in enumerate(originals):
                cursor.execute(f"INSERT INTO {TABLE} VALUES (%s, 'text', %t)", (i, value))
                cursor.execute(f"INSERT INTO {TABLE} VALUES (%s, 'binary', %b)", (i, value))

        for read_binary in (False, True):
            with self.connection.cursor(binary=read_binary) as cursor:
                cursor.execute(f"SELECT id, written_as, value FROM {TABLE} ORDER BY id, written_as")
                rows = cursor.fetchall()
            self.assertEqual(len(rows), 2 * len(originals))
            for row_id, written_as, value in rows:
                self.assertTrue(
                    same_bits(value, originals[row_id]),
                    f"{type_name} #{row_id} written as {written_as}, read as {'binary' if read_binary else 'text'}",
                )

        with self.connection.cursor(binary=True) as cursor:
            cursor.adapters.register_loader(oid, RawBytesLoader)
            cursor.execute(f"SELECT id, value FROM {TABLE} WHERE written_as = 'text' ORDER BY id")
            for row_id, raw in cursor.fetchall():
                self.assertEqual(raw, encode_binary(originals[row_id]), f"{type_name} #{row_id}: binary bytes")

    def test_vector_formats(self):
        self.check_round_trips("vector")

    def test_halfvec_formats(self):
        self.check_round_trips("halfvec")

    def test_sparsevec_formats(self):
        self.check_round_trips("sparsevec")

    def test_binary_input_is_validated(self):
        oid = TypeInfo.fetch(self.connection, "vector").oid

        class BadBinaryDumper(Dumper):
            format = Format.BINARY

            def dump(self, obj):
                return obj

        BadBinaryDumper.oid = oid
        cursor = self.connection.cursor()
        cursor.adapters.register_dumper(bytes, BadBinaryDumper)
        nan_bytes = struct.pack(">hhf", 1, 0, float("nan"))
        nonzero_unused = struct.pack(">hhf", 1, 7, 1.0)
        for data in (nan_bytes, nonzero_unused):
            # Any data exception (class 22) fits; pgvector itself says 22000.
            with self.assertRaises(psycopg.DataError) as raised:
                cursor.execute("SELECT %b", (data,))
            self.assertEqual(raised.exception.sqlstate[:2], "22")
        cursor.close()


if __name__ == "__main__":
    unittest.main()
