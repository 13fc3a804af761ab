// A circle's contests (README "Contests"; 比赛): the list, and one contest at a time —
// its rules and windows on the circle's clock, the entry composer while entries are open
// (words, photos or videos with progress), the gallery of entries with vote buttons and
// the live or final ranking, and for owners and admins a form to open one and, once voting
// closed, the winners' announcement. Everything reloads when a contest.* event says it moved.

import * as api from '../api.js';
import { busy, field, h, saveBlob, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { attachmentsEl } from './attachments.js';
import { redrawing } from './redraw.js';
import { userText } from './user-text.js';

const RELOAD_MS = 200;

export function contestsView(circleId) {
  let open = null;
  let tray = null;
  const body = h('div', { class: 'contests-body', testid: 'contests-body' });
  const el = h('section', { class: 'panel contests', testid: 'panel-contests', 'aria-label': t('contest.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('contest.title') })), body);

  const panel = redrawing(body, (mine) => (open ? showOne(open, mine) : showList(mine)), { reloadMs: RELOAD_MS });
  const { show, draw } = panel;

  async function showList(mine) {
    const page = await api.contests(circleId);
    const items = page.contests.map((c) => h('li', { class: 'card contest-item', testid: 'contest-item', dataset: { id: c.id, status: c.status } },
      h('button', { type: 'button', class: 'link', testid: 'contest-open', onclick: () => { open = c.id; show(); } }, userText('strong', c.title)),
      h('p', { class: 'muted small', text: facts(c) })));
    draw(mine,
      state.isManager(circleId) ? createForm() : null,
      items.length ? h('ul', { class: 'contest-list', testid: 'contest-list' }, items)
        : h('p', { class: 'muted', testid: 'contests-empty', text: t('contest.none') }));
  }

  async function showOne(id, mine) {
    const c = await api.contest(id);
    if (open !== id || !panel.current(mine)) return;
    const back = h('button', { type: 'button', class: 'link', testid: 'contest-back', text: t('contest.back'), onclick: () => { open = null; show(); } });
    const left = c.votes_per_member - c.my_votes.length;
    draw(mine,
      back,
      () => h('article', { class: 'card contest', testid: 'contest', dataset: { id: c.id, status: c.status } },
        userText('h3', c.title, { testid: 'contest-title' }),
        c.rules ? userText('p', c.rules, { class: 'contest-rules' }) : null,
        h('p', { class: 'muted small', testid: 'contest-facts', text: facts(c) }),
        c.status === 'voting' ? h('p', { class: 'small', testid: 'contest-votes-left', text: t('contest.votesLeft', { count: left }) }) : null,
        canEnter(c) ? composer(c) : null),
      gallery(c),
      state.isManager(circleId) ? csvButton(c) : null,
      state.isManager(circleId) && c.status === 'closed' && !c.announced_at ? announceForm(c) : null,
      c.announced_at ? h('p', { class: 'contest-announced', testid: 'contest-announced', text: t('contest.announced') }) : null);
  }

  function composer(c) {
    const text = h('textarea', { testid: 'entry-text', rows: '2', maxlength: '2000', placeholder: t('contest.entryPlaceholder') });
    const send = h('button', { type: 'submit', class: 'primary', testid: 'entry-send', text: t('contest.enter') });
    tray = panel.keep(attachTray(circleId, { onChange: () => { send.disabled = tray.busy(); } }));
    const form = h('form', {
      class: 'entry-composer', testid: 'entry-composer',
      onsubmit: (event) => {
        event.preventDefault();
        if (!tray.ready()) {
          toast(t('media.waitUploads'));
          return;
        }
        busy(send, async () => {
          try {
            await api.enterContest(c.id, text.value.trim(), tray.attachments().map((a) => a.id));
            tray.clear();
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, field(t('contest.yourEntry'), text), tray.tray, h('div', { class: 'row wrap' }, tray.controls, send));
    tray.listen(form);
    return form;
  }

  function gallery(c) {
    const me = state.session.user?.id;
    const cards = c.entries_list.map((e) => {
      const voted = c.my_votes.includes(e.id);
      const vote = c.status === 'voting' && e.user !== me ? h('button', {
        type: 'button', class: voted ? 'small primary' : 'small', testid: 'entry-vote', 'aria-pressed': String(voted),
        text: voted ? t('contest.voted') : t('contest.vote'),
        onclick: () => busy(vote, async () => {
          try {
            await api.voteEntry(e.id, !voted);
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        }),
      }) : null;
      return h('li', { class: 'card entry', testid: 'entry', dataset: { id: e.id, rank: e.rank ?? '' } },
        h('div', { class: 'meta' },
          e.rank ? h('span', { class: 'rank', testid: 'entry-rank', text: `#${e.rank}` }) : null,
          userText('strong', e.name),
          e.votes !== null ? h('span', { class: 'muted small', testid: 'entry-votes', text: t('contest.votes', { count: e.votes }) }) : null),
        e.text ? userText('p', e.text, { testid: 'entry-words' }) : null,
        attachmentsEl(e.attachments || [], `entry:${e.id}`),
        vote);
    });
    return h('section', { class: 'contest-gallery', testid: 'contest-gallery' },
      h('h4', { text: c.status === 'closed' ? t('contest.result') : t('contest.entries') }),
      cards.length ? h('ul', { class: 'entry-grid' }, cards) : h('p', { class: 'muted', testid: 'entries-empty', text: t('contest.noEntries') }));
  }

  function csvButton(c) {
    const button = h('button', {
      type: 'button', class: 'small', testid: 'contest-csv', text: t('contest.csv'),
      onclick: () => busy(button, async () => saveBlob(await api.contestCsv(c.id), `contest-${c.id}.csv`)),
    });
    return h('p', { class: 'row wrap' }, button);
  }

  function announceForm(c) {
    const words = h('textarea', { testid: 'announce-text', rows: '2', maxlength: '2000', placeholder: t('contest.announceWords') });
    const go = h('button', {
      type: 'button', class: 'primary', testid: 'contest-announce', text: t('contest.announce'),
      onclick: () => busy(go, async () => {
        try {
          await api.announceContest(c.id, words.value.trim(), 3);
          await show();
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    return h('section', { class: 'card', testid: 'announce-form' }, field(t('contest.announceWords'), words), go);
  }

  function createForm() {
    const zone = (state.infoOf(circleId) || {}).time_zone || 'Asia/Shanghai';
    const title = h('input', { testid: 'contest-title-input', maxlength: '100', required: true });
    const rules = h('textarea', { testid: 'contest-rules', rows: '2', maxlength: '2000' });
    const entriesClose = h('input', { type: 'datetime-local', testid: 'contest-entries-close', required: true });
    const votesOpen = h('input', { type: 'datetime-local', testid: 'contest-votes-open' });
    const votesClose = h('input', { type: 'datetime-local', testid: 'contest-votes-close', required: true });
    const votes = h('input', { type: 'number', testid: 'contest-votes-per', min: '1', max: '50', value: '1' });
    const ranking = h('select', { testid: 'contest-ranking' },
      h('option', { value: 'after_close', text: t('contest.ranking.after_close') }),
      h('option', { value: 'live', text: t('contest.ranking.live') }));
    const exclude = h('input', { type: 'checkbox', testid: 'contest-exclude' });
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'contest-create', text: t('contest.create') });
    const form = h('form', {
      class: 'contest-form', testid: 'contest-form',
      onsubmit: (event) => {
        event.preventDefault();
        const fields = {
          title: title.value.trim(), rules: rules.value.trim(), entries_close: entriesClose.value,
          votes_close: votesClose.value, votes_per_member: Number(votes.value || 1), ranking: ranking.value,
          exclude_managers: exclude.checked,
        };
        if (votesOpen.value) fields.votes_open = votesOpen.value;
        busy(submit, async () => {
          try {
            const made = await api.createContest(circleId, fields);
            open = made.id;
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, field(t('contest.name'), title), field(t('contest.rulesField'), rules),
    field(t('contest.entriesClose', { zone }), entriesClose), field(t('contest.votesOpen'), votesOpen),
    field(t('contest.votesClose'), votesClose), field(t('contest.votesPer'), votes), field(t('contest.rankingField'), ranking),
    h('label', { class: 'row' }, exclude, h('span', { text: t('contest.excludeManagers') })), submit);
    return h('details', { class: 'card', testid: 'contest-new' }, h('summary', { text: t('contest.new') }), form);
  }

  const off = state.on(EV.contestsChanged, (d) => {
    if (d.circle === circleId && (!open || d.contest === open)) panel.reloadSoon();
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

/** Entries are open and the member has entries left. */
function canEnter(c) {
  const now = Date.now();
  if (now < c.entries_open || now >= c.entries_close) return false;
  const me = state.session.user?.id;
  return c.entries_list.filter((e) => e.user === me).length < c.entries_per_member;
}

function facts(c) {
  const parts = [t(`contest.status.${c.status}`)];
  parts.push(t('contest.window', { from: c.local.votes_open.replace('T', ' '), to: c.local.votes_close.replace('T', ' '), zone: c.time_zone }));
  parts.push(t('contest.entryCount', { count: c.entries }));
  return parts.join(' · ');
}
