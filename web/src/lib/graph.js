// A time-series chart (uPlot): range-query results drawn as lines, or stacked areas, with a
// legend that isolates a series on click, a tooltip with every label of the series under
// the cursor, and drag-to-zoom.
import uPlot from 'uplot';
import { h, replace } from './dom.js';
import { formatTime, seriesName, shortNumber } from './format.js';

// Colours that stay apart on light and dark backgrounds (as Prometheus' UI cycles a palette).
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd',
  '#e6550d', '#31a354', '#756bb1', '#636363',
];

export function colour(i) {
  return PALETTE[i % PALETTE.length];
}

/**
 * The x and y columns of a range result in argus' columns (`format=columns`: each series'
 * `points`, one per step from `start`): [xs, ys...] in seconds, with null where a series has
 * no sample (uPlot leaves a gap). Values that are not finite (sent as strings) are gaps too.
 */
export function columns(result, start, step) {
  const n = result.length ? result[0].points.length : 0;
  const xs = new Array(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * step;
  const ys = result.map((s) => {
    const col = s.points;
    for (let i = 0; i < col.length; i++) if (typeof col[i] !== 'number') col[i] = null;
    return col;
  });
  return [xs, ...ys];
}

/** Stacks columns: each becomes the running sum of itself and those before it. */
export function stack(ys) {
  const out = [];
  let below = null;
  for (const col of ys) {
    const sum = col.map((v, i) => (v === null ? (below ? below[i] : null) : v + ((below && below[i]) || 0)));
    out.push(sum);
    below = sum;
  }
  return out;
}

/**
 * Draws `result` (a matrix in columns, see `columns`) into `el`. Options: start, step
 * (seconds, the answer's), stacked,
 * yFromZero, utc, onZoom(start, end) called with the dragged range in seconds.
 * Returns {destroy()}.
 */
export function drawGraph(el, result, opts) {
  // Drawn again in the colours of a new theme when the theme changes.
  let current = draw(el, result, opts);
  const onTheme = () => {
    current.destroy();
    current = draw(el, result, opts);
  };
  window.addEventListener('argus-theme', onTheme);
  return {
    get plot() {
      return current.plot;
    },
    destroy() {
      window.removeEventListener('argus-theme', onTheme);
      current.destroy();
    },
  };
}

function draw(el, result, opts) {
  const { start, step, stacked = false, yFromZero = false, utc = false, onZoom } = opts;
  const aligned = columns(result, start, step);
  const raw = aligned.slice(1);
  const ys = stacked ? stack(raw) : raw;
  const names = result.map((s) => seriesName(s.metric));
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg-muted').trim() || '#666';
  const grid = css.getPropertyValue('--grid').trim() || '#ddd';

  const chartBox = h('div', { class: 'graph-canvas' });
  const tooltip = h('div', { class: 'graph-tooltip', hidden: true });
  const legend = h('div', { class: 'graph-legend' });
  replace(el, h('div', { class: 'graph-wrap' }, chartBox, tooltip), legend);

  const series = [
    { label: 'time' },
    ...names.map((name, i) => ({
      label: name,
      stroke: colour(i),
      width: 1,
      fill: stacked ? colour(i) + '66' : undefined,
      spanGaps: false,
      points: { show: false },
    })),
  ];
  const bands = stacked ? ys.slice(1).map((_, i) => ({ series: [i + 2, i + 1] })) : undefined;

  let focused = -1;
  const options = {
    width: Math.max(200, el.clientWidth || 800),
    height: 320,
    series,
    bands,
    legend: { show: false },
    cursor: {
      focus: { prox: 30 },
      drag: { x: true, y: false, setScale: false },
    },
    focus: { alpha: 0.3 },
    scales: {
      x: { time: true },
      y: {
        range: (u, min, max) => {
          if (min === null || max === null) return [0, 1];
          let lo = yFromZero ? Math.min(0, min) : min;
          let hi = yFromZero ? Math.max(0, max) : max;
          if (lo === hi) {
            lo -= Math.abs(lo) * 0.1 || 1;
            hi += Math.abs(hi) * 0.1 || 1;
          }
          return uPlot.rangeNum(lo, hi, 0.1, true);
        },
      },
    },
    axes: [
      {
        stroke: fg,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid },
        // Room for `HH:MM:SS` between ticks.
        space: 80,
        values: (u, splits, axis, space, incr) => timeTicks(splits, incr, utc),
      },
      {
        stroke: fg,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid },
        size: 60,
        values: (u, vals) => vals.map(shortNumber),
      },
    ],
    tzDate: utc ? (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : undefined,
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 5 || !onZoom) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          onZoom(from, to);
        },
      ],
      setSeries: [
        (u, i) => {
          focused = i === null ? -1 : i;
        },
      ],
      setCursor: [(u) => showTooltip(u)],
    },
  };
  const plot = new uPlot(options, [aligned[0], ...ys], chartBox);

  function showTooltip(u) {
    const idx = u.cursor.idx;
    if (idx === null || idx === undefined || u.cursor.left < 0) {
      tooltip.hidden = true;
      return;
    }
    // The focused series, else the one nearest the cursor at this step.
    let si = focused > 0 ? focused : nearest(u, idx);
    if (si < 1) {
      tooltip.hidden = true;
      return;
    }
    const value = raw[si - 1][idx];
    if (value === null || value === undefined) {
      tooltip.hidden = true;
      return;
    }
    const metric = result[si - 1].metric;
    replace(
      tooltip,
      h('div', { class: 'tt-time' }, formatTime(aligned[0][idx] * 1000, utc)),
      h(
        'div',
        { class: 'tt-value' },
        h('span', { class: 'swatch', style: { background: colour(si - 1) } }),
        metric.__name__ ? h('b', null, metric.__name__) : null,
        ': ',
        String(value),
      ),
      h(
        'table',
        { class: 'tt-labels' },
        Object.keys(metric)
          .filter((k) => k !== '__name__')
          .sort()
          .map((k) => h('tr', null, h('td', null, k), h('td', null, metric[k]))),
      ),
    );
    tooltip.hidden = false;
    const box = chartBox.getBoundingClientRect();
    const left = u.cursor.left + u.bbox.left / devicePixelRatio;
    const top = u.cursor.top + u.bbox.top / devicePixelRatio;
    const flip = left + 20 + tooltip.offsetWidth > box.width;
    tooltip.style.left = `${flip ? left - tooltip.offsetWidth - 12 : left + 16}px`;
    tooltip.style.top = `${Math.max(0, top - tooltip.offsetHeight / 2)}px`;
  }

  function nearest(u, idx) {
    const cursorVal = u.posToVal(u.cursor.top, 'y');
    let best = -1;
    let dist = Infinity;
    for (let i = 1; i < u.series.length; i++) {
      if (!u.series[i].show) continue;
      const v = u.data[i][idx];
      if (v === null || v === undefined) continue;
      const d = Math.abs(v - cursorVal);
      if (d < dist) {
        dist = d;
        best = i;
      }
    }
    return best;
  }

  // The legend: click isolates a series (again: all back); Ctrl/Cmd-click toggles one.
  let isolated = -1;
  const rows = names.map((name, i) =>
    h(
      'div',
      {
        class: 'legend-item',
        tabindex: 0,
        title: 'Click to show only this series; Ctrl-click to toggle it',
        onclick: (e) => toggle(i + 1, e.ctrlKey || e.metaKey),
        onkeydown: (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            toggle(i + 1, e.ctrlKey || e.metaKey);
          }
        },
      },
      h('span', { class: 'swatch', style: { background: colour(i) } }),
      name,
    ),
  );
  function toggle(si, single) {
    if (single) {
      plot.setSeries(si, { show: !plot.series[si].show });
      isolated = -1;
    } else if (isolated === si) {
      for (let i = 1; i < plot.series.length; i++) plot.setSeries(i, { show: true });
      isolated = -1;
    } else {
      for (let i = 1; i < plot.series.length; i++) plot.setSeries(i, { show: i === si });
      isolated = si;
    }
    rows.forEach((r, i) => r.classList.toggle('off', !plot.series[i + 1].show));
  }
  replace(legend, rows);

  const resize = new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: 320 });
  });
  resize.observe(el);
  chartBox.addEventListener('mouseleave', () => (tooltip.hidden = true));
  return {
    plot,
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/** Tick labels on a 24-hour clock: seconds when ticks are under a minute apart, the date
 * when they are a day or more apart, and the date under the first tick of each day. */
export function timeTicks(splits, incr, utc) {
  let day = null;
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const p = (n) => String(n).padStart(2, '0');
    const [Y, M, D, h, m, sec] = utc
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
    const date = `${Y}-${p(M)}-${p(D)}`;
    if (incr >= 86400) return date;
    const clock = incr < 60 ? `${p(h)}:${p(m)}:${p(sec)}` : `${p(h)}:${p(m)}`;
    const first = date !== day;
    day = date;
    return first ? `${clock}\n${date}` : clock;
  });
}
