// What views ask of the server, by name: views call these instead of writing protocol
// frames (socket.request({t: 'history'…})) or calling the API for chat actions. Each one
// does the asking (socket or HTTP) and puts the answer into the store, where the views'
// subscriptions (state.on(EV.…)) pick it up. A chat is {circle, group}: group null (or the
// circle's id) is the circle's general group; the store keeps a chat under its group id.
//
// The socket is given by sync.connectSocket(); before that (logged out) the socket's
// actions fail with code 'offline'. Errors keep the server's code for i18n.errorText().

import * as api from './api.js';
import { refreshFollowing } from './loaders.js';
import * as follows from './store/follows.js';
import * as members from './store/members.js';
import { EV } from './store/names.js';
import * as state from './store/state.js';
import * as uploads from './uploads.js';

let socket = null;

/** sync.js hands over the session's socket (null when the session ends). */
export function useSocket(value) {
  socket = value;
}

class ActionError extends Error {
  constructor(code, params = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

const need = () => {
  if (!socket) throw new ActionError('offline');
  return socket;
};

const keyOf = (circle, group) => group || circle;

function where(circle, group) {
  return group && group !== circle ? { circle, group } : { circle };
}

// -- chats -------------------------------------------------------------------------------

/** Start showing a chat: a fresh store for it, joined on the socket (now or when back online). */
export function openChat(circle, group = null) {
  state.resetChat(keyOf(circle, group));
  return need().join(circle, group && group !== circle ? group : null).catch(() => null);
}

/**
 * Join a chat on the socket keeping what the store holds of it (a circle page opened again
 * shows the last-known messages); joined now or when back online. Never rejects: resolves
 * null when it could not join (or there is no socket).
 */
export function joinChat(circle, group = null) {
  if (!socket) return Promise.resolve(null);
  return socket.join(circle, group && group !== circle ? group : null).catch(() => null);
}

export function closeChat(circle, group = null) {
  if (socket) socket.leave(circle, group && group !== circle ? group : null);
}

/** The longest message the server takes (characters), from its welcome. */
export function maxTextChars() {
  return state.maxTextChars();
}

/**
 * Send a chat message: pending in the store at once, sent now or after the next welcome
 * (kept with its nonce until the server confirms: never twice). Returns the nonce. Throws
 * code 'too_big' (params.max) when longer than the welcome's text_chars. `attachments`:
 * attachment objects already uploaded (uploadFile), at most MAX_ATTACHMENTS.
 */
export function sendMessage(circle, group, text, replyTo = null, attachments = []) {
  const max = state.maxTextChars();
  if ([...text].length > max) throw new ActionError('too_big', { max });
  if (attachments.length > MAX_ATTACHMENTS) throw new ActionError('too_many_files', { max: MAX_ATTACHMENTS });
  const ids = attachments.map((a) => a.id);
  const nonce = need().say(circle, text, replyTo, group && group !== circle ? group : null, ids);
  state.addPending(keyOf(circle, group), nonce, text, replyTo, attachments);
  return nonce;
}

/** The most attachments a message, post or comment carries (protocol/README.md). */
export const MAX_ATTACHMENTS = 9;

/**
 * Upload a file to a circle (js/uploads.js: tus, resumed after a drop); resolves with the
 * attachment object. options: signal (AbortSignal), onProgress(sent, total).
 */
export function uploadFile(circle, file, options = {}) {
  return uploads.uploadFile(circle, file, { ...options, token: state.session.token });
}

/** Give up on a message not sent (failed, or waiting offline). */
export function discardMessage(circle, group, nonce) {
  if (socket) socket.forget(nonce);
  state.dropPending(keyOf(circle, group), nonce);
}

/** Older messages, before a seq: into the store (EV.history); returns {messages, more}. */
export async function loadOlder(circle, group, before, limit = 50) {
  const reply = await need().request({ t: 'history', ...where(circle, group), before, limit });
  const messages = reply.messages || [];
  state.addHistory(keyOf(circle, group), messages, reply.more);
  return { messages, more: Boolean(reply.more) };
}

/** One message by seq (a quoted one not loaded), or null. */
export async function fetchMessage(circle, group, seq) {
  const reply = await need().request({ t: 'history', ...where(circle, group), before: seq + 1, limit: 1 });
  return (reply.messages || []).find((m) => m.seq === seq) || null;
}

/** Tell the server the user has read up to seq; false when not connected (try again later). */
export function markRead(circle, group, seq) {
  return Boolean(socket) && socket.send({ t: 'read', ...where(circle, group), seq });
}

/** "Typing…" in a chat (the caller keeps to one per 3 s); false when not sent. */
export function typing(circle, group = null) {
  return Boolean(socket) && socket.typing(circle, group && group !== circle ? group : null);
}

/** Star a message (on) or take the star back; the counts go into the store (EV.starsChanged). */
export async function setStar(circle, group, seq, on) {
  const reply = await need().request({ t: on ? 'star' : 'unstar', ...where(circle, group), seq });
  state.setStars(keyOf(circle, group), seq, reply.stars, on);
  if (reply.post) state.upsertPost(circle, reply.post);
  return reply;
}

/** Take a message back: its author recalls it (within the window), owners and admins delete it. */
export async function deleteMessage(circle, group, seq, reason) {
  const chat = keyOf(circle, group);
  const reply = await api.deleteMessage(chat, seq, reason);
  state.patchMessage(chat, seq, reply.message);
}

/** Its author changes a message's text (within the window). */
export async function editMessage(circle, group, seq, text) {
  const chat = keyOf(circle, group);
  const reply = await api.editMessage(chat, seq, text);
  state.patchMessage(chat, seq, reply.message);
}

/** Owners and admins: this message is not promoted by votes (or may be again). */
export async function setVeto(circle, group, seq, on) {
  const chat = keyOf(circle, group);
  await (chat === circle ? api.veto(circle, seq, on) : api.groupVeto(chat, seq, on));
  state.setVetoed(chat, seq, on);
}

// -- moderation (README "Who may do what") -----------------------------------------------
// Each answer goes into the member list at once; the member.* event that follows agrees.

/** A member's new role: 'member', 'admin' or 'owner'. */
export async function setRole(circle, userId, role) {
  const reply = await api.updateMember(circle, userId, { role });
  if (reply && reply.user) members.putMember(circle, reply);
}

/** Mute for some minutes (null: until lifted), with an optional reason. */
export async function mute(circle, userId, minutes, reason) {
  members.putMember(circle, await api.mute(circle, userId, minutes, reason));
}

export async function unmute(circle, userId) {
  members.putMember(circle, await api.unmute(circle, userId));
}

/** A member's end date: {months} renews from the later of the end and now, {ends_at} sets it. */
export async function setTerm(circle, userId, term) {
  members.putMember(circle, await api.setTerm(circle, userId, term));
}

/** The member's membership no longer ends. */
export async function clearTerm(circle, userId) {
  members.putMember(circle, await api.clearTerm(circle, userId));
}

/** Ban (which removes them from the circle), with an optional reason. */
export async function ban(circle, userId, reason) {
  await api.ban(circle, userId, reason);
  members.removeMember(circle, userId);
  state.emit(EV.bansChanged, { circle });
}

export async function unban(circle, userId) {
  await api.unban(circle, userId);
  state.emit(EV.bansChanged, { circle });
}

export async function removeMember(circle, userId) {
  await api.removeMember(circle, userId);
  members.removeMember(circle, userId);
}

// -- following a public circle -----------------------------------------------------------

/** Follow a public circle without joining it: its posts and highlights reach me, not its chat. */
export async function follow(circle) {
  const answer = await api.follow(circle.id);
  follows.nowFollowing(circle);
  refreshFollowing(0);
  return answer;
}

export async function unfollow(circleId) {
  const answer = await api.unfollow(circleId);
  follows.unfollowed(circleId);
  return answer;
}
