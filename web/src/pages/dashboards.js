// The Dashboards page: the Grafana dashboards of `argus serve --dashboards` (from
// /api/v1/dashboards), searchable and filtered by tag, files that fail to load listed with
// their reason; and import, by file or by pasting JSON, which saves the dashboard into the
// folder (Grafana's POST /api/dashboards/db) and opens it.
import { h, replace, notice } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { badge, contains, dataView, empty, filterBar, pageHead, searchBox, table, urlState } from '../lib/widgets.js';

export function render(root) {
  const url = urlState({ search: '', tag: '' });
  const view = dataView(
    (signal) => api.get('/api/v1/dashboards', {}, signal),
    (data) => draw(data),
  );
  const importBox = h('div', { class: 'import-box', hidden: true });
  const importButton = h('button', { class: 'secondary', onclick: () => toggleImport() }, 'Import');

  function toggleImport() {
    importBox.hidden = !importBox.hidden;
    if (!importBox.hidden && !importBox.firstChild) replace(importBox, importForm());
  }

  function draw(data) {
    const all = data.dashboards;
    const tags = [...new Set(all.flatMap((d) => d.tags))].sort();
    const shown = all.filter(
      (d) =>
        (contains(d.title, url.values.search) || contains(d.file, url.values.search)) &&
        (!url.values.tag || d.tags.includes(url.values.tag)),
    );
    const tagButton = (t) =>
      h(
        'button',
        {
          class: 'chip tag',
          'aria-pressed': String(url.values.tag === t),
          onclick: () => {
            url.set('tag', url.values.tag === t ? '' : t);
            view.redraw();
          },
        },
        t,
      );
    const rows = shown.map((d) => ({
      cells: [
        d.error ? h('span', null, d.title) : h('a', { href: d.url }, d.title),
        d.folder || h('span', { class: 'muted' }, 'General'),
        h('span', { class: 'chips' }, d.tags.map(tagButton)),
        h('code', null, d.file),
      ],
      class: d.error ? 'failed' : '',
      after: d.error ? h('div', { class: 'error-text' }, badge('not loaded', 'bad'), ' ', d.error) : null,
    }));
    return [
      filterBar(
        searchBox(url.values.search, (v) => {
          url.set('search', v);
          view.redraw();
        }, 'title or file'),
        tags.length ? h('div', { class: 'tags', role: 'group', 'aria-label': 'Tags' }, h('span', { class: 'filter-label' }, 'Tags'), tags.map(tagButton)) : null,
      ),
      all.length === 0
        ? empty('No dashboards yet. Put Grafana dashboard JSON files in ', [data.folder], ' (argus serve --dashboards DIR), or import one.')
        : shown.length === 0
          ? empty('No dashboard matches.')
          : table(['Dashboard', 'Folder', 'Tags', 'File'], rows, 'dashboards'),
    ];
  }

  replace(root, pageHead('Dashboards', importButton, view.button), importBox, view.el);
  view.refresh();
  return view.leave;
}

/** Import by file or pasted JSON: saved into the folder, then opened. */
function importForm() {
  const text = h('textarea', { rows: 8, placeholder: 'Paste a dashboard\u2019s JSON (Grafana\u2019s export), or choose a file', 'aria-label': 'Dashboard JSON' });
  const file = h('input', {
    type: 'file',
    accept: '.json,application/json',
    'aria-label': 'Dashboard file',
    onchange: async (e) => {
      const f = e.target.files[0];
      if (f) text.value = await f.text();
    },
  });
  const overwrite = h('input', { type: 'checkbox' });
  const message = h('div', { class: 'import-message' });
  async function save() {
    let dashboard;
    try {
      dashboard = JSON.parse(text.value);
    } catch (e) {
      replace(message, notice('error', `Not JSON: ${e.message}`));
      return;
    }
    // Grafana's API wraps a dashboard as {dashboard, meta}; an export is the dashboard.
    if (dashboard && dashboard.dashboard && typeof dashboard.dashboard === 'object') dashboard = dashboard.dashboard;
    try {
      const saved = await api.grafana('/api/dashboards/db', { dashboard, overwrite: overwrite.checked });
      location.assign(saved.url);
    } catch (e) {
      replace(message, notice('error', e.message));
    }
  }
  return h(
    'div',
    { class: 'import-form' },
    h('div', { class: 'import-row' }, file, h('label', null, overwrite, ' Replace a dashboard of the same uid')),
    text,
    h('div', { class: 'import-row' }, h('button', { class: 'primary', onclick: save }, 'Import and open')),
    message,
  );
}
