# test/t/005_ivfflat_wal.pl
#
# ivfflat indexes under WAL: a primary with a streaming standby that checks
# the page images of every generic WAL record it replays
# (wal_consistency_checking = 'generic' on the primary: the standby FATALs
# on the first page whose replay differs from the primary's image).  After
# each kind of change (CREATE INDEX, serial and with parallel workers;
# INSERTs into the lists; DELETE and VACUUM; INSERTs after VACUUM), for
# vector (l2, cosine), halfvec and bit, the standby must be alive, caught
# up, and give the same nearest neighbours as the primary through the
# index, at a few probes and at probes = lists; at probes = lists (every
# list scanned) the answer must also be the sequential scan's.  Then an
# unlogged table: after a crash of the primary its index is empty but
# usable.  (Crash recovery of logged indexes: 006_ivfflat_crash.pl.)
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTap;

my ($primary, $standby) = streaming_pair(wal_checking_conf());

# The same answers on both nodes at probes = lists, and the sequential
# scan's (compare_nodes), and the same at 3 probes; distance_of: compare
# with the sequential scan by distances, not ids (ties)
sub compare
{
	my ($what, $table, $index, $lists, $orderbys, %opt) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $found = compare_nodes($primary, $standby, "$what, all $lists lists", $table, $index, $orderbys,
		settings => "SET ivfflat.probes = $lists;", exact => 1, %opt);
	my @some = ($table, $orderbys, settings => 'SET enable_seqscan = off; SET ivfflat.probes = 3;');
	is_deeply(knn($standby, @some), knn($primary, @some), "$what, 3 probes: standby gives the primary's nearest neighbours");
	return $found;
}

# ------------------------------------------------------------------------
# vector, l2: build, insert, delete + vacuum, insert
# ------------------------------------------------------------------------

my $rows = sub {
	my ($table, $dim, $from, $to) = @_;
	return "INSERT INTO $table SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, $dim) WHERE i > 0)"
	  . " FROM generate_series($from, $to) i;";
};
# tables $table (rows) and q$table (20 queries) of vector($dim)
my $tables = sub {
	my ($seed, $table, $dim, $count) = @_;
	return "SELECT setseed($seed);\n"
	  . join("\n", map { "CREATE TABLE $_ (id int PRIMARY KEY, v vector($dim));" } $table, "q$table")
	  . $rows->($table, $dim, 1, $count)
	  . $rows->("q$table", $dim, 1, 20);
};
$primary->safe_psql('postgres',
	extension_sql() . $tables->(0.25, 't', 16, 3000) . 'CREATE INDEX t_v_idx ON t USING ivfflat (v vector_l2_ops) WITH (lists = 20);');
my $queries = orderbys($primary, 'SELECT v FROM qt ORDER BY id', 'v', '<->');
is(scalar(@$queries), 20, '20 query vectors');

compare('vector build', 't', 't_v_idx', 20, $queries);

my $insert_start = $primary->lsn('insert');
$primary->safe_psql('postgres', "SELECT setseed(0.5);\n" . $rows->('t', 16, 3001, 3400));
compare('vector insert', 't', 't_v_idx', 20, $queries);

# The inserts' generic records carry the page images the standby checks
my ($generic_blocks, $checked_blocks) = generic_wal_blocks($primary, $insert_start);
cmp_ok($generic_blocks, '>=', 400, "the inserts wrote generic WAL records ($generic_blocks blocks)");
is($checked_blocks, $generic_blocks, 'every block of every generic record comes with its page image');

$primary->safe_psql('postgres', 'DELETE FROM t WHERE id % 5 = 0; VACUUM t');
my $after_vacuum = compare('vector delete + vacuum', 't', 't_v_idx', 20, $queries);
is(scalar(grep { /(^|,)\d*[05](,|$)/ } @$after_vacuum), 0, 'no deleted row is returned after VACUUM');

# inserts after vacuum (into the space VACUUM freed, and beyond)
$primary->safe_psql('postgres', "SELECT setseed(0.75);\n" . $rows->('t', 16, 3401, 4000));
compare('vector insert after vacuum', 't', 't_v_idx', 20, $queries);
my $t_rows = $primary->safe_psql('postgres', 'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM t');
is(index_reaches($standby, 't', $queries->[0], 'SET ivfflat.probes = 20;'),
	"$t_rows|$t_rows", "standby: a scan of every list without LIMIT returns each of the $t_rows rows once");

# ------------------------------------------------------------------------
# vector cosine, halfvec (expression), bit (binary_quantize): build,
# insert, delete + vacuum
# ------------------------------------------------------------------------

$primary->safe_psql(
	'postgres', $tables->(0.125, 'tk', 32, 1500) . q{
CREATE INDEX tk_cosine_idx ON tk USING ivfflat (v vector_cosine_ops) WITH (lists = 10);
CREATE INDEX tk_half_idx ON tk USING ivfflat ((v::halfvec(32)) halfvec_l2_ops) WITH (lists = 10);
CREATE INDEX tk_bit_idx ON tk USING ivfflat ((binary_quantize(v)::bit(32)) bit_hamming_ops) WITH (lists = 10);
});
my %kinds = (
	vector_cosine => [ 'tk_cosine_idx', orderbys($primary, 'SELECT v FROM qtk ORDER BY id', 'v', '<=>') ],
	halfvec => [
		'tk_half_idx',
		orderbys($primary, 'SELECT v::halfvec(32) FROM qtk ORDER BY id', 'v::halfvec(32)', '<->', '::halfvec(32)')
	],
	bit => [
		'tk_bit_idx',
		orderbys($primary, 'SELECT binary_quantize(v)::bit(32) FROM qtk ORDER BY id',
			'binary_quantize(v)::bit(32)', '<~>', '::bit(32)'),
		distance_of => 'binary_quantize(v)::bit(32)'
	]);

# (each ORDER BY matches one index only: its operator and expression)
sub compare_kinds
{
	my ($what) = @_;
	for my $kind (sort keys %kinds)
	{
		my ($index, $orderbys, %opt) = @{ $kinds{$kind} };
		compare("$kind $what", 'tk', $index, 10, $orderbys, %opt);
	}
	return;
}

compare_kinds('build');
$primary->safe_psql('postgres', "SELECT setseed(0.625);\n" . $rows->('tk', 32, 1501, 1800));
compare_kinds('insert');
$primary->safe_psql('postgres', 'DELETE FROM tk WHERE id % 3 = 0; VACUUM tk');
compare_kinds('delete + vacuum');

# ------------------------------------------------------------------------
# A build with parallel workers (rows assigned to lists by the workers):
# maintenance_work_mem holds the sample's k-means but not every row, so
# the rows go through the sort (the builds above kept them in memory)
# ------------------------------------------------------------------------

my ($ret, $stdout, $stderr) = $primary->psql(
	'postgres', q{
DROP INDEX t_v_idx;
SET client_min_messages = debug2;
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
SET maintenance_work_mem = '2MB';
CREATE INDEX t_v_idx ON t USING ivfflat (v vector_l2_ops) WITH (lists = 20);
});
is($ret, 0, 'parallel CREATE INDEX');
like($stderr, qr/through a sort/, 'the parallel build assigned the rows through the sort');
note "parallel CREATE INDEX: " . join('; ', grep { /parallel|worker/i } split /\n/, $stderr);
compare('vector parallel build', 't', 't_v_idx', 20, $queries);

# ------------------------------------------------------------------------
# Unlogged: after a crash of the primary, the table and its index are empty
# (the index's init fork replaces it) and usable
# ------------------------------------------------------------------------

$primary->safe_psql(
	'postgres', "CREATE UNLOGGED TABLE u (id int, v vector(16));\n"
	  . $rows->('u', 16, 1, 500)
	  . "CREATE INDEX u_v_idx ON u USING ivfflat (v vector_l2_ops) WITH (lists = 5);\n"
	  . $rows->('u', 16, 501, 700));
my $u_queries = [ @$queries[ 0 .. 4 ] ];
is_deeply(knn($primary, 'u', $u_queries, settings => 'SET ivfflat.probes = 5;'),
	knn($primary, 'u', $u_queries, exact => 1), 'unlogged index exact at probes = lists before the crash');
wait_for_standby($primary, $standby, 'before the crash of the primary');

$primary->stop('immediate');
$primary->start;
is($primary->safe_psql('postgres', 'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM u'),
	'0', 'after a crash: the unlogged table is empty');
is_deeply(knn($primary, 'u', $u_queries), [ ('') x 5 ], 'after a crash: its index returns no rows');
$primary->safe_psql('postgres', "SELECT setseed(0.875);\n" . $rows->('u', 16, 1001, 1300));
is_deeply(knn($primary, 'u', $u_queries, settings => 'SET ivfflat.probes = 5;'),
	knn($primary, 'u', $u_queries, exact => 1), 'after a crash: rows inserted into the unlogged index are found');
compare('vector after a crash of the primary', 't', 't_v_idx', 20, $queries);

done_testing();
