// The Alerts page: alerting rules by group with their state and instances (from
// /api/v1/rules?type=alert), filtered by state and by text, as Prometheus 3 shows them; and
// argus' own silences (from /api/v2/silences, Alertmanager's shape), which mute the
// notifications argus sends itself.
import { h, notice, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { ruleDefinition } from '../lib/rules.js';
import {
  badge,
  contains,
  dataView,
  empty,
  expander,
  filterBar,
  labelChips,
  labelsText,
  pageHead,
  searchBox,
  table,
  toggles,
  urlState,
  when,
  whenInFull,
} from '../lib/widgets.js';

const STATES = ['firing', 'pending', 'inactive'];
const TONE = { firing: 'bad', pending: 'warn', inactive: 'good' };
const SILENCE_TONE = { active: 'info', pending: 'warn', expired: 'muted' };

/** A rule's state; a rule not evaluated yet (argus says `unknown`) counts as inactive. */
function ruleState(rule) {
  return STATES.includes(rule.state) ? rule.state : 'inactive';
}

function title(s) {
  return s[0].toUpperCase() + s.slice(1);
}

export function render(root) {
  const url = urlState({ state: '', search: '', expired: '' });
  const chosen = new Set(url.values.state.split(',').filter((s) => STATES.includes(s)));
  const open = new Set();
  const stateFilter = toggles(
    'State',
    STATES.map((s) => [s, title(s), TONE[s]]),
    chosen,
    (set) => {
      url.set('state', STATES.filter((s) => set.has(s)).join(','));
      view.redraw();
    },
    { multi: true },
  );
  const view = dataView(load, draw);

  async function load(signal) {
    // The silences are drawn, or their error shown, whatever becomes of the rules.
    const [rules, silences] = await Promise.all([
      api.get('/api/v1/rules', { type: 'alert' }, signal),
      api.get('/api/v2/silences', null, signal).catch((e) => {
        if (e.name === 'AbortError') throw e;
        return e;
      }),
    ]);
    return { groups: rules.groups || [], silences };
  }

  function draw({ groups, silences }) {
    const now = Date.now();
    const all = groups.flatMap((g) => g.rules);
    for (const s of STATES) stateFilter.counts[s].textContent = all.filter((r) => ruleState(r) === s).length;
    const active = Array.isArray(silences) ? silences.filter((s) => s.status?.state === 'active') : [];
    const silenceSection = silencesView(silences, now, url, view);
    if (all.length === 0) {
      return [
        empty('No alerting rules: load rules with ', ['argus serve --rules FILE'], ' or ', ['rule_files'], ' in ', ['--config'], '.'),
        silenceSection,
      ];
    }
    const query = url.values.search.trim();
    const keep = (r) => (chosen.size === 0 || chosen.has(ruleState(r))) && contains(ruleText(r), query);
    const shown = groups.map((g) => [g, g.rules.filter(keep)]).filter(([, rules]) => rules.length);
    return [
      shown.length
        ? shown.map(([g, rules]) => groupView(g, rules, query, open, active, now))
        : empty('No alerting rule matches the filters.'),
      silenceSection,
    ];
  }

  replace(
    root,
    pageHead('Alerts', view.button),
    filterBar(
      stateFilter.el,
      searchBox(
        url.values.search,
        (v) => {
          url.set('search', v);
          view.redraw();
        },
        'Rule name or label',
      ),
      // A button, not a #link: a new fragment would fire popstate and draw the page again.
      h('button', { class: 'link jump', onclick: () => document.getElementById('silences')?.focus() }, 'Silences ↓'),
    ),
    view.el,
  );
  view.refresh();
  return view.leave;
}

/** What the search looks in: the rule's name and labels, and its instances' labels. */
function ruleText(rule) {
  return [rule.name, labelsText(rule.labels), ...(rule.alerts || []).map((a) => labelsText(a.labels))].join('\n');
}

function groupView(group, rules, query, open, silences, now) {
  const counts = STATES.map((s) => [s, group.rules.filter((r) => ruleState(r) === s).length]);
  return h(
    'section',
    { class: 'card' },
    h(
      'header',
      { class: 'card-head' },
      h('h2', null, h('span', { class: 'muted' }, group.file), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' › '), group.name),
      h(
        'span',
        { class: 'badges' },
        counts.filter(([, n]) => n > 0).map(([s, n]) => badge(`${n} ${s}`, TONE[s])),
      ),
    ),
    rules.map((rule) => ruleView(group, rule, group.rules.indexOf(rule), query, open, silences, now)),
  );
}

function ruleView(group, rule, i, query, open, silences, now) {
  const key = `${group.file}\n${group.name}\n${i}\n${rule.name}`;
  const alerts = rule.alerts || [];
  // A search that the rule itself does not match names some of its instances: those are shown.
  const byRule = contains(`${rule.name}\n${labelsText(rule.labels)}`, query);
  const listed = byRule ? alerts : alerts.filter((a) => contains(labelsText(a.labels), query));
  const state = ruleState(rule);
  const n = (s) => alerts.filter((a) => a.state === s).length;
  const badges = ['firing', 'pending'].filter((s) => n(s) > 0).map((s) => badge(`${n(s)} ${s}`, TONE[s]));
  return expander({
    className: `rule state-${state}`,
    open: open.has(key),
    onToggle: (on) => (on ? open.add(key) : open.delete(key)),
    head: [
      h('span', { class: 'rule-name' }, rule.name),
      h('span', { class: 'badges' }, badges.length ? badges : badge(rule.state === 'unknown' ? 'not evaluated yet' : 'inactive', 'good')),
    ],
    body: () => [
      ruleDefinition(rule),
      alerts.length ? instances(listed, silences, now) : h('p', { class: 'muted' }, 'No instance is pending or firing.'),
      listed.length < alerts.length
        ? h('p', { class: 'muted small' }, `${listed.length} of ${alerts.length} instances match the search.`)
        : null,
    ],
  });
}

function instances(alerts, silences, now) {
  return table(
    ['Labels', 'State', 'Active since', ['Value', 'num']],
    alerts.map((a) => {
      const muting = silences.filter((s) => silenceMatches(s, a.labels));
      return [
        [
          labelChips(a.labels, ['alertname']),
          Object.keys(a.annotations || {}).length ? annotations(a.annotations) : null,
        ],
        [
          badge(a.state, TONE[a.state] || 'muted'),
          muting.length ? [' ', badge('silenced', 'info', muting.map((s) => s.comment).join('\n'))] : null,
          a.keepFiringSince ? h('div', { class: 'muted small' }, 'kept firing since ', when(a.keepFiringSince, now)) : null,
        ],
        whenInFull(a.activeAt, now),
        h('span', { class: 'mono' }, a.value),
      ];
    }),
    'instances',
  );
}

function annotations(map) {
  return h(
    'dl',
    { class: 'annotations' },
    Object.keys(map)
      .sort()
      .map((k) => [h('dt', null, k), h('dd', null, map[k])]),
  );
}

/** Whether a silence's matchers all accept these labels (Alertmanager's regexes are anchored). */
export function silenceMatches(silence, labels) {
  return (silence.matchers || []).every((m) => {
    const value = labels[m.name] ?? '';
    let ok;
    if (m.isRegex) {
      try {
        ok = new RegExp(`^(?:${m.value})$`).test(value);
      } catch {
        return false;
      }
    } else ok = value === m.value;
    return m.isEqual === false ? !ok : ok;
  });
}

function matcherText(m) {
  const op = (m.isEqual === false ? '!' : '=') + (m.isRegex ? '~' : m.isEqual === false ? '=' : '');
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

function silencesView(silences, now, url, view) {
  const head = h('h2', { id: 'silences', class: 'section-title', tabindex: '-1' }, 'Silences');
  if (!Array.isArray(silences)) return h('section', null, head, notice('error', `Cannot list the silences: ${silences.message}`));
  const showExpired = url.values.expired === '1';
  const expired = silences.filter((s) => s.status?.state === 'expired').length;
  const shown = silences.filter((s) => showExpired || s.status?.state !== 'expired');
  const toggle = expired
    ? h(
        'label',
        { class: 'check' },
        h('input', {
          type: 'checkbox',
          checked: showExpired,
          dataset: { focus: 'show-expired' },
          onchange: (e) => {
            url.set('expired', e.target.checked ? '1' : '');
            view.redraw();
          },
        }),
        ` Show expired (${expired})`,
      )
    : null;
  const body = shown.length
    ? table(
        ['State', 'Matchers', 'Starts', 'Ends', 'Created by', 'Comment'],
        shown.map((s) => [
          badge(s.status?.state || 'unknown', SILENCE_TONE[s.status?.state] || 'muted'),
          h('span', { class: 'chips' }, (s.matchers || []).map((m) => h('span', { class: 'chip' }, matcherText(m)))),
          whenInFull(s.startsAt, now),
          whenInFull(s.endsAt, now),
          s.createdBy,
          s.comment,
        ]),
        'silences',
      )
    : empty(
        expired ? 'No active or pending silences. ' : 'No silences. ',
        'Silence alerts with ',
        [`argus alerts silence add 'alertname="Name"' --duration 2h --comment 'why'`],
        '; they mute the notifications this server sends.',
      );
  return h('section', { class: 'silences' }, h('div', { class: 'section-head' }, head, toggle), body);
}
