// Away from Quanzi (home page, beside the sessions): "notify me on this device" (Web Push,
// js/push.js; the browser asks its permission only when the switch is turned on), the email
// address with its confirmation, and the digest (off, daily, weekly). Email off on this
// server (no SMTP): the card says so. And offerPush: once, when a mention or a reply first
// reaches the user's inbox while the page is open, a small offer to turn notifications on
// for this device — never on first load.

import * as api from '../api.js';
import { busy, field, h, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as push from '../push.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';

const OFFERED = 'quanzi.pushOffered';
// A notification this recent arrived live, not in the catch-up of a page load.
const FRESH_MS = 60 * 1000;

export function reachView() {
  const deviceBox = h('div', { class: 'reach-device', testid: 'reach-device' });
  const mailBox = h('div', { class: 'reach-mail', testid: 'reach-mail' });
  // Folded: the home page's first load asks the server nothing more for it.
  const el = h('details', { class: 'card reach', testid: 'reach' },
    h('summary', { testid: 'reach-toggle' }, h('h2', { text: t('reach.title') })), deviceBox, mailBox);
  let shown = false;
  el.addEventListener('toggle', () => {
    if (!el.open || shown) return;
    shown = true;
    renderDevice(deviceBox);
    renderMail(mailBox);
  });
  return el;
}

async function renderDevice(box) {
  if (!push.supported()) {
    box.replaceChildren(h('p', { class: 'muted small', testid: 'push-unsupported', text: t('reach.pushUnsupported') }), devicesList());
    return;
  }
  const on = Boolean(await push.current().catch(() => null));
  const toggle = h('input', { type: 'checkbox', testid: 'push-switch', checked: on });
  const hint = h('p', { class: 'muted small', testid: 'push-hint', text: push.permission() === 'denied' ? t('reach.pushDenied') : t('reach.pushHint') });
  toggle.addEventListener('change', () => busy(toggle, async () => {
    try {
      if (toggle.checked) {
        const done = await push.turnOn();
        toggle.checked = done;
        if (!done) hint.textContent = t('reach.pushDenied');
      } else {
        await push.turnOff();
      }
    } catch (err) {
      toggle.checked = Boolean(await push.current().catch(() => null));
      toast(errorText(err));
    }
  }));
  if (!toggle.id) toggle.id = 'push-switch';
  box.replaceChildren(
    h('div', { class: 'field check' }, toggle, h('label', { for: toggle.id, text: t('reach.pushSwitch') })),
    hint, devicesList());
}

/** Every device that gets this member's pushes, each with "Remove" (a lost phone). */
function devicesList() {
  const list = h('ul', { class: 'reach-devices', testid: 'push-devices', 'aria-label': t('reach.devices') });
  async function refresh() {
    const { devices } = await api.pushDevices();
    list.replaceChildren(...devices.map((device) => {
      const remove = h('button', {
        type: 'button', class: 'link', testid: 'push-device-remove', text: t('reach.deviceRemove'),
        onclick: () => busy(remove, async () => {
          await api.forgetPushDevice(device.id);
          await refresh();
        }),
      });
      return h('li', { testid: 'push-device' }, h('span', { text: device.label || device.service }), ' ', remove);
    }));
  }
  refresh().catch((err) => toast(errorText(err)));
  return list;
}

async function renderMail(box) {
  let found;
  try {
    found = await api.myEmail();
  } catch (err) {
    box.replaceChildren(h('p', { class: 'muted small', text: errorText(err) }));
    return;
  }
  if (!found.enabled) {
    box.replaceChildren(h('p', { class: 'muted small', testid: 'email-off', text: t('reach.emailOff') }));
    return;
  }
  const address = h('input', { type: 'email', testid: 'email-address', maxlength: '254', value: found.address || '', autocomplete: 'email' });
  const save = h('button', { type: 'submit', testid: 'email-save', text: t('reach.emailSave') });
  const status = h('p', { class: 'muted small', testid: 'email-status', role: 'status' });
  const resend = h('button', { type: 'button', class: 'link', testid: 'email-resend', text: t('reach.emailResend') });
  const digest = h('select', { testid: 'digest-select' },
    ...['off', 'daily', 'weekly'].map((value) => h('option', { value, text: t(`reach.digest.${value}`), selected: found.digest === value })));

  function show(settings) {
    found = settings;
    status.textContent = !settings.address ? t('reach.emailNone')
      : settings.verified ? t('reach.emailConfirmed') : t('reach.emailPending');
    resend.hidden = !settings.address || settings.verified;
    digest.disabled = !settings.verified;
  }

  const form = h('form', {
    class: 'row wrap',
    onsubmit: (event) => {
      event.preventDefault();
      busy(save, async () => {
        show(await api.updateEmail({ address: address.value.trim() }));
        if (found.address && !found.verified) toast(t('reach.emailSent'), 'info');
      });
    },
  }, field(t('reach.emailAddress'), address), save);
  resend.addEventListener('click', () => busy(resend, async () => {
    show(await api.resendConfirmation());
    toast(t('reach.emailSent'), 'info');
  }));
  digest.addEventListener('change', () => busy(digest, async () => show(await api.updateEmail({ digest: digest.value }))));
  show(found);
  box.replaceChildren(form, status, resend, field(t('reach.digest'), digest, t('reach.digestHint')));
}

/** Once per browser, after the user is first @mentioned while here: offer push on this device. */
export function offerPush() {
  if (!push.supported() || push.permission() !== 'default' || localStorage.getItem(OFFERED)) return;
  localStorage.setItem(OFFERED, '1');
  const box = h('div', { class: 'push-offer card', testid: 'push-offer', role: 'dialog', 'aria-label': t('reach.offerTitle') });
  const yes = h('button', {
    type: 'button', class: 'primary', testid: 'push-offer-yes', text: t('reach.offerYes'),
    onclick: () => busy(yes, async () => {
      try {
        await push.turnOn();
      } catch (err) {
        toast(errorText(err));
      }
      box.remove();
    }),
  });
  const no = h('button', { type: 'button', testid: 'push-offer-no', text: t('reach.offerNo'), onclick: () => box.remove() });
  box.append(h('p', { text: t('reach.offerText') }), h('div', { class: 'row' }, yes, no));
  document.body.append(box);
}

/** Watch the inbox for the first mention or reply that arrives while the page is open
 *  (a live one: the catch-up of older ones on load offers nothing). */
export function watchMentions(now = Date.now) {
  return state.on(EV.notificationsChanged, ({ fresh }) => {
    const live = (fresh || []).some((item) => (item.kind === 'mention' || item.kind === 'reply')
      && item.read == null && now() - item.created < FRESH_MS);
    if (live) offerPush();
  });
}

/** Owners: the circle's "email must-reads at once" switch (settings tab). */
export function mustReadMailSwitch(circleId) {
  const toggle = h('input', { type: 'checkbox', testid: 'must-read-mail', id: `must-read-mail-${circleId}`, disabled: true });
  const el = h('section', { class: 'card', testid: 'circle-mail' },
    h('h3', { text: t('reach.circleTitle') }),
    h('div', { class: 'field check' }, toggle, h('label', { for: toggle.id, text: t('reach.circleMustReads') })),
    h('p', { class: 'muted small', text: t('reach.circleHint') }));
  api.circleMail(circleId).then((found) => {
    toggle.checked = found.must_reads;
    toggle.disabled = false;
  }, (err) => toast(errorText(err)));
  toggle.addEventListener('change', () => busy(toggle, async () => {
    try {
      toggle.checked = (await api.setCircleMail(circleId, toggle.checked)).must_reads;
    } catch (err) {
      toggle.checked = !toggle.checked;
      toast(errorText(err));
    }
  }));
  return el;
}
