-- Two swapped letters ("шпоена" for Шопена, "жотвнева" for Жовтнева) break most trigrams of a short
-- street name but keep its letters: a second key with the letters sorted lets the geocoder
-- recognise such typos (compared with trigram similarity too, at 0.9 of the weight).
CREATE FUNCTION geocode_letters(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(c, '' ORDER BY c COLLATE "C"), '')
      FROM regexp_split_to_table(replace(geocode_norm(s), ' ', ''), '') AS c
$$;

ALTER TABLE street ADD COLUMN name_letters text GENERATED ALWAYS AS (geocode_letters(name)) STORED;
CREATE INDEX street_name_letters_trgm_idx ON street USING gin (name_letters gin_trgm_ops);
