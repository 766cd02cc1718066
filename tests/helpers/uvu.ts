// uvu's `test`, with hooks that cannot hide a failure. In uvu a throwing `before` hook skips the
// file's tests silently (the runner's `finally` swallows the error), and a throwing `after` hook
// rejects the whole run. Here a hook's error is printed with its file, the file counts as failed,
// and `after` hooks still run (their own errors are reported, not thrown), so tests/run.ts can go
// on with the next file and end with its "N passed, N failed" line.
import { test as uvuTest } from 'uvu';

type Hook = (ctx: Record<string, unknown>) => unknown;

export interface HookFailure { file: string; hook: string; error: unknown }
export const hookFailures: HookFailure[] = [];

let currentFile = '';
/** Called by tests/run.ts before it imports each file. */
export function setCurrentFile(name: string) { currentFile = name; }

export function reportFailure(file: string, hook: string, error: unknown) {
  hookFailures.push({ file, hook, error });
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stdout.write(`\n  FAIL  ${file} (${hook})\n    ${text.split('\n').join('\n    ')}\n`);
}

function guarded(kind: string, fn: Hook, rethrow: boolean): Hook {
  const file = currentFile;
  return async (ctx) => {
    try {
      await fn(ctx);
    } catch (e) {
      reportFailure(file, kind, e);
      if (rethrow) throw e;
    }
  };
}

type Test = typeof uvuTest;
const wrapped = ((name: string, fn: Hook) => uvuTest(name, fn as never)) as Test;
Object.assign(wrapped, uvuTest);
wrapped.before = Object.assign((fn: Hook) => uvuTest.before(guarded('before', fn, true) as never), {
  each: (fn: Hook) => uvuTest.before.each(guarded('before.each', fn, true) as never),
}) as Test['before'];
wrapped.after = Object.assign((fn: Hook) => uvuTest.after(guarded('after', fn, false) as never), {
  each: (fn: Hook) => uvuTest.after.each(guarded('after.each', fn, false) as never),
}) as Test['after'];

export const test = wrapped;
