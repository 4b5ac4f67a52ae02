// A panel's field configuration as Grafana applies it to each series: the defaults with the
// overrides that match the series, reducers (last, mean, max...), thresholds, value
// mappings, Grafana's named colours, and a value's display (text, colour).
import { formatValue } from './units.js';
import { PALETTE } from '../graph.js';

// Grafana's named colours (its theme's visualization palette) as hex, the `semi-dark-`,
// `dark-`, `light-` and `super-light-` shades included.
const HUES = {
  red: ['#C4162A', '#E02F44', '#F2495C', '#FF7383', '#FFA6B0'],
  orange: ['#FA6400', '#FF780A', '#FF9830', '#FFB357', '#FFCB7D'],
  yellow: ['#E0B400', '#F2CC0C', '#FADE2A', '#FFEE52', '#FFF899'],
  green: ['#37872D', '#56A64B', '#73BF69', '#96D98D', '#C8F2C2'],
  blue: ['#1F60C4', '#3274D9', '#5794F2', '#8AB8FF', '#C0D8FF'],
  purple: ['#8F3BB8', '#A352CC', '#B877D9', '#CA95E5', '#DEB6F2'],
};
const SHADES = ['dark-', 'semi-dark-', '', 'light-', 'super-light-'];
const NAMED = { transparent: 'transparent', text: 'currentColor', white: '#ffffff', black: '#000000' };
for (const [hue, hexes] of Object.entries(HUES)) SHADES.forEach((s, i) => (NAMED[s + hue] = hexes[i]));

/** A Grafana colour (a name such as `semi-dark-red`, or CSS) as CSS. */
export function cssColour(c) {
  if (!c) return null;
  return NAMED[c] || c;
}

/** The colour of a series: an override's fixed colour, else the classic palette's `i`th. */
export function seriesColour(config, i) {
  const c = config.color;
  if (c && c.mode === 'fixed' && c.fixedColor) return cssColour(c.fixedColor);
  if (c && c.mode === 'thresholds') return cssColour(baseColour(config.thresholds));
  return PALETTE[i % PALETTE.length];
}

function baseColour(thresholds) {
  return thresholds?.steps?.[0]?.color || 'green';
}

/** Sets `path` (dotted, `custom.transform`) of `obj` to `value`. */
function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] = typeof o[p] === 'object' && o[p] !== null ? { ...o[p] } : {};
  o[parts[parts.length - 1]] = value;
}

/** Whether an override's matcher takes the series `name` of query `refId` with `values`. */
function matches(matcher, name, refId, values) {
  const opt = matcher?.options;
  switch (matcher?.id) {
    case 'byName':
      return opt === name;
    case 'byNames':
      return (opt?.names || []).includes(name);
    case 'byRegexp':
      try {
        return new RegExp(`^(?:${unslash(opt)})$`).test(name);
      } catch {
        return false;
      }
    case 'byFrameRefID':
      return opt === refId;
    case 'byType':
      return opt === 'number';
    case 'byValue':
      return byValue(opt, values || []);
    default:
      return false;
  }
}

/**
 * Grafana's "by value" matcher: the series reduced (`reducer`) and compared (`op`, `value`);
 * the reducers `allIsZero` and `allIsNull` match when true, whatever the comparison (the
 * migration of a graph's "hide zero" and "hide empty" legends uses them).
 */
function byValue(opt, values) {
  const finite = values.filter((v) => typeof v === 'number' && !Number.isNaN(v));
  if (opt?.reducer === 'allIsZero') return finite.length > 0 && finite.every((v) => v === 0);
  if (opt?.reducer === 'allIsNull') return finite.length === 0;
  const left = reduce(values, opt?.reducer);
  const right = opt?.value;
  if (left === null || left === undefined || right === null || right === undefined) return false;
  switch (opt?.op || 'eq') {
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    case 'neq':
      return left !== right;
    default:
      return left === right;
  }
}

/** Grafana accepts `/re/` as well as `re` in a byRegexp matcher. */
function unslash(re) {
  const m = /^\/(.*)\/[a-z]*$/.exec(re || '');
  return m ? m[1] : re || '';
}

/** The field config of one series: the panel's defaults, then each matching override. */
export function configFor(panel, name, refId, values) {
  const defaults = panel.fieldConfig?.defaults || {};
  const out = { ...defaults, custom: { ...(defaults.custom || {}) } };
  for (const o of panel.fieldConfig?.overrides || []) {
    if (!matches(o.matcher, name, refId, values)) continue;
    for (const p of o.properties || []) setPath(out, p.id, p.value);
  }
  return out;
}

/** Grafana's reducers over a series' values (nulls skipped, as Grafana's do). */
export function reduce(values, calc) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const last = xs.length ? xs[xs.length - 1] : null;
  switch (calc) {
    case 'last':
      return values.length ? values[values.length - 1] : null;
    case 'lastNotNull':
    case 'current':
      return last;
    case 'first':
      return values.length ? values[0] : null;
    case 'firstNotNull':
      return xs.length ? xs[0] : null;
    case 'min':
      return xs.length ? Math.min(...xs) : null;
    case 'max':
      return xs.length ? Math.max(...xs) : null;
    case 'mean':
    case 'avg':
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    case 'sum':
    case 'total':
      return xs.length ? xs.reduce((a, b) => a + b, 0) : null;
    case 'count':
      return values.length;
    case 'range':
      return xs.length ? Math.max(...xs) - Math.min(...xs) : null;
    case 'delta': {
      let d = 0;
      for (let i = 1; i < xs.length; i++) d += Math.max(0, xs[i] - xs[i - 1]);
      return xs.length ? d : null;
    }
    case 'diff':
      return xs.length ? last - xs[0] : null;
    default:
      return last;
  }
}

/** Grafana's names of the reducers, for legend headers. */
export const CALC_NAMES = {
  last: 'Last',
  lastNotNull: 'Last *',
  first: 'First',
  firstNotNull: 'First *',
  min: 'Min',
  max: 'Max',
  mean: 'Mean',
  sum: 'Total',
  count: 'Count',
  range: 'Range',
  delta: 'Delta',
  diff: 'Difference',
};

/** The colour thresholds give `value` (steps ascending, the first the base), in CSS. */
export function thresholdColour(config, value) {
  const t = config.thresholds;
  const steps = t?.steps || [];
  if (!steps.length || value === null || value === undefined || Number.isNaN(value)) return cssColour(baseColour(t));
  let v = value;
  if (t.mode === 'percentage') {
    const min = config.min ?? 0;
    const max = config.max ?? 100;
    v = max === min ? 0 : ((value - min) / (max - min)) * 100;
  }
  let colour = steps[0].color;
  for (const s of steps.slice(1)) if (s.value !== null && s.value !== undefined && v >= s.value) colour = s.color;
  return cssColour(colour);
}

/** The mapping that applies to `value`, as {text, color}, or null. */
function mapped(config, value) {
  for (const m of config.mappings || []) {
    const o = m.options || {};
    if (m.type === 'value') {
      const hit = o[String(value)];
      if (hit) return hit;
    } else if (m.type === 'range') {
      const from = o.from ?? -Infinity;
      const to = o.to ?? Infinity;
      if (typeof value === 'number' && value >= from && value <= to) return o.result;
    } else if (m.type === 'special') {
      const isNull = value === null || value === undefined;
      const hit =
        (o.match === 'null' && isNull) ||
        (o.match === 'nan' && Number.isNaN(value)) ||
        (o.match === 'null+nan' && (isNull || Number.isNaN(value))) ||
        (o.match === 'true' && value === 1) ||
        (o.match === 'false' && value === 0) ||
        (o.match === 'empty' && value === '');
      if (hit) return o.result;
    } else if (m.type === 'regex') {
      try {
        if (new RegExp(o.pattern).test(String(value))) return o.result;
      } catch {
        /* a bad pattern maps nothing */
      }
    }
  }
  return null;
}

/**
 * How a value shows: {text, prefix, suffix, colour}: a value mapping's text when one
 * applies, else the value in the field's unit and decimals; `noValue` (or "No data") for a
 * missing value; the colour of the mapping, else of the thresholds.
 */
export function display(config, value) {
  const map = mapped(config, value);
  const colour = cssColour(map?.color) || thresholdColour(config, value);
  if (map && map.text !== undefined && map.text !== '') return { prefix: '', text: map.text, suffix: '', colour };
  if (value === null || value === undefined) return { prefix: '', text: config.noValue ?? 'No data', suffix: '', colour };
  const f = formatValue(value, config.unit || 'none', config.decimals ?? undefined);
  return { prefix: f.prefix || '', text: f.text, suffix: f.suffix || '', colour };
}

/** A display as one string. */
export function displayText(d) {
  return `${d.prefix}${d.text}${d.suffix}`;
}
