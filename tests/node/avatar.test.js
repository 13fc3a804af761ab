import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourOf, initials } from '../../web-client/js/views/avatar.js';

test('a Chinese name shows its last two characters, a Latin one its initials', () => {
  assert.equal(initials('张云妮'), '云妮');
  assert.equal(initials('提拉米蘇小妮妮'), '妮妮');
  assert.equal(initials('Ann Lee'), 'AL');
  assert.equal(initials('ann'), 'A');
  assert.equal(initials('mary-jane watson'), 'MW');
  assert.equal(initials(''), '?');
  assert.equal(initials('😀 fan'), '😀F');
});

test('the colour of an id is always the same', () => {
  assert.equal(colourOf('u1'), colourOf('u1'));
  assert.match(colourOf('anything'), /^c[0-7]$/);
});
