// The desk's map on a screen pop and on a building picked by address: the caller's building among
// its neighbours (MapLibre zoom 16, OpenStreetMap's 17), not a 30 m scale where the building fills
// the panel: an object a block away is in view and can be pinned on the appeal.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProductWithTelephony } from '../helpers/app.ts';
import { launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import { seedCity } from './fixture.ts';

// A stop 110 m north of вул. Незалежності, 12 (centre 24.71115, 48.9211): outside the 380 px panel
// at zoom 17 (±75 m), inside it at 16 (±150 m).
const STOP = { id: 50, name: 'Зупинка «Вокзальна»', lon: 24.7112, lat: 48.9221 };
const BUILDING_12 = [24.71115, 48.9211];
const BUILDING_40 = [24.73115, 48.9211];

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;

test.before(async () => {
  const { db } = await migratedDb('desk_map');
  await seedCity(db);
  await db.none(`INSERT INTO infra_object (id, kind, name, attributes, geom) VALUES ($1, 'stop', $2, '{}', ST_SetSRID(ST_MakePoint($3, $4), 4326))`,
    [STOP.id, STOP.name, STOP.lon, STOP.lat]);
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
    if (map.loaded() && !map.isMoving() && map.areTilesLoaded()) { resolve(); return; }
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}

const view = (page: Page) => page.evaluate(() => {
  const m = (window as any).mistoMap;
  const c = m.getCenter();
  return { lon: c.lng, lat: c.lat, zoom: m.getZoom(), scale: document.querySelector('.maplibregl-ctrl-scale')?.textContent ?? '' };
});

/** Where a point is on the screen, and whether the map panel shows it. */
const onScreen = (page: Page, at: number[]) => page.evaluate(([lon, lat]) => {
  const map = (window as any).mistoMap;
  const p = map.project([lon, lat]);
  const box = map.getCanvas().getBoundingClientRect();
  return { x: box.left + p.x, y: box.top + p.y, inside: p.x > 10 && p.y > 10 && p.x < box.width - 10 && p.y < box.height - 10 };
}, at);

test('a screen pop shows the building with its neighbours; a stop a block away is pinned; a picked building does the same', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('.stream[data-state="open"]');
  await page.fill('.sim-phone', '050 111 22 33');
  await page.click('[data-testid=simulate-call]');
  await page.waitForSelector('[data-testid=caller-name]', { timeout: 15_000 });

  await mapIdle(page);
  const popped = await view(page);
  assert.ok(Math.abs(popped.zoom - 16) < 0.01, `zoom ${popped.zoom}`);
  assert.ok(Math.abs(popped.lon - BUILDING_12[0]) < 1e-5 && Math.abs(popped.lat - BUILDING_12[1]) < 1e-5, JSON.stringify(popped));
  assert.match(popped.scale, /^(50|100)\s?m$/, 'a street-block scale, not 30 m');
  await screenshot(page, 'desk-map-pop');

  const stop = await onScreen(page, [STOP.lon, STOP.lat]);
  assert.ok(stop.inside, `the stop 110 m away is in view: ${JSON.stringify(stop)}`);
  await page.mouse.click(stop.x + 2, stop.y + 2);
  await page.waitForSelector('[data-testid=attached-object]');
  assert.match(await page.textContent('[data-testid=attached-object]') ?? '', /Зупинка «Вокзальна»\s*\(Зупинка\)/);

  // The operator zooms right in; another building picked by address brings the neighbourhood back.
  await page.evaluate(() => (window as any).mistoMap.jumpTo({ zoom: 19 }));
  await page.keyboard.press('Alt+KeyF');
  await page.keyboard.type('Незалежності 40');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#desk-search-list [role=option]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#building-residents');
  await mapIdle(page);
  const picked = await view(page);
  assert.ok(Math.abs(picked.zoom - 16) < 0.01, `zoom ${picked.zoom}`);
  assert.ok(Math.abs(picked.lon - BUILDING_40[0]) < 1e-5, JSON.stringify(picked));
  // The traffic light at the crossing, 150 m east and 100 m south, is in view and pickable.
  const light = await onScreen(page, [24.733, 48.9202]);
  assert.ok(light.inside, JSON.stringify(light));
  await page.mouse.click(light.x - 2, light.y + 1);
  await page.waitForFunction(() => /Світлофор Незалежності — Пасічна/.test(document.querySelector('[data-testid=attached-object]')?.textContent ?? ''));
  await screenshot(page, 'desk-map-picked-building');
  assert.equal(errors, []);
  await page.close();
});

test.run();
