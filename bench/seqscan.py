#!/usr/bin/python3
"""Sequential-scan throughput of the distance operators.

Creates seeded, clustered, L2-normalized data sets (100 Gaussian cluster
centres plus noise, then normalized), loads them with binary COPY, prewarms
them, and measures for each data set:

  * vectors per second of  SELECT sum(embedding <-> $1) FROM table
    (<~> for bit), median (and fastest) of --runs runs after one warm-up
    run, with the sum checked against numpy's;
  * the latency of  SELECT id FROM table ORDER BY embedding <-> $1 LIMIT 10,
    median of --runs runs.

It connects with the libpq environment (PGHOST, PGPORT, ...); bench/run.sh
starts a scratch cluster with the settings the numbers assume (large
shared_buffers, no parallel workers, no JIT).  Prints a Markdown table and
writes it to --output.
"""
import argparse
import dataclasses
import io
import statistics
import struct
import sys
import time

import numpy as np
import psycopg2

CLUSTERS = 100
NOISE = 0.35
CHUNK_ROWS = 5000

# pgvector 0.8.6 built with -march=native on a comparable 2-core machine,
# vectors (rows) per second of the sum(...) query, and our target ratio.
REFERENCE = {
    "vector(128)": (3_710_000, 1.2),
    "vector(768)": (393_000, 1.5),
    "halfvec(768)": (1_970_000, 1.3),
    "bit(768)": (12_200_000, 1.2),
}


@dataclasses.dataclass
class DataSet:
    name: str  # as in the results table, e.g. "vector(768)"
    table: str
    column_type: str
    dim: int
    rows: int
    element: str  # "float32", "float16" or "bit"
    operator: str
    seed: int


def clustered_chunks(dim, rows, seed):
    """Yield (first_id, float32 array) chunks of unit vectors around 100 centres."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((CLUSTERS, dim)).astype(np.float32)
    for start in range(0, rows, CHUNK_ROWS):
        count = min(CHUNK_ROWS, rows - start)
        members = rng.integers(0, CLUSTERS, size=count)
        chunk = centres[members] + NOISE * rng.standard_normal((count, dim), dtype=np.float32)
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        yield start + 1, chunk


def query_vector(dim, seed):
    """A query from the same distribution (another draw around the same centres)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((CLUSTERS, dim)).astype(np.float32)
    query_rng = np.random.default_rng(seed + 1_000_003)
    q = centres[query_rng.integers(0, CLUSTERS)] + NOISE * query_rng.standard_normal(dim, dtype=np.float32)
    return q / np.linalg.norm(q)


def copy_rows(first_id, chunk, element):
    """One chunk of rows (id integer, embedding) in COPY BINARY tuple format."""
    count, dim = chunk.shape
    if element == "float32":
        value_fields = [("dim", ">i2"), ("unused", ">i2"), ("x", ">f4", (dim,))]
        value_length = 4 + 4 * dim
    elif element == "float16":
        value_fields = [("dim", ">i2"), ("unused", ">i2"), ("x", ">f2", (dim,))]
        value_length = 4 + 2 * dim
    else:  # bit: int32 bit length, then the bits, first bit in the high bit
        value_fields = [("bits", ">i4"), ("x", "u1", (dim // 8,))]
        value_length = 4 + dim // 8
    dtype = np.dtype(
        [("fields", ">i2"), ("id_length", ">i4"), ("id", ">i4"), ("value_length", ">i4")] + value_fields
    )
    tuples = np.zeros(count, dtype=dtype)
    tuples["fields"] = 2
    tuples["id_length"] = 4
    tuples["id"] = np.arange(first_id, first_id + count)
    tuples["value_length"] = value_length
    if element == "bit":
        tuples["bits"] = dim
        tuples["x"] = np.packbits(chunk > 0, axis=1)  # what binary_quantize() does
    else:
        tuples["dim"] = dim
        tuples["x"] = chunk
    return tuples.tobytes()


def copy_binary_pieces(chunks, element):
    """COPY BINARY data, in pieces, of (first_id, array) chunks of rows."""
    yield b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
    for first_id, chunk in chunks:
        yield copy_rows(first_id, chunk, element)
    yield struct.pack(">h", -1)


class ByteChunks(io.RawIOBase):
    """A read()-able stream over an iterator of byte strings, for copy_expert."""

    def __init__(self, pieces):
        self.pieces = iter(pieces)
        self.pending = b""

    def readable(self):
        return True

    def read(self, size=-1):
        while not self.pending:
            try:
                self.pending = next(self.pieces)
            except StopIteration:
                return b""
        if size is None or size < 0:
            size = len(self.pending)
        piece, self.pending = self.pending[:size], self.pending[size:]
        return piece


def query_values(data_set):
    """The query as the server sees it: float32, float16 or booleans."""
    q = query_vector(data_set.dim, data_set.seed)
    if data_set.element == "bit":
        return q > 0
    if data_set.element == "float16":
        return q.astype(np.float16)
    return q


def expected_sum(data_set):
    """sum(embedding <op> q) computed by numpy over the same generated rows."""
    q = query_values(data_set)
    total = 0.0
    for _, chunk in clustered_chunks(data_set.dim, data_set.rows, data_set.seed):
        if data_set.element == "bit":
            total += float(((chunk > 0) != q).sum())
            continue
        if data_set.element == "float16":
            chunk = chunk.astype(np.float16)
        difference = chunk.astype(np.float64) - q.astype(np.float64)
        total += float(np.sqrt((difference * difference).sum(axis=1)).sum())
    return total


def query_literal(data_set):
    q = query_values(data_set)
    if data_set.element == "bit":
        return "".join("1" if value else "0" for value in q)
    return "[" + ",".join(repr(float(value)) for value in q) + "]"


def load(cursor, data_set, storage):
    cursor.execute(f"DROP TABLE IF EXISTS {data_set.table}")
    cursor.execute(f"CREATE TABLE {data_set.table} (id integer, embedding {data_set.column_type})")
    if storage != "default":
        cursor.execute(f"ALTER TABLE {data_set.table} ALTER COLUMN embedding SET STORAGE {storage}")
    started = time.perf_counter()
    pieces = copy_binary_pieces(clustered_chunks(data_set.dim, data_set.rows, data_set.seed), data_set.element)
    cursor.copy_expert(f"COPY {data_set.table} FROM STDIN WITH (FORMAT binary)", ByteChunks(pieces), size=1 << 20)
    cursor.execute(f"VACUUM (FREEZE, ANALYZE) {data_set.table}")
    return time.perf_counter() - started


def prewarm(cursor, table):
    """Read the table and its TOAST table, if any, into shared_buffers."""
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    cursor.execute("SELECT oid, reltoastrelid FROM pg_class WHERE oid = %s::regclass", (table,))
    for relation in cursor.fetchone():
        if relation:
            cursor.execute("SELECT pg_prewarm(%s::oid::regclass)", (relation,))


def run_seconds(cursor, sql, parameters, runs):
    """Median and fastest of runs timed runs, after one warm-up run."""
    cursor.execute(sql, parameters)  # warm-up
    cursor.fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, parameters)
        cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def measure(cursor, data_set, runs):
    literal = query_literal(data_set)
    cast = f"%s::{data_set.column_type}"
    sum_sql = f"SELECT sum(embedding {data_set.operator} {cast}) FROM {data_set.table}"
    top_sql = f"SELECT id FROM {data_set.table} ORDER BY embedding {data_set.operator} {cast} LIMIT 10"
    # The same scan reading every value but computing no distance: what is
    # left of the sum query's time is the distance function itself.
    length_function = "length" if data_set.element == "bit" else "vector_dims"
    scan_sql = f"SELECT sum({length_function}(embedding)) FROM {data_set.table}"
    prewarm(cursor, data_set.table)
    sum_seconds, sum_fastest = run_seconds(cursor, sum_sql, (literal,), runs)
    top_seconds, _ = run_seconds(cursor, top_sql, (literal,), runs)
    scan_seconds, _ = run_seconds(cursor, scan_sql, (), runs)

    # A fast wrong answer is no result: check the sum against numpy.
    cursor.execute(sum_sql, (literal,))
    server_sum = cursor.fetchone()[0]
    numpy_sum = expected_sum(data_set)
    if not abs(server_sum - numpy_sum) <= 1e-5 * abs(numpy_sum):
        raise RuntimeError(f"{data_set.name}: the server's sum {server_sum} differs from numpy's {numpy_sum}")
    cursor.execute(
        "SELECT pg_size_pretty(pg_total_relation_size(%s::regclass)), a.attstorage"
        " FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attname = 'embedding'",
        (data_set.table, data_set.table),
    )
    size, storage = cursor.fetchone()
    return {
        "rows_per_second": data_set.rows / sum_seconds,
        "best_rows_per_second": data_set.rows / sum_fastest,
        "sum_ms": sum_seconds * 1000,
        "top10_ms": top_seconds * 1000,
        "scan_ms": scan_seconds * 1000,
        "distance_ns": max(0.0, sum_seconds - scan_seconds) / data_set.rows * 1e9,
        "size": size,
        "storage": {"p": "plain", "e": "external", "m": "main", "x": "extended"}.get(storage, storage),
    }


def format_table(results, header_lines):
    lines = list(header_lines)
    lines.append("")
    lines.append(
        "| data set | rows | load s | storage | size | sum(distance) ms | vectors/s | best run | pgvector 0.8.6 | ratio | target | ORDER BY ... LIMIT 10 ms | scan only ms | distance ns/vector |"
    )
    lines.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for data_set, load_seconds, result in results:
        reference, target = REFERENCE.get(data_set.name, (None, None))
        ratio = result["rows_per_second"] / reference if reference else None
        verdict = ""
        if ratio is not None:
            verdict = " (met)" if ratio >= target else " (not met)"
        lines.append(
            f"| {data_set.name} | {data_set.rows:,} | {load_seconds:.1f} | {result['storage']} | {result['size']} "
            f"| {result['sum_ms']:.1f} | {result['rows_per_second']:,.0f} | {result['best_rows_per_second']:,.0f} "
            f"| {f'{reference:,}' if reference else '-'} | {f'{ratio:.2f}x' if ratio else '-'} "
            f"| {f'{target}x' if target else '-'}{verdict} | {result['top10_ms']:.1f} "
            f"| {result['scan_ms']:.1f} | {result['distance_ns']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def type_exists(cursor, type_name):
    cursor.execute("SELECT to_regtype(%s) IS NOT NULL", (type_name,))
    return cursor.fetchone()[0]


def data_sets(arguments):
    rows = arguments.rows
    sets = [
        DataSet("vector(128)", "bench_vector_128", "vector(128)", 128, rows, "float32", "<->", 128),
        DataSet("vector(768)", "bench_vector_768", "vector(768)", 768, rows, "float32", "<->", 768),
        DataSet("halfvec(768)", "bench_halfvec_768", "halfvec(768)", 768, rows, "float16", "<->", 768),
        DataSet("halfvec(3072)", "bench_halfvec_3072", "halfvec(3072)", 3072, arguments.rows_3072, "float16", "<->", 3072),
        DataSet("bit(768)", "bench_bit_768", "bit(768)", 768, rows, "bit", "<~>", 768),
    ]
    return [s for s in sets if not arguments.only or s.name in arguments.only]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows per data set (default 100000)")
    parser.add_argument("--rows-3072", type=int, default=100_000, help="rows of the halfvec(3072) set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    parser.add_argument("--only", nargs="*", help='data sets to run, e.g. "vector(768)" "bit(768)"')
    parser.add_argument(
        "--storage",
        choices=("default", "plain", "main", "external", "extended"),
        default="default",
        help="column storage to use instead of the type's (pgvector's vector and halfvec are external)",
    )
    parser.add_argument("--output", help="also write the Markdown table to this file")
    arguments = parser.parse_args()

    connection = psycopg2.connect("")
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    cursor.execute("SET jit = off")
    cursor.execute(
        "SELECT vector_simd_target(), current_setting('shared_buffers'), version(),"
        " (SELECT extversion FROM pg_extension WHERE extname = 'vector')"
    )
    simd_target, shared_buffers, version, extension_version = cursor.fetchone()

    results = []
    failures = []
    for data_set in data_sets(arguments):
        if not type_exists(cursor, data_set.column_type.split("(")[0]):
            print(f"skipping {data_set.name}: the extension has no such type yet", file=sys.stderr)
            continue
        print(f"loading {data_set.name}, {data_set.rows:,} rows ...", file=sys.stderr, flush=True)
        try:
            load_seconds = load(cursor, data_set, arguments.storage)
            print(f"measuring {data_set.name} ...", file=sys.stderr, flush=True)
            results.append((data_set, load_seconds, measure(cursor, data_set, arguments.runs)))
        except (psycopg2.Error, RuntimeError) as error:
            # One missing operator must not cost the other measurements.
            print(f"{data_set.name} failed: {error}".strip(), file=sys.stderr)
            failures.append(f"- {data_set.name}: not measured: {str(error).strip().splitlines()[0]}")
        cursor.execute(f"DROP TABLE IF EXISTS {data_set.table}")

    header = [
        f"# Sequential-scan throughput, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"- vector {extension_version}, SIMD target `{simd_target}`; {version.split(' on ')[0]}",
        f"- shared_buffers {shared_buffers}, tables prewarmed, max_parallel_workers_per_gather 0, jit off",
        f"- seeded data: {CLUSTERS} Gaussian clusters + noise {NOISE}, L2-normalized; bit(768) = binary quantization of the 768-d set",
        f"- vectors/s: rows / median of {arguments.runs} runs of `SELECT sum(embedding <op> q) FROM t` (`<->`, `<~>` for bit), after one warm-up run; best run: rows / fastest run; ratio and target use the median",
        "- pgvector 0.8.6 reference: built with -march=native, on a comparable 2-core machine",
        "- scan only: the same scan with `sum(vector_dims(embedding))` (`length` for bit), reading every value but computing no distance;"
        " distance ns/vector: (sum(distance) - scan only) / rows, the cost of the distance function itself,"
        " including reading the vector's bytes from memory (scan only reads little more than their headers)",
    ]
    table = format_table(results, header)
    if failures:
        table += "\n" + "\n".join(failures) + "\n"
    print(table)
    if arguments.output:
        with open(arguments.output, "w") as output:
            output.write(table)
        print(f"written to {arguments.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
