-- Address search (GET /api/geocode). People type street names in every form: lower or upper case,
-- with any of the three apostrophes or none, on a Russian keyboard layout (ы/и for і, э for е),
-- with "вул."/"просп." or without. geocode_norm folds those differences away so that a trigram
-- comparison only sees real typos. The query side runs through the same function (see geocode.repo.ts).
CREATE FUNCTION geocode_norm(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT btrim(regexp_replace(
      translate(lower(s), 'іїыєэёґ’ʼ''`‘ъ', 'иииееег'),
      '[^[:alnum:]/]+', ' ', 'g'))
$$;

-- Street names are few (thousands even in Kyiv): the geocoder ranks streets first, then picks the
-- house on the winners through building (street_id, house_number).
ALTER TABLE street ADD COLUMN name_norm text GENERATED ALWAYS AS (geocode_norm(name)) STORED;
CREATE INDEX street_name_norm_trgm_idx ON street USING gin (name_norm gin_trgm_ops);

-- "12-А", "12 а" and "12а" are one house number.
CREATE FUNCTION geocode_house(s text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(lower(regexp_replace(s, '[\s\-]+', '', 'g')), 'abvgdeіїє', 'абвгдеиие')
$$;
