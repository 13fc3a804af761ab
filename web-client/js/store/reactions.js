// Emoji reactions on chat messages and posts: per target, each emoji's count and whether
// it is mine, in the order the emoji were first given. A target is {group, seq} (a chat
// message; a circle's general group has the circle's id) or {post}. Counts come from the
// server — a range of a group's messages (GET /groups/{id}/reactions), a post's
// `reactions` in the feed — and are kept current by `reaction.changed` events, which say
// the emoji's total count: applying one twice changes nothing. Changes are announced with
// state.emit(EV.reactionsChanged, {key}) (store/names.js).

import * as api from '../api.js';
import { EV } from './names.js';
import * as state from './state.js';

// The server reads at most 500 seqs of a group per request.
const RANGE_MAX = 500;

const targets = new Map(); // key → Map(emoji → {count, mine})
const loaded = new Set(); // keys whose counts came from the server (or are being fetched)
const wanted = new Map(); // group id → Set(seq) to fetch in the next batch
const seeded = new WeakSet(); // posts' `reactions` lists already taken in
// Changes applied per key and emoji (events, my own toggles): for an emoji changed while a
// fetch was on its way, the fetch's answer is older than what the page knows.
const changes = new Map(); // key → Map(emoji → count of changes applied)
let batchQueued = false;

export function keyOf(target) {
  return target.post != null ? `p:${target.post}` : `m:${target.group}:${target.seq}`;
}

/** [{emoji, count, mine}] of a target, in order (empty when none or not known yet). */
export function reactionsOf(target) {
  const entry = targets.get(keyOf(target));
  if (!entry) return [];
  return [...entry].map(([emoji, { count, mine }]) => ({ emoji, count, mine }));
}

export function mineOf(target, emoji) {
  const entry = targets.get(keyOf(target));
  return Boolean(entry && entry.get(emoji) && entry.get(emoji).mine);
}

function changesOf(key) {
  return new Map(changes.get(key) || []);
}

/**
 * The server's counts of a target; `since` (changesOf before the request) keeps the emoji
 * that events changed after the request was sent as the events left them.
 */
function put(key, list, since = null) {
  const entry = new Map();
  for (const item of list || []) {
    if (item.count > 0) entry.set(item.emoji, { count: item.count, mine: Boolean(item.mine) });
  }
  const live = targets.get(key);
  for (const [emoji, n] of changes.get(key) || []) {
    if (!since || (since.get(emoji) || 0) === n) continue;
    const known = live && live.get(emoji);
    if (known) entry.set(emoji, known);
    else entry.delete(emoji);
  }
  targets.set(key, entry);
  loaded.add(key);
  state.emit(EV.reactionsChanged, { key });
}

/** A post's counts as the server sent them with the post (the feed, GET /posts/{id}). */
export function seedPost(post) {
  if (!post || post.deleted || !Array.isArray(post.reactions) || seeded.has(post.reactions)) return;
  // Each answer's list once: a post re-rendered keeps what events made of it since.
  seeded.add(post.reactions);
  put(keyOf({ post: post.id }), post.reactions);
}

/** Fetch the counts of this message unless known: seqs asked for together go in one request. */
export function want(group, seq) {
  if (!group || !seq || loaded.has(keyOf({ group, seq }))) return;
  loaded.add(keyOf({ group, seq }));
  if (!wanted.has(group)) wanted.set(group, new Set());
  wanted.get(group).add(seq);
  if (batchQueued) return;
  batchQueued = true;
  setTimeout(fetchWanted, 0);
}

async function fetchWanted() {
  batchQueued = false;
  const batches = [...wanted];
  wanted.clear();
  for (const [group, seqSet] of batches) {
    const seqs = [...seqSet].sort((a, b) => a - b);
    while (seqs.length) {
      const from = seqs[0];
      const chunk = [];
      while (seqs.length && seqs[0] - from < RANGE_MAX) chunk.push(seqs.shift());
      const to = chunk[chunk.length - 1];
      const asked = new Map(chunk.map((seq) => [seq, changesOf(keyOf({ group, seq }))]));
      try {
        const page = await api.groupReactions(group, from, to);
        const found = new Map((page.messages || []).map((m) => [m.seq, m.reactions]));
        // Seqs the range covered without reactions have none: only the ones asked for.
        for (const seq of chunk) {
          const key = keyOf({ group, seq });
          if (found.has(seq) || targets.has(key)) put(key, found.get(seq) || [], asked.get(seq));
        }
      } catch {
        // Not readable (left the group) or offline: asked again when shown again.
        for (const seq of chunk) loaded.delete(keyOf({ group, seq }));
      }
    }
  }
}

/** A `reaction.changed` event: `count` is the emoji's total on the target now. */
export function applyChange(ev, myId) {
  const target = ev.target || {};
  const key = keyOf(target);
  if (!targets.has(key)) targets.set(key, new Map());
  const entry = targets.get(key);
  const before = entry.get(ev.emoji);
  const mine = ev.user === myId ? Boolean(ev.on) : Boolean(before && before.mine);
  if (!changes.has(key)) changes.set(key, new Map());
  changes.get(key).set(ev.emoji, (changes.get(key).get(ev.emoji) || 0) + 1);
  if (ev.count > 0) entry.set(ev.emoji, { count: ev.count, mine });
  else entry.delete(ev.emoji);
  state.emit(EV.reactionsChanged, { key });
}

/** Give or withdraw mine; the answer's count is applied at once (the event follows). */
export async function toggle(target, emoji) {
  const on = !mineOf(target, emoji);
  const result = await api.react(target, emoji, on);
  const myId = state.session.user ? state.session.user.id : null;
  applyChange({ target, emoji, user: myId, on: result.mine, count: result.count }, myId);
  return result;
}

/** Who reacted with what: [{emoji, count, users: [{id, name}]}]. */
export async function whoReacted(target) {
  const page = await api.reactedBy(target);
  return page.reactions || [];
}
