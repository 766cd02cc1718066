// The desk's appeal form in Chromium: a late catalogue answer for an earlier category never lands
// on the form; what the server refuses is shown in the page's language (the code's text, never the
// server's English sentence); a registration whose answer is lost is sent again with the same
// Idempotency-Key and makes one appeal.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page, Route } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import type { Db } from '../../server/db/db.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';
import { messages } from '../../vocabulary/i18n/messages.ts';
import { seedCity, CITY } from './fixture.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;

test.before(async () => {
  ({ db } = await migratedDb('desk_form'));
  await seedCity(db);
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
});

/** The desk with the known resident found by phone (a walk-in: no call needed). */
async function deskWithResident(page: Page, query = '') {
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk${query}`);
  await page.waitForSelector('.stream[data-state="open"]'); // hydrated: the keys work
  await page.keyboard.press('Alt+KeyF');
  await page.keyboard.type('050 111 22 33');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=resident]');
  await page.waitForFunction(() => document.activeElement?.id === 'category');
}

async function pickCategory(page: Page, typed: string) {
  await page.keyboard.press('Alt+KeyK');
  await page.keyboard.type(typed);
  await page.keyboard.press('Enter');
}

const suggestionText = (page: Page) => page.textContent('[data-testid=suggestion]').then((s) => s ?? '');

test('a late suggestion for an earlier category is cancelled and never overwrites the current one', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  // The catalogue answers "garbage" (the centre's improvement service) late, after "roof leak" (ЖЕК №1).
  let late: Promise<void> | null = null;
  await page.route('**/api/catalogue/suggestion?*', async (route: Route) => {
    const categoryId = new URL(route.request().url()).searchParams.get('categoryId');
    if (categoryId !== String(CITY.garbage)) return route.continue();
    late = (async () => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 1500));
      await route.fulfill({ response }).catch(() => {});
    })();
  });
  const aborted: string[] = [];
  page.on('requestfailed', (r) => { if (r.url().includes('/api/catalogue/suggestion')) aborted.push(new URL(r.url()).searchParams.get('categoryId')!); });

  await deskWithResident(page);
  await pickCategory(page, 'вивез');
  assert.match(await page.textContent('[data-testid=chosen-category]') ?? '', /Невивезення сміття/);
  await pickCategory(page, 'покрівл');
  assert.match(await page.textContent('[data-testid=chosen-category]') ?? '', /Протікання покрівлі/);
  await page.waitForFunction(() => /ЖЕК №1/.test(document.querySelector('[data-testid=suggestion]')?.textContent ?? ''));

  // The late answer has had its chance: the form still shows the current category's executor.
  assert.ok(late, 'the garbage category was asked about');
  await late;
  await page.waitForTimeout(300);
  assert.match(await suggestionText(page), /ЖЕК №1/);
  assert.not.match(await suggestionText(page), /Благоустрій/);
  assert.equal(aborted, [String(CITY.garbage)], 'the earlier question was aborted by the page');
  await screenshot(page, 'desk-late-suggestion');

  await page.keyboard.type('Тече дах над п’ятою квартирою');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=registered]');
  const row = await db.one(`SELECT category_id, executor_id, executor_override_reason FROM appeal ORDER BY id DESC LIMIT 1`);
  assert.equal(row, { category_id: CITY.roofLeak, executor_id: CITY.zhek1, executor_override_reason: null });
  assert.equal(errors, []);
  await page.close();
});

test('a category retired while the operator types: the server refuses, the desk says so in Ukrainian', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await deskWithResident(page);
  await pickCategory(page, 'холодн');
  await page.waitForFunction(() => /Водоканал/.test(document.querySelector('[data-testid=suggestion]')?.textContent ?? ''));
  await page.keyboard.type('Немає холодної води з ранку');

  await db.none(`UPDATE category SET active = false WHERE id = $1`, [CITY.noWater]);
  try {
    // The catalogue is held in memory and dropped on NOTIFY: wait until the server knows.
    await page.waitForFunction(async (id) => (await fetch(`/api/catalogue/suggestion?categoryId=${id}`)).status === 400, CITY.noWater, { polling: 100 });
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/appeals') && r.request().method() === 'POST');
    await page.keyboard.press('Control+Enter');
    const response = await refused;
    assert.is(response.status(), 400);
    const body = await response.json();
    await page.waitForSelector('[data-testid=desk-error]');
    const shown = (await page.textContent('[data-testid=desk-error]'))!.trim();
    assert.is(shown, describeError('uk', body));
    assert.ok(!shown.includes(body.message), `not the server's English: ${shown}`);
    assert.match(shown, /[А-ЯІЇЄҐа-яіїєґ]/);
    if (body.error === 'category_inactive') assert.is(shown, messages['error.category_inactive'].uk);
    assert.is((await db.one(`SELECT count(*)::int AS n FROM appeal WHERE text = 'Немає холодної води з ранку'`)).n, 0);
    // The form keeps what was typed, to register under another category.
    assert.is(await page.inputValue('#appeal-text'), 'Немає холодної води з ранку');
    await screenshot(page, 'desk-error-uk');
  } finally {
    await db.none(`UPDATE category SET active = true WHERE id = $1`, [CITY.noWater]);
  }
  assert.equal(errors.filter((e) => !/status of 400/.test(e)), []);
  await page.close();
});

test('an error code is shown in the page’s language: needs_place in Ukrainian, and in English on request', async () => {
  for (const [lang, query] of [['uk', ''], ['en', '?lang=en']] as const) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.route('**/api/appeals', (route) => route.request().method() === 'POST'
      ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({
        error: 'needs_place', message: 'Say where: a resident, a building, an infrastructure object or a point on the map (server)' }) })
      : route.continue());
    await deskWithResident(page, query);
    await pickCategory(page, lang === 'uk' ? 'покрівл' : 'roof');
    await page.keyboard.type('Тече дах над сходами');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('[data-testid=desk-error]');
    const shown = (await page.textContent('[data-testid=desk-error]'))!.trim();
    assert.is(shown, messages['error.needs_place'][lang]);
    assert.not.match(shown, /\(server\)/);
    await page.close();
  }
});

test('a registration whose answer is lost is sent again with the same Idempotency-Key: one appeal', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const keys: string[] = [];
  await page.route('**/api/appeals', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    // The first attempt reaches the server, but its answer never comes back.
    if (keys.length === 1) { await route.fetch(); return route.abort('connectionreset'); }
    return route.continue();
  });
  await deskWithResident(page);
  await pickCategory(page, 'покрівл');
  await page.keyboard.type('Тече дах, відповідь загубилася');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=registered]', { timeout: 10_000 });
  assert.is(keys.length, 2);
  assert.is(keys[0], keys[1]);
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const n = await db.one(`SELECT count(*)::int AS n FROM appeal WHERE text = 'Тече дах, відповідь загубилася'`);
  assert.is(n.n, 1);
  assert.is(await page.$('[data-testid=desk-error]'), null);
  await page.close();
});

test.run();
