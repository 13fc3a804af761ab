// What the client knows: the session, the user's circles (and the full map of each circle
// opened), each open circle's chat (messages by seq — the dedupe key — and own messages
// still pending by nonce) and its posts. Comments, receipts and members live beside it
// (comments.js, receipts.js, members.js); store/events.js applies a circle's events to all.
// Views subscribe with on(EV.…, fn) (store/names.js: the names and what each carries);
// every change is announced with emit(EV.…). Nothing here touches the DOM: the store runs
// under Node's test runner too (tests/node/store.test.js).

import { EV, EVENT_NAMES } from './names.js';

const listeners = new Map();

function known(type) {
  if (!EVENT_NAMES.has(type)) console.warn(`store: no event is named ${JSON.stringify(type)} (store/names.js)`);
}

/** Subscribe to a store event (EV.message…); returns the function that unsubscribes. */
export function on(type, fn) {
  known(type);
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

export function emit(type, detail = {}) {
  known(type);
  for (const fn of [...(listeners.get(type) || [])]) {
    try {
      fn(detail);
    } catch (err) {
      console.error(`listener of ${type} failed`, err);
    }
  }
}

// -- session (survives a reload) -------------------------------------------------------

const SESSION_KEY = 'quanzi.session';
// localStorage is the browser's; under Node (tests) there is none unless a test gives one.
const storage = () => (typeof localStorage === 'undefined' ? null : localStorage);
export const session = { token: null, user: null };

export function loadSession() {
  try {
    const saved = JSON.parse((storage() && storage().getItem(SESSION_KEY)) || 'null');
    if (saved && typeof saved.token === 'string') Object.assign(session, saved);
  } catch {
    storage()?.removeItem(SESSION_KEY);
  }
  return Boolean(session.token);
}

export function saveSession(token, user) {
  session.token = token;
  session.user = user;
  storage()?.setItem(SESSION_KEY, JSON.stringify({ token, user }));
}

export function clearSession() {
  session.token = null;
  session.user = null;
  storage()?.removeItem(SESSION_KEY);
  circles.clear();
  infos.clear();
  chats.clear();
  posts.clear();
  emit(EV.sessionCleared);
}

// -- circles ---------------------------------------------------------------------------

/** id → circle of /me/circles (with role, nickname, unread, must_read_pending). */
export const circles = new Map();

// My membership as events said it (role, nickname, mute, term), and when: a list of my
// circles asked for before such an event must not take it back when it comes later.
let membershipClock = 0;
const membershipAt = new Map(); // circle id → membershipClock when an event changed it
const MEMBERSHIP = ['role', 'nickname', 'muted_until', 'ends_at', 'removes_at'];

/** Now, for a list of my circles about to be asked for (setCircles(list, asked)). */
export function membershipNow() {
  return membershipClock;
}

/** My circles (GET /me/circles). `asked`: membershipNow() when it was asked for; what an
 *  event said of my membership in a circle since stays (the answer may predate it). */
export function setCircles(list, asked = Infinity) {
  const before = new Map(circles);
  circles.clear();
  for (const circle of list) {
    const mine = before.get(circle.id);
    const newer = mine && (membershipAt.get(circle.id) ?? -1) > asked;
    circles.set(circle.id, newer ? { ...circle, ...pick(mine, MEMBERSHIP) } : circle);
  }
  emit(EV.circlesChanged);
}

function changedMembership(circleId) {
  membershipClock += 1;
  membershipAt.set(circleId, membershipClock);
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key] ?? null]));
}

/** id → the circle as GET /circles/{id} says (kept current by circle.updated and members). */
const infos = new Map();

export function infoOf(circleId) {
  return infos.get(circleId) || null;
}

/** New facts about a circle (its map, or some fields of it): the page and the list follow. */
export function setCircleInfo(circleId, fields) {
  const info = { ...(infos.get(circleId) || {}), ...fields };
  infos.set(circleId, info);
  const mine = circles.get(circleId);
  if (mine) {
    // /me/circles adds role, nickname, unread, must_read_pending: those stay.
    const { role, nickname, unread, must_read_pending: pending } = mine;
    circles.set(circleId, { ...mine, ...fields, role, nickname, unread, must_read_pending: pending });
  }
  emit(EV.circleInfo, { circle: circleId, info });
  emit(EV.circlesChanged);
}

/** The user's own membership changed (a new role, a nickname, a mute, a paid term). */
export function setMyMembership(circleId, { role, nickname, muted_until: mutedUntil, ends_at: endsAt, removes_at: removesAt }) {
  const mine = circles.get(circleId);
  if (!mine) return;
  changedMembership(circleId);
  // A member record carries muted_until only while the member is muted, ends_at and
  // removes_at only with a paid term.
  circles.set(circleId, {
    ...mine, role: role ?? mine.role, nickname: nickname ?? null, muted_until: mutedUntil ?? null,
    ends_at: endsAt ?? null, removes_at: removesAt ?? null,
  });
  emit(EV.circlesChanged);
  emit(EV.mutedChanged, { circle: circleId });
}

/** Until when I am muted in a circle (ms), or null. */
export function mutedUntil(circleId) {
  const mine = circles.get(circleId);
  return (mine && mine.muted_until) || null;
}

/** A say refused because I am muted: the page learns it before any event says so. */
export function setMutedUntil(circleId, until) {
  const mine = circles.get(circleId);
  if (!mine || mine.muted_until === until) return;
  changedMembership(circleId);
  circles.set(circleId, { ...mine, muted_until: until });
  emit(EV.mutedChanged, { circle: circleId });
}

/** My paid term in a circle: {endsAt, removesAt} (both null: no end). */
export function termIn(circleId) {
  const mine = circles.get(circleId);
  return { endsAt: (mine && mine.ends_at) || null, removesAt: (mine && mine.removes_at) || null };
}

/** A say refused because my paid term ended: the page learns it before the clock says so. */
export function setTermEnded(circleId, endsAt, removesAt) {
  const mine = circles.get(circleId);
  if (!mine || (mine.ends_at === endsAt && mine.removes_at === removesAt)) return;
  changedMembership(circleId);
  circles.set(circleId, { ...mine, ends_at: endsAt, removes_at: removesAt });
  emit(EV.mutedChanged, { circle: circleId });
}

/** Stars needed to promote a message by votes (0: votes never promote). */
export function thresholdOf(circleId) {
  const info = infos.get(circleId) || circles.get(circleId);
  return info && info.promote_threshold != null ? info.promote_threshold : null;
}

export function roleIn(circleId) {
  const circle = circles.get(circleId);
  return circle ? circle.role : null;
}

export function isManager(circleId) {
  const role = roleIn(circleId);
  return role === 'owner' || role === 'admin';
}

/** The user's display name in a circle (for own messages not yet echoed by the server). */
export function myName(circleId) {
  const circle = circles.get(circleId);
  return (circle && circle.nickname) || (session.user && session.user.name) || '';
}

// -- chat ------------------------------------------------------------------------------

const chats = new Map();

function newChat() {
  return {
    messages: new Map(), // seq → msg: a seq is shown at most once
    pending: new Map(), // nonce → {text, reply_to, failed?}
    highWater: null, // highest seq of the live stream: the `since` of the next join
    more: true, // older history exists
    online: null,
    stars: new Map(), // seq → {count, mine}
    vetoed: new Set(),
  };
}

export function chatOf(circleId) {
  if (!chats.has(circleId)) chats.set(circleId, newChat());
  return chats.get(circleId);
}

export function resetChat(circleId) {
  chats.set(circleId, newChat());
  return chats.get(circleId);
}

/** The since for (re)joining: only the ordered stream moves it, never an ok or history. */
export function sinceOf(circleId) {
  const chat = chats.get(circleId);
  return chat ? chat.highWater : null;
}

export function joined(circleId, lastSeq, online) {
  const chat = chatOf(circleId);
  if (chat.highWater == null) chat.highWater = lastSeq;
  setOnline(circleId, online);
  emit(EV.joined, { circle: circleId, lastSeq });
}

/** A message from the stream, history or a say's ok. False when it was already shown. */
export function addMessage(circleId, message, { live = false } = {}) {
  const chat = chatOf(circleId);
  if (live && (chat.highWater == null || message.seq > chat.highWater)) {
    chat.highWater = message.seq;
  }
  if (message.nonce && chat.pending.has(message.nonce) && isMine(message)) {
    chat.pending.delete(message.nonce);
  }
  const known = chat.messages.get(message.seq);
  if (known) {
    if ((message.deleted && !known.deleted) || (message.edited || 0) > (known.edited || 0)) {
      patchMessage(circleId, message.seq, message);
    } else if (message.from && known.from && known.from.name !== message.from.name) {
      known.from = message.from;
      emit(EV.messageUpdated, { circle: circleId, message: known });
    }
    return false;
  }
  chat.messages.set(message.seq, message);
  emit(EV.message, { circle: circleId, message });
  return true;
}

/**
 * A shown message changed: recalled or deleted (`deleted`: its text, attachments, stars
 * and veto go), or edited (`text`, `edited`). An older edit never overwrites a newer one.
 */
export function patchMessage(circleId, seq, fields) {
  const chat = chatOf(circleId);
  const known = chat.messages.get(seq);
  if (!known || known.deleted) return;
  if (fields.deleted) {
    known.deleted = fields.deleted;
    known.text = '';
    delete known.attachments;
    delete known.edited;
    chat.stars.delete(seq);
    chat.vetoed.delete(seq);
  } else if (fields.edited && fields.edited >= (known.edited || 0)) {
    known.text = fields.text;
    known.edited = fields.edited;
  } else {
    return;
  }
  emit(EV.messageUpdated, { circle: circleId, message: known });
}

function isMine(message) {
  return !message.from || !session.user || message.from.id === session.user.id;
}

/** A chat's messages in seq order (each seq once), and its own messages still pending. */
export function messagesOf(circleId) {
  const chat = chats.get(circleId);
  if (!chat) return [];
  return [...chat.messages.values()].sort((x, y) => x.seq - y.seq);
}

export function pendingOf(circleId) {
  const chat = chats.get(circleId);
  return chat ? [...chat.pending.values()] : [];
}

export function addHistory(circleId, messages, more) {
  const chat = chatOf(circleId);
  chat.more = Boolean(more);
  const fresh = messages.filter((m) => !chat.messages.has(m.seq));
  for (const message of fresh) chat.messages.set(message.seq, message);
  emit(EV.history, { circle: circleId, messages: fresh, more: chat.more });
}

export function addPending(circleId, nonce, text, replyTo, attachments = []) {
  const chat = chatOf(circleId);
  const item = { nonce, text, reply_to: replyTo || null, ts: Date.now(), attachments };
  chat.pending.set(nonce, item);
  emit(EV.pending, { circle: circleId, pending: item });
}

/** The say's ok: the message is stored, whether or not its push has arrived yet. */
export function confirmPending(circleId, nonce, seq, ts) {
  const chat = chatOf(circleId);
  const item = chat.pending.get(nonce);
  if (!item) return;
  const me = session.user || {};
  addMessage(circleId, {
    circle: circleId,
    seq,
    ts,
    from: { id: me.id, name: myName(circleId) },
    text: item.text,
    nonce,
    reply_to: item.reply_to,
    ...(item.attachments && item.attachments.length ? { attachments: item.attachments } : {}),
  });
}

export function failPending(circleId, nonce, message) {
  const item = chatOf(circleId).pending.get(nonce);
  if (!item) return;
  item.failed = message;
  emit(EV.pending, { circle: circleId, pending: item });
}

/** The server refused a say for a reason the page shows (slow_mode, muted): the text goes back to its composer. */
export function refusePending(circleId, nonce, reason, params) {
  const item = chatOf(circleId).pending.get(nonce);
  if (!item) return;
  dropPending(circleId, nonce);
  emit(EV.sayRefused, { circle: circleId, text: item.text, replyTo: item.reply_to, reason, params: params || {} });
}

export function dropPending(circleId, nonce) {
  chatOf(circleId).pending.delete(nonce);
  emit(EV.pendingDropped, { circle: circleId, nonce });
}

export function setOnline(circleId, online) {
  if (online == null || connection.state !== 'online') return;
  chatOf(circleId).online = online;
  emit(EV.presence, { circle: circleId, online });
}

/** The socket's state. Away from the server, who is online is unknown: counts are cleared. */
export const connection = { state: 'idle' };

export function setConnection(socketState) {
  connection.state = socketState;
  emit(EV.connection, { state: socketState });
  if (socketState === 'online') return;
  for (const [circleId, chat] of chats) {
    if (chat.online == null) continue;
    chat.online = null;
    emit(EV.presence, { circle: circleId, online: null });
  }
}

/**
 * The server's limits, from the socket's `welcome` (PROTOCOL.md: frame_bytes, text_chars
 * and any others a server adds); the contract's defaults until the first welcome. Views
 * read them here — maxTextChars() for a composer's maxlength — and follow EV.limits.
 */
export const limits = { frame_bytes: 65536, text_chars: 4000, recall_window_s: 120, edit_window_s: 86400 };

export function setLimits(fresh) {
  if (!fresh || typeof fresh !== 'object') return;
  Object.assign(limits, fresh);
  emit(EV.limits, { limits });
}

/** The longest chat message the server takes (characters): the composer's maxlength. */
export function maxTextChars() {
  return limits.text_chars;
}

export function setStars(circleId, seq, count, mine) {
  chatOf(circleId).stars.set(seq, { count, mine });
  emit(EV.starsChanged, { circle: circleId, seq, count, mine });
}

export function setVetoed(circleId, seq, vetoed) {
  const chat = chatOf(circleId);
  if (vetoed) chat.vetoed.add(seq);
  else chat.vetoed.delete(seq);
  emit(EV.starsChanged, { circle: circleId, seq });
}

export function addGap(circleId, fromSeq, toSeq) {
  emit(EV.gap, { circle: circleId, fromSeq, toSeq });
}

// -- posts -----------------------------------------------------------------------------

const posts = new Map();

export function postsOf(circleId) {
  if (!posts.has(circleId)) {
    posts.set(circleId, { byId: new Map(), next: null, loaded: false });
  }
  return posts.get(circleId);
}

export function resetPosts(circleId) {
  posts.delete(circleId);
  return postsOf(circleId);
}

/**
 * A post from HTTP (fromPush false) or a push. Pushes are the same for every member, so
 * they carry no liked/acked: keep this viewer's own values, except that a must-read whose
 * text changed must be acknowledged again; `acked` sets it outright.
 */
export function upsertPost(circleId, post, { fromPush = false, acked } = {}) {
  const box = postsOf(circleId);
  if (post.deleted) {
    if (box.byId.delete(post.id)) emit(EV.postsChanged, { circle: circleId });
    return;
  }
  const old = box.byId.get(post.id);
  const merged = { ...(old || {}), ...post };
  if (fromPush && old) {
    merged.liked = old.liked;
    merged.acked = old.text === post.text && old.must_read ? old.acked : false;
    for (const key of ['likes', 'comments']) if (post[key] == null) merged[key] = old[key];
  }
  if (acked !== undefined) merged.acked = acked;
  if (!merged.pinned) merged.pin_order = null;
  box.byId.set(post.id, merged);
  emit(EV.postsChanged, { circle: circleId, post: merged });
}

/** Change some fields of a post already known (counts, this viewer's like); false if unknown. */
export function patchPost(circleId, postId, fields) {
  const old = postsOf(circleId).byId.get(postId);
  if (!old) return false;
  upsertPost(circleId, { ...old, ...fields });
  return true;
}

export function postById(circleId, postId) {
  return postsOf(circleId).byId.get(postId) || null;
}

export function upsertPosts(circleId, list, options) {
  for (const post of list) upsertPost(circleId, post, options);
}

function byPinOrder(a, b) {
  return (a.pin_order ?? 1e9) - (b.pin_order ?? 1e9) || a.created - b.created;
}

const newestFirst = (a, b) => b.created - a.created;

/** The highlights side: pending must-reads, pinned posts in order, other highlights. */
export function highlightsOf(circleId) {
  const all = [...postsOf(circleId).byId.values()];
  const mustRead = all.filter((p) => p.must_read && !p.acked).sort(newestFirst);
  const shown = new Set(mustRead.map((p) => p.id));
  const pinned = all.filter((p) => p.pinned && !shown.has(p.id)).sort(byPinOrder);
  const recent = all
    .filter((p) => p.kind === 'highlight' && !p.pinned && !shown.has(p.id))
    .sort(newestFirst);
  return { mustRead, pinned, recent, pinOrder: all.filter((p) => p.pinned).sort(byPinOrder) };
}

/** The feed: pinned first in pin order, then newest first. */
export function feedOf(circleId) {
  const all = [...postsOf(circleId).byId.values()];
  return [...all.filter((p) => p.pinned).sort(byPinOrder), ...all.filter((p) => !p.pinned).sort(newestFirst)];
}
