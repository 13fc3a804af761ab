// The client-side store under Node (no browser, no DOM): named events, a chat's messages in
// seq order and each once, own messages pending until confirmed, the welcome's limits;
// circle events applied in rev order exactly once, live or fetched by a catch-up; and the
// socket's logic feeding the store across drops with nothing lost or doubled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionState } from '../../web-client/js/connection-state.js';
import { EV, EVENT_NAMES } from '../../web-client/js/store/names.js';
import * as state from '../../web-client/js/store/state.js';
import { catchUpAll, closeCircle, openCircle, receive } from '../../web-client/js/circle-events.js';

state.session.user = { id: 'me', name: 'Ann' };

function collect(name) {
  const seen = [];
  const off = state.on(name, (detail) => seen.push(detail));
  return { seen, off };
}

test('event names are constants with the strings views already use', () => {
  assert.equal(EV.message, 'message');
  assert.equal(EV.starsChanged, 'stars');
  assert.equal(EV.sessionCleared, 'session-cleared');
  assert.equal(EV.limits, 'limits');
  assert.equal(EVENT_NAMES.size, Object.keys(EV).length, 'every name is different');
  assert.throws(() => { EV.message = 'x'; });

  const byName = collect(EV.message);
  const byString = collect('message');
  state.addMessage('names-chat', { seq: 1, text: 'hi', from: { id: 'u2', name: 'Bob' } });
  assert.equal(byName.seen.length, 1);
  assert.equal(byString.seen.length, 1);
  byName.off();
  byString.off();
});

test('a chat shows its messages in seq order, each once, from the stream, history and oks', () => {
  const chat = 'order-chat';
  const fresh = collect(EV.message);
  const from = { id: 'u2', name: 'Bob' };
  for (const seq of [5, 3, 5, 4, 3]) state.addMessage(chat, { seq, text: `m${seq}`, from }, { live: true });
  state.addHistory(chat, [1, 2, 3].map((seq) => ({ seq, text: `m${seq}`, from })), false);
  state.addMessage(chat, { seq: 4, text: 'm4', from }); // an ok's copy
  assert.deepEqual(state.messagesOf(chat).map((m) => m.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(fresh.seen.filter((d) => d.circle === chat).map((d) => d.message.seq), [5, 3, 4]);
  assert.equal(state.sinceOf(chat), 5, 'since follows the live stream only');
  fresh.off();
});

test('an own message is pending until confirmed, whichever comes first: the ok or its push', () => {
  const chat = 'pending-chat';
  state.resetChat(chat);
  state.addPending(chat, 'n1', 'first', null);
  state.addPending(chat, 'n2', 'second', null);
  assert.deepEqual(state.pendingOf(chat).map((p) => p.nonce), ['n1', 'n2']);
  assert.deepEqual(state.messagesOf(chat), []);

  // n1: the ok, then the push of the same message.
  state.confirmPending(chat, 'n1', 1, 100);
  state.addMessage(chat, { seq: 1, text: 'first', nonce: 'n1', from: { id: 'me', name: 'Ann' } }, { live: true });
  // n2: the push, then the ok.
  state.addMessage(chat, { seq: 2, text: 'second', nonce: 'n2', from: { id: 'me', name: 'Ann' } }, { live: true });
  state.confirmPending(chat, 'n2', 2, 101);

  assert.deepEqual(state.pendingOf(chat), []);
  assert.deepEqual(state.messagesOf(chat).map((m) => [m.seq, m.text]), [[1, 'first'], [2, 'second']]);

  // Refused: still there, marked failed, until dropped.
  state.addPending(chat, 'n3', 'too long', null);
  state.failPending(chat, 'n3', 'too_long');
  assert.equal(state.pendingOf(chat)[0].failed, 'too_long');
  state.dropPending(chat, 'n3');
  assert.deepEqual(state.pendingOf(chat), []);
});

test('the limits of the welcome replace the defaults and are announced', () => {
  assert.equal(state.maxTextChars(), 4000);
  const seen = collect(EV.limits);
  state.setLimits({ text_chars: 500, frame_bytes: 8192, media_bytes: 1 });
  assert.equal(state.maxTextChars(), 500);
  assert.equal(state.limits.frame_bytes, 8192);
  assert.equal(seen.seen.length, 1);
  state.setLimits({ text_chars: 4000 });
  seen.off();
});

// -- circle events by rev --------------------------------------------------------------

/** A fake HTTP server for the paths circle-events.js and the loaders read. */
function fakeApi(routes) {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    const path = url.replace('/api/v1', '');
    for (const [pattern, answer] of routes) {
      const match = path.match(pattern);
      if (match) {
        const body = await answer(match, path);
        return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }
    }
    return new Response(JSON.stringify({ error: { code: 'not_found' } }), { status: 404 });
  };
  return asked;
}

const post = (id, text) => ({ id, circle: 'rev-c', kind: 'post', text, created: 1, likes: 0, comments: 0 });
const created = (rev, id) => ({ t: 'event', circle: 'rev-c', rev, kind: 'post.created', post: post(id, `text ${id}`) });

test('circle events: held while the circle loads, then applied in rev order, each once; catch-up by rev', async () => {
  let releasePosts;
  const postsLoaded = new Promise((resolve) => { releasePosts = resolve; });
  const log = new Map([[6, created(6, 'p6')], [7, created(7, 'p7')], [8, created(8, 'p8')]]);
  const asked = fakeApi([
    [/^\/circles\/rev-c$/, () => ({ id: 'rev-c', name: 'Rev', last_rev: 2 })],
    [/^\/circles\/rev-c\/posts/, async () => { await postsLoaded; return { posts: [post('p1', 'one'), post('p2', 'two')], next: null }; }],
    [/^\/circles\/rev-c\/events\?after=(\d+)/, ([, after]) => {
      const from = Number(after);
      const page = [...log.values()].filter((ev) => ev.rev > from).slice(0, 2);
      const more = [...log.values()].some((ev) => ev.rev > from + 2);
      return { events: page, last_rev: 8, more, next: page.length ? page.at(-1).rev : from };
    }],
    [/^\/me\/circles/, () => ({ circles: [] })],
  ]);
  const applied = [];
  const off = state.on(EV.postsChanged, (d) => { if (d.circle === 'rev-c' && d.post) applied.push(d.post.id); });

  const opening = openCircle('rev-c');
  await new Promise((resolve) => setTimeout(resolve, 10)); // the map is in, the posts not yet
  for (const rev of [3, 5, 2, 4, 3]) receive(created(rev, `p${rev}`)); // live, out of order, doubled
  assert.deepEqual(applied, [], 'held while the posts load');
  releasePosts();
  await opening;
  assert.deepEqual(applied.filter((id) => id >= 'p3'), ['p3', 'p4', 'p5'], 'in rev order, each once; rev 2 was in the load');

  // After a welcome: what was missed, page by page from the cursor; live copies skipped.
  applied.length = 0;
  catchUpAll();
  receive(created(6, 'p6')); // arrives live while the catch-up runs: held, then skipped
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(applied, ['p6', 'p7', 'p8']);
  const afters = asked.filter((u) => u.includes('/events')).map((u) => Number(new URL(u, 'http://x').searchParams.get('after')));
  assert.deepEqual(afters, [5, 7]);
  receive(created(4, 'p4')); // an old one again
  receive(created(9, 'p9'));
  assert.deepEqual(applied, ['p6', 'p7', 'p8', 'p9']);
  assert.deepEqual([...state.postsOf('rev-c').byId.keys()].sort(), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
  off();
  closeCircle('rev-c');
});

// -- the socket's logic feeding the store --------------------------------------------------

test('drops mid-stream, resumes with since, doubled and reordered pushes: every message once, in order', () => {
  const chat = 'resume-chat';
  state.resetChat(chat);
  const stored = []; // the server's messages of the chat
  const nonces = new Map();
  let now = 0;
  let connected = false;
  const machine = new ConnectionState({ token: 't', random: () => 0 });
  const inbox = [];
  const from = { id: 'u2', name: 'Bob' };
  const serverPost = (text) => {
    const msg = { t: 'msg', circle: chat, seq: stored.length + 1, text, from };
    stored.push(msg);
    return msg;
  };
  const handle = (frame) => {
    if (frame.t === 'hello') return [{ t: 'welcome', id: frame.id, heartbeat: 25, limits: { text_chars: 4000 } }];
    if (frame.t === 'join') {
      const out = [{ t: 'joined', id: frame.id, circle: chat, last_seq: stored.length, online: 2 }];
      // A server may resend around the resume point: one before since, and out of order.
      if (frame.since != null) {
        const after = stored.filter((m) => m.seq > frame.since);
        out.push(...stored.filter((m) => m.seq === frame.since), ...after.reverse(), ...after);
      }
      return out;
    }
    if (frame.t === 'say') {
      let seq = nonces.get(frame.nonce);
      const out = [];
      if (seq == null) {
        const msg = { t: 'msg', circle: chat, seq: stored.length + 1, text: frame.text, nonce: frame.nonce, from: { id: 'me', name: 'Ann' } };
        stored.push(msg);
        seq = msg.seq;
        nonces.set(frame.nonce, seq);
        out.push(msg);
      }
      return [{ t: 'ok', id: frame.id, seq, ts: 1 }, ...out];
    }
    return [{ t: 'ok', id: frame.id }];
  };
  // sync.js's part: pushes into the store.
  const pump = () => {
    for (let i = 0; i < 50; i += 1) {
      const actions = machine.take();
      if (!actions.length && !inbox.length) return;
      for (const a of actions) {
        if (a.type === 'open') { connected = true; machine.opened(now); }
        if (a.type === 'send' && connected) inbox.push(...handle(a.frame));
        if (a.type === 'emit' && a.name === 'push' && a.detail.t === 'msg') state.addMessage(chat, a.detail, { live: true });
        if (a.type === 'emit' && a.name === 'joined') state.joined(chat, a.detail.last_seq, a.detail.online);
        if (a.type === 'emit' && a.name === 'said') state.confirmPending(chat, a.detail.nonce, a.detail.seq, a.detail.ts);
      }
      for (const f of inbox.splice(0)) machine.received(f, now);
    }
  };
  const deliver = (msg) => { if (connected) { machine.received(msg, now); pump(); } };
  const drop = () => { connected = false; machine.closed(1006, now); pump(); now = machine.deadline(); machine.tick(now); pump(); };

  machine.start(now);
  pump();
  machine.join(chat, null, state.sinceOf(chat), now);
  pump();
  deliver(serverPost('a'));
  deliver(serverPost('b'));
  connected = false; // the line goes dead: these two never arrive
  serverPost('c');
  serverPost('d');
  const nonce = 'say-1';
  state.addPending(chat, nonce, 'mine', null);
  machine.say(chat, 'mine', null, null, nonce, now); // sent into the dead line
  pump();
  drop();
  deliver(serverPost('e'));
  drop(); // and again, right after
  deliver(serverPost('f'));

  assert.deepEqual(state.messagesOf(chat).map((m) => m.text), ['a', 'b', 'c', 'd', 'mine', 'e', 'f']);
  assert.deepEqual(state.messagesOf(chat).map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(stored.filter((m) => m.nonce === nonce).length, 1, 'the resent say is one message');
  assert.deepEqual(state.pendingOf(chat), []);
  assert.equal(machine.sinceOf(chat), 7);
});

test('a list of my circles asked for before a role change does not take it back', () => {
  state.setCircles([{ id: 'r1', name: 'Makers', role: 'member' }]);
  const asked = state.membershipNow(); // GET /me/circles goes out…
  state.setMyMembership('r1', { role: 'admin', nickname: null }); // …member.updated comes…
  state.setCircles([{ id: 'r1', name: 'Makers', role: 'member', unread: 4 }], asked); // …then the old answer
  assert.equal(state.roleIn('r1'), 'admin');
  assert.equal(state.circles.get('r1').unread, 4); // the rest of the answer is taken
  // A list asked for after the change is believed, whatever it says.
  state.setCircles([{ id: 'r1', name: 'Makers', role: 'member' }], state.membershipNow());
  assert.equal(state.roleIn('r1'), 'member');
  state.setCircles([]);
});
