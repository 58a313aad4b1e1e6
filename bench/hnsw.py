#!/usr/bin/python3
"""HNSW index benchmark: our `vector` against the reference pgvector.

For each data set and each engine it measures

  * the build time and size of  CREATE INDEX ... USING hnsw (...)
    WITH (m = 16, ef_construction = 64);
  * queries per second and recall@10 of
    SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10   (<=> for cosine)
    for each hnsw.ef_search, one client, a prepared statement, after a
    warm-up pass (EXPLAIN checks once per build that the index is used);
  * the insert rate: rows per second of one-row INSERTs (autocommit) into
    the indexed table;
  * with --halfvec, the build time and size of an hnsw index on
    embedding::halfvec(dim).

Engines: "ours" is a database with CREATE EXTENSION vector, "ref" one with
CREATE EXTENSION pgvector_ref (pgvector 0.8.6 installed under another name
by /work/shared/tools/install_pgvector_ref.sh).  An engine whose extension
(or whose hnsw access method) is missing is skipped with a message.  The
machine is noisy, so engines alternate for every measurement and the whole
sequence is repeated --runs times; the report gives medians and ours/ref.

Data sets are seeded and clustered like real embeddings, not uniform noise
(see common.generate_rows).  They, and their exact top-k by brute force in
numpy, are cached in bench/data/.  Queries come from the same distribution
but are not rows of the table.

It connects with the libpq environment (PGHOST, PGPORT, ...); bench/run.sh
starts a scratch cluster with the settings the numbers assume, and this
script sets the session-level ones itself.  Writes a Markdown report to
--output, raw numbers beside it (.json, .csv) and a recall/QPS plot (.png).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import comma_list, vector_literal  # noqa: E402

M = 16
EF_CONSTRUCTION = 64
DEFAULT_EF_SEARCH = (10, 20, 40, 80, 160, 320)


def hnsw_method(ef_search=DEFAULT_EF_SEARCH):
    return common.IndexMethod("hnsw", f"m = {M}, ef_construction = {EF_CONSTRUCTION}", "ef_search", tuple(ef_search))


def bench_data_set(data_set, sessions, arguments):
    """All measurements of one data set, --runs times, engines alternating."""
    method = hnsw_method(arguments.ef_search)
    insert_literals = [vector_literal(row) for row in data_set.inserts]
    table_sizes = {session.engine.name: {} for session in sessions}
    common.load_tables(data_set, sessions, table_sizes)
    results = common.bench_method(data_set, sessions, arguments, method, insert_literals=insert_literals)
    for name, sizes in table_sizes.items():
        results[name].update(sizes)
    for session in sessions:
        session.cursor.execute("DROP TABLE items")
    return results


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(parser, "hnsw", default_runs=3)
    parser.add_argument(
        "--ef-search", type=lambda t: comma_list(t, int), default=list(DEFAULT_EF_SEARCH), help="comma list (default 10,...,320)"
    )
    parser.add_argument("--insert-rows", type=int, default=10_000, help="rows inserted one by one (default 10000; 0: skip)")
    parser.add_argument("--halfvec", action="store_true", help="also build an hnsw index on embedding::halfvec(dim)")
    arguments = parser.parse_args()
    common.check_common_arguments(parser, arguments, "hnsw")
    return arguments


def main():
    arguments = parse_arguments()
    method = hnsw_method(arguments.ef_search)

    def measure(data_set, sessions):
        results = bench_data_set(data_set, sessions, arguments)
        return results, [common.data_set_section(data_set, results, method, arguments.insert_rows)], None

    all_results, _, sections, meta = common.run_bench(arguments, "hnsw", ["hnsw"], measure)
    header = common.report_header(
        "HNSW benchmark",
        f"index: m = {M}, ef_construction = {EF_CONSTRUCTION}",
        arguments,
        meta["engines"],
        meta["server"],
        f"build, each ef_search, every {common.INSERT_BLOCK_ROWS} inserts",
    )
    panels = {name: common.engine_curves(engines) for name, engines in all_results.items()}
    common.publish(arguments, header, sections, all_results, meta, "ef_search", panels)


if __name__ == "__main__":
    main()
