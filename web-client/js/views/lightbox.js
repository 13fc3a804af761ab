// A picture shown whole over the page: a modal <dialog> (focus stays inside, Esc closes),
// ← / → and the buttons go to the previous and next picture of the same item, and closing
// puts the focus back on the thumbnail that opened it.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { setMediaSrc } from './media-src.js';
import { userText } from './user-text.js';

/** Open the lightbox on images[index]; `opener` gets the focus back when it closes. */
export function openLightbox(images, index, opener = null) {
  let at = index;
  const img = h('img', { class: 'lightbox-img', testid: 'lightbox-img', alt: '' });
  const caption = userText('p', '', { class: 'lightbox-caption' });
  const count = h('span', { class: 'lightbox-count', testid: 'lightbox-count' });
  const step = (by) => {
    at = (at + by + images.length) % images.length;
    show();
  };
  const many = images.length > 1;
  const dialog = h('dialog', { class: 'lightbox', testid: 'lightbox', 'aria-label': t('media.lightbox') },
    h('div', { class: 'lightbox-bar' },
      many ? count : h('span'),
      h('button', {
        type: 'button', class: 'lightbox-close', testid: 'lightbox-close', 'aria-label': t('common.close'),
        text: '✕', onclick: () => dialog.close(),
      })),
    h('div', { class: 'lightbox-stage' },
      many ? h('button', {
        type: 'button', class: 'lightbox-prev', testid: 'lightbox-prev', 'aria-label': t('media.previous'),
        text: '‹', onclick: () => step(-1),
      }) : null,
      img,
      many ? h('button', {
        type: 'button', class: 'lightbox-next', testid: 'lightbox-next', 'aria-label': t('media.next'),
        text: '›', onclick: () => step(1),
      }) : null),
    caption);
  function show() {
    const image = images[at];
    img.removeAttribute('src');
    setMediaSrc(img, 'src', image.url);
    img.alt = image.name || '';
    caption.textContent = image.name || '';
    count.textContent = t('media.count', { at: at + 1, count: images.length });
  }
  dialog.addEventListener('keydown', (event) => {
    if (many && event.key === 'ArrowLeft') step(-1);
    else if (many && event.key === 'ArrowRight') step(1);
  });
  // A click on the dark backdrop (the dialog itself, not its content) closes it.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  show();
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('.lightbox-close').focus();
  return dialog;
}
