# test/t/001_hnsw_wal.pl
#
# hnsw indexes under WAL: a primary with a streaming standby that checks the
# page images of every generic WAL record it replays
# (wal_consistency_checking = 'generic' on the primary: the standby FATALs
# on the first page whose replay differs from the primary's image).  After
# each kind of change (CREATE INDEX, which WAL-logs the whole index at the
# end; INSERT and VACUUM, which go through GenericXLog; a build that
# outgrows maintenance_work_mem and goes on inserting on disk) the standby
# must be alive, caught up, and give the same nearest neighbours as the
# primary, through the index on both.  Then unlogged tables: empty but
# usable after a crash of the primary and on the promoted standby.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTap;
use HnswTap;

my ($primary, $standby) = streaming_pair(wal_checking_conf());

is($primary->safe_psql('postgres', 'SHOW wal_consistency_checking'),
	'generic', 'the primary asks for generic WAL records to be checked');

# compare_nodes (VectorTap) on this primary and standby; check: the rows the
# index must hold ("table WHERE ..."), for check_index on the standby
sub compare
{
	my ($what, $table, $index, $orderbys, %opt) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	if (defined(my $heap = $opt{check}))
	{
		$opt{check} = sub { (check_index($_[0], $index, $heap))[0] };
	}
	return compare_nodes($primary, $standby, $what, $table, $index, $orderbys, %opt);
}

$primary->safe_psql('postgres', 'CREATE EXTENSION vector; CREATE EXTENSION pageinspect');

# ------------------------------------------------------------------------
# vector, l2: build, insert, delete + vacuum
# ------------------------------------------------------------------------

# random() - 0.5: centred on zero, so that binary_quantize below has both signs
$primary->safe_psql(
	'postgres', q{
SELECT setseed(0.25);
CREATE TABLE t (id int PRIMARY KEY, v vector(16));
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(1, 3000) i;
CREATE TABLE q (id int PRIMARY KEY, v vector(16));
INSERT INTO q SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(1, 20) i;
CREATE INDEX t_v_idx ON t USING hnsw (v vector_l2_ops);
});
my $queries = orderbys($primary, 'SELECT v FROM q ORDER BY id', 'v', '<->', '');
is(scalar(@$queries), 20, '20 query vectors');

compare('vector build', 't', 't_v_idx', $queries, min_recall => 0.85);

my $insert_start = $primary->lsn('insert');
$primary->safe_psql(
	'postgres', q{
SELECT setseed(0.5);
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(3001, 3400) i;
});
compare('vector insert', 't', 't_v_idx', $queries, min_recall => 0.85);

# The inserts' generic records carry the page images the standby checks
my ($generic_blocks, $checked_blocks) = generic_wal_blocks($primary, $insert_start);
cmp_ok($generic_blocks, '>', 1000, "the inserts wrote generic WAL records ($generic_blocks blocks)");
is($checked_blocks, $generic_blocks, 'every block of every generic record comes with its page image');

$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 5 = 0; VACUUM t');
my $after_vacuum = compare('vector delete + vacuum', 't', 't_v_idx', $queries,
	min_recall => 0.8, check => 't');
is(scalar(grep { /(^|,)\d*[05](,|$)/ } @$after_vacuum), 0, 'no deleted row is returned after VACUUM');

# inserts after vacuum (elements marked deleted stay in the graph)
$primary->safe_psql(
	'postgres', q{
SELECT setseed(0.75);
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(3401, 3600) i;
});
compare('vector insert after vacuum', 't', 't_v_idx', $queries, min_recall => 0.8);

# ------------------------------------------------------------------------
# A build that outgrows maintenance_work_mem: part in memory, written
# without WAL, the rest inserted on disk through GenericXLog, then the whole
# index WAL-logged
# ------------------------------------------------------------------------

# 1,000 rows of 256 dimensions: about 770 fit into 1MB
my ($ret, $stdout, $stderr) = $primary->psql(
	'postgres', q{
SELECT setseed(0.3);
CREATE TABLE tw (id int PRIMARY KEY, v vector(256));
INSERT INTO tw SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 256) WHERE i > 0)
	FROM generate_series(1, 1000) i;
SET maintenance_work_mem = '1MB';
CREATE INDEX tw_v_idx ON tw USING hnsw (v vector_cosine_ops);
});
is($ret, 0, 'index build in 1MB of maintenance_work_mem');
like($stderr, qr/hnsw graph no longer fits into maintenance_work_mem after \d+ tuples/,
	'the build went on on disk');
# the rows' own vectors, from both parts: each is its own nearest neighbour
my $tw_queries = orderbys($primary, 'SELECT v FROM tw WHERE id % 50 = 1 ORDER BY id', 'v', '<=>', '');
my $tw_found = compare('vector cosine, build spilled to disk', 'tw', 'tw_v_idx', $tw_queries,
	min_recall => 0.7);
is_deeply([ map { (split /,/)[0] } @$tw_found ], [ map { 50 * $_ + 1 } 0 .. 19 ],
	'each row of the spilled build is its own nearest neighbour');

# ------------------------------------------------------------------------
# halfvec (expression), bit (binary_quantize), sparsevec: build + insert
# ------------------------------------------------------------------------

# Each sparse row: 12 dimensions of 1000 that all rows share, values around
# one of 20 centres (i % 20), and 3 more anywhere with small values.  (Rows
# whose dimensions are disjoint from cluster to cluster would make a graph
# that an hnsw search cannot cross: every other cluster is equally far.)
my $kinds_rows = sub {
	my ($from, $to) = @_;
	return qq{
INSERT INTO tk SELECT i, v,
	(SELECT ('{' || string_agg(k || ':' || round(x::numeric, 3), ',') || '}/1000')
	 FROM (SELECT k, sum(x) AS x FROM (
		SELECT 80 * j + 1 AS k, 2 + sin(i % 20 + j) + random() - 0.5 AS x FROM generate_series(0, 11) j WHERE i > 0
		UNION ALL
		SELECT 1 + floor(random() * 1000)::int, 0.1 + random() * 0.2 FROM generate_series(1, 3) WHERE i > 0) e
	 GROUP BY k) g)::sparsevec(1000)
FROM (SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 32) WHERE i > 0)::vector(32) AS v
	  FROM generate_series($from, $to) i) rows;
};
};
$primary->safe_psql(
	'postgres', qq{
SELECT setseed(0.125);
CREATE TABLE tk (id int PRIMARY KEY, v vector(32), s sparsevec(1000));
@{[ $kinds_rows->(1, 1500) ]}
CREATE TABLE qk (id int PRIMARY KEY, v vector(32), s sparsevec(1000));
INSERT INTO qk SELECT * FROM tk WHERE id <= 20;
UPDATE qk SET v = ARRAY(SELECT random() - 0.5 FROM generate_series(1, 32) WHERE id > 0);
CREATE INDEX tk_half_idx ON tk USING hnsw ((v::halfvec(32)) halfvec_l2_ops);
CREATE INDEX tk_bit_idx ON tk USING hnsw ((binary_quantize(v)::bit(32)) bit_hamming_ops);
CREATE INDEX tk_sparse_idx ON tk USING hnsw (s sparsevec_l2_ops);
});
my %kinds = (
	halfvec => [
		'tk_half_idx',
		orderbys($primary, 'SELECT v::halfvec(32) FROM qk ORDER BY id', 'v::halfvec(32)', '<->', '::halfvec(32)')
	],
	bit => [
		'tk_bit_idx',
		orderbys($primary, 'SELECT binary_quantize(v)::bit(32) FROM qk ORDER BY id',
			'binary_quantize(v)::bit(32)', '<~>', '::bit(32)')
	],
	sparsevec => [
		'tk_sparse_idx',
		orderbys($primary, 'SELECT s FROM qk ORDER BY id', 's', '<->', '::sparsevec(1000)')
	]);
for my $kind (sort keys %kinds)
{
	compare("$kind build", 'tk', @{ $kinds{$kind} });
}
$primary->safe_psql('postgres', "SELECT setseed(0.625);\n" . $kinds_rows->(1501, 1650));
for my $kind (sort keys %kinds)
{
	compare("$kind insert", 'tk', @{ $kinds{$kind} }, check => 'tk');
}

# ------------------------------------------------------------------------
# Unlogged: after a crash of the primary, the table and its index are empty
# (the index's init fork, a bare metapage, replaces it) and usable
# ------------------------------------------------------------------------

my $unlogged_rows = sub {
	my ($from, $to) = @_;
	return "INSERT INTO u SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0) FROM generate_series($from, $to) i;";
};
$primary->safe_psql(
	'postgres', qq{
SELECT setseed(0.375);
CREATE UNLOGGED TABLE u (id int, v vector(16));
@{[ $unlogged_rows->(1, 500) ]}
CREATE INDEX u_v_idx ON u USING hnsw (v vector_l2_ops);
@{[ $unlogged_rows->(501, 700) ]}
});
my $u_queries = [ @$queries[ 0 .. 4 ] ];
my $u_before = knn($primary, 'u', $u_queries);
is(scalar(grep { scalar(split /,/) == 10 } @$u_before), 5, 'unlogged index answers before the crash');
is_deeply($u_before, knn($primary, 'u', $u_queries, exact => 1), 'and exactly, on 700 rows');
wait_for_standby($primary, $standby, 'before the crash of the primary');

$primary->stop('immediate');
$primary->start;

# Checks that u (the unlogged table) on node is empty, that its index is
# used and returns nothing, then that rows inserted afterwards are found.
sub check_unlogged_reset
{
	my ($node, $what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	is($node->safe_psql('postgres', 'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM u'),
		'0', "$what: unlogged table empty");
	like(
		$node->safe_psql('postgres',
			"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM u ORDER BY $u_queries->[0] LIMIT 10"),
		qr/Index Scan using u_v_idx /,
		"$what: unlogged table scanned through its index");
	is_deeply(knn($node, 'u', $u_queries), [ ('') x 5 ], "$what: the empty index returns no rows");
	$node->safe_psql('postgres', "SELECT setseed(0.875);\n" . $unlogged_rows->(1001, 1300));
	my $found = knn($node, 'u', $u_queries);
	is_deeply($found, knn($node, 'u', $u_queries, exact => 1), "$what: rows inserted afterwards found exactly");
	is(scalar(grep { scalar(split /,/) == 10 } @$found), 5, "$what: 10 rows each");
	return;
}

check_unlogged_reset($primary, 'after a crash of the primary');

# The logged indexes came through crash recovery; the standby reconnected
compare('vector after a crash of the primary', 't', 't_v_idx', $queries, min_recall => 0.8);
compare('sparsevec after a crash of the primary', 'tk', @{ $kinds{sparsevec} });

# ------------------------------------------------------------------------
# The promoted standby: unlogged index reset, logged indexes writable
# ------------------------------------------------------------------------

$primary->safe_psql('postgres', 'SELECT setseed(0.9375); ' . $kinds_rows->(2001, 2060));
compare('bit insert before promotion', 'tk', @{ $kinds{bit} });
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'the standby did not leave recovery';

check_unlogged_reset($standby, 'promoted standby');

# inserts into the replicated indexes, each new row its own nearest neighbour
$standby->safe_psql(
	'postgres', qq{
SELECT setseed(0.0625);
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(5001, 5060) i;
@{[ $kinds_rows->(3001, 3060) ]}
});
for my $check (
	[ 't',  't_v_idx',       '%s.v',                           '<->', 5001, 5060 ],
	[ 'tk', 'tk_half_idx',   '%s.v::halfvec(32)',              '<->', 3001, 3060 ],
	[ 'tk', 'tk_bit_idx',    'binary_quantize(%s.v)::bit(32)', '<~>', 3001, 3060 ],
	[ 'tk', 'tk_sparse_idx', '%s.s',                           '<->', 3001, 3060 ])
{
	my ($table, $index, $expression, $op, $from, $to) = @$check;
	my ($m, $n) = (sprintf($expression, 'm'), sprintf($expression, 'n'));
	my $sql = qq{
SELECT count(*) FROM $table n
WHERE n.id BETWEEN $from AND $to
	AND (SELECT $m $op $n FROM $table m ORDER BY $m $op $n LIMIT 1) IS DISTINCT FROM 0;
};
	like($standby->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $sql"),
		qr/Index Scan using $index on $table m/, "promoted standby: $index searched for each new row");
	is($standby->safe_psql('postgres', "SET enable_seqscan = off; SET hnsw.ef_search = 100; $sql"),
		'0', "promoted standby: rows inserted into $table found at distance 0 through $index");
}
for my $check ([ 't_v_idx', 't' ], [ 'tk_sparse_idx', 'tk' ])
{
	my ($problems, $stats) = check_index($standby, @$check);
	is_deeply($problems, [], "promoted standby: $check->[0] pages sound, every row in it");
}

done_testing();
