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

done_testing();
