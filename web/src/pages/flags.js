// The Flags page: the command line of `argus serve` (/api/v1/status/flags), a table that a
// text filter narrows.
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { contains, dataView, empty, filterBar, pageHead, searchBox, table, urlState } from '../lib/widgets.js';

export function render(root) {
  const url = urlState({ search: '' });
  const view = dataView(
    (signal) => api.get('/api/v1/status/flags', null, signal),
    (flags) => {
      const query = url.values.search.trim();
      const names = Object.keys(flags)
        .sort()
        .filter((k) => contains(`${k}\n${flags[k]}`, query));
      if (!names.length) return empty(query ? 'No flag matches the filter.' : 'The server reports no flags.');
      return table(
        ['Flag', 'Value'],
        names.map((k) => [h('code', null, k), h('span', { class: 'mono' }, flags[k])]),
        'flags',
        { stack: false },
      );
    },
  );
  replace(
    root,
    pageHead('Flags', view.button),
    filterBar(
      searchBox(
        url.values.search,
        (v) => {
          url.set('search', v);
          view.redraw();
        },
        'Flag name or value',
      ),
    ),
    view.el,
  );
  view.refresh();
  return view.leave;
}
