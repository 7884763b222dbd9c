/** Wire records of JSON-RPC 2.0 and MCP (2025-11-25, also 2025-06-18 and 2025-03-26), and their codec. */
package io.thinkloop.mcp.types;
