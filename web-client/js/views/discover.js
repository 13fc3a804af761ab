// Discover public circles: search by name or description, filter by kind, page on, join.

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';

export const KINDS = [
  ['community', 'Community'],
  ['internal', 'Internal (a team)'],
  ['business', 'Business (customers)'],
  ['teaching', 'Teaching (a class)'],
];

export function discoverView({ onJoined }) {
  const q = h('input', { type: 'search', testid: 'discover-q', placeholder: 'Search circles', maxlength: '100' });
  const kind = h('select', { testid: 'discover-kind' },
    h('option', { value: '', text: 'All kinds' }),
    KINDS.map(([value, label]) => h('option', { value, text: label })));
  const results = h('ul', { class: 'circle-list', testid: 'discover-results' });
  const more = h('button', { type: 'button', testid: 'discover-more', text: 'More circles', hidden: true });
  const note = h('p', { class: 'muted', testid: 'discover-empty', hidden: true, text: 'No public circle matches.' });
  let next = null;
  let generation = 0;
  let debounce = null;

  async function search(append = false) {
    const mine = ++generation;
    try {
      const page = await api.directory(q.value.trim(), kind.value, append ? next : undefined);
      if (mine !== generation) return; // a newer search answered first
      next = page.next;
      const items = page.circles.map(resultItem);
      if (append) results.append(...items);
      else results.replaceChildren(...items);
      note.hidden = results.children.length > 0;
      more.hidden = !next;
    } catch (err) {
      toast(err.message);
    }
  }

  function resultItem(circle) {
    const member = state.circles.has(circle.id);
    const join = h('button', {
      type: 'button', testid: 'discover-join', text: member ? 'Open' : 'Join',
      'aria-label': `${member ? 'Open' : 'Join'} ${circle.name}`,
      onclick: () => busy(join, async () => {
        if (!member) {
          await api.join(circle.id);
          await loadCircles();
        }
        onJoined(circle.id);
      }),
    });
    return h('li', { testid: 'discover-item', dataset: { circleId: circle.id } },
      h('div', { class: 'grow' },
        h('div', { class: 'circle-name', text: circle.name }),
        h('div', { class: 'muted small', text: `${circle.kind} · ${circle.members} member${circle.members === 1 ? '' : 's'}` }),
        circle.description ? h('p', { class: 'small', text: circle.description }) : null),
      join);
  }

  const form = h('form', {
    class: 'row wrap', role: 'search',
    onsubmit: (event) => { event.preventDefault(); search(); },
  }, field('Search', q), field('Kind', kind),
  h('button', { type: 'submit', testid: 'discover-submit', text: 'Search' }));

  q.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => search(), 250);
  });
  kind.addEventListener('change', () => search());
  more.addEventListener('click', () => search(true));

  const el = h('section', { class: 'card discover', testid: 'discover', 'aria-labelledby': 'discover-title' },
    h('h2', { id: 'discover-title', text: 'Discover public circles' }), form, note, results, more);
  search();
  return { el, destroy: () => clearTimeout(debounce) };
}
