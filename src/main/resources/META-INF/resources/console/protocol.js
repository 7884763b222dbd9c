// The one place that knows the runtime's wire names (docs/protocol.md). Everything else in the page
// works on the normalized shapes returned here, so a renamed field is a one-line change.

/** Server event types the console understands. */
export const EventType = Object.freeze({
  SESSION_CREATED: 'session.created',
  TURN_STARTED: 'turn.started',
  REASONING_DELTA: 'reasoning.delta',
  TEXT_DELTA: 'text.delta',
  TOOL_CALL_STARTED: 'tool_call.started',
  TOOL_CALL_ARGUMENTS_DELTA: 'tool_call.arguments.delta',
  TOOL_CALL_COMPLETED: 'tool_call.completed',
  TOOL_EXECUTING: 'tool.executing',
  TOOL_RESULT: 'tool.result',
  APPROVAL_REQUESTED: 'approval.requested',
  USAGE: 'usage',
  TURN_COMPLETED: 'turn.completed',
  ERROR: 'error',
  CANCELLED: 'cancelled',
});

/** First of the named fields that is present (not undefined/null) on obj. */
function pick(obj, ...names) {
  if (!obj || typeof obj !== 'object') return undefined;
  for (const n of names) {
    if (obj[n] !== undefined && obj[n] !== null) return obj[n];
  }
  return undefined;
}

function asText(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** Tool call ids are per call; a call without one is named by its position in the turn. */
function toolCallKey(raw) {
  const id = pick(raw, 'toolCallId', 'callId', 'id');
  if (id !== undefined) return String(id);
  const index = pick(raw, 'index');
  return index === undefined ? undefined : `${pick(raw, 'turnId') ?? ''}#${index}`;
}

/** Tool result content: a string, MCP-style content blocks, or a structured value. */
function resultText(raw) {
  const r = pick(raw, 'content', 'text', 'result', 'output');
  if (Array.isArray(r)) {
    return r.map((b) => (b && typeof b === 'object' && 'text' in b ? b.text : asText(b))).join('\n');
  }
  if (r && typeof r === 'object' && typeof r.text === 'string') return r.text;
  return asText(r);
}

/**
 * A server event in the console's shape. Unknown types pass through with their common fields so the
 * page can ignore them; a frame that is not an event object yields null.
 */
export function normalizeEvent(raw) {
  if (!raw || typeof raw !== 'object' || typeof raw.type !== 'string') return null;
  const seq = pick(raw, 'seq', 'sequence');
  const ev = {
    type: raw.type,
    seq: typeof seq === 'number' ? seq : (seq !== undefined ? Number(seq) : undefined),
    sessionId: pick(raw, 'sessionId'),
    turnId: pick(raw, 'turnId'),
    timestamp: pick(raw, 'timestamp', 'ts'),
    raw,
  };
  switch (raw.type) {
    case EventType.TURN_STARTED:
      ev.userContent = pick(raw, 'userMessage', 'input', 'content');
      if (ev.userContent && typeof ev.userContent === 'object') ev.userContent = pick(ev.userContent, 'content', 'text');
      break;
    case EventType.REASONING_DELTA:
    case EventType.TEXT_DELTA:
      ev.delta = asText(pick(raw, 'delta', 'text', 'content'));
      break;
    case EventType.TOOL_CALL_STARTED:
      ev.toolCallId = toolCallKey(raw);
      ev.name = pick(raw, 'name', 'toolName');
      break;
    case EventType.TOOL_CALL_ARGUMENTS_DELTA:
      ev.toolCallId = toolCallKey(raw);
      ev.delta = asText(pick(raw, 'delta', 'argumentsDelta', 'text'));
      break;
    case EventType.TOOL_CALL_COMPLETED:
    case EventType.TOOL_EXECUTING:
    case EventType.APPROVAL_REQUESTED:
      ev.toolCallId = toolCallKey(raw);
      ev.name = pick(raw, 'name', 'toolName');
      ev.arguments = pick(raw, 'arguments', 'argumentsJson', 'args');
      if (ev.arguments !== undefined) ev.arguments = asText(ev.arguments);
      ev.reason = pick(raw, 'reason', 'message');
      break;
    case EventType.TOOL_RESULT:
      ev.toolCallId = toolCallKey(raw);
      ev.name = pick(raw, 'name', 'toolName');
      ev.isError = Boolean(pick(raw, 'isError', 'error'));
      ev.latencyMs = pick(raw, 'latencyMs', 'latency');
      ev.result = resultText(raw);
      // A call stopped by cancelling its turn gets an error result whose text is the reason.
      ev.cancelled = ev.isError && /^cancel/i.test(ev.result.trim());
      // A call the user denied gets an error result that says so ("denied by user[: reason]").
      ev.denied = ev.isError && /^denied/i.test(ev.result.trim());
      break;
    case EventType.USAGE: {
      const u = pick(raw, 'usage') ?? raw;
      ev.promptTokens = pick(u, 'promptTokens', 'prompt_tokens', 'inputTokens');
      ev.completionTokens = pick(u, 'completionTokens', 'completion_tokens', 'outputTokens');
      ev.reasoningTokens = pick(u, 'reasoningTokens', 'reasoning_tokens');
      break;
    }
    case EventType.TURN_COMPLETED:
      ev.finishReason = pick(raw, 'finishReason', 'reason');
      break;
    case EventType.ERROR:
      ev.code = pick(raw, 'code');
      ev.message = asText(pick(raw, 'message', 'error'));
      ev.retryable = Boolean(pick(raw, 'retryable'));
      break;
    case EventType.CANCELLED:
      ev.reason = pick(raw, 'reason');
      break;
    default:
      break;
  }
  return ev;
}

/** Messages the console sends on the socket. */
export const ClientMessage = Object.freeze({
  userMessage: (content) => ({ type: 'user_message', content }),
  cancel: () => ({ type: 'cancel' }),
  approve: (toolCallId) => ({ type: 'approve', toolCallId }),
  deny: (toolCallId) => ({ type: 'deny', toolCallId }),
  resume: (lastSeq) => ({ type: 'resume', lastSeq }),
});

/**
 * The session's WebSocket address. The key travels as ?token= because browsers cannot set WS headers;
 * ?lastSeq= makes the server replay every event after it before going live, in one step, so no event
 * can slip between the replay and the live stream.
 */
export function sessionSocketUrl(pageLocation, sessionId, token, lastSeq) {
  const scheme = pageLocation.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = new URL(`${scheme}//${pageLocation.host}/v1/sessions/${encodeURIComponent(sessionId)}/ws`);
  if (token) url.searchParams.set('token', token);
  if (typeof lastSeq === 'number') url.searchParams.set('lastSeq', String(lastSeq));
  return url.toString();
}

/**
 * Where an event stands against the last seq seen: seq numbers a session's events from 1 without gaps;
 * seq 0 (or none) marks a notice for this connection only, which is shown but not remembered.
 */
export function classifySeq(seq, lastSeq) {
  if (typeof seq !== 'number' || Number.isNaN(seq) || seq <= 0) return 'transient';
  if (seq <= lastSeq) return 'duplicate';
  if (seq > lastSeq + 1) return 'gap';
  return 'next';
}

export const RestPath = Object.freeze({
  sessions: '/v1/sessions',
  session: (id) => `/v1/sessions/${encodeURIComponent(id)}`,
  tools: '/v1/tools',
  mcpServers: '/v1/mcp/servers',
});

function listOf(json, ...keys) {
  if (Array.isArray(json)) return json;
  const inner = pick(json, ...keys);
  return Array.isArray(inner) ? inner : [];
}

/** A session summary: {id, title, createdAt, updatedAt, state}. */
export function sessionFromJson(s) {
  if (typeof s === 'string') return { id: s };
  return {
    id: String(pick(s, 'id', 'sessionId')),
    title: pick(s, 'title', 'name'),
    createdAt: pick(s, 'createdAt', 'created'),
    updatedAt: pick(s, 'updatedAt', 'lastActivity', 'updated'),
    state: pick(s, 'state', 'status'),
  };
}

export function sessionsFromJson(json) {
  return listOf(json, 'sessions', 'items', 'data').map(sessionFromJson).filter((s) => s.id && s.id !== 'undefined');
}

/** A tool of the registry: {name, description, source, approval}. */
export function toolFromJson(t) {
  const fn = pick(t, 'function') ?? t;
  return {
    name: String(pick(fn, 'name') ?? ''),
    description: pick(fn, 'description') ?? '',
    source: pick(t, 'source', 'server', 'origin') ?? 'local',
    approval: pick(t, 'approval'),
  };
}

export function toolsFromJson(json) {
  return listOf(json, 'tools', 'items', 'data').map(toolFromJson);
}

/** An MCP server: {name, status, transport, lastError, tools: [{name, description}]}. */
export function mcpServerFromJson(s) {
  return {
    name: String(pick(s, 'name', 'id') ?? ''),
    status: pick(s, 'status', 'state') ?? '',
    transport: pick(s, 'target', 'transport', 'url', 'command') ?? '',
    lastError: pick(s, 'lastError', 'error') ?? '',
    tools: listOf(pick(s, 'tools') ?? [], 'tools').map(toolFromJson),
  };
}

export function mcpServersFromJson(json) {
  return listOf(json, 'servers', 'items', 'data').map(mcpServerFromJson);
}
