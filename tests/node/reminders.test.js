// Reminders in the client: a `reminder` event is told to whoever listens (the toast
// watcher), and what it says comes from the catalogue in the page's language.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import { EV } from '../../web-client/js/store/names.js';
import { applyEvent } from '../../web-client/js/store/events.js';
import * as state from '../../web-client/js/store/state.js';
import { reminderText } from '../../web-client/js/views/reminders.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);

test('a reminder event is told, and says what it is about in the page language', () => {
  const told = [];
  const off = state.on(EV.reminder, (ev) => told.push(ev));
  const about = { kind: 'lesson', id: 'l1', title: '第一课：基本功', at: 2 };
  assert.equal(applyEvent({ t: 'event', circle: 'c1', rev: 9, ts: 1, kind: 'reminder', user: 'me', about }), true);
  off();
  assert.deepEqual(told.map((ev) => ev.about), [about]);
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(reminderText(about), '即将开课：第一课：基本功');
  i18n.setLocale('en', { save: false });
  assert.equal(reminderText({ kind: 'gathering', title: 'Birthday party' }), 'Coming up: Birthday party');
});

test('the streak-at-risk nudge tells the streak in both languages', () => {
  const about = { kind: 'streak', id: 'h1', title: '每日阅读', count: 3 };
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(reminderText(about), '「每日阅读」已连续打卡 3 天，今晚不打卡就断了');
  i18n.setLocale('en', { save: false });
  assert.equal(reminderText(about), 'Your 3-day streak in 每日阅读 ends tonight: check in');
});
