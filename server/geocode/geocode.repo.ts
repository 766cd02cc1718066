// All SQL of address search. Streets are ranked first (trigram word similarity on the folded name,
// geocode_norm in migration 070), then houses on the best streets: exact number, then prefix.
import type { Db } from '../db/db.ts';
import type { ParsedQuery } from './parse.ts';

export interface GeocodeHit {
  buildingId: number;
  address: string;
  district: string | null;
  lon: number;
  lat: number;
  score: number;
}

export interface BuildingFeature {
  type: 'Feature';
  id: number;
  properties: { address: string; district: string | null; floors: number; apartments: number };
  geometry: { type: string; coordinates: unknown };
}

/** Streets below this word similarity are not what the person meant… */
export const MIN_STREET_SIMILARITY = 0.4;
/** …unless nothing better exists: short names with two letters swapped ("шпоена") score ~0.3. */
export const FALLBACK_STREET_SIMILARITY = 0.25;
/** Streets whose sorted letters are this similar (migration 071: swapped letters) are candidates too. */
const LETTERS_SIMILARITY = 0.5;
/** Streets within this of the best word similarity count as equally meant. */
const STRONG_MARGIN = 0.1;
/** How many candidate streets the houses are looked up on. */
const STREETS = 8;

export function geocodeRepo(db: Db) {
  return {
    search: (q: ParsedQuery, limit: number, minSimilarity = MIN_STREET_SIMILARITY) =>
      // `<%` uses the trigram index on street.name_norm with the threshold set just for this
      // statement (SET LOCAL inside the one implicit transaction of a multi-statement query):
      // a seq scan computing word_similarity for every street costs ~70 ms on Kyiv's 3,400 streets.
      db.any<GeocodeHit>(`
        SET LOCAL pg_trgm.word_similarity_threshold = $5;
        SET LOCAL pg_trgm.similarity_threshold = ${LETTERS_SIMILARITY};
        WITH q AS (
          SELECT geocode_norm($1) AS street, geocode_house($2) AS house, $3::text AS kind,
                 substring($2 from '^\\d+')::int AS num
        ), streets AS (
          SELECT s.id,
                 greatest(word_similarity(q.street, s.name_norm),
                          0.9 * similarity(geocode_letters(q.street), s.name_letters)) AS wsim,
                 similarity(q.street, s.name_norm) AS sim,
                 (s.kind = q.kind) AS kind_match, s.kind = 'вулиця' AS plain, s.rank
            FROM street s, q
           WHERE q.street <% s.name_norm
              OR geocode_letters(q.street) % s.name_letters
           ORDER BY wsim DESC, kind_match DESC NULLS LAST, s.rank, sim DESC, plain DESC, s.id
           LIMIT ${STREETS}
        ), ranked AS (
          -- A prefix fits several streets equally ("незалежн"): the main street (rank 1) goes first.
          -- Streets about as good as the best one are what the person meant; within them the house
          -- number decides, and only then weaker streets follow.
          SELECT *, wsim >= max(wsim) OVER () - $6 AS strong,
                 row_number() OVER (ORDER BY wsim DESC, kind_match DESC NULLS LAST, rank, sim DESC, plain DESC, id) AS street_order
            FROM streets
        ), hits AS (
          SELECT b.id, b.address, b.house_number, b.district_id, b.centroid, st.wsim, st.sim, st.kind_match,
                 st.strong, st.street_order,
                 substring(b.house_number from '^\\d+')::int AS num,
                 CASE WHEN q.house IS NULL THEN 1
                      WHEN geocode_house(b.house_number) = q.house THEN 0
                      WHEN geocode_house(b.house_number) LIKE q.house || '%' THEN 1
                      ELSE 2 END AS house_rank
            FROM ranked st JOIN building b ON b.street_id = st.id, q
        )
        SELECT h.id AS "buildingId", h.address, d.name AS district,
               round(ST_X(h.centroid)::numeric, 7)::float8 AS lon, round(ST_Y(h.centroid)::numeric, 7)::float8 AS lat,
               round((0.7 * h.wsim + 0.1 * h.sim
                      + CASE WHEN h.kind_match THEN 0.05 ELSE 0 END
                      + CASE h.house_rank WHEN 0 THEN 0.15 WHEN 1 THEN 0.08 ELSE 0 END)::numeric, 3)::float8 AS score
          FROM hits h CROSS JOIN q LEFT JOIN district d ON d.id = h.district_id
         ORDER BY h.strong DESC, h.house_rank, h.street_order,
                  abs(h.num - q.num) NULLS LAST, h.num NULLS LAST, h.house_number
         LIMIT $4`,
        [q.street, q.house, q.kind, limit, minSimilarity, STRONG_MARGIN]),

    building: (id: number) =>
      db.oneOrNone<BuildingFeature>(`
        SELECT 'Feature' AS type, b.id,
               json_build_object('address', b.address, 'district', d.name, 'floors', b.floors, 'apartments', b.apartments) AS properties,
               ST_AsGeoJSON(b.geom, 7)::json AS geometry
          FROM building b LEFT JOIN district d ON d.id = b.district_id
         WHERE b.id = $1`, [id]),
  };
}
export type GeocodeRepo = ReturnType<typeof geocodeRepo>;
