// The loop closed, in Chromium: the executor opens an appeal, plays the call's recording, answers
// and marks it done; the survey call (the PBX simulator over TCP, the resident presses 2) returns it
// as Control; the executor's inbox and the appeal show the flag and the survey in words.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { builder } from '../helpers/build.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { startProductWithTelephony } from '../helpers/app.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { runningClock } from '../helpers/clock.ts';
import { until } from '../telephony/harness.ts';
import { config as baseConfig } from '../../server/config.ts';
import { AmiSimulator, type OriginateRequest } from '../../server/telephony/simulator/ami-simulator.ts';
import { wavFile } from '../../server/telephony/simulator/wav.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;
let db: Db;
let sim: AmiSimulator;
let appealId = 0;
const dialled: string[] = [];
const PHONE = '+380501234567';

test.before(async () => {
  ({ db } = await migratedDb('control_loop_browser'));
  const b = builder(db);
  const executor = await b.executor({ code: 'vodokanal', name: 'Водоканал', email: 'dispatch@vodokanal.test' });
  const category = await b.category({ code: 'no-water', name: 'Відсутність води', executor, deadlineHours: 24, survey: true });
  const resident = await b.resident({ fullName: 'Олена Коваль' });
  await createUser(db, 'vodokanal', 'executor', { executorId: executor });
  const recordingsDir = mkdtempSync(join(tmpdir(), 'misto-loop-rec-'));
  writeFileSync(join(recordingsDir, 'loop-call.wav'), wavFile(0.6));
  const call = await b.call({ callerPhone: PHONE, resident, outcome: 'answered' });
  await b.recording({ call, path: 'loop-call.wav', bytes: wavFile(0.6).length });
  appealId = Number(await b.appeal({ category, executor, resident, callerPhone: PHONE, call, status: 'in_progress', text: 'Немає холодної води в будинку' }));

  // The resident answers the survey and presses 2 ("not done").
  sim = new AmiSimulator({
    users: { misto: 'pbx-secret' }, recordingsDir: null,
    originate: (r: OriginateRequest) => { dialled.push(r.channel); return { delayMs: 40, result: 'answer', digits: ['2'] }; },
    timing: { surveyWaitMs: 20, keyDelayMs: 120, readTimeoutMs: 250, thanksPromptMs: 30 },
  });
  await sim.start(0, '127.0.0.1');
  app = await startProductWithTelephony(db, {
    recordingsDir,
    ami: { ...baseConfig.ami, host: '127.0.0.1', port: sim.port, user: 'misto', secret: 'pbx-secret', record: 'off' },
  }, runningClock());
  await until(() => app.services.telephony.status().connected, 5000, 'AMI connected');
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
  await sim?.stop();
});

test('play the recording, answer, done; the survey hears "2"; the executor sees the appeal back under Control', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'vodokanal', PASSWORD);
  await page.goto(`${app.url}/executor?appeal=${appealId}`);
  const detail = page.locator('[data-testid=appeal-detail]');
  await detail.waitFor();

  // The call's recording plays to its end in the page.
  const played = await page.$eval('[data-testid=recording]', (el) => new Promise<{ ended: boolean; duration: number }>((resolve, reject) => {
    const audio = el as HTMLAudioElement;
    audio.muted = true;
    audio.addEventListener('ended', () => resolve({ ended: true, duration: audio.duration }), { once: true });
    audio.addEventListener('error', () => reject(new Error(`audio error ${audio.error?.code}`)), { once: true });
    audio.play().catch(reject);
  }));
  assert.ok(played.ended);
  assert.ok(Math.abs(played.duration - 0.6) < 0.05, `duration ${played.duration}`);

  await detail.locator('textarea').fill('Аварію усунено, воду подано');
  await page.selectOption('[data-testid=next-status]', 'done');
  await detail.locator('button[type=submit]').click();
  // Done leaves the executor no further move: the form goes, the history says it.
  await page.waitForFunction(() => document.querySelector('[data-testid=appeal-detail] .events')?.textContent?.includes('в роботі → виконано'));
  assert.match(await detail.locator('.events').textContent() ?? '', 'Відповідь: Аварію усунено, воду подано');
  assert.is(await db.one('SELECT status FROM appeal WHERE id = $1', [appealId], (r) => r.status), 'done');

  // The survey call: scheduled from the history, dialled, "2" heard → Control.
  const scheduler = app.services.surveys.scheduler(app.services.telephony, {
    settings: { hours: { from: 0, to: 24 * 60 }, delayMinutes: 0, ringSeconds: 2, causeWaitMs: 300, tickMs: 100, channels: 2 },
    log: () => {},
  });
  scheduler.start();
  try {
    await until(async () => (await db.one('SELECT status FROM appeal WHERE id = $1', [appealId], (r) => r.status)) === 'control', 20_000, 'the appeal back under Control');
  } finally { await scheduler.stop(); }
  assert.equal(dialled, ['PJSIP/0501234567@city-trunk']);

  // The executor sees it: the flag in the inbox and on the appeal, the survey in words in its history.
  await page.goto(`${app.url}/executor?appeal=${appealId}`);
  await detail.waitFor();
  assert.match(await page.textContent('[data-testid=control-flag]') ?? '', /⚑/);
  const number = await db.one('SELECT number FROM appeal WHERE id = $1', [appealId], (r) => r.number as string);
  assert.match(await page.locator('[data-testid=executor-appeals] tr', { hasText: number }).textContent() ?? '', /⚑ 1/);
  const history = await detail.locator('.events').textContent() ?? '';
  assert.match(history, 'виконано → на контролі');
  assert.match(history, 'Заплановано дзвінок-опитування');
  assert.match(history, /Дзвінок-опитування, спроба 1/);
  await screenshot(page, 'executor-control-after-survey');
  assert.equal(errors, []);
  await page.close();
});

test.run();
