// Backups on a real PostGIS: a city with appeals, residents, a call and its recordings goes into one
// archive and comes back whole in a new database and recordings folder; a tampered, cut or foreign
// archive, a non-empty database and a different recording of the same name are refused before
// anything is written; an older backup is migrated forward; the CLIs answer in one line.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { root } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { loadMigrations, migrate, migrationsDir } from '../../server/db/migrate.ts';
import { wavFile } from '../../server/telephony/simulator/wav.ts';
import {
  BackupError, backupName, createBackup, pruneBackups, restoreBackup, verifyBackup, type BackupReport,
} from '../../server/ops/backup.ts';
import { admin, emptyDb, migratedDb, urlOf } from '../helpers/db.ts';
import { startApi } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { PASSWORD } from '../helpers/users.ts';
import { TEST_NOW, testClock } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

const work = mkdtempSync(join(tmpdir(), 'misto-backup-test-'));
const srcRec = join(work, 'recordings');
const REC1 = '1700000000.42.wav';
const REC2 = '2026/11/20/1700000000.42-operator.wav';
const WAV1 = wavFile(0.5);
const WAV2 = wavFile(0.8, 16000);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let src: { db: Db; url: string; name: string };
let backup: BackupReport;
let appealIds: number[] = [];
const created = `t_backup_created_${process.pid}`;

/** What must survive a backup: appeals, their history, residents with phones, calls and recordings, users. */
async function contents(db: Db) {
  return {
    appeals: await db.any(`SELECT id, number, text, status, answer, channel, caller_phone, resident_id, building_id, apartment,
      category_id, executor_id, call_id, operator_id, due_at, created_at, updated_at, done_at, ST_AsText(point) AS point FROM appeal ORDER BY id`),
    events: await db.any('SELECT e.id, a.number, e.kind, e.data, e.at, u.login FROM appeal_event e JOIN appeal a ON a.id = e.appeal_id LEFT JOIN app_user u ON u.id = e.actor_id ORDER BY e.id'),
    residents: await db.any(`SELECT r.id, r.full_name, r.building_id, r.apartment, array_agg(p.phone ORDER BY p.phone) AS phones
      FROM resident r LEFT JOIN resident_phone p ON p.resident_id = r.id GROUP BY r.id ORDER BY r.id`),
    calls: await db.any('SELECT id, uniqueid, caller_phone, queue, resident_id, answered_at, hungup_at FROM call ORDER BY id'),
    recordings: await db.any('SELECT id, call_id, path, bytes, started_at, ended_at FROM recording ORDER BY id'),
    users: await db.any('SELECT id, login, role, executor_id, password_hash FROM app_user ORDER BY id'),
    buildings: await db.any('SELECT id, address, ST_AsText(geom) AS geom FROM building ORDER BY id'),
  };
}

const publicTables = (db: Db) => db.map(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`, [], (r) => r.tablename);

async function refused(p: Promise<unknown>, message: RegExp) {
  try { await p; } catch (e) {
    assert.instance(e, BackupError, String(e));
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected a refusal matching ${message}`);
}

test.before(async () => {
  src = await migratedDb('backup_src');
  await seedCity(src.db);
  const b = builder(src.db);
  await b.resident({ id: 2, fullName: 'Гнатюк Богдан Іванович', building: CITY.buildingPasichna, apartment: '17', phones: ['+380671234567', '+380931112233'] });
  const talk = { startedAt: TEST_NOW, endedAt: new Date(TEST_NOW.getTime() + 3 * 60_000) };
  const operator = await src.db.one<{ id: number }>(`SELECT id FROM app_user WHERE login = 'operator1'`);
  const call = await b.call({ uniqueid: '1700000000.42', callerPhone: CITY.residentPhone, queue: '1580', resident: CITY.resident, answeredAt: talk.startedAt, hungupAt: talk.endedAt, operator: operator.id });
  mkdirSync(join(srcRec, '2026/11/20'), { recursive: true });
  writeFileSync(join(srcRec, REC1), WAV1);
  writeFileSync(join(srcRec, REC2), WAV2);
  await b.recording({ call, path: REC1, ...talk, bytes: WAV1.length });
  await b.recording({ call, path: REC2, ...talk, bytes: WAV2.length });
  await b.recording({ call, path: 'lost/1700000000.43.wav', startedAt: TEST_NOW });

  // Appeals registered and worked on through the product's own API.
  const api = await startApi(src.db, { recordingsDir: srcRec });
  try {
    const op = client(api.url);
    assert.is((await op.signIn('operator1', PASSWORD)).status, 200);
    const reg = async (body: Record<string, unknown>) => {
      const res = await op.post('/api/appeals', body);
      assert.is(res.status, 201);
      return (await res.json()).id as number;
    };
    appealIds = [
      await reg({ categoryId: CITY.roofLeak, residentId: CITY.resident, callId: call, text: 'Тече дах над кухнею після дощу' }),
      await reg({ categoryId: CITY.garbage, buildingId: CITY.buildingCentre, text: 'Сміття не вивозять тиждень' }),
      await reg({ categoryId: CITY.noWater, residentId: 2, phone: '+380671234567', text: 'Немає холодної води з ранку' }),
    ];
    const zhek = client(api.url);
    assert.is((await zhek.signIn('zhek1', PASSWORD)).status, 200);
    const patch = (body: unknown) => zhek.fetch(`/api/appeals/${appealIds[0]}`, { method: 'PATCH', body: JSON.stringify(body) });
    assert.is((await patch({ status: 'in_progress' })).status, 200);
    assert.is((await patch({ status: 'done', answer: 'Покрівлю полатано, протікання усунуто' })).status, 200);
  } finally {
    await api.close();
  }
});

test.after(async () => {
  await admin().none('DROP DATABASE IF EXISTS $1:name', [created]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

test('a backup is one tar archive: the dump, the recordings and a manifest describing both', async () => {
  const dir = join(work, 'backups');
  backup = await createBackup({ databaseUrl: src.url, recordingsDir: srcRec, dir, clock: testClock() });
  assert.is(backup.file, join(dir, 'misto-backup-20261120T100000Z.tar'));
  assert.is(backupName(TEST_NOW), 'misto-backup-20261120T100000Z.tar');
  assert.equal(readdirSync(dir), ['misto-backup-20261120T100000Z.tar'], 'no temporary folder or partial file is left');
  assert.is(statSync(backup.file).mode & 0o777, 0o600, 'residents’ data: readable by its owner only');

  const m = backup.manifest;
  assert.is(m.format, 'misto-backup');
  assert.is(m.formatVersion, 1);
  assert.equal(m.product, { name: 'misto', version: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version });
  assert.is(m.createdAt, TEST_NOW.toISOString());
  assert.is(m.database.name, src.name);
  assert.match(m.database.serverVersion, /^15\./);
  assert.match(m.database.postgis ?? '', /^3\./);
  assert.equal(m.database.migrations.map((x) => x.name), loadMigrations().map((x) => x.name));
  const events = await src.db.one('SELECT count(*)::int AS n FROM appeal_event', [], (r) => r.n);
  assert.ok(events >= 8, 'registration and status events');
  assert.equal(m.database.rowCounts, {
    appeal: 3, appeal_event: events, resident: 2, resident_phone: 3, building: 3, call: 1, recording: 3, announcement: 0, app_user: 6,
  });
  assert.equal(m.recordings, { files: 2, bytes: WAV1.length + WAV2.length, missing: ['lost/1700000000.43.wav'] });
  const rec = m.files.filter((f) => f.path.startsWith('recordings/'));
  assert.equal(rec, [
    { path: `recordings/${REC1}`, bytes: WAV1.length, sha256: sha(WAV1) },
    { path: `recordings/${REC2}`, bytes: WAV2.length, sha256: sha(WAV2) },
  ]);
  const dump = m.files.find((f) => f.path === 'database.dump');
  assert.ok(dump && dump.bytes > 10_000);

  // A plain tar: the system's own tar lists it, and the dump inside is pg_dump's custom format.
  const listed = spawnSync('tar', ['-tf', backup.file], { encoding: 'utf8' });
  assert.is(listed.status, 0);
  assert.equal(listed.stdout.trim().split('\n').sort(), ['database.dump', 'manifest.json', `recordings/${REC1}`, `recordings/${REC2}`]);
  const head = spawnSync('tar', ['-xOf', backup.file, 'database.dump'], { maxBuffer: 64 << 20 }).stdout as Buffer;
  assert.is(head.subarray(0, 5).toString(), 'PGDMP');
  assert.is((await verifyBackup(backup.file)).manifest.createdAt, m.createdAt);
});

test('restoring into a new empty database brings back the same appeals, residents and recordings', async () => {
  const dst = await emptyDb('backup_dst');
  const dstRec = join(work, 'restored-recordings');
  const r = await restoreBackup(backup.file, { databaseUrl: dst.url, recordingsDir: dstRec });
  assert.is(r.created, false);
  assert.ok(r.countsMatch, JSON.stringify(r.counts));
  assert.equal(r.counts.find((c) => c.table === 'appeal'), { table: 'appeal', expected: 3, restored: 3 });
  assert.equal(r.migrationsApplied, [], 'a backup of this version needs no migration');
  assert.equal(r.recordings, { restored: 2, alreadyPresent: 0, missing: ['lost/1700000000.43.wav'] });

  const before = await contents(src.db);
  const after = await contents(dst.db);
  assert.equal(after, before);
  assert.equal(after.appeals.map((a) => a.status), ['done', 'new', 'new']);
  assert.is(after.appeals[0].answer, 'Покрівлю полатано, протікання усунуто');
  assert.equal(after.residents[1].phones, ['+380671234567', '+380931112233']);
  assert.ok(readFileSync(join(dstRec, REC1)).equals(WAV1));
  assert.ok(readFileSync(join(dstRec, REC2)).equals(WAV2));
  assert.is(existsSync(join(dstRec, 'lost')), false);

  // The product works on the restored city: same detail, the recording streams, sequences go on.
  const [srcApi, dstApi] = [await startApi(src.db, { recordingsDir: srcRec }), await startApi(dst.db, { recordingsDir: dstRec })];
  try {
    const [a, b] = [client(srcApi.url), client(dstApi.url)];
    assert.is((await a.signIn('operator1', PASSWORD)).status, 200);
    assert.is((await b.signIn('operator1', PASSWORD)).status, 200, 'users and their passwords came back');
    for (const id of appealIds) {
      assert.equal(await (await b.get(`/api/appeals/${id}`)).json(), await (await a.get(`/api/appeals/${id}`)).json());
    }
    const recId = after.recordings.find((x) => x.path === REC2).id;
    const audio = await b.get(`/api/recordings/${recId}`);
    assert.is(audio.status, 200);
    assert.ok(Buffer.from(await audio.arrayBuffer()).equals(WAV2));
    const res = await b.post('/api/appeals', { categoryId: CITY.roofLeak, residentId: 2, text: 'Тече дах у підʼїзді' });
    assert.is(res.status, 201);
    const next = await res.json();
    assert.ok(next.id > Math.max(...appealIds), 'the id sequence continues after the restored rows');
    assert.not.ok(after.appeals.some((x) => x.number === next.number), 'a new number, not a restored one');
  } finally {
    await srcApi.close();
    await dstApi.close();
  }
});

test('a tampered, cut, foreign or padded archive is refused before anything is written', async () => {
  const dst = await emptyDb('backup_tampered');
  const dstRec = join(work, 'tampered-recordings');
  const bytes = readFileSync(backup.file);
  const at = bytes.indexOf(WAV2.subarray(2000, 2100));
  assert.ok(at > 0);
  const tampered = Buffer.from(bytes);
  tampered[at + 10] ^= 0x01; // one bit of one recording
  const file = (name: string, data: Buffer) => { const p = join(work, name); writeFileSync(p, data); return p; };
  const opts = { databaseUrl: dst.url, recordingsDir: dstRec };

  await refused(restoreBackup(file('tampered.tar', tampered), opts), new RegExp(`checksum mismatch for recordings/${REC2}`));
  await refused(restoreBackup(file('cut.tar', bytes.subarray(0, Math.floor(bytes.length / 2))), opts), /not a readable backup archive|no manifest/);
  await refused(restoreBackup(join(root, 'package.json'), opts), /not a readable backup archive/);
  await refused(restoreBackup(join(work, 'no-such-backup.tar'), opts), /no-such-backup\.tar does not exist/);
  const padded = file('padded.tar', bytes);
  writeFileSync(join(work, 'extra.sql'), 'DROP TABLE appeal;');
  await tar.r({ file: padded, cwd: work }, ['extra.sql']);
  await refused(restoreBackup(padded, opts), /extra\.sql is in the archive but not in the manifest/);

  assert.equal(await publicTables(dst.db), [], 'the target database was not touched');
  assert.is(existsSync(dstRec), false, 'no recording was written');
});

test('a database that has tables, and a different recording of the same name, are refused', async () => {
  const appeals = await src.db.one('SELECT count(*)::int AS n FROM appeal', [], (r) => r.n);
  await refused(restoreBackup(backup.file, { databaseUrl: src.url, recordingsDir: join(work, 'unused') }),
    new RegExp(`database ${src.name} on 127\\.0\\.0\\.1:\\d+ is not empty \\(\\d+ table\\(s\\) in schema public`));
  assert.is(await src.db.one('SELECT count(*)::int AS n FROM appeal', [], (r) => r.n), appeals);

  const dst = await emptyDb('backup_conflict');
  const dir = join(work, 'conflict-recordings');
  mkdirSync(dir);
  writeFileSync(join(dir, REC1), wavFile(0.2));
  await refused(restoreBackup(backup.file, { databaseUrl: dst.url, recordingsDir: dir }), /1 recording\(s\) in .* differ from the backup's .*refusing to overwrite/);
  assert.equal(await publicTables(dst.db), []);
  assert.ok(readFileSync(join(dir, REC1)).equals(wavFile(0.2)), 'the other file is untouched');
  assert.equal(readdirSync(dir), [REC1]);

  // The same file already in place is fine: it is kept, the rest restored.
  writeFileSync(join(dir, REC1), WAV1);
  const r = await restoreBackup(backup.file, { databaseUrl: dst.url, recordingsDir: dir });
  assert.equal(r.recordings, { restored: 1, alreadyPresent: 1, missing: ['lost/1700000000.43.wav'] });
  assert.ok(readFileSync(join(dir, REC2)).equals(WAV2));
  assert.equal(readdirSync(join(dir, '2026/11/20')), ['1700000000.42-operator.wav'], 'no temporary file is left');
});

test('a backup of an older version is migrated forward in a database the restore creates', async () => {
  const all = loadMigrations();
  const older = join(work, 'older-migrations');
  mkdirSync(older);
  const cut = all.findIndex((m) => m.name.startsWith('030_'));
  assert.ok(cut > 0);
  for (const m of all.slice(0, cut)) copyFileSync(join(migrationsDir, m.name), join(older, m.name));
  const old = await emptyDb('backup_old');
  await migrate(old.db, older);
  const file = join(work, 'older.tar');
  const b = await createBackup({ databaseUrl: old.url, recordingsDir: join(work, 'no-recordings-here'), out: file });
  assert.is(b.manifest.database.migrations.length, cut);
  assert.equal(b.manifest.recordings, { files: 0, bytes: 0, missing: [] });

  const r = await restoreBackup(file, { databaseUrl: urlOf('postgres'), create: created, recordingsDir: join(work, 'older-recordings') });
  assert.is(r.created, true);
  assert.match(r.database, new RegExp(`^${created} on `));
  assert.equal(r.migrationsApplied, all.slice(cut).map((m) => m.name));
  assert.ok(r.countsMatch);
  const restored = await admin().one('SELECT 1 AS ok FROM pg_database WHERE datname = $1', [created]);
  assert.is(restored.ok, 1);
  await refused(restoreBackup(file, { databaseUrl: urlOf('postgres'), create: created, recordingsDir: join(work, 'older-recordings') }),
    new RegExp(`database "${created}" already exists`));
});

test('the manifest’s counts are those of the dump while the product keeps writing', async () => {
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      await src.db.none(`INSERT INTO resident (full_name, building_id, apartment) VALUES ($1, 2, $2)`, [`Мешканець ${written}`, String(written)]);
      written++;
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  let b: BackupReport;
  try {
    b = await createBackup({ databaseUrl: src.url, recordingsDir: srcRec, out: join(work, 'busy.tar') });
  } finally {
    writing = false;
    await writer;
  }
  const total = await src.db.one('SELECT count(*)::int AS n FROM resident', [], (r) => r.n);
  assert.ok(b.manifest.database.rowCounts.resident! > 2, 'rows written before the backup are in it');
  assert.ok(total > b.manifest.database.rowCounts.resident!, 'rows were written after the snapshot');
  const dst = await emptyDb('backup_busy');
  const r = await restoreBackup(b.file, { databaseUrl: dst.url, recordingsDir: join(work, 'busy-recordings') });
  assert.ok(r.countsMatch, JSON.stringify(r.counts));
});

test('pg_dump missing, an existing output file and old backups', async () => {
  await refused(createBackup({ databaseUrl: src.url, recordingsDir: srcRec, out: join(work, 'x.tar'), pgBin: '/nonexistent/bin' }),
    /pg_dump is missing \(\/nonexistent\/bin\/pg_dump\)/);
  await refused(createBackup({ databaseUrl: src.url, recordingsDir: srcRec, out: backup.file }), /already exists/);

  // Backups written into the recordings folder (or a folder inside it) stay out of the next ones.
  const rec = join(work, 'rec-with-backups');
  mkdirSync(rec);
  writeFileSync(join(rec, REC1), WAV1);
  const clock = testClock();
  await createBackup({ databaseUrl: src.url, recordingsDir: rec, dir: rec, clock });
  clock.advance(3600_000);
  const second = await createBackup({ databaseUrl: src.url, recordingsDir: rec, dir: rec, clock });
  await createBackup({ databaseUrl: src.url, recordingsDir: rec, dir: join(rec, 'nightly'), clock });
  clock.advance(3600_000);
  const fourth = await createBackup({ databaseUrl: src.url, recordingsDir: rec, dir: join(rec, 'nightly'), clock });
  assert.equal(second.manifest.files.filter((f) => f.path.startsWith('recordings/')).map((f) => f.path), [`recordings/${REC1}`]);
  assert.equal(fourth.manifest.files.filter((f) => f.path.startsWith('recordings/nightly/')), []);
  assert.equal(readdirSync(rec).sort(), [REC1, 'misto-backup-20261120T100000Z.tar', 'misto-backup-20261120T110000Z.tar', 'nightly']);

  const dir = join(work, 'nightly');
  mkdirSync(dir);
  const names = [18, 19, 20, 21, 22].map((d) => `misto-backup-202611${d}T020000Z.tar`);
  for (const n of [...names, 'notes.txt', 'misto-backup-20261123T020000Z.tar.partial']) writeFileSync(join(dir, n), '');
  assert.equal(pruneBackups(dir, 2), names.slice(0, 3).reverse().map((n) => join(dir, n)));
  assert.equal(readdirSync(dir).sort(), [...names.slice(3), 'misto-backup-20261123T020000Z.tar.partial', 'notes.txt'].sort());
});

test('the CLIs: a report on success, one line and exit code 1 on refusal, no password printed', () => {
  const cli = (name: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'server/cli', name), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, RECORDINGS_DIR: srcRec, BACKUP_DIR: join(work, 'cli-backups') },
  });
  const password = decodeURIComponent(new URL(src.url).password);
  const made = cli('backup.ts', ['--database-url', src.url, '--out', join(work, 'cli.tar')]);
  assert.is(made.status, 0, made.stderr);
  assert.match(made.stdout, /Backup .*cli\.tar \(\d+\.\d MB/);
  assert.match(made.stdout, /recordings: 2 file\(s\), .*1 referenced but missing, e\.g\. lost\/1700000000\.43\.wav/);
  assert.not.ok(made.stdout.includes(password) || made.stderr.includes(password));

  const verified = cli('restore.ts', [join(work, 'cli.tar'), '--verify']);
  assert.is(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /intact, 3 file\(s\) match their checksums/);

  for (const [args, reason] of [
    [[join(work, 'no-such.tar')], /^restore: .*no-such\.tar does not exist$/],
    [[join(work, 'tampered.tar'), '--database-url', src.url], /^restore: .*checksum mismatch for recordings\//],
    [[join(work, 'cli.tar'), '--database-url', src.url], /^restore: The database .* is not empty/],
  ] as [string[], RegExp][]) {
    const r = cli('restore.ts', args);
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), reason);
    assert.not.ok(r.stderr.includes(password));
  }
  const again = cli('backup.ts', ['--database-url', src.url, '--out', join(work, 'cli.tar')]);
  assert.is(again.status, 1);
  assert.match(again.stderr.trim(), /^backup: .*cli\.tar already exists$/);
});

test.run();
