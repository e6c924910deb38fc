// Each console role in Debian's chromium (headless, via playwright-core): logs in, visits every page of the
// navigation, counts the changes each page offers (submit buttons of POST forms, but the read-only policy check),
// takes a screenshot, and, where asked, approves a waiting login in the browser. Issue 19: the roles see only what
// they may change (the server refuses the rest anyway: ConsoleRoleTests walks every change route over HTTP).
// Usage: node console-roles.mjs CONFIG_JSON
//   CONFIG_JSON: {"url", "password", "screenshots", "people": [{"login", "approve": {"host", "person"}?}]}
// Prints one JSON line {ok, steps, forms: {login: {page: count}}}; exit 0 when every step did as expected.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchConsoleBrowser, logIn } from './console-session.mjs';

const config = JSON.parse(process.argv[2]);
mkdirSync(config.screenshots, { recursive: true });
const { context, page } = await launchConsoleBrowser('appliance-console-roles-');
const steps = [];
const forms = {};
let ok = true;

function step(name, passed, detail) {
  steps.push({ name, passed, detail });
  if (!passed) ok = false;
}

async function text(selector) {
  const l = page.locator(selector);
  return (await l.count()) === 0 ? '' : ((await l.first().textContent()) ?? '');
}

// A change the page offers: a submit button whose post (its formaction, else its form's action) is not the read-only
// policy check. Logout is in the header, outside main.
async function changeButtons() {
  return await page.locator('main form[method="post"] button').evaluateAll(buttons => buttons
    .filter(b => (b.getAttribute('type') ?? 'submit') === 'submit')
    .map(b => b.getAttribute('formaction') ?? b.form.getAttribute('action'))
    .filter(action => action !== '/admin/policy/check').length);
}

try {
  for (const person of config.people) {
    const who = person.login.split('@')[0];
    await page.goto(config.url + '/admin/login');
    await logIn(page, person.login, config.password);
    step(`${who} login`, (await text('#whoami')).includes(person.login), await text('#whoami'));
    forms[person.login] = {};
    for (const link of await page.locator('nav a').evaluateAll(as => as.map(a => a.getAttribute('href')))) {
      await page.goto(config.url + link);
      const name = link.replace('/admin/', '');
      forms[person.login][name] = await changeButtons();
      await page.screenshot({ path: join(config.screenshots, `console-role-${who}-${name}.png`), fullPage: true });
    }

    if (person.approve) {
      await page.goto(config.url + '/admin/logins');
      const row = page.locator('tr', { hasText: person.approve.host });
      await row.getByLabel('Person').selectOption(person.approve.person);
      await Promise.all([page.waitForLoadState('load'), row.getByRole('button', { name: `Approve ${person.approve.host}` }).click()]);
      await page.waitForSelector('#flash');
      const approved = await text('#flash');
      step(`${who} approves ${person.approve.host}`, approved.includes(`${person.approve.host} is now registered to ${person.approve.person}`), approved);
    }

    await Promise.all([page.waitForURL('**/admin/login'), page.getByRole('button', { name: 'Log out' }).click()]);
  }
} catch (e) {
  step('exception', false, String(e && e.stack || e));
  try { await page.screenshot({ path: join(config.screenshots, 'console-roles-failure.png'), fullPage: true }); } catch { }
}

console.log(JSON.stringify({ ok, steps, forms }));
await context.close();
process.exit(ok ? 0 : 1);
