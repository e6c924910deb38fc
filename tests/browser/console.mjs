// Drives Debian's chromium (headless, via playwright-core) through the admin console (issue 19).
// Usage: node console.mjs CONFIG_JSON
//   CONFIG_JSON: {"url": "https://127.0.0.1:PORT", "login", "password", "code", "pendingHost", "person",
//                 "brokenPolicy", "fixedPolicy", "newPerson", "bundle" (a signed bundle file to import), "screenshots", "axe": true|false}
// Logs in, approves the pending login of pendingHost to person, saves brokenPolicy (expects LINE:COLUMN errors),
// then fixedPolicy (expects it saved), and takes a screenshot of every page. With "axe", runs axe-core on each
// page and fails on serious or critical violations. Prints one JSON line; exit 0 when every step did as expected.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { launchConsoleBrowser, logIn } from './console-session.mjs';

const config = JSON.parse(process.argv[2]);
mkdirSync(config.screenshots, { recursive: true });
const { context, page } = await launchConsoleBrowser('appliance-console-');
const steps = [];
let ok = true;
const cspViolations = [];
page.on('console', m => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

function step(name, passed, detail) {
  steps.push({ name, passed, detail });
  if (!passed) ok = false;
}

let axeSource = null;
if (config.axe) {
  const require = createRequire(import.meta.url);
  const path = require.resolve('axe-core/axe.min.js');
  axeSource = readFileSync(path, 'utf8');
}

async function shoot(name) {
  await page.screenshot({ path: join(config.screenshots, `console-${name}.png`), fullPage: true });
  if (axeSource) {
    // axe runs inside the page through the DevTools protocol (evaluate), which the page's CSP does not govern.
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
    step(`axe ${name}`, bad.length === 0, bad.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`));
  }
}

async function text(selector) {
  const l = page.locator(selector);
  return (await l.count()) === 0 ? '' : ((await l.first().textContent()) ?? '');
}

try {
  await page.goto(config.url + '/admin/login');
  await shoot('login');
  await logIn(page, config.login, config.password, config.code);
  step('login', (await text('#whoami')).includes(config.login), await text('#whoami'));
  await shoot('nodes');

  await page.getByRole('link', { name: 'Pending logins' }).click();
  await shoot('logins');
  const row = page.locator('tr', { hasText: config.pendingHost });
  await row.getByLabel('Person').selectOption(config.person);
  await Promise.all([page.waitForLoadState('load'), row.getByRole('button', { name: `Approve ${config.pendingHost}` }).click()]);
  await page.waitForSelector('#flash');
  const approved = await text('#flash');
  step('approve', approved.includes(`${config.pendingHost} is now registered to ${config.person}`), approved);
  await shoot('logins-approved');

  await page.getByRole('link', { name: 'Policy' }).click();
  await shoot('policy');
  await page.getByLabel('Policy (HuJSON)').fill(config.brokenPolicy);
  await page.getByRole('button', { name: 'Save and apply' }).click();
  await page.waitForSelector('#policy-errors');
  const errors = await text('#policy-errors');
  step('policy error shown with line:column', /\d+:\d+:/.test(errors), errors);
  await shoot('policy-error');
  await page.getByLabel('Policy (HuJSON)').fill(config.fixedPolicy);
  await page.getByRole('button', { name: 'Check' }).click();
  await page.waitForSelector('#verdict');
  step('policy check passes', (await text('#verdict')).includes('valid'), await text('#verdict'));
  await shoot('policy-checked');
  await page.getByRole('button', { name: 'Save and apply' }).click();
  await page.waitForSelector('#flash');
  const saved = await text('#flash');
  step('policy saved', saved.includes('Policy saved as version'), saved);
  await shoot('policy-saved');

  for (const [name, link] of [['keys', 'Pre-auth keys'], ['routes', 'Routes'], ['people', 'People'], ['ca', 'CA'], ['updates', 'Updates'], ['audit', 'Audit log'], ['health', 'Health']]) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.waitForLoadState('load');
    step(`page ${name}`, (await page.locator('h1').count()) === 1, await text('h1'));
    await shoot(name);
  }
  await page.goto(config.url + '/admin/policy/history');
  await shoot('policy-history');

  // People: add one; the password is shown once on the answer.
  await page.getByRole('link', { name: 'People', exact: true }).click();
  await page.getByLabel('Login', { exact: true }).fill(config.newPerson);
  await page.getByLabel('Role', { exact: true }).selectOption('auditor');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Add person' }).click()]);
  await page.waitForSelector('#new-password');
  const password = await text('#new-password');
  step('person added', password.length === 20, password.length);
  await shoot('people-added');

  // TOTP reset: the new secret as a QR code (inline SVG, drawn on the server) and as text to copy.
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: `Reset TOTP of ${config.newPerson}` }).click()]);
  await page.waitForSelector('#new-totp-qr svg');
  const qrLabel = await page.locator('#new-totp-qr svg').getAttribute('aria-label');
  step('totp qr shown', (await text('#new-totp')).startsWith('otpauth://totp/') && (qrLabel ?? '').includes(config.newPerson), qrLabel);
  await shoot('people-totp');

  // Updates: a tampered bundle uploaded from this machine is refused with the reason.
  await page.getByRole('link', { name: 'Updates', exact: true }).click();
  await page.getByLabel('Bundle file').setInputFiles({ name: 'tampered.aupd', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096, 7) });
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Upload and verify' }).click()]);
  await page.waitForSelector('#error');
  const refused = await text('#error');
  step('bundle refused', refused.includes('was refused') && refused.includes('Nothing was changed'), refused);
  await shoot('updates-refused');

  // Updates: a signed bundle is verified and handed to root's importer; in-process (no systemd) it waits there.
  await page.getByLabel('Bundle file').setInputFiles(config.bundle);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Upload and import' }).click()]);
  await page.waitForSelector('#import-waiting');
  const waiting = await text('#import-waiting');
  step('bundle waits for import', waiting.includes('Waiting to be imported') && waiting.includes(config.login), waiting);
  await shoot('updates-waiting');

  // Live node state: the nodes page reloads itself once asked to (meta refresh; no script).
  await page.getByRole('link', { name: 'Nodes', exact: true }).click();
  await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: /Refresh every/ }).click()]);
  const refresh = await page.locator('meta[http-equiv="refresh"]').getAttribute('content');
  step('nodes live', refresh === '15', refresh);
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.waitForLoadState('load');
  const audit = await text('#audit');
  // The console records the approval itself (login.approve, with the person who clicked as actor), and the admin API
  // below it does not record it a second time as an anonymous registration.approve; the chain must verify.
  step('audit shows the approval', audit.includes('login.approve') && audit.includes('alice@site') && !audit.includes('registration.approve'), audit.slice(0, 600));
  // ... and the policy change and the import request, each with the person who did it.
  step('audit shows the policy change and the import', audit.includes('policy.set') && audit.includes('update.request'), audit.slice(0, 600));
  const chain = await text('#chain');
  step('audit chain intact', chain.includes('Chain intact'), chain);
  await shoot('audit-after');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/admin/login');
  step('logout', true, page.url());
  step('no CSP violations', cspViolations.length === 0, cspViolations);
} catch (e) {
  step('exception', false, String(e && e.stack || e));
  try { await page.screenshot({ path: join(config.screenshots, 'console-failure.png'), fullPage: true }); } catch { }
}

console.log(JSON.stringify({ ok, steps }));
await context.close();
process.exit(ok ? 0 : 1);
