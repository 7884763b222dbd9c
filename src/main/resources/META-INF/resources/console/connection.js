// One session's WebSocket: connects (asking for every event after the last one the page has seen),
// reconnects with backoff after a drop, and asks for a replay (resume) when it notices a gap in the
// seq numbers, so nothing is lost or doubled.

import { ClientMessage, normalizeEvent, sessionSocketUrl } from './protocol.js';

export const ConnectionState = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

const BACKOFF_MS = [250, 500, 1000, 2000, 4000];

export class SessionConnection {
  /**
   * @param {object} o
   * @param {string} o.sessionId
   * @param {string} o.token API key, sent as ?token=
   * @param {() => number} o.lastSeq the last seq seen, read at every (re)connect
   * @param {(ev: object) => void} o.onEvent normalized server events
   * @param {(state: string, detail?: string) => void} o.onState
   */
  constructor({ sessionId, token, lastSeq, onEvent, onState }) {
    this.sessionId = sessionId;
    this.token = token;
    this.lastSeq = lastSeq;
    this.onEvent = onEvent;
    this.onState = onState;
    this.socket = null;
    this.attempt = 0;
    this.closedByUs = false;
    this.retryTimer = null;
    this.outbox = [];
  }

  connect() {
    this.closedByUs = false;
    this.onState(this.attempt === 0 ? ConnectionState.CONNECTING : ConnectionState.RECONNECTING);
    let socket;
    try {
      socket = new WebSocket(sessionSocketUrl(window.location, this.sessionId, this.token, this.lastSeq()));
    } catch (e) {
      this.scheduleReconnect(String(e));
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.onState(ConnectionState.OPEN);
      const queued = this.outbox.splice(0);
      for (const m of queued) this.rawSend(m);
    });
    socket.addEventListener('message', (msg) => {
      if (socket !== this.socket) return;
      let raw;
      try {
        raw = JSON.parse(msg.data);
      } catch {
        console.warn('thinkloop console: ignoring a frame that is not JSON', msg.data);
        return;
      }
      const ev = normalizeEvent(raw); // one event per frame (docs/protocol.md)
      if (ev) this.onEvent(ev);
    });
    socket.addEventListener('close', (e) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (this.closedByUs) {
        this.onState(ConnectionState.CLOSED);
        return;
      }
      const detail = e.code === 1008 || e.code === 4401 || e.code === 4403
        ? `refused (${e.code}${e.reason ? `: ${e.reason}` : ''}) -- check the API key`
        : `closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`;
      this.scheduleReconnect(detail);
    });
  }

  scheduleReconnect(detail) {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base + Math.floor(Math.random() * base * 0.25);
    this.onState(ConnectionState.RECONNECTING, `${detail}; retrying in ${Math.round(delay / 100) / 10}s`);
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.connect(); }, delay);
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends now, or queues until the socket is (re)opened. */
  send(message) {
    if (this.isOpen) this.rawSend(message);
    else this.outbox.push(message);
  }

  rawSend(message) {
    this.socket.send(JSON.stringify(message));
  }

  /** Asks the server to replay everything after lastSeq (after a gap in the seq numbers). */
  resume(lastSeq) {
    this.send(ClientMessage.resume(lastSeq));
  }

  /** Drops the socket as if the network failed (used by tests and the "reconnect" control). */
  dropForTest() {
    if (this.socket) this.socket.close(4000, 'dropped by client');
  }

  close() {
    this.closedByUs = true;
    if (this.retryTimer !== null) { clearTimeout(this.retryTimer); this.retryTimer = null; }
    if (this.socket) this.socket.close(1000, 'client closed');
    else this.onState(ConnectionState.CLOSED);
  }
}
