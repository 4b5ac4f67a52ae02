// The Logs page, Grafana Explore's log view for LogQL: a volume histogram by level over the
// range (click or drag a bar to zoom), the lines newest or oldest first with a level colour,
// options (time, unique labels, wrap, pretty JSON, dedup), row details whose "filter for" and
// "filter out" rewrite the query, context lines around a row, live tail over the WebSocket,
// and download as text or JSON. Thousands of lines stay smooth: only the rows near the
// screen are in the page (lib/vlist.js).
import uPlot from 'uplot';
import { h, replace, select, checkbox, notice } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { createEditor, remember } from '../lib/editor.js';
import { formatDuration, formatTime, parseDuration, parseTime, seriesName } from '../lib/format.js';
import { LEVELS, LEVEL_COLOURS, LEVEL_LABELS, LEVEL_WORDS, levelOf, normalizeLevel } from '../lib/levels.js';
import { timeTicks } from '../lib/graph.js';
import { virtualList } from '../lib/vlist.js';
import { isLogQuery, parseFields, withFieldFilter, withLabelFilter, withMatcher } from '../lib/logql-edit.js';

const RANGES = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '2d', '7d'];
const STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const DEDUP = ['none', 'exact', 'numbers', 'signature'];
const OPTIONS_KEY = 'argus.logs.options';
const DETECT = `(?i)\\b(?P<detected_level>${LEVEL_WORDS.join('|')})\\b`;

/** The volume's step: about 80 bars over the range, on a round duration. */
export function volumeStep(rangeSeconds) {
  const raw = rangeSeconds / 80;
  return STEPS.find((s) => s >= raw) || 86400;
}

/** The key consecutive lines are compared by, for each dedup mode. */
export function dedupKey(mode, line) {
  switch (mode) {
    case 'exact':
      return line.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, '');
    case 'numbers':
      return line.replace(/\d+(\.\d+)?/g, '0');
    case 'signature':
      return line.replace(/[A-Za-z0-9]/g, '');
    default:
      return null;
  }
}

/**
 * Entries of a streams result, each {ns (BigInt), ms, labels, line, level}, sorted. When the
 * answer has categorized labels (a third element per line), an entry also has `stream` (its
 * stream's own labels), `metadata` and `parsed`, and `labels` are all of them together.
 */
export function entriesOf(streams, newestFirst) {
  const out = [];
  for (const s of streams) {
    for (const [ns, line, extra] of s.values) {
      const n = BigInt(ns);
      const metadata = extra?.structuredMetadata;
      const parsed = extra?.parsed;
      const labels = metadata || parsed ? { ...s.stream, ...metadata, ...parsed } : s.stream;
      const e = { ns: n, ms: Number(n / 1000000n), labels, line, level: levelOf(labels, line) };
      if (extra) Object.assign(e, { stream: s.stream, metadata: metadata || {}, parsed: parsed || {} });
      out.push(e);
    }
  }
  out.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  if (newestFirst) out.reverse();
  return out;
}

/** Label names whose values differ among the entries' label sets. */
export function uniqueLabelNames(entries) {
  const seen = new Map();
  for (const e of entries) {
    for (const [k, v] of Object.entries(e.labels)) {
      if (!seen.has(k)) seen.set(k, new Set());
      seen.get(k).add(v);
    }
  }
  const names = [];
  for (const [k, values] of seen) {
    const everywhere = entries.every((e) => k in e.labels);
    if (values.size > 1 || !everywhere) names.push(k);
  }
  return names.sort();
}

function loadOptions() {
  const defaults = { time: true, unique: false, wrap: true, pretty: false, dedup: 'none', utc: false };
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(OPTIONS_KEY) || '{}') };
  } catch {
    return defaults;
  }
}

export function render(root) {
  const params = new URLSearchParams(location.search);
  const state = {
    expr: params.get('expr') || '',
    range: parseDuration(params.get('range') || '') ? params.get('range') : '1h',
    end: params.get('end') || '',
    limit: Math.min(5000, Math.max(1, Number(params.get('limit')) || 1000)),
    newestFirst: params.get('order') !== 'oldest',
  };
  const options = loadOptions();
  let entries = [];
  let controller = null;
  let volumePlot = null;
  let tail = null;

  const saveUrl = () => {
    const q = new URLSearchParams();
    if (state.expr) q.set('expr', state.expr);
    q.set('range', state.range);
    if (state.end) q.set('end', state.end);
    q.set('limit', String(state.limit));
    q.set('order', state.newestFirst ? 'newest' : 'oldest');
    history.replaceState(null, '', `/logs?${q}`);
  };
  const saveOptions = () => {
    try {
      localStorage.setItem(OPTIONS_KEY, JSON.stringify(options));
    } catch {
      // Options are a convenience.
    }
  };

  const editorBox = h('div', { class: 'editor' });
  const editor = createEditor(editorBox, {
    doc: state.expr,
    lang: 'logql',
    placeholder: '{app="web"} |= "error"   (Enter runs)',
    onRun: () => run(),
    onChange: (t) => {
      state.expr = t;
      editor.clearError();
    },
  });
  const status = h('span', { class: 'status-line' });
  const volumeBox = h('div', { class: 'volume' });
  const rowsBox = h('div', { class: 'log-rows' });
  const messages = h('div');
  const liveButton = h('button', { class: 'secondary', onclick: () => (tail ? stopTail() : startTail()) }, 'Live');
  const pauseButton = h('button', { class: 'secondary', hidden: true, onclick: () => tail?.togglePause() }, 'Pause');

  function setQuery(q) {
    editor.setText(q);
    state.expr = q;
    run();
  }

  const rangeSelect = () =>
    select(
      RANGES.includes(state.range) ? RANGES : [state.range, ...RANGES],
      state.range,
      (v) => {
        state.range = v;
        run();
      },
      { 'aria-label': 'Range' },
    );
  const rangeBox = h('span');
  const redrawRange = () => replace(rangeBox, rangeSelect());
  redrawRange();

  const optionBar = h('div', { class: 'log-options' });
  function drawOptions() {
    const set = (k) => (v) => {
      options[k] = v;
      saveOptions();
      drawRows();
    };
    replace(
      optionBar,
      checkbox('Time', options.time, set('time')),
      checkbox('UTC', options.utc, set('utc')),
      checkbox('Unique labels', options.unique, set('unique')),
      checkbox('Wrap lines', options.wrap, set('wrap')),
      checkbox('Prettify JSON', options.pretty, set('pretty')),
      h('label', null, 'Dedup ', select(DEDUP, options.dedup, set('dedup'), { 'aria-label': 'Deduplication' })),
      h(
        'label',
        null,
        'Order ',
        select(
          [
            ['newest', 'Newest first'],
            ['oldest', 'Oldest first'],
          ],
          state.newestFirst ? 'newest' : 'oldest',
          (v) => {
            state.newestFirst = v === 'newest';
            entries.reverse();
            saveUrl();
            drawRows();
          },
          { 'aria-label': 'Order' },
        ),
      ),
      h('button', { class: 'secondary', onclick: () => download('txt') }, 'Download text'),
      h('button', { class: 'secondary', onclick: () => download('json') }, 'Download JSON'),
    );
  }
  drawOptions();

  function timeWindow() {
    const range = parseDuration(state.range) || 3600;
    const end = state.end ? parseTime(state.end) / 1000 : Date.now() / 1000;
    return { start: end - range, end, range };
  }

  async function run() {
    list?.destroy();
    list = null;
    stopTail();
    controller?.abort();
    const expr = state.expr.trim();
    saveUrl();
    replace(messages);
    if (!expr) {
      replace(status);
      replace(rowsBox, notice('info', 'Type a LogQL query, e.g. {app="web"} |= "error", and press Enter.'), streamHints());
      replace(volumeBox);
      return;
    }
    if (!isLogQuery(expr)) {
      replace(
        rowsBox,
        notice('info', 'This is a metric query: ', h('a', { href: `/query?g0.expr=${encodeURIComponent(expr)}&g0.tab=graph&g0.lang=logql` }, 'draw it on the Query page'), '.'),
      );
      replace(volumeBox);
      return;
    }
    remember(expr);
    streamsOfRun = null;
    controller = new AbortController();
    const signal = controller.signal;
    const { start, end, range } = timeWindow();
    replace(status, 'Loading…');
    const began = performance.now();
    const lines = api.get(
      '/loki/api/v1/query_range',
      {
        query: expr,
        start: Math.floor(start * 1e9).toString(),
        end: Math.floor(end * 1e9).toString(),
        limit: state.limit,
        direction: state.newestFirst ? 'backward' : 'forward',
      },
      signal,
      api.CATEGORIZE_LABELS,
    );
    const volume = drawVolume(expr, start, end, range, signal);
    try {
      const data = await lines;
      entries = entriesOf(data.result, state.newestFirst);
      const ms = Math.round(performance.now() - began);
      replace(
        status,
        `${entries.length} line${entries.length === 1 ? '' : 's'}${entries.length >= state.limit ? ` (the limit; raise it with ?limit=, up to 5000)` : ''} · ${ms} ms`,
      );
      drawRows();
    } catch (e) {
      if (e.name === 'AbortError') return;
      replace(status);
      replace(rowsBox);
      replace(messages, notice('error', e.message));
      editor.showError(e.message, e.position);
    }
    await volume;
  }

  function streamHints() {
    // With no query yet, offer the stream labels the store has.
    const box = h('div', { class: 'hints' });
    api
      .get('/loki/api/v1/labels')
      .then((names) => {
        if (names.length)
          replace(box, 'Stream labels: ', names.map((n) => h('button', { class: 'chip', onclick: () => pickLabel(n) }, n)));
        else replace(box, notice('info', 'No logs stored yet: `argus ingest logs` or a Loki client (Promtail, Alloy) sends them.'));
      })
      .catch(() => {
        // Hints are optional.
      });
    return box;
  }
  async function pickLabel(name) {
    const values = await api.get(`/loki/api/v1/label/${encodeURIComponent(name)}/values`).catch(() => []);
    if (values.length) setQuery(`{${name}=${JSON.stringify(values[0])}}`);
  }

  async function drawVolume(expr, start, end, range, signal) {
    volumePlot?.destroy();
    volumePlot = null;
    const step = volumeStep(range);
    const by = LEVEL_LABELS.join(', ');
    // Streams without a level label get the first level word of each line, as
    // `detected_level` (what Loki 3 detects at ingestion).
    const query = `sum by (${by}) (count_over_time(${expr} | regexp ${JSON.stringify(DETECT)} [${formatDuration(step)}]))`;
    let data;
    try {
      data = await api.get('/loki/api/v1/query_range', { query, start: Math.floor(start), end: Math.ceil(end), step }, signal);
    } catch (e) {
      if (e.name !== 'AbortError') replace(volumeBox, notice('warning', `Volume: ${e.message}`));
      return;
    }
    // One column of counts per level, on the steps of the range.
    const first = Math.floor(start / step) * step + step;
    const n = Math.max(1, Math.floor((end - first) / step) + 1);
    const xs = Array.from({ length: n }, (_, i) => first + i * step);
    const byLevel = new Map();
    for (const s of data.result) {
      let level = 'unknown';
      for (const k of LEVEL_LABELS) {
        if (s.metric[k]) {
          level = normalizeLevel(s.metric[k]);
          break;
        }
      }
      if (!byLevel.has(level)) byLevel.set(level, new Array(n).fill(null));
      const col = byLevel.get(level);
      for (const [t, v] of s.values) {
        const i = Math.round((t - first) / step);
        if (i >= 0 && i < n) col[i] = (col[i] || 0) + Number(v);
      }
    }
    const levels = LEVELS.filter((l) => byLevel.has(l));
    if (!levels.length) {
      lastVolume = null;
      replace(volumeBox);
      return;
    }
    lastVolume = [levels, byLevel, xs, n, step];
    paintVolume(levels, byLevel, xs, n, step);
  }

  function paintVolume(levels, byLevel, xs, n, step) {
    volumePlot?.destroy();
    // Stacked: each level's bar sits on those before it.
    const stacked = [];
    let below = new Array(n).fill(0);
    for (const l of levels) {
      const col = byLevel.get(l).map((v, i) => (v === null ? null : v + below[i]));
      below = col.map((v, i) => (v === null ? below[i] : v));
      stacked.push(col.map((v, i) => (v === null ? null : v)));
    }
    const canvasBox = h('div');
    const legend = h(
      'div',
      { class: 'volume-legend' },
      levels.map((l) => h('span', null, h('span', { class: 'swatch', style: { background: LEVEL_COLOURS[l] } }), l)),
    );
    replace(volumeBox, canvasBox, legend);
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue('--fg-muted').trim();
    const grid = css.getPropertyValue('--grid').trim();
    const bars = uPlot.paths.bars({ size: [0.9, 40], align: 1 });
    const top = levels.slice().reverse();
    volumePlot = new uPlot(
      {
        width: Math.max(200, volumeBox.clientWidth || 800),
        height: 110,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: fg, grid: { show: false }, ticks: { stroke: grid }, size: 30, values: (u, splits, a, sp, incr) => timeTicks(splits, incr, options.utc) },
          { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, size: 50, splits: (u, i, min, max) => [0, Math.round(max / 2), max] },
        ],
        // The highest stack first: each lower level is drawn over the bar it sits under.
        series: [{}, ...top.map((l) => ({ label: l, stroke: LEVEL_COLOURS[l], fill: LEVEL_COLOURS[l], paths: bars, points: { show: false } }))],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              zoom(from, to);
            },
          ],
          ready: [
            (u) =>
              u.over.addEventListener('click', () => {
                const i = u.cursor.idx;
                if (i !== null && i !== undefined && u.select.width < 3) zoom(xs[i] - step, xs[i]);
              }),
          ],
        },
      },
      [xs, ...stacked.slice().reverse()],
      canvasBox,
    );
  }

  // The volume is drawn again in the colours of a new theme.
  let lastVolume = null;
  const onTheme = () => {
    if (lastVolume) paintVolume(...lastVolume);
  };
  window.addEventListener('argus-theme', onTheme);

  function zoom(from, to) {
    state.range = formatDuration(Math.max(1, Math.round(to - from)));
    state.end = formatTime(to * 1000);
    redrawRange();
    run();
  }

  let list = null;
  function drawRows() {
    list?.destroy();
    list = null;
    rowsBox.classList.toggle('wrap', options.wrap);
    if (!entries.length) {
      replace(rowsBox, notice('info', 'No lines in this range.'));
      return;
    }
    const unique = options.unique ? uniqueLabelNames(entries) : [];
    // Consecutive duplicates (as the dedup mode sees them) become one row with a count.
    const rows = [];
    let lastKey = null;
    for (const e of entries) {
      const key = dedupKey(options.dedup, e.line);
      if (key !== null && rows.length && lastKey === key) {
        rows[rows.length - 1].count++;
        continue;
      }
      rows.push({ e, count: 1 });
      lastKey = key;
    }
    list = virtualList(rowsBox, rows.length, (i) => {
      const { e, count } = rows[i];
      const badge = h('span', { class: 'dup', hidden: count === 1 }, `×${count}`);
      return logRow(e, unique, badge);
    });
  }

  function logRow(e, unique, badge) {
    const line = options.pretty ? prettify(e.line) : e.line;
    const row = h(
      'div',
      {
        class: `log-row level-${e.level}`,
        role: 'listitem',
        tabindex: 0,
        title: 'Click for details',
        style: { borderLeftColor: LEVEL_COLOURS[e.level] },
        onclick: (ev) => {
          if (ev.target.closest('.log-details')) return;
          toggleDetails(row, e);
        },
        onkeydown: (ev) => {
          if (ev.key === 'Enter' && !ev.target.closest('.log-details')) toggleDetails(row, e);
        },
      },
      options.time ? h('span', { class: 'log-time' }, formatTime(e.ms, options.utc) + '.' + String(e.ms % 1000).padStart(3, '0')) : null,
      unique.length
        ? h('span', { class: 'log-labels' }, unique.filter((k) => k in e.labels).map((k) => h('span', { class: 'chip small' }, `${k}=${e.labels[k]}`)))
        : null,
      badge,
      h('span', { class: 'log-line' }, line),
    );
    return row;
  }

  // The stored streams of the query's selector in the range, to tell a row's stream labels
  // from the labels its pipeline or structured metadata added.
  let streamsOfRun = null;
  function storedStreams() {
    if (!streamsOfRun) {
      const { start, end } = timeWindow();
      const span = state.expr.indexOf('}');
      streamsOfRun = api
        .get('/loki/api/v1/series', {
          'match[]': state.expr.slice(0, span + 1),
          start: Math.floor(start * 1e9).toString(),
          end: Math.ceil(end * 1e9).toString(),
        })
        .catch(() => []);
    }
    return streamsOfRun;
  }

  /** The labels of the entry's own stream: the stored stream whose labels it carries. */
  async function streamLabelsOf(e) {
    if (e.stream) return e.stream;
    const series = await storedStreams();
    const fits = series.filter((s) => Object.entries(s).every(([k, v]) => e.labels[k] === v));
    // The stream with the most labels that fits (a sub-selector could fit too).
    fits.sort((a, b) => Object.keys(b).length - Object.keys(a).length);
    return fits[0] || e.labels;
  }

  async function toggleDetails(row, e) {
    const open = row.querySelector('.log-details');
    if (open) {
      open.remove();
      return;
    }
    const stream = await streamLabelsOf(e);
    // Categorized answers say which labels are structured metadata and which were parsed;
    // live-tailed lines do not, and show them together.
    const groups = e.stream
      ? [
          ['Structured metadata', Object.keys(e.metadata)],
          ['Parsed labels', Object.keys(e.parsed)],
        ]
      : [['Parsed labels and structured metadata', Object.keys(e.labels).filter((k) => !(k in stream))]];
    const { parser, fields: lineFields } = parseFields(e.line);
    // Fields of the line the pipeline has not already made labels.
    const fields = Object.fromEntries(Object.entries(lineFields).filter(([k]) => !(k in e.labels)));
    const filterButtons = (apply) =>
      h(
        'span',
        { class: 'filter-buttons' },
        h('button', { class: 'icon', title: 'Filter for this value', 'aria-label': 'Filter for this value', onclick: () => apply('=') }, '+'),
        h('button', { class: 'icon', title: 'Filter out this value', 'aria-label': 'Filter out this value', onclick: () => apply('!=') }, '−'),
      );
    const contextBox = h('div', { class: 'log-context' });
    const details = h(
      'div',
      { class: 'log-details' },
      h('div', { class: 'detail-head' }, `Level: ${e.level} · ${formatTime(e.ms, true)} UTC · ${e.ns} ns`),
      h(
        'table',
        { class: 'fields' },
        h('tr', null, h('th', { colspan: 3 }, 'Stream labels')),
        Object.keys(stream)
          .sort()
          .map((k) =>
            h('tr', null, h('td', null, filterButtons((op) => setQuery(withMatcher(state.expr, k, op, stream[k])))), h('td', { class: 'k' }, k), h('td', null, stream[k])),
          ),
        groups.map(([title, names]) => [
          names.length ? h('tr', null, h('th', { colspan: 3 }, title)) : null,
          names.sort().map((k) =>
            h('tr', null, h('td', null, filterButtons((op) => setQuery(withLabelFilter(state.expr, k, op, e.labels[k])))), h('td', { class: 'k' }, k), h('td', null, e.labels[k])),
          ),
        ]),
        Object.keys(fields).length ? h('tr', null, h('th', { colspan: 3 }, `Fields (${parser})`)) : null,
        Object.keys(fields).map((k) =>
          h('tr', null, h('td', null, filterButtons((op) => setQuery(withFieldFilter(state.expr, parser, k, op, fields[k])))), h('td', { class: 'k' }, k), h('td', null, fields[k])),
        ),
      ),
      h(
        'div',
        { class: 'detail-actions' },
        h('button', { class: 'secondary', onclick: () => showContext(e, contextBox) }, 'Show context'),
        h('button', { class: 'secondary', onclick: () => navigator.clipboard?.writeText(e.line) }, 'Copy line'),
      ),
      contextBox,
    );
    row.append(details);
  }

  async function showContext(e, box) {
    replace(box, 'Loading context…');
    try {
      const selector = await streamSelector(e);
      const around = 2 * 3600 * 1e9;
      const ns = e.ns;
      const [before, after] = await Promise.all([
        api.get('/loki/api/v1/query_range', {
          query: selector,
          start: (ns - BigInt(around)).toString(),
          end: ns.toString(),
          limit: 11,
          direction: 'backward',
        }),
        api.get('/loki/api/v1/query_range', {
          query: selector,
          start: (ns + 1n).toString(),
          end: (ns + BigInt(around)).toString(),
          limit: 10,
          direction: 'forward',
        }),
      ]);
      const older = entriesOf(before.result, false).filter((x) => !(x.ns === ns && x.line === e.line)).slice(-10);
      const newer = entriesOf(after.result, false);
      const line = (x, current) =>
        h('div', { class: current ? 'ctx current' : 'ctx' }, h('span', { class: 'log-time' }, formatTime(x.ms, options.utc)), ' ', x.line);
      replace(box, h('div', { class: 'ctx-head' }, `Context in ${selector}`), older.map((x) => line(x)), line(e, true), newer.map((x) => line(x)));
    } catch (err) {
      replace(box, notice('error', err.message));
    }
  }

  /** The selector of the entry's own stream. */
  async function streamSelector(e) {
    return seriesName(await streamLabelsOf(e));
  }

  function prettify(line) {
    const s = line.trim();
    if (!s.startsWith('{')) return line;
    try {
      return JSON.stringify(JSON.parse(s), null, 2);
    } catch {
      return line;
    }
  }

  function download(kind) {
    const blob =
      kind === 'json'
        ? new Blob([JSON.stringify(entries.map((e) => ({ time: new Date(e.ms).toISOString(), ns: e.ns.toString(), labels: e.labels, line: e.line })), null, 2)], { type: 'application/json' })
        : new Blob([entries.map((e) => `${new Date(e.ms).toISOString()} ${seriesName(e.labels)} ${e.line}\n`).join('')], { type: 'text/plain' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `logs.${kind}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // Live tail: new lines arrive over the WebSocket, newest first; pausing keeps them aside.
  function startTail() {
    const expr = state.expr.trim();
    if (!expr || !isLogQuery(expr)) return;
    controller?.abort();
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ query: expr, limit: String(Math.min(state.limit, 100)) });
    const ws = new WebSocket(`${proto}//${location.host}/loki/api/v1/tail?${q}`);
    let paused = false;
    let held = [];
    entries = [];
    state.newestFirst = true;
    drawRows();
    replace(status, 'Live: waiting for lines…');
    const take = (frame) => {
      const got = entriesOf(frame.streams || [], true);
      entries = [...got, ...entries].slice(0, state.limit);
      drawRows();
      replace(status, `Live: ${entries.length} lines`);
    };
    ws.onmessage = (m) => {
      let frame;
      try {
        frame = JSON.parse(m.data);
      } catch {
        return;
      }
      if (paused) {
        held.push(frame);
        replace(status, `Live (paused): ${held.reduce((n, f) => n + (f.streams || []).reduce((k, s) => k + s.values.length, 0), 0)} new lines waiting`);
      } else take(frame);
    };
    ws.onerror = () => replace(messages, notice('error', 'Live tail: the connection failed.'));
    ws.onclose = (ev) => {
      if (tail && tail.ws === ws) {
        replace(status, ev.reason ? `Live tail ended: ${ev.reason}` : 'Live tail ended.');
        stopTail();
      }
    };
    tail = {
      ws,
      togglePause() {
        paused = !paused;
        pauseButton.textContent = paused ? 'Resume' : 'Pause';
        if (!paused) {
          held.forEach(take);
          held = [];
        }
      },
    };
    liveButton.textContent = 'Stop';
    liveButton.classList.add('live');
    pauseButton.hidden = false;
    pauseButton.textContent = 'Pause';
  }

  function stopTail() {
    if (!tail) return;
    const { ws } = tail;
    tail = null;
    ws.close();
    liveButton.textContent = 'Live';
    liveButton.classList.remove('live');
    pauseButton.hidden = true;
  }

  replace(
    root,
    h(
      'section',
      { class: 'panel logs' },
      h(
        'div',
        { class: 'panel-head' },
        editorBox,
        h('div', { class: 'panel-actions' }, rangeBox, h('button', { class: 'primary', onclick: () => run() }, 'Run'), liveButton, pauseButton),
      ),
      h('div', { class: 'panel-bar' }, optionBar, status),
      messages,
      volumeBox,
      rowsBox,
    ),
  );
  run();
  editor.focus();
  return () => {
    list?.destroy();
    window.removeEventListener('argus-theme', onTheme);
    stopTail();
    controller?.abort();
    volumePlot?.destroy();
    editor.view.destroy();
  };
}
