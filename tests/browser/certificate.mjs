// Client-certificate login in Debian's chromium (headless, via playwright-core): the browser context presents a
// PKCS#12 client certificate to the appliance's HTTPS origin through Playwright's clientCertificates option
// (playwright-core >= 1.46; the TLS to the origin is made in Node with that certificate, so no NSS database or
// managed policy is written on the machine).
// Usage: node certificate.mjs URL PFX PASSPHRASE MODE CODE SCREENSHOT
//   MODE "login": the page must name the certificate's person; CODE (or "-" for none) is typed and the page must
//   say "is now registered to". MODE "refused": the page must show the refusal ("Your certificate has been revoked.")
//   beside the password form.
// Prints one JSON line with what the page said; exit 0 when the page behaved as MODE expects.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [url, pfxPath, passphrase, mode, code, shot] = process.argv.slice(2);
mkdirSync(dirname(shot), { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
// The appliance's serving certificate comes from its own CA, which this throwaway browser does not trust.
const context = await browser.newContext({
  ignoreHTTPSErrors: true,
  clientCertificates: [{ origin: new URL(url).origin, pfxPath, passphrase }],
});
const page = await context.newPage();

const said = [];
let ok = false;
try {
  await page.goto(url);
  const certificate = page.locator('#certificate');
  const error = page.locator('#error');
  if (mode === 'login') {
    said.push((await certificate.count()) ? await certificate.textContent() : 'no certificate form: ' + (await page.content()).slice(0, 2000));
    if (code !== '-') await page.getByLabel('Code from your authenticator app').fill(code);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /^Log in as / }).click()]);
    const result = page.locator('#result, #error').first();
    said.push((await result.count()) ? await result.textContent() : 'unexpected page: ' + (await page.content()).slice(0, 2000));
    ok = said[0].includes('Your browser presented the certificate of') && said[1].includes('is now registered to');
  } else {
    said.push((await error.count()) ? await error.textContent() : 'no refusal shown: ' + (await page.content()).slice(0, 2000));
    ok = said[0].includes('Your certificate has been revoked.') && (await page.getByLabel('Password').count()) === 1;
  }
  await page.screenshot({ path: shot, fullPage: true });
} catch (e) {
  said.push(String(e));
}
console.log(JSON.stringify({ ok, said }));
await browser.close();
process.exit(ok ? 0 : 1);
