// Which receipts panels and comment threads are open in a list of post cards. Opening one
// loads its first page into the store afresh (later changes come as events, whether or
// not it is open), so a panel opened again is never stale.

import { toast } from '../dom.js';
import { errorText } from '../i18n.js';
import { loadComments, loadReceipts } from '../loaders.js';

export function openPanels(onChange) {
  const receiptsOpen = new Set();
  const commentsOpen = new Set();

  function toggle(open, postId, load) {
    if (!open.delete(postId)) {
      open.add(postId);
      load(postId).catch((err) => {
        open.delete(postId);
        if (err.code !== 'offline') toast(errorText(err));
        onChange();
      });
    }
    onChange();
  }

  return {
    receiptsOpen,
    commentsOpen,
    toggleReceipts: (postId) => toggle(receiptsOpen, postId, loadReceipts),
    toggleComments: (postId) => toggle(commentsOpen, postId, loadComments),
    /** Close what no longer applies (the post is gone, or is no longer a must-read). */
    prune(isPost, isMustRead) {
      for (const id of [...receiptsOpen]) if (!isMustRead(id)) receiptsOpen.delete(id);
      for (const id of [...commentsOpen]) if (!isPost(id)) commentsOpen.delete(id);
    },
  };
}
