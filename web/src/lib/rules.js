// A rule as it reads in its rule file, for the Alerts and Rules pages: the YAML of an
// alerting or recording rule (from /api/v1/rules), its expression highlighted as PromQL.
import { highlightCode, tagHighlighter, tags as t } from '@lezer/highlight';
import { promQLLanguage } from '@prometheus-io/codemirror-promql';
import { h } from './dom.js';
import { formatDuration } from './format.js';

// The classes of style.css, coloured by the theme's --hl-* variables.
const classes = tagHighlighter([
  { tag: t.keyword, class: 'hl-keyword' },
  { tag: [t.function(t.variableName), t.standard(t.name)], class: 'hl-function' },
  { tag: t.string, class: 'hl-string' },
  { tag: [t.number, t.unit], class: 'hl-number' },
  { tag: [t.operator, t.compareOperator], class: 'hl-operator' },
  { tag: t.labelName, class: 'hl-label' },
  { tag: t.comment, class: 'hl-comment' },
]);

let language = null;

/** PromQL as text and spans classed by role; each line after the first starts with `indent`. */
export function highlightPromQL(text, indent = '') {
  language ??= promQLLanguage('PromQL');
  const out = [];
  highlightCode(
    text,
    language.parser.parse(text),
    classes,
    (s, cls) => out.push(cls ? h('span', { class: cls }, s) : s),
    () => out.push('\n' + indent),
  );
  return out;
}

// Plain scalars YAML would read as something else (numbers, booleans, null).
const SPECIAL = /^(true|false|yes|no|on|off|null|~|[-+]?(\.?\d[\d._]*([eE][-+]?\d+)?|\.inf|\.nan))$/i;

/** A string as a YAML scalar: plain when YAML reads it back unchanged, else single-quoted. */
export function yamlScalar(s) {
  const plain = /^[A-Za-z0-9_/.$(][^\n#]*$/.test(s) && !/[:] |:$|\s$/.test(s) && !SPECIAL.test(s);
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

/** `key: value` lines of a map at `indent`, values that span lines as a `|` block. */
function yamlMap(obj, indent) {
  return Object.keys(obj || {})
    .sort()
    .map((k) => {
      const v = String(obj[k]);
      if (!v.includes('\n')) return `${indent}${yamlScalar(k)}: ${yamlScalar(v)}\n`;
      const body = v.replace(/\n$/, '').split('\n').map((l) => `${indent}  ${l}`).join('\n');
      return `${indent}${yamlScalar(k)}: |\n${body}\n`;
    })
    .join('');
}

/** The rule's definition, as YAML: alert or record, expr, for, keep_firing_for, labels, annotations. */
export function ruleDefinition(rule) {
  const alerting = rule.type === 'alerting';
  const parts = [h('span', { class: 'hl-key' }, alerting ? 'alert' : 'record'), `: ${yamlScalar(rule.name)}\n`, h('span', { class: 'hl-key' }, 'expr'), ': '];
  if (rule.query.includes('\n')) parts.push('|\n  ', highlightPromQL(rule.query, '  '), '\n');
  else parts.push(highlightPromQL(rule.query), '\n');
  const key = (k, v) => [h('span', { class: 'hl-key' }, k), `: ${v}\n`];
  if (alerting && rule.duration > 0) parts.push(key('for', formatDuration(rule.duration)));
  if (alerting && rule.keepFiringFor > 0) parts.push(key('keep_firing_for', formatDuration(rule.keepFiringFor)));
  for (const [name, map] of [
    ['labels', rule.labels],
    ['annotations', alerting ? rule.annotations : null],
  ]) {
    if (map && Object.keys(map).length) parts.push(h('span', { class: 'hl-key' }, name), ':\n', yamlMap(map, '  '));
  }
  return h('pre', { class: 'code rule-def' }, parts);
}
