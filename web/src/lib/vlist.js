// A list that puts in the page only the rows near the screen: thousands of log lines scroll
// as smoothly as ten. Rows may be of any height (wrapped lines, opened details): each is
// measured when it is drawn, and watched while it stays, and the rows below move to fit.
// Rows not yet drawn are reckoned at `estimate` pixels.

import { h } from './dom.js';

/** Rows drawn beyond each edge of the screen, in pixels. */
const MARGIN = 600;

/**
 * Shows `count` rows in `container`, row `i` made by `make(i)`. Returns {destroy()}.
 * The page (the window) is what scrolls.
 */
export function virtualList(container, count, make, estimate = 20) {
  const heights = new Float64Array(count).fill(estimate);
  const offsets = new Float64Array(count + 1);
  const body = h('div', { class: 'vlist', role: 'list', style: { position: 'relative' } });
  container.replaceChildren(body);
  const drawn = new Map();
  let frame = 0;

  function layout() {
    for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i] + heights[i];
    body.style.height = `${offsets[count]}px`;
    for (const [i, el] of drawn) el.style.top = `${offsets[i]}px`;
  }

  // Rows change height when wrapped, prettified or opened.
  const watch = new ResizeObserver((seen) => {
    let changed = false;
    for (const s of seen) {
      const i = Number(s.target.dataset.index);
      const hgt = s.target.offsetHeight;
      if (drawn.get(i) === s.target && hgt && hgt !== heights[i]) {
        heights[i] = hgt;
        changed = true;
      }
    }
    if (changed) {
      layout();
      schedule();
    }
  });

  /** The first row whose bottom is below `y` (binary search over the offsets). */
  function firstBelow(y) {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid + 1] <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function update() {
    frame = 0;
    const top = -body.getBoundingClientRect().top;
    const first = firstBelow(top - MARGIN);
    const last = Math.min(count - 1, firstBelow(top + innerHeight + MARGIN));
    for (const [i, el] of drawn) {
      if (i < first || i > last) {
        watch.unobserve(el);
        el.remove();
        drawn.delete(i);
      }
    }
    for (let i = first; i <= last; i++) {
      if (drawn.has(i)) continue;
      const el = make(i);
      el.dataset.index = String(i);
      Object.assign(el.style, { position: 'absolute', left: '0', right: '0', top: `${offsets[i]}px` });
      body.append(el);
      drawn.set(i, el);
      watch.observe(el);
    }
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(update);
  }

  layout();
  update();
  window.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  return {
    destroy() {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      watch.disconnect();
    },
  };
}
