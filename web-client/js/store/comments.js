// The comment threads the user has loaded, by post: comments oldest first (by id, so an
// event and the HTTP reply of the same comment show it once), and the cursor of the next
// page. Kept current by comment.* events; a thread not loaded is only counted (the post's
// `comments`).

import { EV } from './names.js';
import { emit, on } from './state.js';

const threads = new Map(); // post id → {byId: Map, next, loaded}

on(EV.sessionCleared, () => threads.clear());

export function threadOf(postId) {
  return threads.get(postId) || null;
}

/** The comments to show, oldest first. */
export function commentsOf(postId) {
  const thread = threads.get(postId);
  if (!thread) return [];
  return [...thread.byId.values()].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
}

function changed(postId) {
  emit(EV.commentsChanged, { post: postId });
}

/** A page from GET /posts/{id}/comments; the first page starts the thread afresh. */
export function addPage(postId, comments, next, { first = false } = {}) {
  let thread = threads.get(postId);
  if (first || !thread) {
    thread = { byId: new Map(), next: null, loaded: true };
    threads.set(postId, thread);
  }
  for (const comment of comments) thread.byId.set(comment.id, comment);
  thread.next = next || null;
  changed(postId);
}

/**
 * A new comment (the HTTP reply or a comment.added event). A thread whose later pages are
 * not loaded yet gets it with those pages, in order.
 */
export function addComment(comment) {
  const thread = threads.get(comment.post);
  if (!thread || thread.next) return;
  thread.byId.set(comment.id, comment);
  changed(comment.post);
}

export function replaceComment(comment) {
  const thread = threads.get(comment.post);
  if (!thread || !thread.byId.has(comment.id)) return;
  thread.byId.set(comment.id, { ...thread.byId.get(comment.id), ...comment });
  changed(comment.post);
}

/** A comment deleted, and its replies with it; false when it was not shown. */
export function removeComment(postId, commentId) {
  const thread = threads.get(postId);
  if (!thread || !thread.byId.delete(commentId)) return false;
  let gone = [commentId];
  while (gone.length) {
    const replies = [...thread.byId.values()].filter((c) => gone.includes(c.reply_to));
    for (const reply of replies) thread.byId.delete(reply.id);
    gone = replies.map((reply) => reply.id);
  }
  changed(postId);
  return true;
}

/** Forget a thread (its post is gone, or the circle's log was reset). */
export function dropThread(postId) {
  if (threads.delete(postId)) changed(postId);
}

export function loadedThreads() {
  return [...threads.keys()];
}
