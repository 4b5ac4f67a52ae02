// Grafana's interval maths: `$__interval` from the range and the panel's width, the Prometheus
// data source's step, `$__rate_interval`, and interval variables' `auto`.

const SECOND = 1000;

// Grafana's frontend lengths (rangeutil's `intervals_in_seconds`): a month is 30 days, a year 365.
const UNIT_MS = {
  y: 365 * 86400 * SECOND,
  M: 30 * 86400 * SECOND,
  w: 7 * 86400 * SECOND,
  d: 86400 * SECOND,
  h: 3600 * SECOND,
  m: 60 * SECOND,
  s: SECOND,
  ms: 1,
};

// The variables Grafana's Prometheus backend treats as "no minimum step given".
const VARIABLE_INTERVALS = [
  '$__interval',
  '${__interval}',
  '$__interval_ms',
  '${__interval_ms}',
  '$__rate_interval',
  '${__rate_interval}',
  '$__rate_interval_ms',
  '${__rate_interval_ms}',
];
const RATE_INTERVAL_VARIABLES = ['$__rate_interval', '${__rate_interval}'];

/** A Grafana/Prometheus duration (`15s`, `1h30m`, `500ms`, `1d`, `1w`, `1y`; a bare number is seconds) in ms, or null. */
export function parseInterval(text) {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * SECOND : null;
  const s = String(text ?? '').trim();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * SECOND;
  const re = /(\d+(?:\.\d+)?)(ms|[yMwdhms])/g;
  let total = 0;
  let at = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== at) return null;
    at = m.index + m[0].length;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return at === s.length ? total : null;
}

// A minimum interval as Grafana reads one: `>1m` and `<1m` (legacy spellings) mean `1m`.
function minIntervalMs(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  return parseInterval(String(value).trim().replace(/^[<>]/, ''));
}

/** Grafana's short form of an interval (`secondsToHms`): its largest whole unit only, `15s`, `1m`, `2h`, `500ms`, `1d`. */
export function formatInterval(ms) {
  const seconds = ms / SECOND;
  const years = Math.floor(seconds / 31536000);
  if (years) return years + 'y';
  const days = Math.floor((seconds % 31536000) / 86400);
  if (days) return days + 'd';
  const hours = Math.floor((seconds % 86400) / 3600);
  if (hours) return hours + 'h';
  const minutes = Math.floor((seconds % 3600) / 60);
  if (minutes) return minutes + 'm';
  const secs = Math.floor(seconds % 60);
  if (secs) return secs + 's';
  const millis = Math.floor(seconds * 1000);
  if (millis) return millis + 'ms';
  return 'less than a millisecond';
}

// Grafana's ladder of round intervals: each step takes the raw intervals up to the point between
// it and the next step (the switch points are not all midpoints: 20 s takes up to 25 s).
const LADDER = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12500, 10000],
  [17500, 15000],
  [25000, 20000],
  [45000, 30000],
  [90000, 60000],
  [210000, 120000],
  [450000, 300000],
  [750000, 600000],
  [1050000, 900000],
  [1500000, 1200000],
  [2700000, 1800000],
  [5400000, 3600000],
  [9000000, 7200000],
  [16200000, 10800000],
  [32400000, 21600000],
  [86400000, 43200000],
  [604800000, 86400000],
  [1814400000, 604800000],
  [3628800000, 2592000000],
];
const YEAR_MS = 31536000000;

/** Grafana's `roundInterval`: a raw interval (ms) snapped to its ladder, 1 ms … 10 s, 15 s, 20 s, 30 s, 1 m … 1 d, 1 w, 30 d, 1 y. */
export function roundInterval(ms) {
  for (const [below, step] of LADDER) if (ms < below) return step;
  return YEAR_MS;
}

// The Prometheus backend's copy of the ladder (grafana-plugin-sdk-go gtime.RoundInterval): the
// same steps, but each switch point belongs to the lower step, and 1 d reaches up to 1 w.
function roundIntervalBackend(ms) {
  for (const [below, step] of LADDER) {
    if (below === 3628800000 ? ms < below : ms <= below) return step;
  }
  return YEAR_MS;
}

/**
 * Grafana's `calculateInterval`: `$__interval` for a range drawn with `maxDataPoints` points
 * (the panel's width in pixels unless it sets `maxDataPoints`), raised to `minInterval` (`1m`,
 * `>1m`, or ms). Returns `{ intervalMs, interval }`.
 */
export function calculateInterval({ rangeMs, maxDataPoints, minInterval } = {}) {
  const resolution = maxDataPoints > 0 ? maxDataPoints : 1500;
  const lowLimit = minIntervalMs(minInterval) ?? 1;
  const intervalMs = Math.max(roundInterval(rangeMs / resolution), lowLimit);
  return { intervalMs, interval: formatInterval(intervalMs) };
}

/** Grafana's `$__rate_interval` (ms): `max(interval + scrape, 4 × scrape)`, the scrape interval defaulting to 15 s. */
export function rateInterval(intervalMs, scrapeIntervalMs) {
  const scrape = scrapeIntervalMs > 0 ? scrapeIntervalMs : 15 * SECOND;
  return Math.max(intervalMs + scrape, 4 * scrape);
}

/**
 * The step (seconds) Grafana's Prometheus data source asks for, as its backend computes it:
 * the query's min step (`minStep`, the target's `interval`), else the frontend's interval
 * (`intervalMs`), else the data source's scrape interval, else 15 s, is the floor for the range
 * divided by `maxDataPoints` (rounded on the ladder); the step is at least range ÷ 11,000
 * (Prometheus' point limit, also rounded) and is multiplied by the legacy `intervalFactor`. A
 * min step of `$__rate_interval` makes the step the rate interval itself.
 */
export function prometheusStep({ startMs, endMs, intervalMs, maxDataPoints, minStep, scrapeInterval, intervalFactor } = {}) {
  return prometheusStepMs({ startMs, endMs, intervalMs, maxDataPoints, minStep, scrapeInterval, intervalFactor }) / SECOND;
}

function prometheusStepMs({ startMs, endMs, intervalMs, maxDataPoints, minStep, scrapeInterval, intervalFactor }) {
  const requested = minStep === '0s' ? '' : String(minStep ?? '').trim();
  const explicit = VARIABLE_INTERVALS.includes(requested) ? '' : requested;
  let minInterval = explicit ? minIntervalMs(explicit) : null;
  if (minInterval === null && intervalMs > 0) minInterval = intervalMs;
  if (minInterval === null) minInterval = minIntervalMs(scrapeInterval) ?? 15 * SECOND;
  const range = endMs - startMs;
  // The backend divides whole nanoseconds.
  const perPoint = Math.floor((range * 1e6) / (maxDataPoints > 0 ? maxDataPoints : 1500)) / 1e6;
  const calculated = perPoint < minInterval ? minInterval : roundIntervalBackend(perPoint);
  const safe = roundIntervalBackend(Math.floor((range * 1e6) / 11000) / 1e6);
  const adjusted = Math.max(calculated, safe);
  if (RATE_INTERVAL_VARIABLES.includes(requested)) return rateInterval(adjusted, minIntervalMs(scrapeInterval));
  return adjusted * (intervalFactor > 0 ? intervalFactor : 1);
}

/** A range aligned as Grafana aligns Prometheus queries: both ends floored to a multiple of the step, in the zone `utcOffsetSec` east of UTC. */
export function alignRange(startMs, endMs, stepMs, utcOffsetSec = 0) {
  const offset = utcOffsetSec * SECOND;
  const floor = (t) => Math.floor((t + offset) / stepMs) * stepMs - offset;
  return { start: floor(startMs), end: floor(endMs) };
}

/** A duration as Go prints one (`1m0s`, `1h0m0s`, `1.5s`, `500ms`), which is how Grafana's backend writes `$__rate_interval`. */
export function goDuration(ms) {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  const trim = (n) => String(Math.round(n * 1e6) / 1e6);
  if (ms < SECOND) return sign + trim(ms) + 'ms';
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = (ms % 60000) / SECOND;
  return sign + (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + trim(s) + 's';
}

// gtime.FormatInterval: the largest whole unit, like `formatInterval` but never "less than".
function backendInterval(ms) {
  if (ms >= 1 && ms < SECOND) return Math.floor(ms) + 'ms';
  return ms < 1 ? '1ms' : formatInterval(ms);
}

/**
 * The built-in variables Grafana's Prometheus backend puts into a query, as strings keyed by
 * name (`__interval`, `__interval_ms`, `__rate_interval`, `__rate_interval_ms`, `__range`,
 * `__range_s`, `__range_ms`, `__from`, `__to`): `$__interval` is the step, `$__rate_interval`
 * is computed from the frontend's interval and the min step or scrape interval.
 */
export function prometheusBuiltins({ startMs, endMs, intervalMs, maxDataPoints, minStep, scrapeInterval, intervalFactor } = {}) {
  const stepMs = prometheusStepMs({ startMs, endMs, intervalMs, maxDataPoints, minStep, scrapeInterval, intervalFactor });
  const requested = String(minStep ?? '').trim();
  let rateMs;
  if (RATE_INTERVAL_VARIABLES.includes(requested)) {
    rateMs = stepMs;
  } else {
    let scrape = requested && requested !== '0s' ? requested : scrapeInterval;
    if (requested === '$__interval' || requested === '${__interval}') scrape = stepMs;
    rateMs = rateInterval(intervalMs > 0 ? intervalMs : 0, minIntervalMs(scrape));
  }
  const rangeMs = endMs - startMs;
  const rangeS = Math.round(rangeMs / SECOND);
  return {
    __interval: backendInterval(stepMs),
    __interval_ms: String(Math.floor(stepMs)),
    __rate_interval: goDuration(rateMs),
    __rate_interval_ms: String(Math.floor(rateMs)),
    __range: rangeS + 's',
    __range_s: String(rangeS),
    __range_ms: String(rangeMs),
    __from: String(startMs),
    __to: String(endMs),
  };
}

/** The `auto` value of an interval variable: the range cut into `count` steps (`auto_count`, 30), at least `min` (`auto_min`, `10s`). */
export function autoInterval(rangeMs, count = 30, min = '10s') {
  return calculateInterval({ rangeMs, maxDataPoints: count, minInterval: min });
}
