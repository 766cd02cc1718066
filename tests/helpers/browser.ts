// Debian's Chromium driven by playwright-core, with software WebGL (SwiftShader) so MapLibre
// and deck.gl really render (docs/testing.md says why each flag is there).
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../server/config.ts';

export const ARTIFACTS = join(root, 'tests', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    ], // playwright gives every launch a fresh --user-data-dir of its own
    // The city's wall time, whatever the machine's zone: pages show and take Kyiv times.
    env: { ...process.env, TZ: 'Europe/Kyiv' },
  });
}

/** A date as a datetime-local input value in Kyiv time ("2026-11-20T12:00"). */
export function kyivLocal(d: Date): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** Signs in through the real form. */
export async function signIn(page: Page, base: string, login: string, password: string) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form button[type=submit]')]);
}

/** Waits until the page's components are live (hydrated): server-rendered inputs react from here on. */
export const hydrated = (page: Page) => page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 30_000 });

export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Collects console errors and failed requests so a test can assert a clean page. */
export function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return errors;
}
