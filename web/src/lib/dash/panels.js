// The single-value panels (stat, gauge, bar gauge), the text panel and the table panel, drawn
// from a panel's series as Grafana draws them: each series reduced to one value
// (`options.reduceOptions.calcs`), shown in its unit with the colour of its thresholds.
import { h, replace } from '../dom.js';
import { configFor, display, displayText, reduce, thresholdColour, cssColour } from './fields.js';
import { formatTime } from '../format.js';

/** Each series as {name, config, value, display} after the panel's reducer. */
function reduced(panel, series) {
  const calc = panel.options?.reduceOptions?.calcs?.[0] || 'lastNotNull';
  return series.map((s) => {
    const config = configFor(panel, s.name, s.refId, s.values);
    const value = reduce(s.values, calc);
    return { name: config.displayName || s.name, config, value, values: s.values, display: display(config, value) };
  });
}

/** A value's text sized to fit its box: the font shrinks with the text's length. */
function bigText(text, box, colour) {
  const size = Math.max(12, Math.min(box.height * 0.45, (box.width / Math.max(3, text.length)) * 1.6));
  return h('div', { class: 'big-value', style: { fontSize: `${size}px`, color: colour || '' } }, text);
}

/** A series' shape as an SVG area under its values (the stat panel's sparkline). */
function sparkline(values, colour) {
  const xs = values.map((v, i) => [i, v]).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  if (xs.length < 2) return null;
  const min = Math.min(...xs.map(([, v]) => v));
  const max = Math.max(...xs.map(([, v]) => v));
  const n = values.length - 1 || 1;
  const y = (v) => (max === min ? 50 : 100 - ((v - min) / (max - min)) * 100);
  const line = xs.map(([i, v]) => `${((i / n) * 100).toFixed(2)},${y(v).toFixed(2)}`).join(' L');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 100 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'sparkline');
  const area = document.createElementNS(svg.namespaceURI, 'path');
  area.setAttribute('d', `M${line} L100,100 L0,100 Z`);
  area.setAttribute('fill', colour);
  area.setAttribute('fill-opacity', '0.2');
  const path = document.createElementNS(svg.namespaceURI, 'path');
  path.setAttribute('d', `M${line}`);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', colour);
  path.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(area, path);
  return svg;
}

/** Where each of `n` values goes: side by side when the box is wide, else stacked. */
function tiles(el, n) {
  const { width, height } = el.getBoundingClientRect();
  const across = width >= height ? n : 1;
  const down = width >= height ? 1 : n;
  el.style.gridTemplateColumns = `repeat(${across}, minmax(0, 1fr))`;
  el.style.gridTemplateRows = `repeat(${down}, minmax(0, 1fr))`;
  return { width: width / across, height: height / down };
}

export function drawStat(el, panel, series) {
  const items = reduced(panel, series);
  el.classList.add('tiles');
  const box = tiles(el, items.length);
  const mode = panel.options?.colorMode || 'value';
  const showName = items.length > 1 && panel.options?.textMode !== 'value';
  replace(
    el,
    items.map((it) => {
      const colour = it.display.colour;
      const tile = h('div', { class: `stat-tile colour-${mode}`, style: mode === 'background' ? { background: colour } : {} });
      const graph = panel.options?.graphMode !== 'none' ? sparkline(it.values, mode === 'background' ? '#fff' : colour) : null;
      replace(
        tile,
        showName ? h('div', { class: 'stat-name' }, it.name) : null,
        bigText(displayText(it.display), { width: box.width, height: box.height * (showName ? 0.7 : 1) }, mode === 'value' ? colour : null),
        graph,
      );
      return tile;
    }),
  );
}

/** An arc from `a0` to `a1` (radians, 0 at 12 o'clock, clockwise) as an SVG path. */
function arc(cx, cy, r, a0, a1) {
  const p = (a) => [cx + r * Math.sin(a), cy - r * Math.cos(a)];
  const [x0, y0] = p(a0);
  const [x1, y1] = p(a1);
  return `M${x0.toFixed(2)},${y0.toFixed(2)} A${r},${r} 0 ${a1 - a0 > Math.PI ? 1 : 0} 1 ${x1.toFixed(2)},${y1.toFixed(2)}`;
}

export function drawGauge(el, panel, series) {
  const items = reduced(panel, series);
  el.classList.add('tiles');
  tiles(el, items.length);
  const SWEEP = (240 / 180) * Math.PI;
  replace(
    el,
    items.map((it) => {
      const min = it.config.min ?? 0;
      const max = it.config.max ?? 100;
      const frac = it.value === null ? 0 : Math.max(0, Math.min(1, (it.value - min) / (max - min || 1)));
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 100 80');
      svg.setAttribute('class', 'gauge');
      const path = (d, stroke, width) => {
        const p = document.createElementNS(svg.namespaceURI, 'path');
        p.setAttribute('d', d);
        p.setAttribute('fill', 'none');
        p.setAttribute('stroke', stroke);
        p.setAttribute('stroke-width', width);
        return p;
      };
      const start = -SWEEP / 2;
      svg.append(path(arc(50, 50, 38, start, SWEEP / 2), 'var(--grid)', 10));
      // The thresholds as a thin outer band, as Grafana's `showThresholdMarkers`.
      const steps = it.config.thresholds?.steps || [];
      if (panel.options?.showThresholdMarkers !== false && steps.length) {
        steps.forEach((s, i) => {
          const lo = i === 0 ? min : s.value;
          const hi = i + 1 < steps.length ? steps[i + 1].value : max;
          const pct = (v) => (it.config.thresholds.mode === 'percentage' ? v / 100 : (v - min) / (max - min || 1));
          const a = start + SWEEP * Math.max(0, Math.min(1, pct(lo)));
          const b = start + SWEEP * Math.max(0, Math.min(1, pct(hi)));
          if (b > a) svg.append(path(arc(50, 50, 46, a, b), cssColour(s.color), 3));
        });
      }
      if (frac > 0) svg.append(path(arc(50, 50, 38, start, start + SWEEP * frac), it.display.colour, 10));
      const text = document.createElementNS(svg.namespaceURI, 'text');
      text.setAttribute('x', '50');
      text.setAttribute('y', '56');
      text.setAttribute('text-anchor', 'middle');
      text.setAttribute('fill', it.display.colour);
      text.setAttribute('font-size', String(Math.min(18, 90 / Math.max(4, displayText(it.display).length))));
      text.textContent = displayText(it.display);
      svg.append(text);
      return h('div', { class: 'gauge-tile' }, svg, items.length > 1 ? h('div', { class: 'stat-name' }, it.name) : null);
    }),
  );
}

export function drawBarGauge(el, panel, series) {
  const items = reduced(panel, series);
  const vertical = panel.options?.orientation === 'vertical';
  replace(
    el,
    h(
      'div',
      { class: `bar-gauge${vertical ? ' vertical' : ''}` },
      items.map((it) => {
        const min = it.config.min ?? 0;
        const max = it.config.max ?? 100;
        const frac = it.value === null ? 0 : Math.max(0, Math.min(1, (it.value - min) / (max - min || 1)));
        const colour = thresholdColour(it.config, it.value);
        return h(
          'div',
          { class: 'bar-row' },
          h('div', { class: 'bar-name', title: it.name }, it.name),
          h('div', { class: 'bar-track' }, h('div', { class: 'bar-fill', style: { [vertical ? 'height' : 'width']: `${(frac * 100).toFixed(1)}%`, background: colour } })),
          h('div', { class: 'bar-value', style: { color: colour } }, displayText(it.display)),
        );
      }),
    ),
  );
}

/** Markdown as Grafana's text panel shows it: headings, paragraphs, lists, emphasis, code
 * and links; everything else as text. HTML is never inserted (the content is escaped). */
export function markdown(src) {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const inline = (s) =>
    esc(s)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/\*([^*]+)\*/g, '<em>$1</em>')
      .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^)\s]*)\)/g, '<a href="$2">$1</a>');
  const out = [];
  let list = null;
  let para = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '))}</p>`);
    para = [];
    if (list) out.push(`<ul>${list.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
    list = null;
  };
  for (const line of String(src || '').split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`);
    } else if (item) {
      if (para.length) flush();
      (list ||= []).push(item[1]);
    } else if (!line.trim()) flush();
    else {
      if (list) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out.join('');
}

export function drawText(el, panel, interpolate) {
  const o = panel.options || {};
  const content = interpolate(o.content ?? panel.content ?? '');
  const box = h('div', { class: 'text-panel' });
  if ((o.mode || panel.mode) === 'markdown' || !(o.mode || panel.mode)) box.innerHTML = markdown(content);
  else box.textContent = content;
  replace(el, box);
}

/** A table of the series: one row per series with its labels and reduced value. */
export function drawTable(el, panel, series) {
  const items = reduced(panel, series);
  const labels = [...new Set(series.flatMap((s) => Object.keys(s.labels || {})))].filter((k) => k !== '__name__').sort();
  const time = series.some((s) => s.time);
  replace(
    el,
    h(
      'div',
      { class: 'table-panel' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, time ? h('th', null, 'Time') : null, labels.map((k) => h('th', null, k)), h('th', { class: 'num' }, 'Value'))),
        h(
          'tbody',
          null,
          items.map((it, i) =>
            h(
              'tr',
              null,
              time ? h('td', null, formatTime(series[i].time)) : null,
              labels.map((k) => h('td', null, series[i].labels?.[k] ?? '')),
              h('td', { class: 'num', style: { color: it.config.color?.mode === 'thresholds' ? it.display.colour : '' } }, displayText(it.display)),
            ),
          ),
        ),
      ),
    ),
  );
}
