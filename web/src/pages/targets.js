// The Targets page: the scrape targets (from /api/v1/targets) in collapsible pools with their
// up/total counts; per target its endpoint, labels (the discovered ones on hover or on
// demand), health, last scrape and its duration, and last error; filtered by pool, health
// and text, as Prometheus 3 shows them.
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { formatSeconds } from '../lib/format.js';
import {
  badge,
  contains,
  dataView,
  empty,
  expander,
  filterBar,
  labelChips,
  labelsText,
  pageHead,
  searchBox,
  table,
  toggles,
  urlState,
  when,
} from '../lib/widgets.js';

const HEALTH = ['up', 'down', 'unknown'];
const TONE = { up: 'good', down: 'bad', unknown: 'muted' };

function health(t) {
  return HEALTH.includes(t.health) ? t.health : 'unknown';
}

export function render(root) {
  const url = urlState({ pool: '', health: 'all', search: '' });
  // Pools the reader collapsed, and targets whose discovered labels are shown.
  const collapsed = new Set();
  const discovered = new Set();
  const chosen = new Set([url.values.health]);
  const healthFilter = toggles(
    'Health',
    [
      ['all', 'All'],
      ['up', 'Up', 'good'],
      ['down', 'Down', 'bad'],
      ['unknown', 'Unknown', 'muted'],
    ],
    chosen,
    (set) => {
      url.set('health', [...set][0]);
      view.redraw();
    },
  );
  const poolSelect = h(
    'select',
    {
      onchange: (e) => {
        url.set('pool', e.target.value);
        view.redraw();
      },
    },
    h('option', { value: '' }, 'All pools'),
  );
  const view = dataView(async (signal) => (await api.get('/api/v1/targets', { state: 'active' }, signal)).activeTargets || [], draw);

  function draw(targets) {
    const now = Date.now();
    const pools = new Map();
    for (const t of targets) {
      if (!pools.has(t.scrapePool)) pools.set(t.scrapePool, []);
      pools.get(t.scrapePool).push(t);
    }
    const names = [...pools.keys()].sort();
    const up = (ts) => ts.filter((t) => health(t) === 'up').length;
    replace(
      poolSelect,
      h('option', { value: '' }, `All pools (${names.length})`),
      names.map((n) => h('option', { value: n, selected: n === url.values.pool }, `${n} (${up(pools.get(n))}/${pools.get(n).length} up)`)),
      url.values.pool && !pools.has(url.values.pool) ? h('option', { value: url.values.pool, selected: true }, `${url.values.pool} (none)`) : null,
    );
    const inPool = targets.filter((t) => !url.values.pool || t.scrapePool === url.values.pool);
    healthFilter.counts.all.textContent = inPool.length;
    for (const s of HEALTH) healthFilter.counts[s].textContent = inPool.filter((t) => health(t) === s).length;
    if (targets.length === 0) {
      return empty(
        'No scrape targets: give ',
        ['argus serve --config prometheus.yml'],
        ' a ',
        ['scrape_configs'],
        ' section (the server scrapes itself unless ',
        ['--self-scrape-interval 0s'],
        ').',
      );
    }
    const query = url.values.search.trim();
    const want = url.values.health;
    const keep = (t) =>
      (want === 'all' || health(t) === want) && contains(`${t.scrapeUrl}\n${labelsText(t.labels)}`, query);
    const shown = names
      .filter((n) => !url.values.pool || n === url.values.pool)
      .map((n) => [n, pools.get(n), pools.get(n).filter(keep)])
      .filter(([, , kept]) => kept.length);
    if (!shown.length) return empty('No target matches the filters.');
    return shown.map(([name, all, kept]) => poolView(name, all, kept, collapsed, discovered, now));
  }

  replace(
    root,
    pageHead('Targets', view.button),
    filterBar(
      h('label', { class: 'pool' }, h('span', { class: 'filter-label' }, 'Pool'), poolSelect),
      healthFilter.el,
      searchBox(
        url.values.search,
        (v) => {
          url.set('search', v);
          view.redraw();
        },
        'Endpoint or label',
      ),
    ),
    view.el,
  );
  view.refresh();
  return view.leave;
}

function poolView(name, all, kept, collapsed, discovered, now) {
  const up = all.filter((t) => health(t) === 'up').length;
  const tone = up === all.length ? 'good' : up === 0 ? 'bad' : 'warn';
  return h(
    'section',
    { class: 'card pool' },
    expander({
      className: 'pool-head',
      open: !collapsed.has(name),
      onToggle: (on) => (on ? collapsed.delete(name) : collapsed.add(name)),
      head: [
        h('span', { class: 'pool-name' }, name),
        h('span', { class: 'badges' }, badge(`${up} / ${all.length} up`, tone)),
        kept.length < all.length ? h('span', { class: 'muted small' }, `${kept.length} shown`) : null,
      ],
      body: () =>
        table(
          ['Endpoint', 'Labels', 'Last scrape', 'State'],
          kept.map((t) => targetRow(t, discovered, now)),
          'targets',
        ),
    }),
  );
}

function targetRow(t, discovered, now) {
  const key = `${t.scrapePool}\n${t.scrapeUrl}`;
  const more = h('div', { class: 'discovered', hidden: !discovered.has(key) }, h('div', { class: 'muted small' }, 'Discovered labels'), labelChips(t.discoveredLabels));
  const button = h(
    'button',
    {
      class: 'link small',
      'aria-expanded': String(discovered.has(key)),
      onclick: () => {
        const on = !discovered.has(key);
        if (on) discovered.add(key);
        else discovered.delete(key);
        more.hidden = !on;
        button.setAttribute('aria-expanded', String(on));
        button.textContent = on ? 'Hide discovered labels' : 'Discovered labels';
      },
    },
    discovered.has(key) ? 'Hide discovered labels' : 'Discovered labels',
  );
  return {
    class: `health-${health(t)}`,
    cells: [
      h('a', { href: t.scrapeUrl, target: '_blank', rel: 'noopener noreferrer', class: 'endpoint' }, t.scrapeUrl),
      [h('div', { title: `Discovered: ${labelsText(t.discoveredLabels)}` }, labelChips(t.labels)), button, more],
      [
        when(t.lastScrape, now),
        t.lastScrapeDuration > 0 ? h('span', { class: 'muted' }, ` · ${formatSeconds(t.lastScrapeDuration)}`) : null,
        h('div', { class: 'muted small' }, `every ${t.scrapeInterval}, timeout ${t.scrapeTimeout}`),
      ],
      badge(health(t).toUpperCase(), TONE[health(t)]),
    ],
    after: t.lastError ? h('div', { class: 'row-error' }, h('strong', null, 'Error: '), t.lastError) : null,
  };
}
