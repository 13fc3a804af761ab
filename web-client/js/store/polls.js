// Polls the client knows, by id, by chat message (group + seq) and by post. Fed by the
// API (a group's polls when its chat opens, a post's poll when its card shows) and by the
// poll.* events; every change emits 'poll' {circle, poll} on the state bus. An event
// carries no `mine` (one event for everyone): the own choice is kept from what we knew,
// or taken from a poll.voted of our own.

import * as api from '../api.js';
import { EV } from './names.js';
import * as state from './state.js';

const byId = new Map(); // poll id → poll
const atMessage = new Map(); // `${group}:${seq}` → poll id
const ofPost = new Map(); // post id → poll id, or null: it has none
const groupsLoaded = new Map(); // group id → promise of its first load
const postsAsked = new Map(); // post id → promise
const eventsSeen = new Map(); // poll id → how many of its events were applied

const myId = () => (state.session.user ? state.session.user.id : null);
const messageKey = (group, seq) => `${group}:${seq}`;

export function pollById(id) {
  return byId.get(id) || null;
}

/** The poll a chat message asks, if it is one. */
export function pollAt(group, seq) {
  const id = atMessage.get(messageKey(group, seq));
  return id ? byId.get(id) : null;
}

export function pollOfPost(postId) {
  const id = ofPost.get(postId);
  return id ? byId.get(id) : null;
}

/** Store a poll as read or pushed; a poll without `mine` keeps the one we knew. */
export function putPoll(poll) {
  if (!poll || !poll.id) return;
  const known = byId.get(poll.id);
  const merged = { ...poll, mine: poll.mine || (known && known.mine) || [] };
  byId.set(poll.id, merged);
  if (poll.group && poll.seq != null) atMessage.set(messageKey(poll.group, poll.seq), poll.id);
  if (poll.post) ofPost.set(poll.post, poll.id);
  state.emit(EV.pollChanged, { circle: poll.circle, poll: merged });
}

/** A poll.* event applied: counted, so a reply read before it does not undo it. */
export function fromEvent(poll) {
  eventsSeen.set(poll.id, (eventsSeen.get(poll.id) || 0) + 1);
  putPoll(poll);
}

/**
 * Run a request answering the poll (a vote, a close) and store its answer; when events
 * of the poll came meanwhile, their counts are newer than the answer's: keep those.
 */
export async function answered(pollId, request) {
  const before = eventsSeen.get(pollId) || 0;
  const reply = await request();
  const known = byId.get(pollId);
  if (known && (eventsSeen.get(pollId) || 0) !== before) {
    putPoll({ ...known, mine: reply.poll.mine });
  } else {
    putPoll(reply.poll);
  }
}

/** A poll.voted event: the counts after it, and our choice if it was ours. */
export function voted(ev) {
  eventsSeen.set(ev.poll, (eventsSeen.get(ev.poll) || 0) + 1);
  const known = byId.get(ev.poll);
  if (!known) return;
  const fields = { counts: ev.counts, voters: ev.voters };
  if (ev.user && ev.user === myId() && Array.isArray(ev.options)) fields.mine = ev.options;
  putPoll({ ...known, ...fields });
}

/** The group's recent polls, loaded once per page view (again with `force`). */
export function loadGroupPolls(group, { force = false } = {}) {
  if (!force && groupsLoaded.has(group)) return groupsLoaded.get(group);
  const loading = api.groupPolls(group)
    .then((reply) => { for (const poll of reply.polls || []) putPoll(poll); })
    .catch(() => { groupsLoaded.delete(group); });
  groupsLoaded.set(group, loading);
  return loading;
}

/** A post's poll, asked once (posts do not say whether they have one). */
export function loadPostPoll(postId) {
  if (ofPost.has(postId)) return Promise.resolve(pollOfPost(postId));
  if (postsAsked.has(postId)) return postsAsked.get(postId);
  const asking = api.postPoll(postId)
    .then((reply) => {
      if (reply.poll) putPoll(reply.poll);
      else if (!ofPost.has(postId)) ofPost.set(postId, null);
      return pollOfPost(postId);
    })
    .catch(() => null)
    .finally(() => postsAsked.delete(postId));
  postsAsked.set(postId, asking);
  return asking;
}

/** Whether the deadline has passed or it was closed. */
export function isClosed(poll) {
  return Boolean(poll.closed || (poll.closes_at && poll.closes_at <= Date.now()));
}
