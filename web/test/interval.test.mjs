// Grafana's interval maths: rangeutil's roundInterval/calculateInterval/secondsToHms (cases from
// Grafana's rangeutil.test) and the Prometheus backend's step and built-in variables.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  alignRange,
  autoInterval,
  calculateInterval,
  formatInterval,
  goDuration,
  parseInterval,
  prometheusBuiltins,
  prometheusStep,
  rateInterval,
  roundInterval,
} from '../src/lib/dash/interval.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('parseInterval: Grafana and Prometheus durations', () => {
  assert.equal(parseInterval('15s'), 15 * S);
  assert.equal(parseInterval('1m'), M);
  assert.equal(parseInterval('1h30m'), 90 * M);
  assert.equal(parseInterval('500ms'), 500);
  assert.equal(parseInterval('1d'), D);
  assert.equal(parseInterval('1w'), 7 * D);
  assert.equal(parseInterval('1y'), 365 * D);
  assert.equal(parseInterval('1M'), 30 * D);
  assert.equal(parseInterval('30'), 30 * S);
  assert.equal(parseInterval('1.5h'), 90 * M);
  assert.equal(parseInterval(' 2m '), 2 * M);
  assert.equal(parseInterval(''), null);
  assert.equal(parseInterval('abc'), null);
  assert.equal(parseInterval('5x'), null);
  assert.equal(parseInterval('$__interval'), null);
});

test('formatInterval: the largest whole unit, as $__interval reads', () => {
  assert.equal(formatInterval(15 * S), '15s');
  assert.equal(formatInterval(M), '1m');
  assert.equal(formatInterval(2 * H), '2h');
  assert.equal(formatInterval(500), '500ms');
  assert.equal(formatInterval(D), '1d');
  assert.equal(formatInterval(7 * D), '7d');
  assert.equal(formatInterval(365 * D), '1y');
  assert.equal(formatInterval(90 * S), '1m');
  assert.equal(formatInterval(0.5), 'less than a millisecond');
});

test("roundInterval: Grafana's ladder just below each switch point (rangeutil.test)", () => {
  const cases = [
    [9, 1],
    [14, 10],
    [34, 20],
    [74, 50],
    [149, 100],
    [349, 200],
    [749, 500],
    [1499, 1000],
    [3499, 2000],
    [7499, 5000],
    [12499, 10000],
    [17499, 15000],
    [24999, 20000],
    [44999, 30000],
    [89999, 60000],
    [209999, 120000],
    [449999, 300000],
    [749999, 600000],
    [1049999, 900000],
    [1499999, 1200000],
    [2699999, 1800000],
    [5399999, 3600000],
    [8999999, 7200000],
    [16199999, 10800000],
    [32399999, 21600000],
    [86399999, 43200000],
    [604799999, 86400000],
    [1814399999, 604800000],
    [3628799999, 2592000000],
    [3628800000, 31536000000],
  ];
  for (const [raw, want] of cases) assert.equal(roundInterval(raw), want, `roundInterval(${raw})`);
});

test('roundInterval: each switch point belongs to the next step up', () => {
  assert.equal(roundInterval(12500), 15000);
  assert.equal(roundInterval(17500), 20000);
  assert.equal(roundInterval(25000), 30000);
  assert.equal(roundInterval(45000), 60000);
  assert.equal(roundInterval(10), 10);
});

test('calculateInterval: range ÷ max data points, rounded, raised to the min interval', () => {
  // 6 h over 1,000 px: 21.6 s rounds to 20 s.
  assert.deepEqual(calculateInterval({ rangeMs: 6 * H, maxDataPoints: 1000 }), { intervalMs: 20 * S, interval: '20s' });
  // The data source's scrape interval (or a panel min interval) is a floor.
  assert.deepEqual(calculateInterval({ rangeMs: 6 * H, maxDataPoints: 1000, minInterval: '30s' }), { intervalMs: 30 * S, interval: '30s' });
  assert.deepEqual(calculateInterval({ rangeMs: 6 * H, maxDataPoints: 1000, minInterval: '>1m' }), { intervalMs: M, interval: '1m' });
  assert.deepEqual(calculateInterval({ rangeMs: 6 * H, maxDataPoints: 1000, minInterval: '15s' }), { intervalMs: 20 * S, interval: '20s' });
  // 1 h over 1,500 points: 2.4 s rounds to 2 s.
  assert.deepEqual(calculateInterval({ rangeMs: H }), { intervalMs: 2 * S, interval: '2s' });
  // 7 days over 800 px: 756 s rounds to 15 min.
  assert.equal(calculateInterval({ rangeMs: 7 * D, maxDataPoints: 800 }).interval, '15m');
  // 30 days over 100 points: 7.2 h rounds to 6 h.
  assert.equal(calculateInterval({ rangeMs: 30 * D, maxDataPoints: 100 }).interval, '6h');
});

test('rateInterval: max(interval + scrape, 4 × scrape)', () => {
  assert.equal(rateInterval(15 * S, 15 * S), 60 * S);
  assert.equal(rateInterval(M, 15 * S), 75 * S);
  assert.equal(rateInterval(5 * M, 30 * S), 330 * S);
  assert.equal(rateInterval(20 * S), 60 * S);
  assert.equal(rateInterval(20 * S, 0), 60 * S);
});

test("prometheusStep: the backend's step", () => {
  // Node Exporter Full over 24 h at 1,000 px, scrape 15 s: the frontend interval is 1 m.
  const day = { startMs: 0, endMs: D, maxDataPoints: 1000 };
  assert.equal(prometheusStep({ ...day, intervalMs: M }), 60);
  // A target min step wins over the frontend interval.
  assert.equal(prometheusStep({ ...day, intervalMs: M, minStep: '5m' }), 300);
  // Legacy intervalFactor multiplies (the MySQL dashboard's `interval: "1m"` + `intervalFactor: 1`).
  assert.equal(prometheusStep({ ...day, intervalMs: M, minStep: '1m', intervalFactor: 1 }), 60);
  assert.equal(prometheusStep({ ...day, intervalMs: M, intervalFactor: 2 }), 120);
  // Nothing given: the scrape interval, else 15 s.
  assert.equal(prometheusStep({ startMs: 0, endMs: H, maxDataPoints: 2000 }), 15);
  assert.equal(prometheusStep({ startMs: 0, endMs: H, maxDataPoints: 2000, scrapeInterval: '30s' }), 30);
  // Variables as min step are ignored: the frontend interval is used.
  assert.equal(prometheusStep({ ...day, intervalMs: M, minStep: '$__interval' }), 60);
  // At most 11,000 points: a year at 1 s asks for a rounded range/11,000 (2867 s → 1 h).
  assert.equal(prometheusStep({ startMs: 0, endMs: 365 * D, maxDataPoints: 100000, intervalMs: S }), 3600);
  // `$__rate_interval` as min step makes the step the rate interval.
  assert.equal(prometheusStep({ ...day, intervalMs: M, minStep: '$__rate_interval', scrapeInterval: '15s' }), 75);
});

test('alignRange: both ends floored to the step', () => {
  assert.deepEqual(alignRange(1000, 119000, 60000), { start: 0, end: 60000 });
  assert.deepEqual(alignRange(1700000012345, 1700003612345, 15000), { start: 1700000010000, end: 1700003610000 });
  // In a zone two hours east of UTC, a day step starts at local midnight.
  assert.deepEqual(alignRange(D + 5 * H, 3 * D, D, 7200), { start: D - 2 * H, end: 3 * D - 2 * H });
});

test('goDuration: how the backend writes $__rate_interval', () => {
  assert.equal(goDuration(60 * S), '1m0s');
  assert.equal(goDuration(75 * S), '1m15s');
  assert.equal(goDuration(H), '1h0m0s');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(0), '0s');
});

test("prometheusBuiltins: the backend's built-in variables", () => {
  const vars = prometheusBuiltins({ startMs: 0, endMs: 6 * H, intervalMs: 30 * S, maxDataPoints: 1000 });
  assert.deepEqual(vars, {
    __interval: '30s',
    __interval_ms: '30000',
    __rate_interval: '1m0s',
    __rate_interval_ms: '60000',
    __range: '21600s',
    __range_s: '21600',
    __range_ms: '21600000',
    __from: '0',
    __to: '21600000',
  });
  // A min step of 1 m is the rate interval's scrape interval: max(30 s + 1 m, 4 m).
  assert.equal(prometheusBuiltins({ startMs: 0, endMs: 6 * H, intervalMs: 30 * S, minStep: '1m' }).__rate_interval, '4m0s');
  assert.equal(prometheusBuiltins({ startMs: 0, endMs: 6 * H, intervalMs: 5 * M, scrapeInterval: '15s' }).__rate_interval, '5m15s');
});

test('autoInterval: interval variables with auto', () => {
  // 24 h in 30 steps: 48 min rounds to 1 h.
  assert.deepEqual(autoInterval(D, 30, '10s'), { intervalMs: H, interval: '1h' });
  // 5 min in 30 steps: 10 s; auto_min raises it.
  assert.deepEqual(autoInterval(5 * M), { intervalMs: 10 * S, interval: '10s' });
  assert.deepEqual(autoInterval(5 * M, 30, '1m'), { intervalMs: M, interval: '1m' });
  assert.equal(autoInterval(7 * D, 100, '10s').interval, '2h');
});
