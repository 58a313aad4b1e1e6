# test/t/009_build_cancel.pl
#
# CREATE INDEX can be cancelled in every phase of a build: a session builds
# the index, another watches pg_stat_progress_create_index and cancels the
# build once it reaches the phase (pg_cancel_backend, as Ctrl-C in psql).
# The build must end with the cancellation error (SQLSTATE 57014), leave no
# index behind, and the same build must then succeed.  The time from the
# cancel to the error is reported (not asserted: the machine may be busy);
# the core's computations run in chunks between which the glue checks for
# interrupts, so it should stay well under a second (measured until the
# building session's psql has exited).
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use VectorTap;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\nmax_parallel_maintenance_workers = 1\n");
$node->start;

# 60,000 rows of 128 dimensions: every phase lasts long enough to be seen
$node->safe_psql(
	'postgres', extension_sql() . q{
SELECT setseed(0.9);
CREATE TABLE t (id int, v vector(128));
INSERT INTO t SELECT i, ARRAY(SELECT random() FROM generate_series(1, 128) WHERE i > 0)
	FROM generate_series(1, 60000) i;
ANALYZE t;
});

# cancel_in_phase($what, $settings, $create, $phase, $message): run
# $settings and $create in a session of its own, cancel it once its build
# reports $phase, check how it ended (and, if given, that it wrote the
# message matching $message before)
sub cancel_in_phase
{
	my ($what, $settings, $create, $phase, $message) = @_;
	my ($out, $err) = ('', '');
	my $psql = IPC::Run::start(
		[ 'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
			'-d', 'postgres', '-c', "$settings $create" ],
		'>', \$out, '2>', \$err);
	# poll from one session, every few milliseconds, and cancel at once
	# (pg_stat_clear_snapshot: a transaction otherwise sees one snapshot of
	# the progress views); give up once no CREATE INDEX is running
	my ($ret, $poll_out, $poll_err) = $node->psql(
		'postgres', qq{
DO \$\$
DECLARE
	p int;
BEGIN
	FOR i IN 1..200000 LOOP
		PERFORM pg_stat_clear_snapshot();
		SELECT pid INTO p FROM pg_stat_progress_create_index WHERE phase = 'building index: $phase';
		IF p IS NOT NULL THEN
			PERFORM pg_cancel_backend(p);
			RAISE NOTICE 'cancelled % at %', p, extract(epoch FROM clock_timestamp());
			RETURN;
		END IF;
		IF i > 1000 AND NOT EXISTS (SELECT FROM pg_stat_activity
				WHERE state = 'active' AND query LIKE '%CREATE INDEX%' AND pid <> pg_backend_pid()) THEN
			RETURN;
		END IF;
		PERFORM pg_sleep(0.002);
	END LOOP;
END
\$\$;
});
	my ($pid, $cancelled_at) = $poll_err =~ /cancelled (\d+) at ([0-9.]+)/;
	ok($pid, "$what: the build reached phase \"$phase\"") or do { $psql->finish; return; };

	$psql->finish;
	my $took = time() - $cancelled_at;
	like($err, qr/canceling statement due to user request/, "$what: cancelled in \"$phase\"");
	like($err, $message, "$what: the build went the expected way") if $message;
	note sprintf("%s: the build stopped %.3f s after the cancel", $what, $took);
	is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 't_idx'"),
		'0', "$what: no index left behind");
	$node->safe_psql('postgres', "$settings $create");
	is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 't_idx'"),
		'1', "$what: the same build then succeeds");
	$node->safe_psql('postgres', 'DROP INDEX t_idx');
	return;
}

my $ivfflat = 'CREATE INDEX t_idx ON t USING ivfflat (v vector_l2_ops) WITH (lists = 600);';
my $in_memory = "SET maintenance_work_mem = '512MB';";
# the sample's k-means fits, the rows do not: the build assigns them through a sort
my $sorted = "SET maintenance_work_mem = '64MB'; SET client_min_messages = debug1;";
my $sorting = qr/the rows do not fit in maintenance_work_mem, they go to their lists through a sort/;

cancel_in_phase('ivfflat, rows in memory', $in_memory, $ivfflat, 'performing k-means');
cancel_in_phase('ivfflat, rows in memory', $in_memory, $ivfflat, 'assigning tuples');
cancel_in_phase('ivfflat, rows through a sort', $sorted, $ivfflat, 'assigning tuples', $sorting);
cancel_in_phase('ivfflat, rows through a sort', $sorted, $ivfflat, 'loading tuples', $sorting);

my $hnsw = 'CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops);';
cancel_in_phase('hnsw', "SET maintenance_work_mem = '512MB';", $hnsw, 'loading tuples');

done_testing();
