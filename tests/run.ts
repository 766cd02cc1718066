// Runs every tests/**/*.test.ts (or those whose path contains an argument) with uvu, in one
// process, one file after another, then closes the pools the helpers opened. A file that fails to
// load, or whose hooks throw, is reported with its real error and counted as failed; the rest still
// run. The last line is always "N passed, N failed, N skipped". With only `unit` or `unit/…`
// arguments the run is the fast tier: no test database may be touched (tests/helpers/db.ts refuses).
import './helpers/runner-setup.ts';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { closeAll } from './helpers/db.ts';
import { hookFailures, reportFailure, setCurrentFile } from './helpers/uvu.ts';
import { TEST_NOW } from './helpers/clock.ts';

const dir = import.meta.dirname;
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
if (filters.length && filters.every((f) => f === 'unit' || f.startsWith('unit/'))) process.env.MISTO_TESTS_WITHOUT_DB = '1';
const files: string[] = [];
(function walk(d: string) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts') && (!filters.length || filters.some((f) => relative(dir, p).includes(f)))) files.push(p);
  }
})(dir);

const g = globalThis as unknown as { UVU_INDEX: number; UVU_QUEUE: unknown[][] };
const uvu = await import('uvu');

// uvu prints "Total: N / Passed: N"; CI also reads the plain "N passed, N failed" line, printed at the end.
let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  if (output.length > 100_000) output = output.slice(-10_000);
  return write(chunk, ...rest);
}) as typeof process.stdout.write;

// A stray rejection or exception (a server callback, a socket) belongs to the file running now.
let running = '';
process.on('unhandledRejection', (e) => reportFailure(running || '(runner)', 'unhandled rejection', e));
process.on('uncaughtException', (e) => reportFailure(running || '(runner)', 'uncaught exception', e));

console.log(`Test clock: ${TEST_NOW.toISOString()} (TEST_NOW moves it)`);
let loadFailures = 0;
let idx = 0;
for (const file of files) {
  const name = relative(dir, file);
  g.UVU_INDEX = idx++;
  g.UVU_QUEUE.push([name]);
  setCurrentFile(name);
  try {
    await import(file);
  } catch (e) {
    reportFailure(name, 'load', e);
    loadFailures++;
  }
}
// uvu runs the queued files in order; note which one is running for the stray-error handlers.
// A file that hangs (a promise nobody resolves) must not hang CI: it is reported and the run ends.
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS || 10 * 60_000);
let watchdog: NodeJS.Timeout | undefined;
for (const group of g.UVU_QUEUE) {
  const name = String(group[0] ?? '');
  const runners = group.slice(1) as (() => Promise<unknown>)[];
  group.splice(1, runners.length, ...runners.map((r) => () => {
    running = name;
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      reportFailure(name, 'timeout', new Error(`still running after ${FILE_TIMEOUT_MS / 1000} s`));
      console.log(`\n0 passed, 1 failed, 0 skipped (the run stopped at ${name})`);
      process.exit(1);
    }, FILE_TIMEOUT_MS);
    watchdog.unref();
    return r();
  }));
}
await uvu.exec(false);
clearTimeout(watchdog);

const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
// A failing `before` leaves its file's tests unpassed (counted above); a failing `after` or a stray
// error fails one more.
const extra = hookFailures.filter((f) => f.hook !== 'before' && f.hook !== 'before.each' && f.hook !== 'load').length;
const failed = total - passed - skipped + loadFailures + extra;
if (hookFailures.length) {
  console.log(`\nFiles with failing hooks or load errors:\n${[...new Set(hookFailures.map((f) => `  ${f.file} (${f.hook})`))].join('\n')}`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
await closeAll();
process.exit(failed > 0 || hookFailures.length > 0 || (process.exitCode ?? 0) !== 0 ? 1 : 0);
