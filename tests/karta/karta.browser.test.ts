// /karta in Debian's Chromium with software WebGL: the map renders a stop at its projected pixel,
// the layer switch removes it, a click opens the object's card, the search flies to a building,
// and the view survives a round trip through the URL.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { launchBrowser, screenshot, watchErrors } from '../helpers/browser.ts';
import type { Db } from '../../server/db/db.ts';
import { insertKartaFixture } from './fixture.ts';
import { decodePng, differingPixels } from './png.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;
let stop: { id: number; lon: number; lat: number; name: string };
let building: { id: number; lon: number; lat: number };

/** The seeded demo city when the generator's helper exists, else the small fixture city. */
async function cityDb(): Promise<Db> {
  const city = await import('../helpers/city.ts').catch(() => null) as null | { demoCity(label: string): Promise<{ db: Db }> };
  if (city) return (await city.demoCity('karta_browser')).db;
  const { db } = await migratedDb('karta_browser');
  await insertKartaFixture(db);
  return db;
}

test.before(async () => {
  db = await cityDb();
  // A stop that stands apart from other objects, so its pixels are its own.
  stop = await db.one(`
    SELECT o.id, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat, o.name FROM infra_object o
     WHERE o.kind = 'stop' AND o.name IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM infra_object p WHERE p.id <> o.id AND p.kind <> 'cleaning_zone'
                        AND ST_DWithin(p.geom::geography, o.geom::geography, 60))
     ORDER BY o.id LIMIT 1`);
  building = await db.one(`SELECT id, ST_X(centroid) AS lon, ST_Y(centroid) AS lat FROM building WHERE address = 'вул. Незалежності, 12'`);
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser?.close(); await app?.close(); });

async function openKarta(page: Page, hash = '') {
  await page.goto(`${app.url}/karta${hash}`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  await mapIdle(page);
}

function mapIdle(page: Page) {
  return page.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as any).mistoMap;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}

/** The stop's pixel in page coordinates, and the stop features MapLibre drew there. */
function stopAt(page: Page) {
  return page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    const hits = map.queryRenderedFeatures([[p.x - 3, p.y - 3], [p.x + 3, p.y + 3]]).filter((f: any) => f.sourceLayer === 'stops');
    return { x: box.left + p.x, y: box.top + p.y, ids: hits.map((f: any) => f.id) };
  }, [stop.lon, stop.lat]);
}

async function clipAround(page: Page, x: number, y: number, r = 10) {
  return decodePng(await page.screenshot({ clip: { x: x - r, y: y - r, width: 2 * r + 1, height: 2 * r + 1 } }));
}

test('the map shows a stop at its projected pixel; switching the layer off removes it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await openKarta(page, `#map=17/${stop.lat}/${stop.lon}`);
  const on = await stopAt(page);
  assert.ok(on.ids.includes(stop.id), `stop ${stop.id} not rendered at its pixel: ${JSON.stringify(on)}`);
  const drawn = await clipAround(page, on.x, on.y);

  const toggle = page.locator('[data-layer="stops"] input[type=checkbox]');
  assert.ok(await toggle.isChecked());
  await toggle.uncheck();
  await mapIdle(page);
  const off = await stopAt(page);
  assert.equal(off.ids, []);
  const gone = await clipAround(page, off.x, off.y);
  // The icon's pixels changed when the layer went off: something was drawn there, and now it is not.
  const changed = differingPixels(drawn, gone);
  assert.ok(changed >= 20, `only ${changed} pixels changed at the stop`);
  assert.match(page.url(), /layers=(?![^&]*\bstops\b)/);

  await toggle.check();
  await mapIdle(page);
  const again = await clipAround(page, on.x, on.y);
  assert.ok(differingPixels(drawn, again) < 10, 'the stop looks the same when switched back on');
  assert.equal(errors, []);
  await page.close();
});

test('a click on the stop opens its card with attributes and the responsible organisation', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openKarta(page, `#map=17/${stop.lat}/${stop.lon}`);
  const at = await stopAt(page);
  await page.mouse.click(at.x, at.y);
  const card = page.locator(`.maplibregl-popup .object-card[data-object-id="${stop.id}"]`);
  await card.locator('h3').waitFor();
  const text = (await card.textContent()) ?? '';
  const expected = await db.one<{ name: string; org: string | null }>(
    `SELECT o.name, e.name AS org FROM infra_object o LEFT JOIN executor e ON e.id = o.organisation_id WHERE o.id = $1`, [stop.id]);
  assert.match(text, expected.name);
  assert.match(text, 'Зупинка громадського транспорту');
  assert.match(text, 'Відповідальна організація');
  if (expected.org) assert.match(text, expected.org);
  await page.close();
});

test('address search: keyboard picks a suggestion, the map flies there and marks the building', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await openKarta(page);
  const input = page.getByRole('combobox');
  await input.fill('незалежн 12');
  const first = page.getByRole('option').first();
  await first.waitFor();
  assert.is((await first.locator('.address').textContent())?.trim(), 'вул. Незалежності, 12');
  await input.press('ArrowDown');
  await input.press('ArrowUp');
  await page.evaluate(() => new Promise<void>((r) => {
    (window as any).mistoMap.once('moveend', () => r());
    document.querySelector<HTMLInputElement>('input[role=combobox]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  }));
  await page.locator('.found').waitFor();
  assert.match((await page.locator('.found').textContent()) ?? '', 'вул. Незалежності, 12');
  await mapIdle(page);
  const view = await page.evaluate(() => { const m = (window as any).mistoMap; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() }; });
  assert.ok(Math.abs(view.lon - building.lon) < 1e-4 && Math.abs(view.lat - building.lat) < 1e-4, JSON.stringify(view));
  assert.ok(view.zoom >= 17);
  // the highlight is drawn: MapLibre's polygon and deck.gl's ring
  const marked = await page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    return map.queryRenderedFeatures(p, { layers: ['karta-found-fill'] }).length;
  }, [building.lon, building.lat]);
  assert.is(marked, 1);
  await page.waitForFunction(() => Number(document.querySelector('.mapview')!.getAttribute('data-deck-draws')) > 0);
  assert.match(page.url(), new RegExp(`[#&]b=${building.id}(&|$)`));
  // Escape closes the suggestions without picking
  await input.fill('шевч');
  await page.getByRole('listbox').waitFor();
  await input.press('Escape');
  assert.is(await page.getByRole('listbox').count(), 0);
  assert.equal(errors, []);
  await page.close();
});

test('the view (zoom, centre, layers, found building) round-trips through the URL', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openKarta(page, `#map=15.5/${stop.lat}/${stop.lon}`);
  await page.locator('[data-layer="kiosks"] input[type=checkbox]').uncheck();
  await page.evaluate(() => new Promise<void>((r) => {
    const map = (window as any).mistoMap;
    map.once('moveend', () => r());
    map.jumpTo({ zoom: 16.25, center: [map.getCenter().lng + 0.002, map.getCenter().lat - 0.001] });
  }));
  await page.waitForFunction(() => location.hash.includes('16.25'));
  const shared = page.url();
  assert.match(shared, /#map=16\.25\/[\d.]+\/[\d.]+&layers=/);
  const layers = new URLSearchParams(new URL(shared).hash.slice(1)).get('layers')!.split(',');
  assert.not.ok(layers.includes('kiosks'));
  assert.ok(layers.includes('stops'));

  const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await other.goto(shared);
  await other.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  const [a, b] = await Promise.all([page, other].map((p) => p.evaluate(() => {
    const m = (window as any).mistoMap; const c = m.getCenter(); return { lon: c.lng, lat: c.lat, zoom: m.getZoom() };
  })));
  assert.ok(Math.abs(a.lon - b.lon) < 1e-5 && Math.abs(a.lat - b.lat) < 1e-5 && Math.abs(a.zoom - b.zoom) < 1e-6, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  assert.not.ok(await other.locator('[data-layer="kiosks"] input').isChecked());
  assert.ok(await other.locator('[data-layer="stops"] input').isChecked());
  assert.not.ok(await other.evaluate(() => (window as any).mistoMap.getLayoutProperty(
    (window as any).mistoMap.getStyle().layers.find((l: any) => l['source-layer'] === 'kiosks').id, 'visibility') !== 'none'));

  // a link to a found building, opened in the same tab (hash change) and in a new one
  await other.goto(`${app.url}/karta#map=17/${building.lat}/${building.lon}&b=${building.id}`);
  await other.locator('.found').waitFor();
  assert.match((await other.locator('.found').textContent()) ?? '', 'вул. Незалежності, 12');
  await page.close();
  await other.close();
  const third = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await openKarta(third, `#map=17/${building.lat}/${building.lon}&b=${building.id}`);
  await third.locator('.found').waitFor();
  assert.match((await third.locator('.found').textContent()) ?? '', 'вул. Незалежності, 12');
  await third.close();
});

test('legend in English on request; TILE_URL pointing at another tegola-compatible server is all it takes', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${app.url}/karta?lang=en`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  const legend = (await page.locator('aside').textContent()) ?? '';
  assert.match(legend, 'Infrastructure');
  assert.match(legend, /Stops|stops/);
  assert.not.match(legend, 'Зупинки');
  // Groups in the registry's order under its titles; cleaning zones start hidden as the registry says.
  assert.equal(await page.locator('aside fieldset > legend').allTextContents(), ['Infrastructure', 'Base map']);
  const zonesShown = (p: Page) => p.evaluate(() => {
    const map = (window as any).mistoMap;
    return map.getStyle().layers.filter((l: any) => l['source-layer'] === 'cleaning_zones').map((l: any) => map.getLayoutProperty(l.id, 'visibility') !== 'none');
  });
  assert.not.ok(await page.locator('[data-layer="cleaning_zones"] input').isChecked());
  assert.equal(await zonesShown(page), [false, false]);
  // A link that names them shows them.
  await page.goto(`${app.url}/karta?lang=en#map=16/${stop.lat}/${stop.lon}&layers=cleaning_zones,stops`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  assert.ok(await page.locator('[data-layer="cleaning_zones"] input').isChecked());
  assert.not.ok(await page.locator('[data-layer="kiosks"] input').isChecked());
  assert.equal(await zonesShown(page), [true, true]);
  await page.close();

  // A second instance whose TILE_URL is the first: every tile request goes to the first server.
  const second = await startProduct(db, { tileUrl: app.url });
  try {
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const tileHosts = new Set<string>();
    p2.on('request', (r) => { const u = new URL(r.url()); if (/^\/(capabilities|maps|fonts|sprites)\//.test(u.pathname) || u.pathname === '/capabilities') tileHosts.add(u.origin); });
    await p2.goto(`${second.url}/karta#map=17/${stop.lat}/${stop.lon}`);
    await p2.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
    await mapIdle(p2);
    assert.equal([...tileHosts], [new URL(app.url).origin]);
    const at = await stopAt(p2);
    assert.ok(at.ids.includes(stop.id));
    await p2.close();
  } finally {
    await second.close();
    process.env.MISTO_INTERNAL_ORIGIN = app.url;
  }
});

test('the city as a visitor sees it: a found building and a stop card (screenshot)', async () => {
  const near = await db.one<{ id: number; lon: number; lat: number }>(`
    SELECT o.id, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat FROM infra_object o, building b
     WHERE b.id = $1 AND o.kind = 'stop' ORDER BY o.geom <-> b.centroid LIMIT 1`, [building.id]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const [lon, lat] = [(near.lon + building.lon) / 2 + 0.0012, (near.lat + building.lat) / 2];
  await openKarta(page, `#map=16.6/${lat}/${lon}&b=${building.id}`);
  await page.locator('.found').waitFor();
  await mapIdle(page);
  const at = await page.evaluate(([x, y]) => {
    const map = (window as any).mistoMap;
    const p = map.project([x, y]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, [near.lon, near.lat]);
  await page.mouse.click(at.x, at.y);
  await page.locator(`.maplibregl-popup .object-card[data-object-id="${near.id}"] h3`).waitFor();
  await page.mouse.move(5, 790);
  await mapIdle(page);
  const path = await screenshot(page, 'karta');
  assert.ok(path.endsWith('karta.png'));
  await page.close();
});

test.run();
