/** A building found by GET /api/geocode. */
export interface GeocodeHit { buildingId: number; address: string; district: string | null; lon: number; lat: number; score: number }
