// Every page of the UI by its path, and the navigation bar: paths, and groups of paths shown
// as one menu. The server serves the UI's HTML at each of these paths (src/http/ui.rs keeps
// the same list).
import * as query from './query.js';
import * as logs from './logs.js';
import * as metrics from './metrics.js';
import * as cardinality from './cardinality.js';
import * as alerts from './alerts.js';
import * as rules from './rules.js';
import * as targets from './targets.js';
import * as status from './status.js';
import * as flags from './flags.js';
import * as config from './config.js';
import * as dashboards from './dashboards.js';
import * as dashboard from './dashboard.js';

export const PAGES = {
  '/query': { title: 'Query', render: query.render },
  '/logs': { title: 'Logs', render: logs.render },
  '/metrics-explorer': { title: 'Metrics', render: metrics.render },
  '/alerts': { title: 'Alerts', render: alerts.render },
  '/rules': { title: 'Rules', render: rules.render },
  '/targets': { title: 'Targets', render: targets.render },
  '/status': { title: 'Status', render: status.render },
  '/tsdb-status': { title: 'Cardinality', render: cardinality.render },
  '/flags': { title: 'Flags', render: flags.render },
  '/config': { title: 'Configuration', render: config.render },
  '/dashboards': { title: 'Dashboards', render: dashboards.render },
};

/** Pages whose path begins with a prefix: a dashboard at `/d/<uid>/<slug>`. */
export const PREFIXES = {
  '/d/': { title: 'Dashboard', render: dashboard.render, nav: '/dashboards' },
};

export const NAV = [
  '/query',
  '/logs',
  '/dashboards',
  '/metrics-explorer',
  '/alerts',
  '/rules',
  '/targets',
  { title: 'Status', paths: ['/status', '/tsdb-status', '/flags', '/config'] },
];
