// A circle's points (README "Points"; 积分): the published table of what earns what, the
// board of this week, this month or all time with the member's own rank pinned, and
// their ledger — every entry with its reason. Owners and admins change the table (from
// now on) and download the whole ledger as CSV. It reloads when the table changes or
// anything that earns happens while it is shown.

import * as api from '../api.js';
import { busy, fill, h, saveBlob, timeEl, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { userText } from './user-text.js';

const RELOAD_MS = 300;
const PERIODS = ['week', 'month', 'all'];

export function pointsView(circleId) {
  let period = 'week';
  let timer = null;
  let shownAt = 0;
  const body = h('div', { class: 'points-body', testid: 'points-body' });
  const el = h('section', { class: 'panel points', testid: 'panel-points', 'aria-label': t('points.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('points.title') })), body);

  function show() {
    const mine = ++shownAt;
    return busy(null, async () => {
      const [table, board, ledger] = await Promise.all([
        api.pointRules(circleId), api.pointsBoard(circleId, period), api.pointsLedger(circleId, 'me'),
      ]);
      if (mine !== shownAt) return;
      fill(body, boardEl(board), ledgerEl(ledger), rulesEl(table));
    }).catch((err) => {
      if (mine === shownAt) body.replaceChildren(h('p', { class: 'error', text: errorText(err) }));
    });
  }

  function boardEl(board) {
    const pick = (key) => h('button', {
      type: 'button', role: 'tab', class: 'tab', testid: `points-${key}`, 'aria-selected': String(period === key),
      text: t(`points.period.${key}`), onclick: () => { period = key; show(); },
    });
    const me = state.session.user?.id;
    const row = (e, mine = false) => h('li', { class: mine ? 'board-row mine' : 'board-row', testid: mine ? 'points-me' : 'points-entry', dataset: { user: e.user } },
      h('span', { class: 'rank', text: `#${e.rank}` }), userText('span', e.name, { class: 'grow' }),
      h('span', { class: 'score', text: t('points.count', { count: e.points }) }));
    const shownMe = board.me && board.entries.some((e) => e.user === board.me.user);
    return h('section', { class: 'points-board', testid: 'points-board', 'aria-label': t('points.board') },
      h('div', { class: 'tabs', role: 'tablist' }, PERIODS.map(pick)),
      board.entries.length
        ? h('ol', { class: 'board', testid: 'points-list' }, board.entries.map((e) => row(e, e.user === me)))
        : h('p', { class: 'muted', testid: 'points-empty', text: t('points.empty') }),
      board.me && !shownMe ? h('ol', { class: 'board' }, row(board.me, true)) : null);
  }

  function ledgerEl(ledger) {
    const item = (e) => h('li', { class: 'ledger-row', testid: 'ledger-entry' },
      h('span', { class: 'grow', text: t(`points.action.${e.action}`) }),
      h('span', { class: e.points < 0 ? 'score minus' : 'score', text: e.points > 0 ? `+${e.points}` : String(e.points) }),
      h('span', { class: 'muted small' }, timeEl(e.created)));
    return h('section', { class: 'points-ledger', testid: 'points-ledger' },
      h('h3', { testid: 'points-total', text: t('points.mine', { count: ledger.total }) }),
      ledger.entries.length ? h('ul', { class: 'ledger' }, ledger.entries.slice(0, 20).map(item))
        : h('p', { class: 'muted', text: t('points.noEntries') }));
  }

  function rulesEl(table) {
    const manager = state.isManager(circleId);
    const inputs = {};
    const rows = Object.entries(table.rules).map(([action, points]) => {
      const value = manager
        ? (inputs[action] = h('input', { type: 'number', class: 'points-input', testid: `rule-${action}`, min: '-1000', max: '1000', value: String(points), 'aria-label': t(`points.action.${action}`) }))
        : h('span', { class: 'score', testid: `rule-${action}`, text: points > 0 ? `+${points}` : String(points) });
      return h('tr', {}, h('th', { scope: 'row', text: t(`points.action.${action}`) }), h('td', {}, value));
    });
    const exclude = h('input', { type: 'checkbox', testid: 'rule-exclude', checked: table.exclude_managers, disabled: !manager });
    const stamp = table.updated ? h('p', { class: 'muted small', testid: 'rules-updated' }, t('points.updated'), ' ', timeEl(table.updated)) : null;
    const save = manager ? h('button', {
      type: 'button', class: 'primary', testid: 'rules-save', text: t('points.save'),
      onclick: () => busy(save, async () => {
        try {
          const rules = Object.fromEntries(Object.entries(inputs).map(([a, input]) => [a, Number(input.value)]));
          await api.setPointRules(circleId, rules, exclude.checked);
          toast(t('points.saved'), 'info');
          await show();
        } catch (err) {
          toast(errorText(err));
        }
      }),
    }) : null;
    const csv = manager ? h('button', {
      type: 'button', testid: 'points-csv', text: t('points.csv'),
      onclick: () => busy(csv, async () => saveBlob(await api.pointsCsv(circleId), `points-${circleId}.csv`)),
    }) : null;
    return h('section', { class: 'points-rules', testid: 'points-rules' },
      h('h3', { text: t('points.rules') }),
      h('table', { class: 'rules-table' }, h('tbody', {}, rows)),
      h('label', { class: 'row' }, exclude, h('span', { text: t('points.excludeManagers') })),
      stamp, h('p', { class: 'muted small', text: t('points.forward') }),
      h('div', { class: 'row wrap' }, save, csv));
  }

  function writing() {
    const at = document.activeElement;
    return Boolean(at && body.contains(at) && at.tagName === 'INPUT');
  }
  function reloadSoon() {
    if (el.offsetParent === null) return; // not on screen: shown() loads it fresh
    clearTimeout(timer);
    timer = setTimeout(() => (writing() ? reloadSoon() : show()), RELOAD_MS);
  }
  const mineOnly = (d) => { if (d && d.circle === circleId) reloadSoon(); };
  const offs = [
    state.on(EV.pointsChanged, mineOnly),
    state.on(EV.postsChanged, mineOnly),
    state.on(EV.highlight, mineOnly),
    state.on(EV.challengesChanged, mineOnly),
  ];

  return {
    el,
    shown() { show(); },
    destroy() {
      for (const off of offs) off();
      clearTimeout(timer);
    },
  };
}
