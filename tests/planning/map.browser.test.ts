// The planners' map in Chromium: deck.gl draws the hexagons over the basemap (the cell with the most
// appeals in the ramp's darkest red), a click on it lists its counts by category (deck's picking),
// columns and the district choropleth draw too, hotspots are listed; and the live dashboard shows
// the day's figures. Screenshots in tests/artifacts.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { PASSWORD } from '../helpers/users.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { decodePng } from '../karta/png.ts';
import { A, FROM, TO, seedPlanning } from './fixture.ts';
import { addDays } from '../../vocabulary/calendar.ts';
import { hexSizeForZoom } from '../../vocabulary/planning.ts';
import type { Db } from '../../server/db/db.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;

test.before(async () => {
  ({ db } = await migratedDb('planning_browser'));
  await seedPlanning(db);
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser?.close(); await app?.close(); });

const draws = (page: Page) => page.evaluate(() => Number(document.querySelector('.mapview')?.getAttribute('data-deck-draws') ?? 0));

/** Page pixel of a lon/lat, after the map has settled there with deck.gl drawn. */
async function settle(page: Page, lonlat: readonly [number, number], zoom: number) {
  const before = await draws(page);
  await page.evaluate(([lon, lat, z]) => new Promise<void>((resolve) => {
    const map = (window as any).mistoMap;
    map.once('idle', () => resolve());
    map.jumpTo({ center: [lon, lat], zoom: z });
  }), [lonlat[0], lonlat[1], zoom]);
  // The cells of the new zoom's size loaded (the page asks again when the size changes), then drawn.
  await page.waitForSelector(`[data-testid=map-legend][data-size="${hexSizeForZoom(zoom)}"][data-loading=false]`, { timeout: 15_000 });
  await page.waitForFunction((n) => Number(document.querySelector('.mapview')?.getAttribute('data-deck-draws')) > n, before, { timeout: 15_000 });
  await page.waitForTimeout(300);
  return page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: Math.round(box.left + p.x), y: Math.round(box.top + p.y) };
  }, [lonlat[0], lonlat[1]]);
}

async function colourAt(page: Page, x: number, y: number) {
  const img = decodePng(await page.screenshot());
  const i = (y * img.width + x) * 4;
  return [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
}

test('the hexagon map draws the cells with deck.gl and a click lists a cell\'s categories', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst1', PASSWORD);
  await page.goto(`${app.url}/analytics/map?from=${addDays(FROM, -28)}&to=${TO}`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=hotspots-table]', { timeout: 15_000 });
  const at = await settle(page, A, 15);
  // Beside the hotspots' markers (which sit on A), still well inside A's cell (about 50 px across at z15).
  const p = { x: at.x + 24, y: at.y + 6 };
  // The busiest cell: the ramp's top (177, 0, 38) at 200/255 over the light basemap — strongly red.
  const [r, g, b] = await colourAt(page, p.x, p.y);
  assert.ok(r > 150 && g < 90 && b < 100, `hexagon pixel ${[r, g, b]}`);
  // Far from any appeal the basemap shows through (no reddish hexagon there).
  const far = await colourAt(page, 30, 880);
  assert.not.ok(far[0] > 150 && far[1] < 90, `background pixel ${far}`);
  await screenshot(page, 'planning-hexagons');

  await page.mouse.click(p.x, p.y);
  await page.waitForSelector('[data-testid=cell-categories] li');
  const items = await page.$$eval('[data-testid=cell-categories] li', (li) => li.map((x) => x.textContent!.trim()));
  assert.equal(items, ['Не працює ліфт: 5', 'Протікання покрівлі: 4', 'Відсутнє холодне водопостачання: 2']);
  const hot = await page.$$eval('[data-testid=hotspots-table] tbody tr', (rows) => rows.map((tr) => tr.textContent!));
  assert.is(hot.length, 2);
  assert.match(hot[0], /вул\. Незалежності, 12.*Не працює ліфт.*5.*кожні 7 дн\./);
  assert.match(await page.textContent('[data-testid=map-legend]') ?? '', /Звернень у шестикутнику \(250 м\)/);

  // Columns: extruded, seen from an angle.
  await page.check('input[name=view][value=columns]');
  await page.evaluate(() => (window as any).mistoMap.jumpTo({ pitch: 50 }));
  const q = await settle(page, A, 14);
  await screenshot(page, 'planning-columns');
  assert.ok(q.x > 0);

  // Districts: the choropleth, the table beside it.
  await page.check('input[name=view][value=districts]');
  await page.evaluate(() => (window as any).mistoMap.jumpTo({ pitch: 0 }));
  const d = await settle(page, [24.715, 48.925], 13);
  const [dr, dg] = await colourAt(page, d.x, d.y);
  assert.ok(dr > 150 && dg < 90, `district pixel ${[dr, dg]}`);
  const rows = await page.$$eval('[data-testid=districts-table] tbody tr', (tr) => tr.map((x) => [...x.querySelectorAll('td')].map((td) => td.textContent!.trim()).join(' ')));
  assert.equal(rows, ['Центральний 15', 'Пасічна 2']);
  await screenshot(page, 'planning-districts');
  assert.equal(errors, []);
  await page.close();
});

test('the live dashboard shows the day\'s figures', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'admin1', PASSWORD);
  await page.goto(`${app.url}/analytics/live`);
  await page.waitForSelector('[data-testid=live-figures]', { timeout: 30_000 });
  await page.waitForSelector('.state[data-state=open]', { timeout: 15_000 });
  assert.match(await page.textContent('[data-testid=live-open]') ?? '', /18/);
  assert.match(await page.textContent('[data-testid=live-appeals-today]') ?? '', /0/);
  await screenshot(page, 'planning-live');
  assert.equal(errors, []);
  await page.close();
});

test.run();
