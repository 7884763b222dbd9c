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

/** How a tool call ended: the documented `status` values of a tool.result event. */
export const ToolResultStatus = Object.freeze({
  OK: 'ok',
  ERROR: 'error',
  DENIED: 'denied',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
});

/** A field's value, or undefined when it is absent or null. */
function field(obj, name) {
  if (!obj || typeof obj !== 'object') return undefined;
  const v = obj[name];
  return v === null ? undefined : v;
}

function asText(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * A server event in the console's shape, read from the fields docs/protocol.md documents and no others.
 * Unknown types pass through with their common fields so the page can ignore them; a frame that is not an
 * event object yields null.
 */
export function normalizeEvent(raw) {
  if (!raw || typeof raw !== 'object' || typeof raw.type !== 'string') return null;
  const ev = {
    type: raw.type,
    seq: field(raw, 'seq'),
    sessionId: field(raw, 'sessionId'),
    turnId: field(raw, 'turnId'),
    timestamp: field(raw, 'timestamp'),
    raw,
  };
  switch (raw.type) {
    case EventType.TURN_STARTED:
      ev.userContent = field(raw, 'content');
      break;
    case EventType.REASONING_DELTA:
    case EventType.TEXT_DELTA:
      ev.delta = asText(field(raw, 'text'));
      break;
    case EventType.TOOL_CALL_STARTED:
      ev.toolCallId = field(raw, 'toolCallId');
      ev.name = field(raw, 'name');
      break;
    case EventType.TOOL_CALL_ARGUMENTS_DELTA:
      ev.toolCallId = field(raw, 'toolCallId');
      ev.delta = asText(field(raw, 'delta'));
      break;
    case EventType.TOOL_CALL_COMPLETED:
    case EventType.TOOL_EXECUTING:
    case EventType.APPROVAL_REQUESTED:
      ev.toolCallId = field(raw, 'toolCallId');
      ev.name = field(raw, 'name');
      ev.arguments = field(raw, 'arguments');
      break;
    case EventType.TOOL_RESULT:
      ev.toolCallId = field(raw, 'toolCallId');
      ev.name = field(raw, 'name');
      ev.isError = field(raw, 'isError') === true;
      // status says how the call ended; the result's text is for reading, never for deciding.
      ev.status = field(raw, 'status') ?? (ev.isError ? ToolResultStatus.ERROR : ToolResultStatus.OK);
      ev.latencyMs = field(raw, 'latencyMs');
      ev.result = asText(field(raw, 'content'));
      break;
    case EventType.USAGE:
      ev.promptTokens = field(raw, 'promptTokens');
      ev.completionTokens = field(raw, 'completionTokens');
      ev.reasoningTokens = field(raw, 'reasoningTokens');
      break;
    case EventType.TURN_COMPLETED:
      ev.finishReason = field(raw, 'finishReason');
      break;
    case EventType.ERROR:
      ev.code = field(raw, 'code');
      ev.message = asText(field(raw, 'message'));
      ev.retryable = field(raw, 'retryable') === true;
      break;
    case EventType.CANCELLED:
      ev.reason = field(raw, 'reason');
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
  models: '/v1/models',
});

function listOf(json) {
  return Array.isArray(json) ? json : [];
}

/** A session of GET/POST /v1/sessions: {id, createdAt, updatedAt, messages}. */
export function sessionFromJson(s) {
  return {
    id: String(field(s, 'id')),
    createdAt: field(s, 'createdAt'),
    updatedAt: field(s, 'updatedAt'),
    messages: typeof field(s, 'messages') === 'number' ? s.messages : undefined,
  };
}

/** A page of GET /v1/sessions: {sessions: [...], nextCursor, skipped} (docs/protocol.md), newest first here. */
export function sessionsFromJson(json) {
  return listOf(field(json, 'sessions'))
    .map(sessionFromJson)
    .filter((s) => s.id && s.id !== 'undefined')
    .reverse(); // the server lists oldest first (time-ordered ids); the newest is the one to find
}

/**
 * The models of GET /v1/models, one per backend: {backend, id, reasonerId, isDefault, notice}. Each backend
 * is offered twice (ID without thinking, ID-reasoner with it, as DeepSeek does); the console shows the
 * backend once, with its notice (e.g. that its weights are untrained).
 */
export function backendsFromJson(json) {
  const byBackend = new Map();
  for (const m of listOf(field(json, 'data'))) {
    const id = String(field(m, 'id') ?? '');
    if (!id) continue;
    const reasoner = id.endsWith('-reasoner');
    const backend = reasoner ? id.slice(0, -'-reasoner'.length) : id;
    const b = byBackend.get(backend) ?? { backend, id: backend, reasonerId: null, isDefault: false, notice: '' };
    if (reasoner) b.reasonerId = id;
    if (field(m, 'default') === true) b.isDefault = true;
    if (typeof field(m, 'notice') === 'string') b.notice = m.notice;
    byBackend.set(backend, b);
  }
  return [...byBackend.values()];
}

/** A tool of GET /v1/tools: {name, description, source, approval}. */
export function toolFromJson(t) {
  return {
    name: String(field(t, 'name') ?? ''),
    description: field(t, 'description') ?? '',
    source: field(t, 'source') ?? 'local',
    approval: field(t, 'approval'),
  };
}

export function toolsFromJson(json) {
  return listOf(json).map(toolFromJson);
}

/** An MCP server of GET /v1/mcp/servers: {name, status, target, lastError, tools: [{name, description}]}. */
export function mcpServerFromJson(s) {
  return {
    name: String(field(s, 'name') ?? ''),
    status: field(s, 'status') ?? '',
    target: field(s, 'target') ?? '',
    lastError: field(s, 'lastError') ?? '',
    tools: listOf(field(s, 'tools')).map(toolFromJson),
  };
}

export function mcpServersFromJson(json) {
  return listOf(json).map(mcpServerFromJson);
}
