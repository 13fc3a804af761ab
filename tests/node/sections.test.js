// A circle's sections in the web client (store/sections.js): the tabs come from the
// circle's list (unknown keys left out, settings last), the phone's bar keeps the first
// few, a teaching circle's feed is its Notices and its owner the Teacher, and the
// Sections panel's edits (on, off, moved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as i18n from '../../web-client/js/i18n.js';
import * as en from '../../web-client/js/locales/en.js';
import * as zh from '../../web-client/js/locales/zh-CN.js';
import {
  DEFAULT_SECTIONS, moved, phoneSplit, roleLabelKey, sectionLabelKey, tabsOf, toggled,
} from '../../web-client/js/store/sections.js';

i18n.register('en', en.name, en.messages);
i18n.register('zh-CN', zh.name, zh.messages);
const KNOWN = ['chat', 'highlights', 'feed', 'challenges', 'materials', 'search', 'settings'];
const TEACHING = ['feed', 'course', 'materials', 'homework', 'chat', 'highlights', 'search'];

test('the tabs are the circle\'s sections this client knows, in order, settings last', () => {
  assert.deepEqual(tabsOf(TEACHING, KNOWN), ['feed', 'materials', 'chat', 'highlights', 'search', 'settings']);
  assert.deepEqual(tabsOf(['live', 'chat', 'chat', 'settings'], KNOWN), ['chat', 'settings']);
  assert.deepEqual(tabsOf(undefined, KNOWN), [...DEFAULT_SECTIONS, 'settings']);
  assert.deepEqual(tabsOf([], KNOWN), ['settings']);
  // A tab another branch adds is shown once it is known.
  assert.deepEqual(tabsOf(TEACHING, [...KNOWN, 'course']).slice(0, 2), ['feed', 'course']);
});

test('the phone keeps the first three sections in its bar and the rest in More', () => {
  const tabs = tabsOf(TEACHING, KNOWN);
  assert.deepEqual(phoneSplit(tabs), { bar: ['feed', 'materials', 'chat'], more: ['highlights', 'search'] });
  assert.deepEqual(phoneSplit(['chat', 'settings']), { bar: ['chat'], more: [] });
});

test('a teaching circle reads Notices, Teacher and Assistant, in both languages', () => {
  i18n.setLocale('en', { save: false });
  assert.equal(i18n.t(sectionLabelKey('feed', 'teaching')), 'Notices');
  assert.equal(i18n.t(sectionLabelKey('feed', 'community')), 'Feed');
  assert.equal(i18n.t(roleLabelKey('owner', 'teaching')), 'Teacher');
  assert.equal(i18n.t(roleLabelKey('admin', 'teaching')), 'Assistant');
  assert.equal(i18n.t(roleLabelKey('owner', 'business')), 'Owner');
  assert.equal(i18n.t(roleLabelKey('member', 'teaching')), 'Member');
  i18n.setLocale('zh-CN', { save: false });
  assert.equal(i18n.t(sectionLabelKey('feed', 'teaching')), '公告');
  assert.equal(i18n.t(roleLabelKey('owner', 'teaching')), '老师');
  assert.equal(i18n.t(roleLabelKey('admin', 'teaching')), '助教');
  assert.equal(i18n.t(roleLabelKey('weird', 'teaching')), '成员');
});

test('the Sections panel switches a section on at the end, off, and moves it', () => {
  assert.deepEqual(toggled(['feed', 'chat'], 'challenges', true), ['feed', 'chat', 'challenges']);
  assert.deepEqual(toggled(['feed', 'chat'], 'feed', false), ['chat']);
  assert.deepEqual(moved(['feed', 'chat', 'search'], 'search', -1), ['feed', 'search', 'chat']);
  assert.deepEqual(moved(['feed', 'chat'], 'feed', -1), ['feed', 'chat']);
  assert.deepEqual(moved(['feed', 'chat'], 'chat', 1), ['feed', 'chat']);
  assert.deepEqual(moved(['feed', 'chat'], 'nope', 1), ['feed', 'chat']);
});
