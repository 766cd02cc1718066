// The pages' Content-Security-Policy in Chromium: the karta's map (MapLibre's blob: workers,
// data:/blob: images, tiles), the announcements' icons (a data: atlas) and the operator's desk (its
// event stream and map) work with it and raise no violation; pages cannot be framed.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProductWithTelephony } from '../helpers/app.ts';
import { launchBrowser, signIn, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';
import { builder } from '../helpers/build.ts';
import { TEST_NOW, HOUR } from '../helpers/clock.ts';

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;

test.before(async () => {
  const { db } = await migratedDb('sec_csp');
  await seedCity(db);
  // An announcement on the map: deck.gl draws it with an icon atlas it fetches from a data: URL.
  await builder(db).announcement({ executor: CITY.vodokanal, utility: 'cold_water', buildings: [CITY.buildingCentre],
    startsAt: new Date(TEST_NOW.getTime() - HOUR), endsAt: new Date(TEST_NOW.getTime() + 5 * HOUR) });
  app = await startProductWithTelephony(db);
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
});

/** Every CSP violation the page (or its workers) reports, and the console's errors. */
async function watched(page: Page) {
  const errors = watchErrors(page);
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.exposeFunction('reportViolation', (v: string) => { violations.push(v); });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { errors, violations };
}

function mapIdle(page: Page) {
  return page.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as any).mistoMap;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}

test('a page answers with a nonce-based CSP that allows what MapLibre needs and forbids framing', async () => {
  const res = await fetch(`${app.url}/karta`);
  const html = await res.text();
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self' 'nonce-[^']+'/);
  assert.match(csp, /worker-src 'self' blob:/);
  assert.match(csp, /img-src 'self' data: blob:/);
  assert.match(csp, /connect-src 'self' data: blob:/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.not.match(csp, /script-src[^;]*'unsafe-inline'/);
  assert.is(res.headers.get('x-frame-options'), 'DENY');
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  // SvelteKit's inline bootstrap script carries the header's nonce.
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  assert.ok(html.includes(`nonce="${nonce}"`));
});

test('the karta draws its map under the CSP with no violation', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const { errors, violations } = await watched(page);
  await page.goto(`${app.url}/karta#map=16/48.921/24.72`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  await mapIdle(page);
  const drawn = await page.evaluate(() => (window as any).mistoMap.queryRenderedFeatures().length);
  assert.ok(drawn > 0, 'the map drew features from its tiles');
  assert.equal(violations, []);
  assert.equal(errors, []);
  await page.close();
});

test('the announcements map draws its icons (deck.gl, a data: atlas) under the CSP with no violation', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const { errors, violations } = await watched(page);
  await page.goto(`${app.url}/announcements`);
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  await mapIdle(page);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(violations, []);
  assert.equal(errors, []);
  await page.close();
});

test('the desk opens its stream and map under the CSP with no violation', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const { errors, violations } = await watched(page);
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('.stream[data-state="open"]');
  await page.waitForSelector('.mapview[data-map-ready="true"]', { timeout: 30_000 });
  await mapIdle(page);
  assert.equal(violations, []);
  assert.equal(errors, []);
  await page.close();
});

test.run();
