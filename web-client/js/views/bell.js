// The notification bell in the top bar, on every page: the unread count on it and in the
// tab's title ("(3) Quanzi"), and the inbox it opens — newest first, each item opening
// exactly what it is about (the chat message in its context, the post, the homework
// review, the lesson…), marked read as it is opened; "mark all read"; and the member's
// quiet hours, time zone and language for notifications sent while away.

import * as api from '../api.js';
import { busy, field, h, time, toast } from '../dom.js';
import { errorText, onLocaleChange, t } from '../i18n.js';
import { olderNotifications } from '../loaders.js';
import { EV } from '../store/names.js';
import * as notes from '../store/notifications.js';
import * as state from '../store/state.js';
import { aimAt, targetOf } from './notification-targets.js';
import { reminderText } from './reminders.js';

const KINDS = ['mention', 'reply', 'must_read', 'review', 'reminder', 'moderation', 'join'];

/** What a notification says, by kind. */
export function notificationText(item) {
  const a = item.about || {};
  const actor = (a.actor && a.actor.name) || t('inbox.someone');
  const circle = (state.circles.get(item.circle) || {}).name || t('circle.untitled');
  switch (item.kind) {
    case 'mention':
      return t(a.all ? 'inbox.mentionAll' : 'inbox.mention', { actor, circle });
    case 'reply':
      return t(a.comment ? 'inbox.replyComment' : 'inbox.reply', { actor, circle });
    case 'must_read':
      return t('inbox.mustRead', { circle });
    case 'review':
      return t(a.state === 'returned' ? 'inbox.returned' : 'inbox.reviewed', { circle });
    case 'reminder':
      return a.item ? reminderText(a.item) : t('inbox.reminder');
    case 'moderation':
      if (a.report) return t('inbox.reportResolved', { circle });
      return t(`inbox.moderation.${a.action}`, { circle });
    case 'join':
      return t(a.state === 'approved' ? 'inbox.joinApproved' : 'inbox.joinRejected', { circle });
    default:
      return t('inbox.other', { circle });
  }
}

export function mountBell(topbar, before) {
  const count = h('span', { class: 'badge bell-count', testid: 'bell-count', hidden: true });
  const button = h('button', {
    type: 'button', class: 'bell', testid: 'bell', 'aria-haspopup': 'dialog', 'aria-expanded': 'false',
    'aria-label': t('inbox.title'), title: t('inbox.title'),
    onclick: () => (panel.hidden ? open() : close()),
  }, h('span', { 'aria-hidden': 'true', text: '🔔' }), count);
  const list = h('ul', { class: 'inbox-list', testid: 'inbox-list' });
  const more = h('button', { type: 'button', class: 'link', testid: 'inbox-more', text: t('inbox.older'), hidden: true, onclick: () => busy(more, olderNotifications) });
  const settings = h('details', { class: 'inbox-settings', testid: 'inbox-settings', ontoggle: () => settings.open && showSettings() });
  const head = h('div', { class: 'inbox-head' });
  const panel = h('section', { class: 'inbox-panel', testid: 'inbox-panel', role: 'dialog', hidden: true },
    head, list, more, settings);
  // The panel's own words, again in a new language.
  function label() {
    panel.setAttribute('aria-label', t('inbox.title'));
    button.title = t('inbox.title');
    more.textContent = t('inbox.older');
    head.replaceChildren(
      h('h2', { text: t('inbox.title') }),
      h('button', { type: 'button', class: 'link', testid: 'inbox-read-all', text: t('inbox.readAll'), onclick: readAll }),
      h('button', { type: 'button', class: 'link', testid: 'inbox-close', 'aria-label': t('common.close'), text: '×', onclick: () => close() }));
    settings.open = false;
    settings.replaceChildren(h('summary', { text: t('inbox.settings') }));
  }
  topbar.insertBefore(button, before);
  document.body.append(panel);

  function render() {
    button.hidden = !state.session.token;
    if (button.hidden) close();
    const unread = notes.inbox.unread;
    count.textContent = unread > 99 ? '99+' : String(unread);
    count.hidden = !unread;
    button.setAttribute('aria-label', unread ? t('inbox.titleUnread', { count: unread }) : t('inbox.title'));
    retitle();
    if (panel.hidden) return;
    const items = notes.list();
    list.replaceChildren(...(items.length ? items.map(itemEl) : [h('li', { class: 'muted', testid: 'inbox-empty', text: t('inbox.empty') })]));
    more.hidden = !notes.inbox.more;
  }

  function itemEl(item) {
    const excerpt = item.about && (item.about.excerpt || item.about.title);
    return h('li', { class: `inbox-item${item.read == null ? ' unread' : ''}`, testid: 'inbox-item', dataset: { id: String(item.id), kind: item.kind } },
      h('button', { type: 'button', class: 'inbox-open', testid: 'inbox-open', onclick: () => openItem(item) },
        h('span', { class: 'inbox-what', text: notificationText(item) }),
        excerpt ? h('span', { class: 'inbox-excerpt', 'data-user-text': '', text: excerpt }) : null,
        h('span', { class: 'inbox-when muted small', text: time(item.created) })));
  }

  async function openItem(item) {
    close();
    const target = targetOf(item);
    if (target) aimAt(target);
    if (item.read == null) {
      notes.read({ ids: [item.id], unread: Math.max(0, notes.inbox.unread - 1) });
      try {
        notes.read({ ids: [item.id], unread: (await api.markNotificationRead(item.id)).unread });
      } catch {
        // offline: it stays read here; the next catch-up has the server's count
      }
    }
  }

  async function readAll() {
    try {
      const { unread } = await api.markNotificationsRead({});
      notes.read({ unread });
    } catch (err) {
      toast(errorText(err));
    }
  }

  async function showSettings() {
    const form = h('form', { class: 'inbox-settings-form', testid: 'quiet-hours-form' });
    settings.replaceChildren(settings.firstChild, form);
    let now;
    try {
      now = await api.notificationSettings();
    } catch (err) {
      form.append(h('p', { class: 'error', text: errorText(err) }));
      return;
    }
    const from = h('input', { type: 'time', testid: 'quiet-from', value: now.quiet_from || '' });
    const to = h('input', { type: 'time', testid: 'quiet-to', value: now.quiet_to || '' });
    const zone = h('input', { type: 'text', testid: 'time-zone', value: now.time_zone, autocomplete: 'off', maxlength: '64' });
    const language = h('select', { testid: 'notify-language' },
      h('option', { value: 'zh-CN', lang: 'zh-CN', text: '简体中文', selected: now.language === 'zh-CN' }),
      h('option', { value: 'en', lang: 'en', text: 'English', selected: now.language === 'en' }));
    // A level per kind (all, only what names me, none), as in a circle's settings.
    const kinds = KINDS.map((kind) => h('select', { testid: `kind-level-${kind}`, dataset: { kind } },
      ['all', 'mentions', 'none'].map((level) => h('option', {
        value: level, text: t(`inbox.level.${level}`), selected: ((now.kinds || {})[kind] || 'all') === level,
      }))));
    const save = h('button', { type: 'submit', class: 'primary', testid: 'quiet-save', text: t('common.save') });
    form.append(
      h('p', { class: 'muted small', text: t('inbox.quietHint') }),
      h('div', { class: 'row' }, field(t('inbox.quietFrom'), from), field(t('inbox.quietTo'), to)),
      field(t('inbox.timeZone'), zone),
      field(t('inbox.language'), language),
      h('fieldset', { class: 'inbox-kinds' }, h('legend', { text: t('inbox.kinds') }),
        kinds.map((select) => field(t(`inbox.kind.${select.dataset.kind}`), select))),
      save);
    if (!now.quiet_from) zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || now.time_zone;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(save, async () => {
        try {
          await api.updateNotificationSettings({
            quiet_from: from.value || null, quiet_to: to.value || null, time_zone: zone.value.trim(), language: language.value,
            kinds: Object.fromEntries(kinds.map((select) => [select.dataset.kind, select.value])),
          });
          toast(t('inbox.saved'), 'info');
        } catch (err) {
          toast(errorText(err));
        }
      });
    });
  }

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    render();
    panel.querySelector('.inbox-open, button')?.focus();
  }

  function close() {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  // The unread count ahead of whatever title a view sets.
  let titling = false;
  function retitle() {
    const want = notes.titled(document.title);
    if (want === document.title) return;
    titling = true;
    document.title = want;
    titling = false;
  }
  const titleEl = document.querySelector('title');
  if (titleEl) new MutationObserver(() => titling || retitle()).observe(titleEl, { childList: true });
  panel.addEventListener('keydown', (event) => event.key === 'Escape' && close());
  document.addEventListener('click', (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !button.contains(event.target)) close();
  });
  state.on(EV.notificationsChanged, render);
  onLocaleChange(() => {
    label();
    render();
  });
  label();
  render();
}
