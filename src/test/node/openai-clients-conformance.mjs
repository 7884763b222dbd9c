// Drives Thinkloop's /v1/chat/completions with two more OpenAI-compatible clients: LangChain's
// `@langchain/openai` (ChatOpenAI) and the Vercel AI SDK (`ai` with `@ai-sdk/openai-compatible`). For each:
// streaming, tools, usage, a stop sequence, structured output (json_object and json_schema) and the error
// cases (unknown model, prompt beyond the context, wrong key, busy). Each case records what the client
// surfaced: for errors the HTTP status, the OpenAI envelope and Retry-After as the client exposes them.
// Needs Node 22 (both packages say so). Prints one JSON line: {langchain: {...}, vercel: {...}}.
// Usage: node openai-clients-conformance.mjs <base-url> <model> <api-key>
// The model is a backend double that echoes the user ("You said: ..."), calls get_weather when offered,
// and fails on the words BUSY and TOO-LONG as the embedded engine does (DsmlTestBackend).
import { ChatOpenAI } from '@langchain/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, jsonSchema, streamText, tool } from 'ai';

const [base, model, apiKey] = process.argv.slice(2);

const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string' }, metric: { type: 'boolean' } },
  required: ['city'],
};
const answerSchema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };

/** Runs one case; a thrown error becomes {error: ...} as `describe` reads it. */
async function attempt(describe, fn) {
  try {
    return { ok: await fn() };
  } catch (e) {
    return { error: describe(e) };
  }
}

function envelope(body) {
  if (typeof body === 'string') {
    try { body = JSON.parse(body); } catch { return null; }
  }
  return body && typeof body === 'object' ? body : null;
}

function headerOf(headers, name) {
  if (!headers) return null;
  if (typeof headers.get === 'function') return headers.get(name);
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : null;
}

// ---- LangChain ---------------------------------------------------------------------------------------

/** LangChain passes the openai client's APIError through (adding lc_error_code to some). */
function langchainError(e) {
  return {
    class: e?.constructor?.name,
    status: e?.status ?? null,
    body: e?.error ?? null, // the body's `error` object, as the openai client parses it
    retryAfter: headerOf(e?.headers, 'retry-after'),
    lcErrorCode: e?.lc_error_code ?? null,
    message: String(e?.message ?? e),
  };
}

async function langchain() {
  const chat = (opts = {}) => new ChatOpenAI({
    model, apiKey, maxRetries: 0, timeout: 20000, streamUsage: true, configuration: { baseURL: `${base}/v1` }, ...opts,
  });
  const out = {};
  out.stream = await attempt(langchainError, async () => {
    let text = '', usage = null, chunks = 0, finish = null;
    for await (const c of await chat().stream([['user', 'hello there']])) {
      chunks++;
      text += typeof c.content === 'string' ? c.content : '';
      if (c.usage_metadata) usage = c.usage_metadata;
      finish = c.response_metadata?.finish_reason ?? finish;
    }
    return { text, usage, chunks, finish };
  });
  out.tools = await attempt(langchainError, async () => {
    const bound = chat().bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weatherParameters } }]);
    let acc = null;
    for await (const c of await bound.stream([['user', 'Weather in Zürich?']])) acc = acc ? acc.concat(c) : c;
    const invoked = await bound.invoke([['user', 'Weather in Zürich?']]);
    return {
      streamed: acc.tool_calls.map((t) => ({ name: t.name, args: t.args, id: t.id })),
      invoked: invoked.tool_calls.map((t) => ({ name: t.name, args: t.args, id: t.id })),
      finish: invoked.response_metadata?.finish_reason,
      usage: invoked.usage_metadata,
    };
  });
  out.stop = await attempt(langchainError, async () => {
    const r = await chat().invoke([['user', 'stop here please']], { stop: ['said'] });
    return { text: r.content, finish: r.response_metadata?.finish_reason };
  });
  out.jsonSchema = await attempt(langchainError, async () =>
    chat().withStructuredOutput(answerSchema, { name: 'answer', method: 'jsonSchema' }).invoke([['user', 'Answer in JSON']]));
  out.jsonObject = await attempt(langchainError, async () =>
    chat().withStructuredOutput(answerSchema, { name: 'answer', method: 'jsonMode' }).invoke([['user', 'Answer in JSON']]));
  out.unknownModel = await attempt(langchainError, () => chat({ model: 'gpt-4o' }).invoke([['user', 'hi']]));
  out.contextExceeded = await attempt(langchainError, () => chat().invoke([['user', 'TOO-LONG prompt']]));
  out.wrongKey = await attempt(langchainError, () => chat({ apiKey: 'wrong-key' }).invoke([['user', 'hi']]));
  out.busy = await attempt(langchainError, () => chat().invoke([['user', 'BUSY now?']]));
  return out;
}

// ---- Vercel AI SDK -----------------------------------------------------------------------------------

/** The AI SDK throws APICallError {statusCode, responseHeaders, responseBody}. */
function vercelError(e) {
  const cause = e?.lastError ?? e; // a RetryError wraps the last attempt's error
  return {
    class: cause?.constructor?.name,
    name: cause?.name,
    status: cause?.statusCode ?? null,
    body: envelope(cause?.responseBody),
    retryAfter: headerOf(cause?.responseHeaders, 'retry-after'),
    retryable: cause?.isRetryable ?? null,
    message: String(cause?.message ?? cause),
  };
}

async function vercel() {
  const provider = (key = apiKey) => createOpenAICompatible({
    name: 'thinkloop', baseURL: `${base}/v1`, apiKey: key, includeUsage: true, supportsStructuredOutputs: true,
  });
  const m = (id = model, key = apiKey) => provider(key).chatModel(id);
  const out = {};
  out.stream = await attempt(vercelError, async () => {
    let streamError = null;
    const r = streamText({ model: m(), prompt: 'hello there', maxRetries: 0, onError: ({ error }) => { streamError = error; } });
    let text = '', parts = 0;
    for await (const t of r.textStream) { text += t; parts++; }
    if (streamError) throw streamError;
    return { text, parts, finish: await r.finishReason, usage: await r.usage };
  });
  out.tools = await attempt(vercelError, async () => {
    const tools = { get_weather: tool({ description: 'Current weather', inputSchema: jsonSchema(weatherParameters) }) };
    const r = await generateText({ model: m(), prompt: 'Weather in Zürich?', tools, maxRetries: 0 });
    const s = streamText({ model: m(), prompt: 'Weather in Zürich?', tools, maxRetries: 0 });
    const streamedCalls = [];
    for await (const part of s.fullStream) {
      if (part.type === 'tool-call') streamedCalls.push({ name: part.toolName, input: part.input, id: part.toolCallId });
      if (part.type === 'error') throw part.error;
    }
    return {
      calls: r.toolCalls.map((c) => ({ name: c.toolName, input: c.input, id: c.toolCallId })),
      streamed: streamedCalls,
      finish: r.finishReason,
      usage: r.usage,
    };
  });
  out.stop = await attempt(vercelError, async () => {
    const r = await generateText({ model: m(), prompt: 'stop here please', stopSequences: ['said'], maxRetries: 0 });
    return { text: r.text, finish: r.finishReason };
  });
  out.jsonSchema = await attempt(vercelError, async () =>
    (await generateObject({ model: m(), schema: jsonSchema(answerSchema), prompt: 'Answer in JSON', maxRetries: 0 })).object);
  out.jsonObject = await attempt(vercelError, async () =>
    (await generateObject({ model: m(), output: 'no-schema', prompt: 'Answer in JSON', maxRetries: 0 })).object);
  out.unknownModel = await attempt(vercelError, () => generateText({ model: m('gpt-4o'), prompt: 'hi', maxRetries: 0 }));
  out.contextExceeded = await attempt(vercelError, () => generateText({ model: m(), prompt: 'TOO-LONG prompt', maxRetries: 0 }));
  out.wrongKey = await attempt(vercelError, () => generateText({ model: m(model, 'wrong-key'), prompt: 'hi', maxRetries: 0 }));
  out.busy = await attempt(vercelError, () => generateText({ model: m(), prompt: 'BUSY now?', maxRetries: 0 }));
  return out;
}

console.log(JSON.stringify({ langchain: await langchain(), vercel: await vercel() }));
