// A circle event — {"t":"event","circle":C,"rev":N,"ts":…,"kind":K, …} — applied to the
// store, by kind. Every event says how things are now (a post as everyone sees it, counts
// as totals), so applying one twice changes nothing; the order and the "once" come from
// the rev cursor (circle-events.js). Kinds this client does not know are skipped.

import { CHALLENGE_KINDS } from './challenges.js';
import * as comments from './comments.js';
import * as follows from './follows.js';
import { FOLLOW_KINDS } from './follows.js';
import { CONTEST_KINDS } from './contests.js';
import { GATHERING_KINDS } from './gatherings.js';
import { POINT_KINDS } from './points.js';
import { GROUP_KINDS } from './groups.js';
import { HOMEWORK_KINDS } from './homework.js';
import { JOIN_KINDS } from './join-requests.js';
import { LESSON_KINDS } from './lessons.js';
import * as members from './members.js';
import * as reactions from './reactions.js';
import * as polls from './polls.js';
import { EV } from './names.js';
import * as receipts from './receipts.js';
import * as reports from './reports.js';
import * as state from './state.js';

const myId = () => (state.session.user ? state.session.user.id : null);

function putPost(ev, options = {}) {
  state.upsertPost(ev.circle, ev.post, { fromPush: true, ...options });
}

/** A change the highlights tab shows: its dot lights up when it is not in view. */
function highlighted(ev) {
  state.emit(EV.highlight, { circle: ev.circle, post: ev.post });
}

/** Flagging or editing a must-read asks everyone to read it again. */
function askAgain(ev) {
  putPost(ev, { acked: false });
  receipts.askAgain(ev.post.id);
  highlighted(ev);
}

const KINDS = {
  'report.filed': (ev) => reports.filed(ev),
  'report.resolved': (ev) => reports.resolved(ev, myId()),
  'post.created': (ev) => putPost(ev),
  'post.promoted': (ev) => {
    putPost(ev);
    highlighted(ev);
  },
  'post.edited': (ev) => (ev.post.must_read ? askAgain(ev) : putPost(ev)),
  'post.deleted': (ev) => {
    state.upsertPost(ev.circle, { ...ev.post, deleted: true });
    comments.dropThread(ev.post.id);
    receipts.dropReceipts(ev.post.id);
  },
  'post.pinned': (ev) => {
    putPost(ev);
    highlighted(ev);
  },
  'post.unpinned': (ev) => putPost(ev),
  'pins.reordered': (ev) => {
    for (const post of ev.posts || []) putPost({ circle: ev.circle, post });
    (ev.order || []).forEach((id, index) => state.patchPost(ev.circle, id, { pin_order: index + 1 }));
  },
  'post.must_read': (ev) => {
    if (ev.post.must_read) askAgain(ev);
    else {
      putPost(ev);
      receipts.dropReceipts(ev.post.id);
    }
  },
  'post.acked': (ev) => {
    receipts.acked(ev.post, ev.user, ev.at, { acked: ev.acked, pending: ev.pending });
    if (ev.user && ev.user.id === myId()) state.patchPost(ev.circle, ev.post, { acked: true });
  },
  'post.liked': (ev) => {
    const fields = { likes: ev.likes };
    if (ev.user === myId()) fields.liked = ev.liked;
    state.patchPost(ev.circle, ev.post, fields);
  },
  'comment.added': (ev) => {
    comments.addComment(ev.comment);
    state.patchPost(ev.circle, ev.comment.post, { comments: ev.comments });
  },
  'comment.edited': (ev) => comments.replaceComment(ev.comment),
  'comment.deleted': (ev) => {
    comments.removeComment(ev.comment.post, ev.comment.id);
    if (ev.comments != null) state.patchPost(ev.circle, ev.comment.post, { comments: ev.comments });
  },
  'message.starred': (ev) => {
    if (ev.threshold != null && ev.threshold !== state.thresholdOf(ev.circle)) {
      state.setCircleInfo(ev.circle, { promote_threshold: ev.threshold });
    }
    const chat = ev.group || ev.circle; // stars are per group (general's id is the circle's)
    const before = state.chatOf(chat).stars.get(ev.seq);
    const mine = ev.user === myId() ? ev.starred : Boolean(before && before.mine);
    state.setStars(chat, ev.seq, ev.stars, mine);
  },
  'message.vetoed': (ev) => state.setVetoed(ev.group || ev.circle, ev.seq, ev.vetoed),
  'message.deleted': (ev) => state.patchMessage(ev.group || ev.circle, ev.seq, { deleted: ev.deleted }),
  'message.edited': (ev) => state.patchMessage(ev.group || ev.circle, ev.seq, { text: ev.text, edited: ev.edited, ...(ev.mentions ? { mentions: ev.mentions } : {}) }),
  'member.joined': (ev) => {
    members.putMember(ev.circle, ev.member);
    state.setCircleInfo(ev.circle, { members: ev.members });
  },
  'member.left': (ev) => memberGone(ev),
  'member.removed': (ev) => memberGone(ev),
  'member.updated': (ev) => {
    members.putMember(ev.circle, ev.member);
    if (ev.member.user === myId()) state.setMyMembership(ev.circle, ev.member);
  },
  'circle.updated': (ev) => state.setCircleInfo(ev.circle, ev.info),
  'reaction.changed': (ev) => reactions.applyChange(ev, myId()),
  'poll.created': (ev) => polls.fromEvent(ev.poll),
  'poll.voted': (ev) => polls.voted(ev),
  'poll.closed': (ev) => polls.fromEvent(ev.poll),
  ...GROUP_KINDS,
  ...JOIN_KINDS,
  ...CHALLENGE_KINDS,
  ...GATHERING_KINDS,
  ...POINT_KINDS,
  ...CONTEST_KINDS,
  ...HOMEWORK_KINDS,
  ...LESSON_KINDS,
  reminder: (ev) => state.emit(EV.reminder, ev),
};

function memberGone(ev) {
  members.removeMember(ev.circle, ev.user);
  state.setCircleInfo(ev.circle, { members: ev.members });
}

/** Apply one event; false for a kind this client does not know. */
export function applyEvent(ev) {
  follows.applyFollowEvent(ev); // what the home page shows of the circles I follow
  const apply = KINDS[ev.kind];
  if (!apply) return FOLLOW_KINDS.has(ev.kind);
  try {
    apply(ev);
  } catch (err) {
    console.error(`event ${ev.kind} of ${ev.circle} rev ${ev.rev} could not be applied`, err);
  }
  return true;
}

/** Kinds after which the circle list's must-read badges may have changed. */
export const BADGE_KINDS = new Set(['post.must_read', 'post.edited', 'post.deleted', 'post.acked']);
