// The composer's emoji picker: a button that opens a small grid of common emoji; a click
// (or Enter/Space) puts one at the caret. The grid is one Tab stop: arrow keys, Home and End
// move inside it, Escape closes it and gives the focus back to the button.

import { h } from '../dom.js';
import { t } from '../i18n.js';

export const EMOJI = [
  '😀', '😂', '😊', '😍', '🤔', '😮', '😢', '😅',
  '👍', '👏', '🙏', '💪', '👌', '🤝', '🙌', '👋',
  '❤️', '🎉', '🌹', '🔥', '⭐', '✅', '☕', '🍵',
  '📚', '✏️', '📅', '⏰', '🏫', '⚽', '🎵', '🌞',
];
const COLUMNS = 8;

/** insert(emoji) puts it into the composer. Returns {button, panel, close}. */
export function emojiPicker(insert) {
  const cells = EMOJI.map((emoji, index) => h('button', {
    type: 'button', class: 'emoji-cell', testid: 'emoji-cell', dataset: { emoji },
    tabindex: index === 0 ? '0' : '-1', 'aria-label': emoji, text: emoji,
    onclick: () => {
      insert(emoji);
      close(false);
    },
  }));
  const panel = h('div', {
    class: 'emoji-panel', testid: 'emoji-panel', role: 'group', 'aria-label': t('chat.emojiPanel'), hidden: true,
  }, cells);
  const button = h('button', {
    type: 'button', class: 'emoji-open', testid: 'emoji-open', text: '😊',
    'aria-label': t('chat.emojiOpen'), title: t('chat.emojiOpen'), 'aria-expanded': 'false',
    onclick: () => (panel.hidden ? open() : close(true)),
  });

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    (cells.find((c) => c.tabIndex === 0) || cells[0]).focus();
    document.addEventListener('pointerdown', outside, true);
  }

  function close(refocus) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (refocus) button.focus();
  }

  function outside(event) {
    if (!panel.contains(event.target) && !button.contains(event.target)) close(false);
  }

  panel.addEventListener('keydown', (event) => {
    const index = cells.indexOf(document.activeElement);
    const moves = {
      ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS,
      Home: -Infinity, End: Infinity,
    };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    if (!(event.key in moves) || index < 0) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(cells.length - 1, index + moves[event.key]));
    cells[index].tabIndex = -1;
    cells[next].tabIndex = 0;
    cells[next].focus();
  });

  return { button, panel, close: () => close(false) };
}
