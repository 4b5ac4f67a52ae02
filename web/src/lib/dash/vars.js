// Grafana's template variables: interpolation with its formats and the Prometheus and Loki
// defaults, and the option lists of query, custom and interval variables.

import { formatDate } from './time.js';

// Grafana's variable syntax: `$name`, `[[name]]`, `[[name:format]]`, `${name}`,
// `${name.path}`, `${name:format}` (a format may carry `:` arguments, `${__from:date:iso}`).
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

const ALL_VALUE = '$__all';

// A custom "All" value (`allValue`, e.g. `.+`) goes into queries verbatim, whatever the format.
class CustomAll {
  constructor(value) {
    this.value = value;
  }
}

// RFC 3986 escaping: encodeURIComponent plus the sub-delimiters it leaves alone.
function encodeStrict(s) {
  return encodeURIComponent(String(s)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function encodeUriStrict(s) {
  return encodeURI(String(s)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

// How Grafana writes URL parameters (AngularJS' encoding): `$`, `:`, `@` and `,` stay readable.
function encodeUrlParam(s) {
  return encodeURIComponent(String(s))
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** A string with regex metacharacters escaped, as Grafana's `escapeRegex`. */
export function escapeRegex(value) {
  return String(value).replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function luceneEscape(value) {
  if (!Number.isNaN(+value)) return value;
  return value.replace(/([!*+\-=<>\s&|()[\]{}^~?:\\/"])/g, '\\$1');
}

function quoteAll(value, quote) {
  const one = (v) => quote + String(v).split(quote).join('\\' + quote) + quote;
  return Array.isArray(value) ? value.map(one).join(',') : one(value);
}

function sqlString(value) {
  const one = (v) => `'${String(v).replace(/'|"/g, (c) => (c === "'" ? "''" : '\\"'))}'`;
  return Array.isArray(value) ? value.map(one).join(',') : one(value);
}

function dateFormat(value, args) {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? parseInt(value, 10) : NaN;
  if (Number.isNaN(n)) return 'NaN';
  const arg = args[0] ?? 'iso';
  if (arg === 'ms') return String(value);
  if (arg === 'seconds') return `${Math.round(n / 1000)}`;
  if (arg === 'iso') return new Date(n).toISOString();
  // A moment pattern, which may itself hold `:` (`${__from:date:HH:mm}`), in local time.
  return formatDate(n, args.join(':'));
}

// Grafana's `VariableFormatID` formatters; `v` is the variable (name, text, multi, includeAll).
const FORMATTERS = {
  lucene: (value) => {
    if (typeof value === 'string') return luceneEscape(value);
    if (Array.isArray(value)) {
      if (value.length === 0) return '__empty__';
      return '(' + value.map((x) => '"' + luceneEscape(String(x)) + '"').join(' OR ') + ')';
    }
    return luceneEscape(`${value}`);
  },
  raw: (value) => String(value),
  regex: (value) => {
    if (!Array.isArray(value)) return escapeRegex(`${value}`);
    const escaped = value.map((x) => escapeRegex(String(x)));
    return escaped.length === 1 ? escaped[0] : '(' + escaped.join('|') + ')';
  },
  pipe: (value) => (Array.isArray(value) ? value.join('|') : `${value}`),
  distributed: (value, args, v) => {
    if (!Array.isArray(value)) return `${value}`;
    return value.map((x, i) => (i === 0 ? x : `${v.name}=${x}`)).join(',');
  },
  csv: (value) => (Array.isArray(value) ? value.join(',') : String(value)),
  json: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  html: (value) => escapeHtml(Array.isArray(value) ? value.join(', ') : String(value)),
  percentencode: (value) => encodeStrict(Array.isArray(value) ? '{' + value.join(',') + '}' : value),
  percentencodeuri: (value) => encodeUriStrict(Array.isArray(value) ? '{' + value.join(',') + '}' : value),
  singlequote: (value) => quoteAll(value, "'"),
  doublequote: (value) => quoteAll(value, '"'),
  sqlstring: sqlString,
  join: (value, args) => (Array.isArray(value) ? value.join(args[0] ?? ',') : String(value)),
  date: dateFormat,
  glob: (value) => (Array.isArray(value) && value.length > 1 ? '{' + value.join(',') + '}' : String(value)),
  text: (value, args, v) => v.text,
  queryparam: (value, args, v) => {
    // Dashboard variables write their URL state; All is `$__all` there.
    if (v.isAll) return `var-${encodeUrlParam(v.name)}=${ALL_VALUE}`;
    const values = Array.isArray(value) ? value : [value];
    return values.map((x) => `var-${encodeUrlParam(v.name)}=${encodeUrlParam(x)}`).join('&');
  },
  customqueryparam: (value, args, v) => {
    const name = encodeStrict(args[0] || v.name);
    const prefix = encodeStrict(args[1] || '');
    const values = Array.isArray(value) ? value : [value];
    return values.map((x) => `${name}=${prefix}${encodeStrict(x)}`).join('&');
  },
};

/** A value escaped as Grafana's Prometheus data source does for a label value in `"…"` (backslashes doubled, `'` escaped). */
export function prometheusEscape(value) {
  return String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/** A value escaped for a Prometheus regex matcher in `"…"`: metacharacters get `\\`, backslashes become four. */
export function prometheusRegexEscape(value) {
  return String(value)
    .replace(/\\/g, '\\\\\\\\')
    .replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

// The Prometheus data source's `interpolateQueryExpr`: a plain variable is only escaped; a
// multi-value or include-All one is a regex alternative, `(a|b)`, meant for `=~`.
function prometheusFormat(value, v) {
  if (!v.multi && !v.includeAll) return Array.isArray(value) ? value.map(prometheusEscape).join(',') : prometheusEscape(value);
  if (!Array.isArray(value)) return prometheusRegexEscape(value);
  const escaped = value.map(prometheusRegexEscape);
  return escaped.length === 1 ? escaped[0] : '(' + escaped.join('|') + ')';
}

// Loki's: a plain variable goes in as it is; several values are joined with `|`, unbracketed.
function lokiFormat(value, v) {
  if (!v.multi && !v.includeAll) return Array.isArray(value) ? value.join(',') : String(value);
  if (!Array.isArray(value)) return prometheusRegexEscape(value);
  return value.map(prometheusRegexEscape).join('|');
}

const DATASOURCE_FORMATS = { prometheus: prometheusFormat, loki: lokiFormat };

function optionValues(options) {
  return (options || []).map((o) => (o !== null && typeof o === 'object' ? o.value : o)).filter((x) => x !== ALL_VALUE);
}

function isAllValue(value) {
  return value === ALL_VALUE || (Array.isArray(value) && value[0] === ALL_VALUE);
}

// A scope entry as a variable: `{ name, value, text, multi, includeAll, isAll }`, with All
// resolved to the custom all value or every option's value.
function resolve(name, entry) {
  const e = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry : { value: entry };
  const isAll = Boolean(e.isAll) || isAllValue(e.value);
  let value = e.value;
  if (isAll) value = e.allValue ? new CustomAll(e.allValue) : optionValues(e.options);
  let text;
  if (isAll) text = 'All';
  else if (Array.isArray(e.text)) text = e.text.join(' + ');
  else if (e.text !== undefined && e.text !== null) text = String(e.text);
  else text = Array.isArray(value) ? value.join(' + ') : String(value ?? '');
  return { name, value, text, multi: Boolean(e.multi), includeAll: Boolean(e.includeAll), isAll };
}

function formatVariable(v, format, scope, depth) {
  let { value } = v;
  if (value === null || value === undefined) return '';
  if (value instanceof CustomAll) {
    if (format === 'text') return 'All';
    if (format === 'queryparam') return FORMATTERS.queryparam(value.value, [], v);
    const raw = format === 'percentencode' ? encodeStrict(value.value) : value.value;
    // Grafana interpolates the custom all value again, so it may name other variables.
    return depth < 5 ? interpolateAt(raw, scope, {}, depth + 1) : raw;
  }
  if (typeof value === 'object' && !Array.isArray(value)) value = `${value}`;
  if (typeof format === 'function') return format(value, { name: v.name, multi: v.multi, includeAll: v.includeAll });
  if (!format) return FORMATTERS.glob(value, [], v);
  const [id, ...args] = String(format).split(':');
  if (DATASOURCE_FORMATS[id]) return DATASOURCE_FORMATS[id](value, v);
  // Grafana falls back to glob for a format it does not know.
  return (FORMATTERS[id] ?? FORMATTERS.glob)(value, args, v);
}

function interpolateAt(text, scope, opts, depth) {
  if (typeof text !== 'string' || !text) return text ?? '';
  return text.replace(VARIABLE_RE, (match, var1, var2, fmt2, var3, fieldPath, fmt3) => {
    const name = var1 || var2 || var3;
    if (!scope || !Object.prototype.hasOwnProperty.call(scope, name)) return match;
    return formatVariable(resolve(name, scope[name]), fmt2 || fmt3 || opts.format, scope, depth);
  });
}

/**
 * `text` with Grafana's variable syntax replaced from `scope` (name → `{ value, text, multi,
 * includeAll, allValue, isAll, options }`, or a bare value). `format` is the default format: a
 * Grafana format id (`csv`, `regex`, …), `prometheus` or `loki` (their data sources' escaping),
 * or a function `(value, { name, multi, includeAll })`; a `${var:format}` in the text wins.
 * Without either, Grafana's default (glob) applies. Unknown variables stay as written.
 */
export function interpolate(text, scope, { format } = {}) {
  return interpolateAt(text, scope, { format }, 0);
}

/** The variable names `text` refers to, in order, once each (to order chained variables). */
export function referencedVariables(text) {
  const names = [];
  for (const m of String(text ?? '').matchAll(VARIABLE_RE)) {
    const name = m[1] || m[2] || m[4];
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

// Grafana 10's structured query variable (`qryType`), turned back into its classic string.
function structuredQuery(q) {
  switch (q.qryType) {
    case 0:
      return q.match ? `label_names(${q.match})` : 'label_names()';
    case 1: {
      const filters = (q.labelFilters || []).map((f) => `${f.label}${f.op}"${f.value}"`).join(', ');
      const selector = q.metric || filters ? `${q.metric || ''}${filters ? `{${filters}}` : ''}` : '';
      return selector ? `label_values(${selector},${q.label})` : `label_values(${q.label})`;
    }
    case 2:
      return `metrics(${q.metric ?? ''})`;
    case 3:
      return `query_result(${String(q.varQuery ?? '').replace(/[\r\n]+/gm, '')})`;
    case 4:
      return q.seriesQuery ?? '';
    case 5:
      return q.classicQuery ?? '';
    default:
      return '';
  }
}

/**
 * A Prometheus query variable's query → `{ kind, selector, label, regex, expr }`, or null when
 * empty: `label_names()` / `label_names(match)` (kind `label_names`), `label_values(label)` /
 * `label_values(selector, label)`, `metrics(regex)`, `query_result(expr)`, and any other text as
 * a series selector (kind `series`). Accepts `{ query }` and Grafana 10's `{ qryType, … }`.
 */
export function parseVariableQuery(query) {
  if (query !== null && typeof query === 'object') {
    query = typeof query.qryType === 'number' ? structuredQuery(query) : query.query;
  }
  const q = String(query ?? '').trim();
  if (!q) return null;
  let m = /^label_names\(\)\s*$/.exec(q);
  if (m) return { kind: 'label_names' };
  m = /^label_names\((.+)\)\s*$/.exec(q);
  if (m) return { kind: 'label_names', selector: m[1].trim() };
  m = /^label_values\((?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$/.exec(q);
  if (m) {
    // A blank selector or `{}` means no selector (Grafana's `isFilterDefined`).
    const selector = m[1] && m[1].split(' ').join('') !== '{}' ? m[1].trim() : undefined;
    return selector ? { kind: 'label_values', label: m[2], selector } : { kind: 'label_values', label: m[2] };
  }
  m = /^metrics\((.+)\)\s*$/.exec(q);
  if (m) return { kind: 'metrics', regex: m[1] };
  m = /^query_result\((.+)\)\s*$/.exec(q);
  if (m) return { kind: 'query_result', expr: m[1] };
  if (['label_values()', 'metrics()', 'query_result()'].includes(q)) return null;
  return { kind: 'series', selector: q };
}

/** A series' labels as Grafana writes them for variables: `name{a="1",b="2"}`. */
export function seriesName(metric) {
  const { __name__: name = '', ...labels } = metric || {};
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/**
 * The lines Grafana makes of a `query_result(…)` answer for the variable's regex to pick apart:
 * each sample `name{a="1",b="2"} value timestamp-ms`; a scalar or string gives its value. Takes
 * the `data` of a Prometheus instant query or just its `result` array.
 */
export function queryResultLines(data) {
  if (Array.isArray(data)) data = { resultType: 'vector', result: data };
  if (!data) return [];
  if (data.resultType === 'scalar' || data.resultType === 'string') return [String(data.result?.[1] || '')];
  return (data.result || []).map((s) => `${seriesName(s.metric)} ${s.value[1]} ${s.value[0] * 1000}`);
}

/** Grafana's `stringToJsRegex`: `/re/flags`, or a bare pattern matched whole. Throws when invalid. */
export function variableRegex(text) {
  if (text[0] !== '/') return new RegExp(`^${text}$`);
  const m = /^\/(.*?)\/(g?i?m?y?s?)$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a valid regular expression.`);
  return new RegExp(m[1], m[2]);
}

function allMatches(str, re) {
  const out = [];
  let m;
  re.lastIndex = 0;
  do {
    m = re.exec(str);
    if (m) out.push(m);
  } while (re.global && m && m[0] !== '' && m[0] !== undefined);
  return out;
}

function asOption(item) {
  if (item !== null && typeof item === 'object') {
    const text = item.text ?? item.value ?? '';
    const value = item.value ?? item.text ?? '';
    return { text: String(text), value: String(value) };
  }
  return { text: String(item), value: String(item) };
}

/**
 * Values (strings or `{ text, value }`) through a variable's regex as Grafana does: values that
 * do not match are dropped; named groups `text`/`value` pick those, else the first capture group
 * (with the `g` flag every match adds an option); options are deduplicated by value. An empty
 * regex keeps every value.
 */
export function applyRegex(values, regex) {
  const re = regex ? variableRegex(regex) : null;
  const options = [];
  for (const item of values || []) {
    let { text, value } = asOption(item);
    if (re) {
      const matches = allMatches(value, re);
      if (!matches.length) continue;
      const valueGroup = matches.find((m) => m.groups && m.groups.value);
      const textGroup = matches.find((m) => m.groups && m.groups.text);
      const first = matches.find((m) => m.length > 1);
      if (valueGroup || textGroup) {
        value = valueGroup?.groups?.value ?? textGroup?.groups?.text;
        text = textGroup?.groups?.text ?? valueGroup?.groups?.value;
      } else if (matches.length > 1 && first) {
        for (const m of matches) options.push({ text: m[1], value: m[1] });
        continue;
      } else if (first) {
        text = first[1];
        value = first[1];
      }
    }
    options.push({ text, value });
  }
  const seen = new Set();
  return options.filter((o) => (seen.has(o.value) ? false : (seen.add(o.value), true)));
}

// lodash's sortBy: stable, ascending by key, undefined keys last.
function sortBy(options, key) {
  return options
    .map((o, i) => [key(o), i, o])
    .sort((a, b) => {
      if (a[0] === b[0]) return a[1] - b[1];
      if (a[0] === undefined) return 1;
      if (b[0] === undefined) return -1;
      return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
    })
    .map((x) => x[2]);
}

// The numeric sort key: the first run of digits in the text, -1 when there is none.
function numericKey(o) {
  if (!o.text) return -1;
  const m = String(o.text).match(/.*?(\d+).*/);
  return m ? parseInt(m[1], 10) : -1;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'accent', numeric: true });

/**
 * Options sorted by Grafana's variable sort codes: 0 as given, 1/2 alphabetical asc/desc, 3/4
 * numerical (by the first number in the text), 5/6 alphabetical case-insensitive, 7/8 natural.
 */
export function sortOptions(options, sort) {
  const list = [...(options || [])];
  switch (Number(sort)) {
    case 1:
      return sortBy(list, (o) => o.text);
    case 2:
      return sortBy(list, (o) => o.text).reverse();
    case 3:
      return sortBy(list, numericKey);
    case 4:
      return sortBy(list, numericKey).reverse();
    case 5:
      return sortBy(list, (o) => (o.text === undefined ? undefined : String(o.text).toLowerCase()));
    case 6:
      return sortBy(list, (o) => (o.text === undefined ? undefined : String(o.text).toLowerCase())).reverse();
    case 7:
      return list.sort((a, b) => collator.compare(a.text, b.text));
    case 8:
      return list.sort((a, b) => collator.compare(a.text, b.text)).reverse();
    default:
      return list;
  }
}

/** A custom variable's options: `a,b,c` or `text : value` pairs, `\,` for a comma inside one. */
export function customOptions(query) {
  const parts = String(query ?? '').match(/(?:\\,|[^,])+/g) ?? [];
  return parts.map((part) => {
    const text = part.replace(/\\,/g, ',');
    const pair = /^\s*(.+)\s:\s(.+)$/.exec(text);
    if (pair) return { text: pair[1].trim(), value: pair[2].trim() };
    return { text: text.trim(), value: text.trim() };
  });
}

/**
 * An interval variable's options from its query (`1m,10m,1h`, quotes allowed), deduplicated; no
 * interval gives Grafana's `1m`. `auto` prepends the `auto` option (value `$__auto`).
 */
export function intervalOptions(query, { auto = false } = {}) {
  const found = String(query ?? '').match(/(["'])(.*?)\1|\w+/g);
  const intervals = found ? [...new Set(found.map((x) => x.replace(/["']+/g, '').trim()))] : ['1m'];
  const options = intervals.map((x) => ({ text: x, value: x }));
  return auto ? [{ text: 'auto', value: '$__auto' }, ...options] : options;
}
