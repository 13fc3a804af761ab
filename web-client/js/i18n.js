// Languages: message catalogues (js/locales/<tag>.js, listed by the server in
// js/locales/index.js), the page's locale (chosen from the browser, switchable, kept in
// localStorage), plurals and dates per locale, and server errors by their code.
//
//   t('chat.send')                       → "Send" / "发送"
//   t('chat.newCount', { count: 3 })     → a plural entry: { one: '…', other: '{count} new' }
//   errorText(err)                       → the catalogue's 'error.<reason|code>', never raw English
//
// A catalogue is a flat object of dotted keys; a value is a string with {name} placeholders
// or, for counts, an object of Intl.PluralRules categories (zero/one/two/few/many/other, plus
// '0' for an exact zero). A key missing in the current locale falls back to English.

export const FALLBACK = 'en';
const STORAGE_KEY = 'quanzi.locale';
const catalogues = new Map(); // tag → { name, messages }
const listeners = new Set();
let current = FALLBACK;
let plurals = new Intl.PluralRules(FALLBACK);
const formatters = new Map();

/** Add a catalogue: `name` is how the language calls itself (shown in the switcher). */
export function register(tag, name, messages) {
  catalogues.set(tag, { name, messages });
}

/** The registered languages, [{ tag, name }], in registration order. */
export function available() {
  return [...catalogues].map(([tag, { name }]) => ({ tag, name }));
}

/**
 * The best registered tag for a list of preferred tags (navigator.languages): an exact
 * match, else the first of the same language ('zh-TW' → 'zh-CN'), else English.
 */
export function pick(preferred, tags = [...catalogues.keys()]) {
  const lower = tags.map((tag) => tag.toLowerCase());
  for (const want of preferred || []) {
    const exact = lower.indexOf(String(want).toLowerCase());
    if (exact >= 0) return tags[exact];
    const language = String(want).toLowerCase().split('-')[0];
    const same = lower.findIndex((tag) => tag.split('-')[0] === language);
    if (same >= 0) return tags[same];
  }
  return tags.includes(FALLBACK) ? FALLBACK : (tags[0] || FALLBACK);
}

export function locale() {
  return current;
}

/** Switch the language; `save` keeps the choice for the next visit. Listeners re-render. */
export function setLocale(tag, { save = true } = {}) {
  const next = catalogues.has(tag) ? tag : pick([tag]);
  if (save) storage()?.setItem(STORAGE_KEY, next);
  if (next === current && catalogues.has(next)) return;
  current = next;
  plurals = new Intl.PluralRules(current);
  formatters.clear();
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  for (const listener of [...listeners]) listener(current);
}

/** The saved choice, else the browser's languages. */
export function initialLocale() {
  const saved = storage()?.getItem(STORAGE_KEY);
  if (saved && catalogues.has(saved)) return saved;
  const nav = typeof navigator === 'undefined' ? [] : (navigator.languages || [navigator.language]);
  return pick(nav);
}

export function onLocaleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function lookup(tag, key) {
  const catalogue = catalogues.get(tag);
  return catalogue ? catalogue.messages[key] : undefined;
}

export function has(key) {
  return lookup(current, key) !== undefined || lookup(FALLBACK, key) !== undefined;
}

/** The text of `key` in the current language, its {placeholders} filled from `params`. */
export function t(key, params = {}) {
  let entry = lookup(current, key);
  if (entry === undefined) entry = lookup(FALLBACK, key);
  if (entry === undefined) return key;
  if (typeof entry === 'object') {
    const count = Number(params.count);
    entry = (count === 0 && entry['0'] !== undefined) ? entry['0']
      : (entry[plurals.select(count)] ?? entry.other);
  }
  return String(entry).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

/**
 * What to tell a person about a failed request or frame: the server's `reason` (a finer
 * code some errors carry) or `code` looked up under 'error.', else a generic sentence in
 * the page's language (never the server's English message).
 */
export function errorText(error) {
  if (!error) return t('error.unknown');
  if (typeof error === 'string') return has(`error.${error}`) ? t(`error.${error}`) : t('error.unknown');
  const params = readableParams(error.params || {});
  for (const code of [error.reason, error.code]) {
    if (code && has(`error.${code}`)) return t(`error.${code}`, params);
  }
  if (error.name === 'TypeError' || error.offline) return t('error.network');
  return t('error.unknown');
}

/** Params as people read them: a mute's `until` as a time, a wait in whole seconds. */
function readableParams(params) {
  const out = { ...params };
  if (typeof params.until === 'number') {
    out.until = params.until >= Number.MAX_SAFE_INTEGER ? t('mute.untilLifted') : formatDateTime(params.until);
  }
  // A paid term's end and removal (membership_ended).
  for (const key of ['ends_at', 'removes_at']) {
    if (typeof params[key] === 'number') out[key] = formatDateTime(params[key]);
  }
  if (typeof params.wait_ms === 'number') out.seconds = Math.max(1, Math.ceil(params.wait_ms / 1000));
  return out;
}

function formatter(kind, make) {
  if (!formatters.has(kind)) formatters.set(kind, make(current));
  return formatters.get(kind);
}

export function formatNumber(value) {
  return formatter('number', (tag) => new Intl.NumberFormat(tag)).format(value);
}

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'];

/** A file's size: "980 byte", "1.5 MB" / "1.5兆字节", in steps of 1024. */
export function formatSize(bytes) {
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const name = SIZE_UNITS[unit];
  return formatter(`size-${name}`, (tag) => new Intl.NumberFormat(tag, {
    style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: unit ? 1 : 0,
  })).format(value);
}

/** 14:05 */
export function formatTime(ms) {
  return formatter('time', (tag) => new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' })).format(ms);
}

/** 11月30日 / Nov 30 (with the year when it is not this year's). */
export function formatDay(ms, now = Date.now()) {
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  const kind = sameYear ? 'day' : 'day-year';
  const options = sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' };
  return formatter(kind, (tag) => new Intl.DateTimeFormat(tag, options)).format(ms);
}

/** Today's times as 14:05, older ones as "Nov 30 14:05". */
export function formatDateTime(ms, now = Date.now()) {
  if (new Date(ms).toDateString() === new Date(now).toDateString()) return formatTime(ms);
  return `${formatDay(ms, now)} ${formatTime(ms)}`;
}

/** "3 minutes ago" / "3分钟前", "in 2 hours" / "2小时后". */
export function formatRelative(ms, now = Date.now()) {
  const seconds = Math.round((ms - now) / 1000);
  const rtf = formatter('relative', (tag) => new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }));
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [7, 'day'], [4.35, 'week'], [12, 'month']];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return rtf.format(Math.round(value), 'year');
}

/** "Ann, Bob and Cai" / "Ann、Bob和Cai". */
export function formatList(items) {
  return formatter('list', (tag) => new Intl.ListFormat(tag, { style: 'long', type: 'conjunction' })).format(items);
}

/** Fill the page's static elements: data-i18n="key" (text) and data-i18n-label="key" (aria-label). */
export function translateStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

function storage() {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** A person's name as shown: a deleted account's name is empty (the server's marker),
 * shown as "deleted user" in the reader's language. */
export function personName(name) {
  return name || t('user.deleted');
}
