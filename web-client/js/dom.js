// Building DOM nodes. User text only ever becomes a Text node (textContent / append of a
// string): nothing in this client assigns innerHTML, so a message cannot become markup.

import { errorText, formatDateTime } from './i18n.js';

/**
 * h('button', {testid: 'send', onclick: fn, class: 'primary'}, 'Send')
 * Props: text, class, testid, dataset, on<event>, properties (value, checked, disabled,
 * hidden…) and plain attributes. Children: nodes, strings (as text), arrays, null/false.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === 'text') el.textContent = String(value);
    else if (key === 'class') el.className = value;
    else if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Replace an element's children; null and false are skipped (replaceChildren would print them). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'required']);

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** A labelled form field: the label is tied to the control by id, for screen readers. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid(control.getAttribute('data-testid') || 'field');
  return h('div', { class: 'field' },
    h('label', { for: control.id, text: label }),
    control,
    hint ? h('small', { class: 'hint', text: hint }) : null);
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A time in the page's language: 14:05 today, "Nov 30 14:05" / "11月30日 14:05" before. */
export function time(ms) {
  return ms ? formatDateTime(ms) : '';
}

export function timeEl(ms) {
  return h('time', { datetime: ms ? new Date(ms).toISOString() : null, text: time(ms) });
}

/** A short message at the bottom of the page (errors of actions). */
export function toast(message, kind = 'error') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div', { class: `toast ${kind}`, testid: 'toast', text: message });
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

/** Hand a Blob to the browser as a file download named ``name``. */
export function saveBlob(blob, name) {
  const link = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

/** Run an async action from a button: disabled while it runs, errors shown as a toast. */
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    toast(errorText(err));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** Put the text on the clipboard; plain-http origins other than localhost have no Clipboard API. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the selection trick
    }
  }
  const area = h('textarea', { value: text, readonly: true, class: 'offscreen' });
  document.body.append(area);
  area.select();
  let done = false;
  try {
    done = document.execCommand('copy');
  } catch {
    done = false;
  }
  area.remove();
  return done;
}

/**
 * Keep focus on "the same" control across a re-render — same test id inside the same item
 * (a comment, else a post) — and the caret where it was in a text field.
 */
export function rememberFocus(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active)) return () => {};
  const testid = active.getAttribute('data-testid');
  const item = active.closest('[data-comment-id], [data-post-id]');
  const itemSelector = item
    ? (item.dataset.commentId ? `[data-comment-id="${CSS.escape(item.dataset.commentId)}"]` : `[data-post-id="${CSS.escape(item.dataset.postId)}"]`)
    : null;
  const caret = typeof active.selectionStart === 'number'
    ? [active.selectionStart, active.selectionEnd, active.selectionDirection] : null;
  return () => {
    if (!testid) return;
    const scope = itemSelector ? root.querySelector(itemSelector) : root;
    const again = scope && scope.querySelector(`[data-testid="${CSS.escape(testid)}"]`);
    if (!again || again === active) return;
    again.focus();
    if (caret && typeof again.setSelectionRange === 'function') {
      try {
        again.setSelectionRange(...caret);
      } catch {
        // not a text field after all
      }
    }
  };
}

/** True when the person asked for less motion (prefers-reduced-motion: reduce). */
export function prefersReducedMotion() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** The `behavior` for scrollTo/scrollIntoView: 'smooth', or 'auto' under reduced motion. */
export function scrollBehavior() {
  return prefersReducedMotion() ? 'auto' : 'smooth';
}

// Coalesces a burst of state changes into one render in the next microtask.
export function renderSoon(render) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      render();
    });
  };
}
