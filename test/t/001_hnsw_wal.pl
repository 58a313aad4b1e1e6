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

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', q{
wal_consistency_checking = 'generic'
# every generic record carries a full-page image for the check: keep it small
wal_compression = on
max_wal_size = '1GB'
autovacuum = off
});
$primary->start;
$primary->backup('backup');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

is($primary->safe_psql('postgres', 'SHOW wal_consistency_checking'),
	'generic', 'the primary asks for generic WAL records to be checked');

# Wait until the standby has replayed everything the primary wrote, failing
# at once (not after the framework's timeout) if replay hit an inconsistent
# page or the standby went down.
sub wait_for_standby
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $target = $primary->lsn('write');
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (1)
	{
		my $log = slurp_file($standby->logfile);
		if ($log =~ /(inconsistent page found[^\n]*)/)
		{
			fail("$what: standby replay consistent");
			die "standby: $1";
		}
		if ($log =~ /(startup process[^\n]*(?:exited|terminated)[^\n]*)/)
		{
			fail("$what: standby alive");
			die "standby: $1";
		}
		my $caught_up = $primary->safe_psql('postgres',
			"SELECT coalesce(bool_and('$target' <= replay_lsn AND state = 'streaming'), false) FROM pg_stat_replication WHERE application_name = 'standby'");
		last if $caught_up eq 't';
		if (time() > $deadline)
		{
			fail("$what: standby caught up");
			die "standby did not catch up to $target";
		}
		select(undef, undef, undef, 0.1);
	}
	ok(1, "$what: standby replayed up to $target");
	return;
}

# The same nearest neighbours through the index on primary and standby, a
# plan that really uses the index on both, at least min_rows rows a query,
# and, when asked, a recall floor against the exact answer on the primary
# (min_recall) and sound index pages on the standby (check: the rows the
# index must hold, as "table WHERE ..."; the primary's pages are the same,
# as far as wal_consistency_checking can tell).
sub compare_nodes
{
	my ($what, $table, $index, $orderbys, %opt) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	wait_for_standby($what);
	for my $node ($primary, $standby)
	{
		my $plan = $node->safe_psql('postgres',
			"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY $orderbys->[0] LIMIT 10");
		like($plan, qr/Index Scan using $index /, "$what: " . $node->name . " scans $index");
	}
	my $on_primary = knn($primary, $table, $orderbys);
	my $on_standby = knn($standby, $table, $orderbys);
	is_deeply($on_standby, $on_primary, "$what: standby gives the primary's nearest neighbours");

	my $short = grep { scalar(split /,/) < ($opt{min_rows} // 10) } @$on_primary;
	is($short, 0, "$what: every query found enough rows");
	if (defined $opt{min_recall})
	{
		my $r = recall($on_primary, knn($primary, $table, $orderbys, exact => 1));
		cmp_ok($r, '>=', $opt{min_recall}, "$what: recall\@10 against a sequential scan ($r)");
	}
	if (defined $opt{check})
	{
		my ($problems, $stats) = check_index($standby, $index, $opt{check});
		is_deeply($problems, [], "$what: index pages sound on the standby");
	}
	return $on_primary;
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

compare_nodes('vector build', 't', 't_v_idx', $queries, min_recall => 0.85);

my $insert_start = $primary->lsn('insert');
$primary->safe_psql(
	'postgres', q{
SELECT setseed(0.5);
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(3001, 3400) i;
});
compare_nodes('vector insert', 't', 't_v_idx', $queries, min_recall => 0.85);

# The inserts' generic records carry the page images the standby checks
my ($waldump, $waldump_err);
IPC::Run::run [ 'pg_waldump', '-p', $primary->data_dir . '/pg_wal', '-s', $insert_start,
	'-e', $primary->lsn('insert'), '--rmgr=Generic', '--bkp-details' ], '>', \$waldump, '2>', \$waldump_err;
my $generic_blocks = () = $waldump =~ /blkref #\d+: rel /g;
my $checked_blocks = () = $waldump =~ /blkref #\d+: rel [^\n]*\(FPW/g;
cmp_ok($generic_blocks, '>', 1000, "the inserts wrote generic WAL records ($generic_blocks blocks)");
is($checked_blocks, $generic_blocks, 'every block of every generic record comes with its page image');

$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 5 = 0; VACUUM t');
my $after_vacuum = compare_nodes('vector delete + vacuum', 't', 't_v_idx', $queries,
	min_recall => 0.8, check => 't');
is(scalar(grep { /(^|,)\d*[05](,|$)/ } @$after_vacuum), 0, 'no deleted row is returned after VACUUM');

# inserts after vacuum (elements marked deleted stay in the graph)
$primary->safe_psql(
	'postgres', q{
SELECT setseed(0.75);
INSERT INTO t SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)
	FROM generate_series(3401, 3600) i;
});
compare_nodes('vector insert after vacuum', 't', 't_v_idx', $queries, min_recall => 0.8);

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
my $tw_found = compare_nodes('vector cosine, build spilled to disk', 'tw', 'tw_v_idx', $tw_queries,
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
	compare_nodes("$kind build", 'tk', @{ $kinds{$kind} });
}
$primary->safe_psql('postgres', "SELECT setseed(0.625);\n" . $kinds_rows->(1501, 1650));
for my $kind (sort keys %kinds)
{
	compare_nodes("$kind insert", 'tk', @{ $kinds{$kind} }, check => 'tk');
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
wait_for_standby('before the crash of the primary');

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
compare_nodes('vector after a crash of the primary', 't', 't_v_idx', $queries, min_recall => 0.8);
compare_nodes('sparsevec after a crash of the primary', 'tk', @{ $kinds{sparsevec} });

# ------------------------------------------------------------------------
# The promoted standby: unlogged index reset, logged indexes writable
# ------------------------------------------------------------------------

$primary->safe_psql('postgres', 'SELECT setseed(0.9375); ' . $kinds_rows->(2001, 2060));
compare_nodes('bit insert before promotion', 'tk', @{ $kinds{bit} });
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
