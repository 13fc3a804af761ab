// Polls: the card (question, an option per row with its live bar, percentage and count,
// the own choice marked, deadline or closed, close for its author and managers, who voted
// when not anonymous) and the composer (from the chat's 📊 button and under a new post).
// A chat poll's card stands in place of its message's text.

import * as api from '../api.js';
import { busy, field, fill, h, time, toast } from '../dom.js';
import { errorText, t } from '../i18n.js';
import * as polls from '../store/polls.js';
import * as state from '../store/state.js';
import { EV } from '../store/names.js';

// Every string these views show, from the catalogues (chat.poll*), read when drawn.
const T = {
  get poll() { return t('chat.poll'); },
  get multiple() { return t('chat.pollMultiple'); },
  get anonymous() { return t('chat.pollAnonymous'); },
  voters: (n) => t('chat.pollVoters', { count: n }),
  closes: (when) => t('chat.pollCloses', { when }),
  get closed() { return t('chat.pollClosed'); },
  get close() { return t('chat.pollClose'); },
  get confirmClose() { return t('chat.pollConfirmClose'); },
  get yourChoice() { return t('chat.pollYourChoice'); },
  votes: (n) => t('chat.pollVotes', { count: n }),
  get showVoters() { return t('chat.pollShowVoters'); },
  get hideVoters() { return t('chat.pollHideVoters'); },
  get noVoters() { return t('chat.pollNoVoters'); },
  get newPoll() { return t('chat.pollNew'); },
  get question() { return t('chat.pollQuestion'); },
  get questionHint() { return t('chat.pollQuestionHint'); },
  option: (i) => t('chat.pollOption', { n: i }),
  get addOption() { return t('chat.pollAddOption'); },
  get removeOption() { return t('chat.pollRemoveOption'); },
  get allowMultiple() { return t('chat.pollAllowMultiple'); },
  get makeAnonymous() { return t('chat.pollMakeAnonymous'); },
  get deadline() { return t('chat.pollDeadline'); },
  get deadlines() {
    return [['', t('chat.pollNoDeadline')], ['3600000', t('chat.pollIn1h')], ['86400000', t('chat.pollIn1d')], ['604800000', t('chat.pollIn1w')]];
  },
  get ask() { return t('chat.pollAsk'); },
  get cancel() { return t('common.cancel'); },
  get addPoll() { return `📊 ${t('chat.pollAdd')}`; },
  get needTwo() { return t('chat.pollNeedTwo'); },
  get openLabel() { return t('chat.pollOpen'); },
};

const OPTIONS_MAX = 20;
const OPTION_CHARS = 100;
const QUESTION_CHARS = 300;

const percent = (count, voters) => (voters ? Math.round((100 * count) / voters) : 0);

// Set through the CSSOM: the CSP refuses inline style attributes.
function bar(share) {
  const el = h('span', { class: 'poll-bar', testid: 'poll-bar', dataset: { share: String(share) } });
  el.style.width = `${share}%`;
  return el;
}

/** A poll as a card; it re-renders itself on every change of this poll. */
export function pollCard(poll) {
  const box = h('div', { class: 'poll-card', testid: 'poll', dataset: { pollId: poll.id } });
  let votersOpen = false;
  let voterList = null;

  let deadlineTimer = null;

  function render(current) {
    const closed = polls.isClosed(current);
    clearTimeout(deadlineTimer);
    // The deadline passing is no event: the card closes itself then.
    const left = current.closes_at ? current.closes_at - Date.now() : 0;
    if (!closed && left > 0 && left < 2 ** 31) {
      deadlineTimer = setTimeout(() => box.isConnected && render(polls.pollById(current.id) || current), left + 50);
    }
    const me = state.session.user || {};
    const mine = new Set(current.mine || []);
    const mayClose = !closed && (current.author === me.id || state.isManager(current.circle));
    const rows = current.options.map((text, index) => {
      const count = current.counts[index] || 0;
      const share = percent(count, current.voters);
      const chosen = mine.has(index);
      return h('li', { class: `poll-option${chosen ? ' chosen' : ''}`, testid: 'poll-option', dataset: { index: String(index) } },
        h('button', {
          type: 'button', class: 'poll-choose', testid: 'poll-choose', disabled: closed,
          'aria-pressed': chosen ? 'true' : 'false',
          'aria-label': t(chosen ? 'chat.pollOptionMine' : 'chat.pollOptionLabel', { text, votes: T.votes(count), share }),
          onclick: (event) => choose(current, index, event.currentTarget),
        },
        bar(share),
        h('span', { class: 'poll-label' },
          h('span', { class: 'poll-mark', text: chosen ? (current.multiple ? '☑' : '◉') : (current.multiple ? '☐' : '○') }),
          h('span', { class: 'poll-text', text })),
        h('span', { class: 'poll-share', testid: 'poll-share', text: `${share}%` }),
        h('span', { class: 'poll-count muted small', testid: 'poll-count', text: String(count) })));
    });
    box.classList.toggle('closed', closed);
    fill(box,
      h('div', { class: 'poll-head' },
        h('span', { class: 'tag', text: T.poll }),
        current.multiple ? h('span', { class: 'tag', text: T.multiple }) : null,
        current.anonymous ? h('span', { class: 'tag', testid: 'poll-anonymous', text: T.anonymous }) : null,
        closed ? h('span', { class: 'tag', testid: 'poll-closed', text: T.closed }) : null),
      h('p', { class: 'poll-question', testid: 'poll-question', text: current.question }),
      h('ol', { class: 'poll-options' }, rows),
      h('div', { class: 'poll-foot muted small' },
        h('span', { testid: 'poll-voters', text: T.voters(current.voters) }),
        !closed && current.closes_at ? h('span', { text: T.closes(time(current.closes_at)) }) : null,
        current.anonymous ? null : h('button', {
          type: 'button', class: 'link', testid: 'poll-voters-btn',
          text: votersOpen ? T.hideVoters : T.showVoters,
          onclick: () => toggleVoters(current),
        }),
        mayClose ? h('button', {
          type: 'button', class: 'link', testid: 'poll-close', text: T.close,
          onclick: (event) => closePoll(current, event.currentTarget),
        }) : null),
      votersOpen ? voterList : null);
  }

  // Votes go one after another, each computed from the choice the last one left: two
  // quick taps on a multiple-choice poll choose both.
  let voting = Promise.resolve();

  function choose(current, index, button) {
    voting = voting.then(() => busy(button, async () => {
      const latest = polls.pollById(current.id) || current;
      const mine = new Set(latest.mine || []);
      let next;
      if (latest.multiple) {
        if (mine.has(index)) mine.delete(index);
        else mine.add(index);
        next = [...mine].sort((a, b) => a - b);
      } else {
        next = mine.has(index) ? [] : [index];
      }
      await polls.answered(current.id, () => api.votePoll(current.id, next));
    }));
  }

  function closePoll(current, button) {
    if (!window.confirm(T.confirmClose)) return;
    busy(button, () => polls.answered(current.id, () => api.closePoll(current.id)));
  }

  async function toggleVoters(current) {
    votersOpen = !votersOpen;
    if (votersOpen) await loadVoters(current);
    render(polls.pollById(current.id) || current);
  }

  async function loadVoters(current) {
    if (!voterList) voterList = h('ul', { class: 'poll-voters', testid: 'poll-voter-list' });
    try {
      const reply = await api.pollVoters(current.id);
      const items = (reply.voters || []).map((v) => h('li', {},
        h('strong', { text: v.name }), ': ',
        v.options.map((i) => current.options[i]).join(', ')));
      voterList.replaceChildren(...(items.length ? items : [h('li', { class: 'muted', text: T.noVoters })]));
    } catch (err) {
      toast(errorText(err));
    }
  }

  const off = state.on(EV.pollChanged, (d) => {
    if (d.poll.id !== poll.id) return;
    if (!box.isConnected) {
      off();
      return;
    }
    render(d.poll);
    if (votersOpen && !d.poll.anonymous) loadVoters(d.poll);
  });
  render(poll);
  return box;
}

/**
 * The poll form. `onSubmit(poll settings)` asks it (and throws to keep the form);
 * `onCancel` closes it.
 */
export function pollComposer({ onSubmit, onCancel, submitText = T.ask }) {
  const question = h('input', { type: 'text', testid: 'poll-question-input', maxlength: String(QUESTION_CHARS), placeholder: T.questionHint, required: true });
  const optionList = h('div', { class: 'poll-option-inputs' });
  const multiple = h('input', { type: 'checkbox', testid: 'poll-multiple' });
  const anonymous = h('input', { type: 'checkbox', testid: 'poll-anonymous-input' });
  const deadline = h('select', { testid: 'poll-deadline' }, T.deadlines.map(([value, text]) => h('option', { value, text })));
  const addButton = h('button', { type: 'button', class: 'link', testid: 'poll-add-option', text: T.addOption, onclick: () => addOption('') });
  const submit = h('button', { type: 'submit', class: 'primary', testid: 'poll-submit', text: submitText });

  function addOption(value) {
    if (optionList.children.length >= OPTIONS_MAX) return;
    const n = optionList.children.length + 1;
    const input = h('input', { type: 'text', testid: 'poll-option-input', maxlength: String(OPTION_CHARS), value, 'aria-label': T.option(n), placeholder: T.option(n) });
    const row = h('div', { class: 'row' }, input, h('button', {
      type: 'button', class: 'link', testid: 'poll-remove-option', text: '✕', 'aria-label': T.removeOption,
      onclick: () => { if (optionList.children.length > 2) row.remove(); },
    }));
    optionList.append(row);
    addButton.hidden = optionList.children.length >= OPTIONS_MAX;
  }
  addOption('');
  addOption('');

  const form = h('form', {
    class: 'poll-composer card', testid: 'poll-composer',
    onsubmit: async (event) => {
      event.preventDefault();
      const options = [...optionList.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean);
      if (!question.value.trim() || options.length < 2) {
        toast(T.needTwo);
        return;
      }
      const settings = { question: question.value.trim(), options, multiple: multiple.checked, anonymous: anonymous.checked };
      if (deadline.value) settings.closes_at = Date.now() + Number(deadline.value);
      await busy(submit, () => onSubmit(settings));
    },
  },
  h('strong', { text: T.newPoll }),
  field(T.question, question),
  optionList,
  addButton,
  h('label', { class: 'field check' }, multiple, T.allowMultiple),
  h('label', { class: 'field check' }, anonymous, T.makeAnonymous),
  field(T.deadline, deadline),
  h('div', { class: 'row' }, submit, h('button', { type: 'button', testid: 'poll-cancel', text: T.cancel, onclick: onCancel })));
  return { el: form, focus: () => question.focus() };
}

/** The chat's 📊 button and its composer, asking in `group`. */
export function chatPollTools(circleId, group) {
  const slot = h('div', { class: 'poll-slot', testid: 'poll-slot' });
  let composer = null;
  const close = () => {
    composer = null;
    slot.replaceChildren();
  };
  const button = h('button', {
    type: 'button', class: 'poll-open', testid: 'poll-open', 'aria-label': T.openLabel, title: T.openLabel,
    onclick: () => {
      if (composer) return close();
      composer = pollComposer({
        onSubmit: async (settings) => {
          const reply = await api.createGroupPoll(group(), settings);
          polls.putPoll(reply.poll);
          close();
        },
        onCancel: close,
      });
      slot.replaceChildren(composer.el);
      composer.focus();
      return undefined;
    },
  }, h('span', { class: 'icon', 'aria-hidden': 'true', text: '📊' }), h('span', { class: 'label', text: T.poll }));
  return { button, slot };
}

/** Under the new-post form: a poll attached to the post once it is published. */
export function postPollTools() {
  const slot = h('div', { class: 'poll-slot', testid: 'post-poll-slot' });
  let composer = null;
  let settings = null;
  const toggle = h('button', {
    type: 'button', class: 'link', testid: 'post-poll-open', text: T.addPoll,
    onclick: () => {
      if (composer) return clear();
      composer = pollComposer({
        submitText: T.ask,
        onSubmit: async (chosen) => {
          settings = chosen;
          slot.replaceChildren(h('p', { class: 'muted small', testid: 'post-poll-ready', text: `📊 ${chosen.question}` }));
        },
        onCancel: clear,
      });
      slot.replaceChildren(composer.el);
      composer.focus();
      return undefined;
    },
  });
  function clear() {
    composer = null;
    settings = null;
    slot.replaceChildren();
  }
  return {
    toggle,
    slot,
    /** Attach the prepared poll (if any) to the post just published. */
    async attach(postId) {
      if (!settings) return;
      const chosen = settings;
      clear();
      const reply = await api.createPostPoll(postId, chosen);
      polls.putPoll(reply.poll);
    },
  };
}

/** A post's poll card (asked for once; empty until it is known). */
export function postPollSlot(post) {
  const known = polls.pollOfPost(post.id);
  if (known) return pollCard(known);
  if (post.kind === 'highlight' || post.deleted) return null;
  const slot = h('div', { class: 'poll-slot' });
  const show = (poll) => {
    if (!poll || !slot.isConnected) return;
    off();
    slot.replaceWith(pollCard(poll));
  };
  // Attached after the card showed (by its author here, or pushed live).
  const off = state.on(EV.pollChanged, (d) => d.poll.post === post.id && show(d.poll));
  polls.loadPostPoll(post.id).then(show);
  return slot;
}
