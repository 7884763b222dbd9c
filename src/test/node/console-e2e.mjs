// Browser test of the web console (src/main/resources/META-INF/resources). Drives Debian's Chromium
// through playwright-core against a running Thinkloop service whose model is the deterministic test
// backend of ConsoleBrowserTest (it answers by keywords in the user message, see SCRIPT below).
//
//   node console-e2e.mjs --base-url http://localhost:8081 --api-key KEY --out ../../../target/console-screenshots
//   node console-e2e.mjs --fake --out /tmp/shots     (the page against an in-process fake runtime:
//                                                      for working on the page without the service)
//   node console-e2e.mjs --base-url URL --api-key KEY --first-run-only --expect-backend embedded --expect-untrained
//                                                     (only the first-run steps, against the untrained default)
//
// Prints "STEP name {...}" lines as it goes and ends with "CONSOLE-E2E PASS {summary}" (exit 0) or
// "CONSOLE-E2E FAIL message" (exit 1).

import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const opts = { baseUrl: null, out: resolve(here, '../../../target/console-screenshots'), fake: false, chromium: '/usr/bin/chromium', apiKey: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--base-url') opts.baseUrl = process.argv[++i];
  else if (a === '--out') opts.out = resolve(process.argv[++i]);
  else if (a === '--fake') opts.fake = true;
  else if (a === '--chromium') opts.chromium = process.argv[++i];
  else if (a === '--api-key') opts.apiKey = process.argv[++i];
  else if (a === '--mcp-server') opts.mcpServer = process.argv[++i]; // NAME:TOOL expected in the MCP panel
  else if (a === '--expect-backend') opts.expectBackend = process.argv[++i]; // the header badge's backend
  else if (a === '--expect-untrained') opts.expectUntrained = true; // the badge's warning must show
  else if (a === '--first-run-only') opts.firstRunOnly = true;
  else throw new Error(`unknown argument ${a}`);
}
if (opts.fake) {
  opts.baseUrl = 'http://console.test';
  opts.mcpServer ??= 'trip-planning:search_flights';
}
if (!opts.baseUrl) throw new Error('--base-url URL or --fake is required');

// The messages the test sends; the test backend reacts to the bracketed keyword.
export const SCRIPT = {
  calc: 'What is 6 times 7? [calc]',
  slow: 'Wait for the slow tool please [slow]',
  approve: 'Echo something, with my approval [approve]',
  hello: '<img src=x onerror="window.__xss=1"><b>Still</b> there? [hello]',
  queued: 'Typed before the key was entered [hello]',
};
const EXPECT = {
  calcAnswer: '6 times 7 is 42.',
  approveAnswer: 'The guarded echo said: approved text',
  denyAnswer: 'The guarded echo said: denied by user',
  helloAnswer: 'Yes, still here.',
};

const WAIT = 20000;
const steps = [];
function step(name, detail = {}) {
  steps.push(name);
  console.log(`STEP ${name} ${JSON.stringify(detail)}`);
}
function check(cond, message) {
  if (!cond) throw new Error(message);
}

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  mkdirSync(opts.out, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'thinkloop-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: opts.chromium,
    headless: true,
    args: LAUNCH_ARGS,
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
  });
  try {
    if (opts.fake) await installFakeRuntime(context);
    await context.addInitScript(recorderScript);
    await run(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Records when parts of the transcript first appear, and how the answer text grew. */
function recorderScript() {
  window.__seen = {};
  window.__answerLengths = [];
  window.__reasoningLengths = [];
  window.__connStates = [];
  const watch = ['.reasoning-text', '.tool-card', '.answer', '.turn.completed', '.tool-card[data-status="running"]'];
  const start = () => {
    new MutationObserver(() => {
      const now = performance.now();
      for (const sel of watch) if (!window.__seen[sel] && document.querySelector(sel)) window.__seen[sel] = now;
      const a = document.querySelector('.answer');
      if (a && window.__answerLengths.at(-1) !== a.textContent.length) window.__answerLengths.push(a.textContent.length);
      const c = document.querySelector('#conn-state')?.dataset.state;
      if (c && window.__connStates.at(-1) !== c) window.__connStates.push(c);
      const r = document.querySelector('.reasoning-text');
      if (r && window.__reasoningLengths.at(-1) !== r.textContent.length) window.__reasoningLengths.push(r.textContent.length);
    }).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}

const turns = (page) => page.locator('#transcript > li.turn');
const shot = async (page, name) => {
  const path = join(opts.out, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  step('screenshot', { path });
};

async function waitConnected(page) {
  await page.waitForSelector('#conn-state[data-state="open"]', { timeout: WAIT });
}

async function send(page, text) {
  await page.locator('#composer-input').fill(text);
  await page.locator('#composer-input').press('Enter');
}

async function run(context) {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // ---- 1. open the page ----
  await page.goto(`${opts.baseUrl}/`);
  await page.waitForSelector('#composer-input');
  check(await page.title() === 'Thinkloop console', 'page title');

  // Keyboard: the skip link comes first and leads to the message box.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.classList.contains('skip-link')), 'first Tab reaches the skip link');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement?.id === 'composer-input'), 'skip link focuses the message box');
  step('keyboard-skip-link');

  // The API key: without it the page says so, a typed message is kept as not sent (nothing reaches the
  // service), and once the key is entered that message is sent exactly once.
  if (opts.apiKey) {
    await firstRun(page);
    consoleErrors.length = 0; // the 401s above were expected
    if (opts.firstRunOnly) {
      console.log(`CONSOLE-E2E PASS ${JSON.stringify({ steps, screenshots: opts.out })}`);
      return;
    }
    // The rest runs in a fresh session, as before.
    const firstSession = await page.evaluate(() => window.thinkloopConsole.sessionId);
    await page.locator('#new-session').click();
    await page.waitForFunction((old) => window.thinkloopConsole.sessionId && window.thinkloopConsole.sessionId !== old,
      firstSession, { timeout: WAIT });
    await waitConnected(page);
    await page.evaluate(() => { window.__seen = {}; window.__answerLengths = []; window.__reasoningLengths = []; });
  }
  await page.waitForFunction(() => {
    const t = document.querySelector('#tool-panel').textContent;
    return !t.includes('Loading') && !t.includes('401');
  }, null, { timeout: WAIT });
  const panel = await page.locator('#tool-panel').innerText();
  for (const tool of ['multiply', 'slow_wait', 'guarded_echo']) check(panel.includes(tool), `tools panel lists ${tool}: ${panel}`);
  if (opts.mcpServer) {
    const [server, tool] = opts.mcpServer.split(':');
    const box = page.locator(`#tool-panel details.server[data-server="${server}"]`);
    check(await box.count() === 1, `MCP panel shows server ${server}: ${panel}`);
    check((await box.innerText()).includes(tool), `MCP panel lists ${tool} under ${server}`);
  }
  step('page-loaded', { panel: panel.replace(/\s+/g, ' ').slice(0, 200) });
  await page.locator('#composer-input').focus();

  // ---- 2. a turn: reasoning, tool call card, answer, in that order ----
  await page.keyboard.type(SCRIPT.calc);
  await page.keyboard.press('Enter'); // Enter sends
  await page.waitForSelector('#transcript li.turn.completed', { timeout: WAIT });
  const sessionId = await page.evaluate(() => window.thinkloopConsole.sessionId);
  check(sessionId && (await page.evaluate(() => location.hash)).includes(encodeURIComponent(sessionId)), 'session id in URL hash');
  const seen = await page.evaluate(() => window.__seen);
  check(seen['.reasoning-text'] <= seen['.tool-card'] && seen['.tool-card'] <= seen['.answer']
    && seen['.answer'] <= seen['.turn.completed'], `appearance order reasoning < tool < answer < completed: ${JSON.stringify(seen)}`);
  const turn1 = turns(page).nth(0);
  const order = await turn1.locator('.msg.assistant > :not(.role)').evaluateAll((els) => els.map((e) => e.className.split(' ')[0]));
  check(order[0] === 'reasoning' && order.indexOf('tool-card') > 0 && order.lastIndexOf('answer') > order.indexOf('tool-card'),
    `DOM order: ${order}`);
  const answer1 = await turn1.locator('.answer').last().textContent();
  check(answer1 === EXPECT.calcAnswer, `answer text: ${answer1}`);
  const answerGrowth = await page.evaluate(() => window.__answerLengths);
  check(answerGrowth.length >= 3, `answer streamed in pieces: ${answerGrowth}`);
  const card1 = turn1.locator('.tool-card').first();
  check(await card1.locator('.tool-name').textContent() === 'multiply', 'tool card name');
  check(JSON.parse(await card1.locator('.tool-args').textContent()).a === 6, 'tool card arguments');
  check(await card1.getAttribute('data-status') === 'done', 'tool card status done');
  check((await card1.locator('.tool-result').textContent()).includes('42'), 'tool card result');
  check(/\d+(\.\d+)? m?s$/.test(await card1.locator('.tool-latency').textContent()), 'tool card latency');
  check((await turn1.locator('.reasoning-text').first().textContent()).includes('multiply'), 'reasoning text');
  check((await turn1.locator('.turn-meta').textContent()).includes('finished: stop'), 'turn footer');
  // The sessions list shows this session (marked current) and never "No sessions yet." beside it.
  await page.locator(`#session-list [data-session-id="${sessionId}"][aria-current="true"]`).waitFor({ timeout: WAIT });
  check(!(await page.locator('#sessions-status').textContent()).includes('No sessions'), 'session list status');
  step('turn-streamed', { order, seen, answerGrowth: answerGrowth.length, sessionId });
  await shot(page, '01-light-answer');

  // ---- 3. a slow tool: drop the socket mid-turn (resume), then cancel with Esc ----
  await send(page, SCRIPT.slow);
  const turn2 = turns(page).nth(1);
  await turn2.locator('.tool-card[data-status="running"]').waitFor({ timeout: WAIT });
  check(await page.locator('#cancel').isEnabled(), 'cancel enabled while running');
  const seqBeforeDrop = await page.evaluate(() => window.thinkloopConsole.lastSeq);
  await page.evaluate(() => { window.__connStates = []; window.thinkloopConsole.dropConnection(); });
  await page.waitForFunction(() => window.__connStates.join() .includes('reconnecting,open'), null, { timeout: WAIT })
    .catch(async (e) => { throw new Error(`no reconnect: ${await page.evaluate(() => window.__connStates)}: ${e.message}`); });
  check(await turn2.locator('.tool-card').count() === 1, 'no duplicate tool card after resume');
  step('reconnected-mid-turn', { seqBeforeDrop });
  await shot(page, '02-light-running-tool');
  await page.locator('#composer-input').focus();
  await page.keyboard.press('Escape');
  await turn2.locator('.turn-meta', { hasText: 'cancelled' }).waitFor({ timeout: WAIT });
  check(await turn2.getAttribute('class').then((c) => c.includes('cancelled')), 'turn marked cancelled');
  check(await turn2.locator('.tool-card').getAttribute('data-status') === 'cancelled', 'tool card cancelled');
  check(await page.locator('#cancel').isDisabled(), 'cancel disabled after the turn ended');
  step('cancelled');
  await shot(page, '03-light-cancelled');

  // ---- 4. a tool that asks: approve by keyboard ----
  await send(page, SCRIPT.approve);
  const turn3 = turns(page).nth(2);
  const approveButton = turn3.locator('.tool-approval button.approve');
  await approveButton.waitFor({ timeout: WAIT });
  check(await turn3.locator('.tool-card').getAttribute('data-status') === 'awaiting', 'card awaits approval');
  await page.waitForFunction(() => document.activeElement?.classList.contains('approve'), null, { timeout: WAIT });
  await shot(page, '04-light-approval');
  await page.keyboard.press('Enter'); // the focused Approve button
  await turn3.locator('.turn-meta', { hasText: 'finished' }).waitFor({ timeout: WAIT });
  check(await turn3.locator('.answer').last().textContent() === EXPECT.approveAnswer, 'answer after approval');
  check(await turn3.locator('.tool-card').getAttribute('data-status') === 'done', 'approved tool ran');
  step('approved');

  // ---- 4b. the same tool again: deny by keyboard (Tab from Approve to Deny) ----
  await send(page, SCRIPT.approve);
  const turn4 = turns(page).nth(3);
  await turn4.locator('.tool-approval button.approve').waitFor({ timeout: WAIT });
  await page.waitForFunction(() => document.activeElement?.classList.contains('approve'), null, { timeout: WAIT });
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.classList.contains('deny')), 'Tab moves from Approve to Deny');
  await page.keyboard.press('Enter');
  await turn4.locator('.turn-meta', { hasText: 'finished' }).waitFor({ timeout: WAIT });
  check(await turn4.locator('.tool-card').getAttribute('data-status') === 'denied', 'card shows the denial');
  check((await turn4.locator('.tool-result').textContent()).startsWith('denied by user'), 'denial result');
  check(await turn4.locator('.answer').last().textContent() === EXPECT.denyAnswer, 'answer after denial');
  step('denied');

  // ---- 5. reload: the session comes back from sessionStorage plus resume ----
  const seqBeforeReload = await page.evaluate(() => window.thinkloopConsole.lastSeq);
  await page.reload();
  await waitConnected(page);
  check(await page.evaluate(() => window.thinkloopConsole.sessionId) === sessionId, 'same session after reload');
  check(await turns(page).count() === 4, 'four turns after reload');
  check(await page.locator('.tool-card').count() === 4, 'four tool cards after reload (nothing doubled)');
  check(await turns(page).nth(3).locator('.tool-card').getAttribute('data-status') === 'denied', 'denial after reload');
  check(await turns(page).nth(0).locator('.answer').last().textContent() === EXPECT.calcAnswer, 'first answer after reload');
  check(await turns(page).nth(0).locator('.msg.user').textContent().then((t) => t.includes(SCRIPT.calc)), 'first user message after reload');
  check(await turns(page).nth(1).getAttribute('class').then((c) => c.includes('cancelled')), 'cancelled turn after reload');
  await send(page, SCRIPT.hello);
  await turns(page).nth(4).locator('.turn-meta', { hasText: 'finished' }).waitFor({ timeout: WAIT });
  check(await turns(page).nth(4).locator('.answer').textContent() === EXPECT.helloAnswer, 'answer in the resumed session');
  // Model and user text are shown as text, never parsed as HTML.
  check(await page.locator('#transcript img, #transcript b').count() === 0, 'no HTML from message text');
  check(await page.evaluate(() => window.__xss) === undefined, 'no script from message text');
  check((await turns(page).nth(4).locator('.msg.user').textContent()).includes('<b>Still</b>'), 'markup shown literally');
  step('reloaded-and-resumed', { seqBeforeReload, seqAfter: await page.evaluate(() => window.thinkloopConsole.lastSeq) });
  await shot(page, '05-light-after-reload');

  // The session list shows the session, marked current.
  await page.locator(`#session-list [data-session-id="${sessionId}"][aria-current="true"]`).waitFor({ timeout: WAIT });

  // ---- 6. a fresh tab (no sessionStorage): the whole session replays from the server ----
  const page2 = await context.newPage();
  await page2.emulateMedia({ colorScheme: 'dark' });
  await page2.goto(`${opts.baseUrl}/#session=${encodeURIComponent(sessionId)}`);
  await waitConnected(page2);
  await turns(page2).nth(4).locator('.turn-meta', { hasText: 'finished' }).waitFor({ timeout: WAIT });
  check(await turns(page2).count() === 5, 'five turns replayed from seq 0');
  check(await turns(page2).nth(0).locator('.msg.user').textContent().then((t) => t.includes(SCRIPT.calc)), 'user message replayed');
  check(await page2.locator('.tool-card').count() === 4, 'four tool cards replayed');
  check(await turns(page2).nth(1).locator('.tool-card').getAttribute('data-status') === 'cancelled', 'cancelled card replayed');
  check(await turns(page2).nth(3).locator('.tool-card').getAttribute('data-status') === 'denied', 'denied card replayed');
  const darkBg = await page2.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(luminance(darkBg) < 0.2, `dark theme from prefers-color-scheme: ${darkBg}`);
  step('replayed-in-new-tab', { darkBg });
  await page2.locator('.transcript-scroll').evaluate((s) => { s.scrollTop = 0; });
  await shot(page2, '06-dark-replayed');

  // ---- 7. the theme toggle overrides the system preference ----
  const toggle = page2.locator('#theme-toggle');
  await toggle.click(); // auto -> light
  check(await page2.evaluate(() => document.documentElement.dataset.theme) === 'light', 'toggle to light');
  check(luminance(await page2.evaluate(() => getComputedStyle(document.body).backgroundColor)) > 0.8, 'light colours');
  await toggle.click(); // light -> dark
  check(await page2.evaluate(() => document.documentElement.dataset.theme) === 'dark', 'toggle to dark');
  await page2.locator('.transcript-scroll').evaluate((s) => { s.scrollTop = s.scrollHeight; });
  await toggle.focus(); // shows the focus ring in the screenshot
  await shot(page2, '07-dark-toggled');
  await toggle.click(); // back to auto
  step('theme-toggle');

  check(consoleErrors.length === 0, `browser console errors: ${consoleErrors.join(' | ')}`);
  console.log(`CONSOLE-E2E PASS ${JSON.stringify({ steps, sessionId, screenshots: opts.out })}`);
}

/** REST calls the test itself makes (with the key), to see what reached the service. */
async function rest(path) {
  const res = await fetch(`${opts.baseUrl}${path}`, { headers: { Authorization: `Bearer ${opts.apiKey}` } });
  check(res.ok, `GET ${path}: ${res.status}`);
  return res.json();
}

async function firstRun(page) {
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const sessionsBefore = (await rest('/v1/sessions')).sessions.length;
  // No key: the page says a key is needed, and the badge cannot name the model yet.
  await page.locator('#key-state', { hasText: 'API key required' }).waitFor({ timeout: WAIT });
  check((await page.locator('#sessions-status').textContent()).includes('API key required'), 'sessions status names the key');
  check(await page.locator('#api-key').getAttribute('aria-invalid') === 'true', 'key field marked invalid');
  step('no-key-said');

  // A message typed now is shown as not sent, with why; no turn runs, nothing reaches the service.
  await send(page, SCRIPT.queued);
  const queued = page.locator('#transcript li.turn.queued');
  await queued.waitFor({ timeout: WAIT });
  const note = await queued.locator('.send-note').textContent();
  check(note.includes('Not sent') && note.includes('API key'), `queued note: ${note}`);
  check(await page.locator('#transcript li.turn.running').count() === 0, 'no running turn for an unsent message');
  check(await page.locator('#cancel').isDisabled(), 'nothing to cancel');
  check(await page.evaluate(() => window.thinkloopConsole.queued) === 1, 'one message queued');
  // The same holds with a wrong key: "API key rejected", still not sent.
  await page.locator('#api-key').fill('not-the-key');
  await page.locator('#api-key').press('Tab');
  await page.locator('#key-state', { hasText: 'API key rejected' }).waitFor({ timeout: WAIT });
  await queued.locator('.send-note', { hasText: 'API key rejected' }).waitFor({ timeout: WAIT });
  check(await page.locator('#conn-state').textContent().then((t) => t.includes('API key rejected')), 'connection state names the key');
  check((await rest('/v1/sessions')).sessions.length === sessionsBefore, 'no session created without an accepted key');
  check(sockets.length === 0, `no WebSocket opened without an accepted key: ${sockets}`);
  step('not-sent-without-key', { note });
  await shot(page, '00-light-key-rejected');

  // The right key: the queued message is sent, once, in a new session; the badge names the model.
  await page.locator('#api-key').fill(opts.apiKey);
  await page.locator('#api-key').press('Tab');
  await page.locator('#key-state[data-state="ok"]').waitFor({ state: 'attached', timeout: WAIT });
  check(await page.evaluate(() => localStorage.getItem('thinkloop.console.apiKey')) === opts.apiKey, 'key stored');
  const turn = page.locator('#transcript > li.turn').first();
  await turn.locator('.turn-meta', { hasText: 'finished' }).waitFor({ timeout: opts.expectUntrained ? 180000 : WAIT });
  check(await page.locator('#transcript li.turn.queued').count() === 0, 'nothing left queued');
  check(await page.locator('#transcript > li.turn').count() === 1, 'one turn for the queued message');
  check((await turn.locator('.msg.user').textContent()).includes(SCRIPT.queued), 'the queued text was sent');
  if (!opts.expectUntrained) check(await turn.locator('.answer').last().textContent() === EXPECT.helloAnswer, 'answer to the queued message');
  const sessionId = await page.evaluate(() => window.thinkloopConsole.sessionId);
  const transcript = await rest(`/v1/sessions/${encodeURIComponent(sessionId)}/transcript`);
  const userMessages = transcript.messages.filter((m) => m.role === 'user');
  check(userMessages.length === 1 && userMessages[0].content === SCRIPT.queued, `sent exactly once: ${JSON.stringify(userMessages)}`);
  step('queued-sent-once', { sessionId, sockets: sockets.length });

  await page.locator('#model-badge:not([data-state="unknown"])').waitFor({ timeout: WAIT });
  const badge = await page.locator('#model-name').textContent();
  if (opts.expectBackend) check(badge === opts.expectBackend, `badge names ${opts.expectBackend}: ${badge}`);
  const warning = page.locator('#model-warning');
  if (opts.expectUntrained) {
    check(await warning.isVisible(), 'untrained warning shown');
    const text = await warning.innerText();
    check(/untrained/i.test(text) && text.includes('thinkloop.model.embedded.checkpoint') && text.includes('Choosing a model'),
      `warning says what to do: ${text}`);
    check(await page.locator('#model-badge').getAttribute('data-state') === 'warning', 'badge marked');
  } else {
    check(await warning.isHidden(), 'no model warning for a backend without a notice');
  }
  step('model-badge', { badge, untrained: !!opts.expectUntrained });
  await shot(page, opts.expectUntrained ? '00-light-untrained-badge' : '00-light-model-badge');
}

function luminance(rgb) {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(rgb);
  if (!m) return NaN;
  return (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
}

// ---- fake runtime (only with --fake) ---------------------------------------------------------------

async function installFakeRuntime(context) {
  const root = resolve(here, '../../main/resources/META-INF/resources');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const sessions = new Map();
  await context.route(`${opts.baseUrl}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/v1/sessions' && route.request().method() === 'GET') {
      return route.fulfill({ json: [...sessions.keys()].map((id) => ({ id, createdAt: new Date().toISOString() })) });
    }
    if (url.pathname === '/v1/sessions' && route.request().method() === 'POST') {
      const id = `fake-${sessions.size + 1}-${Date.now().toString(36)}`;
      sessions.set(id, { events: [], sockets: new Set(), turn: null });
      return route.fulfill({ status: 201, json: { id, createdAt: new Date().toISOString() } });
    }
    if (url.pathname === '/v1/tools') {
      return route.fulfill({ json: [
        { name: 'multiply', description: 'Multiplies two numbers', source: 'local', approval: 'auto' },
        { name: 'slow_wait', description: 'Waits', source: 'local', approval: 'auto' },
        { name: 'guarded_echo', description: 'Echoes after approval', source: 'local', approval: 'ask' },
        { name: 'search_flights', description: 'Finds flights', source: 'trip-planning', approval: 'auto' },
      ] });
    }
    if (url.pathname === '/v1/mcp/servers') {
      return route.fulfill({ json: [{ name: 'trip-planning', status: 'connected', target: 'ws://localhost:9000/mcp', lastError: null, tools: [] }] });
    }
    const file = url.pathname === '/' ? '/index.html' : url.pathname;
    try {
      return route.fulfill({ body: readFileSync(join(root, file)), contentType: types[extname(file)] ?? 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
  await context.routeWebSocket(/\/v1\/sessions\/[^/]+\/ws/, (ws) => {
    const id = decodeURIComponent(new URL(ws.url()).pathname.split('/')[3]);
    let s = sessions.get(id);
    if (!s) {
      s = { events: [], sockets: new Set(), turn: null };
      sessions.set(id, s);
    }
    s.sockets.add(ws);
    ws.onClose((code, reason) => { s.sockets.delete(ws); ws.close({ code, reason }); });
    const emit = (turnId, type, fields = {}) => {
      const ev = { v: 1, type, sessionId: id, turnId, seq: s.events.length + 1, timestamp: new Date().toISOString(), ...fields };
      s.events.push(ev);
      for (const w of s.sockets) if (w.live) w.send(JSON.stringify(ev));
    };
    const created = s.events.length === 0;
    if (created) emit(null, 'session.created');
    // Like the runtime: ?lastSeq=N replays after N, a new session replays from 0, else live only.
    const q = new URL(ws.url()).searchParams.get('lastSeq');
    const from = q !== null ? Number(q) : (created ? 0 : null);
    if (from !== null) for (const ev of s.events) if (ev.seq > from) ws.send(JSON.stringify(ev));
    ws.live = true;
    ws.onMessage((text) => {
      const m = JSON.parse(text);
      if (m.type === 'resume') {
        for (const ev of s.events) if (ev.seq > m.lastSeq) ws.send(JSON.stringify(ev));
        ws.live = true;
      } else if (m.type === 'user_message') {
        fakeTurn(s, emit, m.content);
      } else if (m.type === 'cancel' && s.turn) {
        s.turn.cancel();
      } else if ((m.type === 'approve' || m.type === 'deny') && s.turn?.approval) {
        s.turn.approval(m.type === 'approve');
      }
    });
  });
}

function fakeTurn(s, emit, content) {
  const turnId = `t${s.events.length}`;
  const timers = [];
  let at = 0;
  const later = (ms, fn) => { at += ms; timers.push(setTimeout(fn, at)); };
  const e = (type, fields) => later(40, () => emit(turnId, type, fields));
  const words = (type, text) => text.split(/(?<= )/).forEach((w) => e(type, { text: w }));
  s.turn = {
    cancel: () => { timers.forEach(clearTimeout); emit(turnId, 'cancelled', { reason: 'client' }); s.turn = null; },
  };
  emit(turnId, 'turn.started', { content });
  const tool = (id, name, args) => {
    e('tool_call.started', { toolCallId: id, index: 0, name });
    const text = JSON.stringify(args);
    e('tool_call.arguments.delta', { toolCallId: id, index: 0, delta: text.slice(0, 6) });
    e('tool_call.arguments.delta', { toolCallId: id, index: 0, delta: text.slice(6) });
    e('tool_call.completed', { toolCallId: id, index: 0, name, arguments: text });
  };
  const end = (answer) => {
    words('text.delta', answer);
    e('usage', { promptTokens: 120, completionTokens: 30, reasoningTokens: 12 });
    e('turn.completed', { finishReason: 'stop', steps: 2 });
    later(1, () => { s.turn = null; });
  };
  if (content.includes('[calc]')) {
    words('reasoning.delta', 'The user wants 6 times 7. I will call multiply.');
    tool(`${turnId}-call`, 'multiply', { a: 6, b: 7 });
    e('tool.executing', { toolCallId: `${turnId}-call`, name: 'multiply' });
    e('tool.result', { toolCallId: `${turnId}-call`, name: 'multiply', content: '42', isError: false, status: 'ok', latencyMs: 3 });
    words('reasoning.delta', 'The tool says 42.');
    end(EXPECT.calcAnswer);
  } else if (content.includes('[slow]')) {
    words('reasoning.delta', 'I will wait with slow_wait.');
    tool(`${turnId}-call`, 'slow_wait', { seconds: 30 });
    e('tool.executing', { toolCallId: `${turnId}-call`, name: 'slow_wait' });
    s.turn.cancel = () => { // like the runtime: the open call gets an error result, then the turn is cancelled
      timers.forEach(clearTimeout);
      emit(turnId, 'tool.result', { toolCallId: `${turnId}-call`, name: 'slow_wait', content: 'cancelled', isError: true, status: 'cancelled', latencyMs: 0 });
      emit(turnId, 'cancelled', { reason: 'cancelled by client' });
      s.turn = null;
    };
  } else if (content.includes('[approve]')) {
    words('reasoning.delta', 'guarded_echo needs approval.');
    tool(`${turnId}-call`, 'guarded_echo', { text: 'approved text' });
    e('approval.requested', { toolCallId: `${turnId}-call`, name: 'guarded_echo', arguments: '{"text":"approved text"}' });
    s.turn.approval = (ok) => {
      at = 0;
      if (ok) e('tool.executing', { toolCallId: `${turnId}-call`, name: 'guarded_echo' });
      e('tool.result', { toolCallId: `${turnId}-call`, name: 'guarded_echo', content: ok ? 'approved text' : 'denied by user', isError: !ok, status: ok ? 'ok' : 'denied', latencyMs: ok ? 1 : 0 });
      end(ok ? EXPECT.approveAnswer : EXPECT.denyAnswer);
    };
  } else {
    end(EXPECT.helloAnswer);
  }
}

main().catch((e) => {
  console.log(`CONSOLE-E2E FAIL ${e?.stack ?? e}`);
  process.exit(1);
});
