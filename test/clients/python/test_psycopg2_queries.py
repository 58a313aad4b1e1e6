"""Raw psycopg2: the text form as a query parameter, nearest-neighbour
queries checked against numpy, float32 values round-tripped bit for bit, and
errors raised with the right SQLSTATE.
"""
import unittest

import numpy as np
import psycopg2
import psycopg2.errors

from connection import connect_psycopg2
from sqlalchemy_vector import from_vector_text, to_vector_text

TABLE = "client_python_psycopg2_items"


class Psycopg2QueryTest(unittest.TestCase):
    ROWS = 1000
    DIM = 32

    @classmethod
    def setUpClass(cls):
        cls.connection = connect_psycopg2()
        rng = np.random.default_rng(7)
        cls.data = rng.standard_normal((cls.ROWS, cls.DIM)).astype(np.float32)
        cls.query_vector = rng.standard_normal(cls.DIM).astype(np.float32)
        with cls.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, embedding vector({cls.DIM}))")
            cursor.executemany(
                f"INSERT INTO {TABLE} (id, embedding) VALUES (%s, %s)",
                [(i + 1, to_vector_text(row)) for i, row in enumerate(cls.data)],
            )

    @classmethod
    def tearDownClass(cls):
        with cls.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cls.connection.close()

    def query_one(self, sql, parameters=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchone()[0]

    def test_float32_values_round_trip_exactly(self):
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT id, embedding::text FROM {TABLE} ORDER BY id")
            rows = cursor.fetchall()
        self.assertEqual(len(rows), self.ROWS)
        for row_id, text in rows:
            self.assertEqual(from_vector_text(text).tobytes(), self.data[row_id - 1].tobytes())

    def test_nearest_neighbours_match_numpy(self):
        # float32 sums in another order than numpy's: equal to float32 rounding.
        expected = np.sqrt(((self.data.astype(np.float64) - self.query_vector) ** 2).sum(axis=1))
        q_text = to_vector_text(self.query_vector)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, embedding <-> %s AS distance FROM {TABLE} ORDER BY embedding <-> %s LIMIT 5",
                (q_text, q_text),
            )
            rows = cursor.fetchall()
        self.assertEqual([row[0] for row in rows], [int(i) + 1 for i in np.argsort(expected)[:5]])
        for row_id, distance in rows:
            self.assertAlmostEqual(distance, expected[row_id - 1], delta=1e-5 * expected[row_id - 1])

    def test_every_operator_matches_numpy(self):
        q = self.query_vector.astype(np.float64)
        a = self.data[0].astype(np.float64)
        q_text = to_vector_text(self.query_vector)
        expected = {
            "<->": np.sqrt(((a - q) ** 2).sum()),
            "<#>": -(a @ q),
            "<=>": 1.0 - (a @ q) / np.sqrt((a @ a) * (q @ q)),
            "<+>": np.abs(a - q).sum(),
        }
        for operator, value in expected.items():
            got = self.query_one(f"SELECT embedding {operator} %s FROM {TABLE} WHERE id = 1", (q_text,))
            self.assertAlmostEqual(got, value, delta=1e-5 * max(1.0, abs(value)), msg=operator)

    def assert_sqlstate(self, sql, sqlstate, exception_class):
        with self.assertRaises(exception_class) as raised:
            self.query_one(sql)
        self.assertEqual(raised.exception.pgcode, sqlstate)
        # The message is ours; it must at least say something.
        self.assertTrue(raised.exception.pgerror.strip())

    def test_different_dimensions_is_a_data_exception(self):
        self.assert_sqlstate("SELECT '[1,2]'::vector <-> '[1,2,3]'::vector", "22000", psycopg2.errors.DataException)

    def test_wrong_dimension_for_the_column_is_a_data_exception(self):
        self.assert_sqlstate(
            f"INSERT INTO {TABLE} (id, embedding) VALUES (0, '[1,2,3]') RETURNING id",
            "22000",
            psycopg2.errors.DataException,
        )

    def test_malformed_text_is_invalid_text_representation(self):
        self.assert_sqlstate("SELECT '[1,2'::vector", "22P02", psycopg2.errors.InvalidTextRepresentation)

    def test_nan_is_rejected(self):
        self.assert_sqlstate("SELECT '[1,NaN]'::vector", "22000", psycopg2.errors.DataException)

    def test_out_of_float4_range_is_rejected(self):
        self.assert_sqlstate("SELECT '[1e39]'::vector", "22003", psycopg2.errors.NumericValueOutOfRange)

    def test_too_many_dimensions_is_a_program_limit(self):
        too_many = "[" + ",".join(["1"] * 16001) + "]"
        self.assert_sqlstate(f"SELECT '{too_many}'::vector", "54000", psycopg2.errors.ProgramLimitExceeded)

    def test_connection_usable_after_errors(self):
        with self.assertRaises(psycopg2.errors.DataException):
            self.query_one("SELECT '[1]'::vector <-> '[1,2]'::vector")
        self.assertEqual(self.query_one("SELECT '[1,2]'::vector <-> '[4,6]'::vector"), 5.0)


if __name__ == "__main__":
    unittest.main()
