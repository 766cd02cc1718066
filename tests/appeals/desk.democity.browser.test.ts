// The desk on the seeded demo city (8,000 buildings, dense infrastructure): a resident's call pops
// their card, the operator picks "container site overflowing" by keyboard, clicks the container site
// near the building among its neighbours, registers; the fixed executor finds it in their portal.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { startProductWithTelephony } from '../helpers/app.ts';
import { demoCity, DEMO_PASSWORD } from '../helpers/city.ts';
import { launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;
let db: Db;
let caller: { id: number; fullName: string; phone: string; address: string; site: number; siteName: string; lon: number; lat: number };

test.before(async () => {
  ({ db } = await demoCity('desk_demo'));
  // A resident whose building has a container site within 60 m that has no other point object
  // within 25 m, so the click is unambiguous even with snapping.
  caller = await db.one(`
    SELECT r.id, r.full_name AS "fullName", p.phone, b.address, o.id AS site, o.name AS "siteName", ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat
      FROM resident r
      JOIN resident_phone p ON p.resident_id = r.id
      JOIN building b ON b.id = r.building_id
      JOIN LATERAL (SELECT o.* FROM infra_object o WHERE o.kind = 'container_site'
                     AND ST_DWithin(o.geom::geography, b.centroid::geography, 60)
                     AND NOT EXISTS (SELECT 1 FROM infra_object x WHERE x.id <> o.id AND x.kind <> 'cleaning_zone'
                                      AND ST_DWithin(x.geom::geography, o.geom::geography, 25))
                   ORDER BY o.geom <-> b.centroid LIMIT 1) o ON true
     ORDER BY r.id LIMIT 1`);
  app = await startProductWithTelephony(db);
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
});

async function mapIdle(page: Page) {
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  await page.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as any).mistoMap;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}

test('a demo resident’s call → container site on a dense map → the fixed executor’s portal', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'operator', DEMO_PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('.stream[data-state="open"]');
  await page.fill('.sim-phone', caller.phone);
  await page.click('[data-testid=simulate-call]');
  await page.waitForSelector(`[data-testid=caller-name] >> text=${caller.fullName}`, { timeout: 15_000 });
  assert.match(await page.textContent('[data-testid=call-card]') ?? '', new RegExp(caller.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

  await page.keyboard.press('Alt+KeyK');
  await page.keyboard.type('переповнений конт');
  await page.keyboard.press('Enter');
  assert.match(await page.textContent('[data-testid=chosen-category]') ?? '', /Переповнений контейнерний майданчик/);
  await page.keyboard.type('Не вивозять сміття з майданчика четвертий день');

  await mapIdle(page);
  const at = await page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, [caller.lon, caller.lat]);
  await page.mouse.click(at.x - 2, at.y + 3);
  await page.waitForSelector('[data-testid=attached-object]');
  await page.waitForFunction(() => /blagoustrij|Благоустр/i.test(document.querySelector('[data-testid=suggestion]')?.textContent ?? ''));
  await screenshot(page, 'desk-democity');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=registered]');
  const number = /15-80\/\d{4}\/\d{6}/.exec(await page.textContent('[data-testid=registered]') ?? '')?.[0];
  assert.ok(number);
  await page.waitForFunction((n) => (document.querySelector('[data-testid=history]')?.textContent ?? '').includes(n), number);

  const row = await db.one(`SELECT a.infra_object_id, e.code, a.call_id FROM appeal a JOIN executor e ON e.id = a.executor_id WHERE a.number = $1`, [number]);
  assert.is(row.infra_object_id, caller.site);
  assert.ok(row.call_id);

  const exec = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await signIn(exec, app.url, row.code, DEMO_PASSWORD);
  await exec.goto(`${app.url}/executor`);
  await exec.fill('input[name=q]', number!);
  await exec.keyboard.press('Enter');
  await exec.waitForSelector(`[data-testid=executor-appeals] >> text=${number}`);
  await exec.click(`text=${number}`);
  await exec.waitForSelector('[data-testid=appeal-detail] >> text=Не вивозять сміття з майданчика четвертий день');
  await screenshot(exec, 'executor-democity');
  assert.equal(errors, []);
  await Promise.all([page.close(), exec.close()]);
});

test.run();
