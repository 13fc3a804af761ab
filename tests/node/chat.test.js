import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import { dayLabel } from '../../web-client/js/views/days.js';
import { emojiCount, isEmojiOnly, safeHref } from '../../web-client/js/views/linkify.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);

test('day separators say Today and Yesterday in both languages, else the date', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0);
  const day = 24 * 60 * 60 * 1000;
  i18n.setLocale('en', { save: false });
  assert.equal(dayLabel(now - 60000, now), 'Today');
  assert.equal(dayLabel(now - day, now), 'Yesterday');
  assert.equal(dayLabel(now - 3 * day, now), 'Nov 27');
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(dayLabel(now, now), '今天');
  assert.equal(dayLabel(now - day, now), '昨天');
  assert.equal(dayLabel(now - 3 * day, now), '11月27日');
  i18n.setLocale('en', { save: false });
});

test('one to three emoji and nothing else are shown large', () => {
  for (const text of ['👍', '👍🏽❤️🎉', '👨‍👩‍👧', '🇨🇳', ' 😀 😀 ']) assert.ok(isEmojiOnly(text), text);
  for (const text of ['a👍', '1', '👍👍👍👍', '好👍', '#', '', '👍!']) assert.ok(!isEmojiOnly(text), text);
  assert.equal(emojiCount('🎉🎉'), 2);
});

test('only http and https addresses become links', () => {
  assert.equal(safeHref('https://example.com/a?b=1'), 'https://example.com/a?b=1');
  assert.equal(safeHref('http://example.com'), 'http://example.com/');
  for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://x.y', 'vbscript:x', 'nonsense']) {
    assert.equal(safeHref(bad), null, bad);
  }
});
