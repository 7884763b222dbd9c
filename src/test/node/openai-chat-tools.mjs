// Drives Thinkloop's /v1/chat/completions with the official `openai` npm client: a streamed turn with
// tools (reasoning_content and tool_calls deltas), the tool results sent back (with the assistant's
// reasoning_content), a non-streamed final answer, and a throttled request. Prints one JSON line.
// Usage: node openai-chat-tools.mjs <base-url> <model> [api-key]
import OpenAI from 'openai';

const [base, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: apiKey || 'no-key', maxRetries: 0, timeout: 20000 });

const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather',
      parameters: { type: 'object', properties: { city: { type: 'string' }, metric: { type: 'boolean' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'search', description: 'Web search',
      parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } } } } },
];
const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is the weather in Zürich, and what is on there?' },
];

const models = (await client.models.list()).data.map((m) => m.id);

// 1. Streamed, with tools.
const stream = await client.chat.completions.create({
  model, messages, tools, tool_choice: 'auto', stream: true, stream_options: { include_usage: true },
  temperature: 0, max_tokens: 512, seed: 1,
});
let reasoning = '', content = '', finish = null, usage = null, chunks = 0;
const calls = [];
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  const choice = chunk.choices[0];
  if (!choice) continue;
  const d = choice.delta;
  if (d.reasoning_content) reasoning += d.reasoning_content;
  if (d.content) content += d.content;
  for (const tc of d.tool_calls ?? []) {
    calls[tc.index] ??= { id: '', name: '', arguments: '' };
    if (tc.id) calls[tc.index].id = tc.id;
    if (tc.function?.name) calls[tc.index].name += tc.function.name;
    if (tc.function?.arguments) calls[tc.index].arguments += tc.function.arguments;
  }
  if (choice.finish_reason) finish = choice.finish_reason;
}

// 2. The tool results go back with the assistant message (and its reasoning_content); not streamed.
const followUp = [
  ...messages,
  { role: 'assistant', content, reasoning_content: reasoning,
    tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
  ...calls.map((c) => ({ role: 'tool', tool_call_id: c.id, content: c.name === 'get_weather' ? '18 °C, sunny' : '[]' })),
];
const final = await client.chat.completions.create({ model, messages: followUp, tools });

// 3. The stream helper of the same client (accumulates the message itself).
const runner = client.chat.completions.stream({ model, messages, tools });
const helperFinal = await runner.finalChatCompletion();

// 4. A throttled request surfaces as the client's RateLimitError.
let error = null;
try {
  await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'RATE-LIMIT please' }], stream: true });
} catch (e) {
  error = { status: e.status, type: e.constructor.name, message: e.message };
}

console.log(JSON.stringify({
  models,
  streamed: { reasoning, content, calls, finish, usage, chunks },
  final: { message: final.choices[0].message, finish: final.choices[0].finish_reason, usage: final.usage },
  helper: { message: helperFinal.choices[0].message, finish: helperFinal.choices[0].finish_reason },
  error,
}));
