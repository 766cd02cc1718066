-- pg_restore computes street.name_letters with an empty search_path, where geocode_letters' call
-- of geocode_norm cannot be found and the whole restore fails. The schema-qualified call resolves
-- anywhere; no SET search_path on the function, so SQL can still inline it.
CREATE OR REPLACE FUNCTION geocode_letters(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(c, '' ORDER BY c COLLATE "C"), '')
      FROM regexp_split_to_table(replace(public.geocode_norm(s), ' ', ''), '') AS c
$$;
