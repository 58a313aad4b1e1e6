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

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTap;
use HnswTap;

my ($node, $queries) = crash_test_setup('CREATE INDEX t_v_idx ON t USING hnsw (v vector_l2_ops);');

# ------------------------------------------------------------------------
# The workload, and the crash
# ------------------------------------------------------------------------

crash_during_inserts($node);

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

	my $reachable =
	  index_reaches($node, 't', $queries->[0], 'SET hnsw.ef_search = 1000; SET hnsw.iterative_scan = relaxed_order;');
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
inserts_find_themselves($node, 't_v_idx', '');

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
