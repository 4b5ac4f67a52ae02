// Grafana's value formatting by unit id (its `valueFormats`): the same scaling steps, suffixes,
// automatic decimals and fallbacks, so a dashboard's numbers read as they do in Grafana.

import { formatDate, fromNow } from './time.js';

/** A formatted value as Grafana's FormattedValue: `prefix + text + suffix`. */
function fv(text, suffix = '', prefix = '') {
  return { prefix: prefix ?? '', text, suffix: suffix ?? '' };
}

// Decimals Grafana picks when none are given: two significant digits, more below 1, none for
// integers (so 1.5 → "1.50", 25.6 → "25.6", 1536 → "1536").
function autoDecimals(value) {
  const abs = Math.abs(value);
  const log10 = Math.floor(Math.log(abs) / Math.LN10);
  let dec = -log10 + 1;
  const magn = Math.pow(10, -dec);
  const norm = abs / magn;
  if (norm > 2.25) ++dec;
  if (value % 1 === 0) dec = 0;
  return Math.max(0, dec);
}

/** Grafana's `toFixed`: `decimals` null/undefined picks them from the value; the result keeps trailing zeros. */
export function toFixed(value, decimals) {
  if (value === null) return '';
  if (value === Infinity || value === -Infinity) return value.toLocaleString();
  if (decimals === null || decimals === undefined) decimals = autoDecimals(value);
  // toFixed throws outside 0..100, and dashboard JSON can say anything.
  decimals = Math.min(Math.max(decimals, 0), 100);
  if (value === 0) return value.toFixed(decimals);
  const factor = decimals ? Math.pow(10, decimals) : 1;
  const formatted = String(Math.round(value * factor) / factor);
  if (formatted.includes('e')) return formatted;
  const dot = formatted.indexOf('.');
  const precision = dot === -1 ? 0 : formatted.length - dot - 1;
  if (precision < decimals) return (precision ? formatted : formatted + '.') + '0'.repeat(decimals - precision);
  return formatted;
}

function fixedUnit(unit, asPrefix = false) {
  return (v, d) => {
    const text = toFixed(v, d);
    if (!unit) return fv(text);
    return asPrefix ? fv(text, '', unit) : fv(text, ' ' + unit);
  };
}

// Grafana pluralises the long time words when the scaled value is above 1 ("2 hours", "1.50 hours", "1 hour").
function fixedScaled(v, d, ext) {
  const plural = Math.abs(v) > 1 && [' min', ' hour', ' day', ' week', ' year'].includes(ext);
  return fv(toFixed(v, d), plural ? ext + 's' : ext);
}

const clamp = (n, lo, hi) => Math.min(Math.max(n, lo), hi);

// Steps of `factor`: the suffix of the step the value's magnitude reaches, `offset` naming the
// step the raw value is in (kbytes start at KiB).
function scaled(factor, steps, offset = 0) {
  return (v, d) => {
    if (!Number.isFinite(v)) return fv(v.toLocaleString());
    const index = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)) / Math.log10(factor));
    const suffix = steps[clamp(offset + index, 0, steps.length - 1)];
    return fv(toFixed(v / factor ** clamp(index, -offset, steps.length - offset - 1), d), suffix);
  };
}

const SI_PREFIXES = ['f', 'p', 'n', 'µ', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_BASE = SI_PREFIXES.indexOf('');
const BIN_PREFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

function si(unit, offset = 0) {
  return scaled(1000, SI_PREFIXES.map((p) => ' ' + p + unit), SI_BASE + offset);
}

function bin(unit, offset = 0) {
  return scaled(1024, BIN_PREFIXES.map((p) => ' ' + p + unit), offset);
}

// Counts per time: K/M/B/T glued to the number, then the symbol ("1.50K ops/s").
function count(symbol) {
  const scaler = scaled(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, d) => {
    const r = scaler(v, d);
    return fv(r.text, r.suffix + ' ' + symbol);
  };
}

function currency(symbol, asSuffix = false) {
  const scaler = scaled(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, d) => {
    const negative = v < 0;
    const r = scaler(Math.abs(v), d);
    let prefix = asSuffix ? '' : symbol;
    const suffix = asSuffix ? r.suffix + symbol : r.suffix;
    if (negative) prefix = '-' + prefix;
    return fv(r.text, suffix, prefix);
  };
}

function bool(t, f) {
  return (v) => fv(v ? t : f);
}

function percent(v, d) {
  return fv(toFixed(v, d), '%');
}

function percentUnit(v, d) {
  return fv(toFixed(100 * v, d), '%');
}

function hex(v, d) {
  return fv(parseFloat(toFixed(v, d)).toString(16).toUpperCase());
}

function hex0x(v, d) {
  const h = hex(v, d).text;
  return fv(h.startsWith('-') ? '-0x' + h.slice(1) : '0x' + h);
}

function sci(v, d) {
  return fv(v.toExponential(d ?? undefined));
}

function locale(v, d) {
  return fv(v.toLocaleString(undefined, { maximumFractionDigits: d ?? undefined }));
}

function toNanoSeconds(v, d) {
  const a = Math.abs(v);
  if (a < 1000) return fv(toFixed(v, d), ' ns');
  if (a < 1e6) return fixedScaled(v / 1000, d, ' µs');
  if (a < 1e9) return fixedScaled(v / 1e6, d, ' ms');
  if (a < 60e9) return fixedScaled(v / 1e9, d, ' s');
  if (a < 3600e9) return fixedScaled(v / 60e9, d, ' min');
  if (a < 86400e9) return fixedScaled(v / 3600e9, d, ' hour');
  return fixedScaled(v / 86400e9, d, ' day');
}

function toMicroSeconds(v, d) {
  const a = Math.abs(v);
  if (a < 1000) return fv(toFixed(v, d), ' µs');
  if (a < 1e6) return fixedScaled(v / 1000, d, ' ms');
  return fixedScaled(v / 1e6, d, ' s');
}

function toMilliSeconds(v, d) {
  const a = Math.abs(v);
  if (a < 1000) return fv(toFixed(v, d), ' ms');
  if (a < 60000) return fixedScaled(v / 1000, d, ' s');
  if (a < 3600000) return fixedScaled(v / 60000, d, ' min');
  if (a < 86400000) return fixedScaled(v / 3600000, d, ' hour');
  if (a < 31536000000) return fixedScaled(v / 86400000, d, ' day');
  return fixedScaled(v / 31536000000, d, ' year');
}

function toSeconds(v, d) {
  if (v === 0) return fv('0', ' s');
  const a = Math.abs(v);
  if (a < 0.000001) return fixedScaled(v * 1e9, d, ' ns');
  if (a < 0.001) return fixedScaled(v * 1e6, d, ' µs');
  if (a < 1) return fixedScaled(v * 1e3, d, ' ms');
  if (a < 60) return fv(toFixed(v, d), ' s');
  if (a < 3600) return fixedScaled(v / 60, d, ' min');
  if (a < 86400) return fixedScaled(v / 3600, d, ' hour');
  if (a < 604800) return fixedScaled(v / 86400, d, ' day');
  if (a < 31536000) return fixedScaled(v / 604800, d, ' week');
  // Grafana divides by a mean year here, not by 365 days.
  return fixedScaled(v / 3.15569e7, d, ' year');
}

function toMinutes(v, d) {
  const a = Math.abs(v);
  if (a < 60) return fv(toFixed(v, d), ' min');
  if (a < 1440) return fixedScaled(v / 60, d, ' hour');
  if (a < 10080) return fixedScaled(v / 1440, d, ' day');
  if (a < 604800) return fixedScaled(v / 10080, d, ' week');
  return fixedScaled(v / 5.25948e5, d, ' year');
}

function toHours(v, d) {
  const a = Math.abs(v);
  if (a < 24) return fv(toFixed(v, d), ' hour');
  if (a < 168) return fixedScaled(v / 24, d, ' day');
  if (a < 8760) return fixedScaled(v / 168, d, ' week');
  return fixedScaled(v / 8760, d, ' year');
}

function toDays(v, d) {
  const a = Math.abs(v);
  if (a < 7) return fv(toFixed(v, d), ' day');
  if (a < 365) return fixedScaled(v / 7, d, ' week');
  return fixedScaled(v / 365, d, ' year');
}

const DURATION_UNITS = [
  ['year', 31536000],
  ['month', 2592000],
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
  ['millisecond', 0.001],
];

// `dtdurations`/`dtdurationms`: the largest unit, then `decimals` more ("1 hour, 1 minute"),
// each floored.
function duration(scaleSeconds, scaleName) {
  const fn = (v, d) => {
    if (v === 0) return fv('0', ' ' + scaleName + 's');
    if (v < 0) {
      const r = fn(-v, d);
      return fv(r.text, r.suffix + ' ago', r.prefix);
    }
    let size = v * scaleSeconds * 1000;
    const parts = [];
    let left = d ?? 0;
    let started = false;
    for (let i = 0; i < DURATION_UNITS.length && left >= 0; i++) {
      const interval = DURATION_UNITS[i][1] * 1000;
      const value = size / interval;
      if (value >= 1 || started) {
        started = true;
        const floor = Math.floor(value);
        parts.push(floor + ' ' + DURATION_UNITS[i][0] + (floor !== 1 ? 's' : ''));
        size = size % interval;
        left--;
      }
    }
    return fv(parts.join(', '));
  };
  return fn;
}

function hms(v) {
  if (v < 0) {
    const r = hms(-v);
    return fv(r.text, r.suffix + ' ago');
  }
  const pad = (n) => (n > 9 ? '' + n : '0' + n);
  return fv([Math.floor(v / 3600), Math.floor((v % 3600) / 60), Math.floor((v % 3600) % 60)].map(pad).join(':'));
}

function dhms(v) {
  if (v < 0) {
    const r = dhms(-v);
    return fv(r.text, r.suffix + ' ago');
  }
  const days = Math.floor(v / 86400);
  return fv((days > 0 ? days + ' d ' : '') + hms(v - days * 86400).text);
}

// `clockms`: `05s:123ms`, `01m:05s:123ms`, `1h:01m:05s:123ms`; decimals drop the smaller parts.
function clock(ms, d) {
  const f = (pattern) => formatDate(ms, pattern, true);
  if (ms < 1000) return fv(f('SSS[ms]'));
  if (ms < 60000) return fv(f(d === 0 ? 'ss[s]' : 'ss[s]:SSS[ms]'));
  if (ms < 3600000) return fv(f(d === 0 ? 'mm[m]' : d === 1 ? 'mm[m]:ss[s]' : 'mm[m]:ss[s]:SSS[ms]'));
  // Grafana pads hours to two digits (`01h`); beyond 99 it keeps every digit here.
  const hours = String(Math.floor(ms / 3600000)).padStart(2, '0') + 'h';
  const rest = d === 0 ? '' : d === 1 ? 'mm[m]' : d === 2 ? 'mm[m]:ss[s]' : 'mm[m]:ss[s]:SSS[ms]';
  return fv(rest ? `${hours}:${f(rest)}` : hours);
}

function sameDay(a, b, utc) {
  return formatDate(a, 'YYYY-MM-DD', utc) === formatDate(b, 'YYYY-MM-DD', utc);
}

function dateTimeFormat(pattern, todayPattern) {
  return (v, d, opts) => {
    const utc = opts.timeZone === 'utc';
    if (todayPattern && sameDay(v, opts.now ?? Date.now(), utc)) return fv(formatDate(v, todayPattern, utc));
    return fv(formatDate(v, pattern, utc));
  };
}

// Grafana derives these from the browser's locale; Intl gives the same fields, though its
// separators may differ from Grafana's moment pattern.
function localDateTime(dateToo) {
  return (v, d, opts) => {
    const utc = opts.timeZone === 'utc';
    const parts = { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: utc ? 'UTC' : undefined };
    const withDate = dateToo || !sameDay(v, opts.now ?? Date.now(), utc);
    if (withDate) Object.assign(parts, { year: 'numeric', month: '2-digit', day: '2-digit' });
    return fv(new Intl.DateTimeFormat(undefined, parts).format(new Date(v)));
  };
}

const FORMATS = new Map();

function define(entries) {
  for (const [id, fn] of entries) FORMATS.set(id, fn);
}

// Grafana's categories, newest first where ids were renamed.
define([
  // Misc
  ['none', fixedUnit('')],
  ['string', (v) => fv(`${v}`)],
  ['short', scaled(1000, ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'])],
  ['sishort', si('')],
  ['percent', percent],
  ['percentunit', percentUnit],
  ['humidity', fixedUnit('%H')],
  ['dB', fixedUnit('dB')],
  ['candela', si('cd')],
  ['hex0x', hex0x],
  ['hex', hex],
  ['sci', sci],
  ['locale', locale],
  ['pixel', fixedUnit('px')],
  // Acceleration, angle, area
  ['accMS2', fixedUnit('m/sec²')],
  ['accFS2', fixedUnit('f/sec²')],
  ['accG', fixedUnit('g')],
  ['degree', fixedUnit('°')],
  ['radian', fixedUnit('rad')],
  ['grad', fixedUnit('grad')],
  ['arcmin', fixedUnit('arcmin')],
  ['arcsec', fixedUnit('arcsec')],
  ['areaM2', fixedUnit('m²')],
  ['areaF2', fixedUnit('ft²')],
  ['areaMI2', fixedUnit('mi²')],
  ['acres', fixedUnit('ac')],
  ['hectares', fixedUnit('ha')],
  // Computation
  ['flops', si('FLOPS')],
  ['mflops', si('FLOPS', 2)],
  ['gflops', si('FLOPS', 3)],
  ['tflops', si('FLOPS', 4)],
  ['pflops', si('FLOPS', 5)],
  ['eflops', si('FLOPS', 6)],
  ['zflops', si('FLOPS', 7)],
  ['yflops', si('FLOPS', 8)],
  // Concentration
  ['ppm', fixedUnit('ppm')],
  ['conppb', fixedUnit('ppb')],
  ['conngm3', fixedUnit('ng/m³')],
  ['conngNm3', fixedUnit('ng/Nm³')],
  ['conμgm3', fixedUnit('μg/m³')],
  ['conμgNm3', fixedUnit('μg/Nm³')],
  ['conmgm3', fixedUnit('mg/m³')],
  ['conmgNm3', fixedUnit('mg/Nm³')],
  ['congm3', fixedUnit('g/m³')],
  ['congNm3', fixedUnit('g/Nm³')],
  ['conmgdL', fixedUnit('mg/dL')],
  ['conmmolL', fixedUnit('mmol/L')],
  // Currency
  ['currencyUSD', currency('$')],
  ['currencyGBP', currency('£')],
  ['currencyEUR', currency('€')],
  ['currencyJPY', currency('¥')],
  ['currencyRUB', currency('₽')],
  ['currencyUAH', currency('₴')],
  ['currencyBRL', currency('R$')],
  ['currencyDKK', currency('kr', true)],
  ['currencyISK', currency('kr', true)],
  ['currencyNOK', currency('kr', true)],
  ['currencySEK', currency('kr', true)],
  ['currencyCZK', currency('czk')],
  ['currencyCHF', currency('CHF')],
  ['currencyPLN', currency('PLN')],
  ['currencyBTC', currency('฿')],
  ['currencymBTC', currency('mBTC')],
  ['currencyμBTC', currency('μBTC')],
  ['currencyZAR', currency('R')],
  ['currencyINR', currency('₹')],
  ['currencyKRW', currency('₩')],
  ['currencyIDR', currency('Rp')],
  ['currencyPHP', currency('PHP')],
  ['currencyVND', currency('đ', true)],
  ['currencyTRY', currency('₺', true)],
  ['currencyMYR', currency('RM')],
  ['currencyXPF', currency('XPF')],
  ['currencyBGN', currency('BGN')],
  ['currencyPYG', currency('₲')],
  ['currencyUYU', currency('UYU')],
  ['currencyILS', currency('₪')],
  // Data: IEC (1024) for bytes/bits, SI (1000) for dec*
  ['bytes', bin('B')],
  ['decbytes', si('B')],
  ['bits', bin('b')],
  ['decbits', si('b')],
  ['kbytes', bin('B', 1)],
  ['deckbytes', si('B', 1)],
  ['mbytes', bin('B', 2)],
  ['decmbytes', si('B', 2)],
  ['gbytes', bin('B', 3)],
  ['decgbytes', si('B', 3)],
  ['tbytes', bin('B', 4)],
  ['dectbytes', si('B', 4)],
  ['pbytes', bin('B', 5)],
  ['decpbytes', si('B', 5)],
  // Data rate
  ['pps', si('p/s')],
  ['binBps', bin('B/s')],
  ['Bps', si('B/s')],
  ['binbps', bin('b/s')],
  ['bps', si('b/s')],
  ['KiBs', bin('B/s', 1)],
  ['Kibits', bin('b/s', 1)],
  ['KBs', si('B/s', 1)],
  ['Kbits', si('b/s', 1)],
  ['MiBs', bin('B/s', 2)],
  ['Mibits', bin('b/s', 2)],
  ['MBs', si('B/s', 2)],
  ['Mbits', si('b/s', 2)],
  ['GiBs', bin('B/s', 3)],
  ['Gibits', bin('b/s', 3)],
  ['GBs', si('B/s', 3)],
  ['Gbits', si('b/s', 3)],
  ['TiBs', bin('B/s', 4)],
  ['Tibits', bin('b/s', 4)],
  ['TBs', si('B/s', 4)],
  ['Tbits', si('b/s', 4)],
  ['PiBs', bin('B/s', 5)],
  ['Pibits', bin('b/s', 5)],
  ['PBs', si('B/s', 5)],
  ['Pbits', si('b/s', 5)],
  // Date & time
  ['dateTimeAsIso', dateTimeFormat('YYYY-MM-DD HH:mm:ss')],
  ['dateTimeAsIsoNoDateIfToday', dateTimeFormat('YYYY-MM-DD HH:mm:ss', 'HH:mm:ss')],
  ['dateTimeAsUS', dateTimeFormat('MM/DD/YYYY h:mm:ss a')],
  ['dateTimeAsUSNoDateIfToday', dateTimeFormat('MM/DD/YYYY h:mm:ss a', 'h:mm:ss a')],
  ['dateTimeAsLocal', localDateTime(true)],
  ['dateTimeAsLocalNoDateIfToday', localDateTime(false)],
  ['dateTimeAsSystem', (v, d, opts) => dateTimeFormat(opts.showMs ? 'YYYY-MM-DD HH:mm:ss.SSS' : 'YYYY-MM-DD HH:mm:ss')(v, d, opts)],
  ['dateTimeFromNow', (v, d, opts) => fv(fromNow(v, opts.now ?? Date.now()))],
  // Energy
  ['watt', si('W')],
  ['kwatt', si('W', 1)],
  ['megwatt', si('W', 2)],
  ['gwatt', si('W', 3)],
  ['mwatt', si('W', -1)],
  ['Wm2', si('W/m²')],
  ['voltamp', si('VA')],
  ['kvoltamp', si('VA', 1)],
  ['voltampreact', si('VAr')],
  ['kvoltampreact', si('VAr', 1)],
  ['watth', si('Wh')],
  ['watthperkg', si('Wh/kg')],
  ['kwatth', si('Wh', 1)],
  ['kwattm', si('W-Min', 1)],
  ['mwatth', si('Wh', 2)],
  ['amph', si('Ah')],
  ['kamph', si('Ah', 1)],
  ['mamph', si('Ah', -1)],
  ['joule', si('J')],
  ['ev', si('eV')],
  ['amp', si('A')],
  ['kamp', si('A', 1)],
  ['mamp', si('A', -1)],
  ['volt', si('V')],
  ['kvolt', si('V', 1)],
  ['mvolt', si('V', -1)],
  ['dBm', si('dBm')],
  ['mohm', si('Ω', -1)],
  ['ohm', si('Ω')],
  ['kohm', si('Ω', 1)],
  ['Mohm', si('Ω', 2)],
  ['farad', si('F')],
  ['µfarad', si('F', -2)],
  ['nfarad', si('F', -3)],
  ['pfarad', si('F', -4)],
  ['ffarad', si('F', -5)],
  ['henry', si('H')],
  ['mhenry', si('H', -1)],
  ['µhenry', si('H', -2)],
  ['lumens', si('Lm')],
  // Flow
  ['flowgpm', fixedUnit('gpm')],
  ['flowcms', fixedUnit('cms')],
  ['flowcfs', fixedUnit('cfs')],
  ['flowcfm', fixedUnit('cfm')],
  ['litreh', fixedUnit('L/h')],
  ['flowlpm', fixedUnit('L/min')],
  ['flowmlpm', fixedUnit('mL/min')],
  ['lux', fixedUnit('lux')],
  // Force, hash rate, mass, length
  ['forceNm', si('Nm')],
  ['forcekNm', si('Nm', 1)],
  ['forceN', si('N')],
  ['forcekN', si('N', 1)],
  ['Hs', si('H/s')],
  ['KHs', si('H/s', 1)],
  ['MHs', si('H/s', 2)],
  ['GHs', si('H/s', 3)],
  ['THs', si('H/s', 4)],
  ['PHs', si('H/s', 5)],
  ['EHs', si('H/s', 6)],
  ['massmg', si('g', -1)],
  ['massg', si('g')],
  ['masslb', fixedUnit('lb')],
  ['masskg', si('g', 1)],
  ['masst', fixedUnit('t')],
  ['lengthmm', si('m', -1)],
  ['lengthin', fixedUnit('in')],
  ['lengthft', fixedUnit('ft')],
  ['lengthm', si('m')],
  ['lengthkm', si('m', 1)],
  ['lengthmi', fixedUnit('mi')],
  // Pressure
  ['pressurembar', si('bar', -1)],
  ['pressurebar', si('bar')],
  ['pressurekbar', si('bar', 1)],
  ['pressurepa', si('Pa')],
  ['pressurehpa', fixedUnit('hPa')],
  ['pressurekpa', fixedUnit('kPa')],
  ['pressurehg', fixedUnit('"Hg')],
  ['pressurepsi', scaled(1000, ['psi', 'ksi', 'Mpsi'])],
  // Radiation
  ['radbq', si('Bq')],
  ['radci', si('Ci')],
  ['radgy', si('Gy')],
  ['radrad', si('rad')],
  ['radsv', si('Sv')],
  ['radmsv', si('Sv', -1)],
  ['radusv', si('Sv', -2)],
  ['radrem', si('rem')],
  ['radexpckg', si('C/kg')],
  ['radr', si('R')],
  ['radsvh', si('Sv/h')],
  ['radmsvh', si('Sv/h', -1)],
  ['radusvh', si('Sv/h', -2)],
  // Rotational speed, temperature
  ['rotrpm', fixedUnit('rpm')],
  ['rothz', si('Hz')],
  ['rotkhz', si('Hz', 1)],
  ['rotmhz', si('Hz', 2)],
  ['rotghz', si('Hz', 3)],
  ['rotrads', fixedUnit('rad/s')],
  ['rotdegs', fixedUnit('°/s')],
  ['celsius', fixedUnit('°C')],
  ['fahrenheit', fixedUnit('°F')],
  ['kelvin', fixedUnit('K')],
  // Time
  ['hertz', si('Hz')],
  ['ns', toNanoSeconds],
  ['µs', toMicroSeconds],
  ['ms', toMilliSeconds],
  ['s', toSeconds],
  ['m', toMinutes],
  ['h', toHours],
  ['d', toDays],
  ['dtdurationms', duration(0.001, 'millisecond')],
  ['dtdurations', duration(1, 'second')],
  ['dthms', hms],
  ['dtdhms', dhms],
  ['timeticks', (v, d) => toSeconds(v / 100, d)],
  ['clockms', clock],
  ['clocks', (v, d) => clock(v * 1000, d)],
  // Throughput
  ['cps', count('c/s')],
  ['ops', count('ops/s')],
  ['reqps', count('req/s')],
  ['rps', count('rd/s')],
  ['wps', count('wr/s')],
  ['iops', count('io/s')],
  ['eps', count('evt/s')],
  ['mps', count('msg/s')],
  ['recps', count('rec/s')],
  ['rowsps', count('rows/s')],
  ['cpm', count('c/m')],
  ['opm', count('ops/m')],
  ['reqpm', count('req/m')],
  ['rpm', count('rd/m')],
  ['wpm', count('wr/m')],
  ['epm', count('evts/m')],
  ['mpm', count('msgs/m')],
  ['recpm', count('rec/m')],
  ['rowspm', count('rows/m')],
  // Velocity, volume
  ['velocityms', fixedUnit('m/s')],
  ['velocitykmh', fixedUnit('km/h')],
  ['velocitymph', fixedUnit('mph')],
  ['velocityknot', fixedUnit('kn')],
  ['mlitre', si('L', -1)],
  ['litre', si('L')],
  ['m3', fixedUnit('m³')],
  ['Nm3', fixedUnit('Nm³')],
  ['dm3', fixedUnit('dm³')],
  ['gallons', fixedUnit('gal')],
  // Boolean
  ['bool', bool('True', 'False')],
  ['bool_yes_no', bool('Yes', 'No')],
  ['bool_on_off', bool('On', 'Off')],
]);
// An id Grafana once misspelled, still found in old dashboards.
FORMATS.set('farenheit', FORMATS.get('fahrenheit'));

function siOffset(c) {
  const i = SI_PREFIXES.findIndex((p) => p.normalize('NFKD') === c.normalize('NFKD'));
  return i < 0 ? 0 : i - SI_BASE;
}

// The `key:argument` ids Grafana builds on the fly; null when `unit` is not one of them.
function composite(unit) {
  const at = unit.indexOf(':');
  if (at <= 0) return null;
  const key = unit.slice(0, at);
  const sub = unit.slice(at + 1);
  switch (key) {
    case 'prefix':
      return fixedUnit(sub, true);
    case 'suffix':
      return fixedUnit(sub);
    case 'time':
      return (v, d, opts) => fv(formatDate(v, sub, opts.timeZone === 'utc'));
    case 'si': {
      const offset = siOffset(sub.charAt(0));
      return si(offset === 0 ? sub : sub.slice(1), offset);
    }
    case 'count':
      return count(sub);
    case 'currency':
      return currency(sub);
    case 'bool': {
      const slash = sub.indexOf('/');
      return slash >= 0 ? bool(sub.slice(0, slash), sub.slice(slash + 1)) : bool(sub, '-');
    }
    default:
      return null;
  }
}

function formatter(unit) {
  if (!unit) return FORMATS.get('none');
  return FORMATS.get(unit) ?? composite(unit) ?? fixedUnit(unit);
}

/**
 * Whether argus formats `unit` as Grafana does: a known id, or a `prefix:`, `suffix:`, `si:`,
 * `count:`, `currency:`, `bool:` or `time:` form. Other ids show as the number and the id.
 */
export function knownUnit(unit) {
  if (!unit) return true;
  return FORMATS.has(unit) || composite(unit) !== null;
}

/**
 * `value` in Grafana's `unit` → `{ prefix, text, suffix }`. `decimals` null/undefined = automatic.
 * null/undefined give an empty text (Grafana's formatters do); NaN gives "NaN". `opts.timeZone`
 * ('utc' or local), `opts.now` and `opts.showMs` matter only to the date units.
 */
export function formatValue(value, unit, decimals, opts = {}) {
  if (value === null || value === undefined) return fv('');
  // Prometheus sends sample values as strings; every unit but `string` reads them as numbers.
  if (typeof value === 'string' && unit !== 'string') value = Number(value);
  const r = formatter(unit)(value, decimals ?? undefined, opts);
  return fv(r.text, r.suffix, r.prefix);
}

/** `formatValue` as one string (prefix + text + suffix). */
export function formatUnit(value, unit, decimals, opts) {
  const r = formatValue(value, unit, decimals, opts);
  return r.prefix + r.text + r.suffix;
}

const DATE_UNITS = new Set([
  'dateTimeAsIso',
  'dateTimeAsIsoNoDateIfToday',
  'dateTimeAsUS',
  'dateTimeAsUSNoDateIfToday',
  'dateTimeAsLocal',
  'dateTimeAsLocalNoDateIfToday',
  'dateTimeFromNow',
  'dateTimeAsSystem',
]);

// Units whose text must not be reparsed as a number (Grafana's `canTrimTrailingDecimalZeros`).
function trimmable(unit, decimals) {
  if (decimals !== null && decimals !== undefined) return false;
  const u = unit || '';
  return !(DATE_UNITS.has(u) || u.startsWith('time:') || u.startsWith('currency') || u.startsWith('bool') || u === 'locale');
}

// Grafana's `anyToNumber`: booleans count as 1/0, empty and arrays as NaN, strings parsed.
function toNumber(value) {
  if (typeof value === 'number') return value;
  if (value === '' || value === null || value === undefined || Array.isArray(value)) return NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number(String(value).trim());
}

/**
 * A field value as Grafana's display processor shows it (stat, gauge, table, legend): numbers
 * (and numeric strings) through `formatValue`, other strings as they are, null/'' as `noValue`
 * (else ''), NaN as "NaN", true/false as themselves.
 */
export function displayValue(value, unit, decimals, noValue, opts) {
  const numeric = unit === 'string' ? NaN : toNumber(value);
  if (!Number.isNaN(numeric) && typeof value !== 'boolean') return formatValue(numeric, unit, decimals, opts);
  const text = Array.isArray(value) ? value.join(', ') : value === null || value === undefined ? '' : String(value);
  return fv(text || noValue || '');
}

function roundDecimals(v, dec) {
  if (Number.isInteger(v)) return v;
  const p = 10 ** dec;
  return Math.round(v * p * (1 + Number.EPSILON)) / p;
}

// How many decimals a tick increment needs (0.25 → 2), reading exponent notation too.
function guessDecimals(n) {
  const str = '' + n;
  const e = str.indexOf('e');
  if (e !== -1) return Math.max(0, (str.slice(0, e).split('.')[1] || '').length - Number(str.slice(e + 1)));
  return (str.split('.')[1] || '').length;
}

/**
 * A tick formatter for a value axis as Grafana's time series draws it: `(value, increment)` →
 * string. With no `decimals` set, ticks get as many decimals as the tick increment needs and lose
 * trailing zeros (0.15 s, 0.2 s reads "150 ms", "200 ms").
 */
export function axisFormatter(unit, decimals) {
  const trim = trimmable(unit, decimals);
  return (value, increment) => {
    if (value === null || value === undefined) return '';
    const tickDecimals = increment ? guessDecimals(roundDecimals(increment, 6)) : 0;
    if (trim && tickDecimals > 0) {
      const r = formatValue(value, unit, tickDecimals);
      return r.prefix + (+r.text + '') + r.suffix;
    }
    return formatUnit(value, unit, decimals);
  };
}

/** Every unit id formatted as Grafana does (not counting the `key:argument` forms). */
export const UNIT_IDS = [...FORMATS.keys()].sort();
