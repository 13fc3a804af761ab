// A post's comment thread under its card: the comments (oldest first, a page at a time),
// edit for one's own, delete for one's own (owners and admins: any), and the box for a
// new one. What is being typed lives in `drafts` (the feed's), so it outlives a re-render.

import * as api from '../api.js';
import { busy, h, timeEl } from '../dom.js';
import { loadComments } from '../loaders.js';
import * as comments from '../store/comments.js';
import * as state from '../store/state.js';

/** drafts: {text: Map post id → new comment, edits: Map comment id → text being edited}. */
export function commentsEl(circleId, post, drafts, rerender) {
  const thread = comments.threadOf(post.id);
  const input = h('input', {
    testid: 'comment-input', maxlength: '4000', placeholder: 'Write a comment', 'aria-label': 'Comment',
    value: drafts.text.get(post.id) || '', oninput: (event) => drafts.text.set(post.id, event.target.value),
  });
  const send = h('button', { type: 'submit', testid: 'comment-send', text: 'Comment' });
  const more = thread && thread.next ? h('button', {
    type: 'button', class: 'link', testid: 'comments-more', text: 'More comments',
    onclick: () => busy(more, () => loadComments(post.id, { more: true })),
  }) : null;
  return h('div', { class: 'comments', testid: 'comments' },
    thread
      ? h('ul', { testid: 'comment-list' }, comments.commentsOf(post.id).map((c) => commentItem(circleId, c, drafts, rerender)))
      : h('p', { class: 'muted', text: 'Loading…' }),
    more,
    h('form', {
      class: 'row',
      onsubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        busy(send, async () => {
          const added = await api.addComment(post.id, text);
          drafts.text.delete(post.id);
          input.value = '';
          comments.addComment({ post: post.id, ...added }); // the comment.added event: the count
        });
      },
    }, input, send));
}

function commentItem(circleId, comment, drafts, rerender) {
  const me = state.session.user || {};
  const mine = Boolean(comment.author && comment.author.id === me.id);
  const editing = drafts.edits.has(comment.id);
  const tools = h('span', { class: 'tools' });
  if (mine && !editing) {
    tools.append(h('button', {
      type: 'button', class: 'link', testid: 'comment-edit', text: 'Edit',
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
      type: 'button', class: 'link danger', testid: 'comment-delete', text: 'Delete',
      onclick: () => {
        if (!window.confirm('Delete this comment?')) return;
        busy(remove, async () => {
          await api.deleteComment(comment.id);
          comments.removeComment(comment.post, comment.id); // the comment.deleted event: the count
        });
      },
    });
    tools.append(remove);
  }
  return h('li', { testid: 'comment', dataset: { commentId: comment.id } },
    h('strong', { text: comment.author ? comment.author.name : '' }), ' ', timeEl(comment.created), ' ', tools,
    editing ? editForm(comment, drafts, rerender) : h('p', { class: 'text', testid: 'comment-text', text: comment.text }));
}

function editForm(comment, drafts, rerender) {
  const input = h('input', {
    testid: 'comment-edit-input', maxlength: '4000', 'aria-label': 'Edit your comment',
    value: drafts.edits.get(comment.id), oninput: (event) => drafts.edits.set(comment.id, event.target.value),
  });
  const save = h('button', { type: 'submit', testid: 'comment-edit-save', text: 'Save' });
  const cancel = h('button', {
    type: 'button', class: 'link', testid: 'comment-edit-cancel', text: 'Cancel',
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
