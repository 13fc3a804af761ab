// A search field that asks as the person types: after a pause (debounced), and never in
// the middle of an IME composition (pinyin: the letters typed are not yet the word).

import { h } from '../dom.js';

const PAUSE_MS = 300;

/** A search input; onSearch(text) after each pause in typing, with the trimmed text. */
export function searchBox({ label, testid, onSearch }) {
  const input = h('input', {
    type: 'search', testid, placeholder: label, 'aria-label': label, autocomplete: 'off', maxlength: '64',
  });
  let composing = false;
  let timer = null;
  let asked = '';
  const ask = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const text = input.value.trim();
      if (composing || text === asked) return;
      asked = text;
      onSearch(text);
    }, PAUSE_MS);
  };
  input.addEventListener('compositionstart', () => { composing = true; clearTimeout(timer); });
  input.addEventListener('compositionend', () => { composing = false; ask(); });
  input.addEventListener('input', (event) => { if (!event.isComposing && !composing) ask(); });
  return input;
}
