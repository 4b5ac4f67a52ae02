// Grafana's time series panel on uPlot: each series with its field config (colour, line
// width, fill opacity, lines, bars or points, negative-Y, hidden), stacking (normal and
// percent, by group), the y axis in the panel's unit, thresholds as lines or areas, a
// legend as a list or a table with calcs (min, mean, max...), and a tooltip of one series or
// all of them. A crosshair moved on one panel moves on the others of the dashboard when it
// asks (`graphTooltip`), through uPlot's cursor sync.
import uPlot from 'uplot';
import { h, replace } from '../dom.js';
import { formatTime } from '../format.js';
import { timeTicks } from '../graph.js';
import { axisFormatter } from './units.js';
import { CALC_NAMES, configFor, cssColour, display, displayText, reduce, seriesColour } from './fields.js';

/**
 * Draws `series` ([{name, refId, labels, values}], values one per x of `xs`, seconds) into
 * `el`. `ctx`: {utc, sync (a uPlot sync key or null), height}. Returns {destroy()}.
 */
export function drawTimeseries(el, panel, xs, series, ctx) {
  const defaults = panel.fieldConfig?.defaults || {};
  const opts = panel.options || {};
  const configs = series.map((s) => configFor(panel, s.name, s.refId, s.values));
  const shown = series.map((s, i) => !configs[i].custom?.hideFrom?.viz);
  // Values as drawn: negative-Y flips a series below the axis; stacking sums by group.
  const drawn = series.map((s, i) => (configs[i].custom?.transform === 'negative-Y' ? s.values.map((v) => (v === null ? null : -v)) : s.values));
  stackByGroup(drawn, configs, shown);

  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--fg-muted').trim() || '#666';
  const grid = css.getPropertyValue('--grid').trim() || '#ddd';
  const unit = defaults.unit || 'short';
  const tickFormat = axisFormatter(unit, defaults.decimals ?? undefined);
  const percentStack = configs.some((c) => c.custom?.stacking?.mode === 'percent');

  const uSeries = [{}];
  series.forEach((s, i) => {
    const c = configs[i];
    const custom = c.custom || {};
    const colour = seriesColour(c, i);
    const style = custom.drawStyle || 'line';
    const fillOpacity = custom.fillOpacity ?? 0;
    const hex = (a) => Math.round(Math.max(0, Math.min(1, a)) * 255).toString(16).padStart(2, '0');
    uSeries.push({
      label: c.displayName || s.name,
      stroke: colour,
      width: style === 'points' ? 0 : (custom.lineWidth ?? 1),
      fill: fillOpacity > 0 && colour.startsWith('#') ? colour + hex(fillOpacity / 100) : undefined,
      dash: custom.lineStyle?.fill === 'dash' ? custom.lineStyle.dash || [10, 10] : custom.lineStyle?.fill === 'dot' ? [0, 10] : undefined,
      paths: style === 'bars' ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined,
      points: { show: style === 'points' || custom.showPoints === 'always', size: custom.pointSize ?? 4, fill: colour },
      spanGaps: custom.spanNulls === true,
      show: shown[i],
      // A series placed on the right has the right axis, in its own unit.
      scale: custom.axisPlacement === 'right' ? 'y2' : 'y',
    });
  });

  const legendMode = opts.legend?.showLegend === false ? 'hidden' : opts.legend?.displayMode || 'list';
  const placement = opts.legend?.placement || 'bottom';
  const calcs = opts.legend?.calcs || [];
  const chartBox = h('div', { class: 'ts-chart' });
  const legend = h('div', { class: `ts-legend ${legendMode} ${placement}` });
  const tooltip = h('div', { class: 'graph-tooltip', hidden: true });
  const wrap = h('div', { class: `ts-wrap legend-${placement}` }, h('div', { class: 'ts-plot' }, chartBox, tooltip), legendMode === 'hidden' ? null : legend);
  replace(el, wrap);

  // Thresholds drawn as lines or areas behind the series (`custom.thresholdsStyle`).
  const thresholdsStyle = defaults.custom?.thresholdsStyle?.mode || 'off';
  const steps = defaults.thresholds?.steps || [];
  const drawThresholds = (u) => {
    if (thresholdsStyle === 'off' || defaults.thresholds?.mode === 'percentage') return;
    const g = u.ctx;
    const { left, top, width, height } = u.bbox;
    g.save();
    steps.forEach((s, i) => {
      if (s.value === null || s.value === undefined) return;
      const y = u.valToPos(s.value, 'y', true);
      if (y < top || y > top + height) return;
      g.strokeStyle = cssColour(s.color);
      g.fillStyle = cssColour(s.color);
      if (thresholdsStyle.includes('area')) {
        const next = steps[i + 1];
        const y2 = next ? Math.max(top, u.valToPos(next.value, 'y', true)) : top;
        g.globalAlpha = 0.15;
        g.fillRect(left, y2, width, y - y2);
        g.globalAlpha = 1;
      }
      if (thresholdsStyle.includes('line')) {
        g.setLineDash(thresholdsStyle.includes('dash') ? [10, 10] : []);
        g.beginPath();
        g.moveTo(left, y);
        g.lineTo(left + width, y);
        g.stroke();
      }
    });
    g.restore();
  };

  const size = () => {
    const r = el.getBoundingClientRect();
    const legendSize = legendMode === 'hidden' ? 0 : placement === 'right' ? 0 : Math.min(r.height * 0.4, legend.offsetHeight || 0);
    const width = placement === 'right' && legendMode !== 'hidden' ? r.width * 0.7 : r.width;
    return { width: Math.max(60, Math.floor(width)), height: Math.max(40, Math.floor(r.height - legendSize)) };
  };

  const options = {
    ...size(),
    series: uSeries,
    legend: { show: false },
    cursor: { sync: ctx.sync ? { key: ctx.sync } : undefined, drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: true },
      y: {
        range: (u, min, max) => {
          if (percentStack) return [0, 1];
          let lo = defaults.min ?? min;
          let hi = defaults.max ?? max;
          if (lo === null || hi === null) return [0, 1];
          if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
          const [a, b] = uPlot.rangeNum(lo, hi, 0.1, true);
          return [defaults.min ?? a, defaults.max ?? b];
        },
      },
    },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, space: 80, values: (u, splits, axis, space, incr) => timeTicks(splits, incr, ctx.utc) },
      {
        stroke: fg,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid },
        values: (u, vals, axis, space, incr) => vals.map((v) => (percentStack ? `${Math.round(v * 100)}%` : tickFormat(Math.abs(v) < 1e-12 ? 0 : v, incr))),
        size: axisSize,
      },
    ],
    tzDate: ctx.utc ? (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') : undefined,
    hooks: {
      drawClear: [drawThresholds],
      setCursor: [(u) => showTooltip(u)],
    },
  };
  const right = configs.findIndex((c) => c.custom?.axisPlacement === 'right');
  if (right >= 0) {
    const rightFormat = axisFormatter(configs[right].unit || unit, configs[right].decimals ?? undefined);
    options.scales.y2 = { range: (u, min, max) => (min === null || max === null ? [0, 1] : min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true)) };
    options.axes.push({
      scale: 'y2',
      side: 1,
      stroke: fg,
      grid: { show: false },
      ticks: { stroke: grid },
      values: (u, vals, axis, space, incr) => vals.map((v) => rightFormat(Math.abs(v) < 1e-12 ? 0 : v, incr)),
      size: axisSize,
    });
  }
  const plot = new uPlot(options, [xs, ...drawn], chartBox);

  function showTooltip(u) {
    const idx = u.cursor.idx;
    if (opts.tooltip?.mode === 'none' || idx === null || idx === undefined || u.cursor.left < 0) {
      tooltip.hidden = true;
      return;
    }
    const rows = [];
    const all = opts.tooltip?.mode === 'multi';
    const yAt = u.posToVal(u.cursor.top, 'y');
    let best = -1;
    let dist = Infinity;
    series.forEach((s, i) => {
      if (!u.series[i + 1].show || s.values[idx] === null || s.values[idx] === undefined) return;
      const d = Math.abs(drawn[i][idx] - yAt);
      if (d < dist) [best, dist] = [i, d];
    });
    series.forEach((s, i) => {
      if ((!all && i !== best) || !u.series[i + 1].show || configs[i].custom?.hideFrom?.tooltip) return;
      const v = s.values[idx];
      if (v === null || v === undefined) return;
      rows.push(h('div', { class: 'tt-row' }, h('span', { class: 'swatch', style: { background: u.series[i + 1].stroke() } }), `${u.series[i + 1].label}: `, h('b', null, displayText(display(configs[i], v)))));
    });
    if (!rows.length) {
      tooltip.hidden = true;
      return;
    }
    replace(tooltip, h('div', { class: 'tt-time' }, formatTime(xs[idx] * 1000, ctx.utc)), rows);
    tooltip.hidden = false;
    const left = u.cursor.left + u.bbox.left / devicePixelRatio;
    const flip = left + 20 + tooltip.offsetWidth > chartBox.clientWidth;
    tooltip.style.left = `${flip ? left - tooltip.offsetWidth - 12 : left + 16}px`;
    tooltip.style.top = `${Math.max(0, u.cursor.top - tooltip.offsetHeight / 2)}px`;
  }

  // The legend: a list, or a table with one column per calc; a click isolates a series.
  let isolated = -1;
  const entries = series
    .map((s, i) => ({ s, i }))
    .filter(({ i }) => !configs[i].custom?.hideFrom?.legend);
  const item = ({ s, i }) => {
    const cells = calcs.map((c) => displayText(display(configs[i], reduce(s.values, c))));
    const name = h('span', { class: 'ts-name' }, h('span', { class: 'swatch', style: { background: seriesColour(configs[i], i) } }), configs[i].displayName || s.name);
    return legendMode === 'table'
      ? h('tr', { class: 'legend-item', onclick: () => isolate(i + 1) }, h('td', null, name), cells.map((c) => h('td', { class: 'num' }, c)))
      : h('span', { class: 'legend-item', onclick: () => isolate(i + 1) }, name, cells.length ? h('span', { class: 'muted' }, ` ${calcs.map((c, k) => `${CALC_NAMES[c] || c}: ${cells[k]}`).join(' ')}`) : null);
  };
  const items = entries.map(item);
  if (legendMode === 'table') {
    replace(legend, h('table', null, h('thead', null, h('tr', null, h('th', null, 'Name'), calcs.map((c) => h('th', { class: 'num' }, CALC_NAMES[c] || c)))), h('tbody', null, items)));
  } else if (legendMode !== 'hidden') replace(legend, items);
  function isolate(si) {
    const all = isolated === si;
    for (let i = 1; i < plot.series.length; i++) plot.setSeries(i, { show: all ? shown[i - 1] : i === si });
    isolated = all ? -1 : si;
    entries.forEach(({ i }, k) => items[k].classList.toggle('off', !plot.series[i + 1].show));
  }

  const resize = new ResizeObserver(() => {
    const s = size();
    if (Math.abs(s.width - plot.width) > 2 || Math.abs(s.height - plot.height) > 2) plot.setSize(s);
  });
  resize.observe(el);
  chartBox.addEventListener('mouseleave', () => (tooltip.hidden = true));
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

/** A y axis as wide as its longest label (about 8.5 px a character), so that `37.3 GiB` is
 * not cut. */
function axisSize(u, values) {
  return values && values.length ? Math.max(36, 18 + 8.5 * Math.max(...values.map((v) => String(v).length))) : 36;
}

/**
 * Stacks in place the series whose `custom.stacking.mode` is `normal` or `percent`, by
 * stacking group, in the panel's order; percent stacks are then divided by their group's
 * total at each point.
 */
function stackByGroup(drawn, configs, shown) {
  const groups = new Map();
  drawn.forEach((vals, i) => {
    const st = configs[i].custom?.stacking;
    if (!shown[i] || !st || st.mode === 'none' || !st.mode) return;
    const key = `${st.mode}:${st.group || 'A'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(i);
  });
  for (const [key, members] of groups) {
    const n = drawn[members[0]].length;
    const total = new Array(n).fill(0);
    if (key.startsWith('percent')) for (const i of members) drawn[i].forEach((v, k) => (total[k] += Math.abs(v ?? 0)));
    const below = new Array(n).fill(0);
    for (const i of members) {
      drawn[i] = drawn[i].map((v, k) => {
        if (v === null) return null;
        below[k] += v;
        return key.startsWith('percent') ? (total[k] ? below[k] / total[k] : 0) : below[k];
      });
    }
  }
}
