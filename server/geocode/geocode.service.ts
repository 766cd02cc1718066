// Address search for the map's search box, the desk's "unknown caller" form and the announcements'
// "my building". Building addresses are public, so there is no role check.
import { notFound } from '../http/errors.ts';
import { parseAddressQuery } from './parse.ts';
import { FALLBACK_STREET_SIMILARITY, type GeocodeRepo } from './geocode.repo.ts';

export const MAX_QUERY = 200;
export const MAX_LIMIT = 50;

export function geocodeService(repo: GeocodeRepo) {
  return {
    /** Buildings for what a person typed (the route has checked its length and the limit). */
    async search(text: string, limit = 10) {
      const parsed = parseAddressQuery(text);
      // One letter matches every street; wait for the person to type more.
      if (parsed.street.replace(/\s/g, '').length < 2) return [];
      const hits = await repo.search(parsed, limit);
      return hits.length ? hits : repo.search(parsed, limit, FALLBACK_STREET_SIMILARITY);
    },
    async building(id: number) {
      const feature = await repo.building(id);
      if (!feature) throw notFound(`No building ${id}`);
      return feature;
    },
  };
}
export type GeocodeService = ReturnType<typeof geocodeService>;
