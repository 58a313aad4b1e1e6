# test/t/HnswTap.pm
#
# What the hnsw TAP tests need beyond VectorTap.pm (the helpers of every
# access method's tests; test/t/*.pl load both with "use lib"):
#
#	check_index	an amcheck-like walk over the index's pages (pageinspect):
#				returns a list of problems, empty when the index is sound
package HnswTap;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT = qw(check_index);

# ------------------------------------------------------------------------
# check_index($node, $index, $heap): walk every page of an hnsw index (the
# layout of src/hnsw/hnsw.h) and return a list of problems:
#	- the metapage: magic, version, an entry point that is an element of
#	  the entry level;
#	- every other page: ours (page id), or never initialized (all zeros:
#	  the end of a relation extended by a backend that crashed before
#	  writing it), items normal and of a known kind;
#	- every element: a neighbour tuple of (level + 2) * m slots;
#	- every link: to an element tuple that has the link's layer, slots
#	  filled from the front;
#	- heap TIDs: none in a deleted or free element, none in two elements, and
#	  (with $heap) every row of the heap in some element that is not deleted;
#	- VACUUM's work: no link to a free element, no link in a free element's
#	  list, no entry point that is free, no list that names an element twice.
# Also returns counts: (\@problems, \%stats).
# ------------------------------------------------------------------------

use constant {
	HNSW_MAGIC    => 0x48A5317E,
	HNSW_PAGE_ID  => 0xFF91,
	MAX_PAYLOADS  => 10,
	ELEMENT_TUPLE => 1,
	NEIGHBOR_TUPLE => 2,
};

# TIDs as numbers: block * 65536 + offset (offset 0: invalid)
sub _tid
{
	my ($bytes, $pos) = @_;
	my ($hi, $lo, $off) = unpack('v v v', substr($bytes, $pos, 6));
	return (($hi << 16) | $lo) * 65536 + $off;
}

sub _tids
{
	my ($bytes, $pos, $count) = @_;
	my @words = unpack("v" . (3 * $count), substr($bytes, $pos, 6 * $count));
	return map { (($words[ 3 * $_ ] << 16) | $words[ 3 * $_ + 1 ]) * 65536 + $words[ 3 * $_ + 2 ] } 0 .. $count - 1;
}

sub _tid_text
{
	my ($tid) = @_;
	return int($tid / 65536) . '/' . ($tid % 65536);
}

sub check_index
{
	my ($node, $index, $heap) = @_;
	my @problems;
	my %stats = (elements => 0, deleted => 0, free => 0, links => 0, zero_pages => 0, heaptids => 0);

	# pageinspect (a standby has it when its primary has), the pages, the
	# heap's rows (TIDs as numbers too) in two calls
	my ($recovery, $installed) = split /\|/,
	  $node->safe_psql('postgres',
		"SELECT pg_is_in_recovery(), EXISTS (SELECT FROM pg_extension WHERE extname = 'pageinspect')");
	$node->safe_psql('postgres', 'CREATE EXTENSION pageinspect') if $installed eq 'f' && $recovery eq 'f';
	my $heap_sql =
	  defined $heap
	  ? "SET enable_indexscan = off; SET enable_bitmapscan = off;
		 SELECT 'heap:' || ((ctid::text::point)[0]::bigint * 65536 + (ctid::text::point)[1]::bigint) FROM $heap;"
	  : '';
	my $out = $node->safe_psql(
		'postgres', qq{
SELECT 'blocks:' || pg_relation_size('$index') / 8192;
SELECT encode(get_raw_page('$index', b::int), 'hex')
	FROM generate_series(0, pg_relation_size('$index') / 8192 - 1) b ORDER BY b;
$heap_sql
});
	my ($blocks, @pages, @heap_tids);
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^blocks:(\d+)$/) { $blocks = $1; }
		elsif ($line =~ /^heap:(\d+)$/) { push @heap_tids, $1; }
		else { push @pages, pack('H*', $line); }
	}
	return ([ "index $index has $blocks blocks, read " . scalar(@pages) ], \%stats)
	  unless @pages == $blocks && $blocks > 0;
	$stats{pages} = $blocks;

	# the metapage
	my $meta = $pages[0];
	my ($magic, $version, $dimensions, $m, $ef_construction) = unpack('V V V v v', substr($meta, 24, 16));
	my $entry = _tid($meta, 40);
	my $entry_level = unpack('s<', substr($meta, 46, 2));
	push @problems, sprintf('metapage magic %08x', $magic) if $magic != HNSW_MAGIC;
	push @problems, "metapage version $version" if $version != 1;
	push @problems, "metapage m $m" if $m < 2 || $m > 100;
	$stats{m} = $m;
	$stats{entry_level} = $entry_level;

	# element and neighbour tuples by TID (as a number)
	my (%elements, %neighbors);
	for my $block (1 .. $blocks - 1)
	{
		my $page = $pages[$block];
		if ($page eq "\0" x 8192)
		{
			$stats{zero_pages}++;
			next;
		}
		my ($lower, $upper, $special) = unpack('v v v', substr($page, 12, 6));
		my $page_id = unpack('v', substr($page, $special + 6, 2));
		if ($page_id != HNSW_PAGE_ID)
		{
			push @problems, sprintf('block %d: page id %04x', $block, $page_id);
			next;
		}
		for my $offset (1 .. ($lower - 24) / 4)
		{
			my $lp = unpack('V', substr($page, 24 + 4 * ($offset - 1), 4));
			my ($off, $flags, $len) = ($lp & 0x7FFF, ($lp >> 15) & 3, $lp >> 17);
			if ($flags != 1)
			{
				push @problems, "item $block/$offset is not normal (flags $flags)";
				next;
			}
			my $item = substr($page, $off, $len);
			my $type = unpack('C', $item);
			my $tid = $block * 65536 + $offset;
			if ($type == ELEMENT_TUPLE)
			{
				my ($level, $deleted, $count) = unpack('C C C', substr($item, 1, 3));
				$elements{$tid} = {
					level => $level,
					deleted => $deleted,
					neighbors => _tid($item, 4),
					heaptids => [ _tids($item, 10, $count) ]
				};
			}
			elsif ($type == NEIGHBOR_TUPLE)
			{
				my $count = unpack('v', substr($item, 2, 2));
				$neighbors{$tid} = [ _tids($item, 4, $count) ];
			}
			else
			{
				push @problems, "item $block/$offset has type $type";
			}
		}
	}

	if ($entry % 65536 == 0)
	{
		push @problems, 'no entry point, but elements'
		  if grep { $_->{deleted} != 2 } values %elements;
	}
	elsif (!$elements{$entry})
	{
		push @problems, 'entry point ' . _tid_text($entry) . ' is no element';
	}
	elsif ($elements{$entry}{deleted} == 2)
	{
		push @problems, 'entry point ' . _tid_text($entry) . ' is a free element';
	}
	elsif ($elements{$entry}{level} != $entry_level)
	{
		push @problems, 'entry point ' . _tid_text($entry) . " has level $elements{$entry}{level}, metapage says $entry_level";
	}

	my %heaptid_seen;
	my %linked_to;
	for my $tid (sort { $a <=> $b } keys %elements)
	{
		my $element = $elements{$tid};
		my $name = 'element ' . _tid_text($tid);
		$stats{elements}++;
		$stats{deleted}++ if $element->{deleted} == 1;
		$stats{free}++ if $element->{deleted} == 2;
		push @problems, "$name: deleted flag $element->{deleted}" if $element->{deleted} > 2;
		my $count = @{ $element->{heaptids} };
		push @problems, "$name: $count heap TIDs" if $count > MAX_PAYLOADS;
		push @problems, "$name: not deleted and no heap TID" if !$element->{deleted} && $count == 0;
		push @problems, "$name: deleted but $count heap TIDs" if $element->{deleted} && $count > 0;
		for my $heaptid (@{ $element->{heaptids} })
		{
			push @problems, 'heap TID ' . _tid_text($heaptid) . ' in elements ' . _tid_text($heaptid_seen{$heaptid}) . ' and ' . _tid_text($tid)
			  if $heaptid_seen{$heaptid};
			$heaptid_seen{$heaptid} = $tid;
			$stats{heaptids}++;
		}
		$stats{max_level} = $element->{level} if $element->{level} > ($stats{max_level} // -1);

		my $slots = $neighbors{ $element->{neighbors} };
		if (!$slots)
		{
			push @problems, "$name: neighbour tuple " . _tid_text($element->{neighbors}) . ' missing';
			next;
		}
		if (@$slots != ($element->{level} + 2) * $m)
		{
			push @problems, "$name: " . scalar(@$slots) . " neighbour slots at level $element->{level}";
			next;
		}
		for my $layer (0 .. $element->{level})
		{
			my ($first, $capacity) = $layer == 0 ? (0, 2 * $m) : (2 * $m + ($layer - 1) * $m, $m);
			my $ended = 0;
			my %linked;
			for my $slot (@$slots[ $first .. $first + $capacity - 1 ])
			{
				if ($slot % 65536 == 0)
				{
					$ended = 1;
					next;
				}
				$stats{links}++;
				my $target = $elements{$slot};
				if ($ended)
				{
					push @problems, "$name layer $layer: link " . _tid_text($slot) . ' after an empty slot';
				}
				elsif (!$target)
				{
					push @problems, "$name layer $layer: link to " . _tid_text($slot) . ', no element';
				}
				elsif ($target->{level} < $layer)
				{
					push @problems, "$name layer $layer: link to " . _tid_text($slot) . " of level $target->{level}";
				}
				elsif ($slot == $tid)
				{
					push @problems, "$name layer $layer: link to itself";
				}
				elsif ($element->{deleted} == 2)
				{
					push @problems, "$name layer $layer: a free element with a link";
				}
				elsif ($target->{deleted} == 2)
				{
					push @problems, "$name layer $layer: link to free element " . _tid_text($slot);
				}
				push @problems, "$name layer $layer: link to " . _tid_text($slot) . ' twice'
				  if $linked{$slot}++;
				$linked_to{$slot} = 1 if $layer == 0;
			}
		}
	}

	# live elements no layer-0 list names (only an upper layer or the entry
	# point leads to them): a few are normal in HNSW, many are not
	$stats{no_inlink} = grep { $elements{$_}{deleted} == 0 && !$linked_to{$_} && $_ != $entry } keys %elements;

	if (defined $heap)
	{
		my %live = map { $_ => 1 } @heap_tids;
		$stats{heap_rows} = keys %live;
		my %indexed;
		for my $element (values %elements)
		{
			next if $element->{deleted};
			$indexed{$_} = 1 for @{ $element->{heaptids} };
		}
		my @missing = grep { !$indexed{$_} } sort { $a <=> $b } keys %live;
		push @problems, scalar(@missing) . ' heap rows in no element, e.g. (' . (_tid_text($missing[0]) =~ s{/}{,}r) . ')'
		  if @missing;
	}

	# at most 20 problems, then how many more
	if (@problems > 20)
	{
		my $more = @problems - 20;
		splice @problems, 20;
		push @problems, "... and $more more";
	}
	return (\@problems, \%stats);
}

1;
