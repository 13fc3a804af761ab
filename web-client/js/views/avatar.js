// A person's (or a circle's) picture: the uploaded one when there is one (`avatar`, a URL),
// else letters generated from the name on a colour taken from the id — the last two
// characters of a Chinese name (云妮 of 张云妮, as chat apps show it), the initials of a
// Latin one. Decorative next to the name it stands for: hidden from screen readers.

import { h } from '../dom.js';

const COLOURS = 8; // .avatar.c0 … .c7 in styles.css (the page's CSP allows no style attributes)
const HAN = /\p{Script=Han}/u;

/** The letters an avatar shows for `name`: '云妮' for 张云妮, 'AL' for Ann Lee, 'A' for ann. */
export function initials(name) {
  const chars = [...String(name || '').trim()];
  if (!chars.length) return '?';
  if (chars.some((c) => HAN.test(c))) return chars.filter((c) => !/\s/.test(c)).slice(-2).join('');
  const words = chars.join('').split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]].map((w) => [...w][0]) : [[...words[0]][0]];
  return letters.join('').toUpperCase();
}

/** A colour class for `key` (a user's or circle's id): the same one every time, on every page. */
export function colourOf(key) {
  let hash = 0;
  for (const c of String(key || '')) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return `c${hash % COLOURS}`;
}

/** avatarEl({ id, name, avatar? }, { size: 'sm' | 'md' | 'lg' }) */
export function avatarEl(who, { size = 'md' } = {}) {
  const { id, name, avatar } = who || {};
  if (avatar) {
    return h('img', { class: `avatar ${size}`, src: avatar, alt: '', 'aria-hidden': 'true', loading: 'lazy', decoding: 'async' });
  }
  const text = initials(name);
  return h('span', {
    class: `avatar ${size} ${colourOf(id || name)}${[...text].length > 1 ? ' two' : ''}`,
    'aria-hidden': 'true',
    text,
  });
}
