// /supervisor in Chromium, against the PBX simulator over TCP: the wallboard follows one call through
// the queue (waiting → ringing → on a call → wrap-up → free) with no reload, today's figures and the
// service level move, the caller's number never shows; English on request; operators get a 403.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProductWithTelephony } from '../helpers/app.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { runningClock } from '../helpers/clock.ts';
import { config as baseConfig } from '../../server/config.ts';
import { AmiSimulator } from '../../server/telephony/simulator/ami-simulator.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;
let db: Db;
let sim: AmiSimulator;
const PHONE = '+380501112233';

test.before(async () => {
  ({ db } = await migratedDb('supervisor_browser'));
  await createUser(db, 'sup', 'supervisor');
  await createUser(db, 'op1', 'operator', { sipInterface: 'PJSIP/101' });
  await createUser(db, 'op2', 'operator', { sipInterface: 'PJSIP/102' });
  await db.none(`UPDATE app_user SET full_name = CASE login WHEN 'op1' THEN 'Олена Коваль' ELSE 'Петро Іваненко' END WHERE login IN ('op1', 'op2')`);
  sim = new AmiSimulator({ users: { misto: 'pbx-secret' }, recordingsDir: null, queues: { operators: { members: ['PJSIP/101', 'PJSIP/102'], wrapuptime: 2 } } });
  await sim.start(0, '127.0.0.1');
  // Waits and wrap-ups age on the product's clock: a running one.
  app = await startProductWithTelephony(db, {
    ami: { ...baseConfig.ami, host: '127.0.0.1', port: sim.port, user: 'misto', secret: 'pbx-secret', record: 'off', wrapupSeconds: 2 },
  }, runningClock());
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
  await sim?.stop();
});

const rowState = (page: Page, name: string, state: string) =>
  page.waitForSelector(`tr[data-operator="${name}"][data-op-state="${state}"]`, { timeout: 10_000 });
const figure = (page: Page, id: string, value: string | RegExp) => page.waitForFunction(
  ([sel, v, isRe]) => { const t = document.querySelector(sel)?.textContent?.trim() ?? ''; return isRe ? new RegExp(v).test(t) : t === v; },
  [`[data-testid=${id}]`, value instanceof RegExp ? value.source : value, value instanceof RegExp] as const, { timeout: 10_000 });

test('a call through the queue on the wallboard, live: waiting, ringing, on a call, wrap-up, free; today\'s figures', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'sup', PASSWORD);
  await page.goto(`${app.url}/supervisor`);
  await page.waitForSelector('.link[data-state=up]', { timeout: 10_000 });
  assert.match(await page.textContent('.link') ?? '', /Станція підключена/);
  await rowState(page, 'Олена Коваль', 'free');
  await rowState(page, 'Петро Іваненко', 'free');
  await figure(page, 'offered', '0');
  assert.is(await page.textContent('[data-testid=service-level]'), '—');

  const call = sim.incomingCall({ phone: PHONE, local: true });
  call.join('operators');
  await figure(page, 'waiting', '1');
  call.ring('PJSIP/101');
  await rowState(page, 'Олена Коваль', 'ringing');
  assert.match(await page.textContent('tr[data-operator="Олена Коваль"]') ?? '', /дзвонить/);
  call.answer();
  await rowState(page, 'Олена Коваль', 'on_call');
  await figure(page, 'waiting', '0');
  assert.is((await page.textContent('[data-op-state=on_call] .n'))?.trim(), '1');
  await screenshot(page, 'supervisor-on-call');
  call.hangup(16);
  await rowState(page, 'Олена Коваль', 'wrap_up');
  await figure(page, 'answered', '1');
  await figure(page, 'offered', '1');
  await figure(page, 'service-level', /^100\s?%$/);
  assert.ok(await page.$('.today .met'), 'the service level is marked as meeting the target');
  // The wrap-up runs out on the board with no event from the PBX and no reload.
  await rowState(page, 'Олена Коваль', 'free');

  const body = (await page.textContent('body')) ?? '';
  assert.not.ok(body.replace(/\D/g, '').includes(PHONE.replace(/\D/g, '').slice(-9)), 'no caller\'s number on the wallboard');
  assert.equal(errors, []);
  await page.close();
});

test('English on request; an operator is refused the page and the API', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'sup', PASSWORD);
  await page.goto(`${app.url}/supervisor?lang=en`);
  await page.waitForSelector('.link[data-state=up]', { timeout: 10_000 });
  assert.is(await page.textContent('h1'), 'Contact centre live');
  assert.match(await page.textContent('tr[data-operator="Петро Іваненко"]') ?? '', /free/);
  await page.close();

  const op = await browser.newPage();
  await signIn(op, app.url, 'op1', PASSWORD);
  assert.is((await op.goto(`${app.url}/supervisor`))?.status(), 403);
  assert.is((await op.request.get(`${app.url}/api/supervisor/board`)).status(), 403);
  await op.close();
});

test.run();
