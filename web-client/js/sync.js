// Keeps the store in step with the server: socket pushes and replies go into the store;
// circle events go through their rev cursors (circle-events.js); after every welcome the
// open circles catch up on their events and the circle list (unread and must-read badges)
// is refreshed. The welcome's limits go to state.limits. Views ask through actions.js.

import { useSocket } from './actions.js';
import { catchUpAll, receive } from './circle-events.js';
import { catchUpNotifications, refreshCircles, refreshFollowing } from './loaders.js';
import { EV } from './store/names.js';
import * as notes from './store/notifications.js';
import * as reads from './store/reads.js';
import * as state from './store/state.js';


export function connectSocket(socket) {
  useSocket(socket); // actions.js: what views ask for goes through this socket
  state.setConnection(socket.state);
  if (socket.limits) state.setLimits(socket.limits);
  socket.addEventListener('state', (event) => state.setConnection(event.detail.state));
  // The welcome's limits (text_chars for the composer…): state.limits, EV.limits.
  socket.addEventListener('limits', (event) => state.setLimits(event.detail.limits));
  socket.addEventListener('push', (event) => onPush(event.detail));
  socket.addEventListener('joined', (event) => {
    const f = event.detail;
    state.joined(f.group || f.circle, f.last_seq, f.online);
  });
  socket.addEventListener('said', (event) => {
    const { circle, group, nonce, seq, ts } = event.detail;
    state.confirmPending(group || circle, nonce, seq, ts);
  });
  socket.addEventListener('say-failed', (event) => {
    const { circle, group, nonce, message, reason, params } = event.detail;
    if (reason === 'muted' && params) state.setMutedUntil(circle, params.until);
    if (reason === 'membership_ended' && params) state.setTermEnded(circle, params.ends_at, params.removes_at);
    if (reason === 'muted' || reason === 'slow_mode' || reason === 'membership_ended') state.refusePending(group || circle, nonce, reason, params);
    else state.failPending(group || circle, nonce, message);
  });
  socket.addEventListener('join-failed', (event) => {
    const { circle, group, code } = event.detail;
    if (group) state.emit(EV.groupExited, { circle, group, reason: code });
    else state.emit(EV.left, { circle, reason: code });
  });
  socket.addEventListener('welcome', (event) => {
    refreshCircles(0); // badges, and the list itself if the first load found us offline
    refreshFollowing(0); // the circles I follow and their latest posts (missed while away)
    // Events sent while we were away (or before this connection) are fetched by rev.
    catchUpAll();
    catchUpNotifications(); // the inbox: what came after the newest one held
  });
}

function onPush(frame) {
  switch (frame.t) {
    case 'msg':
      state.addMessage(frame.group || frame.circle, frame, { live: true });
      break;
    case 'event':
      receive(frame);
      break;
    case 'highlight':
      break; // kept for older clients: every change it reports comes as an event too
    case 'presence':
      state.setOnline(frame.group || frame.circle, frame.online);
      break;
    case 'gap':
      state.addGap(frame.group || frame.circle, frame.from_seq, frame.to_seq);
      break;
    case 'left':
      if (frame.group && frame.group !== frame.circle) {
        state.emit(EV.groupExited, { circle: frame.circle, group: frame.group, reason: frame.reason });
        break;
      }
      state.emit(EV.left, { circle: frame.circle, reason: frame.reason });
      refreshCircles(0);
      break;
    case 'typing':
      state.emit(EV.typing, { circle: frame.circle, chat: frame.group || frame.circle, user: frame.user });
      break;
    case 'read':
      reads.moved(frame.group || frame.circle, frame.user, frame.seq);
      break;
    case 'notification':
      notes.pushed(frame);
      break;
    case 'notifications_read':
      notes.read({ ids: frame.ids, upTo: frame.up_to, unread: frame.unread });
      break;
    case 'bye':
      state.emit(EV.bye, { reason: frame.reason });
      break;
    default:
      break; // a newer server's push: ignore what we do not know
  }
}
