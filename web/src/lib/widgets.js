// Pieces the status pages (Alerts, Rules, Targets, Status, Flags, Configuration) share: a
// page's head with its Refresh button, a view that loads data and draws it, filters kept in
// the URL, toggles, badges, label chips, times as "3m ago" with the instant on hover,
// expanders, and tables that stack on a phone.
import { h, replace, notice } from './dom.js';
import { ago, apiTime, formatTime } from './format.js';

/**
 * A page's filters kept in the URL's query string, so that a filtered view can be
 * bookmarked: `values` holds them, `set(key, value)` changes one (defaults stay out of the URL).
 */
export function urlState(defaults) {
  const params = new URLSearchParams(location.search);
  const values = {};
  for (const [k, d] of Object.entries(defaults)) values[k] = params.get(k) ?? d;
  return {
    values,
    set(key, value) {
      values[key] = value;
      const q = new URLSearchParams();
      for (const [k, d] of Object.entries(defaults)) if (values[k] !== d) q.set(k, values[k]);
      const s = q.toString();
      history.replaceState(null, '', s ? `${location.pathname}?${s}` : location.pathname);
    },
  };
}

/**
 * Data loaded from the server and drawn: `load(signal)` fetches it, `draw(data)` returns the
 * nodes to show, and is called again by `redraw` when a filter changes. An element drawn with
 * a `data-focus` key gets the focus back after a redraw, so that keyboard users stay put.
 */
export function dataView(load, draw) {
  const el = h('div', { class: 'page-body' });
  const button = h('button', { class: 'refresh', title: 'Load again from the server', onclick: () => refresh() }, 'Refresh');
  let controller = null;
  let data;
  let error = null;

  async function refresh() {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    // Not disabled while loading: a disabled button would lose the keyboard's focus.
    button.classList.add('busy');
    el.setAttribute('aria-busy', 'true');
    try {
      data = await load(signal);
      error = null;
    } catch (e) {
      if (e.name === 'AbortError') return;
      error = e;
    } finally {
      if (!signal.aborted) {
        button.classList.remove('busy');
        el.removeAttribute('aria-busy');
      }
    }
    redraw();
  }

  function redraw() {
    const key = document.activeElement?.dataset?.focus;
    if (error) replace(el, notice('error', error.message));
    else if (data === undefined) replace(el, h('p', { class: 'muted' }, 'Loading…'));
    else replace(el, draw(data));
    if (key) el.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
  }

  redraw();
  return { el, button, refresh, redraw, leave: () => controller?.abort() };
}

/** The title of a page, with `actions` (the Refresh button) on its right. */
export function pageHead(title, ...actions) {
  return h('div', { class: 'page-head' }, h('h1', null, title), h('div', { class: 'page-actions' }, actions));
}

/** A row of filters above a page's content. */
export function filterBar(...children) {
  return h('div', { class: 'filters' }, children);
}

/** A labelled search input; `oninput` gets its text at each keystroke. */
export function searchBox(value, oninput, placeholder) {
  return h(
    'label',
    { class: 'search' },
    h('span', { class: 'filter-label' }, 'Search'),
    h('input', { type: 'search', value, placeholder, oninput: (e) => oninput(e.target.value) }),
  );
}

/**
 * Buttons of which some are pressed (`multi`) or exactly one is: `options` are [value,
 * label] pairs, `chosen` a Set of values, `onchange` gets the new Set. Each button has a
 * count that `counts[value]` (a span) shows; the buttons stay in place when pressed, so
 * that the focus does not move.
 */
export function toggles(label, options, chosen, onchange, { multi = false } = {}) {
  const counts = {};
  const buttons = options.map(([value, text, tone]) => {
    counts[value] = h('span', { class: 'count' });
    const b = h(
      'button',
      {
        class: `toggle${tone ? ` tone-${tone}` : ''}`,
        'aria-pressed': String(chosen.has(value)),
        onclick: () => {
          if (multi) {
            if (chosen.has(value)) chosen.delete(value);
            else chosen.add(value);
          } else {
            chosen.clear();
            chosen.add(value);
          }
          buttons.forEach((x, i) => x.setAttribute('aria-pressed', String(chosen.has(options[i][0]))));
          onchange(chosen);
        },
      },
      text,
      counts[value],
    );
    return b;
  });
  const el = h('div', { class: 'toggles', role: 'group', 'aria-label': label }, h('span', { class: 'filter-label' }, label), buttons);
  return { el, counts };
}

/** A coloured word: `tone` is good, warn, bad, info or muted. */
export function badge(text, tone = 'muted', title) {
  return h('span', { class: `badge tone-${tone}`, title }, text);
}

/** A label set as chips (`name="value"`), in name order, leaving out the names in `skip`. */
export function labelChips(labels, skip = []) {
  const names = Object.keys(labels || {})
    .filter((k) => !skip.includes(k))
    .sort();
  return h(
    'span',
    { class: 'chips' },
    names.map((k) => h('span', { class: 'chip' }, h('span', { class: 'chip-name' }, k), '=', JSON.stringify(labels[k]))),
  );
}

/** `k="v", ...` as one line (a title to hover). */
export function labelsText(labels) {
  return Object.keys(labels || {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ');
}

/** An API time as "3m ago", with the local instant on hover; "never" for Go's zero time. */
export function when(text, now = Date.now()) {
  const ms = apiTime(text);
  if (ms === null) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: text, title: formatTime(ms) }, ago(ms, now));
}

/** An API time as "3m ago" above the local instant. */
export function whenInFull(text, now = Date.now()) {
  const ms = apiTime(text);
  if (ms === null) return h('span', { class: 'muted' }, 'never');
  return h('span', { class: 'when' }, h('time', { datetime: text }, ago(ms, now)), h('span', { class: 'muted instant' }, formatTime(ms)));
}

let expanderIds = 0;

/**
 * A button that shows and hides what `body()` draws below it (drawn when first shown).
 * `open` is the initial state; `onToggle(open)` lets the page remember it across redraws.
 */
export function expander({ head, body, open = false, onToggle, className = '' }) {
  const id = `x${++expanderIds}`;
  const region = h('div', { class: 'expander-body', id, hidden: !open });
  const button = h(
    'button',
    {
      class: 'expander',
      'aria-expanded': String(open),
      'aria-controls': id,
      onclick: () => {
        const now = button.getAttribute('aria-expanded') !== 'true';
        button.setAttribute('aria-expanded', String(now));
        region.hidden = !now;
        if (now && !region.firstChild) replace(region, body());
        onToggle?.(now);
      },
    },
    h('span', { class: 'chevron', 'aria-hidden': 'true' }),
    head,
  );
  if (open) replace(region, body());
  return h('div', { class: `expandable ${className}` }, button, region);
}

/**
 * A table whose rows become cards on a narrow screen (unless `stack` is false), each cell
 * headed by its column's name.
 * `columns` are names (or [name, class]); `rows` are arrays of cells, or {cells, class, after}
 * where `after` is a node shown on a row of its own below (an error).
 */
export function table(columns, rows, className = '', { stack = true } = {}) {
  const cols = columns.map((c) => (Array.isArray(c) ? c : [c, '']));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: `data${stack ? ' stack' : ''} ${className}` },
      h('thead', null, h('tr', null, cols.map(([name, cls]) => h('th', { scope: 'col', class: cls }, name)))),
      h(
        'tbody',
        null,
        rows.map((row) => {
          const r = Array.isArray(row) ? { cells: row } : row;
          const tr = h(
            'tr',
            { class: r.class },
            // One element per cell, so that the phone's layout (a grid of name and value) holds.
            r.cells.map((cell, i) => h('td', { class: cols[i][1], 'data-label': cols[i][0] }, h('div', null, cell))),
          );
          return r.after ? [tr, h('tr', { class: 'after' }, h('td', { colspan: cols.length }, r.after))] : tr;
        }),
      ),
    ),
  );
}

/** A table of names and values; rows whose value is null are left out. */
export function kvTable(rows) {
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      null,
      rows.filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v))),
    ),
  );
}

/** A message for an empty page, with `code` parts in monospace: pass [text] arrays for code. */
export function empty(...parts) {
  return notice('info', parts.map((p) => (Array.isArray(p) ? h('code', null, p[0]) : p)));
}

/** Whether `text` holds `query`, ignoring case; an empty query matches everything. */
export function contains(text, query) {
  return !query || text.toLowerCase().includes(query.toLowerCase());
}
