// What console.mjs and console-roles.mjs share: Debian's chromium in a throwaway profile, and logging in on the
// console's login page as one person.
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Headless chromium (via playwright-core) with a fresh profile named after `prefix`; returns { context, page }.
export async function launchConsoleBrowser(prefix) {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    // The appliance's local CA is not in this throwaway profile; the page is on loopback only.
    ignoreHTTPSErrors: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page };
}

// On /admin/login: fills in the person's login, password and (when given) authenticator code, submits, and waits
// for the nodes page the console opens with.
export async function logIn(page, login, password, code) {
  await page.getByLabel('User name').fill(login);
  await page.getByLabel('Password').fill(password);
  if (code !== undefined) {
    await page.getByLabel('Code from your authenticator app').fill(code);
  }
  await Promise.all([page.waitForURL('**/admin/nodes'), page.getByRole('button', { name: 'Log in' }).click()]);
}
