// Wires the console together: session list, one live session connection, the transcript, the
// composer and the tools panel. Protocol names live in protocol.js; storage in store.js.

import { Api } from './api.js';
import { ConnectionState, SessionConnection } from './connection.js';
import { el } from './dom.js';
import { ClientMessage, EventType, classifySeq, normalizeEvent } from './protocol.js';
import { SessionLog, settings } from './store.js';
import { TranscriptView } from './transcript.js';

const $ = (id) => document.getElementById(id);
const ui = {
  conn: $('conn-state'),
  connText: document.querySelector('#conn-state .conn-text'),
  apiKey: $('api-key'),
  keyState: $('key-state'),
  modelBadge: $('model-badge'),
  modelName: $('model-name'),
  modelWarning: $('model-warning'),
  modelWarningTitle: $('model-warning-title'),
  modelWarningText: $('model-warning-text'),
  theme: $('theme-toggle'),
  newSession: $('new-session'),
  sessionList: $('session-list'),
  sessionsStatus: $('sessions-status'),
  toolPanel: $('tool-panel'),
  refreshTools: $('refresh-tools'),
  heading: $('session-heading'),
  transcript: $('transcript'),
  emptyHint: $('empty-hint'),
  composer: $('composer'),
  input: $('composer-input'),
  send: $('send'),
  cancel: $('cancel'),
  announcer: $('announcer'),
};

const api = new Api(() => settings.apiKey);
const state = {
  sessionId: null,
  conn: null,
  log: null,
  sessions: [],
  resumeAsked: false,
  // What the service said of the API key: unknown (not asked yet), ok, missing (none typed, one is
  // needed) or rejected (wrong). The socket is opened only with an accepted key.
  auth: 'unknown',
  // Messages typed but not yet sent ({text, handle}): shown as not sent, with why, and sent in order
  // once the key is accepted and the socket is open. Never shown as a running turn before that.
  outbox: [],
  backends: null,
};

function announce(text) {
  // Clearing first makes a repeated message be announced again.
  ui.announcer.textContent = '';
  setTimeout(() => { ui.announcer.textContent = text; }, 30);
}

const view = new TranscriptView(ui.transcript, {
  onApprove: (id) => state.conn?.send(ClientMessage.approve(id)),
  onDeny: (id) => state.conn?.send(ClientMessage.deny(id)),
  announce,
  onApprovalRequested: (approveButton) => {
    // Take focus only from places where it is not in use, so typing is never interrupted.
    const a = document.activeElement;
    if (!a || a === document.body || a === ui.input && ui.input.value === '') approveButton.focus();
  },
  onRunningChange: (running) => {
    ui.cancel.disabled = !running;
    ui.send.disabled = running;
    document.body.classList.toggle('turn-running', running);
  },
});

// ---- theme ----------------------------------------------------------------------------------------

const THEMES = ['auto', 'light', 'dark'];
function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const effective = theme === 'auto'
    ? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light') : theme;
  ui.theme.textContent = `Theme: ${theme}`;
  ui.theme.setAttribute('aria-label', `Theme: ${theme}${theme === 'auto' ? ` (${effective})` : ''}. Change theme`);
}
ui.theme.addEventListener('click', () => {
  const next = THEMES[(THEMES.indexOf(settings.theme) + 1) % THEMES.length];
  settings.theme = next;
  applyTheme(next);
});
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(settings.theme));

// ---- connection state -----------------------------------------------------------------------------

function showConnState(s, detail) {
  ui.conn.dataset.state = s;
  const label = {
    [ConnectionState.CONNECTING]: 'connecting…',
    [ConnectionState.OPEN]: 'connected',
    [ConnectionState.RECONNECTING]: 'reconnecting…',
    [ConnectionState.CLOSED]: 'disconnected',
  }[s] ?? s;
  ui.connText.textContent = detail ? `${label} (${detail})` : label;
}

// ---- sessions -------------------------------------------------------------------------------------

function sessionFromHash() {
  const m = /(?:^#|&)session=([^&]+)/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function newSessionId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function createSession() {
  try {
    const s = await api.createSession();
    if (s.id && s.id !== 'undefined') return s.id;
  } catch (e) {
    console.info('thinkloop console: POST /v1/sessions failed, the socket will create the session', e);
  }
  return newSessionId(); // an unknown id on the socket creates the session
}

function renderSessionList() {
  const items = [...state.sessions];
  if (state.sessionId && !items.some((s) => s.id === state.sessionId)) items.unshift({ id: state.sessionId });
  ui.sessionList.replaceChildren(...items.map((s) => {
    const when = s.updatedAt ?? s.createdAt;
    const label = s.id;
    const btn = el('button', {
      type: 'button', class: 'session-item', 'data-session-id': s.id, title: s.id,
      'aria-current': s.id === state.sessionId ? 'true' : null,
      onclick: () => openSession(s.id),
    }, el('span', { class: 'session-title', text: label }),
    when || s.messages !== undefined ? el('span', { class: 'session-when', text: [
      when ? formatWhen(when) : null,
      s.messages !== undefined ? `${s.messages} message${s.messages === 1 ? '' : 's'}` : null,
    ].filter(Boolean).join(' · ') }) : null);
    return el('li', {}, btn);
  }));
}

function formatWhen(when) {
  const d = new Date(typeof when === 'number' && when < 1e12 ? when * 1000 : when);
  return Number.isNaN(d.getTime()) ? String(when) : d.toLocaleString();
}

async function refreshSessions() {
  try {
    state.sessions = await api.listSessions();
    ui.sessionsStatus.textContent = state.sessions.length || state.sessionId ? '' : 'No sessions yet.';
    setAuth('ok');
  } catch (e) {
    if (e.status === 401) {
      setAuth(settings.apiKey ? 'rejected' : 'missing');
      ui.sessionsStatus.textContent = `Sessions hidden: ${AUTH_TEXT[state.auth]}.`;
    } else {
      ui.sessionsStatus.textContent = `Could not list sessions: ${e.message}`;
    }
  }
  renderSessionList();
}

// ---- API key state --------------------------------------------------------------------------------

const AUTH_TEXT = {
  unknown: 'checking the API key…',
  ok: 'key accepted',
  missing: 'API key required',
  rejected: 'API key rejected',
};

function setAuth(auth) {
  const changed = state.auth !== auth;
  state.auth = auth;
  ui.keyState.dataset.state = auth;
  ui.keyState.textContent = AUTH_TEXT[auth];
  ui.apiKey.setAttribute('aria-invalid', String(auth === 'missing' || auth === 'rejected'));
  if (auth === 'ok') {
    if (state.sessionId && !state.conn) connectSession();
    if (changed) refreshModels();
    flushOutbox();
  } else if (auth !== 'unknown') {
    // A refused key: stop the socket's retries (they would all be refused) and say why.
    if (state.conn) {
      const c = state.conn;
      state.conn = null;
      c.close();
    }
    showConnState(ConnectionState.CLOSED, AUTH_TEXT[auth]);
    if (changed) {
      announce(`${AUTH_TEXT[auth]}. Enter the key in the top bar.`);
      renderBadge();
    }
    flushOutbox();
  }
}

// ---- model badge ----------------------------------------------------------------------------------

async function refreshModels() {
  try {
    state.backends = await api.listBackends();
  } catch (e) {
    state.backends = null;
    if (e.status === 401) setAuth(settings.apiKey ? 'rejected' : 'missing');
  }
  renderBadge();
}

/** The header badge: the backend agent turns use and, when the service has a notice for it (untrained weights), a plain warning. */
function renderBadge() {
  const active = state.backends?.find((b) => b.isDefault) ?? null;
  let name;
  if (state.backends === null) name = state.auth === 'ok' ? 'unknown' : 'unknown (API key needed)';
  else name = active ? active.backend : 'none available';
  ui.modelBadge.dataset.state = state.backends === null ? 'unknown' : active ? (active.notice ? 'warning' : 'ok') : 'missing';
  ui.modelName.textContent = name;
  const others = (state.backends ?? []).filter((b) => b !== active).map((b) => b.backend);
  ui.modelBadge.title = [
    active ? `Agent turns use the '${active.backend}' backend (OpenAI model ids ${active.id} and ${active.reasonerId ?? `${active.id}-reasoner`}).` : '',
    others.length ? `Also offered on /v1/chat/completions: ${others.join(', ')}.` : '',
  ].filter(Boolean).join(' ');
  const notice = active?.notice ?? (state.backends !== null && !active
    ? 'No model backend is available for agent turns: turns fail until one is configured (thinkloop.model.backend).' : '');
  const untrained = /untrained/i.test(notice);
  ui.modelWarning.hidden = !notice;
  ui.modelWarning.title = notice; // the service's own words; the banner says it plainly
  ui.modelWarningTitle.textContent = untrained ? 'Untrained model:' : 'Model notice:';
  ui.modelWarningText.textContent = untrained
    ? `'${active.backend}' has random weights, so its replies are meaningless text.` : notice;
}

function openSession(id) {
  if (state.conn) state.conn.close();
  state.log?.save();
  state.sessionId = id;
  state.log = new SessionLog(id);
  view.clear();
  // Redraw what this tab already saw, then resume after it: the server sends only what is missing.
  view.quiet = true;
  try {
    for (const entry of state.log.entries) {
      if (entry.user !== undefined) view.addUserMessage(entry.user, { live: false });
      else {
        const ev = normalizeEvent(entry.event);
        if (ev) view.apply(ev);
      }
    }
  } finally {
    view.quiet = false;
  }
  // A still-pending approval (the turn waits for it) gets the focus once the redraw is done.
  const pendingApprove = ui.transcript.querySelector('.tool-approval:not([hidden]) button.approve');
  if (pendingApprove) pendingApprove.focus();
  ui.emptyHint.hidden = !state.log.isEmpty;
  ui.heading.textContent = `Session ${id}`;
  const hash = `#session=${encodeURIComponent(id)}`;
  if (window.location.hash !== hash) history.replaceState(null, '', hash);
  state.conn = null;
  for (const item of state.outbox) item.handle = null; // cleared with the view; shown again below
  if (state.auth === 'ok') connectSession();
  else showConnState(ConnectionState.CLOSED, AUTH_TEXT[state.auth]);
  renderSessionList();
  flushOutbox();
}

function connectSession() {
  const id = state.sessionId;
  const conn = new SessionConnection({
    sessionId: id,
    token: settings.apiKey,
    lastSeq: () => { state.resumeAsked = false; return state.log.lastSeq; },
    onEvent: (ev) => { if (state.conn === conn) onServerEvent(ev); },
    onState: (s, detail) => {
      if (state.conn !== conn) return;
      showConnState(s, detail);
      if (s === ConnectionState.OPEN) flushOutbox();
      // A refused socket says nothing about why: ask the REST API whether it is the key.
      else if (s === ConnectionState.RECONNECTING) { refreshSessions(); flushOutbox(); }
    },
  });
  state.conn = conn;
  conn.connect();
}

function onServerEvent(ev) {
  if (ev.sessionId && ev.sessionId !== state.sessionId) return;
  switch (classifySeq(ev.seq, state.log.lastSeq)) {
    case 'duplicate':
      return; // already shown (replayed again after a reconnect)
    case 'gap':
      // Events went missing (e.g. live events raced a replay): ask for them once, drop until they come.
      if (!state.resumeAsked) {
        state.resumeAsked = true;
        state.conn.resume(state.log.lastSeq);
      }
      return;
    case 'next':
      state.resumeAsked = false;
      state.log.addEvent(ev.raw, ev.seq);
      break;
    default:
      break; // transient: shown, not remembered
  }
  ui.emptyHint.hidden = true;
  view.apply(ev);
  if (ev.type === EventType.TURN_COMPLETED || ev.type === EventType.CANCELLED) {
    state.log.save();
    if (ev.type === EventType.TURN_COMPLETED) refreshSessions();
    flushOutbox();
  }
}

// ---- composer -------------------------------------------------------------------------------------

async function sendMessage() {
  const text = ui.input.value.trim();
  if (!text) return;
  if (view.running) {
    announce('A turn is still running. Press Escape to cancel it first.');
    return;
  }
  ui.input.value = '';
  ui.emptyHint.hidden = true;
  state.outbox.push({ text, handle: null });
  await flushOutbox();
}

/** Why a typed message cannot go out now, or null when it can. */
function blockedBecause() {
  if (state.auth === 'missing') return 'Not sent: the service needs an API key. Enter it in the top bar and the message is sent then.';
  if (state.auth === 'rejected') return 'Not sent: API key rejected. Enter the right key in the top bar and the message is sent then.';
  if (state.auth !== 'ok') return 'Not sent yet: checking the API key…';
  if (state.sessionId && !state.conn?.isOpen) return 'Not sent yet: waiting for the connection; it is sent once connected.';
  if (view.running) return 'Not sent yet: waiting for the running turn to end.';
  return null;
}

let flushing = false;

/** Sends queued messages in order while they can go; marks the rest as not sent, with why. */
async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  try {
    while (state.outbox.length) {
      const why = blockedBecause();
      if (why) {
        for (const item of state.outbox) {
          if (item.handle) view.markQueued(item.handle, why);
          else item.handle = view.addQueuedMessage(item.text, why, () => discard(item));
        }
        return;
      }
      if (!state.sessionId) {
        openSession(await createSession());
        continue;
      }
      const item = state.outbox.shift();
      if (item.handle) view.removeQueued(item.handle);
      state.log.addUserMessage(item.text);
      view.addUserMessage(item.text);
      state.conn.send(ClientMessage.userMessage(item.text));
    }
  } finally {
    flushing = false;
  }
}

function discard(item) {
  const i = state.outbox.indexOf(item);
  if (i >= 0) state.outbox.splice(i, 1);
  if (item.handle) view.removeQueued(item.handle);
  if (!ui.input.value) ui.input.value = item.text; // back in the box, to edit or send again
  announce('Message discarded; its text is back in the message box.');
}

function cancelTurn() {
  if (!view.running || !state.conn) return;
  state.conn.send(ClientMessage.cancel());
  announce('Cancelling…');
}

ui.composer.addEventListener('submit', (e) => { e.preventDefault(); sendMessage(); });
ui.input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    sendMessage();
  }
});
ui.cancel.addEventListener('click', cancelTurn);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && view.running) {
    e.preventDefault();
    cancelTurn();
  }
});

ui.newSession.addEventListener('click', async () => {
  openSession(await createSession());
  ui.input.focus();
});

// ---- API key --------------------------------------------------------------------------------------

ui.apiKey.value = settings.apiKey;
ui.apiKey.addEventListener('change', () => {
  settings.apiKey = ui.apiKey.value.trim();
  if (state.conn) {
    const c = state.conn;
    state.conn = null;
    c.close(); // reopened with the new key once the service accepts it
  }
  state.auth = 'unknown';
  refreshSessions();
  refreshModels();
  refreshTools();
});

// ---- tools panel ----------------------------------------------------------------------------------

function toolItem(t) {
  return el('li', { class: 'tool-item', title: t.description || t.name },
    el('span', { class: 'tool-item-name', text: t.name }),
    t.approval === 'ask' ? el('span', { class: 'badge', text: 'asks' }) : null,
    t.description ? el('span', { class: 'tool-item-desc', text: t.description }) : null);
}

async function refreshTools() {
  const [servers, tools] = await Promise.allSettled([api.listMcpServers(), api.listTools()]);
  const parts = [];
  const serverNames = new Set();
  if (servers.status === 'fulfilled') {
    for (const s of servers.value) {
      serverNames.add(s.name);
      const own = s.tools.length ? s.tools
        : (tools.status === 'fulfilled' ? tools.value.filter((t) => t.source === s.name) : []);
      parts.push(el('details', { class: 'server', open: true, 'data-server': s.name },
        el('summary', {},
          el('span', { class: 'server-name', text: s.name }),
          s.status ? el('span', { class: `badge status-${String(s.status).toLowerCase()}`, text: String(s.status) }) : null,
          el('span', { class: 'muted small', text: ` ${own.length} tool${own.length === 1 ? '' : 's'}` })),
        s.target ? el('div', { class: 'muted small server-transport', text: String(s.target) }) : null,
        s.lastError ? el('div', { class: 'small server-error', text: String(s.lastError) }) : null,
        el('ul', { class: 'tool-list' }, ...own.map(toolItem))));
    }
    if (servers.value.length === 0) parts.push(el('p', { class: 'muted small', text: 'No MCP servers connected.' }));
  } else {
    parts.push(el('p', { class: 'muted small', text: `MCP servers unavailable: ${servers.reason.message}` }));
  }
  if (tools.status === 'fulfilled') {
    const local = tools.value.filter((t) => !serverNames.has(t.source));
    if (local.length) {
      parts.push(el('details', { class: 'server local', open: true },
        el('summary', {}, el('span', { class: 'server-name', text: 'Built-in tools' }),
          el('span', { class: 'muted small', text: ` ${local.length}` })),
        el('ul', { class: 'tool-list' }, ...local.map(toolItem))));
    }
  } else {
    parts.push(el('p', { class: 'muted small', text: `Tool registry unavailable: ${tools.reason.message}` }));
  }
  ui.toolPanel.replaceChildren(...parts);
}
ui.refreshTools.addEventListener('click', refreshTools);

// ---- start ----------------------------------------------------------------------------------------

window.addEventListener('hashchange', () => {
  const id = sessionFromHash();
  if (id && id !== state.sessionId) openSession(id);
});
window.addEventListener('pagehide', () => state.log?.save());

applyTheme(settings.theme);
const initial = sessionFromHash();
if (initial) openSession(initial); // redrawn now; connected once the key is accepted
refreshSessions();
refreshModels();
refreshTools();

// A handle for tests and debugging: drop the socket as a network failure would.
window.thinkloopConsole = Object.freeze({
  dropConnection: () => state.conn?.dropForTest(),
  get sessionId() { return state.sessionId; },
  get lastSeq() { return state.log?.lastSeq ?? 0; },
  get queued() { return state.outbox.length; },
});
