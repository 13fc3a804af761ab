// A circle's events (README "Events"; 活动): the bank's birthday party, a meet-up, a live
// session. Upcoming ones soonest first (or the past ones), each a card with its time on the
// circle's clock, its place or link, its counts and the member's answer — going, maybe,
// not going — with the waiting list when it is full; who answered what; and for owners
// and admins a form to announce one, cancelling and the answers as CSV. Everything reloads
// when a gathering.* or rsvp.changed event says it moved.

import * as api from '../api.js';
import { busy, field, fill, h, saveBlob, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { redrawing } from './redraw.js';
import { userText } from './user-text.js';

const ANSWERS = ['going', 'maybe', 'not_going'];
const REMINDERS = ['', '15', '60', '1440'];

export function gatheringsView(circleId) {
  let when = 'upcoming';
  const body = h('div', { class: 'gatherings-body', testid: 'gatherings-body' });
  const el = h('section', { class: 'panel events', testid: 'panel-events', 'aria-label': t('gathering.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('gathering.title') })), body);

  const panel = redrawing(body, async (mine) => {
    const page = await api.gatherings(circleId, when);
    if (!panel.current(mine)) return;
    const pick = (key) => h('button', {
      type: 'button', role: 'tab', class: 'tab', testid: `gatherings-${key}`, 'aria-selected': String(when === key),
      text: t(`gathering.${key}`), onclick: () => { when = key; show(); },
    });
    panel.draw(mine,
      state.isManager(circleId) ? createForm() : null,
      h('div', { class: 'tabs', role: 'tablist' }, pick('upcoming'), pick('past')),
      page.gatherings.length
        ? h('ul', { class: 'gathering-list', testid: 'gathering-list' }, page.gatherings.map(card))
        : h('p', { class: 'muted', testid: 'gatherings-empty', text: t(`gathering.none.${when}`) }));
  });
  const { show } = panel;

  function card(g) {
    const manager = state.isManager(circleId);
    const open = g.status === 'upcoming' || g.status === 'ongoing';
    return h('li', { class: 'card gathering', testid: 'gathering', dataset: { id: g.id, status: g.status } },
      userText('h3', g.title, { testid: 'gathering-title' }),
      h('p', { class: 'gathering-when', testid: 'gathering-when', text: whenText(g) }),
      g.place ? userText('p', g.place, { class: 'small', testid: 'gathering-place' }) : null,
      g.link ? h('p', { class: 'small' }, h('a', { href: g.link, target: '_blank', rel: 'noopener noreferrer', text: g.link })) : null,
      g.description ? userText('p', g.description, { class: 'gathering-about' }) : null,
      h('p', { class: 'muted small', testid: 'gathering-counts', text: countsText(g) }),
      g.status !== 'upcoming' ? h('span', { class: 'tag', testid: 'gathering-status', text: t(`gathering.status.${g.status}`) }) : null,
      open ? answerRow(g) : null,
      g.me && g.me.waiting ? h('p', { class: 'gathering-waiting', testid: 'gathering-waiting', text: t('gathering.youWait') }) : null,
      whoEl(g),
      manager ? managerRow(g) : null);
  }

  function answerRow(g) {
    const buttons = ANSWERS.map((answer) => {
      const pressed = Boolean(g.me && g.me.answer === answer);
      const button = h('button', {
        type: 'button', class: pressed ? 'small primary' : 'small', testid: `rsvp-${answer}`,
        'aria-pressed': String(pressed), text: t(`gathering.answer.${answer}`),
        onclick: () => busy(button, async () => {
          try {
            const done = await api.rsvp(g.id, answer);
            if (done.rsvp.waiting) toast(t('gathering.full'), 'info');
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        }),
      });
      return button;
    });
    return h('div', { class: 'row wrap rsvp-row', role: 'group', 'aria-label': t('gathering.yourAnswer') }, buttons);
  }

  /** Who answered: loaded when opened. */
  function whoEl(g) {
    const list = h('ul', { class: 'members rsvp-list', testid: 'rsvp-list' });
    const details = h('details', { class: 'gathering-who', testid: 'gathering-who' },
      h('summary', { text: t('gathering.who') }), list);
    details.addEventListener('toggle', () => {
      if (!details.open) return;
      busy(null, async () => {
        const page = await api.rsvps(g.id);
        fill(list, page.rsvps.map((r) => h('li', { testid: 'rsvp-entry', dataset: { user: r.user, answer: r.answer } },
          userText('span', r.name, { class: 'grow' }),
          h('span', { class: 'muted small', text: r.waiting ? t('gathering.waitingTag') : t(`gathering.answer.${r.answer}`) }))));
      }).catch((err) => toast(errorText(err)));
    });
    return details;
  }

  function managerRow(g) {
    const csv = h('button', {
      type: 'button', class: 'small', testid: 'gathering-csv', text: t('gathering.csv'),
      onclick: () => busy(csv, async () => saveBlob(await api.rsvpsCsv(g.id), `event-${g.id}.csv`)),
    });
    const cancel = g.status === 'upcoming' || g.status === 'ongoing' ? h('button', {
      type: 'button', class: 'small danger', testid: 'gathering-cancel', text: t('gathering.cancel'),
      onclick: () => {
        if (!window.confirm(t('gathering.cancelSure', { title: g.title }))) return;
        busy(cancel, async () => {
          try {
            await api.cancelGathering(g.id);
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }) : null;
    return h('div', { class: 'row wrap' }, csv, cancel);
  }

  function createForm() {
    const zone = (state.infoOf(circleId) || {}).time_zone || 'Asia/Shanghai';
    const title = h('input', { testid: 'gathering-title-input', maxlength: '100', required: true });
    const starts = h('input', { type: 'datetime-local', testid: 'gathering-starts', required: true });
    const ends = h('input', { type: 'datetime-local', testid: 'gathering-ends' });
    const place = h('input', { testid: 'gathering-place-input', maxlength: '200' });
    const link = h('input', { type: 'url', testid: 'gathering-link', maxlength: '500', placeholder: 'https://' });
    const capacity = h('input', { type: 'number', testid: 'gathering-capacity', min: '1', max: '100000' });
    const remind = h('select', { testid: 'gathering-remind' },
      REMINDERS.map((m) => h('option', { value: m, text: m ? t('gathering.remindBefore', { count: Number(m) }) : t('gathering.noReminder'), selected: m === '60' })));
    const about = h('textarea', { testid: 'gathering-about', rows: '2', maxlength: '2000' });
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'gathering-create', text: t('gathering.create') });
    const form = h('form', {
      class: 'gathering-form', testid: 'gathering-form',
      onsubmit: (event) => {
        event.preventDefault();
        const fields = {
          title: title.value.trim(), starts_at: starts.value, place: place.value.trim(),
          description: about.value.trim(), remind_before_min: remind.value ? Number(remind.value) : null,
        };
        if (ends.value) fields.ends_at = ends.value;
        if (link.value.trim()) fields.link = link.value.trim();
        if (capacity.value) fields.capacity = Number(capacity.value);
        busy(submit, async () => {
          try {
            await api.createGathering(circleId, fields);
            when = 'upcoming';
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, field(t('gathering.name'), title), field(t('gathering.starts', { zone }), starts), field(t('gathering.ends'), ends),
    field(t('gathering.place'), place), field(t('gathering.link'), link), field(t('gathering.capacity'), capacity, t('gathering.capacityHint')),
    field(t('gathering.reminder'), remind), field(t('gathering.about'), about), submit);
    return h('details', { class: 'card', testid: 'gathering-new' }, h('summary', { text: t('gathering.new') }), form);
  }

  const off = state.on(EV.gatheringsChanged, (d) => {
    if (d.circle === circleId) panel.reloadSoon();
  });

  return {
    el,
    shown() { show(); },
    destroy() {
      off();
      panel.stop();
    },
  };
}

/** "2026-12-24 19:00 – 22:00 (Asia/Shanghai)": the circle's clock, as the event was set. */
export function whenText(g) {
  const start = g.starts_local.replace('T', ' ');
  let end = '';
  if (g.ends_local) end = g.ends_local.slice(0, 10) === g.starts_local.slice(0, 10) ? g.ends_local.slice(11) : g.ends_local.replace('T', ' ');
  return `${start}${end ? ` – ${end}` : ''} (${g.time_zone})`;
}

export function countsText(g) {
  const parts = [t('gathering.count.going', { count: g.going }), t('gathering.count.maybe', { count: g.maybe })];
  if (g.waiting) parts.push(t('gathering.count.waiting', { count: g.waiting }));
  if (g.capacity) parts.push(t('gathering.count.capacity', { count: g.capacity }));
  return parts.join(' · ');
}
