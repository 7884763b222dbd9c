// Browser storage. The API key and theme live in localStorage (kept across tabs and restarts). A
// session's replay state -- the events seen so far and the last seq -- lives in sessionStorage, in one
// entry, so the two always agree: after a reload the page redraws the log and resumes after lastSeq.

const KEY_TOKEN = 'thinkloop.console.apiKey';
const KEY_THEME = 'thinkloop.console.theme';
const sessionKey = (id) => `thinkloop.console.session.${id}`;

function safeGet(storage, key) {
  try { return storage.getItem(key); } catch { return null; }
}

function safeSet(storage, key, value) {
  try {
    if (value === null || value === undefined || value === '') storage.removeItem(key);
    else storage.setItem(key, value);
    return true;
  } catch {
    return false; // quota or privacy mode: the page keeps working, it just forgets on reload
  }
}

export const settings = {
  get apiKey() { return safeGet(localStorage, KEY_TOKEN) ?? ''; },
  set apiKey(v) { safeSet(localStorage, KEY_TOKEN, v); },
  get theme() { return safeGet(localStorage, KEY_THEME) ?? 'auto'; },
  set theme(v) { safeSet(localStorage, KEY_THEME, v === 'auto' ? null : v); },
};

/** Deltas that may be merged with the previous log entry of the same kind (keeps the log small). */
const MERGEABLE = new Set(['reasoning.delta', 'text.delta', 'tool_call.arguments.delta']);
const MERGE_FIELDS = ['delta', 'text', 'content', 'argumentsDelta'];

/**
 * What the page remembers of one session: the raw events in order (adjacent deltas merged) plus
 * locally sent user messages, and the highest seq seen.
 */
export class SessionLog {
  constructor(sessionId) {
    this.sessionId = sessionId;
    this.lastSeq = 0;
    this.entries = [];
    this.dirty = false;
    this.timer = null;
    const saved = safeGet(sessionStorage, sessionKey(sessionId));
    if (saved) {
      try {
        const parsed = JSON.parse(saved);
        if (Array.isArray(parsed.entries) && typeof parsed.lastSeq === 'number') {
          this.entries = parsed.entries;
          this.lastSeq = parsed.lastSeq;
        }
      } catch { /* a corrupt entry is dropped; the server replays from 0 */ }
    }
  }

  get isEmpty() { return this.entries.length === 0; }

  /** Records a server event; returns false for one already seen (a replayed duplicate). */
  addEvent(raw, seq) {
    if (typeof seq === 'number' && !Number.isNaN(seq)) {
      if (seq <= this.lastSeq) return false;
      this.lastSeq = seq;
    }
    const prev = this.entries[this.entries.length - 1];
    const field = MERGE_FIELDS.find((f) => typeof raw[f] === 'string');
    if (prev && prev.event && MERGEABLE.has(raw.type) && prev.event.type === raw.type && field
        && typeof prev.event[field] === 'string' && prev.event.turnId === raw.turnId
        && prev.event.toolCallId === raw.toolCallId && prev.event.index === raw.index) {
      prev.event = { ...prev.event, [field]: prev.event[field] + raw[field], seq: raw.seq };
    } else {
      this.entries.push({ event: raw });
    }
    this.scheduleSave();
    return true;
  }

  addUserMessage(content) {
    this.entries.push({ user: content });
    this.scheduleSave();
  }

  scheduleSave() {
    this.dirty = true;
    if (this.timer === null) this.timer = setTimeout(() => this.save(), 200);
  }

  save() {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (!this.dirty) return;
    this.dirty = false;
    const body = JSON.stringify({ lastSeq: this.lastSeq, entries: this.entries });
    if (!safeSet(sessionStorage, sessionKey(this.sessionId), body)) {
      // Too big to keep: forget it all, so a reload replays the whole session from the server instead
      // of resuming after a seq whose earlier events the page no longer has.
      safeSet(sessionStorage, sessionKey(this.sessionId), null);
    }
  }
}
