import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyboardInset, keyboardOpen } from '../../web-client/js/viewport.js';

test('a keyboard over the page is the height the visual viewport leaves below itself', () => {
  // Safari: the page stays 740 px tall, the keyboard takes 320 of it.
  assert.equal(keyboardInset(740, { height: 420, offsetTop: 0, scale: 1 }), 320);
  // Scrolled so the focused box is in sight: the part above does not count.
  assert.equal(keyboardInset(740, { height: 420, offsetTop: 100, scale: 1 }), 220);
});

test('no keyboard: a page that shrinks itself, no visual viewport, or a pinch zoom', () => {
  // Chromium with interactive-widget=resizes-content: the page itself is shorter.
  assert.equal(keyboardInset(420, { height: 420, offsetTop: 0, scale: 1 }), 0);
  assert.equal(keyboardInset(740, null), 0);
  assert.equal(keyboardInset(740, { height: 370, offsetTop: 0, scale: 2 }), 0);
  assert.equal(keyboardInset(740, { height: 740.4, offsetTop: 0, scale: 1 }), 0);
});

test('the keyboard is open when it covers the page, or the page shrank while typing', () => {
  assert.equal(keyboardOpen({ inset: 320, height: 740, tallest: 740, typing: true }), true);
  assert.equal(keyboardOpen({ inset: 0, height: 420, tallest: 740, typing: true }), true);
  // Shorter, but nobody is typing: a window made smaller, a toolbar.
  assert.equal(keyboardOpen({ inset: 0, height: 420, tallest: 740, typing: false }), false);
  assert.equal(keyboardOpen({ inset: 56, height: 684, tallest: 740, typing: true }), false);
});
