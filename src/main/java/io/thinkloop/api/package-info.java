/**
 * The public API: WebSocket agent sessions ({@code /v1/sessions/{id}/ws}), the REST and Server-Sent
 * Events equivalents, and the API-key / Origin / frame-limit guards in front of them.
 */
package io.thinkloop.api;
