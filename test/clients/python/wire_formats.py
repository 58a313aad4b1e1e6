"""The types' wire formats written out in Python, independently of the server,
so a test can compare what the server sends with what the format says.

Binary forms (network byte order):
  vector     int16 dim, int16 unused (0), float4 x dim
  halfvec    int16 dim, int16 unused (0), IEEE half x dim
  sparsevec  int32 dim, int32 nnz, int32 unused (0), int32 index x nnz (0-based),
             float4 value x nnz
Text forms: '[1,2.5,3]' for vector and halfvec, '{1:1.5,3:2}/5' (1-based) for
sparsevec.
"""
import struct

import numpy as np


def _encode_dense_binary(values, element_type):
    """vector and halfvec: the header, then each element as big-endian element_type."""
    values = np.asarray(values, dtype=element_type)
    wire_type = np.dtype(element_type).newbyteorder(">")
    return struct.pack(">hh", len(values), 0) + values.astype(wire_type).tobytes()


def _decode_dense_binary(data, element_type):
    wire_type = np.dtype(element_type).newbyteorder(">")
    dim, unused = struct.unpack_from(">hh", data)
    assert unused == 0, f"unused field is {unused}"
    assert len(data) == 4 + wire_type.itemsize * dim, f"{len(data)} bytes for {dim} dimensions"
    return np.frombuffer(data, dtype=wire_type, offset=4).astype(element_type)


def encode_vector_binary(values):
    return _encode_dense_binary(values, np.float32)


def decode_vector_binary(data):
    return _decode_dense_binary(data, np.float32)


def encode_halfvec_binary(values):
    return _encode_dense_binary(values, np.float16)


def decode_halfvec_binary(data):
    return _decode_dense_binary(data, np.float16)


def encode_sparsevec_binary(dim, indices, values):
    """indices are 0-based and strictly increasing."""
    indices = np.asarray(indices, dtype=">i4")
    values = np.asarray(values, dtype=">f4")
    return struct.pack(">iii", dim, len(indices), 0) + indices.tobytes() + values.tobytes()


def decode_sparsevec_binary(data):
    dim, nnz, unused = struct.unpack_from(">iii", data)
    assert unused == 0, f"unused field is {unused}"
    assert len(data) == 12 + 8 * nnz, f"{len(data)} bytes for {nnz} non-zero elements"
    indices = np.frombuffer(data, dtype=">i4", count=nnz, offset=12).astype(np.int32)
    values = np.frombuffer(data, dtype=">f4", count=nnz, offset=12 + 4 * nnz).astype(np.float32)
    return dim, indices, values


def float_text(value):
    """Exact decimal text of a float32 (or float16): reads back to the same value."""
    return repr(float(value))


def encode_vector_text(values):
    return "[" + ",".join(float_text(v) for v in values) + "]"


def decode_vector_text(text, dtype=np.float32):
    inner = text.strip()[1:-1]
    # Parse as float32 first: the server prints the shortest float32 text.
    return np.array([np.float32(part) for part in inner.split(",")], dtype=np.float32).astype(dtype)


def encode_sparsevec_text(dim, indices, values):
    elements = ",".join(f"{int(i) + 1}:{float_text(v)}" for i, v in zip(indices, values))
    return "{" + elements + "}/" + str(dim)


def decode_sparsevec_text(text):
    elements, dim = text.strip().split("/")
    indices, values = [], []
    inner = elements.strip()[1:-1]
    if inner:
        for element in inner.split(","):
            index, value = element.split(":")
            indices.append(int(index) - 1)
            values.append(np.float32(value))
    return int(dim), np.array(indices, dtype=np.int32), np.array(values, dtype=np.float32)
