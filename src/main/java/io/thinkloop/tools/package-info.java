/** Tools the agent can call (local Java tools and MCP tools), their registry, validation and approval. */
package io.thinkloop.tools;
