// The Rules page: every rule group (from /api/v1/rules) with its interval, last evaluation
// and evaluation time, and each rule, recording or alerting, with its definition, health,
// last error, last evaluation and evaluation time, as Prometheus 3 shows them.
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { formatDuration, formatSeconds } from '../lib/format.js';
import { ruleDefinition } from '../lib/rules.js';
import { badge, contains, dataView, empty, filterBar, labelsText, pageHead, searchBox, table, toggles, urlState, when } from '../lib/widgets.js';

const HEALTH = ['ok', 'err', 'unknown'];
const TONE = { ok: 'good', err: 'bad', unknown: 'muted' };

function health(rule) {
  return HEALTH.includes(rule.health) ? rule.health : 'unknown';
}

export function render(root) {
  const url = urlState({ search: '', health: '' });
  const chosen = new Set(url.values.health.split(',').filter((s) => HEALTH.includes(s)));
  const healthFilter = toggles(
    'Health',
    [
      ['ok', 'OK', 'good'],
      ['err', 'Error', 'bad'],
      ['unknown', 'Unknown', 'muted'],
    ],
    chosen,
    (set) => {
      url.set('health', HEALTH.filter((s) => set.has(s)).join(','));
      view.redraw();
    },
    { multi: true },
  );
  const view = dataView(
    async (signal) => (await api.get('/api/v1/rules', null, signal)).groups || [],
    draw,
  );

  function draw(groups) {
    const now = Date.now();
    const all = groups.flatMap((g) => g.rules);
    for (const s of HEALTH) healthFilter.counts[s].textContent = all.filter((r) => health(r) === s).length;
    if (all.length === 0) {
      return empty('No rules: load rules with ', ['argus serve --rules FILE'], ' or ', ['rule_files'], ' in ', ['--config'], '.');
    }
    const query = url.values.search.trim();
    const keep = (r) =>
      (chosen.size === 0 || chosen.has(health(r))) && contains([r.name, r.query, labelsText(r.labels)].join('\n'), query);
    const shown = groups.map((g) => [g, g.rules.filter(keep)]).filter(([, rules]) => rules.length);
    if (!shown.length) return empty('No rule matches the filters.');
    return shown.map(([g, rules]) => groupView(g, rules, now));
  }

  replace(
    root,
    pageHead('Rules', view.button),
    filterBar(
      healthFilter.el,
      searchBox(
        url.values.search,
        (v) => {
          url.set('search', v);
          view.redraw();
        },
        'Rule name, expression or label',
      ),
    ),
    view.el,
  );
  view.refresh();
  return view.leave;
}

function groupView(group, rules, now) {
  const errors = group.rules.filter((r) => health(r) === 'err').length;
  return h(
    'section',
    { class: 'card' },
    h(
      'header',
      { class: 'card-head' },
      h('h2', null, h('span', { class: 'muted' }, group.file), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' › '), group.name),
      h(
        'span',
        { class: 'group-stats' },
        errors ? badge(`${errors} failing`, 'bad') : null,
        h('span', null, 'every ', h('strong', null, formatDuration(group.interval))),
        h('span', null, 'last evaluated ', h('strong', null, when(group.lastEvaluation, now))),
        h('span', null, 'took ', h('strong', null, formatSeconds(group.evaluationTime))),
      ),
    ),
    table(
      ['Rule', 'Health', 'Last evaluation', ['Took', 'num']],
      rules.map((r) => ({
        cells: [
          ruleDefinition(r),
          badge(health(r) === 'err' ? 'error' : health(r), TONE[health(r)]),
          when(r.lastEvaluation, now),
          formatSeconds(r.evaluationTime),
        ],
        after: r.lastError ? h('div', { class: 'row-error' }, h('strong', null, 'Error: '), r.lastError) : null,
      })),
      'rules',
    ),
  );
}
