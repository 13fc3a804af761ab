// Paid terms in the page (web-client/js/terms.js, docs/payments.md): where a membership
// stands (no end, active, ending within a week, ended), what the member and the member
// list say in both languages, when the page looks again, and my term following
// member.updated events and a say refused as membership_ended.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import { NOTICE_MS, nextChange, termNotice, termState, termTag } from '../../web-client/js/terms.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);

const NOW = Date.UTC(2026, 11, 1, 12, 0);
const DAY = 24 * 3600 * 1000;

test('a membership has no end, runs, ends within a week, or has ended', () => {
  assert.equal(termState(null, NOW), 'none');
  assert.equal(termState(undefined, NOW), 'none');
  assert.equal(termState(NOW + 30 * DAY, NOW), 'active');
  assert.equal(termState(NOW + 7 * DAY, NOW), 'soon');
  assert.equal(termState(NOW, NOW), 'ended');
  assert.equal(nextChange(NOW + 30 * DAY, NOW), 30 * DAY - NOTICE_MS + 50);
  assert.equal(nextChange(NOW + DAY, NOW), DAY + 50);
  assert.equal(nextChange(NOW - 1, NOW), null);
  assert.equal(nextChange(null, NOW), null);
});

test('the member is told from a week before, and when it ended, in both languages', () => {
  i18n.setLocale('en', { save: false });
  assert.equal(termNotice(NOW + 30 * DAY, NOW + 37 * DAY, NOW), '');
  assert.match(termNotice(NOW + 2 * DAY, NOW + 9 * DAY, NOW), /^Your membership ends on .*renew/);
  assert.match(termNotice(NOW - DAY, NOW + 6 * DAY, NOW), /^Your membership ended on .* read until /);
  assert.match(termTag({ ends_at: NOW + 40 * DAY }, NOW), /^until /);
  assert.match(termTag({ ends_at: NOW - DAY, removes_at: NOW + 6 * DAY }, NOW), /^ended · leaves /);
  assert.equal(termTag({}, NOW), '');
  const ended = { code: 'forbidden', reason: 'membership_ended', params: { ends_at: NOW - DAY, removes_at: NOW + 6 * DAY } };
  assert.match(i18n.errorText(ended), /^Your membership ended on .+: you can read until .+\./);
  i18n.setLocale('zh-CN', { save: false });
  assert.match(termNotice(NOW + 2 * DAY, NOW + 9 * DAY, NOW), /^你的会员将于 .* 到期/);
  assert.match(i18n.errorText(ended), /^你的会员已于 .* 到期/);
  i18n.setLocale('en', { save: false });
});

test('my term follows member.updated events and a say refused as membership_ended', async () => {
  const state = await import('../../web-client/js/store/state.js');
  const { applyEvent } = await import('../../web-client/js/store/events.js');
  const { EV } = await import('../../web-client/js/store/names.js');
  state.session.user = { id: 'me', name: 'Ann' };
  state.setCircles([{ id: 'c1', name: 'Course', role: 'member' }]);
  const seen = [];
  const off = state.on(EV.mutedChanged, (d) => seen.push([d.circle, state.termIn('c1').endsAt]));
  const me = { user: 'me', name: 'Ann', role: 'member' };
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 1, member: { ...me, ends_at: NOW + DAY, removes_at: NOW + 8 * DAY } });
  assert.deepEqual(state.termIn('c1'), { endsAt: NOW + DAY, removesAt: NOW + 8 * DAY });
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 2, member: me }); // the end taken away
  assert.deepEqual(state.termIn('c1'), { endsAt: null, removesAt: null });
  // Another member's term is not mine.
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 3, member: { user: 'bob', name: 'Bob', role: 'member', ends_at: NOW } });
  assert.equal(state.termIn('c1').endsAt, null);
  state.setTermEnded('c1', NOW - 1, NOW + DAY);
  assert.deepEqual(seen, [['c1', NOW + DAY], ['c1', null], ['c1', NOW - 1]]);
  off();
  state.setCircles([]);
});
