// The metrics explorer: every metric name in the store with its type, help and series count;
// searchable and sortable, and a click opens the metric on the Query page.
import { h, replace, notice, select } from '../lib/dom.js';
import * as api from '../lib/api.js';

/** Rows of the explorer from the APIs' answers: names, metadata, series counts by name. */
export function explorerRows(names, metadata, counts) {
  return names.map((name) => {
    // A histogram's or summary's series (`_bucket`, `_count`, `_sum`) and OpenMetrics'
    // counters (`_total`) are described under their family's name.
    const family = metadata[name] ? name : name.replace(/_(bucket|count|sum|total|created)$/, '');
    const meta = (metadata[family] || [])[0] || {};
    return { name, type: meta.type || '', help: meta.help || '', unit: meta.unit || '', series: counts.get(name) ?? null };
  });
}

/** Whether `name` matches the search: every space-separated word is a substring (any case). */
export function matches(row, search) {
  const hay = `${row.name} ${row.help}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

export function render(root) {
  const params = new URLSearchParams(location.search);
  let search = params.get('search') || '';
  let sort = params.get('sort') === 'series' ? 'series' : 'name';
  let rows = [];
  const body = h('div', { class: 'panel-body' });
  const status = h('span', { class: 'status-line' });
  const input = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search metric names and help',
    'aria-label': 'Search metrics',
    value: search,
    oninput: (e) => {
      search = e.target.value;
      draw();
    },
  });

  function draw() {
    const q = new URLSearchParams();
    if (search) q.set('search', search);
    if (sort !== 'name') q.set('sort', sort);
    history.replaceState(null, '', `/metrics-explorer${q.toString() ? '?' + q : ''}`);
    const shown = rows.filter((r) => matches(r, search));
    if (sort === 'series') shown.sort((a, b) => (b.series ?? -1) - (a.series ?? -1) || a.name.localeCompare(b.name));
    replace(status, `${shown.length} of ${rows.length} metrics`);
    if (!rows.length) {
      replace(body, notice('info', 'No metrics stored yet: `argus scrape`, `argus ingest` or remote_write send them.'));
      return;
    }
    const limit = 2000;
    replace(
      body,
      h(
        'table',
        { class: 'explorer' },
        h('thead', null, h('tr', null, h('th', null, 'Metric'), h('th', null, 'Type'), h('th', { class: 'num' }, 'Series'), h('th', null, 'Help'))),
        h(
          'tbody',
          null,
          shown.slice(0, limit).map((r) =>
            h(
              'tr',
              null,
              h('td', { class: 'name' }, h('a', { href: `/query?g0.expr=${encodeURIComponent(r.name)}&g0.tab=table` }, r.name)),
              h('td', null, r.type ? h('span', { class: `type type-${r.type}` }, r.type) : ''),
              h('td', { class: 'num' }, r.series === null ? '' : r.series.toLocaleString()),
              h('td', { class: 'help' }, r.help),
            ),
          ),
        ),
      ),
      shown.length > limit ? notice('info', `Showing the first ${limit}; narrow the search to see the rest.`) : null,
    );
  }

  async function load() {
    replace(status, 'Loading…');
    try {
      const [names, metadata, tsdb] = await Promise.all([
        api.get('/api/v1/label/__name__/values'),
        api.get('/api/v1/metadata').catch(() => ({})),
        api.get('/api/v1/status/tsdb', { limit: 100000 }).catch(() => null),
      ]);
      const counts = new Map((tsdb?.seriesCountByMetricName || []).map((x) => [x.name, x.value]));
      rows = explorerRows(names, metadata, counts);
      draw();
    } catch (e) {
      replace(status);
      replace(body, notice('error', e.message));
    }
  }

  replace(
    root,
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'panel-head' },
        input,
        h(
          'label',
          null,
          'Sort ',
          select(
            [
              ['name', 'by name'],
              ['series', 'by series count'],
            ],
            sort,
            (v) => {
              sort = v;
              draw();
            },
            { 'aria-label': 'Sort' },
          ),
        ),
        h('button', { class: 'secondary', onclick: load }, 'Refresh'),
        status,
      ),
      body,
    ),
  );
  load();
  input.focus();
}
