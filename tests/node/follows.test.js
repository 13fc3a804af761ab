// Following in the client's store: the followed circles' latest posts follow their feed
// events (a new post first, an edit in place, a deletion gone, at most LATEST), a
// follow.removed (another tab, a join, a ban) drops the circle, a circle not followed is
// left alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EV } from '../../web-client/js/store/names.js';
import { applyEvent } from '../../web-client/js/store/events.js';
import * as follows from '../../web-client/js/store/follows.js';
import * as state from '../../web-client/js/store/state.js';

function event(kind, fields, circle = 'c1') {
  return { t: 'event', circle, rev: 1, ts: 1, kind, ...fields };
}

const post = (id, text, kind = 'post') => ({ id, circle: 'c1', kind, text, author: { id: 'o', name: 'Olga' } });
const texts = () => follows.followingList()[0].posts.map((p) => p.text);

test('the latest posts of a followed circle follow its feed events', () => {
  state.session.user = { id: 'me', name: 'Fan' };
  let told = 0;
  const off = state.on(EV.followingChanged, () => { told += 1; });
  follows.setFollowing([{ id: 'c1', name: 'Creator', follower_count: 3, followed: 5 }]);
  follows.setLatest('c1', [post('p1', 'one')]);
  assert.equal(follows.isFollowing('c1'), true);
  applyEvent(event('post.created', { post: post('p2', 'two') }));
  applyEvent(event('post.promoted', { post: post('p3', 'three', 'highlight') }));
  assert.deepEqual(texts(), ['three', 'two', 'one']);
  applyEvent(event('post.created', { post: post('p4', 'four') }));
  assert.deepEqual(texts(), ['four', 'three', 'two'], 'at most LATEST');
  applyEvent(event('post.edited', { post: post('p3', 'three, edited', 'highlight') }));
  assert.deepEqual(texts(), ['four', 'three, edited', 'two']);
  applyEvent(event('post.deleted', { post: { id: 'p4', circle: 'c1', deleted: true } }));
  assert.deepEqual(texts(), ['three, edited', 'two']);
  // Another circle's post changes nothing here.
  applyEvent(event('post.created', { post: { ...post('x', 'elsewhere'), circle: 'c2' } }, 'c2'));
  assert.deepEqual(texts(), ['three, edited', 'two']);
  const before = told;
  applyEvent(event('follow.removed', { user: 'me', followers: 2, reason: 'joined' }));
  assert.equal(follows.isFollowing('c1'), false);
  assert.equal(told, before + 1);
  off();
});

test('a follow made here shows at once, an unfollow goes at once', () => {
  follows.setFollowing([]);
  follows.nowFollowing({ id: 'c9', name: '书法社', follower_count: 0 });
  assert.deepEqual(follows.followingList().map((e) => e.circle.name), ['书法社']);
  follows.unfollowed('c9');
  assert.deepEqual(follows.followingList(), []);
});
