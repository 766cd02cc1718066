// A CSV of historic appeals as another system would export it, for the city in the database: the
// sample file beside the importer (gis-data/sample-appeals.csv) and the import benchmark's input.
// Categories appear by code, by name and by the legacy names of the sample mapping file; statuses by
// the product's names and the mapping's; places as an address (written in several ways), as
// lat/lon, or not at all. Deterministic for the same database, seed and row count.
//   node --import tsx gis-data/import/sample-appeals.ts --database-url URL [--rows 20] [--now ISO] > file.csv
import { parseArgs } from 'node:util';
import type { Db } from '../../server/db/db.ts';
import { Rng } from '../generator/random.ts';

/** Legacy names the sample mapping file (gis-data/sample-appeals-mapping.csv) translates. */
export const LEGACY_STATUS = { closed: 'Виконано та закрито', rejected: 'Відмовлено', in_progress: 'На виконанні', planned: 'Відкладено' } as const;
export const LEGACY_CATEGORY: Record<string, string> = { 'no-hot-water': 'ГВП відсутнє', 'lift-broken': 'Ліфт', 'no-heating': 'Опалення відсутнє' };

const q = (s: string) => /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
const KYIV = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const kyiv = (ms: number) => KYIV.format(ms);

export async function sampleAppealsCsv(db: Db, o: { rows: number; seed?: string; now: Date; prefix?: string }, write: (chunk: string) => void | Promise<void>) {
  const rng = new Rng(`sample-appeals:${o.seed ?? '1'}`);
  const cats = await db.any<{ code: string; name: string; hours: number }>(`SELECT code, name, deadline_hours AS hours FROM category WHERE active ORDER BY id`);
  const execs = await db.any<{ code: string; name: string }>(`SELECT code, name FROM executor ORDER BY id`);
  const buildings = await db.any<{ street: string; kind: string; house: string; address: string; lon: number; lat: number; district: string }>(`
    SELECT s.name AS street, s.kind, b.house_number AS house, b.address, ST_X(b.centroid) AS lon, ST_Y(b.centroid) AS lat, d.name AS district
      FROM building b JOIN street s ON s.id = b.street_id LEFT JOIN district d ON d.id = b.district_id
     WHERE b.apartments > 0 ORDER BY b.id LIMIT 20000`);
  if (!cats.length || !buildings.length) throw new Error('The database holds no catalogue or no buildings: seed or import a city first');
  const prefix = o.prefix ?? 'OLD';
  const end = o.now.getTime() - 400 * 86_400_000, span = 3 * 365 * 86_400_000; // three years, ending before the demo year
  await write('number,registered_at,category,executor,status,address,lat,lon,district,due,closed,text\n');
  let chunk = '';
  for (let k = 1; k <= o.rows; k++) {
    const created = end - span + Math.floor((k / o.rows) * span) + rng.int(0, 3_600_000);
    const c = cats[rng.int(0, cats.length - 1)];
    const x = rng.next();
    const category = LEGACY_CATEGORY[c.code] && x < 0.3 ? LEGACY_CATEGORY[c.code] : x < 0.6 ? c.code : c.name;
    const executor = rng.chance(0.2) ? rng.pick(execs).code : '';
    const y = rng.next();
    const status = y < 0.86 ? (rng.chance(0.5) ? LEGACY_STATUS.closed : 'закрито') : y < 0.9 ? LEGACY_STATUS.rejected : y < 0.93 ? 'роз’яснено'
      : y < 0.96 ? 'виконано' : y < 0.98 ? LEGACY_STATUS.planned : LEGACY_STATUS.in_progress;
    const ended = ['в роботі', LEGACY_STATUS.in_progress, LEGACY_STATUS.planned].includes(status) ? '' :
      kyiv(created + Math.floor(c.hours * 3_600_000 * rng.range(0.1, rng.chance(0.01) ? 2 : 0.95)));
    const b = buildings[rng.int(0, buildings.length - 1)];
    const z = rng.next();
    const address = z < 0.35 ? b.address : z < 0.6 ? `${b.street} ${b.house}` : z < 0.7 ? `${b.kind} ${b.street}, буд. ${b.house}` : '';
    const [lat, lon] = z >= 0.7 && z < 0.95 ? [b.lat.toFixed(6), b.lon.toFixed(6)] : ['', ''];
    const due = rng.chance(0.5) ? kyiv(created + c.hours * 3_600_000) : '';
    chunk += `${prefix}/${new Date(created).getUTCFullYear()}/${String(k).padStart(7, '0')},${kyiv(created)},${q(category)},${executor},${q(status)},${q(address)},${lat},${lon},${z < 0.95 ? q(b.district ?? '') : ''},${due},${ended},${q(`Звернення ${k}: ${c.name}`)}\n`;
    if (chunk.length > 1 << 20) { await write(chunk); chunk = ''; }
  }
  await write(chunk);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, rows: { type: 'string', default: '20' }, now: { type: 'string' }, seed: { type: 'string' } } });
  const { connectForMaintenance } = await import('../../server/db/db.ts');
  const { databaseUrl } = await import('../../server/db/provision.ts');
  const db = connectForMaintenance(values['database-url'] ?? databaseUrl((m) => console.error(m)), 1);
  try {
    await sampleAppealsCsv(db, { rows: Number(values.rows), seed: values.seed, now: values.now ? new Date(values.now) : new Date() }, (c) => { process.stdout.write(c); });
  } finally {
    await db.$pool.end();
  }
}
