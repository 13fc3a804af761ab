// A panel that draws itself from the server, again whenever a live event says its data
// moved (the course, homework, challenges, contests, events): the newest show() wins over
// an older answer that comes back later, an error takes the panel's place, a burst of
// events reloads it once (a show() in the meantime makes it needless) — never while the
// member is typing in it or uploading into it —
// and the upload trays of one drawing are let go when the next replaces it.

import { busy, fill, h } from '../dom.js';
import { errorText } from '../i18n.js';

export const RELOAD_MS = 150;

/** `load(mine)` fetches and calls `draw(mine, …)`; `onError()` runs before an error is
 * shown. Returns the panel's controls: show, draw, current, keep, reloadSoon, stop. */
export function redrawing(body, load, { reloadMs = RELOAD_MS, onError = () => {} } = {}) {
  let shownAt = 0;
  let timer = null;
  let trays = [];

  const current = (mine) => mine === shownAt;

  function show() {
    // What it loads is newer than any event that asked for a reload before it.
    clearTimeout(timer);
    const mine = ++shownAt;
    return busy(null, () => load(mine)).catch((err) => {
      if (!current(mine)) return;
      onError();
      body.replaceChildren(h('p', { class: 'error', text: errorText(err) }));
    });
  }

  function letGo() {
    for (const tray of trays) tray.clear();
    trays = [];
  }

  /** Draw what show() `mine` loaded, unless a newer one started since; children may be
   * functions, called once the previous drawing (and its trays) are gone. */
  function draw(mine, ...children) {
    if (!current(mine)) return false;
    letGo();
    fill(body, children.map((child) => (typeof child === 'function' ? child() : child)));
    return true;
  }

  /** A tray of uploads the drawing holds: let go with it, and no reload while it works. */
  function keep(tray) {
    trays.push(tray);
    return tray;
  }

  /** Someone is writing here: a reload would throw it away. */
  function writing() {
    const at = document.activeElement;
    return Boolean(at && body.contains(at) && (at.tagName === 'TEXTAREA' || at.tagName === 'INPUT') && at.value);
  }

  function reloadSoon() {
    clearTimeout(timer);
    timer = setTimeout(() => (writing() || trays.some((tray) => tray.busy()) ? reloadSoon() : show()), reloadMs);
  }

  function stop() {
    clearTimeout(timer);
    letGo();
  }

  return { show, draw, current, keep, reloadSoon, stop };
}
