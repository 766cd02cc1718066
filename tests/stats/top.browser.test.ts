// /analytics/top in Chromium on the demo city: the year up to the product's today — the ten spheres
// with their shares as the API has them, the shares chart drawn, the issue × district table with
// its row and column totals, month by month; the appeals report's drill-down and the ratings'
// formula; an operator is kept out.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { demoCity, DEMO_NOW, DEMO_PASSWORD } from '../helpers/city.ts';
import { startProduct } from '../helpers/app.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import { DEFAULT_WEIGHTS } from '../../vocabulary/appeal-stats.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;

test.before(async () => {
  ({ db } = await demoCity('top_browser'));
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser?.close(); await app?.close(); });

const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

test('an analyst sees the top-10 spheres, the issue × district table with totals and the months', async () => {
  const to = kyivDay(DEMO_NOW), from = addDays(to, -364);
  const top = await app.services.appealStats.top({ from, to });
  assert.ok(top.total > 0, 'the demo year has appeals (the seed rebuilt the rollups)');
  assert.is(top.spheres.length, Math.min(10, top.spheres.length));
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst', DEMO_PASSWORD);
  await page.goto(`${app.url}/analytics/top`);
  await page.waitForSelector('[data-testid=table-spheres] tbody tr', { timeout: 15_000 });
  assert.is(await page.inputValue('input[name=from]'), from);
  assert.is(digits(await page.textContent('[data-testid=top-total]')), String(top.total));
  assert.is(await page.locator('[data-testid=table-spheres] tbody tr').count(), top.spheres.length);
  const first = await page.locator('[data-testid=table-spheres] tbody tr').first().textContent();
  assert.ok(first?.includes(top.spheres[0].name), first ?? '');
  assert.ok(first?.includes((top.spheres[0].share * 100).toLocaleString('uk-UA', { minimumFractionDigits: 1, maximumFractionDigits: 1 })), first ?? '');
  await page.waitForSelector('[data-testid=chart-spheres]:not([data-draws="0"])', { timeout: 15_000 }).catch((e) => { throw new Error(`${e}\n${errors.join('\n')}`); });
  await page.waitForSelector('[data-testid=chart-months]:not([data-draws="0"])', { timeout: 15_000 });
  // The issue table: ten rows, a column per district and the total; the footer's sums.
  assert.is(await page.locator('[data-testid=table-issues] tbody tr').count(), top.issues.categories.length);
  assert.is(await page.locator('[data-testid=table-issues] thead th').count(), top.issues.districts.length + 2);
  const foot = await page.locator('[data-testid=table-issues] tfoot th').allTextContents();
  assert.equal(foot.slice(1).map(digits), [...top.issues.columnTotals, top.issues.total].map(String));
  const row = await page.locator('[data-testid=table-issues] tbody tr').first().locator('td').allTextContents();
  assert.is(row[0], top.issues.categories[0].name);
  assert.is(digits(row.at(-1)!), String(top.issues.categories[0].total));
  assert.is(top.issues.cells[0].reduce((a, b) => a + b, 0), top.issues.categories[0].total, 'a row sums to its total');
  assert.is(await page.locator('[data-testid=table-months] thead th').count(), top.months.months.length + 2);
  await screenshot(page, 'analytics-top');
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), (await page.getAttribute('[data-testid=top-csv]', 'href'))!);
  assert.is(csv.replace(/^\ufeff/, '').trim().split('\r\n').length, 2 + top.issues.categories.length);
  assert.equal(errors, []);
  await page.close();
});

test('the appeals report drills from a sphere into its categories; the ratings show the formula', async () => {
  const to = kyivDay(DEMO_NOW), from = addDays(to, -364);
  const bySphere = await app.services.appealStats.appeals({ from, to }, 'month', 'sphere');
  const first = bySphere.rows[0];
  const drilled = await app.services.appealStats.appeals({ from, to, sphere: first.id }, 'month', 'category');
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst', DEMO_PASSWORD);
  await page.goto(`${app.url}/analytics/appeals`);
  await page.waitForSelector('[data-testid=table-appeals] tbody tr', { timeout: 15_000 });
  assert.is(digits(await page.textContent('[data-testid=figure-total] strong')), String(bySphere.totals.total));
  assert.is(digits(await page.textContent('[data-testid=figure-overdue] strong')), String(bySphere.totals.overdue));
  await page.waitForSelector('[data-testid=chart-appeals]:not([data-draws="0"])', { timeout: 15_000 });
  await page.locator('[data-testid=table-appeals] tbody tr').first().locator('button').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=table-appeals] tbody tr').length === n
    && document.querySelector('[data-testid=table-appeals] thead')?.textContent?.includes('Категорія'), drilled.rows.length, { timeout: 15_000 });
  assert.ok(page.url().includes(`sphere=${first.id}`), page.url());
  await screenshot(page, 'analytics-appeals-drilled');
  const ratings = await app.services.appealStats.ratings({ from, to }, 'district', DEFAULT_WEIGHTS);
  await page.goto(`${app.url}/analytics/ratings`);
  await page.waitForSelector('[data-testid=table-ratings] tbody tr', { timeout: 15_000 });
  assert.is(await page.textContent('[data-testid=rating-formula]'), 'R = K1 × K2 × K3 × K4 × K5');
  assert.is(await page.locator('[data-testid=table-ratings] tbody tr').count(), ratings.rows.length);
  const best = await page.locator('[data-testid=table-ratings] tbody tr').first().locator('td').allTextContents();
  assert.is(best[0], '1');
  assert.is(best[1], ratings.rows[0].name);
  await screenshot(page, 'analytics-ratings');
  assert.equal(errors, []);
  await page.close();
});

test('an operator is kept out of the pages', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'operator', DEMO_PASSWORD);
  for (const p of ['top', 'appeals', 'ratings']) assert.is((await page.goto(`${app.url}/analytics/${p}`))?.status(), 403, p);
  await page.close();
});

test.run();
