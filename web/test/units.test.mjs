// Grafana's value formats, checked against the cases in Grafana's own tests (valueFormats,
// symbolFormatters, arithmeticFormatters, dateTimeFormatters) and against its source.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axisFormatter, displayValue, formatUnit, formatValue, knownUnit, toFixed } from '../src/lib/dash/units.js';

test('toFixed: automatic and explicit decimals (Grafana valueFormats.test)', () => {
  assert.equal(toFixed(100), '100');
  assert.equal(toFixed(100.4), '100');
  assert.equal(toFixed(100.5), '101');
  assert.equal(toFixed(100, 1), '100.0');
  assert.equal(toFixed(100.37, 1), '100.4');
  assert.equal(toFixed(100.63, 1), '100.6');
  assert.equal(toFixed(100.4, 2), '100.40');
  assert.equal(toFixed(100.5, 2), '100.50');
  assert.equal(toFixed(NaN), 'NaN');
  assert.equal(toFixed(186.123, -2), '186');
  // Two significant digits when automatic, more below 1.
  assert.equal(toFixed(1.5), '1.50');
  assert.equal(toFixed(25.6), '25.6');
  assert.equal(toFixed(0.0123), '0.0123');
  assert.equal(toFixed(0), '0');
  assert.equal(toFixed(Infinity), Infinity.toLocaleString());
});

// [unit, value, decimals, expected]
const CASES = [
  // Grafana's valueFormats.test table.
  ['currencyUSD', 1532.82, 2, '$1.53K'],
  ['currencyKRW', 1532.82, 2, '₩1.53K'],
  ['currencyIDR', 1532.82, 2, 'Rp1.53K'],
  ['ms', 0.0024, 4, '0.0024 ms'],
  ['ms', 100, 0, '100 ms'],
  ['ms', 1250, 2, '1.25 s'],
  ['ms', 10000086.123, 1, '2.8 hours'],
  ['ms', 1200, 0, '1 s'],
  ['short', 98765, 0, '99 K'],
  ['short', 9876543, 0, '10 Mil'],
  ['kbytes', 10000000, 3, '9.537 GiB'],
  ['deckbytes', 10000000, 3, '10.000 GB'],
  ['megwatt', 1000, 3, '1.000 GW'],
  ['kohm', 1000, 3, '1.000 MΩ'],
  ['Mohm', 1000, 3, '1.000 GΩ'],
  ['farad', 1000, 3, '1.000 kF'],
  ['µfarad', 1000, 3, '1.000 mF'],
  ['nfarad', 1000, 3, '1.000 µF'],
  ['pfarad', 1000, 3, '1.000 nF'],
  ['ffarad', 1000, 3, '1.000 pF'],
  ['henry', 1000, 3, '1.000 kH'],
  ['mhenry', 1000, 3, '1.000 H'],
  ['µhenry', 1000, 3, '1.000 mH'],
  // arithmeticFormatters.test
  ['hex', 100, 0, '64'],
  ['hex', -100, 0, '-64'],
  ['hex', 50.52, 1, '32.8'],
  ['hex', -50.333, 2, '-32.547AE147AE14'],
  ['hex0x', 7999, 0, '0x1F3F'],
  ['hex0x', -584, 0, '-0x248'],
  ['hex0x', 74.443, 3, '0x4A.716872B020C4'],
  ['hex0x', -65.458, 1, '-0x41.8'],
  // Bytes: IEC steps of 1024 for bytes/bits, SI steps of 1000 for dec*.
  ['bytes', 1536, undefined, '1.50 KiB'],
  ['bytes', 1023, undefined, '1023 B'],
  ['bytes', 0, undefined, '0 B'],
  ['bytes', 1073741824, undefined, '1 GiB'],
  ['decbytes', 1500, undefined, '1.50 kB'],
  ['bits', 2048, undefined, '2 Kib'],
  ['decbits', 1000, undefined, '1 kb'],
  ['mbytes', 1024, undefined, '1 GiB'],
  ['bytes', -2048, undefined, '-2 KiB'],
  // Rates
  ['bps', 1e9, undefined, '1 Gb/s'],
  ['Bps', 2500000, undefined, '2.50 MB/s'],
  ['binBps', 1048576, undefined, '1 MiB/s'],
  ['binbps', 1536, undefined, '1.50 Kib/s'],
  ['pps', 1500, undefined, '1.50 kp/s'],
  ['ops', 1500, undefined, '1.50K ops/s'],
  ['ops', 15, undefined, '15 ops/s'],
  ['reqps', 2000000, undefined, '2M req/s'],
  ['rps', 3, undefined, '3 rd/s'],
  ['wps', 3, undefined, '3 wr/s'],
  ['iops', 250, undefined, '250 io/s'],
  ['cps', 12, undefined, '12 c/s'],
  ['eps', 100, undefined, '100 evt/s'],
  ['opm', 1200, undefined, '1.20K ops/m'],
  ['rpm', 60, undefined, '60 rd/m'],
  // Misc
  ['short', 1500000, undefined, '1.50 Mil'],
  ['short', 1500, undefined, '1.50 K'],
  ['short', 999, undefined, '999'],
  ['short', 2.5e9, undefined, '2.50 Bil'],
  ['short', 0.5, undefined, '0.500'],
  ['none', 1234567, undefined, '1234567'],
  ['none', 0.123456, undefined, '0.123'],
  ['percent', 42, undefined, '42%'],
  ['percent', 99.5, 1, '99.5%'],
  ['percentunit', 0.256, undefined, '25.6%'],
  ['percentunit', 1, undefined, '100%'],
  ['percentunit', 0.5, 2, '50.00%'],
  ['humidity', 45, undefined, '45 %H'],
  ['celsius', 21.5, undefined, '21.5 °C'],
  ['fahrenheit', 70, undefined, '70 °F'],
  ['farenheit', 70, undefined, '70 °F'],
  ['volt', 0.012, undefined, '12 mV'],
  ['amp', 1500, undefined, '1.50 kA'],
  ['watt', 2000, undefined, '2 kW'],
  ['kwatt', 1500, undefined, '1.50 MW'],
  ['hertz', 2.5e9, undefined, '2.50 GHz'],
  ['rotrpm', 1500, undefined, '1500 rpm'],
  ['sci', 1234.5678, 2, '1.23e+3'],
  ['currencyEUR', 12, undefined, '€12'],
  ['currencySEK', 1500, undefined, '1.50Kkr'],
  ['bool', 1, undefined, 'True'],
  ['bool', 0, undefined, 'False'],
  ['bool_yes_no', 1, undefined, 'Yes'],
  ['bool_yes_no', 0, undefined, 'No'],
  ['bool_on_off', 1, undefined, 'On'],
  // Time: seconds scale up with plural words above 1, down to ms/µs/ns below 1.
  ['s', 3600, undefined, '1 hour'],
  ['s', 7200, undefined, '2 hours'],
  ['s', 5400, undefined, '1.50 hours'],
  ['s', 90, undefined, '1.50 mins'],
  ['s', 45, undefined, '45 s'],
  ['s', 0.25, undefined, '250 ms'],
  ['s', 0.000012, undefined, '12 µs'],
  ['s', 0, undefined, '0 s'],
  ['s', 86400 * 3, undefined, '3 days'],
  ['s', 604800 * 2, undefined, '2 weeks'],
  ['ms', 999, undefined, '999 ms'],
  ['ms', 90000, undefined, '1.50 mins'],
  ['µs', 1500, undefined, '1.50 ms'],
  ['ns', 10, undefined, '10 ns'],
  ['ns', 3000, undefined, '3 µs'],
  ['ns', 32400000000000, undefined, '9 hours'],
  ['m', 90, undefined, '1.50 hours'],
  ['h', 36, undefined, '1.50 days'],
  ['d', 14, undefined, '2 weeks'],
  // dateTimeFormatters.test: durations, clocks
  ['dtdurationms', 0, 0, '0 milliseconds'],
  ['dtdurationms', 1, 0, '1 millisecond'],
  ['dtdurationms', -1, 0, '1 millisecond ago'],
  ['dtdurations', 1, 0, '1 second'],
  ['dtdurations', 1.5 * 86400, 2, '1 day, 12 hours, 0 minutes'],
  ['dtdurationms', 38898367008, 0, '1 year'],
  ['dtdurationms', 38898367008, 1, '1 year, 2 months'],
  ['dtdurationms', 38898367008, 20, '1 year, 2 months, 3 weeks, 4 days, 5 hours, 6 minutes, 7 seconds, 8 milliseconds'],
  ['dtdurationms', 36993906007, 8, '1 year, 2 months, 0 weeks, 3 days, 4 hours, 5 minutes, 6 seconds, 7 milliseconds'],
  ['dtdurations', 3661, undefined, '1 hour'],
  ['dthms', 1, undefined, '00:00:01'],
  ['dthms', -1, undefined, '00:00:01 ago'],
  ['dtdhms', 86399, undefined, '23:59:59'],
  ['dtdhms', 86400, undefined, '1 d 00:00:00'],
  ['dtdhms', 1179811, undefined, '13 d 15:43:31'],
  ['dtdhms', -1179811, undefined, '13 d 15:43:31 ago'],
  ['dtdhms', 116876364, undefined, '1352 d 17:39:24'],
  ['clockms', 999, 0, '999ms'],
  ['clockms', 59999, undefined, '59s:999ms'],
  ['clockms', 59999, 0, '59s'],
  ['clockms', 3599999, 1, '59m:59s'],
  ['clockms', 7199999, undefined, '01h:59m:59s:999ms'],
  ['clockms', 7199999, 1, '01h:59m'],
  ['clockms', 89999999, 2, '24h:59m:59s'],
  ['clocks', 59.999, 0, '59s'],
  ['timeticks', 6000, undefined, '1 min'],
  // Ids built on the fly, and custom units as suffixes.
  ['suffix:req', 5, undefined, '5 req'],
  ['prefix:$', 5, undefined, '$5'],
  ['si:mA', 1500, undefined, '1.50 A'],
  ['si:kW', 2500, undefined, '2.50 MW'],
  ['si:B', 1500, undefined, '1.50 kB'],
  ['count:req', 1500, undefined, '1.50K req'],
  ['currency:CHF', 2000, undefined, 'CHF2K'],
  ['bool:up/down', 1, undefined, 'up'],
  ['bool:up/down', 0, undefined, 'down'],
  ['bool:up', 0, undefined, '-'],
  ['widgets', 12, undefined, '12 widgets'],
  ['', 12.345, undefined, '12.3'],
];

test('formatUnit: Grafana value formats table', () => {
  for (const [unit, value, decimals, expected] of CASES) {
    assert.equal(formatUnit(value, unit, decimals), expected, `${unit} ${value} (decimals ${decimals})`);
  }
});

test('formatValue keeps prefix, text and suffix apart (Grafana symbolFormatters.test)', () => {
  assert.deepEqual(formatValue(1000, 'currencyUSD'), { prefix: '$', text: '1', suffix: 'K' });
  assert.deepEqual(formatValue(-1000, 'currencyUSD'), { prefix: '-$', text: '1', suffix: 'K' });
  assert.deepEqual(formatValue(1e15, 'currencyUSD'), { prefix: '$', text: '1000', suffix: 'T' });
  assert.deepEqual(formatValue(-999, 'currencyDKK'), { prefix: '-', text: '999', suffix: 'kr' });
  assert.deepEqual(formatValue(1e15, 'volt'), { prefix: '', text: '1', suffix: ' PV' });
  assert.deepEqual(formatValue(-1e12, 'volt'), { prefix: '', text: '-1', suffix: ' TV' });
  assert.deepEqual(formatValue(1536, 'bytes'), { prefix: '', text: '1.50', suffix: ' KiB' });
});

test('formatValue: null, undefined, NaN and numeric strings', () => {
  assert.deepEqual(formatValue(null, 'bytes'), { prefix: '', text: '', suffix: '' });
  assert.deepEqual(formatValue(undefined, 'short'), { prefix: '', text: '', suffix: '' });
  assert.equal(formatValue(NaN, 'short').text, 'NaN');
  assert.equal(formatUnit('1536', 'bytes'), '1.50 KiB');
});

test('date units format in local time or UTC', () => {
  const epoch = 1505634997920;
  assert.equal(formatUnit(epoch, 'dateTimeAsIso', undefined, { timeZone: 'utc' }), '2017-09-17 07:56:37');
  assert.equal(formatUnit(epoch, 'dateTimeAsUS', undefined, { timeZone: 'utc' }), '09/17/2017 7:56:37 am');
  const d = new Date(epoch);
  const p = (n) => String(n).padStart(2, '0');
  assert.equal(
    formatUnit(epoch, 'dateTimeAsIso'),
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`,
  );
  assert.equal(formatUnit(epoch, 'dateTimeAsIsoNoDateIfToday', undefined, { timeZone: 'utc', now: epoch + 1000 }), '07:56:37');
  assert.equal(formatUnit(epoch, 'dateTimeAsIsoNoDateIfToday', undefined, { timeZone: 'utc', now: epoch + 86400000 }), '2017-09-17 07:56:37');
  assert.equal(formatUnit(epoch, 'time:YYYY/MM/DD', undefined, { timeZone: 'utc' }), '2017/09/17');
  const now = 1700000000000;
  assert.equal(formatUnit(now - 7 * 86400000, 'dateTimeFromNow', undefined, { now }), '7 days ago');
  assert.equal(formatUnit(now - 2 * 60000, 'dateTimeFromNow', undefined, { now }), '2 minutes ago');
  assert.equal(formatUnit(now + 3 * 3600000, 'dateTimeFromNow', undefined, { now }), 'in 3 hours');
  assert.equal(formatUnit(now - 10000, 'dateTimeFromNow', undefined, { now }), 'a few seconds ago');
});

// The shared dashboards beside the checkout (`../shared/dashboards`), or ARGUS_DASHBOARDS. Under
// CI they must be there: a missing copy would silently check nothing.
function dashboardsDir() {
  const dir = process.env.ARGUS_DASHBOARDS || fileURLToPath(new URL('../../../shared/dashboards', import.meta.url));
  if (existsSync(dir)) return dir;
  assert.notEqual(process.env.CI, 'true', `CI=true but the shared dashboards are missing at ${dir}`);
  return null;
}

test('knownUnit: every unit and legacy y-axis format in the shared dashboards', (t) => {
  const dir = dashboardsDir();
  if (!dir) return t.skip('no shared dashboards beside the checkout');
  const units = new Set();
  for (const name of ['node-exporter-full.json', 'mysql-overview.json']) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/"unit":\s*"([^"]*)"/g)) units.add(m[1]);
    const walk = (node) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const axis of node.yaxes || []) if (axis && axis.format) units.add(axis.format);
      // Field overrides set units as `{ id: 'unit', value }`.
      if (node.id === 'unit' && typeof node.value === 'string') units.add(node.value);
      Object.values(node).forEach(walk);
    };
    walk(JSON.parse(text));
  }
  assert.ok(units.size >= 18, `found ${units.size} units`);
  for (const unit of units) assert.ok(knownUnit(unit), unit);
  assert.equal(knownUnit('widgets'), false);
  assert.equal(knownUnit('suffix:req'), true);
  assert.equal(knownUnit('si:mA'), true);
  assert.equal(knownUnit('foo:bar'), false);
});

test('displayValue: what a stat or table cell shows', () => {
  assert.deepEqual(displayValue(null, 'bytes', undefined, 'No data'), { prefix: '', text: 'No data', suffix: '' });
  assert.equal(displayValue('', 'short').text, '');
  assert.equal(displayValue('NaN', 'short').text, 'NaN');
  assert.equal(displayValue('up', 'short').text, 'up');
  assert.equal(displayValue(true, 'short').text, 'true');
  assert.equal(displayValue('0.256', 'percentunit').text, '25.6');
});

test('axisFormatter: tick decimals from the increment, trailing zeros dropped', () => {
  const seconds = axisFormatter('s');
  assert.equal(seconds(0.15, 0.05), '150 ms');
  assert.equal(seconds(0.2, 0.05), '200 ms');
  assert.equal(seconds(1, 0.5), '1 s');
  assert.equal(seconds(1.5, 0.5), '1.5 s');
  const bytes = axisFormatter('bytes');
  assert.equal(bytes(1536, 512), '1.50 KiB');
  assert.equal(bytes(2.5, 0.5), '2.5 B');
  assert.equal(axisFormatter('percent', 1)(50, 10), '50.0%');
  assert.equal(axisFormatter('short')(null, 1), '');
});
