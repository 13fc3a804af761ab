// The socket's logic (web-client/js/connection-state.js) without a WebSocket or timers:
// a fake clock, a fake server that keeps each chat's messages by seq and each say's nonce
// once (as the real one does), and connections that drop when the test says so.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectionState, DEFAULT_LIMITS, FIRST_DELAY_MS, MAX_DELAY_MS, backoff, nextDelay, shouldReconnect,
} from '../../web-client/js/connection-state.js';

/** The server's side: chats with their messages, a nonce stored once. */
class FakeServer {
  constructor({ heartbeat = 25, limits = { frame_bytes: 65536, text_chars: 4000 } } = {}) {
    this.heartbeat = heartbeat;
    this.limits = limits;
    this.chats = new Map(); // chat → [{seq, text, nonce}]
    this.nonces = new Map(); // nonce → seq
    this.joined = new Set();
    this.sent = []; // every frame the client sent
    this.silent = false; // answers nothing (a dead connection TCP has not noticed)
    this.refuse = new Map(); // frame type → error code (or {code, reason, params}) to answer once
  }

  chat(id) {
    if (!this.chats.has(id)) this.chats.set(id, []);
    return this.chats.get(id);
  }

  /** Someone else writes in a chat: the stored message and its push. */
  post(chat, text) {
    const list = this.chat(chat);
    const msg = { t: 'msg', circle: chat, seq: list.length + 1, text, from: { id: 'u2', name: 'Bob' }, ts: 1 };
    list.push(msg);
    return msg;
  }

  /** The answers and pushes for one frame from the client. */
  handle(frame) {
    this.sent.push(frame);
    if (this.silent) return [];
    const refused = this.refuse.get(frame.t);
    if (refused) {
      this.refuse.delete(frame.t);
      const { code, ...why } = typeof refused === 'string' ? { code: refused } : refused; // why: reason, params
      return [{ t: 'error', id: frame.id, code, message: code, ...why }];
    }
    const chat = frame.group || frame.circle;
    switch (frame.t) {
      case 'hello':
        this.joined.clear();
        return [{ t: 'welcome', id: frame.id, user: { id: 'u1', name: 'Ann' }, heartbeat: this.heartbeat, limits: this.limits }];
      case 'join': {
        this.joined.add(chat);
        const list = this.chat(chat);
        const out = [{ t: 'joined', id: frame.id, circle: frame.circle, last_seq: list.length, online: 1 }];
        if (frame.since != null) out.push(...list.filter((m) => m.seq > frame.since));
        return out;
      }
      case 'say': {
        let seq = this.nonces.get(frame.nonce);
        const out = [];
        if (seq == null) {
          const list = this.chat(chat);
          seq = list.length + 1;
          const msg = { t: 'msg', circle: frame.circle, seq, text: frame.text, nonce: frame.nonce, from: { id: 'u1', name: 'Ann' }, ts: 1 };
          list.push(msg);
          this.nonces.set(frame.nonce, seq);
          out.push(msg);
        }
        out.unshift({ t: 'ok', id: frame.id, seq, ts: 1 });
        return out;
      }
      case 'ping':
        return [{ t: 'pong', id: frame.id }];
      case 'leave':
        this.joined.delete(chat);
        return [{ t: 'ok', id: frame.id }];
      default:
        return [{ t: 'ok', id: frame.id }];
    }
  }
}

/** The client: the machine, a clock, the connection's state, what it announced. */
class Harness {
  constructor(options = {}) {
    this.now = 1_000_000;
    this.server = options.server || new FakeServer();
    this.machine = new ConnectionState({ token: 'tok', random: options.random || (() => 0.5), ...options.machine });
    this.open = false; // the TCP connection exists
    this.events = [];
    this.settled = [];
    this.inbox = [];
    this.autoOpen = options.autoOpen !== false;
  }

  /** Carry out the machine's actions; deliver the server's answers (until nothing is left). */
  pump() {
    for (let round = 0; round < 100; round += 1) {
      const actions = this.machine.take();
      if (!actions.length && !this.inbox.length) return;
      for (const action of actions) {
        if (action.type === 'open') this.opening = true;
        else if (action.type === 'send' && this.open) this.inbox.push(...this.server.handle(action.frame));
        else if (action.type === 'close') this.open = false;
        else if (action.type === 'emit') this.events.push({ name: action.name, detail: action.detail });
        else this.settled.push(action);
      }
      if (this.opening && this.autoOpen) {
        this.opening = false;
        this.open = true;
        this.machine.opened(this.now);
        continue;
      }
      const frames = this.inbox;
      this.inbox = [];
      for (const frame of frames) this.machine.received(frame, this.now);
    }
    throw new Error('the machine did not settle');
  }

  start() {
    this.machine.start(this.now);
    this.pump();
  }

  /** The network drops: the client sees a close with `code`. */
  drop(code = 1006) {
    this.open = false;
    this.machine.closed(code, this.now);
    this.pump();
  }

  /** Let time pass to the machine's next deadline (or by ms). */
  advance(ms) {
    const target = ms == null ? this.machine.deadline() : this.now + ms;
    assert.ok(target != null, 'something should be waiting');
    this.now = Math.max(this.now, target);
    this.machine.tick(this.now);
    this.pump();
  }

  /** Deliver a push from the server (when connected). */
  push(frame) {
    this.machine.received(frame, this.now);
    this.pump();
  }

  named(name) {
    return this.events.filter((e) => e.name === name).map((e) => e.detail);
  }

  states() {
    return this.named('state').map((d) => d.state);
  }
}

test('closes that end the session and closes that are worth a retry', () => {
  for (const code of [1000, 4001, 4003, 4008, 1009]) assert.equal(shouldReconnect(code), false, code);
  for (const code of [1006, 1012, 4009, 4029, 1001, 4999]) assert.equal(shouldReconnect(code), true, code);
});

test('backoff: full jitter below a delay that doubles up to its cap', () => {
  let delay = FIRST_DELAY_MS;
  const delays = [];
  for (let i = 0; i < 12; i += 1) {
    delays.push(delay);
    for (const r of [0, 0.25, 0.999999, 1]) {
      const wait = backoff(delay, () => r);
      assert.ok(wait >= 0 && wait < delay, `wait ${wait} within [0, ${delay})`);
    }
    delay = nextDelay(delay);
  }
  assert.deepEqual(delays.slice(0, 7), [500, 1000, 2000, 4000, 8000, 16000, 30000]);
  assert.ok(delays.every((d) => d <= MAX_DELAY_MS));
  assert.equal(delays.at(-1), MAX_DELAY_MS);
});

test('the states: idle, connecting, online, offline with its retry time, reconnecting', () => {
  const c = new Harness({ random: () => 0.5 });
  assert.equal(c.machine.state, 'idle');
  assert.equal(c.machine.deadline(), null);
  c.start();
  assert.deepEqual(c.states(), ['connecting', 'online']);
  assert.equal(c.server.sent[0].t, 'hello');
  assert.equal(c.server.sent[0].token, 'tok');

  const dropped = c.now;
  c.drop(1006);
  const offline = c.named('state').at(-1);
  assert.equal(offline.state, 'offline');
  assert.equal(offline.retryAt, dropped + 0.5 * FIRST_DELAY_MS);
  assert.equal(c.machine.deadline(), offline.retryAt);

  c.machine.tick(offline.retryAt - 1); // not yet
  assert.deepEqual(c.machine.take(), []);
  c.advance();
  assert.deepEqual(c.states().slice(-2), ['reconnecting', 'online']);
  assert.equal(c.named('welcome').at(-1).again, true);
});

test('successive failures wait longer, never past the cap; a welcome starts again from the first delay', () => {
  const c = new Harness({ random: () => 0.999999, autoOpen: true });
  c.start();
  c.server.silent = true; // the server is down: every hello goes unanswered…
  c.drop();
  const waits = [];
  for (let i = 0; i < 10; i += 1) {
    const { retryAt } = c.named('state').at(-1);
    waits.push(retryAt - c.now);
    c.advance(); // reconnect: opens, says hello
    c.drop(); // …and the connection fails
  }
  for (let i = 1; i < waits.length; i += 1) assert.ok(waits[i] >= waits[i - 1] - 0.001, `${waits}`);
  assert.ok(waits.every((w) => w < MAX_DELAY_MS));
  assert.ok(waits.at(-1) > MAX_DELAY_MS * 0.99);

  c.server.silent = false;
  c.advance();
  assert.equal(c.machine.state, 'online');
  c.drop();
  assert.ok(c.named('state').at(-1).retryAt - c.now < FIRST_DELAY_MS);
});

test('a 4001 close ends the session: offline for good, unauthenticated, no retry', () => {
  const c = new Harness();
  c.start();
  c.drop(4001);
  const last = c.named('state').at(-1);
  assert.equal(last.state, 'offline');
  assert.equal(last.final, true);
  assert.equal(last.retryAt, undefined);
  assert.equal(c.named('unauthenticated').length, 1);
  assert.equal(c.machine.deadline(), null);
  c.machine.tick(c.now + 3_600_000);
  assert.deepEqual(c.machine.take(), []);
});

test('a 4009 close (too slow) resumes: every joined chat again, from its since', () => {
  const c = new Harness();
  c.start();
  c.machine.join('c1', null, null, c.now);
  c.machine.join('c1', 'g2', null, c.now);
  c.server.post('c1', 'before');
  c.pump();
  c.push(c.server.post('c1', 'one'));
  c.push(c.server.post('g2', 'two'));
  assert.equal(c.machine.sinceOf('c1'), 2);
  assert.equal(c.machine.sinceOf('c1', 'g2'), 1);

  c.drop(4009);
  c.server.post('c1', 'missed');
  c.advance();
  assert.equal(c.machine.state, 'online');
  const joins = c.server.sent.filter((f) => f.t === 'join').slice(-2);
  assert.deepEqual(joins.map((f) => [f.circle, f.group, f.since]), [['c1', undefined, 2], ['c1', 'g2', 1]]);
  const missed = c.named('push').filter((f) => f.text === 'missed');
  assert.equal(missed.length, 1);
  assert.equal(c.machine.sinceOf('c1'), 3);
});

test('a chat left is not joined again; one refused is announced and dropped', () => {
  const c = new Harness();
  c.start();
  c.machine.join('c1', null, 5, c.now);
  c.machine.join('c2', null, null, c.now);
  c.machine.join('c3', null, null, c.now);
  c.pump();
  c.machine.leave('c2', null, c.now);
  c.pump();
  c.server.refuse.set('join', 'forbidden');
  c.drop();
  c.advance();
  const rejoined = c.server.sent.filter((f) => f.t === 'join').slice(3).map((f) => f.circle);
  assert.deepEqual(rejoined, ['c1', 'c3']);
  assert.deepEqual(c.named('join-failed').map((d) => [d.circle, d.code]), [['c1', 'forbidden']]);
  assert.deepEqual([...c.machine.joined.keys()], ['c3']);
});

test('unacknowledged says are sent again after a new welcome, same nonce, settled once', () => {
  const c = new Harness();
  c.start();
  c.machine.join('c1', null, 0, c.now);
  c.pump();
  // Said while offline: queued.
  c.drop();
  c.machine.say('c1', 'queued', null, null, 'n-1', c.now);
  c.pump();
  assert.equal(c.server.sent.filter((f) => f.t === 'say').length, 0);
  c.advance();
  assert.deepEqual(c.server.sent.filter((f) => f.t === 'say').map((f) => f.nonce), ['n-1']);
  assert.deepEqual(c.named('said').map((d) => [d.nonce, d.seq]), [['n-1', 1]]);

  // Sent, stored by the server, but the ok is lost with the connection: sent again, one message.
  const server = c.server;
  const realHandle = server.handle.bind(server);
  server.handle = (frame) => {
    const out = realHandle(frame);
    if (frame.t === 'say' && frame.nonce === 'n-2') {
      server.handle = realHandle;
      return []; // the connection dies before anything comes back
    }
    return out;
  };
  c.machine.say('c1', 'lost ok', null, null, 'n-2', c.now);
  c.pump();
  assert.equal(c.machine.unacknowledged().length, 1);
  c.drop();
  c.advance();
  const says = server.sent.filter((f) => f.t === 'say' && f.nonce === 'n-2');
  assert.equal(says.length, 2);
  assert.equal(server.chat('c1').filter((m) => m.nonce === 'n-2').length, 1);
  assert.deepEqual(c.named('said').map((d) => d.nonce), ['n-1', 'n-2']);
  assert.equal(c.machine.unacknowledged().length, 0);

  // A duplicated ok (an answer to an earlier send) settles nothing twice.
  c.push({ t: 'ok', id: says[0].id, seq: 2, ts: 1 });
  assert.equal(c.named('said').length, 2);
  // The same nonce said twice is one message.
  c.machine.say('c1', 'twice', null, null, 'n-3', c.now);
  c.machine.say('c1', 'twice', null, null, 'n-3', c.now);
  c.pump();
  assert.equal(server.sent.filter((f) => f.nonce === 'n-3').length, 1);
});

test('a say refused for a while is tried again; a say refused for good is reported', () => {
  const c = new Harness();
  c.start();
  c.server.refuse.set('say', 'rate_limited');
  c.machine.say('c1', 'slow down', null, null, 'n-a', c.now);
  c.pump();
  assert.equal(c.named('said').length, 0);
  c.advance();
  assert.deepEqual(c.named('said').map((d) => d.nonce), ['n-a']);

  c.server.refuse.set('say', 'too_long');
  c.machine.say('c1', 'x'.repeat(5000), null, 'g1', 'n-b', c.now);
  c.pump();
  assert.deepEqual(c.named('say-failed').map((d) => [d.nonce, d.group, d.code]), [['n-b', 'g1', 'too_long']]);
  c.drop();
  c.advance();
  assert.equal(c.server.sent.filter((f) => f.nonce === 'n-b').length, 1);
});

test('a say refused for slow mode or a mute is reported with its reason, not tried again', () => {
  const c = new Harness();
  c.start();
  c.server.refuse.set('say', { code: 'rate_limited', reason: 'slow_mode', params: { wait_ms: 8200 } });
  c.machine.say('c1', 'too soon', null, null, 'n-s', c.now);
  c.pump();
  c.server.refuse.set('say', { code: 'forbidden', reason: 'muted', params: { until: 9007199254740991 } });
  c.machine.say('c1', 'hush', null, null, 'n-m', c.now);
  c.pump();
  c.advance();
  assert.deepEqual(c.named('say-failed').map((d) => [d.nonce, d.code, d.reason, d.params]), [
    ['n-s', 'rate_limited', 'slow_mode', { wait_ms: 8200 }],
    ['n-m', 'forbidden', 'muted', { until: 9007199254740991 }],
  ]);
  assert.equal(c.named('said').length, 0);
  assert.equal(c.server.sent.filter((f) => f.nonce === 'n-s').length, 1);
});

test('a discarded say is never sent again', () => {
  const c = new Harness();
  c.start();
  c.drop();
  c.machine.say('c1', 'never mind', null, null, 'n-x', c.now);
  c.machine.forget('n-x');
  c.advance();
  assert.equal(c.server.sent.filter((f) => f.t === 'say').length, 0);
});

test('heartbeat: a ping every heartbeat; no pong within another one drops and reconnects', () => {
  const c = new Harness({ server: new FakeServer({ heartbeat: 10 }) });
  c.start();
  const t0 = c.now;
  assert.equal(c.machine.deadline(), t0 + 10_000);
  c.advance();
  assert.equal(c.server.sent.at(-1).t, 'ping');
  assert.equal(c.machine.state, 'online');
  c.advance();
  assert.equal(c.server.sent.filter((f) => f.t === 'ping').length, 2);

  c.server.silent = true; // TCP is up, nothing answers
  c.advance(); // third ping
  assert.equal(c.machine.state, 'online');
  c.advance(); // its pong is late: dead
  const last = c.named('state').at(-1);
  assert.equal(last.state, 'offline');
  assert.equal(c.open, false, 'the dead connection is closed');
  assert.equal(c.now - t0, 40_000);
});

test('an unanswered hello starts over; a request times out; requests offline fail at once', () => {
  const c = new Harness();
  c.server.silent = true;
  c.start();
  assert.equal(c.machine.state, 'connecting');
  c.advance(); // the hello's deadline
  assert.equal(c.machine.state, 'offline');

  c.server.silent = false;
  const offlineId = c.machine.request({ t: 'history', circle: 'c1' }, c.now);
  c.pump();
  assert.deepEqual(c.settled.at(-1), { type: 'reject', id: offlineId, code: 'offline', message: 'Not connected right now.' });

  c.advance();
  assert.equal(c.machine.state, 'online');
  const id = c.machine.request({ t: 'history', circle: 'c1' }, c.now, 5000);
  c.pump();
  assert.deepEqual(c.settled.at(-1).type, 'resolve');
  c.server.silent = true;
  const late = c.machine.request({ t: 'history', circle: 'c1' }, c.now, 5000);
  c.pump();
  assert.equal(c.machine.deadline(), c.now + 5000);
  c.advance();
  assert.deepEqual(c.settled.at(-1), { type: 'reject', id: late, code: 'timeout', message: 'The server did not answer in time.' });
  assert.notEqual(id, late);
});

test('a drop fails the requests in flight; the network coming back skips the wait', () => {
  const c = new Harness();
  c.start();
  c.server.silent = true;
  const id = c.machine.request({ t: 'star', circle: 'c1', seq: 1 }, c.now);
  c.pump();
  c.server.silent = false;
  c.drop();
  assert.deepEqual(c.settled.at(-1), { type: 'reject', id, code: 'disconnected', message: 'The connection was lost.' });
  c.machine.retryNow(c.now);
  c.pump();
  assert.equal(c.machine.state, 'online');
  c.machine.retryNow(c.now); // already connected: nothing
  assert.deepEqual(c.machine.take(), []);
});

test('stop closes and stays stopped', () => {
  const c = new Harness();
  c.start();
  c.machine.stop();
  c.pump();
  assert.equal(c.open, false);
  assert.equal(c.machine.state, 'stopped');
  assert.equal(c.machine.deadline(), null);
  c.machine.closed(1006, c.now); // a late close event changes nothing
  assert.deepEqual(c.machine.take(), []);
});

test('the limits of the welcome are kept and announced', () => {
  const c = new Harness({ server: new FakeServer({ limits: { frame_bytes: 1024, text_chars: 300, media_bytes: 5 } }) });
  assert.deepEqual(c.machine.limits, DEFAULT_LIMITS);
  c.start();
  assert.deepEqual(c.machine.limits, { frame_bytes: 1024, text_chars: 300, media_bytes: 5 });
  assert.deepEqual(c.named('limits').at(-1).limits, c.machine.limits);
});
