// The admin page in Chromium: the analyst's "Бачить текст звернень" checkbox grants and revokes the
// reading of appeals' free text (the same analyst session sees it from its next request), each change
// audited; other roles have no such checkbox.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { builder, PASSWORD } from '../helpers/build.ts';
import { at } from '../helpers/clock.ts';
import { hydrated, launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';

let db: Db;
let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let appealId: number;
const WORDS = 'Тече дах над під’їздом 3, вода на сходах';

test.before(async () => {
  ({ db } = await migratedDb('appeal_text_admin'));
  await seedCity(db);
  appealId = await builder(db).appeal({ category: CITY.roofLeak, building: CITY.buildingCentre, text: WORDS, createdAt: at(-3_600_000) });
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser.close(); await app.close(); });

const granted = () => db.one<{ s: boolean }>(`SELECT sees_appeal_text AS s FROM app_user WHERE login = 'analyst1'`).then((r) => r.s);
const audited = () => db.map(`SELECT a.action FROM audit_log a JOIN app_user u ON u.id = a.user_id
  WHERE a.entity = 'user' AND a.entity_id = (SELECT id::text FROM app_user WHERE login = 'analyst1') AND u.login = 'admin1' ORDER BY a.id`, [], (r) => r.action);

test('an admin ticks and unticks the analyst\'s checkbox; the analyst\'s open session follows; each change is audited', async () => {
  const analyst = client(app.url);
  assert.is((await analyst.signIn('analyst1', PASSWORD)).status, 200);
  const read = async () => (await analyst.get(`/api/appeals/${appealId}`)).json();
  assert.equal([(await read()).text, (await read()).textHidden], [null, true]);

  const page = await browser.newPage();
  const errors = watchErrors(page);
  await signIn(page, app.url, 'admin1', PASSWORD);
  await page.goto(app.url + '/admin');
  await hydrated(page);
  assert.is(await page.locator('[data-testid=appeal-text-grant]').count(), 1, 'only the analyst has the checkbox');
  const box = page.getByLabel('Бачить текст звернень: analyst1');
  assert.is(await box.isChecked(), false);
  assert.match(await page.textContent('.page') ?? '', 'Аналітик бачить звернення без імен');

  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/appeal-text') && r.request().method() === 'PUT' && r.status() === 200), box.check()]);
  assert.is(await granted(), true);
  assert.is((await read()).text, WORDS, 'granted: the same session reads the words on its next request');
  await screenshot(page, 'admin-appeal-text-grant');
  await page.reload();
  await hydrated(page);
  assert.is(await page.getByLabel('Бачить текст звернень: analyst1').isChecked(), true);

  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/appeal-text') && r.request().method() === 'DELETE' && r.status() === 200),
    page.getByLabel('Бачить текст звернень: analyst1').uncheck()]);
  assert.is(await granted(), false);
  assert.equal([(await read()).text, (await read()).textHidden], [null, true], 'revoked from the next request');
  assert.equal(await audited(), ['user.grant_appeal_text', 'user.revoke_appeal_text']);
  assert.equal(errors, []);
  await page.close();
});

test.run();
