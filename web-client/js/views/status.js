// The small status line in the top bar: connecting, offline (with a countdown and a
// "Retry now" button), reconnecting, or live.

import { fill, h } from '../dom.js';

export function statusLine(el, socket) {
  let timer = null;
  let restarting = false;

  function render(detail) {
    clearInterval(timer);
    const { state, retryAt, reason, final } = detail;
    el.dataset.state = state;
    const retry = h('button', { type: 'button', class: 'link', testid: 'retry-now', text: final ? 'Reconnect' : 'Retry now', onclick: () => socket.retryNow() });
    if (state === 'online') {
      restarting = false;
      el.replaceChildren(h('span', { class: 'dot live', 'aria-hidden': 'true' }), h('span', { class: 'label', text: 'Live' }));
    } else if (state === 'connecting') {
      el.replaceChildren(h('span', { text: 'Connecting…' }));
    } else if (state === 'reconnecting') {
      el.replaceChildren(h('span', { text: restarting ? 'Server restarting — reconnecting…' : 'Reconnecting…' }));
    } else if (state === 'offline' && retryAt) {
      const label = h('span');
      const tick = () => {
        const left = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
        label.textContent = `${restarting ? 'Server restarting' : 'Offline'} — reconnecting${left > 0 ? ` in ${left} s` : '…'}`;
      };
      tick();
      timer = setInterval(tick, 500);
      el.replaceChildren(label, ' ', retry);
    } else if (state === 'offline') {
      fill(el, h('span', { text: reason || 'Offline' }), final ? ' ' : null, final ? retry : null);
    } else {
      el.replaceChildren();
    }
  }

  socket.addEventListener('state', (event) => render(event.detail));
  socket.addEventListener('push', (event) => {
    if (event.detail.t === 'bye') restarting = true;
  });
  render({ state: socket.state });
  return () => clearInterval(timer);
}
