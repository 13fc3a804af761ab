// The home page's pure parts: the order of the circle list, the time shown beside a
// circle, invite links, and the sign-up checks (the server's reasons, before asking it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import { checkSignup, inviteOfHash } from '../../web-client/js/views/auth.js';
import { listTime, parseInvite, sortCircles } from '../../web-client/js/views/circles.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);

test('circles are listed most recently active first, then by name', () => {
  const circles = [
    { id: 'a', name: 'Quiet', last_activity: 100, last_message: null },
    { id: 'b', name: 'Busy', last_activity: 100, last_message: { ts: 500 } },
    { id: 'c', name: 'Alpha', last_activity: 100, last_message: null },
    { id: 'd', name: 'New', last_activity: 300, last_message: null },
  ];
  assert.deepEqual(sortCircles(circles).map((c) => c.id), ['b', 'd', 'c', 'a']);
});

test('the time beside a circle: the time today, "yesterday", else the day', () => {
  i18n.setLocale('zh-CN', { save: false });
  const now = new Date(2026, 10, 30, 15, 0).getTime();
  assert.equal(listTime(new Date(2026, 10, 30, 9, 5).getTime(), now), '09:05');
  assert.equal(listTime(new Date(2026, 10, 29, 23, 0).getTime(), now), '昨天');
  assert.equal(listTime(new Date(2026, 10, 20, 8, 0).getTime(), now), '11月20日');
  assert.equal(listTime(null, now), '');
  i18n.setLocale('en', { save: false });
  assert.equal(listTime(new Date(2026, 10, 29, 23, 0).getTime(), now), 'Yesterday');
});

test('an invite is a link or a circle id and a code', () => {
  assert.deepEqual(inviteOfHash('#/join/c1/AB%20CD'), { circle: 'c1', code: 'AB CD' });
  assert.equal(inviteOfHash('#/c/c1'), null);
  assert.deepEqual(parseInvite('https://x.example/#/join/c1/K7'), { circle: 'c1', code: 'K7' });
  assert.deepEqual(parseInvite(' c1  K7 '), { circle: 'c1', code: 'K7' });
});

test('sign-up is checked with the server\'s reasons before it is sent', () => {
  const ok = { handle: '13800138000', password: 'correct horse', name: '张云妮 🌸' };
  assert.equal(checkSignup(ok), null);
  assert.deepEqual(checkSignup({ ...ok, name: '  ' }), { reason: 'name_required' });
  assert.equal(checkSignup({ ...ok, handle: '张三' }).reason, 'handle_invalid');
  assert.equal(checkSignup({ ...ok, handle: 'ab' }).reason, 'handle_invalid');
  assert.deepEqual(checkSignup({ ...ok, password: 'short' }), { reason: 'password_too_short', params: { min: 8 } });
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.errorText(checkSignup({ ...ok, password: 'short' })), '密码至少需要 8 位。');
  assert.equal(i18n.errorText({ code: 'conflict', reason: 'handle_taken' }), '这个登录名已被使用，请换一个，或直接登录。');
  i18n.setLocale('en', { save: false });
});
