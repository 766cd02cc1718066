// The built UI through the one Koa process: landing page, language switch, sign-in form, role-guarded pages.
import { test } from '../helpers/uvu.ts';
import * as assert from 'uvu/assert';
import type { Browser } from 'playwright-core';
import { migratedDb } from '../helpers/db.ts';
import { startProduct } from '../helpers/app.ts';
import { createUser, PASSWORD } from '../helpers/users.ts';
import { hydrated, launchBrowser, signIn, screenshot, watchErrors } from '../helpers/browser.ts';
import { describeError } from '../../vocabulary/i18n/describe-error.ts';

let app: Awaited<ReturnType<typeof startProduct>>;
let browser: Browser;

test.before(async () => {
  const { db } = await migratedDb('shell');
  await createUser(db, 'analyst1', 'analyst');
  await createUser(db, 'operator1', 'operator');
  await createUser(db, 'admin1', 'admin');
  app = await startProduct(db);
  browser = await launchBrowser();
});
test.after(async () => { await browser.close(); await app.close(); });

test('the landing page is Ukrainian by default and English on request', async () => {
  const uk = await (await fetch(app.url + '/')).text();
  assert.match(uk, /<html lang="uk">/);
  assert.match(uk, /Місто: дані, карта і звернення мешканців/);
  const res = await fetch(app.url + '/?lang=en');
  assert.match(await res.text(), /Misto: city data, map and residents’ appeals/);
  assert.match(res.headers.get('set-cookie') ?? '', /lang=en/);
});

test('a guarded page sends an anonymous visitor to sign in, and refuses a wrong role', async () => {
  const anon = await fetch(app.url + '/admin', { redirect: 'manual' });
  assert.is(anon.status, 303);
  assert.is(anon.headers.get('location'), '/login?next=%2Fadmin');
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await signIn(page, app.url, 'analyst1', PASSWORD);
  const denied = await page.goto(app.url + '/admin');
  assert.is(denied?.status(), 403);
  assert.match(await page.textContent('main') ?? '', /недоступна для вашої ролі/);
  await screenshot(page, 'shell-403');
  assert.equal(errors.filter((e) => !/403/.test(e)), []);
  await page.close();
});

test('an admin opens the users page; the API refuses others with 403', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'admin1', PASSWORD);
  await page.goto(app.url + '/admin');
  await hydrated(page);
  assert.match(await page.textContent('table') ?? '', /operator1/);
  // The desk phone is set inline and validated on the server.
  const input = page.getByLabel('Телефон оператора: operator1');
  await input.fill('PJSIP/107');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/admin/users/')), input.press('Tab')]);
  const users = await (await page.request.get(app.url + '/api/admin/users')).json();
  assert.is(users.find((u: { login: string }) => u.login === 'operator1').sipInterface, 'PJSIP/107');
  await input.fill('not a phone');
  const [refused] = await Promise.all([page.waitForResponse((r) => r.status() === 400), input.press('Tab')]);
  // The server's code in Ukrainian from the i18n table, never its English sentence.
  const body = await refused.json();
  await page.waitForSelector('[role=alert]');
  const shown = (await page.textContent('[role=alert]'))?.trim();
  assert.is(shown, `operator1: ${describeError('uk', body)}`);
  assert.ok(!shown!.includes(body.message), shown);
  assert.equal([body.error, body.field], ['not_an_interface', 'sipInterface']);
  // Any interface Asterisk can queue, Local members with options included.
  await input.fill('Local/107@operators/n');
  await Promise.all([page.waitForResponse((r) => r.url().includes('/api/admin/users/') && r.status() === 200), input.press('Tab')]);
  // One phone, two users: refused, whatever the spelling.
  const other = page.getByLabel('Телефон оператора: admin1');
  await other.fill('local/107@operators');
  const [taken] = await Promise.all([page.waitForResponse((r) => r.status() === 409), other.press('Tab')]);
  const takenBody = await taken.json();
  assert.equal([takenBody.error, takenBody.params.login], ['interface_taken', 'operator1']);
  await page.waitForFunction(() => /operator1/.test(document.querySelector('[role=alert]')?.textContent ?? '') && /admin1:/.test(document.querySelector('[role=alert]')?.textContent ?? ''));
  assert.is((await page.textContent('[role=alert]'))?.trim(), `admin1: ${describeError('uk', takenBody)}`);
  await screenshot(page, 'admin-users');
  await page.close();
  assert.is((await fetch(app.url + '/api/admin/users')).status, 401);
});

test('signing in through the form shows the user in the shell', async () => {
  const page = await browser.newPage();
  await signIn(page, app.url, 'operator1', PASSWORD);
  assert.match(await page.textContent('header') ?? '', /Test operator/);
  await page.click('text=Вийти');
  await page.waitForSelector('text=Увійти');
  await page.close();
});

test.run();
