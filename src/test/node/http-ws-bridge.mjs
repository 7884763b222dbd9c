// A small Streamable HTTP front for an MCP WebSocket server, so that HTTP-only peers (the conformance
// suite) can test it. One WebSocket per HTTP session (opened by initialize, carrying the caller's Host and
// Origin so the WebSocket server decides about DNS rebinding); every POSTed request is answered on an SSE
// stream carrying the notifications that arrive while it runs and then its response.
// Usage: node http-ws-bridge.mjs PORT ws://127.0.0.1:P/mcp/ws   (prints "bridge listening on PORT")
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

const port = Number(process.argv[2]);
const target = process.argv[3];
const sessions = new Map();
const key = id => `${typeof id}:${id}`;

function openSession(req) {
  return new Promise((resolve, reject) => {
    const headers = { Host: req.headers.host };
    if (req.headers.origin) headers.Origin = req.headers.origin;
    const ws = new WebSocket(target, 'mcp', { headers });
    const session = { id: randomUUID(), ws, pending: new Map(), streams: [] };
    ws.on('open', () => resolve(session));
    ws.on('unexpected-response', (_req, res) => reject({ status: res.statusCode }));
    ws.on('error', e => reject({ status: 502, message: e.message }));
    ws.on('message', data => route(session, data.toString()));
    ws.on('close', () => {
      for (const res of session.streams) res.end();
      sessions.delete(session.id);
    });
  });
}

function route(session, text) {
  let msg;
  try { msg = JSON.parse(text); } catch { return; }
  const event = `event: message\ndata: ${text}\n\n`;
  if (msg.id !== undefined && msg.id !== null && msg.method === undefined) {
    const res = session.pending.get(key(msg.id));
    if (!res) return;
    session.pending.delete(key(msg.id));
    session.streams = session.streams.filter(s => s !== res);
    res.end(event);
  } else {
    // Notifications and server-to-client requests go to the newest open stream.
    const res = session.streams[session.streams.length - 1];
    if (res) res.write(event);
  }
}

const server = http.createServer((req, res) => {
  if (req.url.split('?')[0] !== '/mcp') { res.writeHead(404).end(); return; }
  const sid = req.headers['mcp-session-id'];
  if (req.method === 'DELETE') {
    const s = sessions.get(sid);
    if (s) s.ws.close(1000);
    res.writeHead(s ? 200 : 404).end();
    return;
  }
  if (req.method !== 'POST') { res.writeHead(405, { Allow: 'POST, DELETE' }).end(); return; }
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString();
    let msg;
    try { msg = JSON.parse(body); } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
      return;
    }
    let session = sid ? sessions.get(sid) : undefined;
    if (sid && !session) { res.writeHead(404).end(); return; }
    if (!session) {
      if (msg.method !== 'initialize') { res.writeHead(400).end('no session: send initialize first'); return; }
      try {
        session = await openSession(req);
        sessions.set(session.id, session);
      } catch (e) {
        res.writeHead(e.status ?? 502, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: msg.id ?? null, error: { code: -32000, message: `upgrade refused (${e.status})` } }));
        return;
      }
    }
    const isRequest = msg.method !== undefined && msg.id !== undefined;
    if (!isRequest) { session.ws.send(body); res.writeHead(202, { 'Mcp-Session-Id': session.id }).end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'Mcp-Session-Id': session.id });
    session.pending.set(key(msg.id), res);
    session.streams.push(res);
    session.ws.send(body);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`bridge listening on ${port}`));
process.on('SIGTERM', () => { for (const s of sessions.values()) s.ws.close(1001); server.close(); process.exit(0); });
