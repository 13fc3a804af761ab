// The WebSocket session's logic without the WebSocket (Sans-I/O): a state machine that is
// told what happened — opened, a frame received, closed, time passed — and answers with
// actions for socket.js to carry out: open a connection, send a frame, close it, settle a
// request, announce an event. No timers inside: deadline() says when tick(now) is due.
// Node's test runner drives it directly (tests/node/reconnect.test.js).
//
// What it keeps (PROTOCOL.md, subprotocol quanzi.v1.json):
// - the state: idle → connecting → online → offline (retryAt) → reconnecting → online …;
//   offline with `final` after a close that says "do not come back as you are", and
//   stopped after stop();
// - backoff with full jitter: the wait after a close is random in [0, delay), delay
//   doubling from FIRST_DELAY_MS up to MAX_DELAY_MS, back to the first after a welcome;
// - the chats joined (a circle's group; general's id is the circle's) and each one's
//   resume position `since`: the highest seq of its live stream (or the joined reply's
//   last_seq), sent with the join after every welcome so the server sends what was missed;
// - the says not yet acknowledged, by nonce: sent again after every new welcome with the
//   same nonce (the server stores a nonce once, so a resend never makes a second message),
//   settled once by the first ok;
// - the heartbeat: a ping every `heartbeat` seconds of the welcome; no pong within another
//   heartbeat means the connection is dead even if TCP has not noticed: drop and reconnect;
// - the limits of the welcome (frame_bytes, text_chars and any others the server adds).
//
// Actions (take()): {type: 'open'} · {type: 'send', frame} · {type: 'close', code} ·
// {type: 'resolve', id, frame} · {type: 'reject', id, code, message} ·
// {type: 'emit', name, detail} with the names of EVENTS below.

// protocol/close_codes.py's NO_RECONNECT (tests/protocol keeps the two equal): these mean
// "do not come back as you are" — a user's decision, a new token, or a fixed client.
const FINAL_CLOSES = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010, 4001, 4003, 4008]);

export const CLOSE_UNAUTHENTICATED = 4001;
export const CLOSE_ABNORMAL = 1006;
export const FIRST_DELAY_MS = 500;
export const MAX_DELAY_MS = 30000;
export const REQUEST_TIMEOUT_MS = 10000;
export const SAY_TIMEOUT_MS = 15000;
export const RETRY_LATER_MS = 1500;
export const DEFAULT_HEARTBEAT_S = 25;
/** Until a welcome says otherwise (PROTOCOL.md's defaults). */
export const DEFAULT_LIMITS = Object.freeze({ frame_bytes: 65536, text_chars: 4000 });

/** The events the socket announces (CustomEvent names; detail as listed in socket.js). */
export const EVENTS = Object.freeze({
  state: 'state',
  welcome: 'welcome',
  limits: 'limits',
  joined: 'joined',
  joinFailed: 'join-failed',
  push: 'push',
  said: 'said',
  sayFailed: 'say-failed',
  unauthenticated: 'unauthenticated',
});

export function shouldReconnect(code) {
  return !FINAL_CLOSES.has(code);
}

/** The wait before the next attempt: full jitter below the current delay. */
export function backoff(delay, random = Math.random) {
  return Math.min(random(), 0.999999) * delay;
}

export function nextDelay(delay, maxMs = MAX_DELAY_MS) {
  return Math.min(delay * 2, maxMs);
}

/** The chat a frame is about: its group, or the circle (its general group). */
export function chatKey(circle, group) {
  return group || circle;
}

export class ConnectionState {
  constructor({
    token = null,
    random = Math.random,
    firstDelayMs = FIRST_DELAY_MS,
    maxDelayMs = MAX_DELAY_MS,
    requestTimeoutMs = REQUEST_TIMEOUT_MS,
    sayTimeoutMs = SAY_TIMEOUT_MS,
  } = {}) {
    this.token = token;
    this.random = random;
    this.firstDelayMs = firstDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.requestTimeoutMs = requestTimeoutMs;
    this.sayTimeoutMs = sayTimeoutMs;

    this.state = 'idle';
    this.connected = false; // a connection exists (opening or open)
    this.connectedOnce = false;
    this.retryAt = null;
    this.delay = firstDelayMs;
    this.heartbeatMs = DEFAULT_HEARTBEAT_S * 1000;
    this.nextPingAt = null;
    this.limits = { ...DEFAULT_LIMITS };
    this.welcome = null;

    this.nextId = 1;
    this.inflight = new Map(); // id → {kind, deadline, …}
    this.joined = new Map(); // chat → {circle, group}
    this.since = new Map(); // chat → highest seq of its live stream
    this.says = new Map(); // nonce → say frame (without id), in the order they were said
    this.later = new Map(); // `say:${nonce}` / `join:${chat}` → when to try again
    this.outbox = [];
  }

  // -- outputs ---------------------------------------------------------------------------

  /** The actions decided since the last take(), in order. */
  take() {
    const actions = this.outbox;
    this.outbox = [];
    return actions;
  }

  /** When tick() is next due (ms, the clock of the inputs), or null: nothing waits. */
  deadline() {
    let next = null;
    const consider = (at) => {
      if (at != null && (next == null || at < next)) next = at;
    };
    if (this.state === 'offline') consider(this.retryAt);
    if (this.state === 'online') consider(this.nextPingAt);
    for (const entry of this.inflight.values()) consider(entry.deadline);
    for (const at of this.later.values()) consider(at);
    return next;
  }

  get online() {
    return this.state === 'online';
  }

  emit(name, detail) {
    this.outbox.push({ type: 'emit', name, detail });
  }

  setState(state, extra = {}) {
    this.state = state;
    this.emit(EVENTS.state, { state, ...extra });
  }

  // -- the connection --------------------------------------------------------------------

  start(now) {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.connect(now);
  }

  stop() {
    if (this.connected) this.outbox.push({ type: 'close', code: 1000 });
    this.connected = false;
    this.failInflight('disconnected', 'The connection was lost.');
    this.later.clear();
    this.retryAt = null;
    this.setState('stopped');
  }

  /** Skip the rest of the backoff wait (the user asked, or the network came back). */
  retryNow(now) {
    if (this.state === 'stopped' || this.state === 'idle' || this.connected) return;
    this.connect(now);
  }

  connect() {
    this.retryAt = null;
    this.connected = true;
    this.setState(this.connectedOnce ? 'reconnecting' : 'connecting');
    this.outbox.push({ type: 'open' });
  }

  /** The WebSocket is open: say hello. */
  opened(now) {
    if (!this.connected) return;
    this.sendRequest({ t: 'hello', token: this.token }, now, { kind: 'hello' });
  }

  /** Give up on this connection now (dead heartbeat, network gone) and reconnect. */
  drop(now) {
    if (!this.connected) return;
    this.outbox.push({ type: 'close', code: null });
    this.closed(CLOSE_ABNORMAL, now);
  }

  /** The connection closed (or could not be opened): the close code decides what follows. */
  closed(code, now) {
    if (!this.connected) return;
    this.connected = false;
    this.nextPingAt = null;
    this.failInflight('disconnected', 'The connection was lost.');
    for (const key of [...this.later.keys()]) if (key.startsWith('join:')) this.later.delete(key);
    if (code === CLOSE_UNAUTHENTICATED) {
      this.setState('offline', { reason: 'Signed out', code, final: true });
      this.emit(EVENTS.unauthenticated, {});
      return;
    }
    if (!shouldReconnect(code)) {
      this.setState('offline', { reason: `Disconnected (code ${code})`, code, final: true });
      return;
    }
    const wait = backoff(this.delay, this.random);
    this.delay = nextDelay(this.delay, this.maxDelayMs);
    this.retryAt = now + wait;
    this.setState('offline', { retryAt: this.retryAt, code });
  }

  /** Time passed: retry, ping, time out requests, try again what was refused for a while. */
  tick(now) {
    if (this.state === 'offline' && this.retryAt != null && now >= this.retryAt) {
      this.connect(now);
      return;
    }
    for (const [id, entry] of [...this.inflight]) {
      if (entry.deadline != null && now >= entry.deadline && this.inflight.get(id) === entry) {
        this.inflight.delete(id);
        this.failed(id, entry, 'timeout', 'The server did not answer in time.', now);
      }
    }
    if (this.state === 'online' && this.nextPingAt != null && now >= this.nextPingAt) {
      // No pong within another heartbeat: the ping's deadline drops the connection.
      this.sendRequest({ t: 'ping' }, now, { kind: 'ping', timeoutMs: this.heartbeatMs });
      this.nextPingAt = now + this.heartbeatMs;
    }
    for (const [key, at] of [...this.later]) {
      if (now < at) continue;
      this.later.delete(key);
      if (!this.online) continue;
      if (key.startsWith('say:')) this.sendSay(key.slice(4), now);
      else if (this.joined.has(key.slice(5))) this.sendJoin(key.slice(5), now);
    }
  }

  /** A frame from the server (parsed JSON). */
  received(frame, now) {
    if (!frame || typeof frame !== 'object') return;
    const entry = frame.id != null ? this.inflight.get(frame.id) : undefined;
    if (entry) {
      this.inflight.delete(frame.id);
      if (frame.t === 'error') this.failed(frame.id, entry, frame.code, frame.message, now, frame);
      else this.answered(frame.id, entry, frame, now);
      return;
    }
    if (frame.t === 'msg' && typeof frame.seq === 'number') {
      const chat = chatKey(frame.circle, frame.group);
      if (this.joined.has(chat)) {
        const at = this.since.get(chat);
        if (at == null || frame.seq > at) this.since.set(chat, frame.seq);
      }
    }
    this.emit(EVENTS.push, frame);
  }

  // -- requests --------------------------------------------------------------------------

  sendRequest(frame, now, { kind = 'request', timeoutMs, ...extra } = {}) {
    const id = this.nextId++;
    const wait = timeoutMs ?? (kind === 'say' ? this.sayTimeoutMs : this.requestTimeoutMs);
    this.inflight.set(id, { kind, deadline: now + wait, ...extra });
    this.outbox.push({ type: 'send', frame: { ...frame, id } });
    return id;
  }

  /** A request of the caller's (history, star…); the answer comes as resolve/reject of its id. */
  request(frame, now, timeoutMs) {
    if (!this.online) {
      const id = this.nextId++;
      this.outbox.push({ type: 'reject', id, code: 'offline', message: 'Not connected right now.' });
      return id;
    }
    return this.sendRequest(frame, now, { timeoutMs });
  }

  answered(id, entry, frame, now) {
    switch (entry.kind) {
      case 'hello':
        this.welcomed(frame, now);
        break;
      case 'join': {
        if (this.joined.has(entry.chat) && this.since.get(entry.chat) == null && typeof frame.last_seq === 'number') {
          this.since.set(entry.chat, frame.last_seq);
        }
        this.emit(EVENTS.joined, frame);
        break;
      }
      case 'say': {
        const say = this.says.get(entry.nonce);
        if (!say) break; // settled by an earlier send
        this.says.delete(entry.nonce);
        this.later.delete(`say:${entry.nonce}`);
        this.emit(EVENTS.said, { circle: say.circle, group: say.group || null, nonce: entry.nonce, seq: frame.seq, ts: frame.ts });
        break;
      }
      default:
        break;
    }
    this.outbox.push({ type: 'resolve', id, frame });
  }

  failed(id, entry, code, message, now, { reason, params } = {}) {
    switch (entry.kind) {
      case 'hello':
        // Unauthenticated: the server closes with 4001. No answer in time: start over.
        if (code === 'timeout') this.drop(now);
        break;
      case 'ping':
        if (code === 'timeout') this.drop(now);
        break;
      case 'join': {
        const chat = entry.chat;
        const where = this.joined.get(chat) || { circle: chat, group: null };
        if (code === 'forbidden' || code === 'not_found') {
          this.joined.delete(chat);
          this.since.delete(chat);
          this.emit(EVENTS.joinFailed, { circle: where.circle, group: where.group, code, message });
        } else if (code === 'rate_limited' && this.joined.has(chat)) {
          // Rejoining very many chats at once can outrun the frame limit: try again.
          this.later.set(`join:${chat}`, now + RETRY_LATER_MS);
        }
        break;
      }
      case 'say': {
        const say = this.says.get(entry.nonce);
        if (!say) break;
        if (code === 'disconnected' || code === 'timeout') break; // sent again after the next welcome
        // Slow mode is the group's rule, not a burst: the person decides when to send again.
        if ((code === 'rate_limited' && reason !== 'slow_mode') || code === 'internal') {
          this.later.set(`say:${entry.nonce}`, now + RETRY_LATER_MS);
          break;
        }
        this.says.delete(entry.nonce);
        this.emit(EVENTS.sayFailed, {
          circle: say.circle, group: say.group || null, nonce: entry.nonce, code, message, reason, params,
        });
        break;
      }
      default:
        break;
    }
    this.outbox.push({ type: 'reject', id, code, message });
  }

  failInflight(code, message) {
    const all = [...this.inflight];
    this.inflight.clear();
    for (const [id, entry] of all) {
      if (entry.kind === 'say' || entry.kind === 'join' || entry.kind === 'request' || entry.kind === 'leave') {
        this.outbox.push({ type: 'reject', id, code, message });
      }
    }
  }

  welcomed(welcome, now) {
    this.delay = this.firstDelayMs;
    this.heartbeatMs = (welcome.heartbeat || DEFAULT_HEARTBEAT_S) * 1000;
    this.limits = { ...DEFAULT_LIMITS, ...(welcome.limits || {}) };
    this.welcome = welcome;
    const again = this.connectedOnce;
    this.connectedOnce = true;
    this.nextPingAt = now + this.heartbeatMs;
    this.setState('online');
    this.emit(EVENTS.limits, { limits: this.limits });
    for (const chat of this.joined.keys()) this.sendJoin(chat, now);
    for (const nonce of this.says.keys()) this.sendSay(nonce, now);
    this.emit(EVENTS.welcome, { welcome, again });
  }

  // -- chats -----------------------------------------------------------------------------

  /**
   * Follow a chat (kept across reconnects until leave). `since`: the highest seq already
   * held (null: only new ones from now). Returns the id of the join request, or null when
   * offline (it is sent after the next welcome).
   */
  join(circle, group, since, now) {
    const chat = chatKey(circle, group);
    this.joined.set(chat, { circle, group: group && group !== circle ? group : null });
    if (since != null) this.since.set(chat, since);
    else this.since.delete(chat);
    if (!this.online) return null;
    return this.sendJoin(chat, now);
  }

  sendJoin(chat, now) {
    const { circle, group } = this.joined.get(chat);
    const frame = { t: 'join', circle };
    if (group) frame.group = group;
    const since = this.since.get(chat);
    if (since != null) frame.since = since;
    return this.sendRequest(frame, now, { kind: 'join', chat });
  }

  leave(circle, group, now) {
    const chat = chatKey(circle, group);
    this.since.delete(chat);
    this.later.delete(`join:${chat}`);
    if (!this.joined.delete(chat)) return;
    if (!this.online) return;
    const frame = { t: 'leave', circle };
    if (group && group !== circle) frame.group = group;
    this.sendRequest(frame, now, { kind: 'leave' });
  }

  sinceOf(circle, group = null) {
    const at = this.since.get(chatKey(circle, group));
    return at == null ? null : at;
  }

  // -- says ------------------------------------------------------------------------------

  /**
   * Queue a chat message under its nonce: sent now, or after the next welcome.
   * `attachments`: the ids of uploaded attachments (at most 9; the text may then be empty).
   */
  say(circle, text, replyTo, group, nonce, now, attachments = null) {
    const frame = { t: 'say', circle, text, nonce };
    if (replyTo) frame.reply_to = replyTo;
    if (attachments && attachments.length) frame.attachments = [...attachments];
    if (group && group !== circle) frame.group = group;
    if (this.says.has(nonce)) return nonce; // the same message again: one is enough
    this.says.set(nonce, frame);
    if (this.online) this.sendSay(nonce, now);
    return nonce;
  }

  /** Give up on an unsent say (the user discarded it). */
  forget(nonce) {
    this.says.delete(nonce);
    this.later.delete(`say:${nonce}`);
  }

  sendSay(nonce, now) {
    const frame = this.says.get(nonce);
    if (!frame) return null;
    return this.sendRequest(frame, now, { kind: 'say', nonce });
  }

  /** The says not yet acknowledged, in order. */
  unacknowledged() {
    return [...this.says.values()];
  }
}
