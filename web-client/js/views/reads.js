// "Read by N" under one's own messages in a chat (a group; general's id is the circle's),
// from the members' read markers (store/reads.js: GET /groups/{id}/reads, then `read`
// pushes); a click lists who has and who has not read it, by name. Groups beyond the
// server's size for read counts (409) show nothing.

import * as api from '../api.js';
import { fill, h } from '../dom.js';
import { formatList, t } from '../i18n.js';
import * as reads from '../store/reads.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

const TEXT = {
  readBy: (n) => t('chat.readBy', { count: n }),
  readers: () => t('chat.readers'),
  notYet: () => t('chat.notReadYet'),
  nobody: () => t('chat.nobody'),
  loading: () => t('chat.loadingNames'),
  showWho: () => t('chat.showReaders'),
};

export function readsTracker(circleId, chat, list) {
  const open = new Set(); // seqs whose list of readers is shown
  let closed = false;

  async function load() {
    try {
      const { reads: markers, members } = await api.groupReads(chat);
      if (!closed) reads.setReads(chat, markers, members);
    } catch (err) {
      if (!closed && err.code === 'conflict') reads.turnOff(chat);
    }
  }

  async function loadNames() {
    const box = reads.readsOf(chat);
    if (box.names) return;
    box.names = new Map(); // asked once
    const names = new Map();
    try {
      let cursor;
      do {
        const page = chat === circleId ? await api.members(circleId, cursor) : await api.groupMembers(chat, cursor);
        for (const m of page.members || []) names.set(m.user, m.nickname || m.name);
        cursor = page.next;
      } while (cursor && !closed);
    } catch {
      box.names = null; // try again on the next click
      return;
    }
    if (!closed) reads.setNames(chat, names);
  }

  function whoList(seq) {
    const box = reads.readsOf(chat);
    const me = state.session.user ? state.session.user.id : null;
    const readers = new Set(reads.readersOf(chat, seq));
    const everyone = new Set([...box.markers.keys(), ...(box.names ? box.names.keys() : [])]);
    everyone.delete(me);
    const name = (user) => (box.names && box.names.get(user)) || user;
    const has = [...everyone].filter((u) => readers.has(u)).map(name).sort();
    const not = [...everyone].filter((u) => !readers.has(u)).map(name).sort();
    return h('div', { class: 'read-who', testid: 'read-who' },
      !box.names || box.names.size === 0 ? h('p', { class: 'muted small', text: TEXT.loading() }) : null,
      h('p', { class: 'small' }, h('strong', { text: `${TEXT.readers()}${t('chat.colon')}` }),
        h('span', { testid: 'read-who-has', text: has.length ? formatList(has) : TEXT.nobody() })),
      h('p', { class: 'small' }, h('strong', { text: `${TEXT.notYet()}${t('chat.colon')}` }),
        h('span', { testid: 'read-who-not', text: not.length ? formatList(not) : TEXT.nobody() })));
  }

  function draw(box, seq) {
    const info = reads.readsOf(chat);
    const count = reads.readersOf(chat, seq).length;
    box.hidden = info.off || count === 0;
    const button = h('button', {
      type: 'button', class: 'link read-by', testid: 'read-by', text: TEXT.readBy(count),
      title: TEXT.showWho(), 'aria-expanded': open.has(seq) ? 'true' : 'false',
      onclick: () => {
        if (open.has(seq)) open.delete(seq);
        else {
          open.add(seq);
          loadNames();
        }
        draw(box, seq);
      },
    });
    fill(box, button, open.has(seq) ? whoList(seq) : null);
  }

  /** The line under an own message (messageEl's `readBy` hook). */
  function readBy(message) {
    const box = h('div', { class: 'read-by-box', testid: 'read-by-box', dataset: { readSeq: String(message.seq) } });
    draw(box, message.seq);
    return box;
  }

  function refresh() {
    for (const box of list.querySelectorAll('[data-testid="read-by-box"]')) draw(box, Number(box.dataset.readSeq));
  }

  const off = state.on(EV.readsChanged, (d) => d.chat === chat && refresh());
  load();
  return {
    readBy,
    reload: load, // after a reconnect: pushes may have been missed
    destroy() {
      closed = true;
      off();
    },
  };
}
