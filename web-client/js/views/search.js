// Search in a circle: its chat, posts, comments and file names, in Chinese or English
// (GET /circles/{id}/search). The search box waits for a pause in typing and never asks in
// the middle of an IME composition (search-box.js). Each result shows where it is from, who
// wrote it, when, and a snippet with the matched words marked — the marks are offsets the
// server gives, drawn as <mark> around text nodes, never HTML. Opening a result: a message
// jumps to it in its chat (history loaded back to it), a post or comment opens the feed at
// the post, a file opens the materials.

import * as api from '../api.js';
import { busy, h, time } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { searchBox } from './search-box.js';

const KINDS = ['', 'message', 'post', 'comment', 'attachment'];

/** The snippet as nodes: text, with each [start, end) of marks (code points) in a <mark>. */
export function markedText(snippet, marks) {
  const chars = Array.from(snippet || '');
  const nodes = [];
  let at = 0;
  for (const [start, end] of marks || []) {
    if (!(start >= at && end > start && end <= chars.length)) continue; // out of order or range: skip
    if (start > at) nodes.push(document.createTextNode(chars.slice(at, start).join('')));
    nodes.push(h('mark', { text: chars.slice(start, end).join('') }));
    at = end;
  }
  if (at < chars.length) nodes.push(document.createTextNode(chars.slice(at).join('')));
  return nodes;
}

/** onOpen(result) is called when a result is chosen. */
export function searchView(circleId, { onOpen }) {
  let q = '';
  let kind = '';
  let next = null;
  let asked = 0; // the latest search asked (an older answer arriving late is dropped)
  const list = h('ul', { class: 'search-results', testid: 'search-results', 'aria-live': 'polite' });
  const status = h('p', { class: 'muted', testid: 'search-status', text: t('search.hint') });
  const more = h('button', {
    type: 'button', testid: 'search-more', text: t('media.loadMore'), hidden: true,
    onclick: () => busy(more, () => load(true)),
  });
  const box = searchBox({ label: t('search.placeholder'), testid: 'search-input', onSearch: (text) => {
    q = text;
    busy(null, () => load(false));
  } });
  box.setAttribute('maxlength', '100');
  const filters = KINDS.map((value) => h('button', {
    type: 'button', class: 'chip', testid: `search-kind-${value || 'all'}`,
    'aria-pressed': String(value === kind), text: t(`search.kind.${value || 'all'}`),
    onclick: () => {
      kind = value;
      for (const button of filters) button.setAttribute('aria-pressed', String(button === filters[KINDS.indexOf(value)]));
      if (q) busy(null, () => load(false));
    },
  }));
  const el = h('section', { class: 'panel search', testid: 'panel-search', 'aria-label': t('search.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('search.title') })),
    h('form', { class: 'search-form', role: 'search', onsubmit: (event) => { event.preventDefault(); } }, box),
    h('div', { class: 'search-filter', role: 'group', 'aria-label': t('search.kind') }, filters),
    status, list, more);

  async function load(again) {
    const mine = ++asked;
    if (!q) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = t('search.hint');
      status.hidden = false;
      return;
    }
    let answer;
    try {
      answer = await api.search(circleId, q, kind || undefined, again ? next : undefined);
    } catch (err) {
      if (mine !== asked) return;
      status.textContent = errorText(err);
      status.hidden = false;
      if (!again) list.replaceChildren();
      return;
    }
    if (mine !== asked) return;
    if (!again) list.replaceChildren();
    list.append(...answer.results.map(resultEl));
    next = answer.next || null;
    more.hidden = !next;
    status.hidden = list.children.length > 0;
    status.textContent = t('search.none');
  }

  function resultEl(result) {
    return h('li', { class: 'search-result', testid: 'search-result', dataset: { kind: result.kind } },
      h('button', { type: 'button', class: 'search-open', testid: 'search-open', onclick: () => onOpen(result) },
        h('span', { class: 'search-meta' },
          h('span', { class: 'tag', text: t(`search.kind.${result.kind}`) }), ' ',
          h('strong', { testid: 'search-author', text: result.author.name }), ' · ',
          h('time', { datetime: new Date(result.ts).toISOString(), text: time(result.ts) })),
        h('span', { class: 'search-snippet', testid: 'search-snippet' }, markedText(result.snippet, result.marks))));
  }

  return {
    el,
    /** The panel is on screen: the field takes the focus (not on a phone: no keyboard pop-up). */
    shown(focus = false) {
      if (focus) box.focus();
    },
    destroy() {},
  };
}
