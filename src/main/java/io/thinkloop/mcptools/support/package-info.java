/**
 * What the tool servers of {@code mcp-tools/} share: a tool base that validates its arguments against its
 * own input schema (defensively, although callers validate too), turns failures into error results instead
 * of exceptions, and renders structured results as the JSON text the model reads.
 */
package io.thinkloop.mcptools.support;
