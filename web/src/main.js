// The UI's shell: the navigation bar, the theme, and the router that shows one page per path.
// Each page module exports `render(root)`, which fills `root` and may return a function that
// cleans up when the page is left.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h, replace } from './lib/dom.js';
import { PAGES, NAV } from './pages/index.js';

const THEME_KEY = 'argus.theme';

function applyTheme(choice) {
  const dark = choice === 'dark' || (choice === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

function themeChoice() {
  return localStorage.getItem(THEME_KEY) || 'auto';
}

function themeButton() {
  const labels = { auto: 'Theme: auto', light: 'Theme: light', dark: 'Theme: dark' };
  const button = h('button', {
    class: 'theme',
    title: 'Light, dark, or as the system says',
    onclick: () => {
      const order = ['auto', 'light', 'dark'];
      const next = order[(order.indexOf(themeChoice()) + 1) % order.length];
      localStorage.setItem(THEME_KEY, next);
      applyTheme(next);
      button.textContent = labels[next];
      // Charts read their colours when drawn.
      window.dispatchEvent(new Event('argus-theme'));
    },
  });
  button.textContent = labels[themeChoice()];
  return button;
}

let leave = null;

function show(path) {
  const page = PAGES[path] || null;
  const main = document.getElementById('main');
  leave?.();
  leave = null;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === path);
    a.setAttribute('aria-current', a.getAttribute('href') === path ? 'page' : 'false');
  }
  if (!page) {
    replace(main, h('div', { class: 'notice error' }, `No page at ${path}. `, h('a', { href: '/query' }, 'Go to the query page')));
    document.title = 'argus';
    return;
  }
  document.title = `${page.title} · argus`;
  leave = page.render(main) || null;
}

function go(path) {
  history.pushState(null, '', path);
  show(location.pathname);
}

function shell() {
  const nav = h(
    'nav',
    { 'aria-label': 'Pages' },
    h('a', { class: 'brand', href: '/query' }, 'argus'),
    h(
      'div',
      { class: 'links' },
      NAV.map((path) => h('a', { href: path }, PAGES[path].title)),
    ),
    themeButton(),
  );
  nav.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target) return;
    e.preventDefault();
    go(a.getAttribute('href'));
  });
  replace(document.body, nav, h('main', { id: 'main' }));
}

applyTheme(themeChoice());
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(themeChoice()));
shell();
window.addEventListener('popstate', () => show(location.pathname));
show(location.pathname === '/' ? '/query' : location.pathname);
if (location.pathname === '/') history.replaceState(null, '', '/query' + location.search);
