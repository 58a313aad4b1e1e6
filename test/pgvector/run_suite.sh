#!/usr/bin/env bash
# test/pgvector/run_suite.sh hnsw|ivfflat|all PGVECTOR_GIT_DIR [TAG]
#
# Runs pgvector's own public regression files for an index access method
# (test/sql/hnsw_*.sql, test/sql/ivfflat_*.sql, or both with "all", of the
# given tag, default v0.8.6) against our extension and compares the output
# with pgvector's expected files, ignoring what may differ by design: the
# wording of errors, warnings and notices (only that an ERROR, WARNING or
# NOTICE came, and where, is compared) and the DETAIL/HINT lines we add.
# pgvector's files are read from its repository at run time; none of them
# is copied into this one.
#
# Needs a server with our extension installed: PGHOST/PGPORT/PGUSER as for
# psql.  Each file runs in a fresh database.  Exit status 0 when all match.
set -euo pipefail
usage="usage: run_suite.sh hnsw|ivfflat|all PGVECTOR_GIT_DIR [TAG]"
case "${1:-}" in
	hnsw | ivfflat) pattern="^$1_.*\\.sql\$" ;;
	all) pattern='^(hnsw|ivfflat)_.*\.sql$' ;;
	*)
		echo "$usage" >&2
		exit 2
		;;
esac
source_dir="${2:?$usage}"
tag="${3:-v0.8.6}"
work="$(mktemp -d /tmp/pgvector-suite.XXXXXX)"
trap 'rm -rf "$work"' EXIT
status=0

# Keep statements, result rows and the fact of an error, warning or
# notice; drop wording.
normalize() {
	sed -E -e 's/^psql:[^:]+:[0-9]+: //' -e 's/^(ERROR|WARNING|NOTICE):.*/\1/' \
		-e '/^(DETAIL|HINT):/d'
}

names="$(git --git-dir="$source_dir" ls-tree --name-only "$tag:test/sql" | grep -E "$pattern")" ||
	{ echo "no files matching $pattern in $tag:test/sql of $source_dir" >&2; exit 2; }
for name in $names; do
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
