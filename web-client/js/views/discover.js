// Discover public circles: search by name or description, filter by kind, page on, join or
// follow (views/following.js).

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as state from '../store/state.js';
import { loadCircles } from '../loaders.js';
import { avatarEl } from './avatar.js';
import { followButton } from './following.js';

/** The kinds of circle, in the order the forms offer them (labels: `kind.*`). */
export const KINDS = ['community', 'internal', 'business', 'teaching'];

export function discoverView({ onJoined }) {
  const q = h('input', { type: 'search', testid: 'discover-q', placeholder: t('home.discoverPlaceholder'), maxlength: '100' });
  const kind = h('select', { testid: 'discover-kind' },
    h('option', { value: '', text: t('home.discoverAllKinds') }),
    KINDS.map((value) => h('option', { value, text: t(`kind.${value}`) })));
  const results = h('ul', { class: 'circle-list', testid: 'discover-results' });
  const more = h('button', { type: 'button', testid: 'discover-more', text: t('home.discoverMore'), hidden: true });
  const note = h('p', { class: 'muted', testid: 'discover-empty', hidden: true, text: t('home.discoverEmpty') });
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
      toast(errorText(err));
    }
  }

  function resultItem(circle) {
    const member = state.circles.has(circle.id);
    const join = h('button', {
      type: 'button', testid: 'discover-join', text: member ? t('home.discoverOpen') : t('home.discoverJoin'),
      'aria-label': t(member ? 'home.discoverOpenLabel' : 'home.discoverJoinLabel', { name: circle.name }),
      onclick: () => busy(join, async () => {
        if (!member) {
          await api.join(circle.id);
          await loadCircles();
        }
        onJoined(circle.id);
      }),
    });
    return h('li', { testid: 'discover-item', dataset: { circleId: circle.id } },
      avatarEl({ id: circle.id, name: circle.name }),
      h('div', { class: 'grow' },
        h('div', { class: 'circle-name', text: circle.name }),
        h('div', { class: 'muted small', text: `${t(`kind.${circle.kind}`)} · ${t('home.members', { count: circle.members })}` }),
        circle.description ? h('p', { class: 'small discover-description', text: circle.description }) : null),
      // A public circle I am not in: follow it without joining (its posts, not its chat).
      h('div', { class: 'discover-actions' }, member ? null : followButton(circle), join));
  }

  const form = h('form', {
    class: 'row wrap', role: 'search',
    onsubmit: (event) => { event.preventDefault(); search(); },
  }, field(t('home.discoverSearch'), q), field(t('home.discoverKind'), kind),
  h('button', { type: 'submit', testid: 'discover-submit', text: t('home.discoverSubmit') }));

  q.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => search(), 250);
  });
  kind.addEventListener('change', () => search());
  more.addEventListener('click', () => search(true));

  const el = h('section', { class: 'discover', testid: 'discover', 'aria-labelledby': 'discover-title' },
    h('h2', { id: 'discover-title', text: t('home.discoverTitle') }), form, note, results, more);
  search();
  return { el, destroy: () => clearTimeout(debounce) };
}
