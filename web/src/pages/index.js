// Every page of the UI by its path, and the order of the navigation bar. The server serves
// the UI's HTML at each of these paths (src/http/ui.rs keeps the same list).
import * as query from './query.js';
import * as logs from './logs.js';
import * as metrics from './metrics.js';
import * as cardinality from './cardinality.js';

export const PAGES = {
  '/query': { title: 'Query', render: query.render },
  '/logs': { title: 'Logs', render: logs.render },
  '/metrics-explorer': { title: 'Metrics', render: metrics.render },
  '/tsdb-status': { title: 'Cardinality', render: cardinality.render },
};

export const NAV = ['/query', '/logs', '/metrics-explorer', '/tsdb-status'];
