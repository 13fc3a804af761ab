// My bots, beside the circle list (docs/webhooks.md): create one (its token shown once),
// choose the circles it may be added to, copy its id for those circles' owners, rotate or
// revoke its token.

import * as api from '../api.js';
import { busy, copyText, field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as state from '../store/state.js';
import { secretOnce } from './secret-once.js';

export function botsView() {
  let loaded = false;
  const list = h('ul', { class: 'plain-list', testid: 'bot-list' });
  const shown = h('div');
  const name = h('input', { testid: 'bot-name', required: true, maxlength: '64' });
  const create = h('button', { type: 'submit', testid: 'bot-create', text: t('bots.create') });
  // Folded until opened: the home page's cold start does not ask for them.
  const el = h('details', {
    class: 'card bots', testid: 'bots',
    ontoggle: () => {
      if (el.open && !loaded) {
        loaded = true;
        refresh();
      }
    },
  },
  h('summary', { testid: 'bots-open' }, h('h2', { class: 'inline', text: t('bots.title') })),
  h('p', { class: 'muted small', text: t('bots.about') }),
  list, shown,
  h('form', {
    onsubmit: (event) => {
      event.preventDefault();
      busy(create, async () => {
        const bot = await api.createBot(name.value.trim());
        name.value = '';
        shown.replaceChildren(secretOnce(bot.token, t('bots.token'), 'bot-token'));
        await refresh();
      });
    },
  }, field(t('bots.name'), name), create));

  async function refresh() {
    try {
      const { bots } = await api.myBots();
      list.replaceChildren(...bots.map(botItem));
    } catch (err) {
      toast(errorText(err));
    }
  }

  function botItem(bot) {
    const scope = new Set(bot.circles.map((c) => c.id));
    const inside = new Set(bot.circles.filter((c) => c.member).map((c) => c.id));
    const boxes = [...state.circles.values()].map((c) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: c.id, checked: scope.has(c.id), testid: 'bot-scope' }),
      ` ${c.name}`, inside.has(c.id) ? h('span', { class: 'muted small', text: ` (${t('bots.added')})` }) : null));
    const save = h('button', { type: 'submit', testid: 'bot-scope-save', text: t('bots.saveScope') });
    const rotate = h('button', { type: 'button', testid: 'bot-rotate', text: t('bots.rotate') });
    rotate.addEventListener('click', () => busy(rotate, async () => {
      const { token } = await api.rotateBotToken(bot.id);
      shown.replaceChildren(secretOnce(token, t('bots.token'), 'bot-token'));
      await refresh();
    }));
    const revoke = bot.has_token ? h('button', { type: 'button', class: 'danger', testid: 'bot-revoke', text: t('bots.revoke') }) : null;
    if (revoke) revoke.addEventListener('click', () => busy(revoke, async () => {
      await api.revokeBotToken(bot.id);
      await refresh();
    }));
    return h('li', { testid: 'bot', dataset: { botId: bot.id } },
      h('div', { class: 'row wrap' },
        h('strong', { class: 'grow', text: bot.name }),
        h('span', { class: 'tag bot', text: t('bots.badge') }),
        h('button', { type: 'button', testid: 'bot-copy-id', text: t('bots.copyId'), onclick: () => copyText(bot.id) })),
      h('form', {
        onsubmit: (event) => {
          event.preventDefault();
          busy(save, async () => {
            const circles = [...event.target.querySelectorAll('input:checked')].map((b) => b.value);
            await api.setBotCircles(bot.id, circles);
            toast(t('bots.scopeSaved'), 'info');
            await refresh();
          });
        },
      }, h('fieldset', {}, h('legend', { text: t('bots.scope') }), boxes), save),
      h('div', { class: 'row wrap' }, rotate, revoke,
        bot.has_token ? null : h('span', { class: 'muted small', text: t('bots.noToken') })));
  }

  return el;
}
