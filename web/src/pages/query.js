// The Query page: panels of an editor with Table and Graph tabs, for PromQL and LogQL, with
// Prometheus' URL state (`g0.expr`, `g0.tab`, `g0.range_input`...), so that alert
// generatorURLs and bookmarks open the query they name.
import { h, replace, select, checkbox, notice } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { createEditor, looksLikeLogQL, remember } from '../lib/editor.js';
import { drawGraph } from '../lib/graph.js';
import { formatDuration, formatTime, parseDuration, parseTime, seriesName } from '../lib/format.js';

const RANGES = ['5m', '15m', '30m', '1h', '2h', '6h', '12h', '1d', '2d', '1w', '2w', '4w'];
const DENSITY = { low: 100, medium: 250, high: 750 };
const FIXED_STEPS = [10, 30, 60, 300, 900, 3600];
const TABLE_LIMIT = 10000;

/** A panel's settings, read from the URL parameters `g<i>.*` (Prometheus 3's and 2's). */
export function panelFromParams(params, i) {
  const g = (k) => params.get(`g${i}.${k}`);
  const tab = g('tab');
  const range = g('range_input');
  return {
    expr: g('expr') || '',
    tab: tab === 'table' || tab === '1' ? 'table' : tab === 'graph' || tab === '0' ? 'graph' : 'table',
    range: range && parseDuration(range) ? range : '1h',
    end: g('end_input') || '',
    moment: g('moment_input') || '',
    resType: ['auto', 'fixed', 'custom'].includes(g('res_type')) ? g('res_type') : g('step_input') ? 'custom' : 'auto',
    density: DENSITY[g('res_density')] ? g('res_density') : 'medium',
    step: Number(g('res_step') || g('step_input')) || 0,
    stacked: g('display_mode') === 'stacked' || g('stacked') === '1',
    yFromZero: g('y_axis_min') === '0',
    lang: g('lang') === 'logql' ? 'logql' : g('lang') === 'promql' ? 'promql' : null,
  };
}

export function panelToParams(p, i, params) {
  const set = (k, v) => {
    if (v !== '' && v !== null && v !== undefined) params.set(`g${i}.${k}`, String(v));
  };
  set('expr', p.expr);
  set('tab', p.tab);
  set('range_input', p.range);
  set('end_input', p.end);
  set('moment_input', p.moment);
  set('res_type', p.resType);
  if (p.resType === 'auto') set('res_density', p.density);
  if (p.resType !== 'auto') set('res_step', p.step);
  set('display_mode', p.stacked ? 'stacked' : 'lines');
  if (p.yFromZero) set('y_axis_min', '0');
  if (p.lang) set('lang', p.lang);
}

/** The step of a graph, in seconds: Prometheus' automatic resolution, or the one chosen. */
export function graphStep(p, rangeSeconds) {
  if (p.resType !== 'auto' && p.step > 0) return p.step;
  return Math.max(Math.floor(rangeSeconds / DENSITY[p.density]), 1);
}

export function render(root) {
  const params = new URLSearchParams(location.search);
  const panels = [];
  for (let i = 0; params.has(`g${i}.expr`) || params.has(`g${i}.tab`); i++) panels.push(panelFromParams(params, i));
  if (panels.length === 0) panels.push(panelFromParams(new URLSearchParams(), 0));

  const list = h('div', { class: 'panels' });
  const saveUrl = () => {
    const q = new URLSearchParams();
    views.forEach((v, i) => panelToParams(v.state, i, q));
    history.replaceState(null, '', `${location.pathname}?${q}`);
  };
  const views = [];
  const add = (state) => {
    const v = panelView(state, saveUrl, () => {
      views.splice(views.indexOf(v), 1);
      v.el.remove();
      v.destroy();
      saveUrl();
    });
    views.push(v);
    list.append(v.el);
    return v;
  };
  panels.forEach(add);
  // The queries are sent before the panels are laid out, so that the server works while
  // the browser does.
  views.forEach((v) => v.state.expr && v.run());
  replace(
    root,
    list,
    h('button', { class: 'add-panel', onclick: () => add(panelFromParams(new URLSearchParams(), 0)).focus() }, '+ Add query'),
  );
  views[0]?.focus();
  return () => views.forEach((v) => v.destroy());
}

function panelView(state, onState, onRemove) {
  const el = h('section', { class: 'panel' });
  const editorBox = h('div', { class: 'editor' });
  const status = h('span', { class: 'status-line' });
  const body = h('div', { class: 'panel-body' });
  let controller = null;
  let graph = null;
  if (!state.lang) state.lang = looksLikeLogQL(state.expr) ? 'logql' : 'promql';

  const editor = createEditor(editorBox, {
    doc: state.expr,
    lang: state.lang,
    onRun: () => run(),
    onChange: (text) => {
      state.expr = text;
      editor.clearError();
    },
  });
  const langSelect = select(
    [
      ['promql', 'PromQL'],
      ['logql', 'LogQL'],
    ],
    state.lang,
    (v) => {
      state.lang = v;
      editor.setLanguage(v);
      onState();
    },
    { 'aria-label': 'Query language', class: 'lang' },
  );
  const formatButton = h('button', { class: 'secondary', title: 'Format the expression (PromQL)', onclick: format }, 'Format');
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const options = h('div', { class: 'panel-options' });

  function setTab(tab) {
    state.tab = tab;
    onState();
    drawTabs();
    run();
  }
  function drawTabs() {
    replace(
      tabs,
      ['table', 'graph'].map((t) =>
        h(
          'button',
          {
            role: 'tab',
            class: state.tab === t ? 'tab active' : 'tab',
            'aria-selected': state.tab === t ? 'true' : 'false',
            onclick: () => setTab(t),
          },
          t === 'table' ? 'Table' : 'Graph',
        ),
      ),
    );
    drawOptions();
  }
  function drawOptions() {
    if (state.tab === 'table') {
      replace(
        options,
        h('label', null, 'Evaluation time ', timeInput(state.moment, 'now', (v) => ((state.moment = v), onState(), run()))),
      );
      return;
    }
    const rangeInput = h('input', {
      class: 'range',
      value: state.range,
      size: 6,
      'aria-label': 'Range',
      list: 'ranges',
      onchange: (e) => {
        if (parseDuration(e.target.value)) {
          state.range = e.target.value.trim();
          onState();
          run();
        } else e.target.value = state.range;
      },
    });
    const shift = (dir) => {
      const r = parseDuration(state.range);
      const i = RANGES.findIndex((x) => parseDuration(x) >= r);
      const next = RANGES[Math.min(RANGES.length - 1, Math.max(0, (i < 0 ? RANGES.length : i) + dir))];
      state.range = next;
      onState();
      drawOptions();
      run();
    };
    const resolution = select(
      [
        ['auto:low', 'Auto: low res.'],
        ['auto:medium', 'Auto: medium res.'],
        ['auto:high', 'Auto: high res.'],
        ...FIXED_STEPS.map((s) => [`fixed:${s}`, `Fixed: ${formatDuration(s)}`]),
        ['custom', 'Custom step…'],
      ],
      state.resType === 'auto' ? `auto:${state.density}` : state.resType === 'fixed' ? `fixed:${state.step}` : 'custom',
      (v) => {
        if (v.startsWith('auto:')) Object.assign(state, { resType: 'auto', density: v.slice(5) });
        else if (v.startsWith('fixed:')) Object.assign(state, { resType: 'fixed', step: Number(v.slice(6)) });
        else Object.assign(state, { resType: 'custom', step: state.step || 60 });
        onState();
        drawOptions();
        run();
      },
      { 'aria-label': 'Resolution' },
    );
    const custom =
      state.resType === 'custom'
        ? h('input', {
            class: 'step',
            size: 5,
            value: formatDuration(state.step),
            'aria-label': 'Step',
            onchange: (e) => {
              const s = parseDuration(e.target.value);
              if (s) {
                state.step = s;
                onState();
                run();
              } else e.target.value = formatDuration(state.step);
            },
          })
        : null;
    replace(
      options,
      h('span', { class: 'group' }, h('button', { class: 'icon', title: 'Shorter range', onclick: () => shift(-1) }, '−'), rangeInput, h('button', { class: 'icon', title: 'Longer range', onclick: () => shift(1) }, '+')),
      h('label', null, 'End ', timeInput(state.end, 'now', (v) => ((state.end = v), onState(), run()))),
      resolution,
      custom,
      checkbox('Stacked', state.stacked, (v) => ((state.stacked = v), onState(), run())),
      checkbox('Y axis from 0', state.yFromZero, (v) => ((state.yFromZero = v), onState(), run())),
    );
  }

  async function format() {
    if (state.lang !== 'promql' || !state.expr.trim()) return;
    try {
      const text = await api.post('/api/v1/format_query', { query: state.expr });
      editor.setText(text);
    } catch (e) {
      editor.showError(e.message, e.position);
    }
  }

  async function run() {
    controller?.abort();
    graph?.destroy();
    graph = null;
    const expr = state.expr.trim();
    if (!expr) {
      replace(body);
      replace(status);
      return;
    }
    remember(expr);
    onState();
    controller = new AbortController();
    const signal = controller.signal;
    replace(status, 'Loading…');
    const began = performance.now();
    try {
      if (state.tab === 'table') await runTable(expr, signal, began);
      else await runGraph(expr, signal, began);
    } catch (e) {
      if (e.name === 'AbortError') return;
      replace(status);
      replace(body, notice('error', e.message));
      editor.showError(e.message, e.position);
    }
  }

  async function runTable(expr, signal, began) {
    const time = state.moment ? parseTime(state.moment) / 1000 : undefined;
    let data;
    if (state.lang === 'logql') {
      const logQuery = !/^\s*[a-z_]+\s*(\(|by|without)/.test(expr) && expr.trim().startsWith('{');
      data = logQuery
        ? await api.get('/loki/api/v1/query_range', { query: expr, limit: 100, end: time, direction: 'backward' }, signal)
        : await api.get('/loki/api/v1/query', { query: expr, time }, signal);
    } else {
      data = await api.post('/api/v1/query', { query: expr, time }, signal);
    }
    const ms = Math.round(performance.now() - began);
    replace(body, resultTable(data));
    const n = resultCount(data);
    replace(status, `${n} result${n === 1 ? '' : 's'} · ${ms} ms`);
  }

  async function runGraph(expr, signal, began) {
    const range = parseDuration(state.range) || 3600;
    const end = state.end ? parseTime(state.end) / 1000 : Date.now() / 1000;
    const step = graphStep(state, range);
    // Aligned on the step, as Prometheus' UI asks, so that repeated queries hit the same points.
    const alignedEnd = Math.floor(end / step) * step;
    const start = alignedEnd - range;
    // Columns of numbers, which the browser parses ten times faster than Prometheus' pairs.
    const q = { query: expr, start, end: alignedEnd, step, format: 'columns' };
    const data =
      state.lang === 'logql'
        ? await api.get('/loki/api/v1/query_range', q, signal)
        : await api.post('/api/v1/query_range', q, signal);
    const ms = Math.round(performance.now() - began);
    if (data.resultType !== 'matrix') {
      replace(status);
      replace(
        body,
        notice(
          'info',
          data.resultType === 'streams'
            ? 'A log query draws no graph: its lines are in the Table tab, or wrap it in a metric query such as count_over_time(… [1m]).'
            : `The result is a ${data.resultType}; only range vectors draw as a graph.`,
        ),
      );
      return;
    }
    const result = data.result;
    replace(status, `${result.length} series · ${ms} ms · step ${formatDuration(step)}`);
    if (result.length === 0) {
      replace(body, notice('info', 'No data in this range.'));
      return;
    }
    const box = h('div', { class: 'graph' });
    replace(body, box);
    graph = drawGraph(box, result, {
      start: data.start,
      step: data.step,
      stacked: state.stacked,
      yFromZero: state.yFromZero,
      onZoom: (from, to) => {
        state.range = formatDuration(Math.max(1, Math.round(to - from)));
        state.end = formatTime(to * 1000);
        onState();
        drawOptions();
        run();
      },
    });
  }

  replace(
    el,
    h(
      'div',
      { class: 'panel-head' },
      editorBox,
      h(
        'div',
        { class: 'panel-actions' },
        langSelect,
        formatButton,
        h('button', { class: 'primary', onclick: () => run() }, 'Execute'),
        h('button', { class: 'icon', title: 'Remove this query', 'aria-label': 'Remove this query', onclick: onRemove }, '×'),
      ),
    ),
    h('div', { class: 'panel-bar' }, tabs, options, status),
    body,
  );
  drawTabs();

  return {
    el,
    state,
    run,
    focus: () => editor.focus(),
    destroy() {
      controller?.abort();
      graph?.destroy();
      editor.view.destroy();
    },
  };
}

function timeInput(value, placeholder, onchange) {
  return h('input', {
    class: 'time',
    value,
    placeholder,
    size: 18,
    title: 'Local time, e.g. 2026-12-07 21:00; empty for now',
    onchange: (e) => {
      const v = e.target.value.trim();
      if (v === '' || parseTime(v) !== null) onchange(v);
      else e.target.value = value;
    },
  });
}

/** How many rows the table shows: series, log lines, or one scalar or string. */
export function resultCount(data) {
  switch (data.resultType) {
    case 'scalar':
    case 'string':
      return 1;
    case 'streams':
      return data.result.reduce((n, s) => n + s.values.length, 0);
    default:
      return data.result.length;
  }
}

/** The table of an instant query's result (or of log lines). */
export function resultTable(data) {
  const { resultType, result } = data;
  if (resultType === 'scalar' || resultType === 'string') {
    return h('table', { class: 'result' }, h('tr', null, h('td', null, resultType), h('td', { class: 'num' }, result[1])));
  }
  if (!result.length) return notice('info', 'Empty result.');
  const rows = result.slice(0, TABLE_LIMIT);
  const more =
    result.length > TABLE_LIMIT ? notice('warning', `Showing ${TABLE_LIMIT} of ${result.length} results.`) : null;
  if (resultType === 'vector') {
    return h(
      'div',
      null,
      more,
      h(
        'table',
        { class: 'result' },
        rows.map((s) => h('tr', null, h('td', { class: 'series' }, seriesName(s.metric)), h('td', { class: 'num' }, s.value[1]))),
      ),
    );
  }
  if (resultType === 'matrix') {
    return h(
      'div',
      null,
      more,
      h(
        'table',
        { class: 'result' },
        rows.map((s) =>
          h(
            'tr',
            null,
            h('td', { class: 'series' }, seriesName(s.metric)),
            h('td', { class: 'num' }, s.values.map(([t, v]) => h('div', null, `${v} @${t}`))),
          ),
        ),
      ),
    );
  }
  if (resultType === 'streams') {
    const lines = [];
    for (const s of rows) for (const [ns, line] of s.values) lines.push([Number(ns) / 1e6, s.stream, line]);
    lines.sort((a, b) => b[0] - a[0]);
    return h(
      'table',
      { class: 'result logs' },
      lines.map(([ms, stream, line]) =>
        h('tr', null, h('td', { class: 'time' }, formatTime(ms)), h('td', { class: 'series' }, seriesName(stream)), h('td', { class: 'line' }, line)),
      ),
    );
  }
  return notice('error', `unknown result type ${resultType}`);
}
