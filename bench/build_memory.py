#!/usr/bin/python3
"""Peak memory of an hnsw index build, beside maintenance_work_mem.

Builds an index on an existing table and samples, every 50 ms, the private
anonymous memory of the backend doing the build (the "Anonymous:" line of
/proc/<pid>/smaps_rollup: malloc'd and palloc'd memory, not the shared
buffers).  Prints the baseline before the build, the peak during it, and
the build's own messages (the graph's size, or the NOTICE of a build that
went on disk).  The server must run on this machine, and this script as a
user who may read the backend's /proc entry (root, or the server's user).

    /usr/bin/python3 bench/build_memory.py --table items --column embedding \
        --opclass vector_l2_ops --maintenance-work-mem 1GB
"""
import argparse
import threading
import time

import psycopg2


def anonymous_kib(pid):
    """The process's private anonymous memory in KiB, None once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Anonymous:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakSampler(threading.Thread):
    """Samples a process's anonymous memory until stopped; keeps the peak."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            value = anonymous_kib(self.pid)
            if value is None:
                return
            self.peak = max(self.peak, value)
            time.sleep(self.interval)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="", help="libpq connection string (default: PG* variables)")
    parser.add_argument("--table", required=True)
    parser.add_argument("--column", required=True)
    parser.add_argument("--opclass", default="vector_l2_ops")
    parser.add_argument("--with", dest="options", default="m = 16, ef_construction = 64")
    parser.add_argument("--maintenance-work-mem", default="1GB")
    arguments = parser.parse_args()

    connection = psycopg2.connect(arguments.dsn)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    cursor.execute("DROP INDEX IF EXISTS build_memory_idx")
    cursor.execute("SET maintenance_work_mem = %s", (arguments.maintenance_work_mem,))
    cursor.execute("SET client_min_messages = debug1")

    baseline = anonymous_kib(pid)
    sampler = PeakSampler(pid)
    sampler.start()
    started = time.perf_counter()
    cursor.execute(
        f"CREATE INDEX build_memory_idx ON {arguments.table} USING hnsw "
        f"({arguments.column} {arguments.opclass}) WITH ({arguments.options})")
    elapsed = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    cursor.execute("DROP INDEX build_memory_idx")

    print(f"maintenance_work_mem {arguments.maintenance_work_mem}: build {elapsed:.1f} s")
    print(f"backend anonymous memory: {baseline / 1024:.1f} MiB before, "
          f"{sampler.peak / 1024:.1f} MiB peak, {(sampler.peak - baseline) / 1024:.1f} MiB for the build")
    for notice in connection.notices:
        if "hnsw" in notice:
            print(notice.strip())


if __name__ == "__main__":
    main()
