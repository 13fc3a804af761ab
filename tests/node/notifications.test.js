// The notification inbox in the client: a push and a catch-up of the same notification
// count once (by id), marks read (some, up to an id, all) and the count from the server,
// the count in the tab's title, @ completion's query, and where each kind opens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EV } from '../../web-client/js/store/names.js';
import * as notes from '../../web-client/js/store/notifications.js';
import * as state from '../../web-client/js/store/state.js';
import { typedQuery } from '../../web-client/js/views/mention-complete.js';
import { targetOf } from '../../web-client/js/views/notification-targets.js';

const item = (id, kind = 'mention', about = { circle: 'c1', group: 'c1', seq: id }) => ({
  id, circle: 'c1', kind, about, created: id, read: null,
});

test('pushes and catch-ups dedupe by id; marks read follow the server count', () => {
  const told = [];
  const off = state.on(EV.notificationsChanged, (d) => told.push(d.fresh.map((n) => n.id)));
  notes.pushed({ notification: item(3), unread: 1 });
  notes.add([item(3), item(4), item(5)], 3); // the catch-up after a reconnect
  assert.deepEqual(notes.list().map((n) => n.id), [5, 4, 3]);
  assert.deepEqual(told, [[3], [4, 5]]);
  assert.equal(notes.newestId(), 5);
  assert.equal(notes.oldestId(), 3);
  notes.read({ ids: [4], unread: 2 });
  assert.deepEqual(notes.list().map((n) => n.read != null), [false, true, false]);
  notes.read({ upTo: 3, unread: 1 });
  assert.deepEqual(notes.list().map((n) => n.read != null), [false, true, true]);
  notes.read({ unread: 0 });
  assert.ok(notes.list().every((n) => n.read != null));
  assert.equal(notes.inbox.unread, 0);
  state.clearSession();
  assert.deepEqual(notes.list(), []);
  off();
});

test('the unread count leads the title, once', () => {
  assert.equal(notes.titled('Quanzi', 3), '(3) Quanzi');
  assert.equal(notes.titled('(3) Quanzi', 4), '(4) Quanzi');
  assert.equal(notes.titled('(4) 舞蹈班', 0), '舞蹈班');
  assert.equal(notes.titled('Quanzi', 150), '(99+) Quanzi');
});

test('@ completion starts after "@", never inside an address', () => {
  assert.equal(typedQuery('hi @', 4), '');
  assert.equal(typedQuery('谢谢@王', 4), '王');
  assert.equal(typedQuery('ann@exa', 7), null);
  assert.equal(typedQuery('@Emma Li', 8), null); // past the space: done typing a name
  assert.equal(typedQuery('\uff20小', 2), '小');
});

test('each kind opens what it is about', () => {
  assert.deepEqual(targetOf(item(7)), { circle: 'c1', hash: '#/c/c1', open: { kind: 'message', group: 'c1', seq: 7 } });
  assert.deepEqual(targetOf(item(8, 'must_read', { post: 'p1' })).open, { kind: 'post', post: 'p1' });
  assert.equal(targetOf(item(9, 'review', { assignment: 'a1', submission: 's1' })).hash, '#/c/c1/homework/a1/s1');
  assert.deepEqual(targetOf(item(10, 'reminder', { item: { kind: 'lesson', id: 'l1' } })).open, { kind: 'tab', tab: 'course' });
  assert.equal(targetOf(item(11, 'join', { state: 'rejected' })), null);
  assert.equal(targetOf(item(12, 'moderation', { report: 'r1' })).hash, '#/reports');
});
