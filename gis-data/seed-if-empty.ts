// `npm start` on an empty database loads the demo city (SEED_PRESET, default "default"; "none" skips).
import type { Db } from '../server/db/db.ts';
import { seedCity, isCityEmpty, describe } from './generator/load.ts';
import { Progress } from './progress.ts';

export async function seedIfEmpty(db: Db, preset: string, log: (m: string) => void): Promise<void> {
  if (!preset || preset === 'none') return;
  if (!(await isCityEmpty(db))) return;
  log(`Empty database: loading the demo city (preset "${preset}", SEED_PRESET=none skips this)…`);
  const report = await seedCity(db, { preset, progress: new Progress((l) => process.stderr.write(l)), log });
  log(describe(report));
}
