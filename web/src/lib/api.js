// The server's APIs (Prometheus', Loki's and Alertmanager's, as argus answers them). Every
// call resolves to the `data` of a success (or Alertmanager's bare list), or throws an
// ApiError with the server's own message.

export class ApiError extends Error {
  constructor(message, { type = 'error', status = 0, position = null } = {}) {
    super(message);
    this.type = type;
    this.status = status;
    // Where in the query the error is, when the message says (`1:5: parse error: ...`).
    this.position = position;
  }
}

function encode(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  return q;
}

/** GET `path` with `params`; `signal` cancels; `headers` are added to the request. */
export async function get(path, params, signal, headers) {
  const q = encode(params).toString();
  return call(q ? `${path}?${q}` : path, { signal, headers });
}

/** The header that asks Loki's API for categorized labels: each log entry's structured
 * metadata and parsed labels apart from its stream's labels. */
export const CATEGORIZE_LABELS = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };

/** POST `params` as a form (long queries do not fit a URL). */
export async function post(path, params, signal) {
  return call(path, {
    method: 'POST',
    body: encode(params),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    signal,
  });
}

async function call(url, init) {
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`cannot reach the server: ${e.message}`, { type: 'network' });
  }
  const text = await resp.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(text.trim() || `HTTP ${resp.status}`, { status: resp.status });
  }
  if (body.status === 'success' || (resp.ok && body.data !== undefined && body.status === undefined)) {
    return body.data;
  }
  // Alertmanager's API v2 answers its lists bare, without an envelope.
  if (resp.ok && Array.isArray(body)) return body;
  const message = body.error || text;
  throw new ApiError(message, {
    type: body.errorType || 'error',
    status: resp.status,
    position: errorPosition(message),
  });
}

/**
 * Grafana's HTTP API (dashboards): GET `path`, or POST `body` as JSON; the answer as it is
 * (Grafana's API has no `{status, data}` envelope), or an ApiError with its `message`.
 */
export async function grafana(path, body, signal) {
  const init = body === undefined ? { signal } : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal };
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`cannot reach the server: ${e.message}`, { type: 'network' });
  }
  const text = await resp.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(text.trim() || `HTTP ${resp.status}`, { status: resp.status });
  }
  if (resp.ok) return parsed;
  throw new ApiError(parsed.message || text, { status: resp.status, type: parsed.status || 'error' });
}

/**
 * The position a parse error names, as {line, column} (1-based), or null. Prometheus says
 * `1:5: parse error: ...`; LogQL `parse error at line 1, col 5: ...`.
 */
export function errorPosition(message) {
  let m = /(?:^|: )(\d+):(\d+): parse error/.exec(message) || /^(\d+):(\d+): /.exec(message);
  if (m) return { line: +m[1], column: +m[2] };
  m = /at line (\d+), col (\d+)/.exec(message);
  if (m) return { line: +m[1], column: +m[2] };
  return null;
}
