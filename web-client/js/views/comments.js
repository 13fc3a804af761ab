// A post's comment thread under its card: the comments (oldest first, a page at a time),
// edit for one's own, delete for one's own (owners and admins: any), and the box for a
// new one. What is being typed lives in `drafts` (the feed's), so it outlives a re-render.

import * as api from '../api.js';
import { busy, h, timeEl, toast } from '../dom.js';
import { personName, t } from '../i18n.js';
import { loadComments } from '../loaders.js';
import * as comments from '../store/comments.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { attachmentsEl } from './attachments.js';
import { reportButton } from './report.js';
import { attachMentions } from './mention-complete.js';
import { mentionedText } from './mentions.js';
import { userText } from './user-text.js';
import { botBadge } from './bot-badge.js';

/**
 * drafts: {text: Map post id → new comment, edits: Map comment id → text being edited,
 * trays: Map post id → the files attached to the new comment (views/attach.js)}.
 */
export function commentsEl(circleId, post, drafts, rerender) {
  const thread = comments.threadOf(post.id);
  const tray = trayOf(circleId, post.id, drafts, rerender);
  const input = h('input', {
    testid: 'comment-input', maxlength: '4000', placeholder: t('posts.commentPlaceholder'), 'aria-label': t('posts.commentLabel'),
    value: drafts.text.get(post.id) || '', oninput: (event) => drafts.text.set(post.id, event.target.value),
  });
  const mentionList = attachMentions(input, circleId); // @ completion by circle nickname
  const send = h('button', { type: 'submit', testid: 'comment-send', text: t('posts.commentSend'), disabled: tray.busy() });
  const more = thread && thread.next ? h('button', {
    type: 'button', class: 'link', testid: 'comments-more', text: t('posts.moreComments'),
    onclick: () => busy(more, () => loadComments(post.id, { more: true })),
  }) : null;
  return h('div', { class: 'comments', testid: 'comments', role: 'region', 'aria-label': t('posts.commentList') },
    thread
      ? h('ul', { testid: 'comment-list' }, comments.commentsOf(post.id).map((c) => commentItem(circleId, c, drafts, rerender)))
      : h('p', { class: 'muted', text: t('common.loading') }),
    more,
    tray.tray,
    listening(tray, h('form', {
      class: 'row',
      onsubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text && !tray.count()) return;
        if (!tray.ready()) {
          toast(t('media.waitUploads'));
          return;
        }
        const ids = tray.attachments().map((a) => a.id);
        busy(send, async () => {
          const added = await api.addComment(post.id, text, ids);
          drafts.text.delete(post.id);
          input.value = '';
          tray.clear();
          comments.addComment({ post: post.id, ...added }); // the comment.added event: the count
        });
      },
    }, tray.controls, input, send, mentionList)));
}

/** The files attached to a post's new comment: kept in the drafts across redraws. */
function trayOf(circleId, postId, drafts, rerender) {
  if (!drafts.trays) drafts.trays = new Map();
  if (!drafts.trays.has(postId)) drafts.trays.set(postId, attachTray(circleId, { onChange: rerender }));
  return drafts.trays.get(postId);
}

function listening(tray, form) {
  tray.listen(form);
  return form;
}

function commentItem(circleId, comment, drafts, rerender) {
  const me = state.session.user || {};
  const mine = Boolean(comment.author && comment.author.id === me.id);
  const editing = drafts.edits.has(comment.id);
  const tools = h('span', { class: 'tools' });
  if (mine && !editing) {
    tools.append(h('button', {
      type: 'button', class: 'link', testid: 'comment-edit', text: t('common.edit'),
      onclick: () => {
        drafts.edits.set(comment.id, comment.text);
        rerender();
        queueMicrotask(() => document.querySelector(
          `[data-comment-id="${CSS.escape(comment.id)}"] [data-testid="comment-edit-input"]`)?.focus());
      },
    }));
  }
  if ((mine || state.isManager(circleId)) && !editing) {
    const remove = h('button', {
      type: 'button', class: 'link danger', testid: 'comment-delete', text: t('common.delete'),
      onclick: () => {
        if (!window.confirm(t('posts.deleteCommentAsk'))) return;
        busy(remove, async () => {
          await api.deleteComment(comment.id);
          comments.removeComment(comment.post, comment.id); // the comment.deleted event: the count
        });
      },
    });
    tools.append(remove);
  }
  if (!mine && !editing && comment.author) {
    tools.append(reportButton(circleId, { kind: 'comment', id: comment.id }, { label: personName(comment.author.name) }));
  }
  return h('li', { testid: 'comment', dataset: { commentId: comment.id } },
    userText('strong', comment.author ? personName(comment.author.name) : ''), ' ', botBadge(comment.author), ' ', timeEl(comment.created), ' ', tools,
    editing ? editForm(comment, drafts, rerender) : mentionedText('p', comment.text, comment.mentions, { class: 'text', testid: 'comment-text' }),
    attachmentsEl(comment.attachments, `comment:${comment.id}`));
}

function editForm(comment, drafts, rerender) {
  const input = h('input', {
    testid: 'comment-edit-input', maxlength: '4000', 'aria-label': t('posts.editComment'),
    value: drafts.edits.get(comment.id), oninput: (event) => drafts.edits.set(comment.id, event.target.value),
  });
  const save = h('button', { type: 'submit', testid: 'comment-edit-save', text: t('common.save') });
  const cancel = h('button', {
    type: 'button', class: 'link', testid: 'comment-edit-cancel', text: t('common.cancel'),
    onclick: () => {
      drafts.edits.delete(comment.id);
      rerender();
    },
  });
  return h('form', {
    class: 'row',
    onsubmit: (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      busy(save, async () => {
        const updated = await api.editComment(comment.id, text);
        drafts.edits.delete(comment.id);
        comments.replaceComment({ ...comment, ...(updated || {}), text: (updated && updated.text) || text });
        rerender();
      });
    },
  }, input, save, cancel);
}
