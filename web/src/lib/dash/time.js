// Grafana's time ranges: date math (`now-1d/d`), absolute times, quick-range names, and the
// moment-style date formatting that units and variable formats share.

const HOUR = 3600 * 1000;

/** Grafana's default quick ranges, in the order its time picker lists them. */
export const QUICK_RANGES = [
  { from: 'now/d', to: 'now/d', display: 'Today' },
  { from: 'now/d', to: 'now', display: 'Today so far' },
  { from: 'now/w', to: 'now/w', display: 'This week' },
  { from: 'now/w', to: 'now', display: 'This week so far' },
  { from: 'now/M', to: 'now/M', display: 'This month' },
  { from: 'now/M', to: 'now', display: 'This month so far' },
  { from: 'now/y', to: 'now/y', display: 'This year' },
  { from: 'now/y', to: 'now', display: 'This year so far' },
  { from: 'now-1d/d', to: 'now-1d/d', display: 'Yesterday' },
  { from: 'now-2d/d', to: 'now-2d/d', display: 'Day before yesterday' },
  { from: 'now-7d/d', to: 'now-7d/d', display: 'This day last week' },
  { from: 'now-1w/w', to: 'now-1w/w', display: 'Previous week' },
  { from: 'now-1M/M', to: 'now-1M/M', display: 'Previous month' },
  { from: 'now-1Q/fQ', to: 'now-1Q/fQ', display: 'Previous fiscal quarter' },
  { from: 'now-1y/y', to: 'now-1y/y', display: 'Previous year' },
  { from: 'now-1y/fy', to: 'now-1y/fy', display: 'Previous fiscal year' },
  { from: 'now-5m', to: 'now', display: 'Last 5 minutes' },
  { from: 'now-15m', to: 'now', display: 'Last 15 minutes' },
  { from: 'now-30m', to: 'now', display: 'Last 30 minutes' },
  { from: 'now-1h', to: 'now', display: 'Last 1 hour' },
  { from: 'now-3h', to: 'now', display: 'Last 3 hours' },
  { from: 'now-6h', to: 'now', display: 'Last 6 hours' },
  { from: 'now-12h', to: 'now', display: 'Last 12 hours' },
  { from: 'now-24h', to: 'now', display: 'Last 24 hours' },
  { from: 'now-2d', to: 'now', display: 'Last 2 days' },
  { from: 'now-7d', to: 'now', display: 'Last 7 days' },
  { from: 'now-30d', to: 'now', display: 'Last 30 days' },
  { from: 'now-90d', to: 'now', display: 'Last 90 days' },
  { from: 'now-6M', to: 'now', display: 'Last 6 months' },
  { from: 'now-1y', to: 'now', display: 'Last 1 year' },
  { from: 'now-2y', to: 'now', display: 'Last 2 years' },
  { from: 'now-5y', to: 'now', display: 'Last 5 years' },
  { from: 'now/fQ', to: 'now', display: 'This fiscal quarter so far' },
  { from: 'now/fQ', to: 'now/fQ', display: 'This fiscal quarter' },
  { from: 'now/fy', to: 'now', display: 'This fiscal year so far' },
  { from: 'now/fy', to: 'now/fy', display: 'This fiscal year' },
];

// Grafana names these too (`describeTimeRange`) but keeps them out of the picker.
const FUTURE_RANGES = [
  ['now+1m', 'Next 1 minute'],
  ['now+5m', 'Next 5 minutes'],
  ['now+15m', 'Next 15 minutes'],
  ['now+30m', 'Next 30 minutes'],
  ['now+1h', 'Next 1 hour'],
  ['now+3h', 'Next 3 hours'],
  ['now+6h', 'Next 6 hours'],
  ['now+12h', 'Next 12 hours'],
  ['now+24h', 'Next 24 hours'],
  ['now+2d', 'Next 2 days'],
  ['now+7d', 'Next 7 days'],
  ['now+30d', 'Next 30 days'],
  ['now+90d', 'Next 90 days'],
  ['now+6M', 'Next 6 months'],
  ['now+1y', 'Next 1 year'],
  ['now+2y', 'Next 2 years'],
  ['now+5y', 'Next 5 years'],
].map(([to, display]) => ({ from: 'now', to, display }));

/** Grafana's default refresh picker choices. */
export const REFRESH_INTERVALS = ['5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '2h', '1d'];

const SPAN_NAMES = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  M: 'month',
  Q: 'quarter',
  y: 'year',
  fQ: 'fiscal quarter',
  fy: 'fiscal year',
};

const MATH_UNITS = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'Q'];

// Calendar arithmetic on broken-down fields, in local time or UTC, as moment does it: days,
// weeks, months and years move the wall clock (so a day across a DST change is 23 or 25 hours),
// hours, minutes and seconds move the instant.
function fields(ms, utc) {
  const d = new Date(ms);
  return utc
    ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(),
        d.getUTCMilliseconds(), d.getUTCDay()]
    : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds(),
        d.getDay()];
}

function compose(utc, Y, M, D = 1, h = 0, m = 0, s = 0, ms = 0) {
  if (utc) {
    const d = new Date(Date.UTC(2000, 0, 1));
    d.setUTCFullYear(Y, M, D);
    d.setUTCHours(h, m, s, ms);
    return d.getTime();
  }
  // setFullYear keeps years below 100 literal, where the Date constructor would add 1900.
  const d = new Date(2000, 0, 1);
  d.setFullYear(Y, M, D);
  d.setHours(h, m, s, ms);
  return d.getTime();
}

function daysInMonth(Y, M) {
  return new Date(Date.UTC(Y, M + 1, 0)).getUTCDate();
}

function addMonths(ms, n, utc) {
  const [Y, M, D, h, m, s, milli] = fields(ms, utc);
  const total = Y * 12 + M + n;
  const y2 = Math.floor(total / 12);
  const m2 = total - y2 * 12;
  return compose(utc, y2, m2, Math.min(D, daysInMonth(y2, m2)), h, m, s, milli);
}

function add(ms, n, unit, utc) {
  switch (unit) {
    case 'y':
      return addMonths(ms, 12 * n, utc);
    case 'Q':
      return addMonths(ms, 3 * n, utc);
    case 'M':
      return addMonths(ms, n, utc);
    case 'w':
    case 'd': {
      const [Y, M, D, h, m, s, milli] = fields(ms, utc);
      return compose(utc, Y, M, D + n * (unit === 'w' ? 7 : 1), h, m, s, milli);
    }
    case 'h':
      return ms + n * HOUR;
    case 'm':
      return ms + n * 60000;
    case 's':
      return ms + n * 1000;
    default:
      return ms;
  }
}

function startOf(ms, unit, utc, weekStart) {
  const [Y, M, D, h, m, s, , dow] = fields(ms, utc);
  switch (unit) {
    case 'y':
      return compose(utc, Y, 0, 1);
    case 'Q':
      return compose(utc, Y, M - (M % 3), 1);
    case 'M':
      return compose(utc, Y, M, 1);
    case 'w':
      return compose(utc, Y, M, D - ((dow - weekStart + 7) % 7));
    case 'd':
      return compose(utc, Y, M, D);
    case 'h':
      return compose(utc, Y, M, D, h);
    case 'm':
      return compose(utc, Y, M, D, h, m);
    case 's':
      return compose(utc, Y, M, D, h, m, s);
    default:
      return ms;
  }
}

function endOf(ms, unit, utc, weekStart) {
  return add(startOf(ms, unit, utc, weekStart), 1, unit, utc) - 1;
}

// Fiscal rounding as Grafana's `roundToFiscal`: a fiscal year starts in `startMonth` (0 = January).
function fiscalStart(ms, unit, utc, startMonth) {
  const month = fields(ms, utc)[1];
  if (unit === 'y') {
    const [Y] = fields(ms, utc);
    return compose(utc, startMonth > month ? Y - 1 : Y, startMonth, 1);
  }
  return startOf(add(ms, -((month - startMonth + 3) % 3), 'M', utc), 'M', utc, 0);
}

function roundFiscal(ms, unit, roundUp, utc, startMonth) {
  const start = fiscalStart(ms, unit, utc, startMonth);
  if (!roundUp) return start;
  return endOf(add(start, unit === 'y' ? 11 : 2, 'M', utc), 'M', utc, 0);
}

// Grafana's `parseDateMath`, quirks included: a number is read up to index 10 of the whole
// math string, and rounding takes only a count of 1 (`/d`, `/1d`).
function applyMath(math, ms, roundUp, utc, opts) {
  const s = math.replace(/\s/g, '');
  let t = ms;
  let i = 0;
  while (i < s.length) {
    const c = s.charAt(i++);
    const type = c === '/' ? 0 : c === '+' ? 1 : c === '-' ? 2 : -1;
    if (type < 0) return null;
    let num;
    if (Number.isNaN(parseInt(s.charAt(i), 10))) {
      num = 1;
    } else if (s.length === 2) {
      num = parseInt(s.charAt(i), 10);
    } else {
      const from = i;
      while (!Number.isNaN(parseInt(s.charAt(i), 10))) {
        i++;
        if (i > 10) return null;
      }
      num = parseInt(s.substring(from, i), 10);
    }
    if (type === 0 && num !== 1) return null;
    let unit = s.charAt(i++);
    let fiscal = false;
    if (unit === 'f') {
      unit = s.charAt(i++);
      fiscal = true;
    }
    if (!MATH_UNITS.includes(unit)) return null;
    if (type === 0) {
      if (fiscal) {
        // Grafana leaves the time alone for fiscal units other than years and quarters.
        if (unit === 'y' || unit === 'Q') t = roundFiscal(t, unit, roundUp, utc, opts.fiscalYearStartMonth ?? 0);
      } else {
        t = roundUp ? endOf(t, unit, utc, opts.weekStart ?? 0) : startOf(t, unit, utc, opts.weekStart ?? 0);
      }
    } else {
      t = add(t, type === 1 ? num : -num, unit, utc);
    }
  }
  return t;
}

const ISO_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** An ISO 8601 date or date-time (`2024-05-01`, `2024-05-01 13:00:00`, `…T13:00:00.5Z`) in ms, or null; local or UTC unless it has an offset. */
export function parseIsoTime(text, utc = false) {
  const m = ISO_RE.exec(String(text).trim());
  if (!m) return null;
  const [Y, Mo = 1, D = 1, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x)));
  const frac = m[7] ? Math.round(Number('0.' + m[7]) * 1000) : 0;
  if (Mo < 1 || Mo > 12 || D < 1 || D > daysInMonth(Y, Mo - 1) || h > 24 || mi > 59 || s > 59) return null;
  if (h === 24 && (mi || s || frac)) return null;
  const zone = m[8];
  if (!zone) return compose(utc, Y, Mo - 1, D, h, mi, s, frac);
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offset = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0));
  }
  return compose(true, Y, Mo - 1, D, h, mi, s, frac) - offset * 60000;
}

/**
 * A Grafana time (`now`, `now-6h`, `now-1d/d`, `now/w`, `now-1M/M`, an ISO date, epoch ms) in
 * ms, or null. `roundUp` rounds `/unit` to the end of the unit, as Grafana does for the range's
 * `to`. `opts.weekStart` (0 = Sunday, moment's English default) and `opts.fiscalYearStartMonth`.
 */
export function parseTime(text, nowMs = Date.now(), roundUp = false, utc = false, opts = {}) {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  if (text instanceof Date) return Number.isNaN(text.getTime()) ? null : text.getTime();
  if (typeof text !== 'string' || !text) return null;
  if (text.startsWith('now')) return applyMath(text.slice(3), nowMs, roundUp, utc, opts);
  // Digits only are how Grafana's URLs carry times: YYYYMMDD and YYYYMMDDTHHmmss in UTC, else epoch ms.
  if (/^\d{8}$/.test(text)) return parseIsoTime(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`, true);
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (compact) {
    const [, Y, Mo, D, h, mi, s] = compact;
    return parseIsoTime(`${Y}-${Mo}-${D}T${h}:${mi}:${s}Z`);
  }
  if (/^\d+$/.test(text)) return parseInt(text, 10);
  const bar = text.indexOf('||');
  const base = parseIsoTime(bar < 0 ? text : text.slice(0, bar), utc);
  if (base === null || bar < 0) return base;
  return applyMath(text.slice(bar + 2), base, roundUp, utc, opts);
}

/** Whether `text` is relative to now (Grafana's `isMathString` for ranges). */
export function isRelativeTime(text) {
  return typeof text === 'string' && text.includes('now');
}

// Grafana's `describeTextRange`: `now-45m` reads "Last 45 minutes". Its pattern is not anchored
// at the end, so `now-1d/d` to `now` reads "Last 1 day" too.
function describeText(expr) {
  const isLast = expr.indexOf('+') !== 0;
  if (expr.indexOf('now') === -1) expr = (isLast ? 'now-' : 'now') + expr;
  const known = [...QUICK_RANGES, ...FUTURE_RANGES].find((o) => o.from === expr && o.to === 'now');
  if (known) return known.display;
  const parts = /^now([-+])(\d+)(f[Qy]|[yMwdhmsQ])/.exec(expr);
  if (!parts) return isLast ? `${expr} to now` : `now to ${expr}`;
  const amount = parseInt(parts[2], 10);
  return `${isLast ? 'Last' : 'Next'} ${amount} ${SPAN_NAMES[parts[3]]}${amount > 1 ? 's' : ''}`;
}

/** Grafana's name for a range: a quick range's ("Last 6 hours", "Yesterday"), else `from to to`. */
export function describeRange(from, to, utc = false) {
  const known = [...QUICK_RANGES, ...FUTURE_RANGES].find((o) => o.from === from && o.to === to);
  if (known) return known.display;
  const show = (t) => (typeof t === 'number' ? formatDate(t, 'YYYY-MM-DD HH:mm:ss', utc) : String(t));
  if (typeof from === 'string' && to === 'now') return describeText(from);
  return `${show(from)} to ${show(to)}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const TOKEN_RE = /\[([^\]]*)]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x/g;

function ordinal(n) {
  const rest = n % 100;
  if (rest >= 11 && rest <= 13) return n + 'th';
  return n + (['th', 'st', 'nd', 'rd'][n % 10] || 'th');
}

/** An instant formatted with moment's common tokens (`YYYY-MM-DD HH:mm:ss`, `MM/DD/YYYY h:mm:ss a`, `[text]`). */
export function formatDate(ms, pattern, utc = false) {
  const [Y, M, D, h, m, s, milli, dow] = fields(ms, utc);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const offset = utc ? 0 : -new Date(ms).getTimezoneOffset();
  const zone = (sep) => (offset < 0 ? '-' : '+') + pad(Math.floor(Math.abs(offset) / 60)) + sep + pad(Math.abs(offset) % 60);
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const values = {
    YYYY: () => pad(Y, 4),
    YY: () => pad(Y % 100),
    MMMM: () => MONTHS[M],
    MMM: () => MONTHS[M].slice(0, 3),
    MM: () => pad(M + 1),
    M: () => String(M + 1),
    Do: () => ordinal(D),
    DD: () => pad(D),
    D: () => String(D),
    dddd: () => WEEKDAYS[dow],
    ddd: () => WEEKDAYS[dow].slice(0, 3),
    HH: () => pad(h),
    H: () => String(h),
    hh: () => pad(h12),
    h: () => String(h12),
    mm: () => pad(m),
    m: () => String(m),
    ss: () => pad(s),
    s: () => String(s),
    SSS: () => pad(milli, 3),
    SS: () => pad(Math.floor(milli / 10)),
    S: () => String(Math.floor(milli / 100)),
    A: () => (h < 12 ? 'AM' : 'PM'),
    a: () => (h < 12 ? 'am' : 'pm'),
    ZZ: () => zone(''),
    Z: () => zone(':'),
    X: () => String(Math.floor(ms / 1000)),
    x: () => String(ms),
  };
  return pattern.replace(TOKEN_RE, (tok, literal) => (literal !== undefined ? literal : values[tok]()));
}

/** moment's `fromNow` in English: "a few seconds ago", "5 minutes ago", "in 2 hours". */
export function fromNow(ms, nowMs = Date.now()) {
  const diff = ms - nowMs;
  const abs = Math.abs(diff);
  // moment rounds each unit on its own and compares against its relative-time thresholds.
  const seconds = Math.round(abs / 1000);
  const minutes = Math.round(abs / 60000);
  const hours = Math.round(abs / HOUR);
  const days = Math.round(abs / (24 * HOUR));
  const monthsExact = ((abs / (24 * HOUR)) * 4800) / 146097;
  const months = Math.round(monthsExact);
  const years = Math.round(monthsExact / 12);
  let text;
  if (seconds <= 44) text = 'a few seconds';
  else if (seconds < 45) text = `${seconds} seconds`;
  else if (minutes <= 1) text = 'a minute';
  else if (minutes < 45) text = `${minutes} minutes`;
  else if (hours <= 1) text = 'an hour';
  else if (hours < 22) text = `${hours} hours`;
  else if (days <= 1) text = 'a day';
  else if (days < 26) text = `${days} days`;
  else if (months <= 1) text = 'a month';
  else if (months < 11) text = `${months} months`;
  else if (years <= 1) text = 'a year';
  else text = `${years} years`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}
