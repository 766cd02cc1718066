// The desk's screen-pop stream when instances come and go (page.route plays the server): after
// `event: shutdown` the browser reconnects by itself, the call on the card survives the replay of
// its own pops (the form the operator is filling is kept), and after a refused reconnect (503, which
// makes EventSource give up) the desk opens a new stream and is on the line again.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import { seedCity } from './fixture.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;

test.before(async () => {
  const { db } = await migratedDb('desk_stream');
  await seedCity(db);
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
});

const resident = {
  id: 1, fullName: 'Коваленко Олена Петрівна', apartment: '5', phones: ['+380501112233'],
  building: { id: 1, address: 'вул. Незалежності, 12', lon: 24.71115, lat: 48.9211 },
};
const pop = (type: string, seq: number) => ({
  type, callId: 999001, uniqueid: 'route-1', phone: '+380501112233', queue: 'operators', seq, at: '2026-11-20T10:00:00Z',
  card: { resident, openAppeals: [], announcements: [] },
});
const status = { connected: true, demo: false, host: 'pbx', error: null, activeCalls: 1, since: null };
const sse = (...events: [string, unknown][]) => 'retry: 300\n\n' + events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join('');

test('shutdown → reconnect with a replay keeps the call and the form; a refused reconnect is retried', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  let opened = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  await page.route('**/api/desk/events', async (route) => {
    const n = ++opened;
    const stream = (body: string) => route.fulfill({ status: 200, contentType: 'text/event-stream', body });
    if (n === 1) return stream(sse(['status', status], ['call', pop('ringing', 1)], ['shutdown', {}]));
    if (n === 2) { await gate; return stream(sse(['status', status], ['call', pop('ringing', 1)], ['call', pop('answered', 2)])); }
    if (n === 3) return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'unavailable', message: 'draining' }) });
    return route.continue();
  });
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);

  // The pop arrived, then the instance drained: the desk says it is reconnecting.
  await page.waitForSelector('[data-testid=call-card][data-call-state=ringing] >> text=Коваленко Олена Петрівна');
  await page.waitForSelector('.stream[data-state=reconnecting]');
  assert.match(await page.textContent('.stream') ?? '', /відновлюємо/);
  await page.waitForFunction(() => document.activeElement?.id === 'category');
  await page.keyboard.type('покрівл');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Тече дах у під’їзді');

  // Another instance answers and replays the call's pops: the card moves on, nothing starts over.
  release();
  await page.waitForSelector('[data-testid=call-card][data-call-state=answered]');
  assert.is(await page.inputValue('#appeal-text'), 'Тече дах у під’їзді');
  assert.match(await page.textContent('[data-testid=chosen-category]') ?? '', /Протікання покрівлі/);

  // Its stream ends too, the next answer is a 503 (EventSource gives up on it): the desk opens a new one.
  for (let i = 0; i < 100 && opened < 4; i++) await page.waitForTimeout(100);
  assert.ok(opened >= 4, `streams opened: ${opened}`);
  await page.waitForSelector('.stream[data-state=open]');
  assert.is(await page.getAttribute('[data-testid=call-card]', 'data-call-state'), 'answered');
  assert.is(await page.inputValue('#appeal-text'), 'Тече дах у під’їзді');
  await screenshot(page, 'desk-stream-reconnected');
  // The refused stream and the made-up call's lookup are the only failures the browser reports.
  assert.equal(errors.filter((e) => !/503|404|MIME type|EventSource/.test(e)), []);
  await page.close();
});

test('a call put away with Alt+N is not popped again by a replay, but is when it is answered', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  let opened = 0;
  let replay!: () => void, answer!: () => void;
  const replayed = new Promise<void>((r) => { replay = r; });
  const answered = new Promise<void>((r) => { answer = r; });
  await page.route('**/api/desk/events', async (route) => {
    const n = ++opened;
    const stream = (body: string) => route.fulfill({ status: 200, contentType: 'text/event-stream', body });
    if (n === 1) return stream(sse(['status', status], ['call', pop('ringing', 1)], ['shutdown', {}]));
    if (n === 2) { await replayed; return stream(sse(['status', status], ['call', pop('ringing', 1)], ['shutdown', {}])); }
    if (n === 3) { await answered; return stream(sse(['status', status], ['call', pop('answered', 2)])); }
    return route.continue();
  });
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('[data-testid=call-card][data-call-state=ringing]');
  await page.keyboard.press('Alt+KeyN');
  await page.waitForSelector('[data-testid=call-card]', { state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.id === 'desk-search');
  await page.keyboard.type('Незалежності 12');

  replay();
  for (let i = 0; i < 100 && opened < 3; i++) await page.waitForTimeout(50);
  await page.waitForTimeout(300);
  assert.is(await page.$('[data-testid=call-card]'), null, 'the replayed ringing stays put away');
  assert.is(await page.inputValue('#desk-search'), 'Незалежності 12');

  answer();
  await page.waitForSelector('[data-testid=call-card][data-call-state=answered] >> text=Коваленко Олена Петрівна');
  await page.close();
});

test.run();
