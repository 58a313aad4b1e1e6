# test/t/004_hnsw_pitr.pl
#
# Point-in-time recovery (or a failover) that ends between two WAL records
# of one hnsw insert must leave an index that takes inserts.
#
# The test stops recovery just before the first WAL record that writes a
# page the index did not have, so after the record before it.
#
# An insert that needs a new page logs the page and the metapage's new
# insert_block in one record (insert.c, start_page_change).  Logged apart,
# metapage first, a recovery ending between them left a metapage pointing
# past the end of the index, and every later insert failed with "could not
# read block N" until a REINDEX.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "autovacuum = off\n");
$primary->start;
$primary->safe_psql(
	'postgres', q{
CREATE EXTENSION vector;
SELECT setseed(0.5);
CREATE TABLE t (id int, v vector(16));
INSERT INTO t SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0) FROM generate_series(1, 100) i;
CREATE INDEX t_v_idx ON t USING hnsw (v vector_l2_ops);
});
$primary->backup('backup');

# inserts that fill some new pages
my $blocks_before = $primary->safe_psql('postgres', "SELECT pg_relation_size('t_v_idx') / 8192");
my $start = $primary->lsn('insert');
$primary->safe_psql(
	'postgres', q{
INSERT INTO t SELECT i, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0) FROM generate_series(101, 300) i;
});
my $end = $primary->lsn('insert');
cmp_ok($primary->safe_psql('postgres', "SELECT pg_relation_size('t_v_idx') / 8192"),
	'>', $blocks_before, 'the inserts added pages to the index');
my $relation = $primary->safe_psql(
	'postgres', q{
SELECT CASE WHEN c.reltablespace = 0 THEN d.dattablespace ELSE c.reltablespace END
	|| '/' || d.oid || '/' || pg_relation_filenode(c.oid)
FROM pg_class c, pg_database d WHERE c.relname = 't_v_idx' AND d.datname = current_database();
});

# The index's WAL records since the backup; the first that writes a block
# the index did not have, and the record before it
my ($stdout, $stderr);
IPC::Run::run [ 'pg_waldump', '-p', $primary->data_dir . '/pg_wal', '-s', $start, '-e', $end, '-R', $relation ],
  '>', \$stdout, '2>', \$stderr;
my @records = map { /lsn: ([0-9A-F]+\/[0-9A-F]+),.* blk (\d+)/ ? [ $1, $2 ] : () } split /\n/, $stdout;
my ($target, $target_block, $new_block);
for my $i (1 .. $#records)
{
	if ($records[$i][1] >= $blocks_before)
	{
		($target, $target_block, $new_block) = ($records[ $i - 1 ][0], $records[ $i - 1 ][1], $records[$i][1]);
		last;
	}
}
ok(defined $target, 'found the first WAL record of a new index page') or diag "pg_waldump: $stderr\n$stdout";
note "recovery stops after $target (block $target_block); block $new_block comes in the next record";

# Recover from the backup up to (and including) that metapage record
my $restored = PostgreSQL::Test::Cluster->new('restored');
$restored->init_from_backup($primary, 'backup');
my $wal = $primary->data_dir . '/pg_wal';
$restored->append_conf(
	'postgresql.conf', qq{
restore_command = 'cp "$wal/%f" "%p"'
recovery_target_lsn = '$target'
recovery_target_inclusive = on
recovery_target_action = 'promote'
});
$restored->set_recovery_mode;
$restored->start;
$restored->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'the restored node did not leave recovery';

is($restored->safe_psql('postgres', 'SELECT count(*) FROM t'), '100',
	'the restored node has the rows of the backup (the insert never committed)');

my ($ret, $out, $err) = $restored->psql('postgres',
	"INSERT INTO t VALUES (1000, array_fill(0.5, ARRAY[16])::vector)");
is($ret, 0, 'an insert after recovery works') or diag $err;
is(
	$restored->safe_psql('postgres',
		"SET enable_seqscan = off; SELECT id FROM t ORDER BY v <-> array_fill(0.5, ARRAY[16])::vector LIMIT 1"),
	'1000',
	'and the row is found through the index');

done_testing();
