// /report end to end in Chromium on a phone-sized screen: the resident taps an object on the map,
// chooses a category, types, attaches a photo, sees the appeal already reported 40 m away, sends;
// the confirmation mail arrives at a real SMTP server in this process; its private link shows the
// status and, once the executor reports it done, takes the resident's dispute to Control.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { client } from '../helpers/http.ts';
import { launchBrowser, hydrated, screenshot, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import { builder } from '../helpers/build.ts';
import { DAY, TEST_NOW } from '../helpers/clock.ts';
import { startSmtp, parseMail } from '../helpers/smtp.ts';
import { config as baseConfig } from '../../server/config.ts';
import { sendPendingMail } from '../../server/mail/worker.ts';
import { smtpTransport } from '../../server/mail/transport.ts';
import type { Db } from '../../server/db/db.ts';
import { seedCity, CITY } from '../appeals/fixture.ts';
import { cameraJpeg } from './photo-fixtures.ts';

let db: Db;
let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let earlier: string;

/** 40 m east of the container site. */
const FORTY_M_EAST = [CITY.containerAt[0] + 40 / (111_320 * Math.cos((CITY.containerAt[1] * Math.PI) / 180)), CITY.containerAt[1]] as [number, number];

test.before(async () => {
  ({ db } = await migratedDb('intake_browser'));
  await seedCity(db);
  const id = await builder(db).appeal({ category: CITY.garbage, point: FORTY_M_EAST, createdAt: new Date(TEST_NOW.getTime() - 3 * DAY), status: 'in_progress', text: 'Чужий текст' });
  earlier = await db.one('SELECT number FROM appeal WHERE id = $1', [id], (r) => r.number);
  app = await startProduct(db, { intake: { ...baseConfig.intake, photoDir: mkdtempSync(join(tmpdir(), 'misto-photos-')) } });
  app.services.config.publicUrl = app.url;
  smtp = await startSmtp();
  browser = await launchBrowser();
});
test.after(async () => {
  await browser?.close();
  await app?.close();
  await smtp?.close();
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

test('a resident reports from a phone: object on the map, category, text, photo, a duplicate suggested, sent; the mail\'s link follows it to Control', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: false });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/report`);
  await hydrated(page);
  assert.is(await page.textContent('h1'), 'Повідомити про проблему');
  await mapIdle(page);
  await page.locator('[data-testid=report-map]').scrollIntoViewIfNeeded();
  await page.evaluate(([lon, lat]) => (window as any).mistoMap.jumpTo({ center: [lon, lat], zoom: 17 }), CITY.containerAt as unknown as number[]);
  await mapIdle(page);
  const at = await page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, CITY.containerAt as unknown as number[]);
  await page.mouse.click(at.x + 3, at.y - 2);
  await page.waitForFunction(() => /Контейнерний майданчик №17/.test(document.querySelector('[data-testid=report-picked]')?.textContent ?? ''));
  await screenshot(page, 'report-map-picked-phone');

  await page.selectOption('select[name=categoryId]', String(CITY.garbage));
  await page.waitForSelector('[data-testid=duplicates]');
  const dup = await page.textContent('[data-testid=duplicates]') ?? '';
  assert.ok(dup.includes(`№${earlier}`), dup);
  assert.match(dup, /в роботі · Невивезення сміття · 3 дні тому, 40 м звідси/);
  assert.not.ok(dup.includes('Чужий текст'));

  await page.fill('textarea[name=text]', 'Контейнери переповнені, пакети лежать на тротуарі');
  await page.setInputFiles('input[name=photo]', { name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg(640, 480) });
  await page.fill('input[name=name]', 'Олена Коваль');
  await page.fill('input[name=email]', 'olena@example.com');
  await page.fill('input[name=phone]', '050 765 43 21');
  await screenshot(page, 'report-form-phone');
  await page.click('button.send');
  await page.waitForSelector('[data-testid=report-sent]');
  const sentText = await page.textContent('[data-testid=report-sent]') ?? '';
  const number = sentText.match(/№(\S+) прийнято/)?.[1];
  assert.ok(number, sentText);
  assert.ok(sentText.includes('olena@example.com'));
  await screenshot(page, 'report-sent-phone');

  const a = await db.one('SELECT id, channel, infra_object_id, executor_id FROM appeal WHERE number = $1', [number]);
  assert.equal([a.channel, a.infra_object_id, a.executor_id], ['web', CITY.containerSite, CITY.blagoustrii]);
  assert.is(await db.one('SELECT count(*)::int AS n FROM appeal_photo WHERE appeal_id = $1', [a.id], (r) => r.n), 1);

  assert.equal(await sendPendingMail(db, smtpTransport(smtp.url), { from: 'Misto <noreply@misto.test>', clock: app.services.clock }), { sent: 1, failed: 0 });
  assert.is(smtp.inbox.length, 1);
  const mail = parseMail(smtp.inbox[0]);
  assert.is(mail.subject, `Звернення №${number} прийнято`);
  assert.ok(mail.html.includes(number!));
  const link = mail.text.match(/https?:\/\/\S+\/report\/track\/[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(link?.startsWith(`${app.url}/report/track/`), mail.text);

  await page.goto(link!);
  await hydrated(page);
  assert.is((await page.textContent('[data-testid=track-status]'))?.trim(), 'нове');
  assert.ok((await page.textContent('[data-testid=track-facts]'))?.includes('Благоустрій центр'));
  assert.is(await page.locator('[data-testid=track-ask]').count(), 0);
  await screenshot(page, 'report-track-new');

  // The executor sees the photo and reports the work done.
  const exec = client(app.url);
  await exec.signIn('blago', PASSWORD);
  const photos = await (await exec.get(`/api/appeals/${a.id}/photos`)).json();
  assert.equal([photos.length, photos[0].width, photos[0].height], [1, 480, 640]);
  for (const status of ['in_progress', 'done']) {
    const res = await exec.fetch(`/api/appeals/${a.id}`, { method: 'PATCH', body: JSON.stringify({ status, ...(status === 'done' ? { answer: 'Майданчик прибрано' } : {}) }) });
    assert.is(res.status, 200);
  }
  await page.reload();
  await hydrated(page);
  await page.waitForSelector('[data-testid=track-ask]');
  assert.is(await page.textContent('[data-testid=track-answer]'), 'Майданчик прибрано');
  await page.click('text=Ні, не виконано');
  await page.fill('[data-testid=track-ask] textarea', 'Пакети досі лежать біля контейнерів');
  await page.click('text=Повернути на доопрацювання');
  await page.waitForFunction(() => document.querySelector('[data-testid=track-status]')?.textContent?.trim() === 'на контролі');
  assert.is(await page.locator('[data-testid=track-ask]').count(), 0);
  await screenshot(page, 'report-track-disputed');
  assert.is(await db.one('SELECT status FROM appeal WHERE id = $1', [a.id], (r) => r.status), 'control');
  assert.equal(errors, []);
  await page.close();
});

test('English on request', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${app.url}/report?lang=en`);
  await hydrated(page);
  assert.is(await page.textContent('h1'), 'Report a problem');
  assert.ok((await page.textContent('select[name=categoryId]'))?.includes('Garbage not collected'));
  await page.setViewportSize({ width: 1280, height: 900 });
  await mapIdle(page);
  await screenshot(page, 'report-form-desktop-en');
  await page.close();
});

test.run();
