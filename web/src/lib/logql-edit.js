// Rewriting a LogQL log query as the log view's "filter for" and "filter out" buttons do:
// a stream label becomes a matcher of the selector, a parsed field a label filter after the
// pipeline's parser.

/** Where the first stream selector is: [index of `{`, index of its `}`], or null. */
export function selectorSpan(query) {
  let inString = null;
  let start = -1;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (inString) {
      if (c === '\\' && inString !== '`') i++;
      else if (c === inString) inString = null;
      continue;
    }
    if (c === '"' || c === '`') inString = c;
    else if (c === '{' && start < 0) start = i;
    else if (c === '}' && start >= 0) return [start, i];
  }
  return null;
}

/** A LogQL string literal. */
export function quote(value) {
  return JSON.stringify(String(value));
}

/** The query with `name op "value"` among the selector's matchers (replacing one for the
 * same name and operator). */
export function withMatcher(query, name, op, value) {
  const span = selectorSpan(query);
  const matcher = `${name}${op}${quote(value)}`;
  if (!span) return `{${matcher}}`;
  const [a, b] = span;
  const inner = query.slice(a + 1, b).trim();
  const kept = splitMatchers(inner).filter((m) => !new RegExp(`^${escapeRe(name)}\\s*${escapeRe(op)}\\s*["\`]`).test(m));
  const all = [...kept, matcher].join(', ');
  return `${query.slice(0, a)}{${all}}${query.slice(b + 1)}`;
}

function splitMatchers(inner) {
  const out = [];
  let cur = '';
  let inString = null;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (inString) {
      cur += c;
      if (c === '\\' && inString !== '`') cur += inner[++i] ?? '';
      else if (c === inString) inString = null;
      continue;
    }
    if (c === '"' || c === '`') inString = c;
    if (c === ',') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The parser stage a query already has (`json`, `logfmt`...), or null. */
export function parserOf(query) {
  const m = /\|\s*(json|logfmt|unpack|pattern|regexp)\b/.exec(query);
  return m ? m[1] : null;
}

/** The query with a label filter on a parsed field, adding the parser when it has none. */
export function withFieldFilter(query, parser, name, op, value) {
  let q = query.trimEnd();
  if (!parserOf(q)) q += ` | ${parser}`;
  return `${q} | ${name}${op}${quote(value)}`;
}

/** The query with a label filter at the end of its pipeline (for labels the pipeline or
 * structured metadata gives). */
export function withLabelFilter(query, name, op, value) {
  return `${query.trimEnd()} | ${name}${op}${quote(value)}`;
}

/** Fields of a line: its top-level JSON keys, or its logfmt pairs; with the parser that
 * finds them. */
export function parseFields(line) {
  const s = line.trim();
  if (s.startsWith('{')) {
    try {
      const obj = JSON.parse(s);
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const fields = {};
        for (const [k, v] of Object.entries(obj)) {
          fields[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
        }
        return { parser: 'json', fields };
      }
    } catch {
      // Not JSON after all.
    }
  }
  const fields = {};
  const re = /([A-Za-z_][A-Za-z0-9_.\-]*)=("(?:[^"\\]|\\.)*"|[^\s]*)/g;
  for (const m of s.matchAll(re)) {
    let v = m[2];
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v);
      } catch {
        v = v.slice(1, -1);
      }
    }
    fields[m[1].replace(/[.\-]/g, '_')] = v;
  }
  return Object.keys(fields).length ? { parser: 'logfmt', fields } : { parser: null, fields: {} };
}

/** Whether a LogQL query returns log lines (not a metric). */
export function isLogQuery(query) {
  return query.trim().startsWith('{');
}
