// Media elements load an attachment through its URL with the session's media key
// (js/media-key.js): the key may need asking for first, so the src comes a moment later.

import { mediaUrl } from '../media-key.js';

/** Set el[attr] ('src', 'poster', 'href') to the attachment URL with the media key. */
export function setMediaSrc(el, attr, url) {
  if (!url) return el;
  mediaUrl(url).then((src) => {
    el[attr] = src;
  }, () => {
    el.dataset.mediaError = 'key';
  });
  return el;
}
