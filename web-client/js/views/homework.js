// A circle's homework (README "Homework"; 作业): the assignments, newest first, and one at
// a time. A student sees their own state and due date, hands in text with attachments
// (upload progress on each chip), edits or withdraws until it is reviewed, sees the review
// arrive live, and reads, likes and comments on classmates' work as far as the peer
// visibility allows. A teacher (owner or admin) sets an assignment (with a PDF, say), reads
// the review queue and the not-submitted list (with "remind"), downloads the grades as CSV,
// and reviews one submission side by side: its video plays on the left while the score,
// the comment (a voice note too), "excellent" and "return for redo" are on the right.
// Everything reloads when a homework event says it moved — never the review screen under
// the teacher's hands.

import * as api from '../api.js';
import { busy, field, fill, h, saveBlob, toast } from '../dom.js';
import { errorText, formatDateTime, t } from '../i18n.js';
import { EV } from '../store/names.js';
import * as state from '../store/state.js';
import { attachTray } from './attach.js';
import { attachmentsEl } from './attachments.js';
import { redrawing } from './redraw.js';
import { userText } from './user-text.js';

/** Enter that picks a Chinese IME candidate (isComposing; keyCode 229 in Safari) never submits the form. */
function imeSafe(input) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.isComposing || event.keyCode === 229)) event.preventDefault();
  });
  return input;
}
const VISIBILITY = ['hidden', 'after_submit', 'after_review', 'always'];

export function homeworkView(circleId) {
  // A link to homework (an excellent highlight's: #/c/<circle>/homework/<assignment>/<submission>).
  const linked = location.hash.match(/^#\/c\/[^/]+\/homework\/([^/?]+)/);
  let open = linked ? decodeURIComponent(linked[1]) : null; // the assignment shown, or null: the list
  let reviewing = null; // the submission under review (teachers), or null
  const body = h('div', { class: 'homework-body', testid: 'homework-body' });
  const el = h('section', { class: 'panel homework', testid: 'panel-homework', 'aria-label': t('homework.title') },
    h('div', { class: 'panel-head' }, h('h2', { text: t('homework.title') })), body);

  const manager = () => state.isManager(circleId);
  const me = () => state.session.user?.id;

  const panel = redrawing(body, (mine) => {
    if (reviewing) return showReview(reviewing, mine);
    if (open) return showOne(open, mine);
    return showList(mine);
  });
  const { show, draw } = panel;
  const newTray = (onChange = () => {}) => panel.keep(attachTray(circleId, { onChange }));

  // Due times are on the circle's clock (due_local), whatever this device's zone.
  const dueText = (a) => (a.due_at
    ? t('homework.due', { when: a.due_local ? a.due_local.replace('T', ' ') : formatDateTime(a.due_at) })
    : t('homework.noDue'));
  const stateTag = (s, late) => h('span', { class: `tag hw-state hw-${s}`, testid: 'hw-state', dataset: { state: s } },
    t(`homework.state.${s}`), late ? ` · ${t('homework.late')}` : '');

  // -- the list ---------------------------------------------------------------------------

  async function showList(mine) {
    const page = await api.assignments(circleId);
    const items = page.assignments.map((a) => h('li', { class: 'card hw-item', testid: 'hw-item', dataset: { id: a.id } },
      h('button', { type: 'button', class: 'link hw-open', testid: 'hw-open', onclick: () => { open = a.id; show(); } }, userText('strong', a.title)),
      h('p', { class: 'muted small', text: `${dueText(a)}${a.closed ? ` · ${t('homework.closed')}` : ''}` }),
      a.counts
        ? h('p', { class: 'small', testid: 'hw-counts', text: t('homework.counts', a.counts) })
        : stateTag(a.mine.state, a.mine.late)));
    draw(mine,
      manager() ? createForm : null,
      items.length ? h('ul', { class: 'hw-list', testid: 'hw-list' }, items)
        : h('p', { class: 'muted', testid: 'hw-empty', text: t('homework.none') }));
  }

  function createForm() {
    const title = imeSafe(h('input', { testid: 'hw-title-input', maxlength: '100', required: true }));
    const about = h('textarea', { testid: 'hw-instructions', rows: '3', maxlength: '10000' });
    const due = h('input', { type: 'datetime-local', testid: 'hw-due' });
    const late = h('input', { type: 'checkbox', testid: 'hw-allow-late', checked: true });
    const peers = h('select', { testid: 'hw-visibility' },
      VISIBILITY.map((v) => h('option', { value: v, text: t(`homework.visibility.${v}`) })));
    // The lesson it belongs to (optional): the course plan's lessons, when it has some.
    const lesson = h('select', { testid: 'hw-lesson' }, h('option', { value: '', text: t('homework.noLesson') }));
    api.lessons(circleId).then((plan) => {
      for (const l of plan.lessons || []) lesson.append(h('option', { value: l.id, text: l.title }));
    }).catch(() => {});
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'hw-create', text: t('homework.create') });
    const tray = newTray(() => { submit.disabled = tray.busy(); });
    const form = h('form', {
      class: 'hw-form', testid: 'hw-form',
      onsubmit: (event) => {
        event.preventDefault();
        if (!tray.ready()) {
          toast(t('media.waitUploads'));
          return;
        }
        const fields = {
          title: title.value.trim(), instructions: about.value, allow_late: late.checked,
          peer_visibility: peers.value, attachments: tray.attachments().map((a) => a.id),
        };
        if (due.value) fields.due_at = due.value;
        if (lesson.value) fields.lesson_id = lesson.value;
        busy(submit, async () => {
          try {
            const made = await api.createAssignment(circleId, fields);
            open = made.id;
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, field(t('homework.name'), title), field(t('homework.instructions'), about), tray.tray,
    h('div', { class: 'row wrap' }, tray.controls),
    field(t('homework.dueField'), due), h('label', { class: 'row' }, late, h('span', { text: t('homework.allowLate') })),
    field(t('homework.visibility'), peers), field(t('homework.lesson'), lesson), submit);
    tray.listen(form);
    return h('details', { class: 'card', testid: 'hw-new' }, h('summary', { text: t('homework.new') }), form);
  }

  // -- one assignment -----------------------------------------------------------------------

  async function showOne(id, mine) {
    const teacher = manager();
    const [a, own, seen] = await Promise.all([
      api.assignment(id),
      api.mySubmission(id),
      api.submissions(id),
    ]);
    const [roster, best] = await Promise.all([teacher ? api.roster(id) : null, api.submissions(id, undefined, true)]);
    if (open !== id) return;
    const back = h('button', { type: 'button', class: 'link', testid: 'hw-back', text: t('homework.back'), onclick: () => { open = null; show(); } });
    const others = seen.submissions.filter((s) => s.user !== me());
    draw(mine,
      back,
      h('article', { class: 'card hw-assignment', testid: 'hw-assignment', dataset: { id: a.id } },
        userText('h3', a.title, { testid: 'hw-title' }),
        h('p', { class: 'muted small', testid: 'hw-due-text', text: `${dueText(a)} · ${t(`homework.visibility.${a.peer_visibility}`)}` }),
        a.instructions ? userText('p', a.instructions, { class: 'hw-about' }) : null,
        attachmentsEl(a.attachments, `assignment:${a.id}`)),
      teacher ? () => teacherEl(a, roster, seen.submissions) : () => studentEl(a, own.submission),
      best.submissions.length ? showcaseEl(best.submissions) : null,
      !teacher && others.length ? peersEl(others) : null);
  }

  function studentEl(a, sub) {
    const s = sub ? sub.state : 'assigned';
    const parts = [h('h4', {}, t('homework.mine'), ' ', stateTag(s, sub?.late))];
    if (sub && sub.review) parts.push(reviewEl(sub.review));
    if (sub && s !== 'assigned' && s !== 'returned') {
      parts.push(workEl(sub, false));
    }
    if (a.closed) parts.push(h('p', { class: 'muted', text: t('homework.closed') }));
    else if (s === 'assigned' || s === 'returned') parts.push(composer(a, null));
    else if (s === 'submitted' || s === 'resubmitted') {
      const withdraw = h('button', {
        type: 'button', class: 'small', testid: 'hw-withdraw', text: t('homework.withdraw'),
        onclick: () => busy(withdraw, async () => {
          try {
            await api.withdrawWork(sub.id);
            await show();
          } catch (err) {
            toast(errorText(err));
          }
        }),
      });
      parts.push(h('details', { class: 'hw-edit', testid: 'hw-edit' }, h('summary', { text: t('homework.edit') }), composer(a, sub)), withdraw);
    }
    return h('section', { class: 'card hw-mine', testid: 'hw-mine', dataset: { state: s } }, parts);
  }

  /** Hand in (sub null) or edit: text and attachments, the uploads' progress on each chip. */
  function composer(a, sub) {
    const text = h('textarea', { testid: 'hw-text', rows: '4', maxlength: String(a.limits.text), placeholder: t('homework.placeholder') });
    if (sub) text.value = sub.text;
    const send = h('button', { type: 'submit', class: 'primary', testid: sub ? 'hw-save' : 'hw-submit', text: sub ? t('homework.save') : t('homework.submit') });
    const tray = newTray(() => { send.disabled = tray.busy(); });
    const kept = sub ? [...sub.attachments] : [];
    const keptEl = kept.length ? h('p', { class: 'muted small', text: t('homework.keeps', { count: kept.length }) }) : null;
    const problem = h('p', { class: 'error', testid: 'hw-error', hidden: true, role: 'alert' });
    const form = h('form', {
      class: 'hw-composer', testid: 'hw-composer',
      onsubmit: (event) => {
        event.preventDefault();
        if (!tray.ready()) {
          toast(t('media.waitUploads'));
          return;
        }
        const ids = [...kept.map((k) => k.id), ...tray.attachments().map((x) => x.id)];
        busy(send, async () => {
          try {
            if (sub) await api.editWork(sub.id, text.value.trim(), ids);
            else await api.submitWork(a.id, text.value.trim(), ids);
            await show();
          } catch (err) {
            problem.textContent = errorText(err);
            problem.hidden = false;
          }
        });
      },
    }, field(t('homework.yourWork'), text), keptEl, tray.tray,
    h('p', { class: 'muted small', text: t('homework.limits', a.limits) }),
    h('div', { class: 'row wrap' }, tray.controls, send), problem);
    tray.listen(form);
    return form;
  }

  function reviewEl(review) {
    const mark = [review.score != null ? t('homework.score', { score: review.score }) : null, review.grade].filter(Boolean).join(' · ');
    return h('div', { class: 'hw-review', testid: 'hw-review' },
      h('h5', { text: t('homework.review') }),
      mark ? h('p', { class: 'hw-mark', testid: 'hw-mark', text: mark }) : null,
      review.comment ? userText('p', review.comment, { testid: 'hw-review-comment' }) : null,
      attachmentsEl(review.attachments || [], null));
  }

  /** A submission's content; `social`: with likes and comments (classmates' and the showcase). */
  function workEl(sub, social) {
    const card = h('div', { class: 'hw-work', testid: 'hw-work', dataset: { id: sub.id, user: sub.user } },
      h('div', { class: 'meta' }, userText('strong', sub.name || ''),
        sub.excellent ? h('span', { class: 'tag hw-excellent', testid: 'hw-excellent-tag', text: t('homework.excellent') }) : null,
        sub.late ? h('span', { class: 'tag', text: t('homework.late') }) : null),
      sub.text ? userText('p', sub.text, { testid: 'hw-work-text' }) : null,
      attachmentsEl(sub.attachments || [], `submission:${sub.id}`));
    if (social) card.append(socialEl(sub));
    return card;
  }

  function socialEl(sub) {
    let liked = Boolean(sub.liked);
    const like = h('button', {
      type: 'button', class: 'small', testid: 'hw-like', 'aria-pressed': String(liked),
      text: t('homework.likes', { count: sub.likes }),
      onclick: () => busy(like, async () => {
        try {
          const got = await api.likeWork(sub.id, !liked);
          liked = got.liked;
          like.setAttribute('aria-pressed', String(liked));
          like.textContent = t('homework.likes', { count: got.likes });
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    const list = h('ul', { class: 'hw-comments', testid: 'hw-comments' });
    const input = imeSafe(h('input', { testid: 'hw-comment-input', maxlength: '2000', placeholder: t('homework.commentHint'), 'aria-label': t('homework.commentHint') }));
    const sendBtn = h('button', { type: 'submit', class: 'small', testid: 'hw-comment-send', text: t('homework.comment') });
    const load = async () => {
      const found = await api.workComments(sub.id);
      fill(list, found.comments.map((c) => h('li', { testid: 'hw-comment' }, userText('strong', c.author.name || ''), ' ', userText('span', c.text))));
    };
    if (sub.comments) load().catch(() => {});
    const form = h('form', {
      class: 'row', onsubmit: (event) => {
        event.preventDefault();
        if (!input.value.trim()) return;
        busy(sendBtn, async () => {
          try {
            await api.commentWork(sub.id, input.value.trim());
            input.value = '';
            await load();
          } catch (err) {
            toast(errorText(err));
          }
        });
      },
    }, input, sendBtn);
    return h('div', { class: 'hw-social' }, like, list, form);
  }

  function peersEl(others) {
    return h('section', { class: 'hw-peers', testid: 'hw-peers' },
      h('h4', { text: t('homework.classmates') }),
      h('ul', { class: 'hw-peer-list' }, others.map((s) => h('li', { class: 'card' }, workEl(s, true)))));
  }

  function showcaseEl(best) {
    return h('section', { class: 'hw-showcase', testid: 'hw-showcase' },
      h('h4', { text: t('homework.showcase') }),
      h('ul', { class: 'hw-peer-list' }, best.map((s) => h('li', { class: 'card', testid: 'hw-showcase-item' }, workEl(s, false)))));
  }

  // -- the teacher's side ------------------------------------------------------------------

  function teacherEl(a, roster, subs) {
    const queue = subs.filter((s) => s.state === 'submitted' || s.state === 'resubmitted');
    const done = subs.filter((s) => s.state === 'reviewed' || s.state === 'returned');
    const missing = roster.students.filter((s) => s.state === 'assigned' || s.state === 'returned');
    const remind = h('button', {
      type: 'button', class: 'small', testid: 'hw-remind', text: t('homework.remind'), disabled: !missing.length,
      onclick: () => busy(remind, async () => {
        try {
          const got = await api.remindMissing(a.id);
          toast(t('homework.reminded', { count: got.reminded.length }), 'info');
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    const csv = h('button', {
      type: 'button', class: 'small', testid: 'hw-csv', text: t('homework.csv'),
      onclick: () => busy(csv, async () => {
        try {
          saveBlob(await api.gradesCsv(a.id), `grades-${a.id}.csv`);
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    const close = h('button', {
      type: 'button', class: 'small', testid: 'hw-close', text: a.closed ? t('homework.reopen') : t('homework.close'),
      onclick: () => busy(close, async () => {
        try {
          await api.updateAssignment(a.id, { closed: !a.closed });
          await show();
        } catch (err) {
          toast(errorText(err));
        }
      }),
    });
    const row = (s) => h('li', { class: 'hw-queue-item', testid: 'hw-queue-item', dataset: { id: s.id } },
      userText('span', s.name || '', { class: 'grow' }), stateTag(s.state, s.late),
      h('button', { type: 'button', class: 'small primary', testid: 'hw-review-open', text: t('homework.reviewIt'), onclick: () => { reviewing = s.id; show(); } }));
    return h('section', { class: 'hw-teacher', testid: 'hw-teacher' },
      h('p', { class: 'small', testid: 'hw-roster-counts', text: t('homework.rosterCounts', { handed: roster.handed_in, missing: roster.missing, late: roster.late }) }),
      h('div', { class: 'row wrap' }, remind, csv, close),
      h('h4', { text: t('homework.queue', { count: queue.length }) }),
      queue.length ? h('ul', { class: 'hw-queue', testid: 'hw-queue' }, queue.map(row)) : h('p', { class: 'muted', testid: 'hw-queue-empty', text: t('homework.queueEmpty') }),
      done.length ? [h('h4', { text: t('homework.done') }), h('ul', { class: 'hw-queue' }, done.map(row))] : null,
      h('h4', { text: t('homework.missing', { count: missing.length }) }),
      h('ul', { class: 'members hw-missing', testid: 'hw-missing' }, missing.map((s) => userText('li', s.name || '', { testid: 'hw-missing-member' }))));
  }

  async function showReview(id, mine) {
    const got = await api.submission(id);
    const sub = got.submission;
    const back = h('button', { type: 'button', class: 'link', testid: 'hw-review-back', text: t('homework.backToQueue'), onclick: () => { reviewing = null; show(); } });
    if (reviewing !== id) return;
    draw(mine, back, () => {
      const score = h('input', { type: 'number', testid: 'hw-score', min: '0', step: 'any', inputmode: 'decimal' });
      const grade = imeSafe(h('input', { testid: 'hw-grade', maxlength: '20' }));
      const comment = h('textarea', { testid: 'hw-comment-text', rows: '4', maxlength: '2000' });
      if (sub.review) {
        if (sub.review.score != null) score.value = String(sub.review.score);
        grade.value = sub.review.grade || '';
        comment.value = sub.review.comment || '';
      }
      const problem = h('p', { class: 'error', testid: 'hw-review-error', hidden: true, role: 'alert' });
      const act = (button, call) => busy(button, async () => {
        problem.hidden = true;
        try {
          await call();
          toast(t('homework.saved'), 'info');
          const fresh = await api.submission(id);
          status.replaceChildren(stateTag(fresh.submission.state, fresh.submission.late),
            fresh.submission.excellent ? h('span', { class: 'tag hw-excellent', testid: 'hw-excellent-tag', text: t('homework.excellent') }) : '');
        } catch (err) {
          problem.textContent = errorText(err);
          problem.hidden = false;
        }
      });
      const save = h('button', { type: 'button', class: 'primary', testid: 'hw-review-save', text: t('homework.saveReview') });
      const redo = h('button', { type: 'button', testid: 'hw-return', text: t('homework.return') });
      const best = h('button', { type: 'button', testid: 'hw-mark-excellent', text: t('homework.markExcellent') });
      const tray = newTray(() => { save.disabled = tray.busy(); });
      const fields = () => {
        const out = { comment: comment.value.trim(), attachments: tray.attachments().map((a) => a.id) };
        if (score.value !== '') out.score = Number(score.value);
        if (grade.value.trim()) out.grade = grade.value.trim();
        return out;
      };
      save.onclick = () => act(save, () => api.reviewWork(id, fields()));
      redo.onclick = () => act(redo, () => api.reviewWork(id, { ...fields(), redo: true }));
      best.onclick = () => act(best, () => api.markExcellent(id));
      const status = h('p', { class: 'hw-review-status', testid: 'hw-review-status' }, stateTag(sub.state, sub.late),
        sub.excellent ? h('span', { class: 'tag hw-excellent', testid: 'hw-excellent-tag', text: t('homework.excellent') }) : '');
      const form = h('div', { class: 'hw-review-form', testid: 'hw-review-form' },
        status,
        h('div', { class: 'row wrap' }, field(t('homework.scoreField'), score), field(t('homework.gradeField'), grade)),
        field(t('homework.commentField'), comment), tray.tray, h('div', { class: 'row wrap' }, tray.controls),
        h('div', { class: 'row wrap' }, save, redo, best), problem);
      tray.listen(form);
      return h('div', { class: 'hw-review-screen', testid: 'hw-review-screen' },
        h('div', { class: 'hw-review-work' }, workEl(sub, false)), form);
    });
  }

  // -- live ---------------------------------------------------------------------------------

  const off = state.on(EV.homeworkChanged, (d) => {
    if (d.circle !== circleId) return;
    if (reviewing) return; // the review screen stays as it is under the teacher's hands
    if (!open || !d.assignment || d.assignment === open) panel.reloadSoon();
  });

  return {
    el,
    /** The panel is on screen: what it shows, fresh. */
    shown() { show(); },
    destroy() {
      off();
      panel.stop();
    },
  };
}

/** A highlight's provenance when it is excellent homework: "Excellent homework · <title>". */
export function homeworkSourceTag(source) {
  if (!source || source.kind !== 'submission') return null;
  return h('a', { class: 'tag hw-excellent', testid: 'post-homework', href: source.link || null, dataset: { assignment: source.parent || '', submission: source.id || '' } },
    t('homework.fromAssignment', { title: source.title || '' }));
}
