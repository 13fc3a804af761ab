// A live lesson's player: the teacher's embeddable player in a frame (only players of
// origins the server's frame policy allows are accepted as embeddable, so the page's CSP
// frame-src lets it load), or a link that opens the stream elsewhere. Only http(s) URLs.

import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The URL when it is http or https, else null. */
export function webUrl(value) {
  try {
    const url = new URL(String(value || ''));
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A link that opens an address in a new tab, telling that site nothing of this page. */
export function outLink(url, text, testid) {
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'button', testid, text });
}

/** The stream of a lesson: a frame for an embeddable player, else a link; null without one. */
export function playerEl(lesson) {
  const url = webUrl(lesson.stream_url);
  if (!url) return null;
  if (lesson.stream_embed) {
    return h('div', { class: 'lesson-player', testid: 'lesson-player' },
      h('iframe', {
        src: url, title: t('lesson.player', { title: lesson.title }), testid: 'lesson-frame',
        allow: 'autoplay; fullscreen; picture-in-picture', allowfullscreen: true,
        referrerpolicy: 'no-referrer', loading: 'lazy',
      }),
      h('p', { class: 'small muted' }, outLink(url, t('lesson.openStream'), 'lesson-stream-link')));
  }
  return h('p', { class: 'lesson-player link-only', testid: 'lesson-player' },
    outLink(url, t('lesson.openStream'), 'lesson-stream-link'));
}
