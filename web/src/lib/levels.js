// Log levels as Grafana's log view finds and colours them: from a `level` label (or
// `detected_level`, `lvl`, `loglevel`), else from the earliest level word in the line.

export const LEVELS = ['critical', 'error', 'warning', 'info', 'debug', 'trace', 'unknown'];

export const LEVEL_COLOURS = {
  critical: '#705da0',
  error: '#e02f44',
  warning: '#ff9900',
  info: '#7eb26d',
  debug: '#1f78c1',
  trace: '#6ed0e0',
  unknown: '#8e8e8e',
};

const WORDS = {
  emerg: 'critical',
  fatal: 'critical',
  alert: 'critical',
  crit: 'critical',
  critical: 'critical',
  err: 'error',
  eror: 'error',
  error: 'error',
  warn: 'warning',
  warning: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  dbug: 'debug',
  debug: 'debug',
  trace: 'trace',
};

export const LEVEL_LABELS = ['level', 'detected_level', 'lvl', 'loglevel'];

/** Every word that names a level, longest first (a regex alternation matches the first). */
export const LEVEL_WORDS = Object.keys(WORDS).sort((a, b) => b.length - a.length);

/** A level word (any case) as one of LEVELS; anything else is unknown. */
export function normalizeLevel(word) {
  return WORDS[String(word).toLowerCase()] || 'unknown';
}

const LEVEL_RE = new RegExp(`\\b(${LEVEL_WORDS.join('|')})\\b`, 'i');

/** The level of an entry: its labels first, then the first level word of the line. */
export function levelOf(labels, line) {
  for (const k of LEVEL_LABELS) {
    if (labels[k]) return normalizeLevel(labels[k]);
  }
  const m = LEVEL_RE.exec(line);
  return m ? normalizeLevel(m[1]) : 'unknown';
}
