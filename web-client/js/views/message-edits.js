// Taking a chat message back and changing it: the menu's 撤回/Recall (own, within the
// server's recall_window_s), 编辑/Edit (own, within edit_window_s; inline) and 删除/Delete
// (owners and admins, after a confirm); a tombstone's line ("你撤回了一条消息", "该消息已被管理员
// 删除") and the "(edited)" mark. The calls are chat.js's handlers (they go through actions.js).

import { h } from '../dom.js';
import { personName, t } from '../i18n.js';
import * as state from '../store/state.js';

/** Whether the message is still inside the window (welcome's limits: seconds). */
export function within(message, limit) {
  const seconds = Number(state.limits[limit]);
  return Boolean(message.ts) && Date.now() - message.ts < seconds * 1000;
}

/** The menu's recall / edit / delete buttons this user may use on this message. */
export function editButtons(circleId, message, actions, { mine, poll }) {
  const buttons = [];
  const recall = mine && within(message, 'recall_window_s');
  if (recall && actions.recall) {
    buttons.push(h('button', {
      type: 'button', class: 'recall', testid: 'recall-btn', text: t('chat.recall'),
      onclick: (event) => actions.recall(message.seq, event.currentTarget),
    }));
  }
  if (mine && !poll && within(message, 'edit_window_s') && actions.edit) {
    buttons.push(h('button', {
      type: 'button', class: 'edit', testid: 'edit-btn', text: t('common.edit'),
      onclick: () => actions.edit(message.seq),
    }));
  }
  if (!recall && state.isManager(circleId) && actions.remove) {
    buttons.push(h('button', {
      type: 'button', class: 'delete', testid: 'delete-btn', text: t('common.delete'),
      onclick: (event) => {
        if (window.confirm(t('chat.deleteAsk'))) actions.remove(message.seq, event.currentTarget);
      },
    }));
  }
  return buttons;
}

/** A recalled or deleted message: one quiet line in its place. */
export function tombstoneEl(message, mine) {
  let text = t('chat.deletedByAdmin');
  if (message.deleted === 'author') {
    text = mine ? t('chat.youRecalled') : t('chat.recalled', { name: message.from ? personName(message.from.name) : '?' });
  } else if (message.deleted === 'account') {
    text = t('chat.deletedUser'); // its author deleted their account
  }
  return h('li', {
    class: 'msg tombstone',
    testid: 'msg',
    tabindex: '-1',
    dataset: {
      seq: String(message.seq), order: String(message.seq), nonce: message.nonce || '', state: 'sent',
      from: message.from ? message.from.id : '', ts: String(message.ts || 0), deleted: message.deleted,
    },
  }, h('p', { class: 'tombstone-text', testid: 'msg-tombstone', text }));
}

/** "(edited)" after an edited message's text. */
export function editedMark(message) {
  return message.edited ? h('span', { class: 'tag muted', testid: 'msg-edited', text: t('chat.edited') }) : null;
}

/**
 * Edit the message's text in place: a textarea with Save and Cancel in the item's text line.
 * `save(text)` resolves when stored (the store redraws the message); cancel puts it back.
 */
export function editInline(item, message, save) {
  const line = item.querySelector('.msg-line');
  if (!line || item.querySelector('[data-testid="edit-form"]')) return;
  const before = [...line.childNodes];
  const input = h('textarea', {
    class: 'edit-input', testid: 'edit-input', rows: '2', 'aria-label': t('chat.editLabel'),
    maxlength: String(state.maxTextChars()),
  });
  input.value = message.text;
  const restore = () => line.replaceChildren(...before);
  const form = h('form', {
    class: 'edit-form', testid: 'edit-form',
    onsubmit: async (event) => {
      event.preventDefault();
      const text = input.value;
      if (!text.trim() || text === message.text) {
        restore();
        return;
      }
      if (await save(text, form.querySelector('[type="submit"]')) === false) return;
      if (line.isConnected) restore();
    },
  },
  input,
  h('div', { class: 'edit-buttons' },
    h('button', { type: 'submit', testid: 'edit-save', text: t('common.save') }),
    h('button', { type: 'button', class: 'link', testid: 'edit-cancel', text: t('common.cancel'), onclick: restore })));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      restore();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  line.replaceChildren(form);
  input.focus();
}
