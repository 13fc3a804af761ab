// What of the page is visible above a phone's on-screen keyboard. Chromium with
// `interactive-widget=resizes-content` (index.html) shrinks the page itself; Safari keeps
// the page and shrinks only window.visualViewport, so its keyboard becomes --kb (px, on
// <html>), which layout.css takes off the height of a circle's page. A chat log that was at
// its newest message stays there when the page gets shorter (the keyboard opens).

const OPEN_AT = 80; // px: less than this is a toolbar showing or hiding, not a keyboard

/**
 * The keyboard's height in px: what of the page (innerHeight) the visual viewport does not
 * show below itself. Zoomed in with two fingers the visual viewport is smaller too: that is
 * no keyboard.
 */
export function keyboardInset(innerHeight, vv) {
  if (!vv || vv.scale > 1.01) return 0;
  return Math.max(0, Math.round(innerHeight - vv.height - vv.offsetTop));
}

export function watchViewport() {
  const root = document.documentElement;
  const vv = window.visualViewport;
  const atBottom = new WeakMap(); // a chat log → it was at its newest message when last scrolled

  function onScroll(event) {
    const log = event.target;
    if (!(log instanceof Element) || log.getAttribute('data-testid') !== 'chat-log') return;
    atBottom.set(log, log.scrollHeight - log.scrollTop - log.clientHeight < 80);
  }

  function update() {
    const inset = keyboardInset(window.innerHeight, vv);
    root.style.setProperty('--kb', `${inset}px`);
    root.classList.toggle('keyboard-open', inset > OPEN_AT);
    requestAnimationFrame(stick);
  }

  function stick() {
    for (const log of document.querySelectorAll('[data-testid="chat-log"]')) {
      if (atBottom.get(log) !== false) log.scrollTop = log.scrollHeight;
    }
  }

  document.addEventListener('scroll', onScroll, true);
  window.addEventListener('resize', update);
  vv?.addEventListener('resize', update);
  vv?.addEventListener('scroll', update);
  update();
  return () => {
    document.removeEventListener('scroll', onScroll, true);
    window.removeEventListener('resize', update);
    vv?.removeEventListener('resize', update);
    vv?.removeEventListener('scroll', update);
    root.style.removeProperty('--kb');
    root.classList.remove('keyboard-open');
  };
}
