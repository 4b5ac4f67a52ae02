// The Configuration page: the configuration in force (/api/v1/status/config) as YAML, its
// secrets already shown as <secret> by the server, with a button to copy it.
import { h, replace } from '../lib/dom.js';
import * as api from '../lib/api.js';
import { dataView, empty, pageHead } from '../lib/widgets.js';

/** YAML with its keys and comments marked for colour (a line at a time; enough for reading). */
function highlightYaml(text) {
  return text.split('\n').map((line, i) => {
    const nl = i ? '\n' : '';
    const comment = /^(\s*)(#.*)$/.exec(line);
    if (comment) return [nl, comment[1], h('span', { class: 'hl-comment' }, comment[2])];
    const key = /^(\s*(?:- )?)([^\s:'"#][^:#]*?):(\s|$)(.*)$/.exec(line);
    if (!key) return [nl, line];
    const value = key[4] === '<secret>' ? h('span', { class: 'hl-secret' }, key[4]) : key[4];
    return [nl, key[1], h('span', { class: 'hl-key' }, key[2]), ':', key[3], value];
  });
}

/** Copies `text`; the Clipboard API needs a secure context (https or localhost), else the old way. */
async function copy(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = h('textarea', { class: 'offscreen', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}

export function render(root) {
  let yaml = '';
  const copied = h('span', { class: 'muted small', role: 'status' });
  const copyButton = h(
    'button',
    {
      disabled: true,
      onclick: async () => {
        try {
          await copy(yaml);
          copied.textContent = 'Copied';
        } catch (e) {
          copied.textContent = `Not copied: ${e.message}`;
        }
        setTimeout(() => (copied.textContent = ''), 2000);
      },
    },
    'Copy',
  );
  const view = dataView(
    (signal) => api.get('/api/v1/status/config', null, signal),
    (data) => {
      yaml = data.yaml || '';
      copyButton.disabled = !yaml.trim();
      if (!yaml.trim()) {
        return empty('No configuration: this server runs without ', ['--config'], '. Give it a prometheus.yml to scrape its ', ['scrape_configs'], ' and evaluate its ', ['rule_files'], '.');
      }
      return h('pre', { class: 'code config', tabindex: '0', 'aria-label': 'Configuration' }, highlightYaml(yaml));
    },
  );
  replace(root, pageHead('Configuration', copied, copyButton, view.button), view.el);
  view.refresh();
  return view.leave;
}
