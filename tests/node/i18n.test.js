import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';

i18n.register('en', en.name, { ...en.messages, 'test.n': { one: '{count} message', other: '{count} messages' }, 'test.hi': 'Hi {name}' });
i18n.register('zh-CN', zh.name, { ...zh.messages, 'test.n': { other: '{count} 条消息' } });

test('the browser languages pick the catalogue', () => {
  assert.equal(i18n.pick(['zh-CN', 'en']), 'zh-CN');
  assert.equal(i18n.pick(['zh-TW']), 'zh-CN');
  assert.equal(i18n.pick(['zh']), 'zh-CN');
  assert.equal(i18n.pick(['fr-FR', 'en-GB']), 'en');
  assert.equal(i18n.pick(['fr']), 'en');
  assert.equal(i18n.pick([]), 'en');
});

test('plurals follow the locale and placeholders are filled', () => {
  i18n.setLocale('en', { save: false });
  assert.equal(i18n.t('test.n', { count: 1 }), '1 message');
  assert.equal(i18n.t('test.n', { count: 1200 }), '1,200 messages');
  assert.equal(i18n.t('test.hi', { name: 'Ann' }), 'Hi Ann');
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.t('test.n', { count: 1 }), '1 条消息');
  // missing in zh-CN: English, never the key
  assert.equal(i18n.t('test.hi', { name: '安' }), 'Hi 安');
  assert.equal(i18n.t('no.such.key'), 'no.such.key');
});

test('a server error is told by its reason, then its code, never its English message', () => {
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.errorText({ code: 'forbidden', message: 'not a member' }), zh.messages['error.forbidden']);
  assert.equal(i18n.errorText({ code: 'bad_request', reason: 'no_such_reason', message: 'x' }), zh.messages['error.bad_request']);
  assert.equal(i18n.errorText({ code: 'weird', message: 'English text' }), zh.messages['error.unknown']);
  assert.equal(i18n.errorText(new TypeError('Failed to fetch')), zh.messages['error.network']);
});

test('listeners hear a change of language', () => {
  i18n.setLocale('en', { save: false });
  const heard = [];
  const stop = i18n.onLocaleChange((tag) => heard.push(tag));
  i18n.setLocale('zh-CN', { save: false });
  stop();
  i18n.setLocale('en', { save: false });
  assert.deepEqual(heard, ['zh-CN']);
});

test('dates and times per locale', () => {
  const ms = Date.UTC(2026, 10, 30, 6, 5);
  i18n.setLocale('zh-CN', { save: false });
  assert.match(i18n.formatDay(ms, ms), /11月30日/);
  i18n.setLocale('en', { save: false });
  assert.match(i18n.formatDay(ms, ms), /Nov 30/);
  assert.equal(i18n.formatRelative(ms - 3 * 60_000, ms), '3 minutes ago');
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.formatRelative(ms - 3 * 60_000, ms), '3分钟前');
});

test('file sizes in steps of 1024, in the page\'s language', () => {
  i18n.setLocale('en', { save: false });
  assert.equal(i18n.formatSize(0), '0 byte');
  assert.equal(i18n.formatSize(1536), '1.5 kB');
  assert.equal(i18n.formatSize(200 * 1024 * 1024), '200 MB');
  assert.equal(i18n.formatSize(3 * 1024 ** 4), '3,072 GB');
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.formatSize(900), '900 B');
  assert.equal(i18n.formatSize(1536 * 1024), '1.5 MB');
});
