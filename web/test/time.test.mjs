// Grafana's time ranges: datemath parsing with rounding, absolute times, and range names (the
// describeTimeRange table from Grafana's rangeutil.test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { describeRange, formatDate, fromNow, parseTime, QUICK_RANGES, REFRESH_INTERVALS } from '../src/lib/dash/time.js';

// Wednesday 2024-05-15 13:45:10.123 UTC.
const NOW = Date.UTC(2024, 4, 15, 13, 45, 10, 123);
const utc = (text, roundUp = false, opts) => {
  const t = parseTime(text, NOW, roundUp, true, opts);
  return t === null ? null : new Date(t).toISOString();
};

test('parseTime: relative times and rounding in UTC', () => {
  assert.equal(parseTime('now', NOW, false, true), NOW);
  assert.equal(parseTime('now-6h', NOW, false, true), NOW - 6 * 3600000);
  assert.equal(parseTime('now+5m', NOW, false, true), NOW + 5 * 60000);
  assert.equal(utc('now-1d/d'), '2024-05-14T00:00:00.000Z');
  assert.equal(utc('now-1d/d', true), '2024-05-14T23:59:59.999Z');
  assert.equal(utc('now/d'), '2024-05-15T00:00:00.000Z');
  assert.equal(utc('now/d', true), '2024-05-15T23:59:59.999Z');
  assert.equal(utc('now/h'), '2024-05-15T13:00:00.000Z');
  assert.equal(utc('now/w'), '2024-05-12T00:00:00.000Z');
  assert.equal(utc('now/w', true), '2024-05-18T23:59:59.999Z');
  assert.equal(utc('now/w', false, { weekStart: 1 }), '2024-05-13T00:00:00.000Z');
  assert.equal(utc('now-1w/w'), '2024-05-05T00:00:00.000Z');
  assert.equal(utc('now-1M/M'), '2024-04-01T00:00:00.000Z');
  assert.equal(utc('now-1M/M', true), '2024-04-30T23:59:59.999Z');
  assert.equal(utc('now-1y/y'), '2023-01-01T00:00:00.000Z');
  assert.equal(utc('now-1y/y', true), '2023-12-31T23:59:59.999Z');
  assert.equal(utc('now/Q'), '2024-04-01T00:00:00.000Z');
  assert.equal(utc('now-1d/d+6h'), '2024-05-14T06:00:00.000Z');
  assert.equal(utc('now - 2h'), '2024-05-15T11:45:10.123Z');
});

test('parseTime: fiscal years and quarters', () => {
  assert.equal(utc('now/fQ'), '2024-04-01T00:00:00.000Z');
  assert.equal(utc('now/fQ', false, { fiscalYearStartMonth: 1 }), '2024-05-01T00:00:00.000Z');
  assert.equal(utc('now/fy', false, { fiscalYearStartMonth: 3 }), '2024-04-01T00:00:00.000Z');
  assert.equal(utc('now/fy', true, { fiscalYearStartMonth: 3 }), '2025-03-31T23:59:59.999Z');
  assert.equal(utc('now/fy', false, { fiscalYearStartMonth: 6 }), '2023-07-01T00:00:00.000Z');
  assert.equal(utc('now-1Q/fQ', true), '2024-03-31T23:59:59.999Z');
});

test('parseTime: months keep the day within the month', () => {
  const march31 = Date.UTC(2024, 2, 31, 12);
  assert.equal(new Date(parseTime('now-1M', march31, false, true)).toISOString(), '2024-02-29T12:00:00.000Z');
  assert.equal(new Date(parseTime('now+1y', Date.UTC(2024, 1, 29), false, true)).toISOString(), '2025-02-28T00:00:00.000Z');
});

test('parseTime: rounding follows local time unless UTC', () => {
  const d = new Date(NOW);
  assert.equal(parseTime('now-1d/d', NOW), new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1).getTime());
  assert.equal(parseTime('now-1d/d', NOW, true), new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - 1);
  assert.equal(parseTime('now/M', NOW), new Date(d.getFullYear(), d.getMonth(), 1).getTime());
});

test('parseTime: absolute times', () => {
  assert.equal(parseTime('2024-01-02T03:04:05Z'), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(parseTime('2024-01-02T03:04:05.250+02:00'), Date.UTC(2024, 0, 2, 1, 4, 5, 250));
  assert.equal(parseTime('2024-01-02 03:04:05', NOW, false, true), Date.UTC(2024, 0, 2, 3, 4, 5));
  assert.equal(parseTime('2024-01-02 03:04:05'), new Date(2024, 0, 2, 3, 4, 5).getTime());
  assert.equal(parseTime('2024-01-02', NOW, false, true), Date.UTC(2024, 0, 2));
  assert.equal(parseTime('1700000000000'), 1700000000000);
  assert.equal(parseTime(1700000000000), 1700000000000);
  // Grafana's URL forms are UTC.
  assert.equal(parseTime('20240102'), Date.UTC(2024, 0, 2));
  assert.equal(parseTime('20240102T030405'), Date.UTC(2024, 0, 2, 3, 4, 5));
  // Math after `||` applies to an absolute time.
  assert.equal(parseTime('2024-01-02T10:00:00Z||+1d/d', NOW, false, true), Date.UTC(2024, 0, 3));
});

test('parseTime: invalid input is null', () => {
  assert.equal(parseTime('now-2d/2d', NOW), null);
  assert.equal(parseTime('now-5x', NOW), null);
  assert.equal(parseTime('now*2', NOW), null);
  assert.equal(parseTime('yesterday', NOW), null);
  assert.equal(parseTime('2024-02-30', NOW), null);
  assert.equal(parseTime('', NOW), null);
  assert.equal(parseTime(null, NOW), null);
  assert.equal(parseTime(NaN, NOW), null);
});

test("describeRange: Grafana's names (rangeutil.test)", () => {
  const cases = [
    ['now-5m', 'now', 'Last 5 minutes'],
    ['now-15m', 'now', 'Last 15 minutes'],
    ['now-1h', 'now', 'Last 1 hour'],
    ['now-13h', 'now', 'Last 13 hours'],
    ['now-6h', 'now', 'Last 6 hours'],
    ['now-24h', 'now', 'Last 24 hours'],
    ['now-7d', 'now', 'Last 7 days'],
    ['now-30d', 'now', 'Last 30 days'],
    ['now', 'now+30m', 'Next 30 minutes'],
    ['now/d', 'now/d', 'Today'],
    ['now/d', 'now', 'Today so far'],
    ['now/d+6h', 'now', 'now/d+6h to now'],
    ['now/w', 'now/w', 'This week'],
    ['now/M', 'now/M', 'This month'],
    ['now/y', 'now/y', 'This year'],
    ['now-1d/d', 'now-1d/d', 'Yesterday'],
    ['now-1w/w', 'now-1w/w', 'Previous week'],
    ['now-1M/M', 'now-1M/M', 'Previous month'],
    ['now-1y/y', 'now-1y/y', 'Previous year'],
    ['now/fQ', 'now/fQ', 'This fiscal quarter'],
    ['now/fy', 'now/fy', 'This fiscal year'],
    ['now-1Q/fQ', 'now-1Q/fQ', 'Previous fiscal quarter'],
    ['now-1y/fy', 'now-1y/fy', 'Previous fiscal year'],
    ['now-1fQ/fQ', 'now', 'Last 1 fiscal quarter'],
    ['now-2fQ', 'now', 'Last 2 fiscal quarters'],
    ['now-1fy', 'now', 'Last 1 fiscal year'],
    ['now-2Q', 'now', 'Last 2 quarters'],
    ['now-6h', 'now-3h', 'now-6h to now-3h'],
    ['now-6h', 'now+1h', 'now-6h to now+1h'],
    ['now/d+6h', 'now-3h', 'now/d+6h to now-3h'],
  ];
  for (const [from, to, want] of cases) assert.equal(describeRange(from, to), want, `${from} to ${to}`);
  assert.equal(describeRange(Date.UTC(2023, 0, 15, 10, 30), Date.UTC(2023, 0, 15, 14, 45), true), '2023-01-15 10:30:00 to 2023-01-15 14:45:00');
});

test('quick ranges and refresh intervals', () => {
  assert.deepEqual(QUICK_RANGES[0], { from: 'now/d', to: 'now/d', display: 'Today' });
  assert.ok(QUICK_RANGES.some((r) => r.from === 'now-6h' && r.to === 'now' && r.display === 'Last 6 hours'));
  for (const r of QUICK_RANGES) {
    assert.notEqual(parseTime(r.from, NOW, false, true), null, r.from);
    assert.notEqual(parseTime(r.to, NOW, true, true), null, r.to);
  }
  assert.deepEqual(REFRESH_INTERVALS, ['5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '2h', '1d']);
});

test('formatDate and fromNow', () => {
  assert.equal(formatDate(NOW, 'YYYY-MM-DD HH:mm:ss.SSS', true), '2024-05-15 13:45:10.123');
  assert.equal(formatDate(NOW, 'ddd D MMM YYYY h:mm A [UTC]', true), 'Wed 15 May 2024 1:45 PM UTC');
  assert.equal(formatDate(NOW, 'X', true), '1715780710');
  assert.equal(fromNow(NOW - 90 * 60000, NOW), '2 hours ago');
  assert.equal(fromNow(NOW - 40 * 86400000, NOW), 'a month ago');
  assert.equal(fromNow(NOW + 400 * 86400000, NOW), 'in a year');
});
