// A circle's integrations in its settings, for owners and admins (docs/webhooks.md):
// outgoing webhooks (create with the events chosen, the secret shown once, the delivery
// log, re-enable after failures, delete), incoming hooks (create, the URL shown once,
// revoke) and adding a bot its owner let into this circle. Read when the settings are shown.

import * as api from '../api.js';
import { busy, field, h, time, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { secretOnce } from './secret-once.js';

// What a webhook may ask for (store/webhook_outbox.py EVENTS).
export const EVENTS = ['message', 'post.created', 'post.promoted', 'post.edited', 'post.deleted', 'post.pinned',
  'post.must_read', 'comment.added', 'member.joined', 'member.left', 'checkin.added', 'gathering.created',
  'assignment.created', 'lesson.live', 'contest.announced'];

export function integrationsView(circleId) {
  const hooks = h('ul', { class: 'plain-list', testid: 'webhook-list' });
  const incoming = h('ul', { class: 'plain-list', testid: 'incoming-list' });
  const shown = h('div');
  const el = h('section', { class: 'card integrations', testid: 'integrations' },
    h('h3', { text: t('hooks.title') }),
    h('p', { class: 'muted small', text: t('hooks.about') }),
    h('h4', { text: t('hooks.outgoing') }), hooks, webhookForm(), shown,
    h('h4', { text: t('hooks.incoming') }), incoming, incomingForm(),
    h('h4', { text: t('hooks.addBot') }), addBotForm());

  async function refresh() {
    try {
      const [out, inc] = await Promise.all([api.webhooks(circleId), api.incomingHooks(circleId)]);
      hooks.replaceChildren(...out.webhooks.map(hookItem));
      incoming.replaceChildren(...inc.hooks.map(incomingItem));
    } catch (err) {
      toast(errorText(err));
    }
  }

  function hookItem(hook) {
    const log = h('ul', { class: 'plain-list small', testid: 'delivery-log', hidden: true });
    const state = hook.enabled ? t('hooks.enabled') : t('hooks.disabled');
    return h('li', { testid: 'webhook', dataset: { hookId: hook.id } },
      h('div', { class: 'row wrap' },
        h('span', { class: 'grow url', text: hook.url }),
        h('span', { class: hook.enabled ? 'tag' : 'tag warn', testid: 'webhook-state', text: state })),
      h('p', { class: 'muted small', text: hook.events.map(eventLabel).join(' · ') }),
      hook.failures ? h('p', { class: 'muted small', text: t('hooks.failures', { count: hook.failures }) }) : null,
      h('div', { class: 'row wrap' },
        button('webhook-log', t('hooks.log'), async () => {
          const { deliveries } = await api.webhookDeliveries(circleId, hook.id);
          log.replaceChildren(...(deliveries.length ? deliveries.map(deliveryItem) : [h('li', { class: 'muted', text: t('hooks.noDeliveries') })]));
          log.hidden = !log.hidden;
        }),
        hook.enabled ? null : button('webhook-enable', t('hooks.enable'), async () => {
          await api.updateWebhook(circleId, hook.id, { enabled: true });
          await refresh();
        }),
        button('webhook-delete', t('hooks.delete'), async () => {
          if (!window.confirm(t('hooks.deleteAsk'))) return;
          await api.deleteWebhook(circleId, hook.id);
          await refresh();
        }, 'danger')),
      log);
  }

  function deliveryItem(d) {
    const outcome = d.status ? `HTTP ${d.status}` : d.error || '';
    return h('li', { testid: 'delivery', dataset: { state: d.state } },
      `${time(d.created)} · ${eventLabel(d.event)} · ${t(`hooks.state.${d.state}`)} · ${t('hooks.attempts', { count: d.attempts })}`,
      outcome ? h('span', { class: 'muted', text: ` · ${outcome}` }) : null);
  }

  function webhookForm() {
    const url = h('input', { type: 'url', testid: 'webhook-url', required: true, maxlength: '2000' });
    const boxes = EVENTS.map((event) => h('input', { type: 'checkbox', value: event, checked: event === 'message' || event === 'post.created' }));
    const save = h('button', { type: 'submit', class: 'primary', testid: 'webhook-create', text: t('hooks.create') });
    return h('form', {
      testid: 'webhook-form',
      onsubmit: (event) => {
        event.preventDefault();
        busy(save, async () => {
          const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
          const hook = await api.createWebhook(circleId, url.value.trim(), chosen);
          url.value = '';
          shown.replaceChildren(secretOnce(hook.secret, t('hooks.secret'), 'webhook-secret'));
          await refresh();
        });
      },
    },
    field(t('hooks.url'), url),
    h('fieldset', { class: 'events' }, h('legend', { text: t('hooks.events') }),
      boxes.map((box) => h('label', { class: 'check' }, box, ` ${eventLabel(box.value)}`))),
    save);
  }

  function incomingItem(hook) {
    return h('li', { testid: 'incoming-hook', dataset: { hookId: hook.id } },
      h('div', { class: 'row wrap' },
        h('span', { class: 'grow', text: hook.name }),
        h('span', { class: 'tag', text: t(`hooks.target.${hook.target}`) }),
        button('incoming-revoke', t('hooks.revoke'), async () => {
          if (!window.confirm(t('hooks.revokeAsk'))) return;
          await api.revokeIncomingHook(circleId, hook.id);
          await refresh();
        }, 'danger')));
  }

  function incomingForm() {
    const name = h('input', { testid: 'incoming-name', required: true, maxlength: '64' });
    const target = h('select', { testid: 'incoming-target' },
      ['chat', 'feed'].map((v) => h('option', { value: v, text: t(`hooks.target.${v}`) })));
    const save = h('button', { type: 'submit', testid: 'incoming-create', text: t('hooks.createIncoming') });
    const out = h('div');
    return h('form', {
      testid: 'incoming-form',
      onsubmit: (event) => {
        event.preventDefault();
        busy(save, async () => {
          const hook = await api.createIncomingHook(circleId, name.value.trim(), target.value);
          name.value = '';
          out.replaceChildren(secretOnce(hook.url, t('hooks.hookUrl'), 'incoming-url'));
          await refresh();
        });
      },
    }, field(t('hooks.name'), name), field(t('hooks.targetLabel'), target), save, out);
  }

  function addBotForm() {
    const bot = h('input', { testid: 'add-bot-id', required: true, maxlength: '32' });
    const save = h('button', { type: 'submit', testid: 'add-bot', text: t('hooks.addBotButton') });
    return h('form', {
      onsubmit: (event) => {
        event.preventDefault();
        busy(save, async () => {
          await api.addBot(circleId, bot.value.trim());
          bot.value = '';
          toast(t('hooks.botAdded'), 'info');
        });
      },
    }, field(t('hooks.botId'), bot, t('hooks.botIdHint')), save);
  }

  return { el, shown: refresh };
}

function eventLabel(event) {
  return t(`hooks.event.${event}`);
}

function button(testid, text, action, cls = '') {
  const b = h('button', { type: 'button', class: cls, testid, text });
  b.addEventListener('click', () => busy(b, action));
  return b;
}
