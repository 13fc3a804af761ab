// Moderation in the page (web-client/js/moderation.js): which actions an owner or admin is
// offered on whom (README "Who may do what"), how a mute's end is said in both languages,
// and the refusals' reasons as people read them (i18n.errorText).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import {
  actionsFor, isMuted, mutedNotice, UNTIL_LIFTED, untilText, waitSeconds,
} from '../../web-client/js/moderation.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);

const NOW = Date.UTC(2026, 10, 30, 12, 0);
const member = (user, role, mutedUntil) => ({ user, role, name: user, ...(mutedUntil ? { muted_until: mutedUntil } : {}) });

test('an owner acts on admins and members; an admin on members only; nobody on themselves or an owner', () => {
  assert.deepEqual(actionsFor('owner', 'me', member('m', 'member'), NOW), ['admin', 'owner', 'mute', 'term', 'ban', 'remove']);
  assert.deepEqual(actionsFor('owner', 'me', member('a', 'admin'), NOW), ['member', 'owner', 'mute', 'term', 'ban', 'remove']);
  assert.deepEqual(actionsFor('admin', 'me', member('m', 'member'), NOW), ['admin', 'mute', 'term', 'ban', 'remove']);
  assert.deepEqual(actionsFor('admin', 'me', member('a', 'admin'), NOW), []);
  assert.deepEqual(actionsFor('owner', 'me', member('o', 'owner'), NOW), []);
  assert.deepEqual(actionsFor('owner', 'me', member('me', 'owner'), NOW), []);
  assert.deepEqual(actionsFor('admin', 'me', member('me', 'admin'), NOW), []);
  assert.deepEqual(actionsFor('member', 'me', member('m', 'member'), NOW), []);
  assert.deepEqual(actionsFor(null, 'me', member('m', 'member'), NOW), []);
});

test('a muted member is offered unmute until the mute ends', () => {
  assert.ok(actionsFor('admin', 'me', member('m', 'member', NOW + 60000), NOW).includes('unmute'));
  assert.ok(!actionsFor('admin', 'me', member('m', 'member', NOW + 60000), NOW).includes('mute'));
  assert.ok(actionsFor('admin', 'me', member('m', 'member', NOW - 1), NOW).includes('mute'));
  assert.ok(isMuted(UNTIL_LIFTED, NOW));
  assert.ok(!isMuted(null, NOW));
  assert.ok(!isMuted(undefined, NOW));
  assert.ok(!isMuted(NOW, NOW));
});

test('the end of a mute is a time, or until an admin lifts it, in both languages', () => {
  const later = NOW + 10 * 60000;
  i18n.setLocale('en', { save: false });
  assert.equal(untilText(UNTIL_LIFTED, NOW), 'an admin lifts it');
  assert.equal(mutedNotice(UNTIL_LIFTED, NOW), 'You are muted until an admin lifts it.');
  assert.equal(mutedNotice(later, NOW), `You are muted until ${i18n.formatTime(later)}.`);
  assert.match(mutedNotice(NOW + 3 * 86400000, NOW), /^You are muted until Dec 3 /);
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(mutedNotice(UNTIL_LIFTED, NOW), '你已被禁言，直到管理员解除。');
  assert.equal(mutedNotice(later, NOW), `你已被禁言，${i18n.formatTime(later)} 解除。`);
  i18n.setLocale('en', { save: false });
});

test('refusals read with their reason and params: muted until, banned, slow mode in seconds', () => {
  i18n.setLocale('en', { save: false });
  const muted = { code: 'forbidden', reason: 'muted', params: { until: UNTIL_LIFTED } };
  assert.equal(i18n.errorText(muted), 'You are muted in this circle until an admin lifts it.');
  assert.equal(i18n.errorText({ code: 'forbidden', reason: 'banned' }), 'You are banned from this circle.');
  const slow = { code: 'rate_limited', reason: 'slow_mode', params: { wait_ms: 8200 } };
  assert.equal(i18n.errorText(slow), 'Slow mode: wait 9 s before sending again.');
  assert.equal(waitSeconds({ wait_ms: 8200 }), 9);
  assert.equal(waitSeconds({ wait_ms: 0 }), 1);
  assert.equal(waitSeconds(undefined), 1);
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.errorText(slow), '慢速模式：请 9 秒后再发。');
  assert.equal(i18n.errorText(muted), '你在这个圈子已被禁言，直到管理员解除。');
  i18n.setLocale('en', { save: false });
});

test('my mute follows member.updated events and refused says; a refused say gives its text back', async () => {
  const state = await import('../../web-client/js/store/state.js');
  const { applyEvent } = await import('../../web-client/js/store/events.js');
  const { EV } = await import('../../web-client/js/store/names.js');
  state.session.user = { id: 'me', name: 'Ann' };
  state.setCircles([{ id: 'c1', name: 'Chess', role: 'member' }]);
  const changes = [];
  const refused = [];
  const offs = [
    state.on(EV.mutedChanged, (d) => changes.push([d.circle, state.mutedUntil('c1')])),
    state.on(EV.sayRefused, (d) => refused.push(d)),
  ];
  const me = { user: 'me', name: 'Ann', role: 'member' };
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 1, member: { ...me, muted_until: NOW + 600000 } });
  assert.equal(state.mutedUntil('c1'), NOW + 600000);
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 2, member: me }); // lifted: no muted_until
  assert.equal(state.mutedUntil('c1'), null);
  assert.equal(state.roleIn('c1'), 'member');
  // Another member's mute is not mine.
  applyEvent({ kind: 'member.updated', circle: 'c1', rev: 3, member: { user: 'bob', name: 'Bob', role: 'member', muted_until: UNTIL_LIFTED } });
  assert.equal(state.mutedUntil('c1'), null);
  // A say refused as muted: the page learns until when, the text comes back.
  state.addPending('c1', 'n1', 'hello', 7);
  state.setMutedUntil('c1', UNTIL_LIFTED);
  state.refusePending('c1', 'n1', 'muted', { until: UNTIL_LIFTED });
  assert.deepEqual(state.pendingOf('c1'), []);
  assert.deepEqual(refused.map((d) => [d.circle, d.text, d.replyTo, d.reason]), [['c1', 'hello', 7, 'muted']]);
  assert.deepEqual(changes, [['c1', NOW + 600000], ['c1', null], ['c1', UNTIL_LIFTED]]);
  offs.forEach((off) => off());
  state.setCircles([]);
});
