// Building DOM nodes without a framework: h('div', {class: 'x', onclick: f}, child, ...).
// Children may be nodes, strings, numbers, arrays of them, or null/false (skipped).

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'style' && typeof v === 'object') {
        Object.assign(el.style, v);
      } else if (k === 'dataset') {
        Object.assign(el.dataset, v);
      } else if (k in el && typeof v !== 'string') {
        el[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A select of `options` ([value, label] pairs or strings) with `value` chosen. */
export function select(options, value, onchange, props = {}) {
  return h(
    'select',
    { ...props, onchange: (e) => onchange(e.target.value) },
    options.map((o) => {
      const [v, label] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: v === value }, label);
    }),
  );
}

/** A labelled checkbox. */
export function checkbox(label, checked, onchange, props = {}) {
  return h(
    'label',
    { class: 'check', ...props },
    h('input', { type: 'checkbox', checked, onchange: (e) => onchange(e.target.checked) }),
    ' ',
    label,
  );
}

/** A message box: kind is 'error', 'warning' or 'info'. */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, children);
}
