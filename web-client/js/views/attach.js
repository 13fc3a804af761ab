// Files being attached to what is written (a chat message, a post, a comment): an attach
// button (the file picker, several at once), files dropped on the composer or pasted into
// it. Each file uploads at once (actions.uploadFile: resumed after a drop) and shows as a
// chip above the input — a thumbnail for a picture, its name, a progress bar and × to
// cancel it. The composer asks ready() before sending and takes attachments().

import * as actions from '../actions.js';
import { h, toast } from '../dom.js';
import { errorText, formatSize, t } from '../i18n.js';
import { userText } from './user-text.js';

// Failures that may go away by themselves: the network, the server, a rate limit.
const RETRYABLE = new Set(['offline', 'internal', 'rate_limited', 'unavailable']);

/**
 * The attachments of one composer. onChange() is called whenever a file is added, done,
 * failed or removed (the composer enables its send button from ready()).
 */
export function attachTray(circleId, { onChange = () => {} } = {}) {
  const items = []; // {file, chip, controller, attachment?, error?, preview?}
  const tray = h('ul', { class: 'att-tray', testid: 'att-tray', hidden: true, 'aria-label': t('media.attached') });
  // The picker itself stays hidden (out of the tab order and the accessibility tree): the
  // button opens it.
  const input = h('input', {
    type: 'file', multiple: true, hidden: true, testid: 'attach-input', 'aria-label': t('media.attach'),
    onchange: () => {
      addFiles([...input.files]);
      input.value = '';
    },
  });
  const button = h('button', {
    type: 'button', class: 'attach-btn', testid: 'attach-btn', 'aria-label': t('media.attach'),
    title: t('media.attachHint'), onclick: () => input.click(),
  }, h('span', { 'aria-hidden': 'true', text: '📎' }));

  function addFiles(files) {
    const room = actions.MAX_ATTACHMENTS - items.length;
    if (files.length > room) toast(t('error.too_many_files', { max: actions.MAX_ATTACHMENTS }));
    for (const file of files.slice(0, Math.max(0, room))) start(file);
    changed();
  }

  function start(file) {
    const item = { file };
    if (file.type && file.type.startsWith('image/')) item.preview = URL.createObjectURL(file);
    item.bar = h('progress', { class: 'att-progress', testid: 'att-progress', max: '1', value: '0' });
    item.status = h('span', { class: 'att-status', testid: 'att-status', text: formatSize(file.size) });
    item.again = h('button', {
      type: 'button', class: 'link att-retry', testid: 'att-retry', text: t('common.retry'), hidden: true,
      onclick: () => upload(item),
    });
    item.chip = h('li', { class: 'att-chip', testid: 'att-chip' },
      item.preview ? h('img', { class: 'att-chip-thumb', src: item.preview, alt: '' })
        : h('span', { class: 'att-chip-thumb icon', 'aria-hidden': 'true', text: '📄' }),
      h('span', { class: 'att-chip-text' },
        userText('span', file.name || t('media.pasted'), { class: 'att-name' }), item.status, item.bar, item.again),
      h('button', {
        type: 'button', class: 'att-cancel', testid: 'att-cancel',
        'aria-label': t('media.remove', { name: file.name || '' }), text: '×', onclick: () => remove(item),
      }));
    items.push(item);
    tray.append(item.chip);
    upload(item);
  }

  /** Upload (again, after a failure worth retrying) the file of a chip. */
  function upload(item) {
    item.error = null;
    item.controller = new AbortController();
    item.chip.dataset.state = 'uploading';
    item.again.hidden = true;
    changed();
    actions.uploadFile(circleId, item.file, {
      signal: item.controller.signal,
      onProgress: (sent, total) => {
        item.bar.value = total ? sent / total : 1;
        item.status.textContent = t('media.progress', { percent: Math.floor((total ? sent / total : 1) * 100) });
      },
    }).then((attachment) => {
      item.attachment = attachment;
      item.chip.dataset.state = 'done';
      item.chip.dataset.attachment = attachment.id;
      item.status.textContent = formatSize(attachment.size);
      changed();
    }, (error) => {
      if (error.code === 'cancelled') return;
      item.error = error;
      item.chip.dataset.state = 'failed';
      item.status.textContent = errorText(error);
      item.again.hidden = !RETRYABLE.has(error.code); // a refusal stays one
      changed();
    });
  }

  function remove(item) {
    item.controller.abort();
    if (item.preview) URL.revokeObjectURL(item.preview);
    item.chip.remove();
    items.splice(items.indexOf(item), 1);
    changed();
  }

  function changed() {
    tray.hidden = !items.length;
    onChange();
  }

  /** Files dropped on `el` or pasted into it are attached (text pastes stay text). */
  function listen(el) {
    el.addEventListener('dragover', (event) => {
      if (![...(event.dataTransfer?.types || [])].includes('Files')) return;
      event.preventDefault();
      el.classList.add('drop-here');
    });
    el.addEventListener('dragleave', () => el.classList.remove('drop-here'));
    el.addEventListener('drop', (event) => {
      el.classList.remove('drop-here');
      const files = [...(event.dataTransfer?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      addFiles(files);
    });
    el.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return;
      event.preventDefault();
      addFiles(files);
    });
  }

  return {
    controls: [button, input],
    tray,
    listen,
    addFiles,
    /** Something is attached and nothing is still uploading or failed. */
    ready: () => items.every((item) => item.attachment),
    busy: () => items.some((item) => !item.attachment && !item.error),
    count: () => items.length,
    attachments: () => items.map((item) => item.attachment).filter(Boolean),
    /** Empty again: after sending, or when the composer goes (what is still uploading is cancelled). */
    clear() {
      for (const item of [...items]) remove(item);
    },
  };
}
