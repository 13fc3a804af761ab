// The WebSocket session (PROTOCOL.md, subprotocol quanzi.v1.json): hello, requests matched
// to replies by id, pushes as events, heartbeat, and reconnecting on its own — backoff with
// full jitter, rejoin every joined circle with `since`, resend unacknowledged says with
// their nonces (the server stores a nonce once, so a resend never duplicates).
//
// Events (CustomEvent.detail): state {state, retryAt?, reason?} · welcome {welcome, again}
// · joined (the joined frame) · push (a server push) · said {circle, group, nonce, seq, ts}
// · say-failed {circle, group, nonce, code, message} · join-failed {circle, group, code}
// · unauthenticated. A chat is a circle's group: `group` null (or the circle's id) is its
// general group; the joined chats are kept by their group id (general's: the circle's).

const SUBPROTOCOL = 'quanzi.v1.json';
// protocol/close_codes.py's NO_RECONNECT (tests/protocol keeps the two equal): these mean
// "do not come back as you are" — a user's decision, a new token, or a fixed client.
const FINAL_CLOSES = new Set([1000, 1002, 1003, 1007, 1008, 1009, 1010, 4001, 4003, 4008]);
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const REQUEST_TIMEOUT_MS = 10000;

export function shouldReconnect(code) {
  return !FINAL_CLOSES.has(code);
}

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
  constructor({ url, token, sinceOf }) {
    super();
    this.url = url;
    this.token = token;
    this.sinceOf = sinceOf;
    this.ws = null;
    this.state = 'idle';
    this.delay = FIRST_DELAY_MS;
    this.nextId = 1;
    this.replies = new Map();
    this.joined = new Map(); // chat (group id; general's is the circle's) → {circle, group}
    this.says = new Map();
    this.heartbeatS = 25;
    this.limits = { text_chars: 4000 };
    this.connectedOnce = false;
    this.stopped = true;
    this.retryTimer = null;
    this.beatTimer = null;
    this.onBrowserOnline = () => this.retryNow();
    this.onBrowserOffline = () => this.drop();
  }

  start() {
    this.stopped = false;
    window.addEventListener('online', this.onBrowserOnline);
    window.addEventListener('offline', this.onBrowserOffline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onBrowserOnline);
    window.removeEventListener('offline', this.onBrowserOffline);
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.detach();
    if (ws) ws.close(1000);
    this.failReplies();
    this.setState('stopped');
  }

  /** Skip the rest of the backoff wait (the user asked, or the network came back). */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  // -- the connection ------------------------------------------------------------------

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setState(state, extra = {}) {
    this.state = state;
    this.emit('state', { state, ...extra });
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.setState(this.connectedOnce ? 'reconnecting' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url, [SUBPROTOCOL]);
    } catch {
      this.closed(1006);
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.hello();
    ws.onmessage = (event) => this.receive(event.data);
    ws.onclose = (event) => {
      if (this.ws === ws) this.closed(event.code);
    };
  }

  detach() {
    clearInterval(this.beatTimer);
    if (!this.ws) return;
    this.ws.onopen = this.ws.onmessage = this.ws.onclose = null;
    this.ws = null;
  }

  /** Give up on this connection now (dead heartbeat, network gone) and reconnect. */
  drop() {
    const ws = this.ws;
    if (!ws) return;
    this.detach();
    try {
      ws.close();
    } catch {
      // already closing
    }
    this.closed(1006);
  }

  closed(code) {
    this.detach();
    this.failReplies();
    if (this.stopped) return;
    if (code === 4001) {
      this.setState('offline', { reason: 'Signed out' });
      this.emit('unauthenticated', {});
      return;
    }
    if (!shouldReconnect(code)) {
      this.setState('offline', { reason: `Disconnected (code ${code})`, final: true });
      return;
    }
    const wait = Math.random() * this.delay; // full jitter
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.setState('offline', { retryAt: Date.now() + wait });
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  async hello() {
    let welcome;
    try {
      welcome = await this.rawRequest({ t: 'hello', token: this.token });
    } catch (err) {
      // unauthenticated: the server closes with 4001; no answer in time: start over.
      if (err.code === 'timeout') this.drop();
      return;
    }
    this.delay = FIRST_DELAY_MS;
    this.heartbeatS = welcome.heartbeat || 25;
    this.limits = welcome.limits || this.limits;
    const again = this.connectedOnce;
    this.connectedOnce = true;
    this.setState('online');
    this.startHeartbeat();
    for (const chat of this.joined.keys()) this.sendJoin(chat).catch(() => {});
    for (const nonce of this.says.keys()) this.sendSay(nonce);
    this.emit('welcome', { welcome, again });
  }

  startHeartbeat() {
    clearInterval(this.beatTimer);
    const every = this.heartbeatS * 1000;
    this.beatTimer = setInterval(() => {
      // No pong within another heartbeat: the connection is dead even if TCP has not noticed.
      this.rawRequest({ t: 'ping' }, every).catch((err) => {
        if (err.code === 'timeout') this.drop();
      });
    }, every);
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    const waiting = frame.id != null ? this.replies.get(frame.id) : undefined;
    if (waiting) {
      this.replies.delete(frame.id);
      clearTimeout(waiting.timer);
      if (frame.t === 'error') waiting.reject(new SocketError(frame.code, frame.message));
      else waiting.resolve(frame);
      return;
    }
    this.emit('push', frame);
  }

  failReplies() {
    for (const waiting of this.replies.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(new SocketError('disconnected', 'The connection was lost.'));
    }
    this.replies.clear();
  }

  // -- requests ------------------------------------------------------------------------

  rawRequest(frame, timeoutMs = REQUEST_TIMEOUT_MS) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(new SocketError('timeout', 'The server did not answer in time.'));
      }, timeoutMs);
      this.replies.set(id, { resolve, reject, timer });
      this.send({ ...frame, id });
    });
  }

  /** A request on a live session; rejects at once when offline. */
  request(frame, timeoutMs) {
    if (this.state !== 'online') {
      return Promise.reject(new SocketError('offline', 'Not connected right now.'));
    }
    return this.rawRequest(frame, timeoutMs);
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Follow a circle's chat (a group of it: general without one); kept across reconnects until leave(). */
  join(circle, group = null) {
    const chat = group || circle;
    this.joined.set(chat, { circle, group: group && group !== circle ? group : null });
    if (this.state !== 'online') return Promise.resolve(null);
    return this.sendJoin(chat);
  }

  async sendJoin(chat) {
    const { circle, group } = this.joined.get(chat) || { circle: chat, group: null };
    const frame = { t: 'join', circle };
    if (group) frame.group = group;
    const since = this.sinceOf(chat);
    if (since != null) frame.since = since;
    try {
      const joined = await this.rawRequest(frame);
      this.emit('joined', joined);
      return joined;
    } catch (err) {
      if (err.code === 'forbidden' || err.code === 'not_found') {
        this.joined.delete(chat);
        this.emit('join-failed', { circle, group, code: err.code, message: err.message });
      } else if (err.code === 'rate_limited') {
        // Rejoining very many chats at once can outrun the frame limit: try again.
        setTimeout(() => {
          if (this.state === 'online' && this.joined.has(chat)) this.sendJoin(chat).catch(() => {});
        }, 1500);
      }
      throw err;
    }
  }

  leave(circle, group = null) {
    const chat = group || circle;
    if (!this.joined.delete(chat)) return;
    const frame = { t: 'leave', circle };
    if (group && group !== circle) frame.group = group;
    if (this.state === 'online') this.rawRequest(frame).catch(() => {});
  }

  /** "The user is typing" in a chat: a hint, no reply (the caller keeps to one per 3 s). */
  typing(circle, group = null) {
    const frame = { t: 'typing', circle };
    if (group && group !== circle) frame.group = group;
    return this.state === 'online' && this.send(frame);
  }

  /** Queue a chat message; it is sent now or after the next welcome. Returns its nonce. */
  say(circle, text, replyTo, group = null) {
    const nonce = makeNonce();
    const frame = { t: 'say', circle, text, nonce };
    if (replyTo) frame.reply_to = replyTo;
    if (group && group !== circle) frame.group = group;
    this.says.set(nonce, frame);
    if (this.state === 'online') this.sendSay(nonce);
    return nonce;
  }

  /** Give up on an unsent say (the user discarded it). */
  forget(nonce) {
    this.says.delete(nonce);
  }

  async sendSay(nonce) {
    const frame = this.says.get(nonce);
    if (!frame) return;
    try {
      const ok = await this.rawRequest(frame, 15000);
      if (!this.says.delete(nonce)) return; // already settled by an earlier send
      this.emit('said', { circle: frame.circle, group: frame.group || null, nonce, seq: ok.seq, ts: ok.ts });
    } catch (err) {
      if (['disconnected', 'timeout'].includes(err.code)) return; // resent after reconnecting
      if (err.code === 'rate_limited' || err.code === 'internal') {
        setTimeout(() => this.state === 'online' && this.sendSay(nonce), 1500);
        return;
      }
      this.says.delete(nonce);
      this.emit('say-failed', { circle: frame.circle, group: frame.group || null, nonce, code: err.code, message: err.message });
    }
  }
}
