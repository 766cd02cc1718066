// Placeholder until the generator lands: the demo city is loaded by gis-data/seed.ts.
import type { Db } from '../server/db/db.ts';
export async function seedIfEmpty(_db: Db, _preset: string, _log: (m: string) => void): Promise<void> {}
