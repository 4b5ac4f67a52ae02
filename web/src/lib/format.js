// Formatting and parsing of durations, times, numbers and label sets, as Prometheus' UI
// shows them.

const UNITS = [
  ['y', 365 * 24 * 3600],
  ['w', 7 * 24 * 3600],
  ['d', 24 * 3600],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** Prometheus' duration text (`1h30m`, `90s`, `500ms`) in seconds, or null. */
export function parseDuration(text) {
  const s = String(text).trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+)(ms|y|w|d|h|m|s)/g;
  let total = 0;
  let at = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== at) return null;
    at = m.index + m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : n * UNITS.find((u) => u[0] === m[2])[1];
  }
  return at === s.length && total > 0 ? total : null;
}

/** Seconds as Prometheus writes a duration: `1h30m`, `15s`, `250ms`. */
export function formatDuration(seconds) {
  if (!(seconds > 0)) return '0s';
  let ms = Math.round(seconds * 1000);
  let out = '';
  for (const [u, n] of UNITS) {
    const q = Math.floor(ms / (n * 1000));
    if (q > 0) {
      out += q + u;
      ms -= q * n * 1000;
    }
  }
  if (ms > 0) out += ms + 'ms';
  return out;
}

/** An instant (ms) as `2026-12-07 21:05:00` in local time or UTC. */
export function formatTime(ms, utc = false) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const [Y, M, D, h, m, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${Y}-${p(M)}-${p(D)} ${p(h)}:${p(m)}:${p(s)}`;
}

/** `2026-12-07 21:05` or `2026-12-07T21:05:00Z` (local unless it says Z) to ms, or null. */
export function parseTime(text) {
  const s = String(text).trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** How long ago `ms` was, compactly: `3s ago`, `2m ago`, `in 5s`. */
export function ago(ms, now = Date.now()) {
  const d = (now - ms) / 1000;
  const text = formatDuration(Math.max(1, Math.round(Math.abs(d)))).replace(/(\d+[a-z]+)(\d+[a-z]+).*/, '$1$2');
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

/** A sample value as Prometheus' table shows it (the server's string, kept). */
export function formatValue(v) {
  return String(v);
}

/** A number for an axis or a tooltip: at most 4 significant digits, with SI prefixes. */
export function shortNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  const a = Math.abs(v);
  if (a === 0) return '0';
  const prefixes = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [n, p] of prefixes) if (a >= n) return trim(v / n) + p;
  if (a >= 1) return trim(v);
  const small = [
    [1e-3, 'm'],
    [1e-6, 'µ'],
    [1e-9, 'n'],
  ];
  for (const [n, p] of small) if (a >= n) return trim(v / n) + p;
  return v.toExponential(2);
}

function trim(x) {
  return String(Number(x.toPrecision(4)));
}

/** `name{a="1", b="2"}`, the metric name first and the rest sorted, as Prometheus prints. */
export function seriesName(metric) {
  const name = metric.__name__ || '';
  const pairs = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return pairs.length ? `${name}{${pairs.join(', ')}}` : name || '{}';
}

/** An RFC 3339 time from an API as ms, or null for none or Go's zero time ("never"). */
export function apiTime(text) {
  if (!text || text.startsWith('0001-01-01')) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/** A short span such as an evaluation or a scrape took: `850µs`, `12.3ms`, `1.52s`, `2m5s`. */
export function formatSeconds(s) {
  if (!(s > 0)) return '0s';
  if (s < 1e-3) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${Number((s * 1000).toPrecision(3))}ms`;
  if (s < 60) return `${Number(s.toPrecision(3))}s`;
  return formatDuration(Math.round(s));
}
