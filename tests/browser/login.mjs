// Drives Debian's chromium (headless, via playwright-core) through the appliance login page.
// Usage: node login.mjs URL LOGIN PASSWORD CODE MODE SCREENSHOT_DIR
//   MODE "success": one login, expects "is now registered to"; screenshot success.png
//   MODE "lockout": a wrong code (screenshot wrong-code.png), then failures until locked out (locked-out.png)
// Prints one JSON line with what the page said; exit 0 when the page behaved as MODE expects.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, login, password, code, mode, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'appliance-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? await context.newPage();
// Nothing but the appliance under test is contacted: the page loads no other resource (CSP default-src 'none'),
// and the flags above turn off Chromium's own background traffic.

async function submit(pw, totp) {
  await page.goto(url);
  await page.getByLabel('User name').fill(login);
  await page.getByLabel('Password').fill(pw);
  await page.getByLabel('Code from your authenticator app').fill(totp);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Log in' }).click()]);
  const said = page.locator('#result, #error').first();
  if (await said.count() === 0) return 'unexpected page: ' + (await page.content()).slice(0, 2000);
  return (await said.textContent()) ?? '';
}

let ok = false;
const said = [];
if (mode === 'success') {
  said.push(await submit(password, code));
  await page.screenshot({ path: join(shots, 'success.png'), fullPage: true });
  ok = said[0].includes('is now registered to');
} else {
  said.push(await submit(password, '000000'));
  await page.screenshot({ path: join(shots, 'wrong-code.png'), fullPage: true });
  for (let i = 0; i < 5; i++) said.push(await submit(password, '000000'));
  said.push(await submit(password, code));
  await page.screenshot({ path: join(shots, 'locked-out.png'), fullPage: true });
  ok = said[0].includes('Wrong user name, password or code') && said.at(-1).includes('Too many failed attempts');
}
console.log(JSON.stringify({ ok, said }));
await context.close();
process.exit(ok ? 0 : 1);
