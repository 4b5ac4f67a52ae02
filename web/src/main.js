// The UI's shell: the navigation bar, the theme, and the router that shows one page per path.
// Each page module exports `render(root)`, which fills `root` and may return a function that
// cleans up when the page is left.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h, replace } from './lib/dom.js';
import { PAGES, PREFIXES, NAV } from './pages/index.js';

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
  const prefix = Object.keys(PREFIXES).find((p) => path.startsWith(p));
  const page = PAGES[path] || (prefix ? PREFIXES[prefix] : null);
  // A page under a prefix lights its section in the navigation (a dashboard: Dashboards).
  const navPath = prefix ? PREFIXES[prefix].nav : path;
  const main = document.getElementById('main');
  leave?.();
  leave = null;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === navPath);
    a.setAttribute('aria-current', a.getAttribute('href') === navPath ? 'page' : 'false');
  }
  for (const g of document.querySelectorAll('nav .nav-group')) {
    g.classList.toggle('active', g.dataset.paths.split(' ').includes(path));
    setOpen(g, false);
  }
  setMenuOpen(false);
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

/** Whether a group's menu of links is shown. */
function setOpen(group, open) {
  group.classList.toggle('open', open);
  group.querySelector('.group-button').setAttribute('aria-expanded', String(open));
}

/**
 * A group of pages (Status, Flags, Configuration) as a button that shows their links below
 * it; Escape, a click elsewhere or the focus leaving closes it. On a phone the links are
 * shown in the page menu without the button.
 */
function navGroup(group) {
  const menu = h(
    'div',
    { class: 'menu', id: `menu-${group.title.toLowerCase()}` },
    group.paths.map((p) => h('a', { href: p }, PAGES[p].title)),
  );
  const button = h(
    'button',
    {
      class: 'group-button',
      'aria-expanded': 'false',
      'aria-controls': menu.id,
      onclick: () => setOpen(el, button.getAttribute('aria-expanded') !== 'true'),
    },
    group.title,
    h('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'),
  );
  const el = h('div', { class: 'nav-group', dataset: { paths: group.paths.join(' ') } }, button, menu);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && el.classList.contains('open')) {
      setOpen(el, false);
      button.focus();
    }
  });
  el.addEventListener('focusout', (e) => {
    if (e.relatedTarget && !el.contains(e.relatedTarget)) setOpen(el, false);
  });
  return el;
}

/** On a phone the links fold into a menu that this button opens. */
function setMenuOpen(open) {
  const nav = document.querySelector('nav');
  nav?.classList.toggle('open', open);
  nav?.querySelector('.menu-toggle')?.setAttribute('aria-expanded', String(open));
}

function shell() {
  const toggle = h(
    'button',
    {
      class: 'menu-toggle',
      'aria-expanded': 'false',
      'aria-controls': 'nav-links',
      onclick: () => setMenuOpen(!nav.classList.contains('open')),
    },
    h('span', { 'aria-hidden': 'true' }, '☰ '),
    'Menu',
  );
  const nav = h(
    'nav',
    { 'aria-label': 'Pages' },
    h('a', { class: 'brand', href: '/query' }, 'argus'),
    toggle,
    h(
      'div',
      { class: 'links', id: 'nav-links' },
      NAV.map((item) => (typeof item === 'string' ? h('a', { href: item }, PAGES[item].title) : navGroup(item))),
      themeButton(),
    ),
  );
  nav.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target) return;
    e.preventDefault();
    go(a.getAttribute('href'));
  });
  document.addEventListener('click', (e) => {
    for (const g of nav.querySelectorAll('.nav-group.open')) if (!g.contains(e.target)) setOpen(g, false);
  });
  replace(document.body, nav, h('main', { id: 'main' }));
}

applyTheme(themeChoice());
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyTheme(themeChoice()));
shell();
window.addEventListener('popstate', () => show(location.pathname));
show(location.pathname === '/' ? '/query' : location.pathname);
if (location.pathname === '/') history.replaceState(null, '', '/query' + location.search);
