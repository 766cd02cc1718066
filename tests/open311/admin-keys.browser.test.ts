// The admin page's Open311 section in Chromium: a key is issued (shown once), works for filing a
// request, is listed by its prefix only, and once revoked is refused.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { PASSWORD } from '../helpers/build.ts';
import { hydrated, launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;

test.before(async () => {
  const { db } = await migratedDb('open311_admin');
  await seedCity(db);
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser.close(); await app.close(); });

const file = (key: string) => fetch(`${app.url}/open311/v2/requests.json`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ api_key: key, service_code: 'no_water', address_id: String(CITY.buildingCentre), description: 'Немає холодної води' }).toString(),
});

test('an admin issues an Open311 key on /admin, sees it once, and revokes it', async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await signIn(page, app.url, 'admin1', PASSWORD);
  await page.goto(app.url + '/admin');
  await hydrated(page);
  assert.match(await page.textContent('#api-keys-title') ?? '', 'Ключі API Open311');
  assert.match(await page.textContent('section') ?? '', 'Ключів ще немає.');
  await page.getByLabel('Назва клієнта').fill('Мобільний застосунок');
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/admin/api-keys') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Видати ключ' }).click()]);
  const key = (await page.locator('[data-testid=api-key]').textContent())?.trim() ?? '';
  assert.match(key, /^misto_/);
  const row = page.locator('section tbody tr', { hasText: 'Мобільний застосунок' });
  await row.waitFor();
  assert.match(await row.textContent() ?? '', key.slice(0, 12));
  assert.match(await row.textContent() ?? '', 'ще ні');
  await screenshot(page, 'open311-api-keys');

  const ok = await file(key);
  assert.is(ok.status, 200, await ok.clone().text());

  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/admin/api-keys/') && r.status() === 200), page.getByRole('button', { name: 'Відкликати: Мобільний застосунок' }).click()]);
  await page.getByRole('button', { name: 'Відкликати: Мобільний застосунок' }).waitFor({ state: 'detached' });
  // A reload shows the key as revoked and used, and never the key itself.
  await page.reload();
  await hydrated(page);
  const text = await page.textContent('section') ?? '';
  assert.not.ok(text.includes(key));
  assert.not.ok(text.includes('ще ні'));
  const refused = await file(key);
  assert.is(refused.status, 403);
  assert.equal(errors, []);
  await page.close();
});

test.run();
