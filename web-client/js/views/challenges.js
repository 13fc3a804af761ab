// A circle's check-in challenges (README "Check-in challenges"; 打卡): the list, newest
// first, and one challenge at a time — join, today's check-in (text, photos, a recording),
// the member's streak and total, the two boards with their own rank pinned, the day's
// check-ins, and for owners and admins a form to start one, today's "not yet checked in"
// list and invalidation. Everything reloads when a challenge.* or checkin.* event says
// it moved (another member checking in moves the board while it is watched).

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { attachmentsEl } from './attachments.js';
import { calendarEl, exportsEl, grantEl, memberTools, quietHoursEl, reviewEl, ruleFields } from './checkin-days.js';
import { redrawing } from './redraw.js';
import { userText } from './user-text.js';

export function challengesView(circleId) {
  let open = null; // the challenge shown, or null: the list
  const drafts = {}; // what is typed in make-up and grant forms, kept across live redraws
  let drawnKey = null; // the data the page shows (see draw)
  let board = 'streak';
  let tray = null;
  const body = h('div', { class: 'challenges-body', testid: 'challenges-body' });
  const el = h('section', { class: 'panel challenges', testid: 'panel-challenges', 'aria-label': t('challenge.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('challenge.title') })), body);

  const panel = redrawing(body, (mine) => (open ? showOne(open, mine) : showList(mine)), {
    onError: () => { drawnKey = null; },
  });
  const { show } = panel;

  /** Draw what a show() loaded, unless a newer one started meanwhile, or it is what is
   * drawn already (`key`: the loaded data): a live event after one's own change then
   * leaves the page — and whatever is being typed or clicked on it — alone. */
  function draw(mine, key, ...children) {
    if (!panel.current(mine) || key === drawnKey) return;
    drawnKey = key;
    panel.draw(mine, ...children);
  }

  async function showList(mine) {
    const page = await api.challenges(circleId);
    const circle = state.isManager(circleId) ? await api.circle(circleId) : null;
    const items = page.challenges.map((c) => h('li', { class: 'card challenge-item', testid: 'challenge-item', dataset: { id: c.id } },
      h('button', {
        type: 'button', class: 'link challenge-open', testid: 'challenge-open',
        onclick: () => {
          open = c.id;
          for (const key of Object.keys(drafts)) delete drafts[key];
          show();
        },
      }, userText('strong', c.title)),
      h('p', { class: 'muted small', text: facts(c) }),
      c.me ? h('p', { class: 'small', testid: 'challenge-mine', text: standingText(c.me) }) : null));
    draw(mine, JSON.stringify(['list', page, circle]),
      state.isManager(circleId) ? createForm() : null,
      circle ? quietHoursEl(circle) : null,
      items.length ? h('ul', { class: 'challenge-list', testid: 'challenge-list' }, items)
        : h('p', { class: 'muted', testid: 'challenges-empty', text: t('challenge.none') }));
  }

  async function showOne(id, mine) {
    const [c, ranks, day] = await Promise.all([api.challenge(id), api.board(id, board), api.checkins(id)]);
    const manager = state.isManager(circleId);
    const missing = manager && c.status === 'ongoing' ? await api.missingCheckins(id) : null;
    const days = c.me ? (await api.checkinCalendar(id)).days : [];
    const pending = manager && c.review ? (await api.pendingCheckins(id)).checkins : null;
    const people = manager && !c.strict ? byUser((await api.board(id, 'total')).entries.concat(missing ? missing.entries : [])) : [];
    if (open !== id || !panel.current(mine)) return;
    const reload = () => show();
    const back = h('button', { type: 'button', class: 'link', testid: 'challenge-back', text: t('challenge.back'), onclick: () => { open = null; show(); } });
    draw(mine, JSON.stringify([id, board, c, ranks, day, missing, days, pending, people]),
      back,
      () => h('article', { class: 'card challenge', testid: 'challenge', dataset: { id: c.id, status: c.status } },
        userText('h3', c.title, { testid: 'challenge-title' }),
        c.description ? userText('p', c.description, { class: 'challenge-about' }) : null,
        h('p', { class: 'muted small', testid: 'challenge-facts', text: facts(c) }),
        c.me ? h('p', { class: 'challenge-standing', testid: 'challenge-standing', text: standingText(c.me) }) : null,
        action(c, days.find((d) => d.date === c.today)),
        memberTools(c, reload, drafts),
        calendarEl(days)),
      pending ? reviewEl(pending, reload) : null,
      boardEl(c, ranks),
      dayEl(c, day.checkins),
      missing ? missingEl(missing) : null,
      manager && people.length ? grantEl(c, people, reload, drafts) : null,
      manager ? exportsEl(c) : null);
  }

  /** Join, check in, or what today is (checked in, waiting for review, on leave, not a day, over). */
  function action(c, today) {
    if (!c.me) {
      if (c.status === 'over') return h('p', { class: 'muted', text: t('challenge.status.over') });
      const join = h('button', {
        type: 'button', class: 'primary', testid: 'challenge-join', text: t('challenge.join'),
        onclick: () => busy(join, async () => { await api.joinChallenge(c.id); await show(); }),
      });
      return join;
    }
    if (c.checked_in_today) return h('p', { class: 'challenge-done', testid: 'challenge-checked', text: t('challenge.checkedIn') });
    if (today && today.state === 'pending') return h('p', { class: 'muted', testid: 'challenge-pending', text: t('checkinDays.todayPending') });
    if (today && today.kind === 'leave') return h('p', { class: 'muted', testid: 'challenge-on-leave', text: t('checkinDays.todayLeave') });
    if (c.status !== 'ongoing') return h('p', { class: 'muted', text: t(`challenge.status.${c.status}`) });
    const text = h('textarea', { testid: 'checkin-text', rows: '3', maxlength: '2000', placeholder: t('challenge.placeholder') });
    const send = h('button', { type: 'submit', class: 'primary', testid: 'checkin-send', text: t('challenge.checkIn') });
    tray = panel.keep(attachTray(circleId, { onChange: () => { send.disabled = tray.busy(); } }));
    const problem = h('p', { class: 'error', testid: 'checkin-error', hidden: true, role: 'alert' });
    const form = h('form', {
      class: 'checkin-composer', testid: 'checkin-composer',
      onsubmit: (event) => {
        event.preventDefault();
        if (!tray.ready()) {
          toast(t('media.waitUploads'));
          return;
        }
        busy(send, async () => {
          try {
            await api.checkIn(c.id, text.value.trim(), tray.attachments().map((a) => a.id));
            tray.clear();
            await show();
          } catch (err) {
            problem.textContent = errorText(err);
            problem.hidden = false;
          }
        });
      },
    }, field(t('challenge.today'), text), tray.tray, h('div', { class: 'row wrap' }, tray.controls, send), problem);
    tray.listen(form);
    return form;
  }

  function boardEl(c, ranks) {
    const pick = (key) => h('button', {
      type: 'button', role: 'tab', class: 'tab', testid: `board-${key}`, 'aria-selected': String(board === key),
      text: t(`challenge.board.${key}`), onclick: () => { board = key; show(); },
    });
    const score = (e) => t('challenge.days', { count: board === 'streak' ? e.streak : e.total });
    const row = (e, mine = false) => h('li', { class: mine ? 'board-row mine' : 'board-row', testid: mine ? 'board-me' : 'board-entry', dataset: { user: e.user } },
      h('span', { class: 'rank', text: `#${e.rank}` }), userText('span', e.name, { class: 'grow' }),
      h('span', { class: 'score', text: score(e) }), e.completed ? h('span', { class: 'tag', text: t('challenge.completed') }) : null);
    const shownMe = ranks.me && ranks.entries.some((e) => e.user === ranks.me.user);
    return h('section', { class: 'challenge-board', testid: 'challenge-board', 'aria-label': t('challenge.board.title') },
      h('div', { class: 'tabs', role: 'tablist' }, pick('streak'), pick('total')),
      ranks.entries.length
        ? h('ol', { class: 'board', testid: 'board-list' }, ranks.entries.map((e) => row(e, e.user === state.session.user?.id)))
        : h('p', { class: 'muted', testid: 'board-empty', text: t('challenge.board.empty') }),
      ranks.me && !shownMe ? h('ol', { class: 'board' }, row(ranks.me, true)) : null,
      c.me && !ranks.me ? h('p', { class: 'muted small', testid: 'board-off', text: t('challenge.board.off') }) : null);
  }

  function dayEl(c, checkins) {
    const manager = state.isManager(circleId);
    const item = (k) => h('li', { class: 'card checkin', testid: 'checkin', dataset: { id: k.id, state: k.state } },
      h('div', { class: 'meta' }, userText('strong', k.name || ''), h('span', { class: 'muted small', text: k.edited ? t('challenge.edited') : '' }),
        k.featured ? h('span', { class: 'tag', testid: 'checkin-featured', text: t('challenge.featured') }) : null),
      k.kind === 'leave' ? h('p', { class: 'muted', testid: 'checkin-leave', text: t('checkinDays.kind.leave') })
        : k.state === 'valid' || k.state === 'pending'
          ? [k.state === 'pending' ? h('span', { class: 'tag', testid: 'checkin-pending', text: t('checkinDays.kind.pending') }) : null,
            k.text ? userText('p', k.text, { testid: 'checkin-words' }) : null, attachmentsEl(k.attachments || [], `checkin:${k.id}`)]
          : userText('p', t(k.state === 'rejected' ? 'checkinDays.rejected' : 'challenge.invalidated', { reason: k.reason || '' }), { class: 'muted', testid: 'checkin-invalid' }),
      manager && k.state === 'valid' && !k.featured ? featureButton(k) : null,
      manager && k.state === 'valid' ? invalidateButton(k) : null);
    return h('section', { class: 'challenge-day', testid: 'challenge-day' },
      h('h4', { text: t('challenge.todays') }),
      checkins.length ? h('ul', { class: 'checkin-list' }, checkins.map(item))
        : h('p', { class: 'muted', testid: 'checkins-empty', text: t('challenge.noCheckins') }));
  }

  /** 精选: an owner or admin makes the check-in a highlight of the circle. */
  function featureButton(k) {
    const button = h('button', {
      type: 'button', class: 'small', testid: 'checkin-feature', text: t('challenge.feature'),
      onclick: () => busy(button, async () => {
        try {
          await api.featureCheckin(k.id);
          toast(t('challenge.featuredToast'), 'info');
          await show();
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    return button;
  }

  /** An owner's or admin's way to take a check-in out of the counts: a reason, then the button. */
  function invalidateButton(k) {
    const reason = h('input', {
      testid: 'checkin-reason', maxlength: '200', placeholder: t('challenge.invalidateWhy'), 'aria-label': t('challenge.invalidateWhy'),
      oninput: () => { button.disabled = !reason.value.trim(); },
    });
    const button = h('button', {
      type: 'button', class: 'small danger', testid: 'checkin-invalidate', text: t('challenge.invalidate'), disabled: true,
      onclick: () => busy(button, async () => {
        try {
          await api.invalidateCheckin(k.id, reason.value.trim());
          await show();
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    return h('div', { class: 'row wrap' }, reason, button);
  }

  function missingEl(missing) {
    return h('section', { class: 'challenge-missing', testid: 'challenge-missing' },
      h('h4', { text: t('challenge.missing', { count: missing.count }) }),
      h('ul', { class: 'members' }, missing.entries.map((e) => userText('li', e.name, { testid: 'missing-member' }))));
  }

  function createForm() {
    const title = h('input', { testid: 'challenge-title-input', maxlength: '100', required: true });
    const type = h('select', { testid: 'challenge-type' },
      h('option', { value: 'accumulated', text: t('challenge.type.accumulated') }),
      h('option', { value: 'continuous', text: t('challenge.type.continuous') }));
    const days = h('input', { type: 'number', testid: 'challenge-days', min: '1', max: '3660', value: '21' });
    const ends = h('input', { type: 'date', testid: 'challenge-ends' });
    const photo = h('input', { type: 'checkbox', testid: 'challenge-photo' });
    const rules = ruleFields();
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'challenge-create', text: t('challenge.create') });
    const form = h('form', {
      class: 'challenge-form', testid: 'challenge-form',
      onsubmit: (event) => {
        event.preventDefault();
        const fields = { title: title.value.trim(), type: type.value };
        if (days.value) fields.required_days = Number(days.value);
        if (ends.value) fields.ends_on = ends.value;
        if (photo.checked) fields.media_kinds = ['image'];
        Object.assign(fields, rules.values());
        busy(submit, async () => {
          try {
            const made = await api.createChallenge(circleId, fields);
            open = made.id;
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, field(t('challenge.name'), title), field(t('challenge.typeField'), type), field(t('challenge.requiredDays'), days),
    field(t('challenge.endsOn'), ends), h('label', { class: 'row' }, photo, h('span', { text: t('challenge.needsPhoto') })), rules.el, submit);
    return h('details', { class: 'card', testid: 'challenge-new' }, h('summary', { text: t('challenge.new') }), form);
  }

  const offs = [
    state.on(EV.challengesChanged, (d) => {
      if (d.circle === circleId && (!open || d.challenge === open)) panel.reloadSoon();
    }),
    // A check-in featured (精选) is a highlight: its tag shows on the day's list.
    state.on(EV.highlight, (d) => {
      const source = d.post && d.post.source;
      if (d.circle === circleId && source && source.kind === 'checkin' && (!open || source.parent === open)) panel.reloadSoon();
    }),
  ];

  return {
    el,
    /** The panel is on screen: what it shows, fresh. */
    shown() { show(); },
    destroy() {
      for (const off of offs) off();
      panel.stop();
    },
  };
}

/** Board and missing entries, each person once. */
function byUser(entries) {
  const seen = new Map();
  for (const e of entries) if (!seen.has(e.user)) seen.set(e.user, e);
  return [...seen.values()];
}

function facts(c) {
  const parts = [t(`challenge.type.${c.type}`)];
  if (c.required_days) parts.push(t('challenge.goal', { count: c.required_days }));
  parts.push(c.ends_on ? `${c.starts_on} – ${c.ends_on}` : t('challenge.from', { date: c.starts_on }));
  parts.push(t('challenge.participants', { count: c.participants }));
  if (c.status) parts.push(t(`challenge.status.${c.status}`));
  return parts.join(' · ');
}

function standingText(me) {
  const text = t('challenge.standing', { streak: me.streak, total: me.total });
  return me.completed ? `${text} · ${t('challenge.completed')}` : text;
}

/** A highlight featured from a check-in (精选): a tag naming its challenge, a link to it. */
export function checkinSourceTag(source) {
  if (!source || source.kind !== 'checkin') return null;
  return h('a', { class: 'tag', testid: 'post-checkin', href: source.link || null, dataset: { challenge: source.parent || '' } },
    t('challenge.fromChallenge', { title: source.title || '' }));
}
