"""A SQLAlchemy column type for `vector`, the way applications declare one.

pgvector-python ships such a type; this one is written here so the test
depends on nothing but SQLAlchemy and shows the whole contract: the column's
DDL, values sent as the text form '[1,2,3]', results parsed back into numpy
float32 arrays, and one comparator method per distance operator.
"""
import numpy as np
from sqlalchemy.types import Float, UserDefinedType


def to_vector_text(values):
    """numpy (or any sequence of numbers) -> '[1.5,2,3]'."""
    # repr of a float32 widened to float64 is exact, so the server's strtof
    # gets back the very same float32.
    return "[" + ",".join(repr(float(v)) for v in np.asarray(values, dtype=np.float32)) + "]"


def from_vector_text(text):
    """'[1.5,2,3]' -> numpy float32 array."""
    inner = text.strip()[1:-1]
    return np.array([np.float32(part) for part in inner.split(",")], dtype=np.float32)


class Vector(UserDefinedType):
    cache_ok = True

    def __init__(self, dimensions=None):
        super().__init__()
        self.dimensions = dimensions

    def get_col_spec(self, **kw):
        if self.dimensions is None:
            return "VECTOR"
        return f"VECTOR({self.dimensions})"

    def bind_processor(self, dialect):
        def process(value):
            return None if value is None else to_vector_text(value)

        return process

    def result_processor(self, dialect, coltype):
        def process(value):
            return None if value is None else from_vector_text(value)

        return process

    class comparator_factory(UserDefinedType.Comparator):
        def l2_distance(self, other):
            return self.op("<->", return_type=Float)(other)

        def max_inner_product(self, other):
            return self.op("<#>", return_type=Float)(other)

        def cosine_distance(self, other):
            return self.op("<=>", return_type=Float)(other)

        def l1_distance(self, other):
            return self.op("<+>", return_type=Float)(other)
