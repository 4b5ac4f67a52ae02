// A Grafana dashboard at `/d/<uid>/<slug>`: the time picker (`from`, `to`, `tz`, `refresh`
// in the URL), the variables (`var-NAME`), and the panels on Grafana's 24-column grid, rows
// collapsed and expanded. Each panel asks for its data once it is near the screen, with
// the step Grafana's Prometheus data source would ask for; a new range or variable value
// cancels what is in flight and asks again.
import { h, replace, notice } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { seriesName } from '../lib/format.js';
import { parseTime, QUICK_RANGES, REFRESH_INTERVALS, describeRange } from '../lib/dash/time.js';
import { calculateInterval, parseInterval, prometheusBuiltins, autoInterval } from '../lib/dash/interval.js';
import { interpolate, parseVariableQuery, queryResultLines, applyRegex, sortOptions, customOptions, intervalOptions, seriesName as seriesLabel } from '../lib/dash/vars.js';
import { drawTimeseries } from '../lib/dash/timeseries.js';
import { drawStat, drawGauge, drawBarGauge, drawText, drawTable } from '../lib/dash/panels.js';
import CAPABILITIES from '../lib/dash/capabilities.json';

const PROMETHEUS = { type: 'prometheus', uid: 'argus-prometheus', name: 'argus (Prometheus)' };
const LOKI = { type: 'loki', uid: 'argus-loki', name: 'argus (Loki)' };
// argus scrapes every 15 s unless told otherwise; Grafana's Prometheus data source assumes
// the same when it is not told its scrape interval.
const SCRAPE_INTERVAL = '15s';
const ROW_HEIGHT = 30;
const GAP = 8;

export function render(root) {
  const uid = decodeURIComponent(location.pathname.split('/')[2] || '');
  const controller = new AbortController();
  let dashboard = null;
  let leave = () => {};
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  api
    .grafana(`/api/dashboards/uid/${encodeURIComponent(uid)}`, undefined, controller.signal)
    .then((answer) => {
      dashboard = answer.dashboard;
      document.title = `${dashboard.title} · argus`;
      leave = show(root, dashboard, answer.meta);
    })
    .catch((e) => {
      if (e.name === 'AbortError') return;
      replace(root, notice('error', e.status === 404 ? `No dashboard has the uid ${uid}. ` : e.message, h('a', { href: '/dashboards' }, 'All dashboards')));
    });
  return () => {
    controller.abort();
    leave();
  };
}

function show(root, dash, meta) {
  const params = new URLSearchParams(location.search);
  const state = {
    from: params.get('from') || dash.time?.from || 'now-6h',
    to: params.get('to') || dash.time?.to || 'now',
    tz: params.get('tz') || dash.timezone || 'browser',
    refresh: params.has('refresh') ? params.get('refresh') : dash.refresh || '',
  };
  const variables = (dash.templating?.list || []).map((v) => ({ def: v, options: [], current: initialCurrent(v, params) }));
  let generation = 0;
  let timer = null;
  let runs = new AbortController();
  const panelViews = [];
  const utc = () => state.tz === 'utc';

  function range() {
    const now = Date.now();
    const from = parseTime(state.from, now, false, utc());
    const to = parseTime(state.to, now, true, utc());
    return { from: from ?? now - 6 * 3600e3, to: to ?? now };
  }

  function saveUrl() {
    const q = new URLSearchParams();
    q.set('from', state.from);
    q.set('to', state.to);
    if (state.tz !== (dash.timezone || 'browser')) q.set('tz', state.tz);
    if (state.refresh) q.set('refresh', state.refresh);
    for (const v of variables) for (const x of [].concat(v.current.value)) q.append(`var-${v.def.name}`, x);
    history.replaceState(null, '', `${location.pathname}?${q}`);
  }

  // --- the bar: time picker, refresh, save and export ---------------------------------------
  const fromInput = h('input', { class: 'time', value: state.from, size: 14, 'aria-label': 'From' });
  const toInput = h('input', { class: 'time', value: state.to, size: 14, 'aria-label': 'To' });
  const rangeError = h('span', { class: 'error-text' });
  const quick = h(
    'select',
    { 'aria-label': 'Quick ranges', onchange: (e) => e.target.value && setRange(...e.target.value.split('|')) },
    h('option', { value: '' }, describeRange(state.from, state.to, utc())),
    QUICK_RANGES.map((r) => h('option', { value: `${r.from}|${r.to}` }, r.display)),
  );
  function setRange(from, to) {
    const now = Date.now();
    if (parseTime(from, now, false, utc()) === null || parseTime(to, now, true, utc()) === null) {
      replace(rangeError, `Not a time: ${parseTime(from, now) === null ? from : to}`);
      return;
    }
    replace(rangeError);
    Object.assign(state, { from, to });
    fromInput.value = from;
    toInput.value = to;
    quick.options[0].textContent = describeRange(from, to, utc());
    quick.value = '';
    refreshAll(true);
  }
  const refreshSelect = h(
    'select',
    {
      'aria-label': 'Auto refresh',
      onchange: (e) => {
        state.refresh = e.target.value;
        schedule();
        saveUrl();
      },
    },
    h('option', { value: '' }, 'Auto refresh off'),
    (dash.timepicker?.refresh_intervals || REFRESH_INTERVALS).map((r) => h('option', { value: r, selected: r === state.refresh }, `Every ${r}`)),
  );
  const tzSelect = h(
    'select',
    {
      'aria-label': 'Time zone',
      onchange: (e) => {
        state.tz = e.target.value;
        refreshAll(true);
      },
    },
    h('option', { value: 'browser', selected: state.tz !== 'utc' }, 'Browser time'),
    h('option', { value: 'utc', selected: state.tz === 'utc' }, 'UTC'),
  );
  const saveMessage = h('span', { class: 'muted save-message' });
  const bar = h(
    'div',
    { class: 'dash-bar' },
    h('h1', null, h('a', { href: '/dashboards', class: 'muted' }, 'Dashboards'), ' / ', dash.title),
    h(
      'div',
      { class: 'dash-time' },
      quick,
      fromInput,
      h('span', { class: 'muted' }, 'to'),
      toInput,
      h('button', { class: 'secondary', onclick: () => setRange(fromInput.value.trim(), toInput.value.trim()) }, 'Apply'),
      tzSelect,
      refreshSelect,
      h('button', { class: 'primary', title: 'Query every panel again', onclick: () => refreshAll(false) }, 'Refresh'),
      h('button', { class: 'secondary', title: 'Save this time range and these variable values as the dashboard\u2019s defaults, in its file', onclick: () => save() }, 'Save'),
      h('button', { class: 'secondary', title: 'Download the dashboard as Grafana JSON', onclick: () => exportJson() }, 'Export'),
      saveMessage,
      rangeError,
    ),
  );

  async function save() {
    const copy = JSON.parse(JSON.stringify(dash));
    copy.time = { from: state.from, to: state.to };
    copy.refresh = state.refresh;
    for (const [i, v] of variables.entries()) {
      const def = copy.templating.list[i];
      def.current = { text: v.current.text, value: v.current.value };
    }
    try {
      const saved = await api.grafana('/api/dashboards/db', { dashboard: copy, overwrite: false });
      dash.version = saved.version;
      replace(saveMessage, `Saved to ${meta.file} (version ${saved.version})`);
    } catch (e) {
      replace(saveMessage, h('span', { class: 'error-text' }, e.message));
    }
  }

  function exportJson() {
    const blob = new Blob([JSON.stringify(dash, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${dash.uid}.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // --- variables --------------------------------------------------------------------------
  const varBar = h('div', { class: 'dash-vars' });

  /** The scope variables are interpolated with: each variable's value, and the built-ins. */
  function scope(extra = {}) {
    const s = {};
    const { from, to } = range();
    for (const v of variables) {
      const isAll = [].concat(v.current.value).includes('$__all');
      s[v.def.name] = {
        value: isAll ? v.options.filter((o) => o.value !== '$__all').map((o) => o.value) : v.current.value,
        text: v.current.text,
        multi: !!v.def.multi,
        includeAll: !!v.def.includeAll,
        allValue: v.def.allValue || undefined,
        isAll,
        options: v.options,
      };
    }
    // An interval variable on `auto` is the range cut into `auto_count` steps.
    for (const v of variables) {
      if (v.def.type === 'interval' && [].concat(v.current.value).includes('$__auto_interval')) {
        s[v.def.name] = { value: autoInterval(to - from, v.def.auto_count || 30, v.def.auto_min || '10s').interval };
      }
    }
    const plain = (value) => ({ value: String(value) });
    Object.assign(s, { __from: plain(from), __to: plain(to), __dashboard: plain(dash.title), __user: plain('admin'), __org: plain('argus') });
    for (const [k, v] of Object.entries(extra)) s[k] = plain(v);
    return s;
  }

  async function loadOptions(v, signal) {
    const d = v.def;
    const { from, to } = range();
    let options = [];
    switch (d.type) {
      case 'custom':
        options = customOptions(d.query || '');
        break;
      case 'constant':
      case 'textbox':
        options = [{ text: String(d.query ?? ''), value: String(d.query ?? '') }];
        break;
      case 'interval':
        options = intervalOptions(d.query || '');
        if (d.auto) options.unshift({ text: 'auto', value: '$__auto_interval' });
        break;
      case 'datasource': {
        const kind = d.query === 'loki' ? LOKI : d.query === 'prometheus' ? PROMETHEUS : null;
        options = kind ? [{ text: kind.name, value: kind.uid }] : [];
        break;
      }
      case 'query':
        // `refresh: 0` ("never") keeps the options saved in the dashboard, when it has some.
        options = !d.refresh && d.options?.length ? d.options.map((o) => ({ text: String(o.text), value: String(o.value) })) : await queryOptions(v, from, to, signal);
        break;
      default:
        options = [];
    }
    options = sortOptions(options, d.sort || 0);
    if (d.includeAll) options.unshift({ text: 'All', value: '$__all' });
    v.options = options;
    // The current value stays when it is still offered (or is free text); else the first.
    const values = [].concat(v.current.value);
    const offered = values.filter((x) => options.some((o) => o.value === x));
    if (d.type === 'textbox') return;
    if (offered.length && offered.length === values.length) return;
    const first = options[0];
    v.current = first ? { text: d.multi ? [first.text] : first.text, value: d.multi ? [first.value] : first.value } : { text: '', value: '' };
  }

  async function queryOptions(v, from, to, signal) {
    const d = v.def;
    const ds = datasourceOf(d.datasource, scope());
    const q = parseVariableQuery(typeof d.query === 'object' && d.query ? d.query : String(d.query || d.definition || ''));
    const text = (x) => interpolate(x || '', scope(), { format: ds.type === 'loki' ? 'loki' : 'prometheus' });
    const range = { start: Math.floor(from / 1000), end: Math.ceil(to / 1000) };
    let values = [];
    const loki = ds.type === 'loki';
    const ns = (ms) => String(BigInt(Math.floor(ms)) * 1000000n);
    switch (q?.kind) {
      case 'label_names':
        values = loki
          ? await api.get('/loki/api/v1/labels', { start: ns(from), end: ns(to), query: q.selector ? text(q.selector) : undefined }, signal)
          : await api.get('/api/v1/labels', { ...range, 'match[]': q.selector ? text(q.selector) : undefined }, signal);
        break;
      case 'label_values': {
        const selector = q.selector || q.metric;
        values = loki
          ? await api.get(`/loki/api/v1/label/${encodeURIComponent(q.label)}/values`, { start: ns(from), end: ns(to), query: selector ? text(selector) : undefined }, signal)
          : await api.get(`/api/v1/label/${encodeURIComponent(q.label)}/values`, { ...range, 'match[]': selector ? text(selector) : undefined }, signal);
        break;
      }
      case 'metrics': {
        const all = await api.get('/api/v1/label/__name__/values', range, signal);
        let re = null;
        try {
          re = new RegExp(text(q.regex || q.metric || ''));
        } catch {
          re = null;
        }
        values = re ? all.filter((m) => re.test(m)) : all;
        break;
      }
      case 'series': {
        const found = await api.get('/api/v1/series', { ...range, 'match[]': text(q.selector) }, signal);
        values = found.map((labels) => seriesLabel(labels));
        break;
      }
      case 'query_result': {
        const data = await api.post('/api/v1/query', { query: text(q.expr), time: range.end }, signal);
        values = queryResultLines(data);
        break;
      }
      default:
        throw new Error(`variable ${d.name}: cannot read the query ${JSON.stringify(d.query)}`);
    }
    return applyRegex(values || [], d.regex || '');
  }

  async function loadVariables(onlyTimeDependent) {
    for (const v of variables) {
      if (onlyTimeDependent && v.def.refresh !== 2) continue;
      try {
        await loadOptions(v, runs.signal);
        v.error = null;
      } catch (e) {
        if (e.name === 'AbortError') throw e;
        v.error = e.message;
      }
    }
    drawVariables();
  }

  function drawVariables() {
    replace(
      varBar,
      variables
        .filter((v) => v.def.hide !== 2 && v.def.type !== 'constant')
        .map((v) => {
          const label = v.def.hide === 1 ? null : h('span', { class: 'var-label' }, v.def.label || v.def.name);
          let control;
          if (v.def.type === 'textbox') {
            control = h('input', {
              value: [].concat(v.current.value)[0] || '',
              'aria-label': v.def.label || v.def.name,
              onchange: (e) => {
                v.current = { text: e.target.value, value: e.target.value };
                changed(v);
              },
            });
          } else {
            const chosen = new Set([].concat(v.current.value));
            control = h(
              'select',
              {
                multiple: !!v.def.multi,
                size: v.def.multi ? Math.min(4, Math.max(2, v.options.length)) : undefined,
                'aria-label': v.def.label || v.def.name,
                onchange: (e) => {
                  const picked = [...e.target.selectedOptions].map((o) => v.options[o.index]);
                  v.current = v.def.multi
                    ? { text: picked.map((o) => o.text), value: picked.map((o) => o.value) }
                    : { text: picked[0]?.text ?? '', value: picked[0]?.value ?? '' };
                  changed(v);
                },
              },
              v.options.map((o) => h('option', { value: o.value, selected: chosen.has(o.value) }, o.text)),
            );
          }
          return h('label', { class: 'dash-var' }, label, control, v.error ? h('span', { class: 'error-text', title: v.error }, ' ⚠') : null);
        }),
    );
  }

  /** A variable changed: the ones after it may depend on it (chained), then the panels. */
  async function changed(v) {
    runs.abort();
    runs = new AbortController();
    const after = variables.slice(variables.indexOf(v) + 1);
    try {
      for (const w of after) await loadOptions(w, runs.signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    drawVariables();
    saveUrl();
    redrawPanels();
  }

  // --- panels -----------------------------------------------------------------------------
  const body = h('div', { class: 'dash-body' });

  /** The dashboard cut at its rows: [{row, panels}], the first with no row. */
  function sections() {
    const out = [{ row: null, panels: [] }];
    for (const p of dash.panels || []) {
      if (p.type === 'row') out.push({ row: p, panels: p.collapsed ? p.panels || [] : [] });
      else out[out.length - 1].panels.push(p);
    }
    return out.filter((s) => s.row || s.panels.length);
  }

  function drawBody() {
    panelViews.splice(0).forEach((v) => v.destroy());
    const observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (!e.isIntersecting) continue;
          observer.unobserve(e.target);
          e.target.__panel?.run();
        }
      },
      { rootMargin: '200px' },
    );
    const nodes = sections().map((s) => {
      const grid = h('div', { class: 'dash-grid' });
      const fill = () => {
        const top = Math.min(...s.panels.map((p) => p.gridPos?.y ?? 0));
        for (const p of s.panels) {
          const view = panelView(p, top);
          panelViews.push(view);
          grid.append(view.el);
          view.el.__panel = view;
          observer.observe(view.el);
        }
      };
      const open = !s.row || !s.row.collapsed;
      if (open) fill();
      if (!s.row) return grid;
      const head = h(
        'button',
        {
          class: 'dash-row',
          'aria-expanded': String(open),
          onclick: () => {
            const now = head.getAttribute('aria-expanded') !== 'true';
            head.setAttribute('aria-expanded', String(now));
            grid.hidden = !now;
            if (now && !grid.firstChild) fill();
          },
        },
        h('span', { class: 'chevron', 'aria-hidden': 'true' }),
        interpolate(s.row.title || '', scope(), { format: 'text' }),
        h('span', { class: 'muted' }, ` (${s.panels.length} panel${s.panels.length === 1 ? '' : 's'})`),
      );
      grid.hidden = !open;
      return h('section', { class: 'dash-section' }, head, grid);
    });
    replace(body, nodes);
    return observer;
  }

  function panelView(p, top) {
    const g = p.gridPos || { x: 0, y: 0, w: 12, h: 8 };
    const content = h('div', { class: 'panel-content' });
    const status = h('span', { class: 'panel-status' });
    const title = interpolate(p.title || '', scope(), { format: 'text' });
    const el = h(
      'div',
      {
        class: `dash-panel kind-${p.type}`,
        style: { gridColumn: `${g.x + 1} / span ${g.w}`, gridRow: `${g.y - top + 1} / span ${g.h}`, minHeight: `${g.h * ROW_HEIGHT + (g.h - 1) * GAP}px` },
      },
      h('div', { class: 'panel-title', title: p.description || '' }, h('span', null, title), status),
      content,
    );
    let drawn = null;
    let controller = null;
    let wanted = false;
    async function run() {
      wanted = true;
      controller?.abort();
      controller = new AbortController();
      const mine = generation;
      const signal = controller.signal;
      if (!CAPABILITIES.panels.includes(p.type)) {
        replace(content, notice('info', `argus does not draw ${p.type} panels (argus dashboards check lists what it does not draw).`));
        return;
      }
      if (p.type === 'text') {
        drawText(content, p, (t) => interpolate(t, scope(), { format: 'text' }));
        return;
      }
      replace(status, '…');
      try {
        const frames = await queryPanel(p, content.clientWidth || el.clientWidth || 600, signal);
        if (mine !== generation || signal.aborted) return;
        replace(status);
        drawn?.destroy?.();
        drawn = null;
        const series = frames.series;
        if (!series.length) {
          replace(content, h('div', { class: 'no-data' }, p.fieldConfig?.defaults?.noValue ?? 'No data'));
          return;
        }
        content.classList.remove('tiles');
        if (p.type === 'timeseries') drawn = drawTimeseries(content, p, frames.xs, series, { utc: utc(), sync: dash.graphTooltip ? `dash-${dash.uid}` : null });
        else if (p.type === 'stat') drawStat(content, p, series);
        else if (p.type === 'gauge') drawGauge(content, p, series);
        else if (p.type === 'bargauge') drawBarGauge(content, p, series);
        else if (p.type === 'table') drawTable(content, p, series);
      } catch (e) {
        if (e.name === 'AbortError') return;
        replace(status, h('span', { class: 'error-text', title: e.message }, '⚠'));
        replace(content, notice('error', e.message));
      }
    }
    return {
      el,
      run,
      rerun: () => wanted && run(),
      destroy() {
        controller?.abort();
        drawn?.destroy?.();
      },
    };
  }

  /**
   * A panel's data: each visible target asked of its data source, range queries on the
   * step Grafana would use (instant ones at the range's end), as {xs (seconds), series:
   * [{name, refId, labels, values, time}]} with the values of range results on `xs`.
   */
  async function queryPanel(p, widthPx, signal) {
    const { from, to } = range();
    const maxDataPoints = p.maxDataPoints || Math.max(100, Math.round(widthPx));
    const targets = (p.targets || []).filter((t) => !t.hide && (t.expr || '').trim());
    const results = await Promise.all(
      targets.map(async (t) => {
        const base = scope();
        const ds = datasourceOf(t.datasource || p.datasource, base);
        const frontend = calculateInterval({ rangeMs: to - from, maxDataPoints, minInterval: p.interval || SCRAPE_INTERVAL }).intervalMs;
        const builtins = prometheusBuiltins({
          startMs: from,
          endMs: to,
          intervalMs: frontend,
          maxDataPoints,
          minStep: t.interval || p.interval || '',
          scrapeInterval: SCRAPE_INTERVAL,
          intervalFactor: t.intervalFactor,
        });
        const s = { ...base };
        for (const [k, v] of Object.entries(builtins)) s[k] = { value: v };
        s.__auto = { value: builtins.__interval };
        const expr = interpolate(t.expr, s, { format: ds.type === 'loki' ? 'loki' : 'prometheus' });
        const stepS = Number(builtins.__interval_ms) / 1000;
        const instant = t.instant === true && t.range !== true;
        if (instant) {
          const data =
            ds.type === 'loki'
              ? await api.get('/loki/api/v1/query', { query: expr, time: String(BigInt(Math.floor(to)) * 1000000n) }, signal)
              : await api.post('/api/v1/query', { query: expr, time: to / 1000 }, signal);
          return { t, instant: true, data };
        }
        const start = Math.floor(from / 1000 / stepS) * stepS;
        const end = Math.floor(to / 1000 / stepS) * stepS;
        const q = { query: expr, start, end, step: stepS, format: 'columns' };
        const data = ds.type === 'loki' ? await api.get('/loki/api/v1/query_range', q, signal) : await api.post('/api/v1/query_range', q, signal);
        return { t, instant: false, data };
      }),
    );
    // One x axis for every range result: the union of their steps.
    const ranged = results.filter((r) => !r.instant && r.data.resultType === 'matrix');
    const xsSet = new Set();
    for (const r of ranged) for (let i = 0; i < (r.data.result[0]?.points.length || 0); i++) xsSet.add(r.data.start + i * r.data.step);
    const xs = [...xsSet].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    const series = [];
    for (const r of results) {
      const legend = (metric) => legendName(r.t.legendFormat, metric);
      if (r.instant || r.data.resultType !== 'matrix') {
        const items = r.data.resultType === 'vector' ? r.data.result : r.data.resultType === 'scalar' ? [{ metric: {}, value: r.data.result }] : [];
        for (const it of items) {
          const v = Number(it.value[1]);
          series.push({ name: legend(it.metric), refId: r.t.refId, labels: it.metric, values: [Number.isFinite(v) ? v : null], time: it.value[0] * 1000 });
        }
        continue;
      }
      for (const s of r.data.result) {
        const values = new Array(xs.length).fill(null);
        s.points.forEach((v, i) => {
          if (typeof v === 'number') values[index.get(r.data.start + i * r.data.step)] = v;
        });
        series.push({ name: legend(s.metric), refId: r.t.refId, labels: s.metric, values });
      }
    }
    return { xs, series };
  }

  function redrawPanels() {
    generation++;
    for (const v of panelViews) v.rerun();
  }

  async function refreshAll(reloadVariables) {
    runs.abort();
    runs = new AbortController();
    saveUrl();
    try {
      if (reloadVariables) await loadVariables(true);
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    redrawPanels();
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    const ms = state.refresh ? parseInterval(state.refresh) : null;
    // Grafana's floor for auto refresh is 5 s.
    if (ms) timer = setTimeout(() => refreshAll(false), Math.max(ms, 5000));
  }

  replace(root, bar, varBar, body);
  let observer = null;
  loadVariables(false)
    .catch(() => {})
    .then(() => {
      saveUrl();
      observer = drawBody();
      schedule();
    });
  return () => {
    runs.abort();
    clearTimeout(timer);
    observer?.disconnect();
    panelViews.forEach((v) => v.destroy());
  };
}

/** A variable's value from the URL (`var-NAME`, repeated for several), else its saved one. */
function initialCurrent(v, params) {
  const fromUrl = params.getAll(`var-${v.name}`);
  if (fromUrl.length) {
    const value = v.multi ? fromUrl : fromUrl[0];
    return { text: value, value };
  }
  if (v.current && v.current.value !== undefined) return { text: v.current.text ?? v.current.value, value: v.current.value };
  if (v.type === 'constant' || v.type === 'textbox') return { text: String(v.query ?? ''), value: String(v.query ?? '') };
  return { text: '', value: '' };
}

/** The data source a reference names: argus' Loki for a Loki reference, else Prometheus. */
function datasourceOf(ref, scope) {
  if (!ref) return PROMETHEUS;
  let uid = typeof ref === 'string' ? ref : ref.uid;
  const type = typeof ref === 'object' ? ref.type : null;
  if (typeof uid === 'string' && uid.includes('$')) uid = interpolate(uid, scope, { format: 'raw' });
  if (type === 'loki' || uid === LOKI.uid || /loki/i.test(uid || '')) return LOKI;
  return PROMETHEUS;
}

/** A series' name as Grafana writes it: the legend format with `{{label}}` filled in, else
 * the series' own name. */
function legendName(format, metric) {
  if (!format || format === '__auto') return seriesName(metric) || '{}';
  return format.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, k) => metric?.[k] ?? '');
}

