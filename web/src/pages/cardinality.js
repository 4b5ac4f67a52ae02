// Cardinality, for metrics and logs alike: which metric, label or stream grew the store.
// Metrics from `/api/v1/status/tsdb` (Prometheus' TSDB status, with VictoriaMetrics'
// `match[]` and `focusLabel`), logs from `/api/v1/status/logs`. The same data as
// `argus store cardinality`.
import { h, replace, notice, select } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { formatTime } from '../lib/format.js';

const LIMITS = ['10', '20', '50', '100'];

/** A count with thousands separators; bytes as KiB/MiB/GiB. */
function count(n) {
  return Number(n).toLocaleString('en-US');
}
export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A table of {name, value} rows, with a bar for each value relative to the first, and a
 * click on a name when `pick` is given. */
function topTable(title, rows, { unit = count, nameTitle = 'Name', pick = null, total = null } = {}) {
  const max = rows.reduce((m, r) => Math.max(m, Number(r.value)), 0) || 1;
  return h(
    'div',
    { class: 'top-table' },
    h('h3', null, title),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'Nothing.')
      : h(
          'table',
          { class: 'explorer' },
          h('thead', null, h('tr', null, h('th', null, nameTitle), h('th', { class: 'num' }, unit === bytes ? 'Bytes' : 'Count'), total ? h('th', { class: 'num' }, 'Share') : null, h('th', { class: 'bar-cell' }))),
          h(
            'tbody',
            null,
            rows.map((r) =>
              h(
                'tr',
                null,
                h('td', { class: 'name' }, pick ? h('a', { href: '#', onclick: (e) => (e.preventDefault(), pick(r.name)) }, r.name) : r.name),
                h('td', { class: 'num' }, unit(r.value)),
                total ? h('td', { class: 'num' }, `${((100 * Number(r.value)) / total).toFixed(1)}%`) : null,
                h('td', { class: 'bar-cell' }, h('span', { class: 'bar', style: { width: `${(100 * Number(r.value)) / max}%` } })),
              ),
            ),
          ),
        ),
  );
}

export function render(root) {
  const params = new URLSearchParams(location.search);
  const state = {
    kind: params.get('kind') === 'logs' ? 'logs' : 'metrics',
    limit: LIMITS.includes(params.get('limit')) ? params.get('limit') : '10',
    match: params.get('match') || '',
    focus: params.get('focus') || '',
  };
  const body = h('div', { class: 'panel-body' });
  const status = h('span', { class: 'status-line' });
  const matchInput = h('input', {
    class: 'search',
    placeholder: state.kind === 'logs' ? 'Stream selector, e.g. {app="web"}' : 'Series selector, e.g. {job="node"}',
    'aria-label': 'Selector',
    value: state.match,
    onchange: (e) => ((state.match = e.target.value.trim()), load()),
  });
  const focusInput = h('input', {
    placeholder: 'label name',
    size: 14,
    'aria-label': 'Focus label',
    value: state.focus,
    onchange: (e) => ((state.focus = e.target.value.trim()), load()),
  });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  function drawTabs() {
    replace(
      tabs,
      ['metrics', 'logs'].map((k) =>
        h(
          'button',
          { role: 'tab', class: state.kind === k ? 'tab active' : 'tab', 'aria-selected': String(state.kind === k), onclick: () => ((state.kind = k), drawTabs(), load()) },
          k === 'metrics' ? 'Metrics' : 'Logs',
        ),
      ),
    );
    matchInput.placeholder = state.kind === 'logs' ? 'Stream selector, e.g. {app="web"}' : 'Series selector, e.g. {job="node"}';
  }

  const focusOn = (label) => {
    state.focus = label;
    focusInput.value = label;
    load();
  };
  const matchPair = (pair) => {
    const i = pair.indexOf('=');
    state.match = `{${pair.slice(0, i)}=${JSON.stringify(pair.slice(i + 1))}}`;
    matchInput.value = state.match;
    load();
  };

  async function load() {
    const q = new URLSearchParams();
    if (state.kind !== 'metrics') q.set('kind', state.kind);
    if (state.limit !== '10') q.set('limit', state.limit);
    if (state.match) q.set('match', state.match);
    if (state.focus) q.set('focus', state.focus);
    history.replaceState(null, '', `/tsdb-status${q.toString() ? '?' + q : ''}`);
    replace(status, 'Loading…');
    const args = { limit: state.limit, 'match[]': state.match || undefined, focusLabel: state.focus || undefined };
    try {
      const began = performance.now();
      const d = await api.get(state.kind === 'logs' ? '/api/v1/status/logs' : '/api/v1/status/tsdb', args);
      replace(status, `${Math.round(performance.now() - began)} ms`);
      replace(body, state.kind === 'logs' ? logsView(d) : metricsView(d));
    } catch (e) {
      replace(status);
      replace(body, notice('error', e.message));
    }
  }

  function headTable(rows) {
    return h('table', { class: 'kv' }, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))));
  }
  const span = (a, b) => (a || b ? `${formatTime(a)} – ${formatTime(b)}` : 'empty');

  function metricsView(d) {
    const s = d.headStats;
    if (!s.numSeries) return notice('info', state.match ? 'No series match this selector.' : 'No metrics stored yet.');
    return h(
      'div',
      null,
      headTable([
        ['Series', count(s.numSeries)],
        ['Label pairs', count(s.numLabelPairs)],
        ['Chunks', count(s.chunkCount)],
        ['Time range', span(s.minTime, s.maxTime)],
      ]),
      h(
        'div',
        { class: 'top-grid' },
        d.seriesCountByFocusLabelValue ? topTable(`Series by value of ${state.focus}`, d.seriesCountByFocusLabelValue, { nameTitle: 'Value', total: s.numSeries }) : null,
        topTable('Top metrics by series', d.seriesCountByMetricName, {
          nameTitle: 'Metric',
          total: s.numSeries,
          pick: (name) => (location.href = `/query?g0.expr=${encodeURIComponent(`count by (__name__) (${name})`)}&g0.tab=table`),
        }),
        topTable('Top labels by distinct values', d.labelValueCountByLabelName, { nameTitle: 'Label', pick: focusOn }),
        topTable('Top label pairs by series', d.seriesCountByLabelValuePair, { nameTitle: 'Pair', total: s.numSeries, pick: matchPair }),
        topTable('Top labels by memory', d.memoryInBytesByLabelName, { nameTitle: 'Label', unit: bytes, pick: focusOn }),
      ),
    );
  }

  function logsView(d) {
    const s = d.headStats;
    if (!s.numStreams) return notice('info', state.match ? 'No streams match this selector.' : 'No logs stored yet.');
    return h(
      'div',
      null,
      headTable([
        ['Streams', count(s.numStreams)],
        ['Entries', count(s.entries)],
        ['Bytes', bytes(s.bytes)],
        ['Label pairs', count(s.numLabelPairs)],
        ['Time range', span(s.minTime, s.maxTime)],
      ]),
      h(
        'div',
        { class: 'top-grid' },
        d.streamCountByFocusLabelValue ? topTable(`Streams by value of ${state.focus}`, d.streamCountByFocusLabelValue, { nameTitle: 'Value', total: s.numStreams }) : null,
        d.bytesByFocusLabelValue ? topTable(`Bytes by value of ${state.focus}`, d.bytesByFocusLabelValue, { nameTitle: 'Value', unit: bytes, total: s.bytes }) : null,
        topTable('Top labels by distinct values', d.labelValueCountByLabelName, { nameTitle: 'Label', pick: focusOn }),
        topTable('Top label pairs by streams', d.streamCountByLabelValuePair, { nameTitle: 'Pair', total: s.numStreams, pick: matchPair }),
        topTable('Top streams by bytes', d.bytesByStream, {
          nameTitle: 'Stream',
          unit: bytes,
          total: s.bytes,
          pick: (stream) => (location.href = `/logs?expr=${encodeURIComponent(stream)}`),
        }),
        topTable('Top label pairs by bytes', d.bytesByLabelValuePair, { nameTitle: 'Pair', unit: bytes, total: s.bytes, pick: matchPair }),
      ),
    );
  }

  replace(
    root,
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'panel-head' },
        tabs,
        matchInput,
        h('label', null, 'Focus label ', focusInput),
        h('label', null, 'Top ', select(LIMITS, state.limit, (v) => ((state.limit = v), load()), { 'aria-label': 'How many' })),
        h('button', { class: 'secondary', onclick: load }, 'Refresh'),
        status,
      ),
      body,
    ),
  );
  drawTabs();
  load();
}
