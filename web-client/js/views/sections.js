// The settings' Sections panel (owners): which tabs the circle's members see and in what
// order — a switch per section, up and down for the ones shown, one Save. The change goes
// out as PATCH /circles/{id} {sections} and comes back to everyone as circle.updated, so
// every member's tabs change without a reload. Presentation, not permission.

import * as api from '../api.js';
import { busy, h, toast } from '../dom.js';
import { t } from '../i18n.js';
import { DEFAULT_SECTIONS, SECTION_KEYS, moved, toggled } from '../store/sections.js';
import * as state from '../store/state.js';

export function sectionsPanel(circleId, info) {
  let dirty = false; // switched or moved since the last save: news from elsewhere waits
  let sections = Array.isArray(info.sections) ? info.sections.filter((k) => SECTION_KEYS.includes(k)) : [...DEFAULT_SECTIONS];
  const list = h('ol', { class: 'sections-list', testid: 'sections-list' });
  const save = h('button', { type: 'submit', class: 'primary', testid: 'sections-save', text: t('sections.save') });
  const saved = h('span', { class: 'muted', testid: 'sections-saved', role: 'status' });
  const el = h('form', {
    class: 'card sections-panel', testid: 'sections-panel',
    onsubmit: (event) => {
      event.preventDefault();
      if (!sections.length) {
        toast(t('sections.needOne'));
        return;
      }
      busy(save, async () => {
        const updated = await api.updateCircle(circleId, { sections });
        dirty = false;
        state.setCircleInfo(circleId, updated);
        saved.textContent = t('sections.saved');
      });
    },
  },
  h('h3', { text: t('sections.title') }),
  h('p', { class: 'muted hint', text: t('sections.hint') }),
  list,
  h('div', { class: 'row' }, save, saved));

  function draw() {
    const off = SECTION_KEYS.filter((key) => !sections.includes(key));
    list.replaceChildren(...[...sections, ...off].map((key) => {
      const on = sections.includes(key);
      const at = sections.indexOf(key);
      const name = t(`sections.key.${key}`);
      const change = (next) => {
        sections = next;
        dirty = true;
        saved.textContent = '';
        draw();
      };
      const box = h('input', {
        type: 'checkbox', checked: on, testid: `section-${key}`, 'aria-label': t('sections.show', { name }),
        onchange: () => change(toggled(sections, key, box.checked)),
      });
      const arrow = (by, label, text) => h('button', {
        type: 'button', class: 'section-move', testid: `section-${key}-${by < 0 ? 'up' : 'down'}`,
        text, 'aria-label': t(label, { name }), title: t(label, { name }),
        disabled: !on || at + by < 0 || at + by >= sections.length,
        onclick: () => change(moved(sections, key, by)),
      });
      return h('li', { class: `section-row${on ? '' : ' off'}`, dataset: { section: key } },
        h('label', { class: 'section-name' }, box, h('span', { text: name })),
        arrow(-1, 'sections.up', '↑'), arrow(1, 'sections.down', '↓'));
    }));
  }

  /** The circle's sections changed elsewhere (another owner, another tab). */
  function onInfo(next) {
    if (dirty || !Array.isArray(next.sections)) return;
    sections = next.sections.filter((k) => SECTION_KEYS.includes(k));
    draw();
  }

  draw();
  return { el, onInfo };
}
