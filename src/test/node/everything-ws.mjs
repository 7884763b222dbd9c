// server-everything's own server (createServer) over a plain WebSocket, one server per connection: the
// reference server on the WebSocket transport with server-to-client requests intact (supergateway's WebSocket
// mode rewrites the ids of every message a client sends, so answers to the server's own requests never match).
// Usage: node everything-ws.mjs PORT  (prints "listening on port PORT").
import { WebSocketServer } from 'ws';
import { createServer } from './node_modules/@modelcontextprotocol/server-everything/dist/server/index.js';

const port = Number(process.argv[2] || 0);
const wss = new WebSocketServer({ port, host: '127.0.0.1', handleProtocols: (protocols) => (protocols.has('mcp') ? 'mcp' : false) });
wss.on('connection', async (ws) => {
  const transport = {
    onmessage: undefined,
    onclose: undefined,
    onerror: undefined,
    async start() {},
    async send(message) { ws.send(JSON.stringify(message)); },
    async close() { ws.close(); },
  };
  ws.on('message', (data) => {
    try {
      transport.onmessage?.(JSON.parse(data.toString()));
    } catch (e) {
      transport.onerror?.(e);
    }
  });
  ws.on('close', () => transport.onclose?.());
  const { server, cleanup } = createServer();
  ws.on('close', () => cleanup());
  await server.connect(transport);
});
wss.on('listening', () => console.log(`listening on port ${wss.address().port}`));
