// The WebSocket session (PROTOCOL.md, subprotocol quanzi.v1.json): the I/O around
// connection-state.js, which decides everything — hello, requests matched to replies by
// id, heartbeat, reconnecting with backoff and full jitter, rejoining every joined chat
// with `since`, resending unacknowledged says with their nonces. This file only opens the
// WebSocket, sends and receives, keeps one timer at the machine's deadline and turns its
// actions into promises and events.
//
// Events (CustomEvent.detail; names in connection-state.js EVENTS): state {state, retryAt?,
// reason?, code?, final?} · welcome {welcome, again} · limits {limits} · joined (the joined
// frame) · push (a server push) · said {circle, group, nonce, seq, ts} · say-failed
// {circle, group, nonce, code, message, reason?, params?} · join-failed {circle, group, code} ·
// unauthenticated. A chat is a circle's group: `group` null (or the circle's id) is its
// general group; the joined chats are kept by their group id (general's: the circle's).
// `socket.limits` holds the welcome's limits (text_chars, frame_bytes…), defaults before.

import { ConnectionState, EVENTS } from './connection-state.js';

/** The names of the socket's events (connection-state.js EVENTS). */
export const SOCKET_EVENTS = EVENTS;

const SUBPROTOCOL = 'quanzi.v1.json';

export class SocketError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export function makeNonce() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes); // randomUUID needs a secure context; this does not
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Socket extends EventTarget {
  /** sinceOf(chat) → the highest seq held of that chat (a group id), or null for "only new ones". */
  constructor({ url, token, sinceOf = () => null }) {
    super();
    this.url = url;
    this.sinceOf = sinceOf;
    this.machine = new ConnectionState({ token });
    this.ws = null;
    this.replies = new Map(); // request id → {resolve, reject}
    this.timer = null;
    this.timerAt = null;
    this.onBrowserOnline = () => this.retryNow();
    this.onBrowserOffline = () => this.run((now) => this.machine.drop(now));
  }

  get state() {
    return this.machine.state;
  }

  get limits() {
    return this.machine.limits;
  }

  start() {
    window.addEventListener('online', this.onBrowserOnline);
    window.addEventListener('offline', this.onBrowserOffline);
    this.run((now) => this.machine.start(now));
  }

  stop() {
    window.removeEventListener('online', this.onBrowserOnline);
    window.removeEventListener('offline', this.onBrowserOffline);
    this.run(() => this.machine.stop());
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Skip the rest of the backoff wait (the user asked, or the network came back). */
  retryNow() {
    this.run((now) => this.machine.retryNow(now));
  }

  // -- carrying out the machine's actions ----------------------------------------------

  /** Feed the machine one input, then do what it decided and set the timer it wants. */
  run(input) {
    const result = input(Date.now());
    for (const action of this.machine.take()) this.perform(action);
    this.schedule();
    return result;
  }

  perform(action) {
    switch (action.type) {
      case 'open':
        this.open();
        break;
      case 'send':
        if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(action.frame));
        break;
      case 'close': {
        const ws = this.detach();
        try {
          if (ws) ws.close(action.code || undefined);
        } catch {
          // already closing
        }
        break;
      }
      case 'resolve':
      case 'reject': {
        const waiting = this.replies.get(action.id);
        if (!waiting) break;
        this.replies.delete(action.id);
        if (action.type === 'resolve') waiting.resolve(action.frame);
        else waiting.reject(new SocketError(action.code, action.message));
        break;
      }
      case 'emit':
        this.dispatchEvent(new CustomEvent(action.name, { detail: action.detail }));
        break;
      default:
        break;
    }
  }

  schedule() {
    const at = this.machine.deadline();
    if (at === this.timerAt && this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at == null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      this.run((now) => this.machine.tick(now));
    }, Math.max(0, at - Date.now()));
  }

  open() {
    this.detach();
    let ws;
    try {
      ws = new WebSocket(this.url, [SUBPROTOCOL]);
    } catch {
      queueMicrotask(() => this.run((now) => this.machine.closed(1006, now)));
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.run((now) => this.machine.opened(now));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.run((now) => this.machine.received(frame, now));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.detach();
      this.run((now) => this.machine.closed(event.code, now));
    };
  }

  detach() {
    const ws = this.ws;
    if (!ws) return null;
    ws.onopen = ws.onmessage = ws.onclose = null;
    this.ws = null;
    return ws;
  }

  /** A promise of the answer to the request the machine numbered `id`. */
  answer(id) {
    return new Promise((resolve, reject) => this.replies.set(id, { resolve, reject }));
  }

  /** Run an input that starts a request; its answer as a promise (registered before the actions run). */
  requesting(input) {
    const now = Date.now();
    const id = input(now);
    const promise = id == null ? Promise.resolve(null) : this.answer(id);
    for (const action of this.machine.take()) this.perform(action);
    this.schedule();
    return promise;
  }

  // -- requests ------------------------------------------------------------------------

  /** A request on a live session; rejects at once when offline. */
  request(frame, timeoutMs) {
    return this.requesting((now) => this.machine.request(frame, now, timeoutMs));
  }

  /** A frame with no reply (read markers); false when not connected. */
  send(frame) {
    if (!this.machine.online || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Follow a circle's chat (a group of it: general without one); kept across reconnects until leave(). */
  join(circle, group = null) {
    const chat = group || circle;
    return this.requesting((now) => this.machine.join(circle, group, this.sinceOf(chat), now));
  }

  leave(circle, group = null) {
    this.run((now) => this.machine.leave(circle, group, now));
  }

  /** "The user is typing" in a chat: a hint, no reply (the caller keeps to one per 3 s). */
  typing(circle, group = null) {
    const frame = { t: 'typing', circle };
    if (group && group !== circle) frame.group = group;
    return this.send(frame);
  }

  /** Queue a chat message; it is sent now or after the next welcome. Returns its nonce. */
  say(circle, text, replyTo, group = null, attachments = null) {
    const nonce = makeNonce();
    return this.run((now) => this.machine.say(circle, text, replyTo, group, nonce, now, attachments));
  }

  /** Give up on an unsent say (the user discarded it). */
  forget(nonce) {
    this.machine.forget(nonce);
  }
}
