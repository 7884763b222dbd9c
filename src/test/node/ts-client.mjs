// Drives an MCP WebSocket server with the official TypeScript SDK client (WebSocketClientTransport) and
// prints one line per check: "CHECK <name> ok|FAIL <detail>", then "SUMMARY <passed> passed, <failed> failed".
// Usage: node ts-client.mjs ws://127.0.0.1:PORT/mcp/ws[?token=...]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import WebSocketImpl from 'ws';

if (typeof globalThis.WebSocket === 'undefined') globalThis.WebSocket = WebSocketImpl;

const url = new URL(process.argv[2]);
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`CHECK ${name} ${ok ? 'ok' : 'FAIL'} ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}
async function attempt(name, fn) {
  try { await fn(); } catch (e) { check(name, false, `threw ${e?.name}: ${e?.message}`); }
}

const client = new Client({ name: 'ts-sdk-interop', version: '1.0.0' });
const transport = new WebSocketClientTransport(url);
await attempt('initialize', async () => {
  await client.connect(transport);
  const v = client.getServerVersion();
  check('initialize', !!v?.name, `server=${v?.name} capabilities=${JSON.stringify(client.getServerCapabilities())}`);
});

await attempt('tools/list', async () => {
  const tools = [];
  let cursor, pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  console.log(`INFO tools/list ${tools.length} tools in ${pages} page(s)`);
  const names = tools.map(t => t.name);
  const echo = tools.find(t => t.name === 'echo');
  const add = tools.find(t => t.name === 'add');
  check('tools/list', ['echo', 'add', 'slow', 'fail', 'sleep'].every(n => names.includes(n)), names.join(','));
  check('annotations', echo?.annotations?.readOnlyHint === true && echo?.title === 'Echo', JSON.stringify(echo));
  check('outputSchema', add?.outputSchema?.properties?.sum?.type === 'number', JSON.stringify(add?.outputSchema));
});

await attempt('tools/call', async () => {
  const r = await client.callTool({ name: 'echo', arguments: { message: 'hello from ts' } });
  check('tools/call', r.content?.[0]?.type === 'text' && r.content[0].text === 'Echo: hello from ts' && !r.isError, JSON.stringify(r));
});

await attempt('structuredContent', async () => {
  // The SDK validates structuredContent against the tool's outputSchema.
  const r = await client.callTool({ name: 'add', arguments: { a: 19, b: 23 } });
  check('structuredContent', r.structuredContent?.sum === 42, JSON.stringify(r));
});

await attempt('isError', async () => {
  const r = await client.callTool({ name: 'fail', arguments: {} });
  check('isError', r.isError === true && r.content?.[0]?.text === 'this tool always fails', JSON.stringify(r));
});

await attempt('unknownTool', async () => {
  try {
    const r = await client.callTool({ name: 'no-such-tool', arguments: {} });
    check('unknownTool', r.isError === true, `result ${JSON.stringify(r)}`);
  } catch (e) {
    check('unknownTool', e.code === -32602, `error ${e.code} ${e.message}`);
  }
});

await attempt('progress', async () => {
  const seen = [];
  const r = await client.callTool({ name: 'slow', arguments: { steps: 5, stepMs: 40 } }, undefined,
    { onprogress: p => seen.push(p.progress) });
  check('progress', seen.length === 5 && seen.join(',') === '1,2,3,4,5' && r.content[0].text === 'done after 5 steps',
    `progress=${seen.join(',')}`);
});

await attempt('ping', async () => {
  const r = await client.ping();
  check('ping', r !== undefined, JSON.stringify(r));
});

await attempt('parallel', async () => {
  const t0 = Date.now();
  const results = await Promise.all([0, 1, 2, 3, 4].map(i =>
    client.callTool({ name: 'sleep', arguments: { ms: 500 } })));
  const ms = Date.now() - t0;
  check('parallel', results.length === 5 && results.every(r => r.content[0].text === 'slept') && ms < 2000,
    `5 calls of 500 ms in ${ms} ms`);
});

await attempt('cancellation', async () => {
  const controller = new AbortController();
  let progressed = 0;
  const pending = client.callTool({ name: 'slow', arguments: { steps: 200, stepMs: 20 } }, undefined, {
    signal: controller.signal,
    onprogress: () => { if (++progressed === 2) controller.abort('stop'); },
  });
  let outcome;
  try { await pending; outcome = 'resolved'; } catch (e) { outcome = `rejected:${e?.name ?? ''}:${e?.message ?? e}`; }
  const pong = await client.ping();
  check('cancellation', outcome.startsWith('rejected') && progressed >= 2 && pong !== undefined, `${outcome} after ${progressed} progress`);
});

await client.close().catch(() => {});
console.log(`SUMMARY ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
