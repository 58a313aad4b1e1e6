#!/usr/bin/env bash
# test/pgvector/run_hnsw_suite.sh PGVECTOR_GIT_DIR [TAG] [METHOD]
#
# Runs pgvector's own public regression files of an index access method
# (test/sql/METHOD_*.sql of the given tag; default v0.8.6 and hnsw, or
# ivfflat) against our extension and compares the output with pgvector's
# expected files, ignoring what may differ by design: error and notice
# wording (only that an ERROR or a NOTICE happened is compared) and the
# DETAIL/HINT lines we add.  pgvector's files are read from its repository
# at run time; none of them is copied into this one.
#
# Needs a server with our extension installed: PGHOST/PGPORT/PGUSER as for
# psql.  Each file runs in a fresh database.  Exit status 0 when all match.
set -euo pipefail
source_dir="${1:?usage: run_hnsw_suite.sh PGVECTOR_GIT_DIR [TAG] [METHOD]}"
tag="${2:-v0.8.6}"
method="${3:-hnsw}"
work="$(mktemp -d /tmp/pgvector-$method-suite.XXXXXX)"
trap 'rm -rf "$work"' EXIT
status=0

# Keep statements, result rows and the fact of an error; drop wording.
normalize() {
	sed -E -e 's/^psql:[^:]+:[0-9]+: //' -e 's/^ERROR:.*/ERROR/' -e 's/^NOTICE:.*/NOTICE/' \
		-e '/^(DETAIL|HINT):/d'
}

for name in $(git --git-dir="$source_dir" ls-tree --name-only "$tag:test/sql" | grep "^${method}_.*\.sql\$"); do
	topic="${name%.sql}"
	git --git-dir="$source_dir" show "$tag:test/sql/$name" >"$work/$name"
	git --git-dir="$source_dir" show "$tag:test/expected/$topic.out" | normalize >"$work/$topic.expected"
	database="pgvector_suite_$topic"
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
	psql -X -q -d "$database" -c "CREATE EXTENSION vector"
	psql -X -a -q -d "$database" -f "$work/$name" 2>&1 | normalize >"$work/$topic.out"
	psql -X -q -d postgres -c "DROP DATABASE $database"
	if diff -u "$work/$topic.expected" "$work/$topic.out"; then
		echo "ok   $topic"
	else
		echo "FAIL $topic"
		status=1
	fi
done
exit "$status"
