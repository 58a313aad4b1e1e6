# test/t/006_ivfflat_crash.pl
#
# Crash recovery of ivfflat indexes: four pgbench clients insert rows into a
# table with an ivfflat index (and a CHECKPOINT happens meanwhile) when the
# server is stopped in immediate mode.  Crash recovery (which checks the
# page image of every generic WAL record: wal_consistency_checking) must
# leave an index that
#	- finds, with ivfflat.probes = lists, exactly what a sequential scan
#	  finds;
#	- returns every row of the table once (a scan of every list without
#	  LIMIT);
#	- takes inserts, VACUUM and REINDEX afterwards, and stays exact.
# Then builds that write past shared buffers while checkpoints run back to
# back, and a crash right after the last: the rebuilt index must be whole.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTap;

my $lists = 30;
my $all_lists = "SET ivfflat.probes = $lists;";

my ($node, $queries) =
  crash_test_setup("CREATE INDEX t_v_idx ON t USING ivfflat (v vector_l2_ops) WITH (lists = $lists);");

# the workload, the crash, recovery
crash_during_inserts($node);

# Checks of the index on t ("$what: ..."): at probes = lists the sequential
# scan's answer, and a scan without LIMIT that returns every row once; at 5
# probes, a recall floor (the lists hold the rows they should)
sub check_t
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	like($node->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY $queries->[0] LIMIT 10"),
		qr/Index Scan using t_v_idx/, "$what: the query scans the index");
	my $exact = knn($node, 't', $queries, exact => 1);
	is_deeply(knn($node, 't', $queries, settings => $all_lists), $exact,
		"$what: with probes = lists, the sequential scan's nearest neighbours");
	my $recall = recall(knn($node, 't', $queries, settings => 'SET ivfflat.probes = 5;'), $exact);
	cmp_ok($recall, '>=', 0.8, "$what: recall\@10 at 5 probes of $lists ($recall)");

	my $count = $node->safe_psql('postgres',
		'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM t');
	is(index_reaches($node, 't', $queries->[0], $all_lists), "$count|$count",
		"$what: a scan of every list returns all $count rows once");
	return;
}

check_t('after the crash');

# inserts after recovery: each new row its own nearest neighbour, in the
# first list probed
inserts_find_themselves($node, 't_v_idx', 'SET ivfflat.probes = 1;');

# delete a quarter, VACUUM: deleted rows never come back
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 4 = 0; VACUUM t');
my $after_vacuum = knn($node, 't', $queries, settings => $all_lists);
is(scalar(grep { grep { $_ % 4 == 0 } split /,/ } @$after_vacuum), 0, 'no deleted row is returned after VACUUM');
check_t('after DELETE and VACUUM');

# REINDEX: the rebuilt index is as good
$node->safe_psql('postgres', 'REINDEX INDEX t_v_idx');
check_t('after REINDEX');

# Builds whose pages bypass shared buffers (every row fits in
# maintenance_work_mem) while checkpoints run back to back, then a crash
# right after the last one: the index must come back whole, whether its
# build saw a checkpoint begin while it wrote (it then syncs its file
# itself) or not (the next checkpoint syncs it).  20,000 rows of 128
# dimensions: about 11 MB of pages to write, long enough for some builds to
# see a checkpoint begin.  wal_level = replica: under the framework's
# minimal, a new index is not WAL-logged (commit syncs it).
$node->append_conf('postgresql.conf', 'wal_level = replica');
$node->restart;
$node->safe_psql('postgres', q{
SELECT setseed(0.83);
CREATE TABLE big (id int PRIMARY KEY, v vector(128));
INSERT INTO big SELECT i, ARRAY(SELECT random() FROM generate_series(1, 128) WHERE i > 0)
	FROM generate_series(1, 20000) i;
});
my $big_queries = orderbys($node, 'SELECT v FROM big WHERE id % 2000 = 1 ORDER BY id', 'v', '<->');
my $checkpoints = start_pgbench($node, 'checkpoint.sql', "CHECKPOINT;\n", '-c', '1', '-T', '120');
my $synced = 0;
for my $round (1 .. 4)
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET client_min_messages = debug1; DROP INDEX IF EXISTS big_v_idx;"
		  . " CREATE INDEX big_v_idx ON big USING ivfflat (v vector_l2_ops) WITH (lists = 50);");
	is($ret, 0, "build $round while checkpoints run");
	$synced++ if $err =~ /a checkpoint began during the build/;
}
note "$synced of 4 builds saw a checkpoint begin and synced their file";
$node->stop('immediate');
$checkpoints->{handle}->finish;
$node->start;
sub check_big
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is_deeply(knn($node, 'big', $big_queries, settings => 'SET enable_seqscan = off; SET ivfflat.probes = 50;'),
		knn($node, 'big', $big_queries, exact => 1),
		"$what: with probes = lists, the sequential scan's answers");
	is(index_reaches($node, 'big', $big_queries->[0], 'SET ivfflat.probes = 50;'), '20000|20000',
		"$what: a scan of every list returns all 20000 rows once");
	return;
}
check_big('built while checkpoints ran, after a crash');

# the same without a checkpoint during the build: its file is left for the
# next checkpoint to sync, and recovery replays its pages from the WAL
$node->safe_psql('postgres',
	'DROP INDEX big_v_idx; CREATE INDEX big_v_idx ON big USING ivfflat (v vector_l2_ops) WITH (lists = 50);');
$node->stop('immediate');
$node->start;
check_big('built, then a crash');

done_testing();
