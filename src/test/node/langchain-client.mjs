// Drives MCP servers with LangChain's @langchain/mcp-adapters (MultiServerMCPClient), as an agent framework would:
// load the tools of every server in a mcpServers file, call one as a LangChain tool, list and read resources.
// Prints "CHECK <name> ok|FAIL <detail>" per check, then "SUMMARY <passed> passed, <failed> failed".
// Usage: node langchain-client.mjs CONFIG.json   ({"mcpServers": {NAME: {transport: stdio|http, ...}}})
import { readFileSync } from 'node:fs';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`CHECK ${name} ${ok ? 'ok' : 'FAIL'} ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
}
async function attempt(name, fn) {
  try { await fn(); } catch (e) { check(name, false, `threw ${e?.name}: ${e?.message}`); }
}

const client = new MultiServerMCPClient({
  mcpServers: config.mcpServers,
  throwOnLoadError: true,
  prefixToolNameWithServerName: true,
  useStandardContentBlocks: true,
});
for (const server of Object.keys(config.mcpServers)) {
  await attempt(`${server} tools`, async () => {
    const tools = await client.getTools(server);
    const names = tools.map(t => t.name);
    check(`${server} tools`, tools.length === 15 && names.some(n => n.endsWith('get_all_cities')), names.join(','));
    const cities = tools.find(t => t.name.endsWith('get_all_cities'));
    const out = await cities.invoke({});
    const text = typeof out === 'string' ? out : JSON.stringify(out);
    check(`${server} call`, text.includes('cities'), text.slice(0, 120));
    const hotels = tools.find(t => t.name.endsWith('get_all_hotels_by_city'));
    let refused;
    try {
      const bad = await hotels.invoke({ city: 'Nowhere-At-All' });
      refused = typeof bad === 'string' ? bad : JSON.stringify(bad);
    } catch (e) {
      refused = `threw ${e?.message}`;
    }
    check(`${server} tool error`, refused.length > 0, refused.slice(0, 120));
  });
  await attempt(`${server} resources`, async () => {
    const listed = await client.listResources(server);
    const uris = (listed[server] ?? []).map(r => r.uri);
    check(`${server} resources`, uris.includes('trip://cities'), uris.join(','));
    const contents = await client.readResource(server, 'trip://cities');
    check(`${server} read`, contents[0]?.text?.startsWith('['), (contents[0]?.text ?? '').slice(0, 80));
  });
}
await client.close();
console.log(`SUMMARY ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
