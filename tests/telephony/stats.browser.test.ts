// /analytics/calls in Chromium: the default period (the last 7 Kyiv days by the product's clock),
// the headline figures of a hand-built call log in Ukrainian and English, the service-level target
// marked, both charts drawn by Chart.js (their canvases hold the series' colours), the queue and
// operator filters, the tables, a refused period in the page's language, and who may open the page.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { TEST_NOW } from '../helpers/clock.ts';
import { insertCall, kyivTime } from './stats-fixture.ts';
import { addDays, kyivDay } from '../../vocabulary/calendar.ts';
import { hexToRgb } from '../../vocabulary/announcements.ts';
import { CALL_CHART_COLORS as COLORS } from '../../vocabulary/telephony.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;
const ids: Record<string, number> = {};
const TODAY = kyivDay(TEST_NOW);
const D1 = addDays(TODAY, -2);
const D2 = addDays(TODAY, -1);

test.before(async () => {
  ({ db } = await migratedDb('call_stats_browser'));
  for (const role of ['supervisor', 'analyst', 'operator'] as const) ids[role] = (await createUser(db, role, role)).id;
  ids.op1 = (await createUser(db, 'op1', 'operator')).id;
  ids.op2 = (await createUser(db, 'op2', 'operator')).id;
  await db.none(`UPDATE app_user SET full_name = CASE id WHEN $1 THEN 'Олена Коваль' ELSE 'Петро Іваненко' END WHERE id IN ($1, $2)`, [ids.op1, ids.op2]);
  const t = kyivTime;
  await insertCall(db, { at: t(D1, '09:10:00'), q: 5, w: 10, h: 90, outcome: 'answered', queue: '1580', operator: ids.op1 });
  await insertCall(db, { at: t(D1, '09:20:00'), q: 5, w: 30, h: 150, outcome: 'answered', queue: '1580', operator: ids.op2 });
  await insertCall(db, { at: t(D1, '09:30:00'), q: 5, w: 40, outcome: 'abandoned_queue', queue: '1580' });
  await insertCall(db, { at: t(D1, '14:00:00'), q: 5, w: 5, h: 60, outcome: 'answered', queue: '1580', operator: ids.op1, consultation: true });
  await insertCall(db, { at: t(D2, '10:00:00'), q: 5, w: 1, outcome: 'no_operators', queue: 'social', queueStatus: 'JOINEMPTY' });
  await insertCall(db, { at: t(D2, '10:05:00'), q: null, w: 30, outcome: 'ended_before_queue' });
  // Eight days ago: outside the default week.
  await insertCall(db, { at: t(addDays(TODAY, -7), '12:00:00'), q: 5, w: 5, h: 30, outcome: 'answered', queue: '1580', operator: ids.op1 });
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser?.close(); await app?.close(); });

const text = async (page: Page, id: string) => ((await page.textContent(`[data-testid=${id}] strong`)) ?? '').trim();
const waitFigure = (page: Page, id: string, value: string) => page.waitForFunction(
  ([sel, v]) => document.querySelector(sel)?.textContent?.trim() === v, [`[data-testid=${id}] strong`, value] as const, { timeout: 15_000 });
/** Waits until a chart has been drawn, then counts its canvas's pixels that are painted and those of each series. */
async function chartPixels(page: Page, id: string) {
  await page.waitForSelector(`[data-testid=${id}]:not([data-draws="0"])`, { timeout: 15_000 });
  const colours = { offered: hexToRgb(COLORS.offered), answered: hexToRgb(COLORS.answered), abandoned: hexToRgb(COLORS.abandoned) };
  return page.evaluate(([sel, cs]) => {
    const canvas = document.querySelector(`${sel} canvas`) as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const n: Record<string, number> = { painted: 0, offered: 0, answered: 0, abandoned: 0, width: canvas.width };
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0) n.painted++;
      for (const [k, c] of Object.entries(cs)) if (px[i + 3] > 200 && Math.abs(px[i] - c[0]) < 6 && Math.abs(px[i + 1] - c[1]) < 6 && Math.abs(px[i + 2] - c[2]) < 6) n[k]++;
    }
    return n;
  }, [`[data-testid=${id}]`, colours] as const);
}

test('a supervisor sees the last 7 Kyiv days: figures, the target missed, both charts drawn, tables', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'supervisor', PASSWORD);
  await page.goto(`${app.url}/analytics/calls`);
  await waitFigure(page, 'figure-offered', '5');
  assert.is(await page.inputValue('input[name=from]'), addDays(TODAY, -6));
  assert.is(await page.inputValue('input[name=to]'), TODAY);
  assert.match(await page.textContent('h1') ?? '', 'Робота контакт-центру');
  assert.is(await text(page, 'figure-answered'), '3');
  assert.match(await text(page, 'figure-service-level'), /^40\s?%$/);
  assert.match(await page.textContent('[data-testid=service-level-target]') ?? '', /^ціль 80\s?% за 20 с$/);
  assert.is(await page.textContent('[data-testid=service-level-verdict]'), 'нижче цілі');
  assert.match(await page.getAttribute('[data-testid=figure-service-level]', 'class') ?? '', /missed/);
  assert.match(await text(page, 'figure-abandon-rate'), /^20\s?%$/);
  assert.is(await text(page, 'figure-no-operators'), '1');
  assert.is(await text(page, 'figure-asa'), '15 с');
  assert.is(await text(page, 'figure-aht'), '1 хв 40 с');
  assert.is(await text(page, 'figure-longest-wait'), '40 с');
  assert.is(await text(page, 'figure-consultations'), '1');
  assert.is(await text(page, 'figure-before-queue'), '1');

  const hours = await chartPixels(page, 'chart-by-hour');
  assert.ok(hours.painted > 10_000, JSON.stringify(hours));
  assert.ok(hours.offered > 100 && hours.answered > 100 && hours.abandoned > 50, JSON.stringify(hours));
  const days = await chartPixels(page, 'chart-by-day');
  assert.ok(days.offered > 100 && days.answered > 100, JSON.stringify(days));

  const rows = await page.$$eval('[data-testid=table-by-queue] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  assert.equal(rows.map((r) => r.slice(0, 3)), [['1580', '4', '3'], ['social', '1', '0'], ['Без черги', '0', '0']]);
  assert.match(rows[0][3], /^50\s?%$/);
  const ops = await page.$$eval('[data-testid=table-by-operator] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
  assert.equal(ops, [['Олена Коваль', '2', '1', '7,5 с', '1 хв 15 с'], ['Петро Іваненко', '1', '0', '30 с', '2 хв 30 с']]);
  await screenshot(page, 'call-stats-uk');

  // A supervisor has no announcement statistics: no tab, no link, a 403 page (the survey report is theirs too).
  assert.equal(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.textContent!.trim())),
    ['Робота контакт-центру', 'Опитування', 'Мапа звернень', 'Панель міського голови', 'Звернення', 'ТОП-10', 'Рейтинги']);
  assert.not.match(await page.textContent('header nav') ?? '', /Статистика оголошень/);
  assert.match(await page.textContent('header nav') ?? '', /Робота контакт-центру/);
  assert.is((await page.goto(`${app.url}/analytics/announcements`))?.status(), 403);
  assert.equal(errors.filter((e) => !/403/.test(e)), []);
  await page.close();
});

test('filters by queue and by operator keep the address, and a refused period speaks Ukrainian', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'supervisor', PASSWORD);
  await page.goto(`${app.url}/analytics/calls`);
  await waitFigure(page, 'figure-offered', '5');
  await page.selectOption('select[name=queue]', 'social');
  await waitFigure(page, 'figure-offered', '1');
  assert.is(await text(page, 'figure-no-operators'), '1');
  assert.match(await text(page, 'figure-service-level'), /^0\s?%$/);
  await page.waitForFunction(() => location.search.includes('queue=social'));
  await page.selectOption('select[name=queue]', '');
  await waitFigure(page, 'figure-offered', '5');
  await page.selectOption('select[name=operator]', { label: 'Олена Коваль' });
  await waitFigure(page, 'figure-answered', '2');
  assert.is(await text(page, 'figure-offered'), '2');
  assert.match(await text(page, 'figure-service-level'), /^100\s?%$/);
  assert.is(await page.textContent('[data-testid=service-level-verdict]'), 'ціль досягнуто');
  assert.match(page.url(), new RegExp(`operator=${ids.op1}`));

  // A shared link opens the same view; a period that ends before it starts is refused.
  await page.goto(`${app.url}/analytics/calls?from=${D1}&to=${D1}`);
  await waitFigure(page, 'figure-offered', '4');
  await page.fill('input[name=from]', D2);
  await page.waitForSelector('[role=alert]');
  assert.is((await page.textContent('[role=alert]'))?.trim(), 'Кінець має бути пізніше за початок.');
  assert.equal(errors.filter((e) => !/400/.test(e)), []);
  await page.close();
});

test('an analyst reads the page in English, with every analytics tab', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst', PASSWORD);
  await page.goto(`${app.url}/analytics/calls?lang=en&from=${addDays(TODAY, -7)}&to=${TODAY}`);
  await waitFigure(page, 'figure-offered', '6');
  assert.match(await page.textContent('h1') ?? '', 'Contact centre performance');
  assert.match(await text(page, 'figure-service-level'), /^50\s?%$/);
  assert.match(await page.textContent('[data-testid=service-level-target]') ?? '', /^target 80\s?% within 20 s$/);
  assert.is(await page.textContent('[data-testid=service-level-verdict]'), 'below target');
  assert.is(await text(page, 'figure-asa'), '12.5 s');
  assert.is(await text(page, 'figure-aht'), '1 min 23 s');
  const days = await chartPixels(page, 'chart-by-day');
  assert.ok(days.painted > 10_000 && days.answered > 100, JSON.stringify(days));
  assert.equal(await page.$$eval('nav.tabs a', (as) => as.map((a) => a.textContent!.trim())),
    ['Announcement statistics', 'Contact centre performance', 'Surveys', 'Appeals map', 'Mayor’s dashboard', 'Appeals', 'Top 10', 'Ratings']);
  assert.match(await page.textContent('[data-testid=table-by-queue] tbody') ?? '', /No queue/);
  await screenshot(page, 'call-stats-en');
  assert.equal(errors, []);
  await page.close();
});

test('an operator is refused the page', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'operator', PASSWORD);
  assert.is((await page.goto(`${app.url}/analytics/calls`))?.status(), 403);
  await page.close();
});

test.run();
