// The small status line in the top bar: connecting, offline (with a countdown and a
// "Retry now" button), reconnecting, or online. A new language redraws it.

import { fill, h } from '../dom.js';
import { onLocaleChange, t } from '../i18n.js';

export function statusLine(el, socket) {
  let timer = null;
  let restarting = false;
  let last = { state: socket.state };

  function render(detail) {
    last = detail;
    clearInterval(timer);
    const { state, retryAt, final } = detail;
    el.dataset.state = state;
    const retry = h('button', {
      type: 'button', class: 'link', testid: 'retry-now',
      text: final ? t('circle.status.reconnect') : t('circle.status.retryNow'),
      onclick: () => socket.retryNow(),
    });
    if (state === 'online') {
      restarting = false;
      el.replaceChildren(h('span', { class: 'dot live', 'aria-hidden': 'true' }), h('span', { class: 'label', text: t('circle.status.online') }));
    } else if (state === 'connecting') {
      el.replaceChildren(h('span', { text: t('circle.status.connecting') }));
    } else if (state === 'reconnecting') {
      el.replaceChildren(h('span', { text: restarting ? t('circle.status.restarting') : t('circle.status.reconnecting') }));
    } else if (state === 'offline' && retryAt) {
      const label = h('span');
      const tick = () => {
        const count = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        const prefix = restarting ? 'circle.status.restartingIn' : 'circle.status.offlineIn';
        label.textContent = count > 0 ? t(prefix, { count }) : t(restarting ? 'circle.status.restarting' : 'circle.status.reconnecting');
      };
      tick();
      timer = setInterval(tick, 500);
      el.replaceChildren(label, ' ', retry);
    } else if (state === 'offline') {
      const text = final ? t('circle.status.disconnected') : t('circle.status.offline');
      fill(el, h('span', { text }), final ? ' ' : null, final ? retry : null);
    } else {
      el.replaceChildren();
    }
  }

  socket.addEventListener('state', (event) => render(event.detail));
  socket.addEventListener('push', (event) => {
    if (event.detail.t === 'bye') restarting = true;
  });
  const offLocale = onLocaleChange(() => render(last));
  render(last);
  return () => {
    clearInterval(timer);
    offLocale();
  };
}
