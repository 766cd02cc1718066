// Runs every tests/**/*.test.ts (or those whose path contains an argument) with uvu, in one
// process, one file after another, then closes the pools the helpers opened.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { closeAll } from './helpers/db.ts';

const dir = import.meta.dirname;
const filters = process.argv.slice(2);
const files: string[] = [];
(function walk(d: string) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts') && (!filters.length || filters.some((f) => p.includes(f)))) files.push(p);
  }
})(dir);

const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: unknown[][] };
g.UVU_DEFER = 1;
const uvu = await import('uvu');

// uvu prints "Total: N / Passed: N"; CI also reads the plain "N passed, N failed" line, printed at the end.
let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  if (output.length > 100_000) output = output.slice(-10_000);
  return write(chunk, ...rest);
}) as typeof process.stdout.write;
let idx = 0;
for (const file of files) {
  g.UVU_INDEX = idx++;
  g.UVU_QUEUE.push([relative(dir, file)]);
  await import(file);
}
await uvu.exec(false);
const code = process.exitCode ?? 0;
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
console.log(`\n${passed} passed, ${total - passed - skipped} failed, ${skipped} skipped`);
await closeAll();
process.exit(code);
