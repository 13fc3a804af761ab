// What people wrote (names, posts, comments, codes) set apart from the client's own words:
// marked data-user-text, so the language checks of the browser tests know a "Bob" or an
// English post is not an untranslated label, and so a sentence of the catalogue can hold a
// name without the name ever being parsed as markup.

import { h } from '../dom.js';
import { t } from '../i18n.js';

/** An element holding text someone wrote: userText('span', 'Bob', {class: 'author'}). */
export function userText(tag, text, props = {}) {
  return h(tag, { ...props, 'data-user-text': '', text: text == null ? '' : String(text) });
}

/**
 * A catalogue sentence as nodes, with `{name}` placeholders filled by nodes (or strings):
 * sentence('posts.highlightedBy', {name: userText('span', 'Ann')}) → ['Highlighted by ', <span>].
 * Placeholders given as plain values are formatted by t() as usual.
 */
export function sentence(key, params = {}) {
  const nodes = {};
  const plain = {};
  for (const [name, value] of Object.entries(params)) {
    if (value instanceof Node) nodes[name] = value;
    else plain[name] = value;
  }
  const text = t(key, plain); // node placeholders stay as {name}
  const parts = [];
  let at = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    if (!(match[1] in nodes)) continue;
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push(nodes[match[1]]);
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
