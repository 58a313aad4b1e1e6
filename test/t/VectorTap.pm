# test/t/VectorTap.pm
#
# Helpers the TAP tests of every index access method share (test/t/*.pl
# load it with "use lib"; prove only runs the *.pl files).  HnswTap.pm adds
# what only hnsw needs (a walk over its pages).
#
#	extension_sql	CREATE EXTENSION for the extension under test
#	knn				the first k ids in distance order for each ORDER BY clause,
#					through the index or exactly
#	knn_distances	the same, as distances
#	recall			recall of index results against exact ones
#	recall_with_ties	the same, counting a row at the exact 10th distance as a hit
#	exact_matches	how many result lists are identical
#	orderbys		ORDER BY clauses from query vectors stored in a table
#	index_reaches	rows (and distinct rows) an index scan without LIMIT returns
#	wal_checking_conf	postgresql.conf lines that make replay check every generic WAL record
#	streaming_pair	a primary and a streaming standby
#	wait_for_standby, compare_nodes	the standby caught up, and answering as the primary
#	generic_wal_blocks	blocks of generic WAL records, and how many carry a page image
#	start_pgbench, wait_for_rows	a pgbench workload running in the background
#	crash_test_setup, crash_during_inserts, inserts_find_themselves
#					an immediate shutdown under concurrent inserts, and after it
package VectorTap;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(extension_sql knn knn_distances recall recall_with_ties exact_matches orderbys
  index_reaches wal_checking_conf streaming_pair wait_for_standby compare_nodes generic_wal_blocks start_pgbench
  wait_for_rows crash_test_setup crash_during_inserts inserts_find_themselves);

# "CREATE EXTENSION vector", or of the extension VECTOR_TAP_EXTENSION names:
# the tests that use it run unchanged against pgvector installed as
# pgvector_ref, to check the tests themselves
sub extension_sql
{
	my $name = $ENV{VECTOR_TAP_EXTENSION} || 'vector';
	return "CREATE EXTENSION $name;";
}

# Session settings of a query through the index, or exact (a sequential
# scan and a sort), plus the caller's own (hnsw.ef_search, ivfflat.probes ...)
sub _scan_settings
{
	my (%opt) = @_;
	my $settings =
	  $opt{exact}
	  ? 'SET enable_indexscan = off; SET enable_bitmapscan = off;'
	  : 'SET enable_seqscan = off;';
	$settings .= ' ' . $opt{settings} if defined $opt{settings};
	return $settings;
}

# One line per SELECT of $selects, "r:" prefixed so empty results count
sub _result_lines
{
	my ($node, $settings, $selects) = @_;
	my $sql = join("\n", $settings, map { "SELECT 'r:' || coalesce(array_to_string(ARRAY($_), ','), '');" } @$selects);
	my @lines = split /\n/, $node->safe_psql('postgres', $sql);
	die 'expected ' . scalar(@$selects) . ' result lines, got ' . scalar(@lines)
	  unless @lines == @$selects;
	return [ map { s/^r://r } @lines ];
}

# knn($node, $table, [ORDER BY clauses], k => 10, exact => 0, settings => '')
#
# Returns one comma-separated list of ids per clause.  exact: a sequential
# scan and a sort (enable_indexscan = off); otherwise enable_seqscan = off.
# settings: more SET commands (hnsw.ef_search ...).
sub knn
{
	my ($node, $table, $orderbys, %opt) = @_;
	my $k = $opt{k} // 10;
	return _result_lines($node, _scan_settings(%opt), [ map { "SELECT id FROM $table ORDER BY $_ LIMIT $k" } @$orderbys ]);
}

# knn_distances($node, $table, $expression, [ORDER BY clauses], %opt): the
# first k distances (as numbers) for each clause "$expression <op> <query>",
# options as for knn; returns a list of lists
sub knn_distances
{
	my ($node, $table, $expression, $orderbys, %opt) = @_;
	my $k = $opt{k} // 10;
	my @selects = map {
		my ($op_query) = /^\Q$expression\E (.*)$/s;
		"SELECT $expression $op_query FROM $table ORDER BY $_ LIMIT $k"
	} @$orderbys;
	return [ map { [ split /,/ ] } @{ _result_lines($node, _scan_settings(%opt), \@selects) } ];
}

# recall([found lists], [exact lists]): the fraction of exact ids found
sub recall
{
	my ($found, $exact) = @_;
	my ($hits, $total) = (0, 0);
	for my $i (0 .. $#$exact)
	{
		my %want = map { $_ => 1 } split /,/, $exact->[$i];
		$total += keys %want;
		$hits += grep { $want{$_} } split /,/, $found->[$i];
	}
	return $total ? $hits / $total : 1;
}

# recall_with_ties([found distances], [exact distances]) (knn_distances
# lists): a row found is a hit when its distance is within the exact 10th
sub recall_with_ties
{
	my ($found, $exact) = @_;
	my ($hits, $total) = (0, 0);
	for my $i (0 .. $#$exact)
	{
		my $limit = $exact->[$i][-1];
		my $n = grep { $_ <= $limit + 1e-6 * (1 + abs($limit)) } @{ $found->[$i] };
		$hits += $n < @{ $exact->[$i] } ? $n : @{ $exact->[$i] };
		$total += @{ $exact->[$i] };
	}
	return $total ? $hits / $total : 1;
}

# exact_matches([found], [exact]): how many lists are identical
sub exact_matches
{
	my ($found, $exact) = @_;
	return scalar grep { $found->[$_] eq $exact->[$_] } 0 .. $#$exact;
}

# orderbys($node, $sql, $expression, $operator, $cast): one ORDER BY clause
# "expression operator 'value'cast" for each row $sql returns
sub orderbys
{
	my ($node, $sql, $expression, $op, $cast) = @_;
	$cast //= '';
	return [ map { "$expression $op '$_'$cast" } split /\n/, $node->safe_psql('postgres', $sql) ];
}

# index_reaches($node, $table, $orderby, $settings): "rows|distinct rows"
# that a scan of $table ORDER BY $orderby without LIMIT returns through the
# index (enable_seqscan and enable_bitmapscan off, then $settings)
sub index_reaches
{
	my ($node, $table, $orderby, $settings) = @_;
	$settings //= '';
	return $node->safe_psql(
		'postgres', qq{
SET enable_seqscan = off;
SET enable_bitmapscan = off;
$settings
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM $table ORDER BY $orderby) s;
});
}

# ------------------------------------------------------------------------
# Streaming replication
# ------------------------------------------------------------------------

# wal_checking_conf(): postgresql.conf lines for tests of WAL replay: every
# generic WAL record carries a full-page image that replay compares with
# the page it made (the standby or crash recovery FATALs on a difference)
sub wal_checking_conf
{
	return q{
wal_consistency_checking = 'generic'
# every generic record carries a full-page image for the check: keep it small
wal_compression = on
max_wal_size = '1GB'
autovacuum = off
};
}

# streaming_pair($conf): a started primary (allows_streaming, $conf added to
# its postgresql.conf) and a started standby streaming from it
sub streaming_pair
{
	my ($conf) = @_;
	my $primary = PostgreSQL::Test::Cluster->new('primary');
	$primary->init(allows_streaming => 1);
	$primary->append_conf('postgresql.conf', $conf);
	$primary->start;
	$primary->backup('backup');

	my $standby = PostgreSQL::Test::Cluster->new('standby');
	$standby->init_from_backup($primary, 'backup', has_streaming => 1);
	$standby->start;
	return ($primary, $standby);
}

# Wait until the standby has replayed everything the primary wrote, failing
# at once (not after the framework's timeout) if replay hit an inconsistent
# page or the standby went down.
sub wait_for_standby
{
	my ($primary, $standby, $what) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $target = $primary->lsn('write');
	my $name = $standby->name;
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
			"SELECT coalesce(bool_and('$target' <= replay_lsn AND state = 'streaming'), false) FROM pg_stat_replication WHERE application_name = '$name'");
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

# compare_nodes($primary, $standby, $what, $table, $index, [ORDER BY clauses], %opt)
#
# The same nearest neighbours through the index on primary and standby, a
# plan that really uses the index on both, at least min_rows rows a query
# (default 10), and, when asked, a recall floor against the exact answer on
# the primary (min_recall), the very answer of the exact scan (exact => 1),
# and sound index pages on the standby (check: a function of the standby
# that returns a list of problems).  With exact and distance_of (the indexed
# expression), the distances are compared instead of the ids, for data with
# ties (bit).  settings: SET commands for every scan (hnsw.ef_search,
# ivfflat.probes).  Returns the primary's results.
sub compare_nodes
{
	my ($primary, $standby, $what, $table, $index, $orderbys, %opt) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $settings = $opt{settings} // '';

	wait_for_standby($primary, $standby, $what);
	for my $node ($primary, $standby)
	{
		my $plan = $node->safe_psql('postgres',
			"SET enable_seqscan = off; $settings EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY $orderbys->[0] LIMIT 10");
		like($plan, qr/Index Scan using $index /, "$what: " . $node->name . " scans $index");
	}
	my $on_primary = knn($primary, $table, $orderbys, settings => $settings);
	my $on_standby = knn($standby, $table, $orderbys, settings => $settings);
	is_deeply($on_standby, $on_primary, "$what: standby gives the primary's nearest neighbours");

	my $short = grep { scalar(split /,/) < ($opt{min_rows} // 10) } @$on_primary;
	is($short, 0, "$what: every query found enough rows");
	if (defined $opt{min_recall} || $opt{exact})
	{
		my $exact = knn($primary, $table, $orderbys, exact => 1);
		if ($opt{exact} && defined $opt{distance_of})
		{
			is_deeply(
				knn_distances($primary, $table, $opt{distance_of}, $orderbys, settings => $settings),
				knn_distances($primary, $table, $opt{distance_of}, $orderbys, exact => 1),
				"$what: the index gives the sequential scan's distances");
		}
		elsif ($opt{exact})
		{
			is_deeply($on_primary, $exact, "$what: the index gives the sequential scan's answer");
		}
		else
		{
			my $r = recall($on_primary, $exact);
			cmp_ok($r, '>=', $opt{min_recall}, "$what: recall\@10 against a sequential scan ($r)");
		}
	}
	if (defined $opt{check})
	{
		is_deeply($opt{check}->($standby), [], "$what: index pages sound on the standby");
	}
	return $on_primary;
}

# generic_wal_blocks($node, $start_lsn): the blocks that the generic WAL
# records from $start_lsn to the current insert position touch, and how
# many of them carry a full-page image (for wal_consistency_checking)
sub generic_wal_blocks
{
	my ($node, $start) = @_;
	my ($waldump, $waldump_err);
	IPC::Run::run [ 'pg_waldump', '-p', $node->data_dir . '/pg_wal', '-s', $start,
		'-e', $node->lsn('insert'), '--rmgr=Generic', '--bkp-details' ], '>', \$waldump, '2>', \$waldump_err;
	my $blocks = () = $waldump =~ /blkref #\d+: rel /g;
	my $with_image = () = $waldump =~ /blkref #\d+: rel [^\n]*\(FPW/g;
	return ($blocks, $with_image);
}

# ------------------------------------------------------------------------
# Background workloads
# ------------------------------------------------------------------------

# start_pgbench($node, $name, $script, @options): pgbench running $script
# (written to the file $name in the node's folder) with @options against
# the node's postgres database, in the background.  Returns a hash: handle
# (IPC::Run), out and err (what it wrote so far, after a pump).
sub start_pgbench
{
	my ($node, $name, $script, @options) = @_;
	my $file = $node->basedir . "/$name";
	append_to_file($file, $script);
	my $run = { out => '', err => '' };
	$run->{handle} = IPC::Run::start(
		[ 'pgbench', '-n', @options, '-f', $file, '-h', $node->host, '-p', $node->port, 'postgres' ],
		'>', \$run->{out}, '2>', \$run->{err});
	return $run;
}

# wait_for_rows($node, $run, $table, $rows): wait until $table has $rows
# rows; die at once if pgbench ($run, from start_pgbench) stopped (an insert
# failed) or after the framework's timeout
sub wait_for_rows
{
	my ($node, $run, $table, $rows) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while ($node->safe_psql('postgres', "SELECT count(*) FROM $table") < $rows)
	{
		$run->{handle}->pump_nb if $run->{handle}->pumpable;
		die "pgbench stopped before $table had $rows rows: $run->{err}" unless $run->{handle}->pumpable;
		die "$table did not get $rows rows in time: $run->{err}" if time() > $deadline;
		select(undef, undef, undef, 0.1);
	}
	return;
}

# ------------------------------------------------------------------------
# Crash under concurrent inserts
# ------------------------------------------------------------------------

# crash_test_setup($index_sql): a started node that checks WAL replay
# (wal_checking_conf) with the extension; 3,000 rows of 16-d vectors around
# 20 centres in [-1, 1] (table t: id, c the centre, v); 20 queries near the
# same centres (table q: id, v); then $index_sql.  Returns the node and
# the queries' ORDER BY clauses (v <-> query).
sub crash_test_setup
{
	my ($index_sql) = @_;
	my $node = PostgreSQL::Test::Cluster->new('main');
	$node->init;
	$node->append_conf('postgresql.conf', wal_checking_conf());
	$node->start;
	$node->safe_psql(
		'postgres', extension_sql() . qq{
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
$index_sql
});
	return ($node, orderbys($node, 'SELECT v FROM q ORDER BY id', 'v', '<->'));
}

# crash_during_inserts($node): four pgbench clients insert rows near the
# centres into t; at 3,600 rows a CHECKPOINT, at 4,400 an immediate
# shutdown; then the node is started again.  Tests that pgbench saw the
# crash, that every row counted before it survived, and that recovery
# found every page as logged.
sub crash_during_inserts
{
	my ($node) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $pgbench = start_pgbench(
		$node, 'insert.sql', q{
\set c random(0, 19)
INSERT INTO t (c, v) SELECT c, ARRAY(SELECT x + random() - 0.5 FROM unnest(centre) x) FROM centres WHERE c = :c;
}, '-c', '4', '-j', '4', '-T', '120');

	wait_for_rows($node, $pgbench, 't', 3600);
	$node->safe_psql('postgres', 'CHECKPOINT');
	wait_for_rows($node, $pgbench, 't', 4400);
	my $rows_before = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
	$node->stop('immediate');
	$pgbench->{handle}->finish;
	note "pgbench: $pgbench->{err}";
	isnt($pgbench->{handle}->result, 0, 'pgbench lost its connections: the server crashed under it');

	$node->start;
	my $rows = $node->safe_psql('postgres',
		'SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM t');
	cmp_ok($rows, '>=', $rows_before, "all $rows_before rows counted before the crash survived it ($rows)");
	unlike(slurp_file($node->logfile), qr/inconsistent page found/, 'crash recovery found every page as logged');
	return;
}

# inserts_find_themselves($node, $index, $settings): 200 more rows into t;
# each, searched for through $index (after $settings), must be its own
# nearest neighbour
sub inserts_find_themselves
{
	my ($node, $index, $settings) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
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
		qr/Index Scan using $index on t m/, 'each new row is searched for through the index');
	is($node->safe_psql('postgres', "SET enable_seqscan = off; $settings $own_nearest"),
		'0', 'rows inserted after recovery are their own nearest neighbours');
	return;
}

1;
