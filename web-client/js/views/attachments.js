// What a message, post, comment or highlight carries (README.md "Media"): pictures as a
// grid of thumbnails (their size reserved from width/height, loaded lazily) that open the
// lightbox (lightbox.js); a video as an inline player with its poster; audio as a player;
// any other file as a card with an icon, its name, its size and a download link. Names
// are user text: only ever textContent.

import { h } from '../dom.js';
import { formatSize, t } from '../i18n.js';
import { openLightbox } from './lightbox.js';
import { setMediaSrc } from './media-src.js';
import { userText } from './user-text.js';

const ICONS = [
  [/pdf$/, '📕'],
  [/(zip|x-7z|x-rar|x-tar|gzip)/, '🗜️'],
  [/(sheet|excel|csv)/, '📊'],
  [/(presentation|powerpoint)/, '📽️'],
  [/(word|document|text\/)/, '📝'],
];

/** An icon for a file by its kind and type: 📕 a PDF, 📊 a spreadsheet, 📄 anything else. */
export function fileIcon(attachment) {
  if (attachment.kind === 'audio') return '🎵';
  if (attachment.kind === 'video') return '🎬';
  if (attachment.kind === 'image') return '🖼️';
  const mime = String(attachment.mime || '');
  const found = ICONS.find(([pattern]) => pattern.test(mime));
  return found ? found[1] : '📄';
}

const KEPT_MAX = 300;
const kept = new Map(); // item key → {ids, el}: the newest KEPT_MAX blocks drawn

/**
 * The attachments of one item as one block, or null when it has none. With a `key` (the
 * item's: 'post:…', 'msg:…') the block drawn before is used again while it holds the same
 * files, so a card redrawn for a like or a star keeps its video playing and its pictures.
 */
export function attachmentsEl(attachments, key = null) {
  if (!attachments || !attachments.length) return null;
  if (!key) return blockOf(attachments);
  const ids = attachments.map((a) => a.id).join(',');
  const before = kept.get(key);
  kept.delete(key);
  const entry = before && before.ids === ids ? before : { ids, el: blockOf(attachments) };
  kept.set(key, entry);
  if (kept.size > KEPT_MAX) kept.delete(kept.keys().next().value);
  return entry.el;
}

function blockOf(attachments) {
  const images = attachments.filter((a) => a.kind === 'image' && a.thumb_url);
  const others = attachments.filter((a) => !images.includes(a));
  return h('div', { class: 'attachments', testid: 'attachments' },
    images.length ? imageGrid(images) : null,
    others.map(otherEl));
}

function imageGrid(images) {
  return h('div', { class: `att-grid n${Math.min(images.length, 3)}`, testid: 'att-images' },
    images.map((image, index) => h('button', {
      type: 'button', class: 'att-thumb', testid: 'att-image',
      'aria-label': t('media.openImage', { name: image.name || '' }),
      onclick: (event) => openLightbox(images, index, event.currentTarget),
    }, setMediaSrc(h('img', {
      alt: image.name || '', loading: 'lazy', decoding: 'async',
      width: image.width || null, height: image.height || null,
    }), 'src', image.thumb_url))));
}

function otherEl(attachment) {
  if (attachment.kind === 'video') return videoEl(attachment);
  if (attachment.kind === 'audio') {
    return h('div', { class: 'att-audio', testid: 'att-audio' },
      userText('span', attachment.name, { class: 'att-name' }),
      setMediaSrc(h('audio', { controls: true, preload: 'metadata' }), 'src', attachment.url));
  }
  return fileCard(attachment);
}

function videoEl(video) {
  const el = h('video', {
    class: 'att-video', testid: 'att-video', controls: true, preload: 'metadata', playsinline: true,
    width: video.width || null, height: video.height || null,
    'aria-label': t('media.video', { name: video.name || '' }),
  });
  setMediaSrc(el, 'poster', video.thumb_url);
  return setMediaSrc(el, 'src', video.url);
}

/** A file: icon (a picture's or video's thumbnail when it has one), name, size, and a link. */
export function fileCard(attachment) {
  const icon = attachment.thumb_url
    ? setMediaSrc(h('img', { class: 'att-icon thumb', alt: '', loading: 'lazy' }), 'src', attachment.thumb_url)
    : h('span', { class: 'att-icon', 'aria-hidden': 'true', text: fileIcon(attachment) });
  return setMediaSrc(h('a', {
    class: 'att-file', testid: 'att-file', download: attachment.name || '',
    'aria-label': t('media.download', { name: attachment.name || '', size: formatSize(attachment.size) }),
  },
  icon,
  h('span', { class: 'att-text' },
    userText('span', attachment.name, { class: 'att-name', testid: 'att-name' }),
    h('span', { class: 'att-size', testid: 'att-size', text: formatSize(attachment.size) }))), 'href', attachment.url);
}
