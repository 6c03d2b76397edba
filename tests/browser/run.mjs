// Browser tests for Opsøg: start `opsog demo` on a free loopback port, drive
// Debian's Chromium through playwright-core, check the caseworker flow, the
// role menus, that no personal data leaks into URLs, and axe accessibility.
//
// Usage: OPSOG_BIN=target/debug/opsog node tests/browser/run.mjs
// Prints `ok - name` / `not ok - name` per test and ends with `N passed, M failed`.
// Only node builtins, playwright-core and axe-core are used.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const OPSOG_BIN =
  process.env.OPSOG_BIN ||
  path.join(process.env.CARGO_TARGET_DIR || path.join(repoRoot, 'target'), 'debug', 'opsog');
// Debian's package; nothing here downloads a browser.
const CHROMIUM = process.env.OPSOG_CHROMIUM || '/usr/bin/chromium';
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const PASSWORD = 'opsog-demo';
const HEALTH_TIMEOUT_MS = 120_000;
const NAV_TIMEOUT_MS = 30_000;

const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsog-browser-'));
const logPath = path.join(tmpDir, 'server.log');

let server = null;
let serverExited = null; // set to a description once the server process is gone
let browser = null;
let baseUrl = '';

// ---------------------------------------------------------------- helpers

class AssertionError extends Error {}

function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

function diag(message) {
  for (const line of String(message).split('\n')) console.log(`# ${line}`);
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

async function freePort() {
  // Port 0 lets the kernel choose; closing it hands the number to the server.
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startServer(port) {
  if (!fs.existsSync(OPSOG_BIN)) {
    throw new Error(`OPSOG_BIN not found: ${OPSOG_BIN} (build it with: cargo build -p opsog)`);
  }
  const logFd = fs.openSync(logPath, 'a');
  const args = [
    'demo',
    '--data-dir', path.join(tmpDir, 'data'),
    '--bind', `127.0.0.1:${port}`,
    '--size', '300',
  ];
  diag(`starting ${OPSOG_BIN} ${args.join(' ')}`);
  // Own process group, so cleanup also reaches anything the server starts.
  server = spawn(OPSOG_BIN, args, { stdio: ['ignore', logFd, logFd], detached: true });
  fs.closeSync(logFd);
  server.on('exit', (code, signal) => {
    serverExited = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  server.on('error', (err) => {
    serverExited = `failed to start: ${err.message}`;
  });
}

async function waitForHealth() {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (serverExited) throw new Error(`server ${serverExited} before /health answered`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(250);
  }
  throw new Error(`/health did not return 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function killGroup(signal) {
  try {
    process.kill(-server.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopServer() {
  if (!server || server.pid === undefined || serverExited) return;
  killGroup('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (!serverExited && Date.now() < deadline) await sleep(100);
  if (!serverExited) killGroup('SIGKILL');
}

// Last resort when the runner itself dies: never leave the server behind.
process.on('exit', () => {
  if (server && server.pid !== undefined && !serverExited) killGroup('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.log(`# interrupted by ${sig}`);
    process.exit(130);
  });
}

function printServerLog() {
  let text = '';
  try {
    text = fs.readFileSync(logPath, 'utf8');
  } catch {
    return;
  }
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(-200);
  diag(`server log ${logPath} (last ${shown.length} of ${lines.length} lines):`);
  diag(shown.join('\n'));
}

// Clicks something that loads a new document and waits for that load.
async function clickAndWaitForLoad(page, locator) {
  const loaded = page.waitForEvent('load', { timeout: NAV_TIMEOUT_MS });
  await locator.click();
  await loaded;
}

async function login(page, username) {
  const res = await page.goto(`${baseUrl}/login`);
  assert(res && res.status() === 200, `GET /login returned ${res && res.status()}`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await clickAndWaitForLoad(page, page.locator('button[type=submit]').first());
  const url = new URL(page.url());
  assert(url.pathname !== '/login', `login as ${username} stayed on /login (wrong password or CSRF?)`);
  assert(
    (await page.locator('form[data-testid=logout-form]').count()) > 0,
    `after login as ${username} the page at ${url.pathname} has no form[data-testid=logout-form]`,
  );
}

async function logout(page, username) {
  await clickAndWaitForLoad(page, page.locator('form[data-testid=logout-form] button').first());
  assert(
    (await page.locator('form[data-testid=logout-form]').count()) === 0,
    `after logging out ${username} the page still has a logout form`,
  );
  // The old session must not open a page that needs a login any more.
  const res = await page.goto(`${baseUrl}/people`);
  const landed = new URL(page.url()).pathname;
  assert(
    landed === '/login' || (res && [401, 403].includes(res.status())),
    `after logging out ${username}, GET /people gave HTTP ${res && res.status()} at ${landed}`,
  );
}

async function openFirstPerson(page) {
  const res = await page.goto(`${baseUrl}/people`);
  assert(res && res.status() === 200, `GET /people returned ${res && res.status()}`);
  const link = page.locator('a[data-testid=person-link]').first();
  assert((await link.count()) === 1, '/people shows no a[data-testid=person-link]');
  await clickAndWaitForLoad(page, link);
  const name = (await page.locator('[data-testid=person-name]').first().innerText()).trim();
  assert(name.length > 0, 'person page has no [data-testid=person-name] text');
  return name;
}

// The caseworker flow shared by the event test and the URL test.
async function recordEvent(page) {
  await login(page, 'sagsbehandler');
  const personName = await openFirstPerson(page);
  const personPath = new URL(page.url()).pathname;

  const stage = (await page.locator('[data-testid=funnel-stage]').first().innerText()).trim();
  assert(stage.length > 0, 'person page has no [data-testid=funnel-stage] text');
  const items = page.locator('[data-testid=timeline] li');
  const before = await items.count();

  const form = page.locator('form[data-testid=event-form]');
  assert((await form.count()) === 1, 'person page has no single form[data-testid=event-form]');
  const option = await form.locator('select[name=kind] option').evaluateAll((opts) => {
    const o = opts.find((x) => x.value !== '' && !x.disabled);
    return o ? { value: o.value, label: o.textContent.trim() } : null;
  });
  assert(option, 'select[name=kind] has no non-empty option');
  await form.locator('select[name=kind]').selectOption(option.value);
  const note = `Browsertest ${Date.now()}`;
  await form.locator('textarea[name=note]').fill(note);
  await clickAndWaitForLoad(page, form.locator('button[type=submit]').first());

  const errors = await page.locator('.form-error, [data-testid=form-error]').count();
  if (errors > 0) {
    const text = await page.locator('.form-error, [data-testid=form-error]').allInnerTexts();
    assert(false, `form errors after submitting the event: ${JSON.stringify(text)}`);
  }
  const after = await items.count();
  assert(
    after === before + 1,
    `timeline had ${before} items before and ${after} after recording an event (expected ${before + 1})`,
  );
  const first = (await items.first().innerText()).replace(/\s+/g, ' ');
  assert(first.includes(note), `newest timeline item does not contain the note "${note}": "${first}"`);
  assert(
    first.toLowerCase().includes(option.label.replace(/\s+/g, ' ').toLowerCase()),
    `newest timeline item does not contain the event kind "${option.label}": "${first}"`,
  );
  return { personName, personPath, stage, before, option, note };
}

// Errors in the page (uncaught exceptions, CSP blocks) are bugs even when the
// page looks right, e.g. DKFDS JavaScript blocked by the Content-Security-Policy.
function watchPageErrors(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      problems.push(`CSP violation: ${msg.text()}`);
    }
  });
  return problems;
}

// axe-core is injected into the page; such a context bypasses the app's CSP,
// which would otherwise block the injected script.
async function axeCheck(page, label) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      count: v.nodes.length,
    }));
  });
  const bad = result.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const minor = result.filter((v) => !bad.includes(v));
  if (minor.length > 0) {
    diag(`${label}: ${minor.length} minor axe finding(s): ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  }
  return bad.map(
    (v) =>
      `${label}: [${v.impact}] ${v.id}: ${v.help} (${v.count} element(s), e.g. ${v.targets.join(' | ')}) ${v.helpUrl}`,
  );
}

// ---------------------------------------------------------------- tests

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

test('caseworker records an event', async (t) => {
  const page = await t.newPage();
  const problems = watchPageErrors(page);
  const r = await recordEvent(page);
  diag(`person ${r.personPath}: stage "${r.stage}", timeline ${r.before} -> ${r.before + 1}, kind "${r.option.label}"`);
  assert(problems.length === 0, `errors in the page:\n${problems.join('\n')}`);
});

test('roles see their own menu', async (t) => {
  const expectations = [
    ['sagsbehandler', true],
    ['analytiker', false],
    ['admin', false],
  ];
  for (const [username, shouldSee] of expectations) {
    // A fresh context per user: no cookie survives from the previous login.
    const page = await t.newPage();
    await login(page, username);
    const count = await page.locator('nav [data-testid=nav-people]').count();
    assert(
      shouldSee ? count > 0 : count === 0,
      `${username}: nav [data-testid=nav-people] ${count > 0 ? 'is shown' : 'is missing'}`,
    );
    await logout(page, username);
    await page.context().close();
  }
});

test('no personal data in URLs', async (t) => {
  const page = await t.newPage();
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  const r = await recordEvent(page);

  const words = r.personName
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 3);
  assert(words.length > 0, `person name "${r.personName}" has no word of 3 or more letters to look for`);
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  const leaks = [];
  for (const raw of new Set(urls)) {
    let text = raw;
    try {
      text = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      // Keep the raw URL when it is not valid percent-encoding.
    }
    // Record ids are random UUIDs; their hex digits are no CPR number.
    text = text.replace(uuid, 'uuid');
    // Compare whole words: a name like "Tim" is no leak in "/timeline".
    const tokens = new Set(text.toLowerCase().split(/[^\p{L}]+/u));
    const named = words.filter((w) => tokens.has(w));
    if (named.length > 0) leaks.push(`${raw} contains name word(s) ${named.join(', ')}`);
    if (/\d{10}/.test(text) || /\d{6}-\d{4}/.test(text)) leaks.push(`${raw} contains a CPR-like digit run`);
  }
  diag(`checked ${new Set(urls).size} distinct request URLs against "${r.personName}"`);
  assert(leaks.length === 0, `personal data in request URLs:\n${leaks.join('\n')}`);
});

test('accessibility (axe: no serious or critical violations)', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  const violations = [];
  await page.goto(`${baseUrl}/login`);
  violations.push(...(await axeCheck(page, '/login')));
  await login(page, 'sagsbehandler');
  const res = await page.goto(`${baseUrl}/people`);
  assert(res && res.status() === 200, `GET /people returned ${res && res.status()}`);
  violations.push(...(await axeCheck(page, '/people')));
  await openFirstPerson(page);
  violations.push(...(await axeCheck(page, 'person page')));
  assert(violations.length === 0, `axe violations:\n${violations.join('\n')}`);
});

// A phone in the street (issue 5): an ambassador with confidentiality and ethics
// recorded (the demo's "ambassador") logs a conversation and registers a woman, who
// then appears in the caseworker's list with the ambassador as her source.
const PHONE = { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true };

async function noSidewaysScroll(page, label) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert(scroll <= inner + 1, `${label}: the page is ${scroll}px wide on a ${inner}px phone screen`);
}

function randomLetters(n) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < n; i += 1) s += letters[Math.floor(Math.random() * letters.length)];
  return s;
}

test('ambassador logs the street and registers a woman on a phone', async (t) => {
  const page = await t.newPage({ ...PHONE, bypassCSP: true });
  const problems = watchPageErrors(page);
  await login(page, 'ambassador');
  let res = await page.goto(`${baseUrl}/field`);
  assert(res && res.status() === 200, `GET /field returned ${res && res.status()}`);
  assert((await page.locator('[data-testid=field-blocked]').count()) === 0, 'the demo ambassador is blocked');
  await noSidewaysScroll(page, '/field');
  const meetings = await page.locator('[data-testid=meetings] li').count();
  assert(meetings > 0, 'no intro meetings ahead are shown to invite women to');
  const violations = await axeCheck(page, '/field');

  // an anonymous conversation: only where, when, language and outcome
  await clickAndWaitForLoad(page, page.locator('[data-testid=field-log-conversation]'));
  await page.locator('select[name=area_id]').selectOption({ index: 1 });
  await page.locator('select[name=place]').selectOption('playground');
  await page.locator('select[name=language]').selectOption('ar');
  await page.locator('select[name=outcome]').selectOption('maybe');
  await clickAndWaitForLoad(page, page.locator('[data-testid=submit]'));
  assert((await page.locator('[data-testid=field-message]').count()) === 1, 'no confirmation after logging');
  assert((await page.locator('[data-testid=field-conversations] li').count()) > 0, 'the conversation is not listed');

  // her consent in her language, right to left, then the minimal fields
  await clickAndWaitForLoad(page, page.locator('[data-testid=field-register-woman]'));
  await page.locator('select[name=lang]').selectOption('ar');
  await clickAndWaitForLoad(page, page.getByRole('button', { name: /Vis tekst/ }));
  const dir = await page.locator('[data-testid=consent-text] [lang=ar]').getAttribute('dir');
  assert(dir === 'rtl', `the Arabic consent text has dir="${dir}"`);
  await noSidewaysScroll(page, '/field/register');
  violations.push(...(await axeCheck(page, '/field/register')));
  const name = `Fadumo${randomLetters(6)}`;
  const phone = `2${Math.floor(1000000 + Math.random() * 8999999)}`;
  await page.check('#consent');
  await page.fill('#given_name', name);
  await page.fill('#phone', phone);
  await page.locator('select[name=language]').selectOption('so');
  await page.locator('select[name=best_time_to_call]').selectOption('evening');
  await page.locator('select[name=area_id]').selectOption({ index: 1 });
  await page.check('#phone_hers_alone');
  await clickAndWaitForLoad(page, page.locator('[data-testid=submit]'));
  const women = (await page.locator('[data-testid=field-women]').innerText()).replace(/\s+/g, ' ');
  assert(women.includes(name), `"${name}" is not in the ambassador's own list: "${women}"`);
  assert(violations.length === 0, `axe violations:\n${violations.join('\n')}`);
  assert(problems.length === 0, `errors in the page:\n${problems.join('\n')}`);
  await logout(page, 'ambassador');

  // the caseworker finds her, with the ambassador as her source
  const desk = await t.newPage();
  await login(desk, 'sagsbehandler');
  res = await desk.goto(`${baseUrl}/people`);
  await desk.fill('#name', name);
  await clickAndWaitForLoad(desk, desk.locator('form[action="/people/search"] button[type=submit]').first());
  const link = desk.locator('a[data-testid=person-link]', { hasText: name });
  assert((await link.count()) === 1, `the caseworker's list does not show "${name}"`);
  await clickAndWaitForLoad(desk, link);
  const sources = (await desk.locator('[data-testid=sources]').innerText()).replace(/\s+/g, ' ');
  assert(/ambassad/i.test(sources), `her sources do not name an ambassador: "${sources}"`);
});

// A partner refers a woman through a one-time link on a phone, with her consent to
// share a status; the coordinator meets her and records the partner's follow-up
// meeting; the partner's own page then says "contacted" (issue 5).
test('partner refers through a one-time link and later sees contacted', async (t) => {
  const desk = await t.newPage();
  await login(desk, 'koordinator');
  let res = await desk.goto(`${baseUrl}/partners`);
  assert(res && res.status() === 200, `GET /partners returned ${res && res.status()}`);
  await clickAndWaitForLoad(desk, desk.locator('a[data-testid=partner-link]', { hasText: 'Sprogcenter Søby' }));
  const partnerPath = new URL(desk.url()).pathname;
  await clickAndWaitForLoad(desk, desk.locator('[data-testid=create-link]'));
  const link = (await desk.locator('[data-testid=referral-link]').innerText()).trim();
  assert(/\/r\/[0-9a-f]{64}$/.test(link), `no one-time link shown: "${link}"`);

  const phone = await t.newPage({ ...PHONE, bypassCSP: true });
  const problems = watchPageErrors(phone);
  res = await phone.goto(`${link}?lang=so`);
  assert(res && res.status() === 200, `the link answered ${res && res.status()}`);
  await noSidewaysScroll(phone, 'referral link');
  const violations = await axeCheck(phone, 'referral link');
  const name = `Hibo${randomLetters(6)}`;
  await phone.check('#consent');
  await phone.check('#status_consent');
  await phone.fill('#given_name', name);
  await phone.fill('#phone', `3${Math.floor(1000000 + Math.random() * 8999999)}`);
  await phone.locator('select[name=language]').selectOption('so');
  await phone.locator('select[name=contact_preference]').selectOption('phone');
  await clickAndWaitForLoad(phone, phone.locator('[data-testid=submit]'));
  assert((await phone.locator('[data-testid=referral-message]').count()) === 1, 'no receipt after referring');
  res = await phone.goto(link);
  assert(res && res.status() === 410, `a used link answered ${res && res.status()}, not 410`);
  assert(violations.length === 0, `axe violations:\n${violations.join('\n')}`);
  assert(problems.length === 0, `errors in the page:\n${problems.join('\n')}`);

  // the coordinator meets her
  await desk.goto(`${baseUrl}/people`);
  await desk.fill('#name', name);
  await clickAndWaitForLoad(desk, desk.locator('form[action="/people/search"] button[type=submit]').first());
  await clickAndWaitForLoad(desk, desk.locator('a[data-testid=person-link]', { hasText: name }));
  const form = desk.locator('form[data-testid=event-form]');
  await form.locator('select[name=kind]').selectOption('intro_meeting_held');
  await clickAndWaitForLoad(desk, form.locator('button[type=submit]').first());
  const stage = (await desk.locator('[data-testid=funnel-stage]').first().innerText()).trim();
  assert(/mødt/i.test(stage), `after the intro meeting her stage is "${stage}"`);

  // the follow-up meeting with the partner (G-7.6)
  await desk.goto(`${baseUrl}${partnerPath}`);
  const followUp = desk.locator('form[data-testid=follow-up-form]');
  await followUp.locator('#women_talked_to').fill('4');
  await followUp.locator('#support_note').fill('Flere foldere på somali');
  await clickAndWaitForLoad(desk, followUp.locator('button[type=submit]'));
  const meetings = await desk.locator('[data-testid=follow-ups]').innerText();
  assert(meetings.includes('Flere foldere på somali'), `the follow-up meeting is not listed: "${meetings}"`);

  // and a follow-up meeting with an ambassador (G-6.8)
  await desk.goto(`${baseUrl}/ambassadors`);
  await clickAndWaitForLoad(desk, desk.locator('a[data-testid=ambassador-link]').first());
  const ambFollowUp = desk.locator('form[data-testid=follow-up-form]');
  await ambFollowUp.locator('#notes').fill('Godt i gang på legepladsen');
  await ambFollowUp.locator('#hours').fill('6,5');
  await clickAndWaitForLoad(desk, ambFollowUp.locator('button[type=submit]'));
  const ambMeetings = await desk.locator('[data-testid=follow-ups]').innerText();
  assert(ambMeetings.includes('Godt i gang'), `the ambassador's follow-up is not listed: "${ambMeetings}"`);

  // the partner's own page shows her as contacted
  const partner = await t.newPage(PHONE);
  await login(partner, 'partner');
  res = await partner.goto(`${baseUrl}/referrals`);
  assert(res && res.status() === 200, `GET /referrals returned ${res && res.status()}`);
  const row = (await partner.locator('[data-testid=referrals-table] tr', { hasText: name }).innerText()).replace(/\s+/g, ' ');
  assert(/kontaktet/i.test(row), `the partner sees "${row}" for ${name}`);
});

// The plan's legal basis (issue 3, G-5.3): the demo's plan is written by
// "koordinator", so a register search is refused until "leder" approves it.
test('the plan is approved by a second coordinator; letters are checked as typed', async (t) => {
  const author = await t.newPage({ bypassCSP: true });
  await login(author, 'koordinator');
  let res = await author.goto(`${baseUrl}/plan`);
  assert(res && res.status() === 200, `GET /plan returned ${res && res.status()}`);
  assert((await author.locator('[data-testid=plan-gate-closed]').count()) === 1, 'the gate is open before approval');
  assert((await author.locator('[data-testid=approve-form]').count()) === 0, 'the author is offered to approve');
  const violations = await axeCheck(author, '/plan');

  // the letter check follows the text as it is typed (issue 4)
  res = await author.goto(`${baseUrl}/letters/da`);
  assert(res && res.status() === 200, `GET /letters/da returned ${res && res.status()}`);
  assert((await author.locator('[data-testid=letter-clean]').count()) === 1, 'the shipped Danish letter has findings');
  violations.push(...(await axeCheck(author, '/letters/da')));
  const body = author.locator('#body');
  // a CPR number in clear is an error the check must catch before anything is saved
  await body.fill(`${await body.inputValue()}\n\nDit CPR-nummer er 070761-4286.`);
  await author.locator('[data-testid=letter-findings] .opsog-finding-error').first().waitFor({ timeout: 10_000 });
  assert(violations.length === 0, `axe violations:\n${violations.join('\n')}`);

  const approver = await t.newPage();
  await login(approver, 'leder');
  await approver.goto(`${baseUrl}/plan`);
  await approver.fill('#note', 'Gennemgået med juristen');
  await clickAndWaitForLoad(approver, approver.locator('[data-testid=approve]'));
  assert((await approver.locator('[data-testid=plan-gate-open]').count()) === 1, 'the gate is still closed');
});

// Register search (issue 3): the plan was approved in the test above, so the
// coordinator uploads the demo's synthetic extracts — Windows-1252 and UTF-8 CSV and
// an XLSX — maps their columns, dry-runs and runs the search, and reads the overview.
test('a coordinator uploads and maps the extracts, then runs the register search', async (t) => {
  const page = await t.newPage({ bypassCSP: true });
  await login(page, 'koordinator');
  let res = await page.goto(`${baseUrl}/register`);
  assert(res && res.status() === 200, `GET /register returned ${res && res.status()}`);
  assert((await page.locator('[data-testid=register-gate-open]').count()) === 1, 'the gate is closed after approval');
  const violations = await axeCheck(page, '/register');
  const peopleCount = async () => {
    await page.goto(`${baseUrl}/people`);
    const m = (await page.locator('main').innerText()).match(/(\d+) borgere/);
    assert(m, 'the people list shows no count');
    return Number(m[1]);
  };
  const before = await peopleCount();
  await page.goto(`${baseUrl}/register`);
  const extracts = path.join(tmpDir, 'data', 'udtraek');
  const uploads = [
    ['population', 'befolkning.csv'],
    ['income', 'eindkomst.csv'],
    ['benefits', 'ydelser.csv'],
    ['language_school', 'sprogskole.xlsx'],
  ];
  for (const [kind, file] of uploads) {
    await page.goto(`${baseUrl}/register`);
    await page.selectOption('#kind', kind);
    await page.setInputFiles('#file', path.join(extracts, file));
    await page.locator('[data-testid=upload]').click();
    await page.waitForURL(/\/register\/uploads\//, { timeout: NAV_TIMEOUT_MS });
    const sample = await page.locator('[data-testid=mapping-sample]').innerText();
    assert(!/\d{6}-?\d{4}/.test(sample.replace(/\d{6}-XXXX/g, '')), `${file}: a CPR number is shown in clear`);
    if (kind === 'population') violations.push(...(await axeCheck(page, 'mapping page')));
    await clickAndWaitForLoad(page, page.locator('[data-testid=import]'));
    const message = await page.locator('[data-testid=register-message]').innerText().catch(() => '');
    assert(/indlæst/.test(message), `${file} was not imported: "${message}" at ${page.url()}`);
  }
  await clickAndWaitForLoad(page, page.locator('[data-testid=dry-run]'));
  const dry = await page.locator('[data-testid=dry-run-candidates]').innerText();
  const found = Number((dry.match(/\d+/) || ['0'])[0]);
  assert(found > 0, `the dry run found "${dry}"`);
  await clickAndWaitForLoad(page, page.locator('[data-testid=run]'));
  assert(/\/register\/runs\//.test(page.url()), `the run did not open its page: ${page.url()}`);
  const record = await page.locator('[data-testid=run-record]').innerText();
  assert(/Databeskyttelseslovens/.test(record), `the run does not name its legal basis: "${record}"`);
  violations.push(...(await axeCheck(page, 'run page')));
  const tables = await page.locator('[data-testid=overview-table]').count();
  assert(tables === 4, `the overview has ${tables} tables`);
  // The extracts are deleted once the run is accepted (G-5.5).
  await page.goto(`${baseUrl}/register`);
  const sources = await page.locator('[data-testid=register-sources]').innerText();
  assert((sources.match(/Slettet/g) || []).length >= 3, `the used extracts are not marked deleted:\n${sources}`);
  // The candidates are in the people list now (none of them was known before).
  const after = await peopleCount();
  assert(after === before + found, `the people list grew from ${before} to ${after}, the run found ${found}`);
  assert(violations.length === 0, `axe violations:\n${violations.join('\n')}`);
});

// ---------------------------------------------------------------- runner

async function runTest({ name, fn }) {
  const contexts = [];
  const t = {
    async newPage(options = {}) {
      const context = await browser.newContext({ ...options, locale: 'da-DK' });
      context.setDefaultTimeout(NAV_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
      contexts.push(context);
      return context.newPage();
    },
  };
  let error = null;
  try {
    await fn(t);
  } catch (err) {
    error = err;
  }
  if (error) {
    console.log(`not ok - ${name}`);
    diag(error instanceof AssertionError ? error.message : error.stack || String(error));
    // Screenshot every page still open, so the failure can be looked at.
    let n = 0;
    for (const context of contexts) {
      for (const page of context.pages()) {
        n += 1;
        const file = path.join(tmpDir, `${slug(name)}-${n}.png`);
        try {
          await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
          diag(`screenshot: ${file} (${page.url()})`);
        } catch (err) {
          diag(`screenshot failed: ${err.message}`);
        }
      }
    }
  } else {
    console.log(`ok - ${name}`);
  }
  for (const context of contexts) await context.close().catch(() => {});
  return !error;
}

async function main() {
  let passed = 0;
  let failed = 0;
  try {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    startServer(port);
    await waitForHealth();
    diag(`server ready at ${baseUrl}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    for (const t of tests) {
      if (serverExited) {
        console.log(`not ok - ${t.name}`);
        diag(`server ${serverExited}`);
        failed += 1;
        continue;
      }
      if (await runTest(t)) passed += 1;
      else failed += 1;
    }
  } catch (err) {
    // Setup failed (server, browser): every test that did not run counts as failed.
    console.log('not ok - setup');
    diag(err.stack || String(err));
    failed = tests.length - passed;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopServer();
  }
  if (failed > 0) {
    printServerLog();
    diag(`kept ${tmpDir} for inspection`);
  } else {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
