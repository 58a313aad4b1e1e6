#!/usr/bin/python3
"""IVFFlat index benchmark: our `vector` against the reference pgvector.

For each data set and each engine it measures

  * the build time and size of  CREATE INDEX ... USING ivfflat (...)
    WITH (lists = 316)   (--lists);
  * queries per second and recall@10 of
    SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10   (<=> for cosine)
    for ivfflat.probes 1, 2, 4, ..., 64 (--probes), one client, a prepared
    statement, after a warm-up pass (EXPLAIN checks once per build that the
    index is used);
  * with --insert-rows N, rows per second of N one-row INSERTs into the
    indexed table; with --halfvec, build time and size of an ivfflat index
    on embedding::halfvec(dim).

The data sets, engines, caching, ground truth and report are those of
bench/hnsw.py (bench/common.py).  The report checks the targets of the
IVFFlat work against pgvector 0.8.6: build in at most half its time, an
index no larger, and at least 1.3x its QPS at the same or better recall
for every probes value.

The recall/QPS plot (.png) draws the IVFFlat curves of both engines beside
the HNSW curves of the same data set (dashed): measured in the same run with
--with-hnsw, else read from --hnsw-results, else from the newest
bench/results/hnsw-*.json that has the data set at the same number of rows
and queries.

It connects with the libpq environment (PGHOST, PGPORT, ...); bench/run.sh
starts a scratch cluster with the settings the numbers assume.
"""
import argparse
import glob
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import hnsw  # noqa: E402
from common import cell, comma_list, log, median, ratio, search_median, vector_literal  # noqa: E402

DEFAULT_LISTS = 316  # about sqrt(100,000), pgvector's advice for up to 1M rows
DEFAULT_PROBES = (1, 2, 4, 8, 16, 32, 64)

# The targets of the IVFFlat work, against pgvector (ours/ref)
TARGET_BUILD_TIME = 0.5
TARGET_INDEX_SIZE = 1.0
TARGET_QPS = 1.3


def ivfflat_method(lists, probes):
    return common.IndexMethod("ivfflat", f"lists = {lists}", "probes", tuple(probes))


def bench_data_set(data_set, sessions, arguments):
    """IVFFlat (and with --with-hnsw, HNSW) measurements of one data set.

    Returns ({engine: ivfflat results}, {engine: hnsw results} or None).
    """
    literals = [vector_literal(q) for q in data_set.queries]
    insert_literals = [vector_literal(row) for row in data_set.inserts]
    table_sizes = {session.engine.name: {} for session in sessions}
    common.load_tables(data_set, sessions, table_sizes)
    method = ivfflat_method(arguments.lists, arguments.probes)
    results = common.bench_method(data_set, sessions, arguments, method, literals, insert_literals)
    for name, sizes in table_sizes.items():
        results[name].update(sizes)
    hnsw_results = None
    if arguments.with_hnsw:
        # only the search curve (and build): no halfvec index, no inserts
        hnsw_arguments = argparse.Namespace(runs=arguments.runs, halfvec=False)
        hnsw_method = hnsw.hnsw_method(arguments.ef_search)
        hnsw_results = common.bench_method(data_set, sessions, hnsw_arguments, hnsw_method, literals)
    for session in sessions:
        session.cursor.execute("DROP TABLE items")
    return results, hnsw_results


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


def qps_at_recall(search, wanted):
    """QPS of a recall/QPS curve at a given recall: log QPS interpolated linearly
    in recall between the measured points.  Above the curve's best recall,
    the QPS at that best recall (more than the curve would reach at the
    wanted one: the comparison errs in the curve's favour); below its worst,
    None."""
    points = sorted((median(v["recall"]), median(v["qps"])) for v in search.values() if v["recall"])
    if points and wanted >= points[-1][0]:
        return points[-1][1]
    for (r0, q0), (r1, q1) in zip(points, points[1:]):
        if r0 <= wanted <= r1:
            if r1 == r0:
                return max(q0, q1)
            t = (wanted - r0) / (r1 - r0)
            return math.exp(math.log(q0) + t * (math.log(q1) - math.log(q0)))
    return None


def verdict(met):
    return "-" if met is None else ("met" if met else "**not met**")


def targets_section(results, method):
    """Each target of the IVFFlat work, with the measured ratio and whether it is met."""
    ours, ref = results.get("ours"), results.get("ref")
    if not ours or not ref:
        return "Targets: need both engines."
    build = ratio(median(ours["build_seconds"]), median(ref["build_seconds"]))
    size = ratio(median(ours["index_bytes"]), median(ref["index_bytes"]))
    lines = [
        "Targets against pgvector (medians):",
        "",
        "| target | measured | |",
        "| --- | ---: | --- |",
        f"| build time at most {TARGET_BUILD_TIME}x | {cell(build, '{:.2f}x')} | {verdict(None if build is None else build <= TARGET_BUILD_TIME)} |",
        f"| index size at most {TARGET_INDEX_SIZE}x | {cell(size, '{:.4f}x')} | {verdict(None if size is None else size <= TARGET_INDEX_SIZE)} |",
        "",
        f"QPS at least {TARGET_QPS}x pgvector's at the same or better recall, for every probes: at the same"
        " probes (met when our recall is not lower), and at equal recall (pgvector's QPS at our recall,"
        " interpolated on its curve; above its best recall, its QPS there; - below its worst recall):",
        "",
        "| probes | recall ours - ref | QPS ours/ref, same probes | | QPS ours/ref at equal recall | |",
        "| ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for value in method.values:
        r_ours, r_ref = search_median(ours, value, "recall"), search_median(ref, value, "recall")
        q_ours, q_ref = search_median(ours, value, "qps"), search_median(ref, value, "qps")
        if None in (r_ours, r_ref, q_ours, q_ref):
            continue
        same = q_ours / q_ref
        ref_at_ours = qps_at_recall(ref["search"], r_ours)
        equal = q_ours / ref_at_ours if ref_at_ours else None
        lines.append(
            f"| {value} | {r_ours - r_ref:+.4f} | {same:.2f}x | {verdict(same >= TARGET_QPS and r_ours >= r_ref)}"
            f" | {cell(equal, '{:.2f}x')} | {verdict(None if equal is None else equal >= TARGET_QPS)} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# HNSW curves for the plot
# ---------------------------------------------------------------------------


def matching_hnsw_results(arguments, data_set_meta):
    """{data set: {engine: hnsw results}} from --hnsw-results or the newest matching hnsw-*.json."""
    if arguments.hnsw_results:
        candidates = [arguments.hnsw_results]
    else:
        candidates = sorted(glob.glob(os.path.join(common.RESULTS_DIR, "hnsw-*.json")), reverse=True)
    found = {}
    for path in candidates:
        try:
            with open(path) as source:
                saved = json.load(source)
        except (OSError, ValueError) as error:
            log(f"cannot read {path}: {error}")
            continue
        for name, meta in data_set_meta.items():
            saved_meta = saved.get("meta", {}).get("data_sets", {}).get(name, {})
            same_shape = saved_meta.get("rows") == meta["rows"] and saved_meta.get("queries") == meta["queries"]
            if name not in found and name in saved.get("results", {}) and (same_shape or arguments.hnsw_results):
                found[name] = saved["results"][name]
                log(f"{name}: HNSW curves for the plot from {path}")
    return found


def plot_panels(all_results, hnsw_results):
    panels = {}
    for name, engines in all_results.items():
        curves = common.engine_curves(engines, "ivfflat {engine}")
        if name in hnsw_results:
            curves += common.engine_curves(hnsw_results[name], "hnsw {engine} (labels: ef_search)", "--")
        panels[name] = curves
    return panels


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_arguments(parser, "ivfflat", default_runs=3)
    parser.add_argument("--lists", type=int, default=DEFAULT_LISTS, help=f"lists of the index (default {DEFAULT_LISTS})")
    parser.add_argument(
        "--probes", type=lambda t: comma_list(t, int), default=list(DEFAULT_PROBES), help="comma list (default 1,2,4,...,64)"
    )
    parser.add_argument("--insert-rows", type=int, default=0, help="rows inserted one by one into the index (default 0: skip)")
    parser.add_argument("--halfvec", action="store_true", help="also build an ivfflat index on embedding::halfvec(dim)")
    parser.add_argument("--with-hnsw", action="store_true", help="also build and search an hnsw index, for the plot")
    parser.add_argument(
        "--ef-search",
        type=lambda t: comma_list(t, int),
        default=list(hnsw.DEFAULT_EF_SEARCH),
        help="with --with-hnsw: comma list (default 10,...,320)",
    )
    parser.add_argument("--hnsw-results", help="hnsw bench .json whose curves the plot shows (default: the newest matching)")
    arguments = parser.parse_args()
    common.check_common_arguments(parser, arguments, "ivfflat")
    return arguments


def main():
    arguments = parse_arguments()
    method = ivfflat_method(arguments.lists, arguments.probes)

    def measure(data_set, sessions):
        results, hnsw_results = bench_data_set(data_set, sessions, arguments)
        sections = [common.data_set_section(data_set, results, method, arguments.insert_rows), targets_section(results, method)]
        if hnsw_results:
            section = common.data_set_section(data_set, hnsw_results, hnsw.hnsw_method(arguments.ef_search), 0)
            title = f"## {data_set.spec.name}, hnsw (m = {hnsw.M}, ef_construction = {hnsw.EF_CONSTRUCTION}):"
            sections.append(section.replace(f"## {data_set.spec.name}:", title, 1))
        return results, sections, hnsw_results

    access_methods = ["ivfflat", "hnsw"] if arguments.with_hnsw else ["ivfflat"]
    all_results, hnsw_measured, sections, meta = common.run_bench(arguments, "ivfflat", access_methods, measure)
    inserts = f", every {common.INSERT_BLOCK_ROWS} inserts" if arguments.insert_rows else ""
    header = common.report_header(
        "IVFFlat benchmark", f"index: lists = {arguments.lists}", arguments, meta["engines"], meta["server"], f"build, each probes value{inserts}"
    )
    hnsw_curves = hnsw_measured or matching_hnsw_results(arguments, meta["data_sets"])
    extra_raw = {"hnsw_results": hnsw_measured} if hnsw_measured else None
    common.publish(arguments, header, sections, all_results, meta, "probes", plot_panels(all_results, hnsw_curves), extra_raw)


if __name__ == "__main__":
    main()
