"""The SQLAlchemy ORM flow (SQLAlchemy 1.4 + psycopg2): a declarative model
with a vector(3) column, numpy arrays in, nearest neighbours out, every
distance checked against numpy.

The vectors hold small integers, so every float32 sum the server computes is
exact and L2, inner product and L1 distances must match numpy exactly; cosine
distance divides by a square root, so it is compared to 1e-12.
"""
import unittest

import numpy as np
from sqlalchemy import BigInteger, Column, create_engine
from sqlalchemy.orm import Session, declarative_base

from connection import connect_psycopg2, libpq_url
from sqlalchemy_vector import Vector

Base = declarative_base()


class Item(Base):
    __tablename__ = "client_python_orm_items"

    id = Column(BigInteger, primary_key=True)
    embedding = Column(Vector(3), nullable=False)


def numpy_distances(data, query):
    """Every metric of query against each row of data, in float64."""
    dot = data @ query
    norms = np.sqrt((data * data).sum(axis=1) * (query * query).sum())
    return {
        "l2_distance": np.sqrt(((data - query) ** 2).sum(axis=1)),
        "max_inner_product": -dot,
        "cosine_distance": 1.0 - dot / norms,
        "l1_distance": np.abs(data - query).sum(axis=1),
    }


class SqlAlchemyOrmTest(unittest.TestCase):
    ROWS = 200

    @classmethod
    def setUpClass(cls):
        connect_psycopg2().close()  # makes sure the extension exists
        cls.engine = create_engine(libpq_url())
        Base.metadata.drop_all(cls.engine)
        Base.metadata.create_all(cls.engine)

        rng = np.random.default_rng(20240601)
        data = rng.integers(-20, 21, size=(cls.ROWS, 3)).astype(np.float32)
        data[np.all(data == 0, axis=1)] = [1, 1, 1]  # cosine needs non-zero vectors
        cls.data = data
        cls.query_vector = np.array([3, -7, 11], dtype=np.float32)

        with Session(cls.engine) as session:
            session.add_all(Item(id=i + 1, embedding=row) for i, row in enumerate(data))
            session.commit()

    @classmethod
    def tearDownClass(cls):
        Base.metadata.drop_all(cls.engine)
        cls.engine.dispose()

    def test_values_read_back_unchanged(self):
        with Session(self.engine) as session:
            items = session.query(Item).order_by(Item.id).all()
        self.assertEqual(len(items), self.ROWS)
        for item in items:
            self.assertIsInstance(item.embedding, np.ndarray)
            np.testing.assert_array_equal(item.embedding, self.data[item.id - 1])

    def check_nearest(self, method_name, tolerance):
        expected = numpy_distances(self.data.astype(np.float64), self.query_vector.astype(np.float64))[method_name]
        distance = getattr(Item.embedding, method_name)(self.query_vector)
        with Session(self.engine) as session:
            rows = (
                session.query(Item.id, distance.label("distance"))
                .order_by(distance)
                .limit(5)
                .all()
            )
            # The entity query users write returns the same items in the same order.
            entities = session.query(Item).order_by(distance).limit(5).all()

        self.assertEqual([item.id for item in entities], [row.id for row in rows])
        self.assertEqual(len(rows), 5)
        # Ties may come in any order, so compare distances in rank order, and
        # each returned item's distance with its own numpy distance.
        best_five = np.sort(expected)[:5]
        for rank, row in enumerate(rows):
            self.assertAlmostEqual(row.distance, best_five[rank], delta=tolerance, msg=f"{method_name} rank {rank}")
            self.assertAlmostEqual(row.distance, expected[row.id - 1], delta=tolerance, msg=f"{method_name} id {row.id}")

    def test_order_by_l2_distance(self):
        self.check_nearest("l2_distance", 0.0)

    def test_order_by_max_inner_product(self):
        self.check_nearest("max_inner_product", 0.0)

    def test_order_by_cosine_distance(self):
        self.check_nearest("cosine_distance", 1e-12)

    def test_order_by_l1_distance(self):
        self.check_nearest("l1_distance", 0.0)

    def test_filter_on_distance(self):
        expected = numpy_distances(self.data.astype(np.float64), self.query_vector.astype(np.float64))["l2_distance"]
        with Session(self.engine) as session:
            ids = sorted(
                item.id for item in session.query(Item).filter(Item.embedding.l2_distance(self.query_vector) < 15).all()
            )
        self.assertEqual(ids, sorted(int(i) + 1 for i in np.nonzero(expected < 15)[0]))


if __name__ == "__main__":
    unittest.main()
