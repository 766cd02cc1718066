// "My building" on the public announcements page uses the one address search: typed suggestions,
// keyboard pick, the building's announcements now and next, the map marks it; a subscription the
// server refuses is explained in Ukrainian, a good one is confirmed by mail.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { launchBrowser, screenshot, watchErrors } from '../helpers/browser.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';
import { seedGrid, buildingId, centre } from './fixture.ts';
import { iso, HOUR } from '../helpers/clock.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
const HOUSE = buildingId(3, 2); // вул. Тестова, 24

test.before(async () => {
  const { db } = await migratedDb('ann_my_building');
  await seedGrid(db);
  await createUser(db, 'oblenergo', 'executor', { executorId: 1 });
  app = await startProduct(db);
  browser = await launchBrowser();
  const c = client(app.url);
  await c.signIn('oblenergo', PASSWORD);
  for (const [title, from, to] of [['Ремонт підстанції', -HOUR, 5 * HOUR], ['Заміна лічильників', 20 * HOUR, 26 * HOUR]] as const) {
    const res = await c.post('/api/announcements', {
      kind: 'outage', utility: 'electricity', title, startsAt: iso(from), endsAt: iso(to),
      zone: { source: 'buildings', buildingIds: [HOUSE] } });
    assert.is(res.status, 201, await res.text());
  }
});
test.after(async () => { await browser?.close(); await app?.close(); });

test('my building: the address by keyboard, what affects it now and next, a refused and an accepted subscription', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/announcements`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 60_000 });

  const input = page.locator('#my-q');
  assert.is(await input.getAttribute('role'), 'combobox');
  await input.click();
  await page.keyboard.type('тестова 24');
  await page.waitForSelector('#my-q-list [role=option] >> text=вул. Тестова, 24');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  assert.is(await input.inputValue(), 'вул. Тестова, 24');
  await page.waitForSelector('.my >> text=Ремонт підстанції');
  const my = await page.textContent('.my') ?? '';
  assert.match(my, /Зараз[\s\S]*Ремонт підстанції[\s\S]*Далі[\s\S]*Заміна лічильників/);
  // The map went to the building.
  await page.waitForFunction(([lon, lat]) => {
    const m = (window as any).mistoMap; const c = m.getCenter();
    return !m.isMoving() && Math.abs(c.lng - lon) < 1e-4 && Math.abs(c.lat - lat) < 1e-4 && m.getZoom() > 15.9;
  }, centre(3, 2));

  // "meshkanets@localhost" passes the browser's e-mail check, the server refuses it.
  await page.fill('.sub input[name=email]', 'meshkanets@localhost');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/announcements/subscriptions')),
    page.click('.sub button[type=submit]'),
  ]);
  assert.is(refused.status(), 400);
  const body = await refused.json();
  await page.waitForSelector('[data-testid=my-message].error-text');
  const shown = (await page.textContent('[data-testid=my-message]'))!.trim();
  assert.is(shown, describeError('uk', body));
  assert.ok(!shown.includes(body.message), shown);

  await page.fill('.sub input[name=email]', 'meshkanets@example.com');
  await page.click('.sub button[type=submit]');
  await page.waitForSelector('[data-testid=my-message]:not(.error-text) >> text=meshkanets@example.com');
  await screenshot(page, 'announcements-my-building');
  assert.equal(errors.filter((e) => !/status of 400/.test(e)), []);
  await page.close();
});

test.run();
