// @ completion by circle nickname, in the chat composer and the comment box: typing "@"
// and the start of a name lists the circle's members whose name matches (the server's
// member search, Chinese names too); ↑/↓ choose, Enter or Tab (or a click) puts "@name "
// in the text. Owners and admins are offered @所有人 / @all too. Nothing happens while an
// input method composes (pinyin…): the list follows the text once the composition ends,
// and an Enter that picks a candidate never picks a member.

import * as api from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as state from '../store/state.js';

// "@" at the start or after anything but an ASCII letter or digit (an e-mail address is no
// mention: store/mentions.py), then the name typed so far.
const TYPED = /(?:^|[^A-Za-z0-9_.+-])[@\uff20]([^\s@\uff20]{0,32})$/u;
const SHOWN_MAX = 8;

/** The query being typed before the caret ("" just after "@"), or null when none. */
export function typedQuery(text, caret) {
  const match = TYPED.exec(text.slice(0, caret));
  return match ? match[1] : null;
}

export function attachMentions(input, circleId) {
  const list = h('ul', { class: 'mention-list', testid: 'mention-list', role: 'listbox', 'aria-label': t('mention.list'), hidden: true });
  let options = [];
  let chosen = 0;
  let composing = false;
  let asked = 0;
  const cache = new Map(); // query → member names

  async function namesFor(query) {
    if (cache.has(query)) return cache.get(query);
    const { members } = await api.members(circleId, undefined, query || undefined);
    const me = state.session.user && state.session.user.id;
    const names = [...new Set(members.filter((m) => m.user !== me).map((m) => m.name))];
    cache.set(query, names);
    return names;
  }

  async function update() {
    if (composing) return;
    const query = typedQuery(input.value, input.selectionStart ?? input.value.length);
    if (query == null) {
      hide();
      return;
    }
    const ticket = ++asked;
    let names;
    try {
      names = await namesFor(query);
    } catch {
      return;
    }
    if (ticket !== asked) return; // typed on meanwhile
    const lower = query.toLowerCase();
    options = names.filter((n) => n.toLowerCase().includes(lower)).slice(0, SHOWN_MAX);
    if (state.isManager(circleId)) {
      options.push(...['所有人', 'all'].filter((word) => word.startsWith(lower) || !query));
    }
    chosen = 0;
    draw();
  }

  function draw() {
    list.replaceChildren(...options.map((name, i) => h('li', { role: 'option', 'aria-selected': String(i === chosen) },
      h('button', {
        type: 'button', tabindex: '-1', testid: 'mention-option', 'data-user-text': '', text: `@${name}`,
        onmousedown: (event) => event.preventDefault(), // keep the caret in the input
        onclick: () => pick(name),
      }))));
    list.hidden = !options.length;
  }

  function hide() {
    options = [];
    list.hidden = true;
  }

  function pick(name) {
    const caret = input.selectionStart ?? input.value.length;
    const before = input.value.slice(0, caret);
    const at = Math.max(before.lastIndexOf('@'), before.lastIndexOf('\uff20'));
    const inserted = `@${name} `;
    input.value = before.slice(0, at) + inserted + input.value.slice(caret);
    const to = at + inserted.length;
    input.setSelectionRange(to, to);
    hide();
    input.dispatchEvent(new Event('input', { bubbles: true })); // drafts keep it
    input.focus();
  }

  input.addEventListener('compositionstart', () => { composing = true; });
  input.addEventListener('compositionend', () => {
    composing = false;
    update();
  });
  input.addEventListener('input', (event) => {
    if (!event.isComposing) update();
  });
  input.addEventListener('blur', () => setTimeout(hide, 150));
  // A view drawn again (a comment arrived) hands focus to the new input: the list follows.
  input.addEventListener('focus', () => update());
  // Before the composer's own Enter (capturing listeners on the target run first).
  input.addEventListener('keydown', (event) => {
    if (list.hidden || event.isComposing || event.keyCode === 229 || composing) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      chosen = (chosen + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
      draw();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      pick(options[chosen]);
    } else if (event.key === 'Escape') {
      hide();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, { capture: true });
  return list;
}
