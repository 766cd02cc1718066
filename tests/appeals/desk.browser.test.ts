// The operator desk in Debian's Chromium: a simulated call (through the in-process PBX simulator and
// the real AMI client) pops the caller's card, the operator picks a category with the keyboard,
// clicks a container site on the map, registers with Ctrl+Enter; the appeal shows in the resident's
// history and, signed in as the executor in a second page, in the organisation's list.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProductWithTelephony } from '../helpers/app.ts';
import { launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { PASSWORD } from '../helpers/users.ts';
import type { Db } from '../../server/db/db.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';
import { seedCity, CITY } from './fixture.ts';

let app: Awaited<ReturnType<typeof startProductWithTelephony>>;
let browser: Browser;
let db: Db;

test.before(async () => {
  ({ db } = await migratedDb('desk_browser'));
  await seedCity(db);
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

test('simulated call → card → keyboard category → container site on the map → registered → executor sees it', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('.stream[data-state="open"]');
  assert.match(await page.textContent('.demo') ?? '', /АТС симульована/);

  // The resident's number rings the operator's phone through the simulator.
  await page.fill('.sim-phone', '050 111 22 33');
  await page.click('[data-testid=simulate-call]');
  await page.waitForSelector('[data-testid=call-card] [data-testid=caller-name]', { timeout: 15_000 });
  assert.is(await page.textContent('[data-testid=caller-name]'), 'Коваленко Олена Петрівна');
  assert.match(await page.textContent('[data-testid=call-card]') ?? '', /вул\. Незалежності, 12, кв\. 5/);
  assert.match(await page.textContent('[data-testid=call-card]') ?? '', /\+380501112233/);

  // Keyboard only: Alt+K to the picker, type, arrows, Enter; the text field gets the focus.
  await page.keyboard.press('Alt+KeyK');
  await page.keyboard.type('вивез');
  await page.waitForSelector('[role=option][aria-selected=true]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  assert.match(await page.textContent('[data-testid=chosen-category]') ?? '', /Невивезення сміття/);
  assert.is(await page.evaluate(() => document.activeElement?.id), 'appeal-text');
  await page.keyboard.type('Контейнери переповнені третій день');

  // The map is centred on the caller's building; click the container site (a few pixels off: snapping).
  await mapIdle(page);
  const at = await page.evaluate(([lon, lat]) => {
    const map = (window as any).mistoMap;
    const p = map.project([lon, lat]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y, inside: p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height };
  }, CITY.containerAt);
  assert.ok(at.inside, 'the container site is in view');
  await page.mouse.click(at.x + 3, at.y - 2);
  await page.waitForSelector('[data-testid=attached-object]');
  assert.match(await page.textContent('[data-testid=attached-object]') ?? '', /Контейнерний майданчик №17\s*\(Контейнерний майданчик\)/);

  // The catalogue's district rule: the centre's improvement service, due in 24 hours.
  await page.waitForFunction(() => /Благоустрій центр/.test(document.querySelector('[data-testid=suggestion]')?.textContent ?? ''));
  await screenshot(page, 'desk-filled');

  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=registered]');
  const banner = await page.textContent('[data-testid=registered]') ?? '';
  const number = /15-80\/\d{4}\/\d{6}/.exec(banner)?.[0];
  assert.ok(number, banner);
  // The form is reset for the next call; the resident's history now lists the appeal.
  assert.is(await page.inputValue('#appeal-text'), '');
  assert.is(await page.$('[data-testid=attached-object]'), null);
  await page.waitForFunction((n) => (document.querySelector('[data-testid=history]')?.textContent ?? '').includes(n), number);
  await screenshot(page, 'desk-registered');

  const row = await db.one(`SELECT a.*, c.id AS call FROM appeal a LEFT JOIN call c ON c.id = a.call_id WHERE a.number = $1`, [number]);
  assert.is(row.infra_object_id, CITY.containerSite);
  assert.is(row.executor_id, CITY.blagoustrii);
  assert.is(row.resident_id, CITY.resident);
  assert.ok(row.call, 'the appeal is linked to the call it was registered during');
  assert.is(row.caller_phone, CITY.residentPhone);

  // The executor, in a second page, finds it in their list and opens its history.
  const exec = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const execErrors = watchErrors(exec);
  await signIn(exec, app.url, 'blago', PASSWORD);
  await exec.goto(`${app.url}/executor`);
  await exec.waitForSelector(`[data-testid=executor-appeals] >> text=${number}`);
  await exec.click(`text=${number}`);
  await exec.waitForSelector('[data-testid=appeal-detail]');
  const detail = await exec.textContent('[data-testid=appeal-detail]') ?? '';
  assert.match(detail, /Контейнери переповнені третій день/);
  assert.match(detail, /Звернення зареєстровано/);
  assert.not.match(detail, /Коваленко/, 'no personal data for the executor');
  await exec.selectOption('[data-testid=next-status]', 'in_progress');
  await exec.click('[data-testid=appeal-detail] button[type=submit]');
  await exec.waitForSelector('[data-testid=appeal-detail] >> text=Статус: нове → в роботі');
  await screenshot(exec, 'executor-list');
  // Another organisation does not see it.
  const other = await browser.newPage();
  await signIn(other, app.url, 'zhek1', PASSWORD);
  await other.goto(`${app.url}/executor`);
  assert.not.match(await other.textContent('[data-testid=executor-appeals]') ?? '', new RegExp(number!));

  assert.equal(errors, []);
  assert.equal(execErrors, []);
  await Promise.all([page.close(), exec.close(), other.close()]);
});

test('an unknown caller: address search, building, apartment and name by keyboard; the number is saved', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await signIn(page, app.url, 'operator1', PASSWORD);
  await page.goto(`${app.url}/desk`);
  await page.waitForSelector('.stream[data-state="open"]');
  await page.fill('.sim-phone', '+380931234567');
  await page.keyboard.press('Alt+KeyS');
  await page.waitForSelector('[data-testid=unknown-caller]', { timeout: 15_000 });
  assert.match(await page.textContent('[data-testid=call-card]') ?? '', /Невідомий абонент/);
  assert.is(await page.evaluate(() => document.activeElement?.id), 'desk-search', 'the address box has the focus');

  await page.keyboard.type('Незалежності 40');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#desk-search-list [role=option]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'new-apartment');
  await page.keyboard.type('41');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Шевчук Марія');
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/residents') && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  // The building has 40 apartments: the server says so, in Ukrainian, and nothing is created.
  const body = await (await refused).json();
  await page.waitForSelector('[data-testid=desk-error]');
  const shown = (await page.textContent('[data-testid=desk-error]'))?.trim();
  assert.is(shown, describeError('uk', body), 'the code\'s text from the i18n table');
  assert.ok(!shown!.includes(body.message), `not the server's English: ${shown}`);
  if (body.error === 'no_such_apartment') assert.match(shown!, /1–40/);
  await page.fill('#new-apartment', '14');
  await page.focus('#new-name');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=resident] >> text=Шевчук Марія');
  assert.match(await page.textContent('[data-testid=resident]') ?? '', /вул\. Незалежності, 40, кв\. 14/);
  const saved = await db.one(`SELECT r.full_name, r.apartment, r.building_id FROM resident_phone p JOIN resident r ON r.id = p.resident_id WHERE p.phone = '+380931234567'`);
  assert.equal(saved, { full_name: 'Шевчук Марія', apartment: '14', building_id: CITY.buildingPasichna });

  // Straight on to the appeal: the picker has the focus; the housing office rule picks ЖЕК №2.
  assert.is(await page.evaluate(() => document.activeElement?.id), 'category');
  await page.keyboard.type('покрівл');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Тече дах над 14 квартирою');
  await page.waitForFunction(() => /ЖЕК №2/.test(document.querySelector('[data-testid=suggestion]')?.textContent ?? ''));
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('[data-testid=registered]');
  const a = await db.one(`SELECT a.executor_id, a.caller_phone, r.full_name FROM appeal a JOIN resident r ON r.id = a.resident_id ORDER BY a.id DESC LIMIT 1`);
  assert.equal(a, { executor_id: CITY.zhek2, caller_phone: '+380931234567', full_name: 'Шевчук Марія' });
  const call = await db.one(`SELECT c.resident_id, r.full_name FROM call c JOIN appeal a ON a.call_id = c.id JOIN resident r ON r.id = c.resident_id ORDER BY a.id DESC LIMIT 1`);
  assert.is(call.full_name, 'Шевчук Марія', 'the call log learns who the unknown caller was');
  await screenshot(page, 'desk-unknown-caller');

  // The next call from that number pops the new resident's card.
  await page.fill('.sim-phone', '093 123 45 67');
  await page.click('[data-testid=simulate-call]');
  await page.waitForSelector('[data-testid=caller-name] >> text=Шевчук Марія', { timeout: 15_000 });
  assert.equal(errors.filter((e) => !/status of 400/.test(e)), []);
  await page.close();
});

test.run();
