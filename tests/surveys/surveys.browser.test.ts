// /analytics/surveys in Chromium on the demo city: the last 30 Kyiv days' survey calls by the
// product's clock — the figures as the API has them, the stacked chart drawn, the table per
// executor, then per category — and the CSV link; operators are kept out.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { demoCity, DEMO_NOW, DEMO_PASSWORD } from '../helpers/city.ts';
import { startProduct } from '../helpers/app.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;

test.before(async () => {
  ({ db } = await demoCity('surveys_browser'));
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser?.close(); await app?.close(); });

const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

test('an analyst sees the figures, the chart and the table per executor, then per category', async () => {
  const to = kyivDay(DEMO_NOW), from = addDays(to, -29);
  const byExecutor = await app.services.surveys.stats({ from, to, by: 'executor' });
  const byCategory = await app.services.surveys.stats({ from, to, by: 'category' });
  assert.ok(byExecutor.totals.calls > 0);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst', DEMO_PASSWORD);
  await page.goto(`${app.url}/analytics/surveys`);
  await page.waitForSelector('[data-testid=figure-calls] strong', { timeout: 15_000 });
  assert.is(digits(await page.textContent('[data-testid=figure-calls] strong')), String(byExecutor.totals.calls));
  assert.is(digits(await page.textContent('[data-testid=figure-busy] strong')), String(byExecutor.totals.busy));
  assert.is(digits(await page.textContent('[data-testid=figure-confirmed] strong')), String(byExecutor.totals.confirmed));
  assert.is(await page.inputValue('input[name=from]'), from);
  await page.waitForSelector('[data-testid=chart-survey-outcomes]:not([data-draws="0"])', { timeout: 15_000 });
  assert.is(await page.locator('[data-testid=table-surveys] tbody tr').count(), byExecutor.rows.length);
  assert.ok(((await page.textContent('[data-testid=table-surveys] thead')) ?? '').includes('Виконавець'));
  const href = await page.getAttribute('[data-testid=surveys-csv]', 'href');
  assert.ok(href?.includes('format=csv') && href.includes(`from=${from}`), href ?? '');
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href!);
  assert.is(csv.replace(/^\ufeff/, '').trim().split('\r\n').length, 2 + byExecutor.rows.length);
  await page.selectOption('select[name=by]', 'category');
  await page.waitForFunction(() => document.querySelector('[data-testid=table-surveys] thead')?.textContent?.includes('Категорія'), null, { timeout: 15_000 });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=table-surveys] tbody tr').length === n, byCategory.rows.length, { timeout: 15_000 });
  await screenshot(page, 'surveys-by-category');
  assert.equal(errors, []);
  await page.close();
});

test('an operator is kept out of the page', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'operator', DEMO_PASSWORD);
  assert.is((await page.goto(`${app.url}/analytics/surveys`))?.status(), 403);
  await page.close();
});

test.run();
