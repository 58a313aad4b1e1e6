# test/t/002_hnsw_crash.pl
#
# Crash recovery of hnsw indexes: four pgbench clients insert rows into a
# table with an hnsw index (and a CHECKPOINT happens meanwhile) when the
# server is stopped in immediate mode.  Crash recovery (which checks the
# page image of every generic WAL record: wal_consistency_checking) must
# leave an index that
#	- is sound page by page (links to elements only, every row in it);
#	- finds the same nearest neighbours as a sequential scan (recall@10 at
#	  hnsw.ef_search = 400);
#	- reaches every row of the table (an iterative scan without LIMIT);
#	- takes inserts, VACUUM and REINDEX afterwards.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
wal_consistency_checking = 'generic'
wal_compression = on
max_wal_size = '1GB'
autovacuum = off
});
$node->start;

# 3,000 rows of 16-d vectors around 20 centres in [-1, 1]; the queries
# near the same centres.  Inserts come from the table of centres too.
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION vector;
SELECT setseed(0.31);
CREATE TABLE centres AS
	SELECT c, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 16) WHERE c >= 0) AS centre
	FROM generate_series(0, 19) c;
CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c int, v vector(16));
INSERT INTO t (c, v) SELECT c, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x)
	FROM generate_series(1, 3000) i JOIN centres ON c = i % 20;
CREATE TABLE q AS
	SELECT i AS id, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x)::vector(16) AS v
	FROM generate_series(1, 20) i JOIN centres ON c = (i * 7) % 20;
CREATE INDEX t_v_idx ON t USING hnsw (v vector_l2_ops);
});
my $queries = orderbys($node, 'SELECT v FROM q ORDER BY id', 'v', '<->');

# ------------------------------------------------------------------------
# The workload, and the crash
# ------------------------------------------------------------------------

my $script = $node->basedir . '/insert.sql';
append_to_file(
	$script, q{
\set c random(0, 19)
INSERT INTO t (c, v) SELECT c, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x) FROM centres WHERE c = :c;
});
my ($pgbench_out, $pgbench_err) = ('', '');
my $pgbench = IPC::Run::start(
	[
		'pgbench', '-n', '-c', '4', '-j', '4', '-T', '120',
		'-f', $script, '-h', $node->host, '-p', $node->port, 'postgres'
	],
	'>', \$pgbench_out, '2>', \$pgbench_err);

# Wait until t has $rows rows; die at once if pgbench stopped (an insert
# failed) or after the framework's timeout
sub wait_for_rows
{
	my ($rows) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while ($node->safe_psql('postgres', 'SELECT count(*) FROM t') < $rows)
	{
		$pgbench->pump_nb if $pgbench->pumpable;
		die "pgbench stopped before t had $rows rows: $pgbench_err" unless $pgbench->pumpable;
		die "t did not get $rows rows in time: $pgbench_err" if time() > $deadline;
		select(undef, undef, undef, 0.1);
	}
	return;
}

wait_for_rows(3600);
$node->safe_psql('postgres', 'CHECKPOINT');
wait_for_rows(4400);
my $rows_before = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
$node->stop('immediate');
$pgbench->finish;
note "pgbench: $pgbench_err";
isnt($pgbench->result, 0, 'pgbench lost its connections: the server crashed under it');

$node->start;
my $rows = $node->safe_psql('postgres',
	'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM t');
cmp_ok($rows, '>=', $rows_before, "all $rows_before rows counted before the crash survived it ($rows)");
unlike(slurp_file($node->logfile), qr/inconsistent page found/, 'crash recovery found every page as logged');

# ------------------------------------------------------------------------
# The index after the crash
# ------------------------------------------------------------------------

# Checks of the index on t ("$what: ..."): its pages, recall at
# ef_search 400 against a sequential scan, and an iterative scan without
# LIMIT that must return every row of the table.
sub check_t
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	my ($problems, $stats) = check_index($node, 't_v_idx', 't WHERE v IS NOT NULL');
	is_deeply($problems, [], "$what: index pages sound");
	note "$what: " . join(', ', map { "$_ $stats->{$_}" } sort keys %$stats);

	my $exact = knn($node, 't', $queries, exact => 1);
	my $found = knn($node, 't', $queries, settings => 'SET hnsw.ef_search = 400;');
	my $recall = recall($found, $exact);
	cmp_ok($recall, '>=', 0.95, "$what: recall\@10 at ef_search 400 ($recall)");
	my $same = exact_matches($found, $exact);
	cmp_ok($same, '>=', 15, "$what: $same of 20 queries found their exact top 10");

	my $reachable = $node->safe_psql(
		'postgres', qq{
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET hnsw.ef_search = 1000;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM t ORDER BY $queries->[0]) s;
});
	my $rows = $node->safe_psql('postgres',
		'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM t');
	is($reachable, "$rows|$rows", "$what: an iterative scan reaches all $rows rows");
	return;
}

like(
	$node->safe_psql('postgres',
		"SET enable_seqscan = off; SET enable_bitmapscan = off; SET hnsw.iterative_scan = relaxed_order;
		 EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY $queries->[0]"),
	qr/Index Scan using t_v_idx/,
	'the query without LIMIT scans the index');

check_t('after the crash');

# inserts after recovery: each new row its own nearest neighbour
$node->safe_psql(
	'postgres', q{
SELECT setseed(0.62);
INSERT INTO t (c, v) SELECT c, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x)
	FROM generate_series(1, 200) i JOIN centres ON c = i % 20;
});
my $own_nearest = q{
SELECT count(*) FROM (SELECT id, v FROM t ORDER BY id DESC LIMIT 200) n
WHERE (SELECT m.id FROM t m ORDER BY m.v <-> n.v LIMIT 1) <> n.id;
};
like($node->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $own_nearest"),
	qr/Index Scan using t_v_idx on t m/, 'each new row is searched for through the index');
is($node->safe_psql('postgres', "SET enable_seqscan = off; $own_nearest"),
	'0', 'rows inserted after recovery are their own nearest neighbours');

# delete a quarter, VACUUM: deleted rows never come back
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 4 = 0; VACUUM t');
my $after_vacuum = knn($node, 't', $queries, settings => 'SET hnsw.ef_search = 400;');
is(scalar(grep { grep { $_ % 4 == 0 } split /,/ } @$after_vacuum),
	0, 'no deleted row is returned after VACUUM');
check_t('after DELETE and VACUUM');

# REINDEX: the rebuilt index is as good
$node->safe_psql('postgres', 'REINDEX INDEX t_v_idx');
check_t('after REINDEX');

done_testing();
