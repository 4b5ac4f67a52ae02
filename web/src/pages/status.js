// The Status page: what the server is (/api/v1/status/buildinfo) and how it runs
// (/api/v1/status/runtimeinfo), as tables of names and values.
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { badge, dataView, kvTable, pageHead, whenInFull } from '../lib/widgets.js';

const BUILD = [
  ['version', 'Version'],
  ['revision', 'Revision'],
  ['branch', 'Branch'],
  ['buildUser', 'Build user'],
  ['buildDate', 'Build date'],
  ['goVersion', 'Go version'],
];

// Fields of Go's runtime that Prometheus' API has and argus answers with zeros: left out
// when they say nothing.
const GO_ONLY = ['goroutineCount', 'GOMEMLIMIT', 'GOGC', 'GODEBUG'];

const RUNTIME = {
  startTime: 'Start time',
  CWD: 'Working directory',
  reloadConfigSuccess: 'Configuration reload',
  lastConfigTime: 'Last successful configuration reload',
  corruptionCount: 'WAL corruptions',
  goroutineCount: 'Goroutines',
  GOMAXPROCS: 'CPU threads (GOMAXPROCS)',
  GOMEMLIMIT: 'GOMEMLIMIT',
  GOGC: 'GOGC',
  GODEBUG: 'GODEBUG',
  storageRetention: 'Storage retention',
};

export function render(root) {
  const view = dataView(
    (signal) =>
      Promise.all([api.get('/api/v1/status/buildinfo', null, signal), api.get('/api/v1/status/runtimeinfo', null, signal)]),
    ([build, runtime]) => {
      const now = Date.now();
      const show = (k, v) => {
        if (k === 'startTime' || k === 'lastConfigTime') return whenInFull(v, now);
        if (k === 'reloadConfigSuccess') return v ? badge('successful', 'good') : badge('failed', 'bad');
        return String(v);
      };
      // The names above in their order, then any the server adds.
      const keys = [...Object.keys(RUNTIME), ...Object.keys(runtime).filter((k) => !(k in RUNTIME))];
      const runtimeRows = keys
        .filter((k) => k in runtime)
        .filter((k) => !(GO_ONLY.includes(k) && (runtime[k] === 0 || runtime[k] === '')))
        .map((k) => [RUNTIME[k] || k, show(k, runtime[k])]);
      return [
        h('section', { class: 'card padded' }, h('h2', null, 'Build information'), kvTable(BUILD.map(([k, name]) => [name, build[k] || null]))),
        h('section', { class: 'card padded' }, h('h2', null, 'Runtime information'), kvTable(runtimeRows)),
      ];
    },
  );
  replace(root, pageHead('Status', view.button), view.el);
  view.refresh();
  return view.leave;
}
