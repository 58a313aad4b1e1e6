-- Robustness of the input functions: thousands of randomly damaged text
-- literals and binary messages must each either be accepted, and then read
-- back to the same value, or fail with a data exception (class 22) or a
-- program limit (54000).  Any other outcome -- a crash, an internal error --
-- fails the test.  The damage is seeded, so every run tries the same inputs.

SELECT setseed(0.4242);

-- One random edit of s: insert, delete or replace a character from an
-- alphabet of the characters these literals are made of, duplicate a slice,
-- or cut the string short.
CREATE FUNCTION pg_temp.damage(s text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	alphabet constant text := '[]{}:/,.+-eE0123456789 nNaAiIfFxX';
	position int := 1 + floor(random() * (length(s) + 1))::int;
	symbol text := substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1);
	edit int := floor(random() * 5)::int;
BEGIN
	RETURN CASE edit
		WHEN 0 THEN overlay(s placing symbol from position for 0)
		WHEN 1 THEN overlay(s placing '' from position for 1)
		WHEN 2 THEN overlay(s placing symbol from position for 1)
		WHEN 3 THEN s || substr(s, position, 1 + floor(random() * 4)::int)
		ELSE left(s, position - 1)
	END;
END
$$;

-- The same for bytes: flip one byte, cut the message short or extend it.
CREATE FUNCTION pg_temp.damage_bytes(b bytea) RETURNS bytea
LANGUAGE plpgsql AS $$
DECLARE
	position int := floor(random() * length(b))::int;
	edit int := floor(random() * 4)::int;
BEGIN
	IF length(b) = 0 THEN
		RETURN decode(lpad(to_hex(floor(random() * 256)::int), 2, '0'), 'hex');
	END IF;
	RETURN CASE edit
		WHEN 0 THEN set_byte(b, position, floor(random() * 256)::int)
		WHEN 1 THEN set_byte(b, position, get_byte(b, position) # (1 << floor(random() * 8)::int))
		WHEN 2 THEN substr(b, 1, position)
		ELSE b || decode(lpad(to_hex(floor(random() * 65536)::int), 4, '0'), 'hex')
	END;
END
$$;

-- Parses text literals derived from seeds by 1 to 3 random edits; returns
-- whether every outcome was allowed and every accepted value round-tripped.
CREATE FUNCTION pg_temp.text_input_holds(type_name text, seeds text[], tries int)
RETURNS TABLE (type text, every_outcome_allowed bool, accepted_values_round_trip bool, some_accepted bool, some_rejected bool)
LANGUAGE plpgsql AS $$
DECLARE
	literal text;
	output text;
	same bool;
	allowed bool := true;
	round_trips bool := true;
	accepted int := 0;
	rejected int := 0;
BEGIN
	FOR i IN 1 .. tries LOOP
		literal := seeds[1 + floor(random() * array_length(seeds, 1))::int];
		FOR j IN 0 .. floor(random() * 3)::int LOOP
			literal := pg_temp.damage(literal);
		END LOOP;
		BEGIN
			EXECUTE format('SELECT %L::%s::text', literal, type_name) INTO output;
			EXECUTE format('SELECT %L::%s = %L::%s', output, type_name, literal, type_name) INTO same;
			round_trips := round_trips AND same;
			accepted := accepted + 1;
		EXCEPTION WHEN OTHERS THEN
			rejected := rejected + 1;
			IF left(SQLSTATE, 2) <> '22' AND SQLSTATE <> '54000' THEN
				RAISE NOTICE '% input % failed with %: %', type_name, literal, SQLSTATE, SQLERRM;
				allowed := false;
			END IF;
		END;
	END LOOP;
	RETURN QUERY SELECT type_name, allowed, round_trips, accepted > 0, rejected > 0;
END
$$;

SELECT * FROM pg_temp.text_input_holds('vector',
	ARRAY['[1,2,3]', '[-1.5e-3, 2.25E+2 ,0]', '[ 1 ]', '[3.4028235e38,-1e-45]'], 2000);
SELECT * FROM pg_temp.text_input_holds('halfvec',
	ARRAY['[1,2,3]', '[-1.5e-3, 2.25E+2 ,0]', '[65504,-6e-8]'], 2000);
SELECT * FROM pg_temp.text_input_holds('sparsevec',
	ARRAY['{1:1,3:2}/5', '{ 2 : -1.5e-3 , 7:4 }/ 10', '{}/3', '{1000000000:1}/1000000000'], 2000);

-- Binary input goes through COPY: a bytea written in binary COPY format is
-- its raw bytes, which COPY then hands to the type's receive function.
SELECT current_setting('data_directory') || '/vector_regress_input_robustness.bin' AS message_file \gset

CREATE FUNCTION pg_temp.binary_input_holds(type_name text, seeds bytea[], tries int, message_file text)
RETURNS TABLE (type text, every_outcome_allowed bool, accepted_values_resend_same_bytes bool, some_accepted bool, some_rejected bool)
LANGUAGE plpgsql AS $$
DECLARE
	message bytea;
	resent bytea;
	allowed bool := true;
	resends_same bool := true;
	accepted int := 0;
	rejected int := 0;
BEGIN
	EXECUTE format('CREATE TEMP TABLE received (v %s)', type_name);
	FOR i IN 1 .. tries LOOP
		message := seeds[1 + floor(random() * array_length(seeds, 1))::int];
		FOR j IN 0 .. floor(random() * 2)::int LOOP
			message := pg_temp.damage_bytes(message);
		END LOOP;
		EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', message, message_file);
		BEGIN
			TRUNCATE received;
			EXECUTE format('COPY received FROM %L WITH (FORMAT binary)', message_file);
			EXECUTE format('SELECT %s_send(v) FROM received', type_name) INTO resent;
			resends_same := resends_same AND resent = message;
			accepted := accepted + 1;
		EXCEPTION WHEN OTHERS THEN
			rejected := rejected + 1;
			IF left(SQLSTATE, 2) <> '22' AND SQLSTATE <> '54000' THEN
				RAISE NOTICE '% message % failed with %: %', type_name, message, SQLSTATE, SQLERRM;
				allowed := false;
			END IF;
		END;
	END LOOP;
	DROP TABLE received;
	RETURN QUERY SELECT type_name, allowed, resends_same, accepted > 0, rejected > 0;
END
$$;

SELECT * FROM pg_temp.binary_input_holds('vector',
	ARRAY[vector_send('[1,2,3]'), vector_send('[-0.5,1e-30,3e38,0]')], 1000, :'message_file');
SELECT * FROM pg_temp.binary_input_holds('halfvec',
	ARRAY[halfvec_send('[1,2,3]'), halfvec_send('[-0.5,6e-8,65504,0]')], 1000, :'message_file');
SELECT * FROM pg_temp.binary_input_holds('sparsevec',
	ARRAY[sparsevec_send('{1:1,3:2}/5'), sparsevec_send('{2:-0.5,9:1e30}/10'), sparsevec_send('{}/4')], 1000, :'message_file');
