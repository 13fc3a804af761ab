// What of the page is visible above a phone's on-screen keyboard. Chromium with
// `interactive-widget=resizes-content` (index.html) shrinks the page itself; Safari keeps
// the page and shrinks only window.visualViewport, so its keyboard becomes --kb (px, on
// <html>), which layout.css takes off the height of a circle's page. A chat log that was at
// its newest message stays there when the page gets shorter (the keyboard opens).
// `keyboard-open` on <html> (the tab bar gives its room to the conversation): a keyboard
// over the page, or a page that got much shorter than it was at this width while a text
// box has the focus (Chromium's resized page).

const OPEN_AT = 80; // px: less than this is a toolbar showing or hiding, not a keyboard
const SHRUNK_BY = 150; // px: a page this much shorter, with a text box focused, has a keyboard

/**
 * The keyboard's height in px: what of the page (innerHeight) the visual viewport does not
 * show below itself. Zoomed in with two fingers the visual viewport is smaller too: that is
 * no keyboard.
 */
export function keyboardInset(innerHeight, vv) {
  if (!vv || vv.scale > 1.01) return 0;
  return Math.max(0, Math.round(innerHeight - vv.height - vv.offsetTop));
}

/** A keyboard over the page, or a page shrunk by one while typing. */
export function keyboardOpen({ inset, height, tallest, typing }) {
  return inset > OPEN_AT || (typing && tallest - height > SHRUNK_BY);
}

function typingIn(el) {
  if (!el) return false;
  if (el.tagName === 'TEXTAREA' || el.isContentEditable) return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit', 'range', 'file', 'color'].includes(el.type);
}

export function watchViewport() {
  const root = document.documentElement;
  const vv = window.visualViewport;
  const atBottom = new WeakMap(); // a chat log → it was at its newest message when last scrolled
  const tallest = new Map(); // page width → the tallest page seen at that width

  function onScroll(event) {
    const log = event.target;
    if (!(log instanceof Element) || log.getAttribute('data-testid') !== 'chat-log') return;
    atBottom.set(log, log.scrollHeight - log.scrollTop - log.clientHeight < 80);
  }

  function update() {
    const inset = keyboardInset(window.innerHeight, vv);
    root.style.setProperty('--kb', `${inset}px`);
    const width = window.innerWidth;
    const height = window.innerHeight;
    if (!tallest.has(width) || height > tallest.get(width)) tallest.set(width, height);
    const open = keyboardOpen({ inset, height, tallest: tallest.get(width), typing: typingIn(document.activeElement) });
    root.classList.toggle('keyboard-open', open);
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
  document.addEventListener('focusin', update);
  document.addEventListener('focusout', update);
  update();
  return () => {
    document.removeEventListener('scroll', onScroll, true);
    window.removeEventListener('resize', update);
    vv?.removeEventListener('resize', update);
    vv?.removeEventListener('scroll', update);
    document.removeEventListener('focusin', update);
    document.removeEventListener('focusout', update);
    root.style.removeProperty('--kb');
    root.classList.remove('keyboard-open');
  };
}
