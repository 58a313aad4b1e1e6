"""HNSW after VACUUM: recall of an index that lost a fifth of its rows.

For each engine (ours, and pgvector as pgvector_ref when installed): build
the index on the data set, delete every fifth row, VACUUM (timed), sweep
hnsw.ef_search for recall@10 and queries/s against the exact answer over
the remaining rows; then build a fresh index on those same rows and sweep
again; finally put the deleted rows back through the vacuumed index (one
INSERT each) and report how much it grew, which shows whether the freed
space was reused.  Engines alternate for every step.

  bench/run.sh hnsw_vacuum --dataset l2-128
"""
import argparse
import time

import numpy as np

import common
from common import log

METHOD = common.IndexMethod("hnsw", "m = 16, ef_construction = 64", "ef_search", (10, 20, 40, 80, 160, 320))


def sweep(session, literals, truth):
    found = {}
    session.check_index_used(literals[0])
    session.prewarm()
    for value in METHOD.values:
        session.set_search_parameter(METHOD, value)
        session.run_queries(literals[: common.WARM_UP_QUERIES])
        returned, seconds, _ = session.run_queries(literals)
        found[value] = (common.recall(returned, truth), len(literals) / seconds)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(parser, "hnsw_vacuum", default_runs=1)
    arguments = parser.parse_args()
    common.check_common_arguments(parser, arguments, "hnsw_vacuum")
    specs = common.selected_specs(arguments)

    lines = ["# HNSW after deleting a fifth of the rows and VACUUM", ""]
    for spec in specs:
        data_set = common.load_data_set(spec, arguments.rows, arguments.queries, 0)
        ids = np.arange(1, len(data_set.table) + 1)
        kept = ids[ids % 5 != 0]
        positions, _ = common.exact_neighbours(data_set.table[kept - 1], data_set.queries, spec.metric,
                                               common.TOP_K)
        truth = kept[positions - 1]
        literals = [common.vector_literal(q) for q in data_set.queries]
        deleted_literals = [(int(i), common.vector_literal(data_set.table[i - 1])) for i in ids[ids % 5 == 0]]

        sessions = common.open_sessions(arguments.engines, "hnsw_vacuum", ["hnsw"])
        report = {}
        for session in sessions:
            session.load(data_set)
        for session in sessions:
            seconds, size, _ = session.build(METHOD)
            report[session.engine.name] = {"build": seconds, "size": size}
            log(f"{spec.name} {session.engine.name}: build {seconds:.1f} s")
        for session in sessions:
            session.cursor.execute("DELETE FROM items WHERE id % 5 = 0")
            started = time.perf_counter()
            session.cursor.execute("VACUUM items")
            report[session.engine.name]["vacuum"] = time.perf_counter() - started
            log(f"{spec.name} {session.engine.name}: VACUUM {report[session.engine.name]['vacuum']:.1f} s")
        for session in sessions:
            report[session.engine.name]["vacuumed"] = sweep(session, literals, truth)
        for session in sessions:
            before = report[session.engine.name]["size"]
            for row_id, literal in deleted_literals:
                session.cursor.execute("EXECUTE insert_row(%s, %s)", (row_id, literal))
            session.cursor.execute("SELECT pg_relation_size(%s::regclass)", (session.INDEX,))
            report[session.engine.name]["regrown"] = session.cursor.fetchone()[0] / before
            session.cursor.execute("DELETE FROM items WHERE id % 5 = 0")
            session.cursor.execute("VACUUM items")
        for session in sessions:
            session.cursor.execute(f"DROP INDEX {session.INDEX}")
            session.build(METHOD)
            report[session.engine.name]["fresh"] = sweep(session, literals, truth)
        for session in sessions:
            session.close()

        lines += [f"## {spec.name}, {arguments.rows:,} rows, every fifth deleted", ""]
        for name, entry in report.items():
            lines += [
                f"{name}: build {entry['build']:.1f} s, VACUUM {entry['vacuum']:.1f} s; putting the "
                f"{len(deleted_literals):,} rows back grew the vacuumed index to {entry['regrown']:.3f}x its built size",
                "",
                "| ef_search | recall after VACUUM | fresh build | difference (points) | QPS after VACUUM | QPS fresh |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for value in METHOD.values:
                (vacuumed, vacuumed_qps), (fresh, fresh_qps) = entry["vacuumed"][value], entry["fresh"][value]
                lines.append(f"| {value} | {vacuumed:.4f} | {fresh:.4f} | {100 * (vacuumed - fresh):+.2f} |"
                             f" {vacuumed_qps:,.0f} | {fresh_qps:,.0f} |")
            lines.append("")
    text = "\n".join(lines)
    print(text)
    with open(arguments.output, "w") as output:
        output.write(text + "\n")


if __name__ == "__main__":
    main()
