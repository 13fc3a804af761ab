// A circle's materials: every file shared in it (chat, posts, comments), newest first, as
// file cards with who shared it and when, filtered by kind (all, pictures, videos, audio,
// files), a page at a time; or grouped by the course plan's lessons ("By lesson": each
// lesson that carries files, in the plan's order, with them). Loaded again each time the
// panel is shown.

import * as api from '../api.js';
import { busy, h, time } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { fileCard } from './attachments.js';
import { userText } from './user-text.js';

const KINDS = ['', 'image', 'video', 'audio', 'file', 'lesson']; // 'lesson': grouped by lesson

export function materialsView(circleId) {
  let kind = '';
  let next = null;
  const list = h('ul', { class: 'materials-list', testid: 'materials-list' });
  const empty = h('p', { class: 'muted', testid: 'materials-empty', text: t('media.materialsEmpty'), hidden: true });
  const more = h('button', {
    type: 'button', testid: 'materials-more', text: t('media.loadMore'), hidden: true,
    onclick: () => busy(more, () => load(true)),
  });
  const filters = KINDS.map((value) => h('button', {
    type: 'button', class: 'chip', testid: `materials-kind-${value || 'all'}`,
    'aria-pressed': String(value === kind), text: value ? t(value === 'lesson' ? 'lesson.byLesson' : `media.kind.${value}`) : t('media.kindAll'),
    onclick: () => {
      kind = value;
      for (const button of filters) button.setAttribute('aria-pressed', String(button === filters[KINDS.indexOf(value)]));
      busy(null, () => load(false));
    },
  }));
  const el = h('section', { class: 'panel materials', testid: 'panel-materials', 'aria-label': t('media.materials') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('media.materials') })),
    h('div', { class: 'materials-filter', role: 'group', 'aria-label': t('media.kind') }, filters),
    empty, list, more);

  async function load(again) {
    const asked = kind;
    if (asked === 'lesson') return byLesson();
    let answer;
    try {
      answer = await api.materials(circleId, asked || undefined, again ? next : undefined);
    } catch (err) {
      if (!again) fillError(err);
      throw err;
    }
    if (asked !== kind) return; // another filter was chosen meanwhile
    if (!again) list.replaceChildren();
    list.append(...answer.attachments.map(itemEl));
    next = answer.next || null;
    more.hidden = !next;
    empty.hidden = list.children.length > 0;
  }

  async function byLesson() {
    let answer;
    try {
      answer = await api.materialsByLesson(circleId);
    } catch (err) {
      fillError(err);
      throw err;
    }
    if (kind !== 'lesson') return;
    list.replaceChildren(...answer.lessons.map((lesson) => h('li', { class: 'materials-lesson', testid: 'materials-lesson', dataset: { lesson: lesson.id } },
      h('h3', { class: 'materials-lesson-title' }, userText('span', lesson.title), ' ',
        h('small', { class: 'muted', text: lesson.starts_local.replace('T', ' ') })),
      h('ul', { class: 'materials-list' }, lesson.attachments.map((a) => h('li', { class: 'materials-item', testid: 'material', dataset: { kind: a.kind } }, fileCard(a)))))));
    next = null;
    more.hidden = true;
    empty.hidden = list.children.length > 0;
  }

  function fillError(err) {
    list.replaceChildren(h('li', { class: 'muted', text: errorText(err) }));
  }

  return {
    el,
    /** The panel is on screen: its first page, fresh (files may have come meanwhile). */
    shown() {
      busy(null, () => load(false));
    },
    destroy() {},
  };
}

function itemEl(attachment) {
  return h('li', { class: 'materials-item', testid: 'material', dataset: { kind: attachment.kind } },
    fileCard(attachment),
    h('span', { class: 'materials-who' },
      userText('span', attachment.uploader_name || '', { testid: 'material-who' }),
      ' · ',
      h('time', { datetime: new Date(attachment.created).toISOString(), text: time(attachment.created) })));
}
