// The product sets itself up from a checkout only root can enter (/root/project, mode 0700): its
// PostgreSQL cluster runs as the postgres user, who cannot, so the cluster goes where it can and the
// checkout's DATA_DIR/pg links to it. This provisions a real cluster for a copy of the project there.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../server/config.ts';
import { SHARED_CLUSTERS } from '../../server/db/cluster.ts';

const asRoot = process.getuid?.() === 0;
const PORT = 54359;

test('a copy of the project in a 0700 root folder starts its own PostGIS cluster and stops it', async () => {
  if (!asRoot) { console.log('  (not root: the postgres user question does not arise; skipped)'); return; }
  const base = mkdtempSync(join(existsSync('/root') ? '/root' : '/tmp', 'misto-anywhere-'));
  chmodSync(base, 0o700);
  const copy = join(base, 'project');
  let home = '';
  try {
    for (const part of ['server', 'package.json', 'tsconfig.json', 'migrations']) cpSync(join(root, part), join(copy, part), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const env = { ...process.env, PG_PORT: String(PORT), DATA_DIR: '', PG_DIR: '', DATABASE_URL: '' };
    // Started from inside the folder, as `npm run db:start` would be.
    const start = spawnSync('node', ['--import', 'tsx', 'server/cli/db.ts', 'start'], { cwd: copy, env, encoding: 'utf8' });
    assert.is(start.status, 0, start.stderr || start.stdout);
    assert.match(start.stdout, new RegExp(`postgres://misto:\\*\\*\\*@127\\.0\\.0\\.1:${PORT}/misto`));
    const link = join(copy, '.data', 'pg');
    assert.ok(lstatSync(link).isSymbolicLink(), 'DATA_DIR/pg links to the real cluster');
    home = readlinkSync(link);
    assert.ok(home.startsWith(SHARED_CLUSTERS + '/'), home);
    // The postgres user owns and can open it; the checkout stays closed to it.
    assert.is(spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-r', join(home, 'pgdata', 'PG_VERSION')], { cwd: '/' }).status, 0);
    assert.is.not(spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', copy], { cwd: '/' }).status, 0);
    const password = execFileSync('cat', [join(link, 'password')], { encoding: 'utf8' }).trim();
    const version = execFileSync('psql', ['-h', '127.0.0.1', '-p', String(PORT), '-U', 'misto', '-d', 'misto', '-Atqc',
      'CREATE EXTENSION IF NOT EXISTS postgis; SELECT postgis_lib_version()'], { env: { ...process.env, PGPASSWORD: password }, encoding: 'utf8' });
    assert.match(version.trim(), /^3\.\d+\.\d+$/);
    // Starting again is a no-op; stopping works through the link.
    assert.is(spawnSync('node', ['--import', 'tsx', 'server/cli/db.ts', 'start'], { cwd: copy, env }).status, 0);
    const stop = spawnSync('node', ['--import', 'tsx', 'server/cli/db.ts', 'stop'], { cwd: copy, env, encoding: 'utf8' });
    assert.is(stop.status, 0, stop.stderr);
    // The checkout removed and cloned again at the same path: its cluster is found and started again.
    rmSync(join(copy, '.data'), { recursive: true, force: true });
    const again = spawnSync('node', ['--import', 'tsx', 'server/cli/db.ts', 'start'], { cwd: copy, env, encoding: 'utf8' });
    assert.is(again.status, 0, again.stderr || again.stdout);
    assert.is(readlinkSync(link), home, 'the same cluster');
    assert.is(spawnSync('node', ['--import', 'tsx', 'server/cli/db.ts', 'stop'], { cwd: copy, env }).status, 0);
  } finally {
    spawnSync('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', join(home, 'pgdata'), '-m', 'immediate', 'stop'], { cwd: '/' });
    rmSync(base, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  }
});

test.run();
