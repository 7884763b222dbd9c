// Unit tests of the console's pure modules (protocol.js, store.js): node --test console-unit.test.mjs

import assert from 'node:assert/strict';
import test from 'node:test';

const pages = '../../main/resources/META-INF/resources/console';

// store.js keeps state in the browser's storages; a Map-backed stand-in behaves the same here.
class MemoryStorage {
  constructor(quota = Infinity) { this.map = new Map(); this.quota = quota; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) {
    if (String(v).length > this.quota) throw new Error('QuotaExceededError');
    this.map.set(k, String(v));
  }
  removeItem(k) { this.map.delete(k); }
}
globalThis.localStorage = new MemoryStorage();
globalThis.sessionStorage = new MemoryStorage();

const { normalizeEvent, classifySeq, sessionSocketUrl, sessionsFromJson, backendsFromJson, toolsFromJson, mcpServersFromJson, ClientMessage } =
  await import(`${pages}/protocol.js`);
const { SessionLog, settings } = await import(`${pages}/store.js`);

test('runtime events normalize to the console shape', () => {
  const base = { v: 1, sessionId: 's', turnId: 't', seq: 5, timestamp: '2026-01-01T00:00:00Z' };
  assert.equal(normalizeEvent({ ...base, type: 'reasoning.delta', text: 'hm' }).delta, 'hm');
  assert.equal(normalizeEvent({ ...base, type: 'text.delta', text: 'hi' }).delta, 'hi');
  const started = normalizeEvent({ ...base, type: 'turn.started', content: 'question' });
  assert.equal(started.userContent, 'question');
  const args = normalizeEvent({ ...base, type: 'tool_call.arguments.delta', toolCallId: 'c1', index: 0, delta: '{"a"' });
  assert.deepEqual([args.toolCallId, args.delta], ['c1', '{"a"']);
  const result = normalizeEvent({ ...base, type: 'tool.result', toolCallId: 'c1', name: 'm', content: '42', isError: false, status: 'ok', latencyMs: 12 });
  assert.deepEqual([result.result, result.isError, result.latencyMs, result.status], ['42', false, 12, 'ok']);
  // the outcome is the documented status, never a guess from the text
  for (const status of ['error', 'denied', 'cancelled', 'timeout']) {
    assert.equal(normalizeEvent({ ...base, type: 'tool.result', content: 'cancelled', isError: true, status }).status, status);
  }
  // only documented fields are read: an alias the server never sends is ignored
  assert.equal(normalizeEvent({ ...base, type: 'tool.result', toolCallId: 'c1', output: 'x', toolName: 'n', status: 'ok' }).result, '');
  assert.equal(normalizeEvent({ ...base, type: 'text.delta', delta: 'not the field' }).delta, '');
  const err = normalizeEvent({ ...base, type: 'error', code: 'backend_error', message: 'down', retryable: true });
  assert.deepEqual([err.code, err.message, err.retryable], ['backend_error', 'down', true]);
  assert.equal(normalizeEvent({ ...base, type: 'turn.completed', finishReason: 'stop', steps: 2 }).finishReason, 'stop');
  assert.equal(normalizeEvent({ ...base, type: 'usage', promptTokens: 3, completionTokens: 4, reasoningTokens: 1 }).completionTokens, 4);
  assert.equal(normalizeEvent({ no: 'type' }), null);
  assert.equal(normalizeEvent('text'), null);
  assert.equal(normalizeEvent({ ...base, type: 'some.future.event' }).type, 'some.future.event');
  // tokens events (only for clients that ask with includeTokens) pass through with their seq, unrendered
  assert.equal(normalizeEvent({ ...base, type: 'tokens', step: 0, ids: [11, 12], logprobs: [-0.5, -1] }).seq, base.seq);
});

test('seq classification: next, duplicate, gap, and connection-only notices', () => {
  assert.equal(classifySeq(1, 0), 'next');
  assert.equal(classifySeq(8, 7), 'next');
  assert.equal(classifySeq(7, 7), 'duplicate');
  assert.equal(classifySeq(3, 7), 'duplicate');
  assert.equal(classifySeq(9, 7), 'gap');
  assert.equal(classifySeq(0, 7), 'transient');
  assert.equal(classifySeq(undefined, 7), 'transient');
});

test('client messages and the socket address', () => {
  assert.deepEqual(ClientMessage.userMessage('hi'), { type: 'user_message', content: 'hi' });
  assert.deepEqual(ClientMessage.resume(4), { type: 'resume', lastSeq: 4 });
  assert.deepEqual(ClientMessage.deny('c'), { type: 'deny', toolCallId: 'c' });
  const url = new URL(sessionSocketUrl({ protocol: 'https:', host: 'h:1' }, 'a b', 'k&y', 12));
  assert.equal(url.protocol, 'wss:');
  assert.equal(url.pathname, '/v1/sessions/a%20b/ws');
  assert.equal(url.searchParams.get('token'), 'k&y');
  assert.equal(url.searchParams.get('lastSeq'), '12');
  assert.equal(new URL(sessionSocketUrl({ protocol: 'http:', host: 'h' }, 's', '', undefined)).search, '');
});

test('REST shapes: session list, tools and MCP servers', () => {
  // GET /v1/sessions is a page {sessions, nextCursor, skipped} (docs/protocol.md), oldest first; the console lists newest first
  const page = { sessions: [
    { id: 'a', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:01:00Z', lastSeq: 3, messages: 2, activeTurnId: null },
    { id: 'b', createdAt: '2026-01-02T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', lastSeq: 1, messages: 0, activeTurnId: null },
  ], nextCursor: null, skipped: [] };
  assert.deepEqual(sessionsFromJson(page), [
    { id: 'b', createdAt: '2026-01-02T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', messages: 0 },
    { id: 'a', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:01:00Z', messages: 2 },
  ]);
  assert.deepEqual(sessionsFromJson([{ id: 'c' }]), [], 'a bare array is not the documented shape');
  const tools = toolsFromJson([{ name: 'm', description: 'd', source: 'local', approval: 'ask', parameters: {} }]);
  assert.deepEqual(tools[0], { name: 'm', description: 'd', source: 'local', approval: 'ask' });
  const servers = mcpServersFromJson([{ name: 'calc', status: 'ready', target: 'ws://h/mcp/ws', lastError: null,
    tools: [{ name: 'add', description: 'adds', source: 'calc', approval: 'auto', parameters: {} }] }]);
  assert.deepEqual(servers[0], { name: 'calc', status: 'ready', target: 'ws://h/mcp/ws', lastError: '',
    tools: [{ name: 'add', description: 'adds', source: 'calc', approval: 'auto' }] });
});

test('session log: merges adjacent deltas, drops replays, survives a reload', async () => {
  const log = new SessionLog('s1');
  assert.equal(log.isEmpty, true);
  log.addUserMessage('q');
  assert.equal(log.addEvent({ type: 'turn.started', turnId: 't', seq: 1 }, 1), true);
  assert.equal(log.addEvent({ type: 'text.delta', turnId: 't', seq: 2, text: 'a' }, 2), true);
  assert.equal(log.addEvent({ type: 'text.delta', turnId: 't', seq: 3, text: 'b' }, 3), true);
  assert.equal(log.addEvent({ type: 'text.delta', turnId: 't', seq: 3, text: 'b' }, 3), false);
  log.addEvent({ type: 'tool_call.arguments.delta', turnId: 't', toolCallId: 'x', seq: 4, delta: '{' }, 4);
  log.addEvent({ type: 'tool_call.arguments.delta', turnId: 't', toolCallId: 'y', seq: 5, delta: '[' }, 5);
  assert.equal(log.entries.length, 5); // user, started, merged text, two calls' arguments
  assert.deepEqual(log.entries[2].event, { type: 'text.delta', turnId: 't', seq: 3, text: 'ab' });
  log.save();
  const again = new SessionLog('s1');
  assert.equal(again.lastSeq, 5);
  assert.deepEqual(again.entries, log.entries);
});

test('session log: a log too big to store is forgotten whole, never kept half', () => {
  const small = new MemoryStorage(200);
  const saved = globalThis.sessionStorage;
  globalThis.sessionStorage = small;
  try {
    const log = new SessionLog('s2');
    log.addEvent({ type: 'text.delta', turnId: 't', seq: 1, text: 'x' }, 1);
    log.save();
    assert.notEqual(small.getItem('thinkloop.console.session.s2'), null);
    log.addEvent({ type: 'reasoning.delta', turnId: 't', seq: 2, text: 'y'.repeat(500) }, 2);
    log.save();
    assert.equal(small.getItem('thinkloop.console.session.s2'), null); // a reload replays from seq 0
  } finally {
    globalThis.sessionStorage = saved;
  }
});

test('settings: key and theme in localStorage', () => {
  settings.apiKey = 'k1';
  assert.equal(settings.apiKey, 'k1');
  settings.theme = 'dark';
  assert.equal(settings.theme, 'dark');
  settings.theme = 'auto';
  assert.equal(localStorage.getItem('thinkloop.console.theme'), null);
  assert.equal(settings.theme, 'auto');
});

test('GET /v1/models: one entry per backend, the default marked, its notice kept', () => {
  const notice = 'The embedded default model has UNTRAINED random weights';
  const backends = backendsFromJson({ object: 'list', data: [
    { id: 'embedded', object: 'model', thinking: false, default: true, notice },
    { id: 'embedded-reasoner', object: 'model', thinking: true, default: true, notice },
    { id: 'remote', object: 'model', thinking: false, default: false },
    { id: 'remote-reasoner', object: 'model', thinking: true, default: false },
  ] });
  assert.deepEqual(backends, [
    { backend: 'embedded', id: 'embedded', reasonerId: 'embedded-reasoner', isDefault: true, notice },
    { backend: 'remote', id: 'remote', reasonerId: 'remote-reasoner', isDefault: false, notice: '' },
  ]);
  assert.deepEqual(backendsFromJson({ error: { code: 'invalid_api_key' } }), []);
});
