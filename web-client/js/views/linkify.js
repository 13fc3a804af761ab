// A message's text as DOM nodes: web addresses (http and https only) become links that
// open in a new tab without telling the linked page where they came from; everything else
// stays a Text node. And whether a message is nothing but one to three emoji (shown large).

import { h } from '../dom.js';

// An address runs over printable ASCII: Chinese text right after it ("…/x谢谢") is not part of it.
const URL_RE = /\bhttps?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;
const TRAILING = /[.,;:!?'"\]}>*]+$/;

/** The address with the punctuation that ends a sentence around it taken off. */
function trim(raw) {
  let url = raw.replace(TRAILING, '');
  // A closing parenthesis belongs to the address only if it opened one: "(see https://a.b/c)".
  while (url.endsWith(')') && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
    url = url.slice(0, -1).replace(TRAILING, '');
  }
  return url;
}

/** A safe link for `text`, or null when it is no http(s) address. */
export function safeHref(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** The text as a list of strings and <a> elements (never markup). */
export function richText(text) {
  const out = [];
  const source = String(text || '');
  let last = 0;
  for (const match of source.matchAll(URL_RE)) {
    const url = trim(match[0]);
    const href = safeHref(url);
    if (!href || url.length < 10) continue;
    if (match.index > last) out.push(source.slice(last, match.index));
    out.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'msg-link', text: url }));
    last = match.index + url.length;
  }
  if (last < source.length) out.push(source.slice(last));
  return out;
}

const PICTURE = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const NOT_EMOJI = /[\p{L}\p{N}\p{P}]/u;

/** The number of emoji when the text is only emoji (and spaces), else 0. */
export function emojiCount(text) {
  const source = String(text || '').trim();
  if (!source || source.length > 60) return 0;
  const clusters = typeof Intl !== 'undefined' && Intl.Segmenter
    ? [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(source)].map((s) => s.segment)
    : [...source];
  let count = 0;
  for (const cluster of clusters) {
    if (/^\s+$/u.test(cluster)) continue;
    if (!PICTURE.test(cluster) || NOT_EMOJI.test(cluster.replace(/[\u200d\ufe0f\u20e3]/gu, ''))) return 0;
    count += 1;
  }
  return count;
}

/** 1–3 emoji and nothing else: shown large. */
export function isEmojiOnly(text) {
  const n = emojiCount(text);
  return n >= 1 && n <= 3;
}
