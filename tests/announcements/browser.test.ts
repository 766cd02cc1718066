// A utility user draws a zone with terra-draw (clicks on the map canvas), sees the live count,
// publishes; the public map shows its circle in the utility's colour, bigger than a one-building
// announcement's circle; zooming in swaps the circles for the real zone from the tiles. On the
// utility page an organisation's own zones keep their utility colour, other organisations' are grey.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { launchBrowser, screenshot, signIn, watchErrors } from '../helpers/browser.ts';
import { decodePng, type Image } from '../karta/png.ts';
import type { Db } from '../../server/db/db.ts';
import { UTILITY_COLOR, hexToRgb, circleRadius } from '../../vocabulary/announcements.ts';
import { seedGrid, at as mAt, centre, buildingId, apartmentsOf, rect } from './fixture.ts';
import { at, iso, HOUR } from '../helpers/clock.ts';
import { kyivLocal } from '../helpers/browser.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let db: Db;
let smallId = 0;

test.before(async () => {
  ({ db } = await migratedDb('ann_browser'));
  await seedGrid(db);
  await createUser(db, 'oblenergo', 'executor', { executorId: 1 });
  app = await startProduct(db);
  browser = await launchBrowser();
  // The comparison circle: one building in the far corner, also electricity, active now.
  const c = client(app.url);
  await c.signIn('oblenergo', PASSWORD);
  const res = await c.post('/api/announcements', {
    kind: 'outage', utility: 'electricity', title: 'Один будинок',
    startsAt: iso(-HOUR), endsAt: iso(6 * HOUR),
    zone: { source: 'buildings', buildingIds: [buildingId(9, 9)] } });
  smallId = (await res.json()).id;
});
test.after(async () => { await browser?.close(); await app?.close(); });

const ready = (page: Page) => page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 60_000 });
function idle(page: Page) {
  return page.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as any).mistoMap;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}
/** Page pixel of a lon/lat on the map. */
function pixel(page: Page, lonlat: [number, number]) {
  return page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, lonlat);
}

/** Pixels around (x, y) within `r` whose colour is the circle fill (the colour at 84% over a light basemap). */
function matching(img: Image, cx: number, cy: number, r: number, rgb: [number, number, number]) {
  let n = 0, maxD = 0;
  for (let y = Math.max(0, Math.round(cy - r)); y <= Math.min(img.height - 1, Math.round(cy + r)); y++) {
    for (let x = Math.max(0, Math.round(cx - r)); x <= Math.min(img.width - 1, Math.round(cx + r)); x++) {
      const i = (y * img.width + x) * 4;
      const px = [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
      // alpha 215/255 over anything light (basemap colours are all > 200)
      const ok = px.every((v, k) => v >= rgb[k] * 0.84 + 0.16 * 170 - 12 && v <= rgb[k] * 0.84 + 0.16 * 255 + 12);
      if (ok) { n++; maxD = Math.max(maxD, Math.hypot(x - cx, y - cy)); }
    }
  }
  return { n, maxD };
}

test('a utility user draws a polygon, sees the live count, publishes; the public map shows the circle by colour and size', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'oblenergo', PASSWORD);
  const [clon, clat] = mAt(110, 110);
  await page.goto(`${app.url}/utility/announcements#map=17/${clat}/${clon}`);
  await ready(page);
  await idle(page);

  // A square around columns 1–4 × rows 1–4: sixteen buildings.
  const corners = [mAt(32, 32), mAt(188, 32), mAt(188, 188), mAt(32, 188)];
  const pts = [];
  for (const c of corners) pts.push(await pixel(page, c));
  for (const p of pts) { await page.mouse.move(p.x, p.y, { steps: 3 }); await page.mouse.click(p.x, p.y); await page.waitForTimeout(150); }
  await page.mouse.move(pts[0].x + 1, pts[0].y + 1, { steps: 3 });
  await page.mouse.click(pts[0].x, pts[0].y); // clicking the first point closes the polygon
  await page.waitForFunction(() => /будинків: 16 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });
  const counts = await page.textContent('[data-testid=preview-counts]');
  assert.match(counts!, /будинків: 16 · квартир: 240 · мешканців: 0/);
  // The server's highlighted buildings are on the map.
  const hits = await page.evaluate(async () => (await (window as any).mistoMap.getSource('preview-hits').getData()).features.map((f: any) => f.properties.id).sort((a: number, b: number) => a - b));
  const expected = [];
  for (let r = 1; r <= 4; r++) for (let c = 1; c <= 4; c++) expected.push(buildingId(c, r));
  assert.equal(hits, expected.sort((a, b) => a - b));
  await screenshot(page, 'announcements-utility-draw');

  // datetime-local inputs take the browser's wall time (the page runs in Europe/Kyiv).
  const local = { s: kyivLocal(at(-HOUR)), e: kyivLocal(at(4 * HOUR)) };
  await page.fill('input[name=startsAt]', local.s);
  await page.fill('input[name=endsAt]', local.e);
  await page.fill('input[name=title]', 'Заміна кабелю 10 кВ');
  await page.fill('input[name=contact]', '(0342) 55-55-55');
  await page.click('[data-testid=announcement-form] button[type=submit]');
  await page.waitForFunction(() => /опубліковано, будинків у зоні: 16/.test(document.querySelector('[data-testid=form-message]')?.textContent ?? ''), null, { timeout: 15_000 });
  const stored = await db.one(`SELECT id, utility, buildings_count, source_kind FROM announcement WHERE title = 'Заміна кабелю 10 кВ'`);
  assert.is(stored.buildings_count, 16);
  assert.is(stored.source_kind, 'polygon');
  assert.is(stored.utility, 'electricity');
  assert.equal(errors, []);

  // ---- the public map ----
  const pub = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const perrors = watchErrors(pub);
  const [mlon, mlat] = mAt(200, 200);
  await pub.goto(`${app.url}/announcements#map=14/${mlat}/${mlon}`);
  await ready(pub);
  await pub.waitForFunction(() => document.querySelectorAll('[data-testid=announcement-list] li').length === 2, null, { timeout: 15_000 });
  await pub.waitForFunction(() => Number(document.querySelector('.mapview')?.getAttribute('data-deck-draws')) > 2, null, { timeout: 15_000 });
  await idle(pub);
  await pub.waitForTimeout(500);
  const shot = decodePng(await pub.screenshot());
  await screenshot(pub, 'announcements-public-circles');

  const rgb = hexToRgb(UTILITY_COLOR.electricity);
  const big = await db.one(`SELECT ST_X(centroid) AS lon, ST_Y(centroid) AS lat FROM announcement WHERE id = $1`, [stored.id]);
  const small = await db.one(`SELECT ST_X(centroid) AS lon, ST_Y(centroid) AS lat FROM announcement WHERE id = $1`, [smallId]);
  const pb = await pixel(pub, [big.lon, big.lat]);
  const ps = await pixel(pub, [small.lon, small.lat]);
  const rb = circleRadius(16), rs = circleRadius(1);
  const mb = matching(shot, pb.x, pb.y, rb + 6, rgb);
  const ms = matching(shot, ps.x, ps.y, rs + 6, rgb);
  // The colour is the utility's; the circles have the radius the area rule gives (√16 = 4 × √1).
  assert.ok(mb.n > 0.5 * Math.PI * rb * rb, `big circle: ${mb.n} pixels of the electricity colour`);
  assert.ok(ms.n > 0.4 * Math.PI * rs * rs, `small circle: ${ms.n} pixels of the electricity colour`);
  assert.ok(Math.abs(mb.maxD - rb) <= 3, `big radius ${mb.maxD} vs ${rb}`);
  assert.ok(mb.n > 6 * ms.n, `area grows with buildings: ${mb.n} vs ${ms.n}`);
  // Nothing of that colour between them: two separate circles.
  const mid = matching(shot, (pb.x + ps.x) / 2, (pb.y + ps.y) / 2, 3, rgb);
  assert.is(mid.n, 0);

  // The list and the map are in sync: choosing in the list opens the detail with addresses.
  await pub.hover(`[data-testid=announcement-list] li[data-id="${stored.id}"] button`);
  await pub.click(`[data-testid=announcement-list] li[data-id="${stored.id}"] button`);
  await pub.waitForSelector('[data-testid=announcement-detail]');
  const detail = await pub.textContent('[data-testid=announcement-detail]');
  assert.match(detail!, /Заміна кабелю 10 кВ/);
  assert.match(detail!, /Прикарпаттяобленерго/);
  assert.match(detail!, /\(0342\) 55-55-55/);
  assert.match(detail!, /вул\. Тестова, 12/);

  // Zoomed in (the detail fits the zone): the zone polygon from the tiles replaces the circle.
  await pub.waitForFunction(() => (window as any).mistoMap.getZoom() >= 15 && !(window as any).mistoMap.isMoving(), null, { timeout: 10_000 });
  await idle(pub);
  const zoneIds = await pub.evaluate(() => {
    const map = (window as any).mistoMap;
    const layers = map.getStyle().layers.filter((l: any) => l['source-layer'] === 'announcement_zones').map((l: any) => l.id);
    return [...new Set(map.queryRenderedFeatures({ layers }).map((f: any) => f.properties.id))];
  });
  assert.ok(zoneIds.includes(stored.id), `zones rendered: ${JSON.stringify(zoneIds)}`);
  await screenshot(pub, 'announcements-public-zone');
  assert.equal(perrors, []);
});

test('drawing a line with a width and picking buildings count live on the utility page', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'oblenergo', PASSWORD);
  const [clon, clat] = mAt(110, 230);
  await page.goto(`${app.url}/utility/announcements#map=17/${clat}/${clon}`);
  await ready(page);
  await idle(page);
  const counts = () => page.textContent('[data-testid=preview-counts]');

  // A trench through the centres of row 6, columns 0–3, 10 m wide: four buildings.
  await page.check('input[name=mode][value=line]');
  await page.fill('input[name=widthM]', '10');
  const a = await pixel(page, centre(0, 6)), b = await pixel(page, centre(3, 6));
  await page.mouse.move(a.x, a.y, { steps: 3 }); await page.mouse.click(a.x, a.y); await page.waitForTimeout(150);
  await page.mouse.move(b.x, b.y, { steps: 3 }); await page.mouse.click(b.x, b.y); await page.waitForTimeout(150);
  await page.mouse.click(b.x, b.y); // clicking the last point again finishes the line
  await page.waitForFunction(() => /будинків: 4 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });
  // Wider: 70 m (35 m each side) reaches 5 m into rows 5 and 7, not rows 4 and 8.
  await page.fill('input[name=widthM]', '70');
  await page.waitForFunction(() => /будинків: 12 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });

  // Picking: click two buildings, then one of them again to drop it.
  await page.check('input[name=mode][value=buildings]');
  const p1 = await pixel(page, centre(1, 5)), p2 = await pixel(page, centre(2, 5));
  await page.mouse.click(p1.x, p1.y);
  await page.waitForFunction(() => /будинків: 1 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });
  await page.mouse.click(p2.x, p2.y);
  await page.waitForFunction(() => /будинків: 2 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });
  await page.mouse.click(p1.x, p1.y);
  await page.waitForFunction(() => /будинків: 1 ·/.test(document.querySelector('[data-testid=preview-counts]')?.textContent ?? ''), null, { timeout: 15_000 });
  assert.match((await counts())!, new RegExp(`будинків: 1 · квартир: ${apartmentsOf(2, 5)} ·`));
  await screenshot(page, 'announcements-utility-pick');
  assert.equal(errors, []);
});

test('an analyst sees the statistics chart in the palette colours and can download the CSV', async () => {
  await createUser(db, 'analyst1', 'analyst');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst1', PASSWORD);
  await page.goto(`${app.url}/analytics/announcements`);
  // Chart.js draws on a canvas: wait for a frame, then find the bars in the utility's own colour.
  await page.waitForSelector('[data-testid=stats-chart]:not([data-draws="0"]) canvas');
  const painted = await page.$eval('[data-testid=stats-chart] canvas', (c, hex) => {
    const cv = c as HTMLCanvasElement;
    const px = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const want = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] === want[0] && px[i + 1] === want[1] && px[i + 2] === want[2] && px[i + 3] === 255) n++;
    return n;
  }, UTILITY_COLOR.electricity);
  assert.ok(painted > 200, `bar pixels in the electricity colour: ${painted}`);
  assert.is(await page.locator('[data-testid=stats-chart] svg').count(), 0);
  const total = await page.$$eval('tfoot th', (cells) => cells.map((c) => c.textContent!.trim()));
  assert.equal(total.slice(0, 3), ['Разом', '2', '17']); // two announcements, 16 + 1 buildings
  const href = await page.getAttribute('a[download]', 'href');
  assert.match(href!, /format=csv/);
  const csv = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href!);
  assert.equal(csv.slice(0, 3), [0xef, 0xbb, 0xbf]);
  assert.match(Buffer.from(csv.slice(3)).toString('utf8'), /^period,utility,key,events,buildings,apartments\r\n\d{4}-\d\d-\d\d,Електроенергія,electricity,2,17,\d+\r\n$/);
  await screenshot(page, 'announcements-stats');
  assert.equal(errors, []);
});

/** Mean colour of the pixels within `r` of (cx, cy). */
function meanColour(img: Image, cx: number, cy: number, r: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.round(cy - r); y <= Math.round(cy + r); y++) {
    for (let x = Math.round(cx - r); x <= Math.round(cx + r); x++) {
      const i = (y * img.width + x) * 4;
      for (let k = 0; k < 3; k++) sum[k] += img.rgba[i + k];
      n++;
    }
  }
  return sum.map((v) => Math.round(v / n)) as [number, number, number];
}
const chroma = (c: number[]) => Math.max(...c) - Math.min(...c);
/** `rgb` at `alpha` over the basemap's background (style.toml `background`). */
const over = (rgb: number[], alpha: number, bg = hexToRgb('#f2efe9')) => rgb.map((v, k) => v * alpha + bg[k] * (1 - alpha));
const near = (a: number[], b: number[], tol: number) => a.every((v, k) => Math.abs(v - b[k]) <= tol);

test('the utility page draws its own zones in its utility colour, other organisations\' muted, none in red', async () => {
  await createUser(db, 'vodokanal', 'executor', { executorId: 2 });
  // East of the building grid, on bare background: one cold-water zone of the water utility, one
  // electricity excavation of the power utility beside it.
  const ownZone = rect(430, 40, 570, 170), otherZone = rect(430, 230, 570, 360);
  const water = client(app.url), power = client(app.url);
  await water.signIn('vodokanal', PASSWORD);
  await power.signIn('oblenergo', PASSWORD);
  const publish = async (c: ReturnType<typeof client>, body: object) => {
    const res = await c.post('/api/announcements', { startsAt: iso(-HOUR), endsAt: iso(6 * HOUR), ...body });
    assert.is(res.status, 201, await res.clone().text());
    return (await res.json()).id as number;
  };
  const ownId = await publish(water, { kind: 'outage', utility: 'cold_water', title: 'Ремонт водогону', zone: { source: 'polygon', geometry: ownZone } });
  const otherId = await publish(power, { kind: 'excavation', utility: 'electricity', title: 'Розкопка кабелю', zone: { source: 'polygon', geometry: otherZone } });
  const [olon, olat] = mAt(500, 105), [xlon, xlat] = mAt(500, 295), [clon, clat] = mAt(500, 200);

  async function look(login: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = watchErrors(page);
    await signIn(page, app.url, login, PASSWORD);
    await page.goto(`${app.url}/utility/announcements#map=16/${clat}/${clon}`);
    await ready(page);
    await idle(page);
    const drawn = await page.evaluate(() => {
      const map = (window as any).mistoMap;
      const layers = map.getStyle().layers.filter((l: any) => l['source-layer'] === 'announcement_zones').map((l: any) => l.id);
      return [...new Set(map.queryRenderedFeatures({ layers }).map((f: any) => f.properties.id))];
    });
    const shot = decodePng(await page.screenshot());
    const mine = await pixel(page, [olon, olat]), theirs = await pixel(page, [xlon, xlat]);
    return { page, errors, drawn, own: meanColour(shot, mine.x, mine.y, 12), other: meanColour(shot, theirs.x, theirs.y, 12) };
  }

  const w = await look('vodokanal');
  await screenshot(w.page, 'announcements-utility-own-zones');
  // Both are drawn: the other organisation's zone is muted, not missing.
  assert.ok(w.drawn.includes(ownId) && w.drawn.includes(otherId), `zones drawn: ${JSON.stringify(w.drawn)}`);
  const blue = over(hexToRgb(UTILITY_COLOR.cold_water), 0.25);
  assert.ok(near(w.own, blue, 10), `own zone ${w.own} is cold water's blue at 25% (${blue.map(Math.round)})`);
  assert.ok(chroma(w.other) < 12, `the other organisation's zone ${w.other} is grey`);
  assert.not.ok(near(w.other, over(hexToRgb(UTILITY_COLOR.electricity), 0.25), 20), 'not in its utility colour');
  assert.not.ok(near(w.own, over(hexToRgb('#e5484d'), 0.25), 20) || near(w.other, over(hexToRgb('#e5484d'), 0.25), 20), 'nothing in the old red');
  assert.equal(w.errors, []);

  // The same zones for the power utility: now its excavation has its colour and the water zone is grey.
  const p = await look('oblenergo');
  await screenshot(p.page, 'announcements-utility-own-zones-power');
  const amber = over(hexToRgb(UTILITY_COLOR.electricity), 0.25);
  assert.ok(near(p.other, amber, 10), `own excavation ${p.other} is electricity's amber at 25% (${amber.map(Math.round)})`);
  assert.ok(chroma(p.own) < 12, `the water utility's zone ${p.own} is grey`);
  assert.equal(p.errors, []);
});

test.run();
