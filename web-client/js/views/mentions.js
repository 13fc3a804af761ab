// Mentions as the server stored them with a message, post or comment (`mentions`:
// [{id, name}] and {all: true, name} for @all; store/mentions.py): each "@name" in the
// text drawn highlighted, "me" when it names the reader (or everyone). Never markup: the
// names are text nodes in <span>s.

import { h } from '../dom.js';
import * as state from '../store/state.js';

/** The pieces (strings and elements, as richText gives them) with each @name of
 *  `mentions` in a <span class="mention">. */
export function withMentions(parts, mentions) {
  if (!mentions || !mentions.length) return parts;
  const me = state.session.user && state.session.user.id;
  const names = mentions
    .map((m) => ({ at: `@${m.name}`, mine: Boolean(m.all) || m.id === me }))
    .sort((a, b) => b.at.length - a.at.length); // the longest name first ("Emma Li" before "Emma")
  const out = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      out.push(part);
      continue;
    }
    let rest = part;
    while (rest) {
      let found = null;
      for (const name of names) {
        const i = rest.toLowerCase().indexOf(name.at.toLowerCase());
        const at = i < 0 ? rest.indexOf(name.at.replace('@', '\uff20')) : i;
        if (at >= 0 && (!found || at < found.at)) found = { at, name };
      }
      if (!found) {
        out.push(rest);
        break;
      }
      if (found.at) out.push(rest.slice(0, found.at));
      const shown = rest.slice(found.at, found.at + found.name.at.length);
      out.push(h('span', {
        class: `mention${found.name.mine ? ' mention-me' : ''}`, testid: 'mention', 'data-user-text': '', text: shown,
      }));
      rest = rest.slice(found.at + found.name.at.length);
    }
  }
  return out;
}

/** A paragraph of someone's text with its mentions (posts, comments). */
export function mentionedText(tag, text, mentions, props = {}) {
  return h(tag, { ...props, 'data-user-text': '' }, withMentions([String(text == null ? '' : text)], mentions));
}
