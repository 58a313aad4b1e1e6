-- vector 0.1.0 -> 0.8.6: adds what 0.8.6 has and 0.1.0 lacks, the hnsw and
-- ivfflat index access methods (handlers, support functions, operator
-- classes).  The types, functions, operators and casts of 0.1.0 are those
-- of 0.8.6 already.
\echo Use "ALTER EXTENSION vector UPDATE TO '0.8.6'" to load this file. \quit

-- Builds of the development branch between the two access methods' arrival
-- and the move to 0.8.6 installed the hnsw objects, and later the ivfflat
-- ones, under version 0.1.0.  So each access method's objects are created
-- only when that access method is not a member of the extension yet.  (The
-- objects EXECUTE creates here become members of the extension like any
-- other object an extension script creates.)

-- hnsw access method

DO $upgrade$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM pg_am am
		JOIN pg_depend dep ON dep.classid = 'pg_am'::regclass AND dep.objid = am.oid
			AND dep.refclassid = 'pg_extension'::regclass AND dep.deptype = 'e'
		JOIN pg_extension ext ON ext.oid = dep.refobjid AND ext.extname = 'vector'
		WHERE am.amname = 'hnsw')
	THEN
		EXECUTE $sql$
		CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;

		COMMENT ON ACCESS METHOD hnsw IS 'hnsw index access method';

		CREATE FUNCTION hnsw_halfvec_support(internal) RETURNS internal
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE FUNCTION hnsw_bit_support(internal) RETURNS internal
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE FUNCTION hnsw_sparsevec_support(internal) RETURNS internal
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE OPERATOR CLASS vector_l2_ops
			FOR TYPE vector USING hnsw AS
			OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_l2_squared_distance(vector, vector);

		CREATE OPERATOR CLASS vector_ip_ops
			FOR TYPE vector USING hnsw AS
			OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_negative_inner_product(vector, vector);

		CREATE OPERATOR CLASS vector_cosine_ops
			FOR TYPE vector USING hnsw AS
			OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_negative_inner_product(vector, vector),
			FUNCTION 2 vector_norm(vector);

		CREATE OPERATOR CLASS vector_l1_ops
			FOR TYPE vector USING hnsw AS
			OPERATOR 1 <+> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 l1_distance(vector, vector);

		CREATE OPERATOR CLASS halfvec_l2_ops
			FOR TYPE halfvec USING hnsw AS
			OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec),
			FUNCTION 3 hnsw_halfvec_support(internal);

		CREATE OPERATOR CLASS halfvec_ip_ops
			FOR TYPE halfvec USING hnsw AS
			OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
			FUNCTION 3 hnsw_halfvec_support(internal);

		CREATE OPERATOR CLASS halfvec_cosine_ops
			FOR TYPE halfvec USING hnsw AS
			OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
			FUNCTION 2 l2_norm(halfvec),
			FUNCTION 3 hnsw_halfvec_support(internal);

		CREATE OPERATOR CLASS halfvec_l1_ops
			FOR TYPE halfvec USING hnsw AS
			OPERATOR 1 <+> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 l1_distance(halfvec, halfvec),
			FUNCTION 3 hnsw_halfvec_support(internal);

		CREATE OPERATOR CLASS sparsevec_l2_ops
			FOR TYPE sparsevec USING hnsw AS
			OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
			FUNCTION 1 sparsevec_l2_squared_distance(sparsevec, sparsevec),
			FUNCTION 3 hnsw_sparsevec_support(internal);

		CREATE OPERATOR CLASS sparsevec_ip_ops
			FOR TYPE sparsevec USING hnsw AS
			OPERATOR 1 <#> (sparsevec, sparsevec) FOR ORDER BY float_ops,
			FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
			FUNCTION 3 hnsw_sparsevec_support(internal);

		CREATE OPERATOR CLASS sparsevec_cosine_ops
			FOR TYPE sparsevec USING hnsw AS
			OPERATOR 1 <=> (sparsevec, sparsevec) FOR ORDER BY float_ops,
			FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
			FUNCTION 2 l2_norm(sparsevec),
			FUNCTION 3 hnsw_sparsevec_support(internal);

		CREATE OPERATOR CLASS sparsevec_l1_ops
			FOR TYPE sparsevec USING hnsw AS
			OPERATOR 1 <+> (sparsevec, sparsevec) FOR ORDER BY float_ops,
			FUNCTION 1 l1_distance(sparsevec, sparsevec),
			FUNCTION 3 hnsw_sparsevec_support(internal);

		CREATE OPERATOR CLASS bit_hamming_ops
			FOR TYPE bit USING hnsw AS
			OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
			FUNCTION 1 hamming_distance(bit, bit),
			FUNCTION 3 hnsw_bit_support(internal);

		CREATE OPERATOR CLASS bit_jaccard_ops
			FOR TYPE bit USING hnsw AS
			OPERATOR 1 <%> (bit, bit) FOR ORDER BY float_ops,
			FUNCTION 1 jaccard_distance(bit, bit),
			FUNCTION 3 hnsw_bit_support(internal);
		$sql$;
	END IF;
END
$upgrade$;

-- ivfflat access method

DO $upgrade$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM pg_am am
		JOIN pg_depend dep ON dep.classid = 'pg_am'::regclass AND dep.objid = am.oid
			AND dep.refclassid = 'pg_extension'::regclass AND dep.deptype = 'e'
		JOIN pg_extension ext ON ext.oid = dep.refobjid AND ext.extname = 'vector'
		WHERE am.amname = 'ivfflat')
	THEN
		EXECUTE $sql$
		CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;

		COMMENT ON ACCESS METHOD ivfflat IS 'ivfflat index access method';

		CREATE FUNCTION ivfflat_halfvec_support(internal) RETURNS internal
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE FUNCTION ivfflat_bit_support(internal) RETURNS internal
			AS 'MODULE_PATHNAME' LANGUAGE C;

		CREATE OPERATOR CLASS vector_l2_ops
			DEFAULT FOR TYPE vector USING ivfflat AS
			OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_l2_squared_distance(vector, vector),
			FUNCTION 3 l2_distance(vector, vector);

		CREATE OPERATOR CLASS vector_ip_ops
			FOR TYPE vector USING ivfflat AS
			OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_negative_inner_product(vector, vector),
			FUNCTION 3 vector_spherical_distance(vector, vector),
			FUNCTION 4 vector_norm(vector);

		CREATE OPERATOR CLASS vector_cosine_ops
			FOR TYPE vector USING ivfflat AS
			OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
			FUNCTION 1 vector_negative_inner_product(vector, vector),
			FUNCTION 2 vector_norm(vector),
			FUNCTION 3 vector_spherical_distance(vector, vector),
			FUNCTION 4 vector_norm(vector);

		CREATE OPERATOR CLASS halfvec_l2_ops
			FOR TYPE halfvec USING ivfflat AS
			OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec),
			FUNCTION 3 l2_distance(halfvec, halfvec),
			FUNCTION 5 ivfflat_halfvec_support(internal);

		CREATE OPERATOR CLASS halfvec_ip_ops
			FOR TYPE halfvec USING ivfflat AS
			OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
			FUNCTION 3 halfvec_spherical_distance(halfvec, halfvec),
			FUNCTION 4 l2_norm(halfvec),
			FUNCTION 5 ivfflat_halfvec_support(internal);

		CREATE OPERATOR CLASS halfvec_cosine_ops
			FOR TYPE halfvec USING ivfflat AS
			OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
			FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
			FUNCTION 2 l2_norm(halfvec),
			FUNCTION 3 halfvec_spherical_distance(halfvec, halfvec),
			FUNCTION 4 l2_norm(halfvec),
			FUNCTION 5 ivfflat_halfvec_support(internal);

		CREATE OPERATOR CLASS bit_hamming_ops
			FOR TYPE bit USING ivfflat AS
			OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
			FUNCTION 1 hamming_distance(bit, bit),
			FUNCTION 3 hamming_distance(bit, bit),
			FUNCTION 5 ivfflat_bit_support(internal);
		$sql$;
	END IF;
END
$upgrade$;
