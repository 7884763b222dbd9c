// Draws a session's events as a conversation: per turn the user's message, then reasoning, tool call
// cards and answer text in the order they streamed, then a footer with how the turn ended.

import { EventType, ToolResultStatus } from './protocol.js';
import { appendText, el, formatJson, formatMs } from './dom.js';

const ToolStatus = Object.freeze({
  STREAMING: ['streaming', 'writing arguments'],
  CALLED: ['called', 'called'],
  AWAITING: ['awaiting', 'awaiting approval'],
  APPROVED: ['approved', 'approved'],
  DENIED: ['denied', 'denied'],
  RUNNING: ['running', 'running'],
  DONE: ['done', 'done'],
  ERROR: ['error', 'error'],
  CANCELLED: ['cancelled', 'cancelled'],
  TIMEOUT: ['timeout', 'timed out'],
});

/** The card status for each documented tool.result status. */
const RESULT_STATUS = Object.freeze({
  [ToolResultStatus.OK]: ToolStatus.DONE,
  [ToolResultStatus.ERROR]: ToolStatus.ERROR,
  [ToolResultStatus.DENIED]: ToolStatus.DENIED,
  [ToolResultStatus.CANCELLED]: ToolStatus.CANCELLED,
  [ToolResultStatus.TIMEOUT]: ToolStatus.TIMEOUT,
});

export class TranscriptView {
  /**
   * @param {HTMLElement} root the role=log list
   * @param {object} h handlers: onApprove(toolCallId), onDeny(toolCallId), announce(text), onRunningChange(bool)
   */
  constructor(root, h) {
    this.root = root;
    this.h = h;
    this.quiet = false; // true while redrawing saved events: no announcements, no focus moves
    this.clear();
  }

  clear() {
    this.root.replaceChildren();
    this.turns = new Map();
    this.pending = null; // a turn the user started whose turn.started has not arrived yet
    this.current = null; // the turn now streaming
    this.setRunning(false);
  }

  setRunning(running) {
    if (this.running === running) return;
    this.running = running;
    // aria-busy holds screen reader announcements of the log until the turn is done, so the answer
    // is read once as a whole instead of token by token.
    this.root.setAttribute('aria-busy', String(running));
    this.h.onRunningChange?.(running);
  }

  /** The user sent a message: it opens a turn at once, before the server confirms it. */
  addUserMessage(content, { live = true } = {}) {
    const turn = this.newTurn(null);
    turn.user.append(el('p', { class: 'content', text: content }));
    turn.user.hidden = false;
    this.pending = turn;
    if (live) this.setRunning(true);
    this.stickToBottom(true);
  }

  /**
   * A message typed while the page cannot send it (no or a rejected API key, no connection): shown
   * with why it is waiting, never as a running turn. Returns a handle for {@link #markQueued} and
   * {@link #sendQueued}; {@code onDiscard} removes it.
   */
  addQueuedMessage(content, why, onDiscard) {
    const note = el('span', { class: 'send-note', text: why });
    const discard = el('button', { type: 'button', class: 'ghost small discard', text: 'Discard', onclick: () => onDiscard() });
    const state = el('div', { class: 'send-state', role: 'status' }, note, discard);
    const user = el('div', { class: 'msg user' }, el('div', { class: 'role', text: 'You' }),
      el('p', { class: 'content', text: content }), state);
    const node = el('li', { class: 'turn queued' }, user);
    this.root.append(node);
    this.stickToBottom(true);
    if (!this.quiet) this.h.announce?.(`Message not sent: ${why}`);
    return { node, note };
  }

  /** Updates why a queued message waits. */
  markQueued(handle, why) {
    if (handle.note.textContent !== why) handle.note.textContent = why;
  }

  /** Removes a queued message (sent: the runtime's turn shows it again; or discarded). */
  removeQueued(handle) {
    handle.node.remove();
  }

  newTurn(turnId) {
    const user = el('div', { class: 'msg user', hidden: true }, el('div', { class: 'role', text: 'You' }));
    const body = el('div', { class: 'msg assistant' }, el('div', { class: 'role', text: 'Agent' }));
    const footer = el('div', { class: 'turn-meta' });
    const node = el('li', { class: 'turn running' }, user, body, footer);
    if (turnId) node.dataset.turnId = turnId;
    this.root.append(node);
    // Tool calls are looked up per turn: ids are unique in a turn, not necessarily across turns.
    const turn = { id: turnId, node, user, body, footer, last: null, ended: false, usage: null, tools: new Map() };
    if (turnId) this.turns.set(turnId, turn);
    return turn;
  }

  /** The turn an event belongs to, opening one (or claiming the pending one) as needed. */
  turnFor(ev) {
    const id = ev.turnId;
    if (id && this.turns.has(id)) return this.turns.get(id);
    if (this.pending) {
      const t = this.pending;
      this.pending = null;
      if (id) { t.id = id; t.node.dataset.turnId = id; this.turns.set(id, t); }
      return t;
    }
    if (!id && this.current && !this.current.ended) return this.current;
    return this.newTurn(id);
  }

  apply(ev) {
    const follow = this.isNearBottom();
    switch (ev.type) {
      case EventType.SESSION_CREATED:
        break;
      case EventType.TURN_STARTED: {
        const t = this.turnFor(ev);
        if (ev.userContent && t.user.hidden) {
          t.user.append(el('p', { class: 'content', text: String(ev.userContent) }));
          t.user.hidden = false;
        }
        this.current = t;
        this.setRunning(true);
        break;
      }
      case EventType.REASONING_DELTA:
        this.appendSegment(this.activeTurn(ev), 'reasoning', ev.delta);
        break;
      case EventType.TEXT_DELTA:
        this.appendSegment(this.activeTurn(ev), 'text', ev.delta);
        break;
      case EventType.TOOL_CALL_STARTED: {
        const card = this.card(ev);
        if (ev.name) card.name.textContent = ev.name;
        this.setStatus(card, ToolStatus.STREAMING);
        break;
      }
      case EventType.TOOL_CALL_ARGUMENTS_DELTA: {
        const card = this.card(ev);
        card.argsText += ev.delta;
        appendText(card.args, ev.delta);
        break;
      }
      case EventType.TOOL_CALL_COMPLETED: {
        const card = this.card(ev);
        if (ev.name) card.name.textContent = ev.name;
        if (ev.arguments !== undefined) card.argsText = ev.arguments;
        card.args.textContent = formatJson(card.argsText);
        if (card.status === ToolStatus.STREAMING[0]) this.setStatus(card, ToolStatus.CALLED);
        break;
      }
      case EventType.APPROVAL_REQUESTED: {
        const card = this.card(ev);
        if (ev.name) card.name.textContent = ev.name;
        if (ev.arguments !== undefined && !card.argsText) {
          card.argsText = ev.arguments;
          card.args.textContent = formatJson(ev.arguments);
        }
        this.askApproval(card);
        break;
      }
      case EventType.TOOL_EXECUTING: {
        const card = this.card(ev);
        this.closeApproval(card);
        this.setStatus(card, ToolStatus.RUNNING);
        break;
      }
      case EventType.TOOL_RESULT: {
        const card = this.card(ev);
        this.closeApproval(card);
        const status = RESULT_STATUS[ev.status] ?? (ev.isError ? ToolStatus.ERROR : ToolStatus.DONE);
        const failed = status === ToolStatus.ERROR || status === ToolStatus.TIMEOUT;
        this.setStatus(card, status);
        card.node.classList.toggle('is-error', failed);
        card.result.textContent = formatJson(ev.result);
        card.resultWrap.hidden = false;
        card.resultLabel.textContent = failed ? 'Error' : 'Result';
        card.latency.textContent = status === ToolStatus.CANCELLED ? '' : formatMs(ev.latencyMs);
        break;
      }
      case EventType.USAGE: {
        // One usage event per model step: the footer shows the turn's totals.
        const t = this.activeTurn(ev);
        const sum = (a, b) => (a === undefined ? b : (b === undefined ? a : a + b));
        const u = t.usage ?? {};
        t.usage = {
          promptTokens: sum(u.promptTokens, ev.promptTokens),
          completionTokens: sum(u.completionTokens, ev.completionTokens),
          reasoningTokens: sum(u.reasoningTokens, ev.reasoningTokens),
        };
        this.renderFooter(t);
        break;
      }
      case EventType.TURN_COMPLETED: {
        const t = this.activeTurn(ev);
        this.endTurn(t, 'completed', ev.finishReason ? `finished: ${ev.finishReason}` : 'finished');
        break;
      }
      case EventType.CANCELLED: {
        const t = this.activeTurn(ev);
        this.endTurn(t, 'cancelled', 'cancelled');
        if (!this.quiet) this.h.announce?.('Turn cancelled.');
        break;
      }
      case EventType.ERROR: {
        // seq 0: a notice about this connection's own request (e.g. nothing to cancel); it does not
        // end the turn. A journaled error with a turn ends that turn unless it is retryable.
        const journaled = typeof ev.seq === 'number' && ev.seq > 0;
        const t = journaled && (ev.turnId || (this.current && !this.current.ended)) ? this.activeTurn(ev) : null;
        const text = `${ev.code ? `${ev.code}: ` : ''}${ev.message || 'error'}${ev.retryable ? ' (retryable)' : ''}`;
        const box = el('div', { class: journaled ? 'turn-error' : 'turn-error notice', role: 'alert' }, text);
        if (t) {
          t.body.append(box);
          t.last = null;
          if (!ev.retryable) this.endTurn(t, 'failed', 'failed');
        } else if (this.current && !this.current.ended) {
          this.current.body.append(box);
          this.current.last = null;
        } else {
          this.root.append(el('li', { class: 'session-note' }, box));
        }
        break;
      }
      default:
        break; // newer event types: ignored, the rest of the stream still renders
    }
    this.stickToBottom(follow);
  }

  activeTurn(ev) {
    if (!ev.turnId && this.current && !this.current.ended) return this.current;
    const t = this.turnFor(ev);
    if (!t.ended) { this.current = t; this.setRunning(true); }
    return t;
  }

  appendSegment(turn, kind, text) {
    if (!text) return;
    let seg = turn.last;
    if (!seg || seg.kind !== kind) {
      if (kind === 'reasoning') {
        const content = el('div', { class: 'reasoning-text' });
        const summary = el('summary', {}, el('span', { class: 'label', text: 'Reasoning' }));
        const node = el('details', { class: 'reasoning', open: true }, summary, content);
        seg = { kind, node, content, summary };
      } else {
        const content = el('div', { class: 'answer' });
        seg = { kind, node: content, content };
      }
      turn.body.append(seg.node);
      turn.last = seg;
    }
    appendText(seg.content, text);
  }

  card(ev) {
    const id = ev.toolCallId ?? '#?';
    const turn = this.activeTurn(ev);
    let card = turn.tools.get(id);
    if (card) return card;
    const name = el('span', { class: 'tool-name', text: ev.name ?? 'tool' });
    const status = el('span', { class: 'tool-status' });
    const latency = el('span', { class: 'tool-latency' });
    const args = el('pre', { class: 'tool-args' });
    const resultLabel = el('div', { class: 'tool-label', text: 'Result' });
    const result = el('pre', { class: 'tool-result' });
    const resultWrap = el('div', { class: 'tool-result-wrap', hidden: true }, resultLabel, result);
    const approval = el('div', { class: 'tool-approval', hidden: true });
    const node = el('article', { class: 'tool-card', 'data-tool-call-id': id, 'aria-label': `Tool call ${ev.name ?? ''}` },
      el('header', {}, el('span', { class: 'tool-icon', 'aria-hidden': 'true', text: '⚙' }), name, status, latency),
      el('div', { class: 'tool-label', text: 'Arguments' }), args, approval, resultWrap);
    turn.body.append(node);
    turn.last = { kind: 'tool', node };
    card = { id, node, name, status: null, statusEl: status, latency, args, argsText: '', result, resultWrap, resultLabel, approval, turn };
    turn.tools.set(id, card);
    return card;
  }

  setStatus(card, [status, label]) {
    card.status = status;
    card.statusEl.textContent = label;
    card.statusEl.dataset.status = status;
    card.node.dataset.status = status;
  }

  askApproval(card) {
    this.setStatus(card, ToolStatus.AWAITING);
    const decide = (approved) => {
      for (const b of card.approval.querySelectorAll('button')) b.disabled = true;
      this.setStatus(card, approved ? ToolStatus.APPROVED : ToolStatus.DENIED);
      (approved ? this.h.onApprove : this.h.onDeny)?.(card.id);
    };
    const approve = el('button', { type: 'button', class: 'approve', onclick: () => decide(true) }, 'Approve');
    const deny = el('button', { type: 'button', class: 'deny', onclick: () => decide(false) }, 'Deny');
    card.approval.replaceChildren(
      el('span', { class: 'approval-question', text: `Run ${card.name.textContent}?` }), approve, deny);
    card.approval.hidden = false;
    if (!this.quiet) {
      this.h.announce?.(`Tool ${card.name.textContent} asks for approval.`);
      this.h.onApprovalRequested?.(approve);
    }
  }

  closeApproval(card) {
    card.approval.hidden = true;
    card.approval.replaceChildren();
  }

  endTurn(turn, outcome, label) {
    if (turn.ended) return;
    turn.ended = true;
    turn.outcome = outcome;
    turn.endLabel = label;
    turn.node.classList.remove('running');
    turn.node.classList.add(outcome);
    for (const card of turn.tools.values()) {
      this.closeApproval(card);
      if (!['done', 'error', 'denied', 'cancelled', 'timeout'].includes(card.status)) this.setStatus(card, ToolStatus.CANCELLED);
    }
    this.renderFooter(turn);
    if (this.current === turn) this.current = null;
    if (this.pending === turn) this.pending = null;
    this.setRunning(this.pending !== null || (this.current !== null && !this.current.ended));
  }

  renderFooter(turn) {
    const parts = [];
    if (turn.endLabel) parts.push(turn.endLabel);
    const u = turn.usage;
    if (u) {
      const tok = [];
      if (u.promptTokens !== undefined) tok.push(`${u.promptTokens} in`);
      if (u.completionTokens !== undefined) tok.push(`${u.completionTokens} out`);
      if (u.reasoningTokens !== undefined) tok.push(`${u.reasoningTokens} reasoning`);
      if (tok.length) parts.push(`tokens: ${tok.join(', ')}`);
    }
    turn.footer.textContent = parts.join(' · ');
  }

  /** Ends the pending turn locally when the message could not be sent. */
  failPending(message) {
    const t = this.pending;
    if (!t) return;
    t.body.append(el('div', { class: 'turn-error', role: 'alert', text: message }));
    this.endTurn(t, 'failed', 'not sent');
  }

  isNearBottom() {
    const s = this.root.closest('.transcript-scroll') ?? this.root;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  stickToBottom(follow) {
    if (!follow) return;
    const s = this.root.closest('.transcript-scroll') ?? this.root;
    s.scrollTop = s.scrollHeight;
  }
}
