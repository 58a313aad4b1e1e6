"""What the index benchmarks (bench/hnsw.py, bench/ivfflat.py) share.

  * data: the seeded, clustered data sets, their cache in bench/data/, the
    exact top-k by brute force in numpy, recall;
  * engines: "ours" (CREATE EXTENSION vector) and "ref" (pgvector 0.8.6
    installed as extension pgvector_ref), each in a database of its own,
    and the measurements on one (EngineSession): load, build, search,
    insert, with wall and backend CPU time;
  * the measurement sequence (engines alternating, --runs repetitions) for
    one index method (IndexMethod: access method, WITH options, the search
    parameter and the values to sweep);
  * the report: Markdown tables of medians and ratios, raw .json/.csv, and
    recall-vs-QPS plots.

It connects with the libpq environment (PGHOST, PGPORT, ...).
"""
import csv
import dataclasses
import json
import os
import statistics
import sys
import time

import numpy as np
import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seqscan import ByteChunks, copy_binary_pieces  # noqa: E402  (COPY BINARY of float32 arrays)

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(BENCH_DIR, "data")
RESULTS_DIR = os.path.join(BENCH_DIR, "results")

TOP_K = 10  # recall@10
LID_K = 20  # neighbours used to estimate the intrinsic dimension
WARM_UP_QUERIES = 100
INSERT_BLOCK_ROWS = 1000  # engines alternate every block of inserts
CHUNK_ROWS = 10_000  # generation and ground-truth chunk, bounds memory

# Settings the figures assume.  bench/run.sh puts them in postgresql.conf;
# they are set per session too, so that running against another server
# measures the same thing (shared_buffers excepted: it needs a restart).
SESSION_SETTINGS = {
    "maintenance_work_mem": "4GB",
    "max_parallel_maintenance_workers": "1",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}
EXPECTED_SHARED_BUFFERS = "2GB"

# Bump when generate_rows changes, so cached data sets are not reused.
GENERATOR_VERSION = 1
MODEL_STREAM, TABLE_STREAM, QUERY_STREAM, INSERT_STREAM = range(4)


@dataclasses.dataclass(frozen=True)
class DataSetSpec:
    """A generated data set: shape, metric and the generating model."""

    name: str
    dim: int
    metric: str  # "l2" or "cosine" (rows normalized)
    rank: int  # dimension of the shared subspace the variation lives in
    clusters: int
    seed: int
    description: str

    @property
    def operator(self):
        return "<->" if self.metric == "l2" else "<=>"

    def opclass(self, element_type="vector"):
        return f"{element_type}_{'l2' if self.metric == 'l2' else 'cosine'}_ops"


# The rank is chosen so that the Levina-Bickel estimate of the intrinsic
# dimension (k = 20, the way it is quoted for real embedding sets) is about
# 17 and 21 on 100,000 rows; the estimate sits below the rank because
# per-direction spreads differ and a cluster holds only a few hundred rows.
DATA_SETS = {
    "l2-128": DataSetSpec("l2-128", 128, "l2", 26, 300, 128, "128-d, L2, intrinsic dimension ~17"),
    "cosine-768": DataSetSpec("cosine-768", 768, "cosine", 42, 300, 768, "768-d, normalized, cosine, intrinsic dimension ~21"),
}

# Generating model, in units of the within-cluster spread (1 per subspace
# direction): how far apart cluster centres are (0.7 lets clusters overlap,
# about one in ten true neighbours comes from another cluster), the spread of
# cluster sizes and of per-direction widths, and the isotropic noise.
CENTRE_DISTANCE = 0.7
CLUSTER_SIZE_SIGMA = 1.0
DIRECTION_WIDTH_SIGMA = 0.3
NOISE = 0.1


@dataclasses.dataclass(frozen=True)
class Engine:
    name: str  # "ours" or "ref", as in the report
    extension: str


ENGINES = {
    "ours": Engine("ours", "vector"),
    "ref": Engine("ref", "pgvector_ref"),
}


@dataclasses.dataclass(frozen=True)
class IndexMethod:
    """One index access method as a bench builds and searches it."""

    name: str  # the access method: "hnsw", "ivfflat"
    options: str  # CREATE INDEX ... WITH (options)
    parameter: str  # the search parameter swept: "ef_search", "probes"
    values: tuple  # its values, in order

    @property
    def setting(self):
        """The GUC of the search parameter, e.g. hnsw.ef_search."""
        return f"{self.name}.{self.parameter}"


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Data: generation, cache, ground truth
# ---------------------------------------------------------------------------


def generating_model(spec):
    """The fixed parts of a data set's distribution, from its seed alone.

    Rows are  centre[c] + basis @ (z * widths[c]) + noise  with z standard
    normal in `rank` dimensions: a mixture of Gaussian clusters whose
    variation lies in one random rank-dimensional subspace of the ambient
    space, as embedding sets concentrate near a low-dimensional manifold.
    """
    rng = np.random.default_rng([spec.seed, MODEL_STREAM])
    # Scaled so the distance between two centres is CENTRE_DISTANCE times
    # the distance between two rows of one cluster, in any dimension.
    centres = rng.standard_normal((spec.clusters, spec.dim)) * CENTRE_DISTANCE * np.sqrt(spec.rank / spec.dim)
    basis, _ = np.linalg.qr(rng.standard_normal((spec.dim, spec.rank)))
    widths = rng.lognormal(0.0, DIRECTION_WIDTH_SIGMA, (spec.clusters, spec.rank))
    weights = rng.lognormal(0.0, CLUSTER_SIZE_SIGMA, spec.clusters)
    return {
        "centres": centres.astype(np.float32),
        "basis": basis.astype(np.float32),
        "widths": widths.astype(np.float32),
        "weights": weights / weights.sum(),
        "noise": np.float32(NOISE * np.sqrt(spec.rank / spec.dim)),
    }


def generate_rows(spec, count, stream):
    """count float32 rows of the data set, from the given random stream."""
    model = generating_model(spec)
    rng = np.random.default_rng([spec.seed, stream])
    rows = np.empty((count, spec.dim), dtype=np.float32)
    for start in range(0, count, CHUNK_ROWS):
        n = min(CHUNK_ROWS, count - start)
        members = rng.choice(spec.clusters, size=n, p=model["weights"])
        z = rng.standard_normal((n, spec.rank), dtype=np.float32) * model["widths"][members]
        noise = model["noise"] * rng.standard_normal((n, spec.dim), dtype=np.float32)
        chunk = model["centres"][members] + z @ model["basis"].T + noise
        if spec.metric == "cosine":
            chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        rows[start : start + n] = chunk
    return rows


def cached(path, make):
    """np.load(path), or make() saved to path first (atomically)."""
    if os.path.exists(path):
        return np.load(path)
    array = make()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp.npy"
    np.save(temporary, array)
    os.replace(temporary, path)
    return array


def cache_path(spec, what):
    key = f"{spec.name}-d{spec.dim}-r{spec.rank}-c{spec.clusters}-s{spec.seed}-g{GENERATOR_VERSION}"
    return os.path.join(DATA_DIR, f"{key}-{what}.npy")


def exact_neighbours(table, queries, metric, k):
    """Brute-force top-k (ids 1-based as in the table, and distances).

    float64 over the stored float32 values, in chunks of rows so memory stays
    bounded; cosine distance is 1 - cos, as pgvector's <=>.
    """
    q = queries.astype(np.float64)
    q_norms = np.linalg.norm(q, axis=1)
    best_distances = np.full((len(q), 0), np.inf)
    best_ids = np.empty((len(q), 0), dtype=np.int64)
    for start in range(0, len(table), CHUNK_ROWS):
        x = table[start : start + CHUNK_ROWS].astype(np.float64)
        products = q @ x.T
        if metric == "l2":
            squared = (x * x).sum(axis=1)[None, :] - 2 * products + (q_norms**2)[:, None]
            distances = np.sqrt(np.maximum(squared, 0))
        else:
            distances = 1 - products / (q_norms[:, None] * np.linalg.norm(x, axis=1)[None, :])
        ids = np.broadcast_to(np.arange(start + 1, start + 1 + len(x)), distances.shape)
        candidates = np.concatenate([best_distances, distances], axis=1)
        candidate_ids = np.concatenate([best_ids, ids], axis=1)
        keep = np.argpartition(candidates, min(k, candidates.shape[1] - 1), axis=1)[:, :k]
        best_distances = np.take_along_axis(candidates, keep, axis=1)
        best_ids = np.take_along_axis(candidate_ids, keep, axis=1)
    order = np.argsort(best_distances, axis=1, kind="stable")
    return np.take_along_axis(best_ids, order, axis=1), np.take_along_axis(best_distances, order, axis=1)


def intrinsic_dimension(neighbour_distances):
    """Levina-Bickel maximum-likelihood estimate, averaged as MacKay-Ghahramani.

    neighbour_distances: each query's distances to its k nearest rows,
    ascending, Euclidean (the estimate assumes a metric that scales linearly).
    """
    d = neighbour_distances
    inverse = np.log(d[:, -1:] / d[:, :-1]).mean(axis=1)
    return float(1 / inverse.mean())


@dataclasses.dataclass
class DataSet:
    spec: DataSetSpec
    table: np.ndarray  # rows loaded by COPY, ids 1..len
    queries: np.ndarray
    inserts: np.ndarray  # rows for the insert-rate measurement
    truth: np.ndarray  # exact top-TOP_K ids per query
    intrinsic_dimension: float


def load_data_set(spec, rows, queries, insert_rows):
    """Generate (or read from bench/data/) the rows, queries and ground truth."""
    started = time.perf_counter()
    table = cached(cache_path(spec, f"table{rows}"), lambda: generate_rows(spec, rows, TABLE_STREAM))
    query_rows = cached(cache_path(spec, f"queries{queries}"), lambda: generate_rows(spec, queries, QUERY_STREAM))
    inserts = generate_rows(spec, insert_rows, INSERT_STREAM)  # quick to make, not worth a file
    # Top LID_K rather than TOP_K: the extra neighbours feed the estimate of
    # the intrinsic dimension.  Ids and distances are one array, in float64.
    truth_path = cache_path(spec, f"truth{rows}x{queries}k{LID_K}")
    neighbours = cached(truth_path, lambda: np.stack(exact_neighbours(table, query_rows, spec.metric, LID_K)))
    truth, distances = neighbours[0].astype(np.int64), neighbours[1]
    if spec.metric == "cosine":
        distances = np.sqrt(2 * np.maximum(distances, 0))  # chordal: Euclidean between unit vectors
    log(f"{spec.name}: data and ground truth ready in {time.perf_counter() - started:.1f} s")
    return DataSet(spec, table, query_rows, inserts, truth[:, :TOP_K], intrinsic_dimension(distances))


def vector_literal(values):
    """Text form of a float32 vector; str(np.float32) is the shortest exact form."""
    return "[" + ",".join(map(str, values)) + "]"


def recall(returned, truth):
    """Mean fraction of each query's true top-k found among its results."""
    hits = sum(len(set(ids) & set(true_ids.tolist())) for ids, true_ids in zip(returned, truth))
    return hits / truth.size


# ---------------------------------------------------------------------------
# One engine's database
# ---------------------------------------------------------------------------


class BenchSkipped(Exception):
    """An engine cannot be measured here (missing extension or access method)."""


class IndexNotUsed(Exception):
    """The planner did not use the index: QPS would measure a sequential scan."""


def copy_binary_table(table):
    """COPY BINARY data of a float32 table, ids 1..len, in pieces."""
    chunks = ((start + 1, table[start : start + CHUNK_ROWS]) for start in range(0, len(table), CHUNK_ROWS))
    return copy_binary_pieces(chunks, "float32")


def recreate_database(name):
    """Drop and create one of the bench's own databases."""
    connection = psycopg2.connect("")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def extension_available(name):
    connection = psycopg2.connect("")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", (name,))
        available = cursor.fetchone() is not None
    connection.close()
    return available


class EngineSession:
    """A connection to one engine's database and the measurements on it.

    database: the bench's own database for this engine (recreated here);
    methods: the access methods the bench needs (BenchSkipped if one is
    missing).
    """

    INDEX = "items_embedding_idx"
    HALFVEC_INDEX = "items_embedding_halfvec_idx"

    def __init__(self, engine, database, methods):
        self.engine = engine
        self.database = database
        if not extension_available(engine.extension):
            raise BenchSkipped(f"extension {engine.extension} is not installed in this server")
        recreate_database(database)
        self.connection = psycopg2.connect(dbname=database)
        self.connection.autocommit = True
        self.cursor = self.connection.cursor()
        self.cursor.execute(f"CREATE EXTENSION {engine.extension}")
        self.cursor.execute("CREATE EXTENSION pg_prewarm")
        for method in methods:
            self.cursor.execute("SELECT 1 FROM pg_am WHERE amname = %s", (method,))
            if self.cursor.fetchone() is None:
                raise BenchSkipped(f"extension {engine.extension} has no {method} access method yet")
        for name, value in SESSION_SETTINGS.items():
            self.cursor.execute(f"SET {name} = '{value}'")
        self.cursor.execute("SELECT pg_backend_pid()")
        self.backend_pid = self.cursor.fetchone()[0]
        self.rows = 0
        self.spec = None
        self.table_bytes = None  # (main fork, with TOAST) after load()

    def version(self):
        self.cursor.execute("SELECT extversion FROM pg_extension WHERE extname = %s", (self.engine.extension,))
        return self.cursor.fetchone()[0]

    def close(self):
        self.connection.close()

    def load(self, data_set):
        """A fresh items table holding the data set, vacuumed and analyzed."""
        spec = data_set.spec
        self.spec, self.rows = spec, len(data_set.table)
        self.cursor.execute("DROP TABLE IF EXISTS items")
        self.cursor.execute(f"CREATE TABLE items (id integer, embedding vector({spec.dim}))")
        self.cursor.copy_expert(
            "COPY items FROM STDIN WITH (FORMAT binary)", ByteChunks(copy_binary_table(data_set.table)), size=1 << 20
        )
        self.cursor.execute("VACUUM (FREEZE, ANALYZE) items")
        # The main fork alone decides whether a build may use parallel workers
        # (min_parallel_table_scan_size); values moved to TOAST do not count.
        self.cursor.execute("SELECT pg_relation_size('items'), pg_table_size('items')")
        self.table_bytes = self.cursor.fetchone()
        # Queries and inserts use prepared statements, as a real client would.
        self.cursor.execute("DEALLOCATE ALL")
        self.cursor.execute(
            f"PREPARE knn(vector({spec.dim})) AS SELECT id FROM items ORDER BY embedding {spec.operator} $1 LIMIT {TOP_K}"
        )
        self.cursor.execute(f"PREPARE insert_row(integer, vector({spec.dim})) AS INSERT INTO items VALUES ($1, $2)")

    def reset(self):
        """Back to the loaded table: no index, no inserted rows, a checkpoint."""
        self.cursor.execute(f"DROP INDEX IF EXISTS {self.INDEX}")
        self.cursor.execute(f"DROP INDEX IF EXISTS {self.HALFVEC_INDEX}")
        self.cursor.execute("DELETE FROM items WHERE id > %s", (self.rows,))
        self.cursor.execute("VACUUM items")
        self.cursor.execute("CHECKPOINT")  # not in the middle of a measurement

    def create_index(self, method, name, expression, opclass):
        """CREATE INDEX ... USING method; returns (seconds, bytes, server messages).

        client_min_messages = debug1 shows how many parallel workers the
        build asked for and got.
        """
        del self.connection.notices[:]
        self.cursor.execute("SET client_min_messages = debug1")
        started = time.perf_counter()
        self.cursor.execute(
            f"CREATE INDEX {name} ON items USING {method.name} ({expression} {opclass}) WITH ({method.options})"
        )
        seconds = time.perf_counter() - started
        self.cursor.execute("RESET client_min_messages")
        self.cursor.execute("SELECT pg_relation_size(%s::regclass)", (name,))
        messages = [notice.strip() for notice in self.connection.notices]
        return seconds, self.cursor.fetchone()[0], messages

    def build(self, method):
        return self.create_index(method, self.INDEX, "embedding", self.spec.opclass())

    def build_halfvec(self, method):
        """Build, measure and drop an index on embedding::halfvec(dim)."""
        expression = f"(embedding::halfvec({self.spec.dim}))"
        result = self.create_index(method, self.HALFVEC_INDEX, expression, self.spec.opclass("halfvec"))
        self.cursor.execute(f"DROP INDEX {self.HALFVEC_INDEX}")
        return result

    def check_index_used(self, literal):
        """Raise IndexNotUsed unless the knn statement's plan scans the index."""
        self.cursor.execute("EXPLAIN (FORMAT JSON) EXECUTE knn(%s)", (literal,))
        plan = self.cursor.fetchone()[0][0]["Plan"]
        if self.INDEX not in index_names(plan):
            self.cursor.execute("EXPLAIN EXECUTE knn(%s)", (literal,))
            text = "\n".join(row[0] for row in self.cursor.fetchall())
            raise IndexNotUsed(f"{self.engine.name}: the knn query does not use {self.INDEX}:\n{text}")

    def prewarm(self):
        for relation in ("items", self.INDEX):
            self.cursor.execute("SELECT pg_prewarm(%s)", (relation,))

    def set_search_parameter(self, method, value):
        self.cursor.execute(f"SET {method.setting} = {int(value)}")
        self.cursor.execute(f"SHOW {method.setting}")
        shown = self.cursor.fetchone()[0]
        if shown != str(value):
            raise RuntimeError(f"{self.engine.name}: {method.setting} is {shown}, not {value}")

    def backend_cpu_seconds(self):
        """CPU time the backend has run so far, None if it cannot be read.

        From /proc/<pid>/schedstat (nanoseconds on a CPU), so only for a
        server on this machine.  Unlike wall time it hardly grows when other
        work keeps the backend waiting for a CPU, which on a busy machine makes
        it the steadier figure to compare engines by.
        """
        try:
            with open(f"/proc/{self.backend_pid}/schedstat") as schedstat:
                return int(schedstat.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def timed(self, work):
        """Run work(); returns (its result, wall seconds, backend CPU seconds or None)."""
        cpu_before = self.backend_cpu_seconds()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        cpu_after = self.backend_cpu_seconds()
        cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        return result, seconds, cpu

    def run_queries(self, literals):
        """Run every query once; returns (list of id lists, wall s, backend CPU s)."""

        def work():
            results = []
            for literal in literals:
                self.cursor.execute("EXECUTE knn(%s)", (literal,))
                results.append([row[0] for row in self.cursor.fetchall()])
            return results

        return self.timed(work)

    def insert(self, first_id, literals):
        """Insert rows one statement each (autocommit); returns (wall s, backend CPU s)."""

        def work():
            for offset, literal in enumerate(literals):
                self.cursor.execute("EXECUTE insert_row(%s, %s)", (first_id + offset, literal))

        _, seconds, cpu = self.timed(work)
        return seconds, cpu


def index_names(plan):
    """Names of the indexes a JSON plan tree scans."""
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        names |= index_names(child)
    return names


def open_sessions(engine_names, bench, methods):
    """A session per engine that can be measured (databases <bench>_bench_<engine>)."""
    sessions = []
    for name in engine_names:
        try:
            sessions.append(EngineSession(ENGINES[name], f"{bench}_bench_{name}", methods))
        except BenchSkipped as reason:
            log(f"skipping {name}: {reason}")
    return sessions


def server_settings():
    connection = psycopg2.connect("")
    cursor = connection.cursor()
    for name, value in SESSION_SETTINGS.items():
        cursor.execute(f"SET {name} = '{value}'")
    info = {"version": None}
    cursor.execute("SELECT version()")
    info["version"] = cursor.fetchone()[0].split(" on ")[0]
    for name in ("shared_buffers", *SESSION_SETTINGS):
        cursor.execute(f"SHOW {name}")
        info[name] = cursor.fetchone()[0]
    connection.close()
    if info["shared_buffers"] != EXPECTED_SHARED_BUFFERS:
        log(f"note: shared_buffers is {info['shared_buffers']}, the figures assume {EXPECTED_SHARED_BUFFERS}")
    return info


# ---------------------------------------------------------------------------
# The measurement sequence
# ---------------------------------------------------------------------------


def empty_results():
    return {
        "build_seconds": [],
        "index_bytes": [],
        "build_messages": [],
        "search": {},  # parameter value -> {"qps": [...], "recall": [...], "cpu_us_per_query": [...]}
        "insert_rows_per_second": [],
        "insert_cpu_us_per_row": [],
        "halfvec_build_seconds": [],
        "halfvec_index_bytes": [],
        "halfvec_messages": [],
        "halfvec_error": None,
    }


def measure_builds(sessions, results, method):
    for session in sessions:
        seconds, size, messages = session.build(method)
        log(f"  {session.engine.name}: {method.name} build {seconds:.1f} s, {size / 2**20:.1f} MiB")
        entry = results[session.engine.name]
        entry["build_seconds"].append(seconds)
        entry["index_bytes"].append(size)
        entry["build_messages"].append(messages)


def measure_searches(sessions, results, data_set, literals, method):
    """QPS and recall per value of the search parameter; engines alternate for every value."""
    warm_up = literals[:WARM_UP_QUERIES]
    for session in sessions:
        session.check_index_used(literals[0])
        session.prewarm()
        # one unmeasured pass of every query first: the first value measured
        # should not pay for what a backend learns once (its caches, pages
        # pg_prewarm did not load), which the others get for free
        session.set_search_parameter(method, method.values[0])
        session.run_queries(literals)
    for value in method.values:
        for session in sessions:
            session.set_search_parameter(method, value)
            session.run_queries(warm_up)
            returned, seconds, cpu = session.run_queries(literals)
            qps, found = len(literals) / seconds, recall(returned, data_set.truth)
            cpu_us = cpu / len(literals) * 1e6 if cpu is not None else None
            log(
                f"  {session.engine.name}: {method.parameter} {value}: {qps:,.0f} QPS, recall {found:.4f},"
                f" server CPU {cell(cpu_us, '{:.0f}')} us/query"
            )
            entry = results[session.engine.name]["search"].setdefault(value, {"qps": [], "recall": [], "cpu_us_per_query": []})
            entry["qps"].append(qps)
            entry["recall"].append(found)
            if cpu_us is not None:
                entry["cpu_us_per_query"].append(cpu_us)


def measure_halfvec_builds(sessions, results, method):
    for session in sessions:
        entry = results[session.engine.name]
        if entry["halfvec_error"]:
            continue
        try:
            seconds, size, messages = session.build_halfvec(method)
        except psycopg2.Error as error:
            # Not there yet in one engine must not cost the other figures.
            entry["halfvec_error"] = str(error).strip().splitlines()[0]
            log(f"  {session.engine.name}: halfvec index failed: {entry['halfvec_error']}")
            continue
        log(f"  {session.engine.name}: halfvec build {seconds:.1f} s, {size / 2**20:.1f} MiB")
        entry["halfvec_build_seconds"].append(seconds)
        entry["halfvec_index_bytes"].append(size)
        entry["halfvec_messages"].append(messages)


def measure_inserts(sessions, results, data_set, insert_literals):
    """Rows/s of one-row INSERTs; engines alternate every INSERT_BLOCK_ROWS rows."""
    blocks = {session.engine.name: [] for session in sessions}  # (wall s, CPU s) per block
    first_id = len(data_set.table) + 1
    for start in range(0, len(insert_literals), INSERT_BLOCK_ROWS):
        block = insert_literals[start : start + INSERT_BLOCK_ROWS]
        for session in sessions:
            blocks[session.engine.name].append(session.insert(first_id + start, block))
    for session in sessions:
        name = session.engine.name
        rate = len(insert_literals) / sum(seconds for seconds, _ in blocks[name])
        cpu_times = [cpu for _, cpu in blocks[name]]
        cpu_us = sum(cpu_times) / len(insert_literals) * 1e6 if None not in cpu_times else None
        log(f"  {name}: {rate:,.0f} inserted rows/s, server CPU {cell(cpu_us, '{:.0f}')} us/row")
        results[name]["insert_rows_per_second"].append(rate)
        if cpu_us is not None:
            results[name]["insert_cpu_us_per_row"].append(cpu_us)


def load_tables(data_set, sessions, results):
    """Load the data set into every engine's items table; note the table sizes."""
    for session in sessions:
        log(f"{data_set.spec.name}: loading {len(data_set.table):,} rows into {session.database}")
        session.load(data_set)
        main_fork, with_toast = session.table_bytes
        results[session.engine.name]["table_main_fork_bytes"] = [main_fork]
        results[session.engine.name]["table_bytes"] = [with_toast]


def bench_method(data_set, sessions, arguments, method, literals=None, insert_literals=()):
    """All measurements of one index method on loaded tables, --runs times, engines alternating.

    Each run starts from the loaded table (reset), builds, sweeps the search
    parameter, then (arguments.halfvec) builds a halfvec index and inserts
    insert_literals.  Returns {engine: results} without the table sizes.
    """
    results = {session.engine.name: empty_results() for session in sessions}
    literals = literals or [vector_literal(q) for q in data_set.queries]
    for run in range(1, arguments.runs + 1):
        log(f"{data_set.spec.name}: {method.name} run {run} of {arguments.runs}")
        for session in sessions:
            session.reset()
        measure_builds(sessions, results, method)
        measure_searches(sessions, results, data_set, literals, method)
        if getattr(arguments, "halfvec", False):
            measure_halfvec_builds(sessions, results, method)
        if insert_literals:
            measure_inserts(sessions, results, data_set, insert_literals)
    return results


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def median(values):
    return statistics.median(values) if values else None


def ratio(ours, ref):
    return ours / ref if ours is not None and ref else None


def cell(value, template):
    return "-" if value is None else template.format(value)


def search_median(entry, value, key):
    """Median QPS or recall of one engine at one search parameter value (None: not measured)."""
    return median(entry["search"].get(value, {}).get(key, [])) if entry else None


def summary_rows(results, insert_rows):
    """(label, format, median per engine) for the build/size/insert table."""
    mib = 2**20
    metrics = [
        ("table size with TOAST, MiB", "{:.1f}", "table_bytes", mib),
        ("table main fork, MiB (decides parallel build workers)", "{:.1f}", "table_main_fork_bytes", mib),
        ("build time, s", "{:.1f}", "build_seconds", 1),
        ("index size, MiB", "{:.1f}", "index_bytes", mib),
        (f"insert rate, rows/s ({insert_rows:,} one-row INSERTs)", "{:,.0f}", "insert_rows_per_second", 1),
        ("insert, server CPU us/row", "{:,.0f}", "insert_cpu_us_per_row", 1),
        ("halfvec index build time, s", "{:.1f}", "halfvec_build_seconds", 1),
        ("halfvec index size, MiB", "{:.1f}", "halfvec_index_bytes", mib),
    ]
    rows = []
    for label, template, key, unit in metrics:
        medians = {name: median([v / unit for v in entry.get(key, [])]) for name, entry in results.items()}
        if any(value is not None for value in medians.values()):
            rows.append((label, template, medians))
    return rows


BUILD_MESSAGES_NOTE = (
    'PostgreSQL 15 reports "building index ... serially" for every index but a btree, whatever the access'
    " method then does; the access method's own messages (pgvector: \"using N parallel workers\") say what it did."
)


def data_set_section(data_set, results, method, insert_rows):
    spec = data_set.spec
    ours, ref = results.get("ours"), results.get("ref")
    lines = [
        f"## {spec.name}: {len(data_set.table):,} rows x {spec.dim}, {spec.metric}, {len(data_set.queries):,} queries",
        "",
        f"{spec.description}; {spec.clusters} clusters, generating rank {spec.rank},"
        f" estimated intrinsic dimension {data_set.intrinsic_dimension:.1f} (MLE, k = {LID_K}, at the queries)",
        "",
        "| | ours | ref | ours/ref |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, template, medians in summary_rows(results, insert_rows):
        o, r = medians.get("ours"), medians.get("ref")
        lines.append(f"| {label} | {cell(o, template)} | {cell(r, template)} | {cell(ratio(o, r), '{:.2f}x')} |")
    lines += [
        "",
        f"| {method.parameter} | ours recall@10 | ours QPS | ours server CPU us/query | ref recall@10 | ref QPS"
        " | ref server CPU us/query | QPS ours/ref | CPU per query ours/ref |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for value in method.values:
        columns = [str(value)]
        for entry in (ours, ref):
            columns.append(cell(search_median(entry, value, "recall"), "{:.4f}"))
            columns.append(cell(search_median(entry, value, "qps"), "{:,.0f}"))
            columns.append(cell(search_median(entry, value, "cpu_us_per_query"), "{:,.0f}"))
        for key in ("qps", "cpu_us_per_query"):
            columns.append(cell(ratio(search_median(ours, value, key), search_median(ref, value, key)), "{:.2f}x"))
        lines.append("| " + " | ".join(columns) + " |")
    for name, entry in results.items():
        messages = sorted({m for run in entry["build_messages"] for m in run})
        if messages:
            lines += ["", f"{name} build messages, all runs (client_min_messages = debug1):", ""]
            lines += [f"- `{m}`" for m in messages]
        if entry["halfvec_error"]:
            lines += ["", f"{name} halfvec index: {entry['halfvec_error']}"]
    lines += ["", BUILD_MESSAGES_NOTE]
    return "\n".join(lines)


def report_header(title, index_line, arguments, engine_info, server_info, alternation):
    """The report's title and the conditions of the measurement.

    index_line: what was built and how it was searched; alternation: what
    the engines alternate for.
    """
    lines = [
        f"# {title}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"- engines: {'; '.join(engine_info)}",
        f"- {server_info['version']}; {os.cpu_count()} CPUs ({cpu_model()})",
        f"- shared_buffers {server_info['shared_buffers']}, "
        + ", ".join(f"{name} {server_info[name]}" for name in SESSION_SETTINGS),
        f"- {index_line}; one client over the local socket,"
        f" prepared `SELECT id FROM items ORDER BY embedding <op> $1 LIMIT {TOP_K}`;"
        f" QPS = queries / time of one pass after a {WARM_UP_QUERIES}-query warm-up; recall@10 against numpy's exact top 10",
        f"- medians of {arguments.runs} runs; engines alternate for every measurement ({alternation});"
        " each run rebuilds the index on the loaded table",
        "- server CPU: the backend's time on a CPU (/proc/<pid>/schedstat) per query or inserted row;"
        " wall-time figures (QPS, rows/s) also count waiting for a CPU behind other work, CPU time hardly does",
        "- ours/ref: above 1 is better for QPS and insert rate, below 1 for build time, size and CPU time",
    ]
    return "\n".join(lines)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


RAW_METRICS = (
    "table_bytes",
    "table_main_fork_bytes",
    "build_seconds",
    "index_bytes",
    "insert_rows_per_second",
    "insert_cpu_us_per_row",
    "halfvec_build_seconds",
    "halfvec_index_bytes",
)


def write_raw(path_stem, all_results, meta, parameter, extra=None):
    """The numbers of every run: JSON (nested) and CSV (one value a row).

    all_results: {data set: {engine: results}}; parameter: the name of the
    search parameter (a CSV column); extra: more top-level JSON entries.
    """
    with open(f"{path_stem}.json", "w") as output:
        json.dump({"meta": meta, "results": all_results, **(extra or {})}, output, indent=1, default=str)
    with open(f"{path_stem}.csv", "w", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(["data_set", "engine", "metric", parameter, "run", "value"])
        for data_set, engines in all_results.items():
            for engine, entry in engines.items():
                for key in RAW_METRICS:
                    for run, value in enumerate(entry.get(key, []), 1):
                        writer.writerow([data_set, engine, key, "", run, value])
                for value_of_parameter, values in entry["search"].items():
                    for key in ("qps", "recall", "cpu_us_per_query"):
                        for run, value in enumerate(values[key], 1):
                            writer.writerow([data_set, engine, key, value_of_parameter, run, value])


@dataclasses.dataclass
class Curve:
    """One recall/QPS line of a plot panel: {parameter value: {"recall": [...], "qps": [...]}}."""

    label: str
    search: dict
    style: str = "-"
    color: str = None


ENGINE_COLOURS = {"ours": "C0", "ref": "C1"}


def engine_curves(engines, label_format="{engine}", style="-"):
    """A Curve per engine of {engine: results}, one colour per engine."""
    return [
        Curve(label_format.format(engine=engine), entry["search"], style, ENGINE_COLOURS.get(engine))
        for engine, entry in engines.items()
    ]


def plot(path, panels, parameter):
    """Recall@10 (x) against QPS (y, log): one panel per data set ({name: [Curve]})."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), squeeze=False)
    for axis, (data_set, curves) in zip(axes[0], panels.items()):
        for curve in curves:
            values = sorted(curve.search, key=float)
            recalls = [median(curve.search[v]["recall"]) for v in values]
            qps = [median(curve.search[v]["qps"]) for v in values]
            axis.plot(recalls, qps, curve.style, color=curve.color, marker="o", label=curve.label)
            for v, x, y in zip(values, recalls, qps):
                axis.annotate(str(v), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        axis.set_title(f"{data_set} (labels: {parameter})")
        axis.set_xlabel("recall@10")
        axis.set_ylabel("queries per second")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def comma_list(text, convert=str):
    return [convert(item) for item in text.split(",") if item]


def add_common_arguments(parser, bench, default_runs):
    """Options every index bench has: data set, sizes, runs, engines, output."""
    parser.add_argument("--dataset", choices=(*DATA_SETS, "all"), default="all", help="data set (default all)")
    parser.add_argument("--rows", type=int, default=100_000, help="table rows (default 100000)")
    parser.add_argument("--queries", type=int, default=1000, help="query vectors (default 1000)")
    parser.add_argument("--runs", type=int, default=default_runs, help=f"repetitions; medians are reported (default {default_runs})")
    parser.add_argument("--engines", type=lambda t: comma_list(t), default=["ours", "ref"], help="comma list of ours,ref")
    parser.add_argument("--output", help=f"Markdown report (default bench/results/{bench}-<date>.md); .json, .csv, .png beside it")


def check_common_arguments(parser, arguments, bench):
    unknown = [name for name in arguments.engines if name not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    if not arguments.output:
        arguments.output = os.path.join(RESULTS_DIR, f"{bench}-{time.strftime('%Y%m%d-%H%M', time.gmtime())}.md")


def selected_specs(arguments):
    return list(DATA_SETS.values()) if arguments.dataset == "all" else [DATA_SETS[arguments.dataset]]


def data_set_meta(data_set):
    return {
        **dataclasses.asdict(data_set.spec),
        "rows": len(data_set.table),
        "queries": len(data_set.queries),
        "intrinsic_dimension": data_set.intrinsic_dimension,
    }


def run_bench(arguments, bench, access_methods, measure_data_set):
    """Open the engines' sessions and measure each selected data set.

    measure_data_set(data_set, sessions) returns (results by engine, report
    sections, extra raw results or None).  Returns (all results by data set,
    extras by data set, sections, meta for the raw files).
    """
    sessions = open_sessions(arguments.engines, bench, access_methods)
    if not sessions:
        sys.exit("no engine to measure")
    engine_info = [f"{s.engine.name} = {s.engine.extension} {s.version()}" for s in sessions]
    server_info = server_settings()
    all_results, extras, sections, data_sets = {}, {}, [], {}
    try:
        for spec in selected_specs(arguments):
            data_set = load_data_set(spec, arguments.rows, arguments.queries, arguments.insert_rows)
            results, data_set_sections, extra = measure_data_set(data_set, sessions)
            all_results[spec.name] = results
            if extra:
                extras[spec.name] = extra
            sections += data_set_sections
            data_sets[spec.name] = data_set_meta(data_set)
    except IndexNotUsed as error:
        sys.exit(f"\nERROR: {error}\nQPS would measure something else than the index; stopping.")
    finally:
        for session in sessions:
            session.close()
    meta = {"arguments": vars(arguments), "engines": engine_info, "server": server_info, "data_sets": data_sets}
    return all_results, extras, sections, meta


def publish(arguments, header, sections, all_results, meta, parameter, panels, extra_raw=None):
    """Print the report and write it to --output, the raw numbers (.json, .csv) and the plot (.png) beside it."""
    report = header + "\n\n" + "\n\n".join(sections) + "\n"
    print(report)
    os.makedirs(os.path.dirname(os.path.abspath(arguments.output)), exist_ok=True)
    with open(arguments.output, "w") as output:
        output.write(report)
    stem = os.path.splitext(arguments.output)[0]
    write_raw(stem, all_results, meta, parameter, extra_raw)
    plot(f"{stem}.png", panels, parameter)
    log(f"written to {arguments.output} (and {os.path.basename(stem)}.json, .csv, .png)")
