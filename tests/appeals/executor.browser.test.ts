// The executor portal in Chromium: the inbox with how late each overdue appeal is and the Control
// flag, the due-within-24-hours filter, a move with a comment written into the history in words,
// planning with a date and a reason, a bulk take-into-work, and another organisation's appeal
// refused on the page as in the API.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { kyivLocal, launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import { client } from '../helpers/http.ts';
import { DAY, HOUR, at } from '../helpers/clock.ts';
import { builder } from '../helpers/build.ts';
import type { Db } from '../../server/db/db.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';
import { seedCity, CITY } from './fixture.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;
let late: number, soon: number, returned: number, theirs: number;
const numberOf = (id: number) => db.one('SELECT number FROM appeal WHERE id = $1', [id], (r) => r.number as string);

test.before(async () => {
  ({ db } = await migratedDb('executor_browser'));
  await seedCity(db);
  const b = builder(db);
  late = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: at(-3 * DAY), dueAt: at(-5 * HOUR), text: 'Тече дах над сходами' });
  soon = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: at(-HOUR), dueAt: at(3 * HOUR), text: 'Капає з даху' });
  returned = await b.appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, createdAt: at(-4 * DAY), dueAt: at(2 * DAY), status: 'control', text: 'Не відремонтовано' });
  await db.none('UPDATE appeal SET control_count = 1 WHERE id = $1', [returned]);
  theirs = await b.appeal({ category: CITY.garbage, executor: CITY.blagoustrii, infraObject: CITY.containerSite, text: 'Переповнений контейнер' });
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
});

const row = (page: Page, number: string) => page.locator('[data-testid=executor-appeals] tr', { hasText: number });

test('the inbox: overdue with how late, the Control flag, due within 24 hours', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'zhek1', PASSWORD);
  await page.goto(`${app.url}/executor`);
  await page.waitForSelector('[data-testid=executor-appeals]');
  assert.is((await row(page, await numberOf(late)).locator('[data-testid=late]').textContent())?.trim(), 'прострочено на 5 год');
  assert.match(await row(page, await numberOf(returned)).textContent() ?? '', /⚑ 1/);
  // The listed appeals on the map, on request.
  assert.is(await page.locator('[data-testid=appeals-map]').count(), 0, 'no map until asked for');
  const rows = await page.locator('[data-testid=executor-appeals] tbody tr').count();
  await page.click('[data-testid=map-toggle]');
  await page.waitForSelector('[data-testid=appeals-map] .mapview[data-map-ready="true"]', { timeout: 30_000 });
  assert.is(await page.getAttribute('[data-testid=appeals-map]', 'data-points'), String(rows));
  const drawn = await page.evaluate(() => ((window as any).mistoMap.getSource('executor-appeals').serialize().data.features as unknown[]).length); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.is(drawn, rows);
  assert.match(await page.textContent('[data-testid=due-soon]') ?? '', /\(1\)/);
  await page.click('[data-testid=due-soon]');
  await page.waitForURL(/dueSoon=1/);
  const listed = await page.locator('[data-testid=executor-appeals] tbody tr').allTextContents();
  assert.is(listed.length, 1);
  assert.match(listed[0], await numberOf(soon));
  // The district filter: the city's districts; none of these appeals is in Pasichna.
  assert.equal(await page.locator('[data-testid=district] option').allTextContents(), ['Усі райони', 'Пасічна', 'Центральний']);
  await page.selectOption('[data-testid=district]', String(CITY.pasichna));
  await Promise.all([page.waitForURL(/districtId=/), page.click('form[role=search] button[type=submit]')]);
  assert.match(await page.textContent('[data-testid=executor-appeals]') ?? '', 'Звернень немає.');
  await page.goto(`${app.url}/executor?status=all`);
  await page.waitForSelector('[data-testid=executor-appeals]');
  assert.not.match(await page.textContent('[data-testid=executor-appeals]') ?? '', await numberOf(theirs), 'another organisation’s appeal is not listed');
  assert.equal(errors, []);
  await page.close();
});
test('a move with a comment and a plan, each in the history in words; bulk take into work', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'zhek1', PASSWORD);
  await page.goto(`${app.url}/executor?appeal=${late}`);
  await page.waitForSelector('[data-testid=appeal-detail]');
  const detail = page.locator('[data-testid=appeal-detail]');
  await page.selectOption('[data-testid=next-status]', 'in_progress');
  await detail.locator('input[maxlength="4000"]').fill('Бригада виїхала');
  await detail.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=appeal-detail] .ok');
  const history = await detail.locator('.events').textContent() ?? '';
  assert.match(history, 'Статус: нове → в роботі');
  assert.match(history, 'Коментар: Бригада виїхала');

  await page.selectOption('[data-testid=next-status]', 'planned');
  await detail.locator('input[type=datetime-local]').fill(kyivLocal(at(10 * DAY)));
  await detail.locator('select').filter({ has: page.locator('option[value=needs_funding]') }).selectOption('needs_funding');
  await detail.locator('button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=appeal-detail] .events')?.textContent?.includes('потребує додаткового фінансування'));
  assert.match(await detail.locator('.events').textContent() ?? '', 'Статус: в роботі → заплановано');

  // Bulk: the fresh appeal into work.
  await page.goto(`${app.url}/executor`);
  await row(page, await numberOf(soon)).locator('input[type=checkbox]').check();
  await page.click('[data-testid=bulk] button:has-text("Взяти в роботу")');
  await page.waitForSelector('.ok[role=status]');
  assert.match(await page.textContent('.ok[role=status]') ?? '', 'Змінено: 1, відмовлено: 0');
  assert.is(await db.one('SELECT status FROM appeal WHERE id = $1', [soon], (r) => r.status), 'in_progress');
  assert.equal(errors, []);
  await page.close();
});

test('another organisation’s appeal is refused on the page as in the API', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await signIn(page, app.url, 'zhek1', PASSWORD);
  await page.goto(`${app.url}/executor?appeal=${theirs}`);
  await page.waitForSelector('[role=alert]');
  assert.is((await page.textContent('[role=alert]'))?.trim(), describeError('uk', { error: 'forbidden' }));
  assert.is(await page.locator('[data-testid=appeal-detail]').count(), 0);
  assert.not.match(await page.textContent('body') ?? '', 'Переповнений контейнер');
  assert.ok(errors.every((e) => /403/.test(e)), errors.join('\n'));
  await page.close();
});

test('the appeal\'s own place on a street-level map: its container site drawn under the ring', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'blago', PASSWORD);
  await page.goto(`${app.url}/executor?appeal=${theirs}`);
  await page.waitForSelector('[data-testid=appeal-detail]');
  assert.is(await page.locator('[data-testid=appeal-place]').count(), 0, 'no map until asked for');
  await page.click('[data-testid=place-toggle]');
  await page.waitForSelector('[data-testid=appeal-place] .mapview[data-map-ready="true"]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid=appeal-place] .mapview[data-idle="true"]', { timeout: 30_000 });
  const seen = await page.evaluate(() => {
    const map = (window as any).mistoMap; // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = map.project(map.getCenter());
    const box = [[c.x - 20, c.y - 20], [c.x + 20, c.y + 20]];
    return {
      zoom: map.getZoom() as number,
      ring: map.queryRenderedFeatures(box, { layers: ['appeal-place'] }).length as number,
      kinds: map.queryRenderedFeatures(box).map((f: { sourceLayer?: string }) => f.sourceLayer).filter(Boolean) as string[],
    };
  });
  assert.is(Math.round(seen.zoom), 17);
  assert.is(seen.ring, 1);
  assert.ok(seen.kinds.includes('container_sites'), seen.kinds.join(', '));
  await screenshot(page, 'executor-place');
  assert.equal(errors, []);
  await page.close();
});

test('the contact centre re-assigns an appeal its executor returned as not their competence', async () => {
  const id = await builder(db).appeal({ category: CITY.roofLeak, executor: CITY.zhek1, building: CITY.buildingCentre, text: 'Не працює ліфт' });
  const zhek = client(app.url);
  await zhek.signIn('zhek1', PASSWORD);
  const back = await zhek.fetch(`/api/appeals/${id}`, { method: 'PATCH', body: JSON.stringify({ status: 'rejected', rejectReason: 'not_competent', answer: 'Ліфти обслуговує Ліфтсервіс' }) });
  assert.is(back.status, 200);
  const number = await numberOf(id);

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk/returned`);
  const line = page.locator('[data-testid=returned] tr', { hasText: number });
  await line.waitFor();
  await screenshot(page, 'desk-returned');
  assert.match(await line.textContent() ?? '', 'Ліфти обслуговує Ліфтсервіс');
  await line.locator('select').selectOption(String(CITY.vodokanal));
  await line.locator('input').fill('Передано за належністю');
  await line.locator('button[type=submit]').click();
  await page.waitForSelector('.ok[role=status]');
  assert.match(await page.textContent('[data-testid=returned]') ?? '', 'Повернутих звернень немає.');
  const r = await db.one('SELECT executor_id, returned_at FROM appeal WHERE id = $1', [id]);
  assert.equal([r.executor_id, r.returned_at], [CITY.vodokanal, null]);
  assert.equal(errors, []);
  await page.close();
  // An executor may not open the queue.
  const executor = await browser.newPage();
  await signIn(executor, app.url, 'zhek1', PASSWORD);
  const res = await executor.goto(`${app.url}/desk/returned`);
  assert.is(res?.status(), 403);
  await executor.close();
});

test.run();
