# test/t/007_ivfflat_recall.pl
#
# Recall of ivfflat indexes against brute force, on clustered data of a few
# thousand rows, for vector (l2, inner product, cosine), halfvec (l2) and
# bit (hamming), by three paths:
#	build	CREATE INDEX on the full table (k-means over all rows);
#	insert	CREATE INDEX on a third of the rows, the others INSERTed
#			into its lists;
#	empty	CREATE INDEX on the empty table (centres without data), every
#			row INSERTed.
# The exact top 10 comes from a sequential scan in the same database.
# build and insert: recall@10 at 2 of 40 probes above a floor.  Every path,
# at probes = lists: the sequential scan's answer, and every row reached.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTap;

my $lists = 40;
my $probes = 2;

# Recall floors at 2 probes of 40, set well under what was measured when
# this test was written: pgvector 0.8.6 (VECTOR_TAP_EXTENSION=pgvector_ref)
# gave 0.97 to 0.995 for every dense opclass and path, bit hamming 0.98
# (build) and 0.91 (insert; ties counted as hits); ours (ivf-glue 5bd91fe)
# 0.93 to 0.99 for the dense ones, bit hamming 0.95 and 0.865 (one CI run:
# 0.785 for the insert path, hence its lower floor).  An index
# that puts rows in the wrong lists, or scans the wrong ones, falls far
# below.
my %floor = (
	vector_l2 => 0.88,
	vector_ip => 0.88,
	vector_cosine => 0.88,
	halfvec_l2 => 0.88,
	bit_hamming => 0.7);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;

# ------------------------------------------------------------------------
# Data: 3,000 rows and 40 queries per type, around 100 centres (more
# clusters than lists: a list holds parts of a few, and a query's
# neighbours are often in more than one list)
# ------------------------------------------------------------------------

# around(centre, spread): the centre plus uniform noise in [-spread, spread]
$node->safe_psql(
	'postgres', extension_sql() . q{
SELECT setseed(0.83);
CREATE FUNCTION around(centre real[], spread real) RETURNS real[] LANGUAGE sql AS
	'SELECT array_agg(x + (random() * 2 - 1) * spread) FROM unnest(centre) x';
CREATE TABLE centres AS
	SELECT c, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 256) WHERE c >= 0)::real[] AS centre
	FROM generate_series(0, 99) c;

-- dense: 24 dimensions (the centres' first), rows within 0.6 of a centre
CREATE TABLE dense_rows AS
	SELECT i AS id, around(centre[1:24], 0.6)::vector(24) AS v
	FROM generate_series(1, 3000) i JOIN centres ON c = i % 100;
CREATE TABLE dense_queries AS
	SELECT i AS id, around(centre[1:24], 0.6)::vector(24) AS v
	FROM generate_series(1, 40) i JOIN centres ON c = (i * 7) % 100;

-- bit: 256-bit codes of 256-d rows within 1 of a centre
CREATE TABLE bit_rows AS
	SELECT i AS id, binary_quantize(around(centre, 1)::vector(256))::bit(256) AS b
	FROM generate_series(1, 3000) i JOIN centres ON c = i % 100;
CREATE TABLE bit_queries AS
	SELECT i AS id, binary_quantize(around(centre, 1)::vector(256))::bit(256) AS b
	FROM generate_series(1, 40) i JOIN centres ON c = (i * 11) % 100;
});
is($node->safe_psql('postgres', 'SELECT count(DISTINCT v::text) FROM dense_rows'), '3000', 'dense rows are distinct');

# ------------------------------------------------------------------------
# Recall
# ------------------------------------------------------------------------

# The SQL that makes table r with index r_idx by one path
sub path_sql
{
	my ($path, $rows, $index) = @_;
	my $create = "CREATE INDEX r_idx ON r USING ivfflat ($index) WITH (lists = $lists);";
	my $sql = "DROP TABLE IF EXISTS r; CREATE TABLE r (LIKE $rows);";
	return $sql . "INSERT INTO r SELECT * FROM $rows; $create" if $path eq 'build';
	return $sql . "INSERT INTO r SELECT * FROM $rows WHERE id % 3 = 0; $create INSERT INTO r SELECT * FROM $rows WHERE id % 3 <> 0;"
	  if $path eq 'insert';
	return $sql . "$create INSERT INTO r SELECT * FROM $rows;";
}

# check_recall(name, rows, queries, column, op, index, ties): every path
# for one opclass.  ties (bit): recall counts a row at the exact 10th
# distance as a hit, and probes = lists is compared by distances.
sub check_recall
{
	my (%c) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $orderbys = orderbys($node, "SELECT $c{column} FROM $c{queries} ORDER BY id", $c{column}, $c{op});
	my $some = "SET ivfflat.probes = $probes;";
	my $all = "SET ivfflat.probes = $lists;";

	for my $path ('build', 'insert', 'empty')
	{
		my (undef, $stderr) = $node->psql('postgres', path_sql($path, $c{rows}, $c{index}), on_error_die => 1);
		like(
			$node->safe_psql('postgres',
				"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM r ORDER BY $orderbys->[0] LIMIT 10"),
			qr/Index Scan using r_idx/,
			"$c{name} $path: the index answers");

		if ($path ne 'empty')
		{
			my $found = knn($node, 'r', $orderbys, settings => $some);
			is(scalar(grep { scalar(split /,/) == 10 } @$found), scalar(@$orderbys), "$c{name} $path: 10 rows a query");
			my $recall =
			  $c{ties}
			  ? recall_with_ties(knn_distances($node, 'r', $c{column}, $orderbys, settings => $some),
				knn_distances($node, 'r', $c{column}, $orderbys, exact => 1))
			  : recall($found, knn($node, 'r', $orderbys, exact => 1));
			cmp_ok($recall, '>=', $floor{ $c{name} }, "$c{name} $path: recall\@10 at $probes of $lists probes ($recall)");
		}

		if ($c{ties})
		{
			is_deeply(
				knn_distances($node, 'r', $c{column}, $orderbys, settings => $all),
				knn_distances($node, 'r', $c{column}, $orderbys, exact => 1),
				"$c{name} $path: probes = lists gives the sequential scan's distances");
		}
		else
		{
			is_deeply(knn($node, 'r', $orderbys, settings => $all),
				knn($node, 'r', $orderbys, exact => 1), "$c{name} $path: probes = lists gives the sequential scan's answer");
		}
		is(index_reaches($node, 'r', $orderbys->[0], $all), '3000|3000', "$c{name} $path: every list scanned returns all 3,000 rows once");
	}
	return;
}

# name, rows and queries table prefix, column (or expression), operator,
# index column and opclass, ties
for my $opclass (
	[ 'vector_l2',     'dense', 'v',              '<->', 'v vector_l2_ops' ],
	[ 'vector_ip',     'dense', 'v',              '<#>', 'v vector_ip_ops' ],
	[ 'vector_cosine', 'dense', 'v',              '<=>', 'v vector_cosine_ops' ],
	[ 'halfvec_l2',    'dense', 'v::halfvec(24)', '<->', '(v::halfvec(24)) halfvec_l2_ops' ],
	[ 'bit_hamming',   'bit',   'b',              '<~>', 'b bit_hamming_ops', 1 ])
{
	my ($name, $data, $column, $op, $index, $ties) = @$opclass;
	check_recall(
		name => $name,
		rows => "${data}_rows",
		queries => "${data}_queries",
		column => $column,
		op => $op,
		index => $index,
		ties => $ties);
}

done_testing();
