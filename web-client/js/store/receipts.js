// Who has read a must-read, for the receipts panels that are open: loaded once from
// GET /posts/{id}/receipts (page by page), then kept current by post.acked events (sent to
// the post's author and the circle's owners and admins) — never polled. Flagging or
// editing a must-read asks everyone again: everyone who had read it is waiting again.

import { EV } from './names.js';
import { emit, on } from './state.js';

const receipts = new Map(); // post id → {acked: Map, pending: Map, next, counts}

on(EV.sessionCleared, () => receipts.clear());

export function receiptsOf(postId) {
  return receipts.get(postId) || null;
}

function changed(postId) {
  emit(EV.receiptsChanged, { post: postId });
}

/** A page of GET /posts/{id}/receipts; the first one starts afresh. */
export function addPage(postId, page, { first = false } = {}) {
  let entry = receipts.get(postId);
  if (first || !entry) {
    entry = { acked: new Map(), pending: new Map(), next: null, counts: null };
    receipts.set(postId, entry);
  }
  for (const user of page.acked || []) {
    entry.pending.delete(user.id);
    entry.acked.set(user.id, user);
  }
  for (const user of page.pending || []) if (!entry.acked.has(user.id)) entry.pending.set(user.id, user);
  entry.next = page.next || null;
  // The totals over the whole circle (a page lists only part of it).
  if (page.counts && page.counts.acked != null) entry.counts = { acked: page.counts.acked, pending: page.counts.pending };
  changed(postId);
}

/** post.acked: the user read it at `at`; counts are the server's totals. */
export function acked(postId, user, at, counts) {
  const entry = receipts.get(postId);
  if (!entry) return;
  entry.pending.delete(user.id);
  entry.acked.set(user.id, { id: user.id, name: user.name, at });
  if (counts.acked != null && counts.pending != null) entry.counts = counts;
  changed(postId);
}

/** The must-read was flagged again or edited: whoever had read it must read it again. */
export function askAgain(postId) {
  const entry = receipts.get(postId);
  if (!entry) return;
  for (const user of entry.acked.values()) entry.pending.set(user.id, { id: user.id, name: user.name });
  if (entry.counts) entry.counts = { acked: 0, pending: entry.counts.pending + entry.counts.acked };
  entry.acked.clear();
  changed(postId);
}

export function dropReceipts(postId) {
  if (receipts.delete(postId)) changed(postId);
}

export function loadedReceipts() {
  return [...receipts.keys()];
}

/** {acked, pending, partial}: the server's totals (from a page or an event), else the lists'. */
export function summaryOf(postId) {
  const entry = receipts.get(postId);
  if (!entry) return null;
  if (entry.counts) return { ...entry.counts, partial: false };
  return { acked: entry.acked.size, pending: entry.pending.size, partial: Boolean(entry.next) };
}
