# test/t/005_ivfflat_wal.pl
#
# ivfflat indexes under WAL: a primary with a streaming standby that checks
# the page images of every generic WAL record it replays
# (wal_consistency_checking = 'generic').  After CREATE INDEX (the whole
# index WAL-logged at the end, serially and with parallel workers), INSERTs
# that fill and extend lists, and VACUUM, the standby must be alive, caught
# up, and return what the primary returns through the index.  Then a crash
# of the primary: the index is intact after recovery, and an unlogged
# table's index is empty but usable.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use HnswTap;

my $primary = PostgreSQL::Test::Cluster->new('ivf_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', q{
wal_consistency_checking = 'generic'
wal_compression = on
max_wal_size = '1GB'
autovacuum = off
});
$primary->start;
$primary->backup('backup');

my $standby = PostgreSQL::Test::Cluster->new('ivf_standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

sub wait_for_standby
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('write'));
	my $log = slurp_file($standby->logfile);
	unlike($log, qr/inconsistent page found/, "$what: standby replay consistent");
	return;
}

$primary->safe_psql(
	'postgres', q{
CREATE EXTENSION vector;
SELECT setseed(0.3);
CREATE TABLE items (id int PRIMARY KEY, val vector(8));
INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(1, 5000) i;
CREATE TABLE queries (q vector(8));
INSERT INTO queries SELECT ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(1, 10) i;
CREATE INDEX items_idx ON items USING ivfflat (val vector_l2_ops) WITH (lists = 20);
});
wait_for_standby('CREATE INDEX');

my $orderbys = orderbys($primary, 'SELECT q FROM queries', 'val', '<->', '::vector');
my $all_lists = 'SET ivfflat.probes = 20;';

sub same_on_both
{
	my ($what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $on_primary = knn($primary, 'items', $orderbys, settings => $all_lists);
	my $on_standby = knn($standby, 'items', $orderbys, settings => $all_lists);
	my $exact = knn($primary, 'items', $orderbys, exact => 1);
	is_deeply($on_standby, $on_primary, "$what: the standby's index returns the primary's rows");
	is(exact_matches($on_primary, $exact), scalar(@$exact),
		"$what: every list probed gives the exact nearest rows");
	return;
}
same_on_both('after CREATE INDEX');

# inserts: lists fill their pages and get new ones
$primary->safe_psql('postgres', q{
INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(5001, 15000) i;
});
wait_for_standby('INSERT');
same_on_both('after INSERT');

# vacuum removes entries; inserts reuse the room
$primary->safe_psql('postgres', q{
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(15001, 17000) i;
});
wait_for_standby('VACUUM and INSERT');
same_on_both('after VACUUM');

# a build with parallel workers
$primary->safe_psql('postgres', q{
DROP INDEX items_idx;
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
SET maintenance_work_mem = '256MB';
CREATE INDEX items_idx ON items USING ivfflat (val vector_l2_ops) WITH (lists = 20);
});
wait_for_standby('parallel CREATE INDEX');
same_on_both('after a parallel CREATE INDEX');

# a crash of the primary: recovery replays the inserts into the index
$primary->safe_psql('postgres', q{
CREATE UNLOGGED TABLE scratch (id int, val vector(3));
INSERT INTO scratch SELECT i, ARRAY[i, i % 5, i % 7] FROM generate_series(1, 100) i;
CREATE INDEX ON scratch USING ivfflat (val vector_l2_ops) WITH (lists = 4);
CHECKPOINT;
INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
	FROM generate_series(17001, 19000) i;
});
my $before = knn($primary, 'items', $orderbys, settings => $all_lists);
$primary->stop('immediate');
$primary->start;
is_deeply(knn($primary, 'items', $orderbys, settings => $all_lists), $before,
	'after a crash: the index returns what it did before');
is($primary->safe_psql('postgres',
		'SET enable_seqscan = off; SET ivfflat.probes = 20; SELECT count(*) FROM (SELECT id FROM items ORDER BY val <-> (SELECT q FROM queries LIMIT 1)) t'),
	$primary->safe_psql('postgres', 'SELECT count(*) FROM items'),
	'after a crash: every row is in the index');
is($primary->safe_psql('postgres',
		'SET enable_seqscan = off; SELECT count(*) FROM scratch'), '0',
	'after a crash: the unlogged table is empty');
$primary->safe_psql('postgres', q{INSERT INTO scratch VALUES (1, '[1,1,1]'), (2, '[5,5,5]')});
is($primary->safe_psql('postgres',
		q{SET enable_seqscan = off; SELECT string_agg(id::text, ',') FROM (SELECT id FROM scratch ORDER BY val <-> '[4,4,4]' LIMIT 2) t}),
	'2,1', 'after a crash: the unlogged table\'s index takes rows again');

done_testing();
