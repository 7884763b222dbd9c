// The REST calls the console makes: the session list, creating a session, and the tool/MCP panels.

import { RestPath, backendsFromJson, mcpServersFromJson, sessionFromJson, sessionsFromJson, toolsFromJson } from './protocol.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  constructor(tokenSupplier) {
    this.token = tokenSupplier;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) {
      let detail = res.statusText;
      try {
        const j = await res.json();
        const e = j && typeof j.error === 'object' && j.error !== null ? j.error : j; // OpenAI's {error: {...}} or ours
        if (typeof e.message === 'string') detail = e.code ? `${e.code}: ${e.message}` : e.message; // {code, message, retryable}
      } catch { /* not JSON */ }
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${detail}`);
    }
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') ?? '';
    return type.includes('json') ? res.json() : res.text();
  }

  async listSessions() {
    return sessionsFromJson(await this.request('GET', RestPath.sessions));
  }

  async createSession() {
    return sessionFromJson(await this.request('POST', RestPath.sessions, {}));
  }

  async listTools() {
    return toolsFromJson(await this.request('GET', RestPath.tools));
  }

  async listBackends() {
    return backendsFromJson(await this.request('GET', RestPath.models));
  }

  async listMcpServers() {
    return mcpServersFromJson(await this.request('GET', RestPath.mcpServers));
  }
}
