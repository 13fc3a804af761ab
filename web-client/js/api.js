// The HTTP API (HTTP-API.md): one function per endpoint, errors as ApiError with the
// contract's code. A 401 on an authenticated call fires 'unauthenticated' on `events`.

const BASE = '/api/v1';
let token = null;

export const events = new EventTarget();

export class ApiError extends Error {
  // `message` is the server's (English, for logs); people are told i18n.errorText(err),
  // from `code` and, where the server gives one, the finer `reason` and its `params`.
  constructor(status, code, message, { reason, params } = {}) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.params = params;
  }
}

export function setToken(value) {
  if (value !== token) events.dispatchEvent(new CustomEvent('token'));
  token = value;
}

async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached right now.');
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    if (response.status === 401 && token) {
      events.dispatchEvent(new CustomEvent('unauthenticated'));
    }
    throw new ApiError(response.status, error.code, error.message || response.statusText, error);
  }
  return data;
}

const enc = encodeURIComponent;

function query(params) {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

// Accounts
export const signup = (handle, password, name) =>
  request('POST', '/auth/signup', { handle, password, name });
export const login = (handle, password) => request('POST', '/auth/login', { handle, password });
export const logout = () => request('POST', '/auth/logout');
export const me = () => request('GET', '/me');
export const myCircles = () => request('GET', '/me/circles');
export const myMustReads = () => request('GET', '/me/must-read');
export const sessions = () => request('GET', '/me/sessions');
export const endSession = (id) => request('DELETE', `/me/sessions/${enc(id)}`);
export const logoutEverywhere = () => request('POST', '/auth/logout-everywhere');
export const changePassword = (oldPassword, newPassword) =>
  request('POST', '/me/password', { old_password: oldPassword, new_password: newPassword });

// The notification inbox
export const notifications = ({ before, after, limit } = {}) =>
  request('GET', `/me/notifications${query({ before, after, limit })}`);
export const markNotificationsRead = (body = {}) => request('POST', '/me/notifications/read', body);
export const markNotificationRead = (id) => request('POST', `/me/notifications/${enc(id)}/read`);
export const notificationSettings = () => request('GET', '/me/notifications/settings');
export const updateNotificationSettings = (changes) => request('PATCH', '/me/notifications/settings', changes);

/** The caller's own data: a ZIP (a Blob) of JSON files. */
// Away from Quanzi: push notifications on this device, email (README "Notifications away")
export const pushKey = () => request('GET', '/push/key');
export const pushDevices = () => request('GET', '/me/push-subscriptions');
export const subscribePush = (subscription) => request('POST', '/me/push-subscriptions', subscription);
export const unsubscribePush = (endpoint) => request('DELETE', '/me/push-subscriptions', { endpoint });
export const forgetPushDevice = (id) => request('DELETE', `/me/push-subscriptions/${enc(id)}`);
export const myEmail = () => request('GET', '/me/email');
export const updateEmail = (changes) => request('PATCH', '/me/email', changes);
export const resendConfirmation = () => request('POST', '/me/email/confirmation');
export const circleMail = (id) => request('GET', `/circles/${enc(id)}/mail`);
export const setCircleMail = (id, mustReads) =>
  request('PUT', `/circles/${enc(id)}/mail`, { must_reads: mustReads });

export async function exportMyData() {
  let response;
  try {
    response = await fetch(`${BASE}/me/export`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached right now.');
  }
  if (!response.ok) {
    const error = ((await response.json().catch(() => null)) || {}).error || {};
    throw new ApiError(response.status, error.code, error.message || response.statusText, error);
  }
  return response.blob();
}

/** Delete the caller's account (confirmed by the password); 'account-deleted' on `events` after. */
export async function deleteAccount(password) {
  await request('POST', '/me/delete', { password });
  events.dispatchEvent(new CustomEvent('account-deleted'));
}

// Circles
export const createCircle = (fields) => request('POST', '/circles', fields);
export const directory = (q, kind, cursor) => request('GET', `/circles${query({ q, kind, cursor })}`);
export const circle = (id) => request('GET', `/circles/${enc(id)}`);
export const updateCircle = (id, changes) => request('PATCH', `/circles/${enc(id)}`, changes);
export const invitePreview = (id, code) => request('GET', `/circles/${enc(id)}/invite${query({ code })}`);
// Following a public circle without joining it
export const follow = (id) => request('POST', `/circles/${enc(id)}/follow`);
export const unfollow = (id) => request('DELETE', `/circles/${enc(id)}/follow`);
export const following = (cursor) => request('GET', `/me/following${query({ cursor })}`);
export const followers = (id, q, cursor) =>
  request('GET', `/circles/${enc(id)}/followers${query({ q, cursor })}`);
export const join = (id, code) => request('POST', `/circles/${enc(id)}/join`, code ? { code } : {});
export const leave = (id) => request('POST', `/circles/${enc(id)}/leave`);
export const deleteCircle = (id, confirm) => request('DELETE', `/circles/${enc(id)}`, { confirm });
export const members = (id, cursor, q) => request('GET', `/circles/${enc(id)}/members${query({ cursor, q })}`);
// Mutes and bans (README "Who may do what"): minutes null mutes until lifted
export const mute = (id, userId, minutes, reason) =>
  request('PUT', `/circles/${enc(id)}/members/${enc(userId)}/mute`, {
    ...(minutes ? { minutes } : {}),
    ...(reason ? { reason } : {}),
  });
export const unmute = (id, userId) => request('DELETE', `/circles/${enc(id)}/members/${enc(userId)}/mute`);
export const ban = (id, userId, reason) =>
  request('PUT', `/circles/${enc(id)}/bans/${enc(userId)}`, reason ? { reason } : {});
// Paid terms (docs/payments.md): {months} renews, {ends_at} sets the end; clear: no end.
export const setTerm = (id, userId, term) => request('PUT', `/circles/${enc(id)}/members/${enc(userId)}/term`, term);
export const clearTerm = (id, userId) => request('DELETE', `/circles/${enc(id)}/members/${enc(userId)}/term`);
export const unban = (id, userId) => request('DELETE', `/circles/${enc(id)}/bans/${enc(userId)}`);
/** A page of a circle's bans, newest first: {bans, next}. */
export const bans = (id, q, cursor) => request('GET', `/circles/${enc(id)}/bans${query({ q, cursor })}`);
export const updateMember = (id, userId, changes) =>
  request('PATCH', `/circles/${enc(id)}/members/${enc(userId)}`, changes);
export const removeMember = (id, userId) =>
  request('DELETE', `/circles/${enc(id)}/members/${enc(userId)}`);
export const createCodes = (id, count, maxUses, expiresInS, term = {}) =>
  request('POST', `/circles/${enc(id)}/codes`, {
    count,
    ...(maxUses ? { max_uses: maxUses } : {}),
    ...(expiresInS ? { expires_in_s: expiresInS } : {}),
    ...(term.months ? { period_months: term.months } : {}),
    ...(term.deadline ? { deadline: term.deadline } : {}),
    // A cohort (README "Cohorts"): a term in days, its label, its chat group.
    ...(term.days ? { period_days: term.days } : {}),
    ...(term.label ? { label: term.label } : {}),
    ...(term.group ? { group_id: term.group } : {}),
  });
// Joining: requests (README "Joining") and codes as managers see them.
export const askToJoin = (id, answer) => request('POST', `/circles/${enc(id)}/join-requests`, { answer: answer || '' });
export const myJoinRequest = (id) => request('GET', `/circles/${enc(id)}/join-requests/mine`);
/** Pending join requests: {requests, next, pending}; `q` searches the askers' names. */
export const joinRequests = (id, cursor, q) => request('GET', `/circles/${enc(id)}/join-requests${query({ cursor, q })}`);
export const approveRequest = (id, userId) =>
  request('POST', `/circles/${enc(id)}/join-requests/${enc(userId)}/approve`);
export const rejectRequest = (id, userId, reason) =>
  request('POST', `/circles/${enc(id)}/join-requests/${enc(userId)}/reject`, reason ? { reason } : {});
export const codes = (id, cursor, label) => request('GET', `/circles/${enc(id)}/codes${query({ cursor, label })}`);
/** A cohort's unused codes revoked at once: {batch} or {label} → {revoked}. */
export const revokeUnused = (id, which) => request('POST', `/circles/${enc(id)}/codes/revoke-unused`, which);
export const codeRedemptions = (id, code) =>
  request('GET', `/circles/${enc(id)}/codes/${enc(code)}/redemptions`);
export const revokeCode = (id, code) => request('DELETE', `/circles/${enc(id)}/codes/${enc(code)}`);
export const veto = (id, seq, on) =>
  request(on ? 'PUT' : 'DELETE', `/circles/${enc(id)}/messages/${enc(seq)}/veto`);
/** The circle's events after a rev: {events, last_rev, more, reset}. */
export const circleEvents = (id, after, limit) =>
  request('GET', `/circles/${enc(id)}/events${query({ after: String(after), limit })}`);

// Posts
export const posts = (id, cursor) => request('GET', `/circles/${enc(id)}/posts${query({ cursor })}`);
/** A new post; `attachments`: ids of uploaded attachments (at most 9). */
export const createPost = (id, kind, text, attachments = []) =>
  request('POST', `/circles/${enc(id)}/posts`, { kind, text, ...(attachments.length ? { attachments } : {}) });
export const editPost = (postId, text) => request('PATCH', `/posts/${enc(postId)}`, { text });
export const deletePost = (postId) => request('DELETE', `/posts/${enc(postId)}`);
export const comments = (postId, cursor) =>
  request('GET', `/posts/${enc(postId)}/comments${query({ cursor })}`);
/** A new comment; `attachments`: ids of uploaded attachments (at most 9). */
export const addComment = (postId, text, attachments = []) =>
  request('POST', `/posts/${enc(postId)}/comments`, { text, ...(attachments.length ? { attachments } : {}) });
export const editComment = (commentId, text) =>
  request('PATCH', `/comments/${enc(commentId)}`, { text });
export const deleteComment = (commentId) => request('DELETE', `/comments/${enc(commentId)}`);
export const like = (postId, on) => request(on ? 'PUT' : 'DELETE', `/posts/${enc(postId)}/like`);
// Reactions: a target is {group, seq} (a chat message) or {post}; the emoji is URL-encoded.
const reactionsPath = (target) => (target.post != null
  ? `/posts/${enc(target.post)}/reactions`
  : `/groups/${enc(target.group)}/messages/${enc(target.seq)}/reactions`);
export const react = (target, emoji, on) =>
  request(on ? 'PUT' : 'DELETE', `${reactionsPath(target)}/${enc(emoji)}`);
/** Who reacted with what: {reactions: [{emoji, count, users: [{id, name}]}]}. */
export const reactedBy = (target) => request('GET', reactionsPath(target));
/** Counts on a range of a group's messages: {messages: [{seq, reactions}]}. */
export const groupReactions = (groupId, fromSeq, toSeq) =>
  request('GET', `/groups/${enc(groupId)}/reactions${query({ from_seq: String(fromSeq), to_seq: String(toSeq) })}`);
export const pin = (postId, on) => request(on ? 'PUT' : 'DELETE', `/posts/${enc(postId)}/pin`, on ? {} : undefined);
export const reorderPins = (id, order) => request('PUT', `/circles/${enc(id)}/pins`, { order });
export const mustRead = (postId, on) =>
  request(on ? 'PUT' : 'DELETE', `/posts/${enc(postId)}/must-read`);
export const ack = (postId) => request('PUT', `/posts/${enc(postId)}/ack`);
export const receipts = (postId, cursor) =>
  request('GET', `/posts/${enc(postId)}/receipts${query({ cursor })}`);

// Reports and the audit log (README "Reports and the audit log"); a target is {kind, id}
export const fileReport = (circleId, target, reason, text) =>
  request('POST', `/circles/${enc(circleId)}/reports`, { target, reason, ...(text ? { text } : {}) });
/** The moderation queue: {reports, next, open}; status 'open' or 'resolved'; `q` searches
 *  the names of reporters and reported authors. */
export const reportQueue = (circleId, status, cursor, limit, q) =>
  request('GET', `/circles/${enc(circleId)}/reports${query({ status, cursor, limit, q })}`);
export const resolveReport = (circleId, reportId, outcome, note) =>
  request('POST', `/circles/${enc(circleId)}/reports/${enc(reportId)}/resolve`, { outcome, ...(note ? { note } : {}) });
export const myReports = (cursor) => request('GET', `/me/reports${query({ cursor })}`);
/** A page of the audit log: {entries, next}; `q` searches the actors' and members' names. */
export const auditLog = (circleId, cursor, q) =>
  request('GET', `/circles/${enc(circleId)}/audit${query({ cursor, q })}`);
/** A CSV export (or any download) as a Blob: a link cannot carry the bearer token. */
export async function download(path) {
  let response;
  try {
    response = await fetch(`${BASE}${path}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached right now.');
  }
  if (!response.ok) {
    const error = ((await response.json().catch(() => null)) || {}).error || {};
    throw new ApiError(response.status, error.code, error.message || response.statusText, error);
  }
  return response.blob();
}
/** The whole audit log as a CSV Blob. */
export const auditCsv = (circleId) => download(`/circles/${enc(circleId)}/audit.csv`);
/** The whole circle as a ZIP Blob (owners): JSON, CSV and its media. */
export const circleExport = (circleId) => download(`/circles/${enc(circleId)}/export.zip`);

// Events (README "Events"; gatherings in the paths: /events is the catch-up).
/** {gatherings, next}: `when` 'upcoming' (soonest first) or 'past'. */
export const gatherings = (id, when, cursor) => request('GET', `/circles/${enc(id)}/gatherings${query({ when, cursor })}`);
export const createGathering = (id, fields) => request('POST', `/circles/${enc(id)}/gatherings`, fields);
export const updateGathering = (id, fields) => request('PATCH', `/gatherings/${enc(id)}`, fields);
export const cancelGathering = (id) => request('POST', `/gatherings/${enc(id)}/cancel`);
/** Answer 'going', 'maybe' or 'not_going': {gathering, rsvp}. */
export const rsvp = (id, answer) => request('PUT', `/gatherings/${enc(id)}/rsvp`, { answer });
export const rsvps = (id, answer, cursor) => request('GET', `/gatherings/${enc(id)}/rsvps${query({ answer, cursor })}`);
export const rsvpsCsv = (id) => download(`/gatherings/${enc(id)}/rsvps.csv`);

// Points (README "Points").
export const pointRules = (id) => request('GET', `/circles/${enc(id)}/points/rules`);
export const setPointRules = (id, rules, excludeManagers) =>
  request('PUT', `/circles/${enc(id)}/points/rules`, { rules, exclude_managers: excludeManagers });
/** {period, entries: [{rank, user, name, points}], next, me}: period 'week', 'month' or 'all'. */
export const pointsBoard = (id, period, cursor) => request('GET', `/circles/${enc(id)}/points/board${query({ period, cursor })}`);
/** {entries, next, total}: `user` an id or 'me'. */
export const pointsLedger = (id, user, cursor) => request('GET', `/circles/${enc(id)}/points/ledger/${enc(user)}${query({ cursor })}`);
export const pointsCsv = (id) => download(`/circles/${enc(id)}/points.csv`);

// Contests (README "Contests").
export const contests = (id, cursor) => request('GET', `/circles/${enc(id)}/contests${query({ cursor })}`);
export const createContest = (id, fields) => request('POST', `/circles/${enc(id)}/contests`, fields);
/** A contest with `entries_list` (ranked when the ranking shows) and `my_votes`. */
export const contest = (id) => request('GET', `/contests/${enc(id)}`);
export const enterContest = (id, text, attachments) => request('POST', `/contests/${enc(id)}/entries`, { text, attachments });
export const voteEntry = (entryId, on) => request(on ? 'PUT' : 'DELETE', `/contest-entries/${enc(entryId)}/vote`);
export const contestCsv = (id) => download(`/contests/${enc(id)}/results.csv`);
export const announceContest = (id, text, places) => request('POST', `/contests/${enc(id)}/announce`, { text, places });

// Media: a media key for <img>/<video> URLs ({key, expires, renew}); see media-key.js
export const mediaKey = () => request('GET', '/media/key');
/** A circle's files, newest first: {attachments (each with uploader_name), next}; kind: image, video, audio, file. */
export const materials = (id, kind, cursor) =>
  request('GET', `/circles/${enc(id)}/attachments${query({ kind, cursor })}`);
/** Search a circle: {results: [{kind, group/seq | post | comment+post | attachment, author, ts, snippet, marks}], next}. */
export const search = (id, q, kind, cursor) =>
  request('GET', `/circles/${enc(id)}/search${query({ q, kind, cursor })}`);

// Polls
export const groupPolls = (groupId) => request('GET', `/groups/${enc(groupId)}/polls`);
export const createGroupPoll = (groupId, poll) =>
  request('POST', `/groups/${enc(groupId)}/polls`, poll);
export const postPoll = (postId) => request('GET', `/posts/${enc(postId)}/poll`);
export const createPostPoll = (postId, poll) => request('POST', `/posts/${enc(postId)}/poll`, poll);
export const votePoll = (pollId, options) =>
  request('PUT', `/polls/${enc(pollId)}/votes`, { options });
export const closePoll = (pollId) => request('POST', `/polls/${enc(pollId)}/close`);
export const pollVoters = (pollId) => request('GET', `/polls/${enc(pollId)}/voters`);
// Chat groups (README "Chat groups"); a general group's id is its circle's
export const groups = (circleId) => request('GET', `/circles/${enc(circleId)}/groups`);
export const createGroup = (circleId, fields) => request('POST', `/circles/${enc(circleId)}/groups`, fields);
export const updateGroup = (groupId, changes) => request('PATCH', `/groups/${enc(groupId)}`, changes);
export const joinGroup = (groupId) => request('POST', `/groups/${enc(groupId)}/join`);
export const leaveGroup = (groupId) => request('POST', `/groups/${enc(groupId)}/leave`);
export const groupMembers = (groupId, cursor) =>
  request('GET', `/groups/${enc(groupId)}/members${query({ cursor, limit: 500 })}`);
export const putGroupMember = (groupId, userId, role) =>
  request('PUT', `/groups/${enc(groupId)}/members/${enc(userId)}`, role ? { role } : {});
export const removeGroupMember = (groupId, userId) =>
  request('DELETE', `/groups/${enc(groupId)}/members/${enc(userId)}`);
export const groupVeto = (groupId, seq, on) =>
  request(on ? 'PUT' : 'DELETE', `/groups/${enc(groupId)}/messages/${enc(seq)}/veto`);
// A chat's message (general's group id is its circle's): recall or delete it, edit its text.
export const deleteMessage = (groupId, seq, reason) =>
  request('DELETE', `/groups/${enc(groupId)}/messages/${enc(seq)}`, reason ? { reason } : undefined);
export const editMessage = (groupId, seq, text) =>
  request('PATCH', `/groups/${enc(groupId)}/messages/${enc(seq)}`, { text });
/** Every member's read marker: {reads: {user: seq}, members}; 409 beyond the size for it. */
export const groupReads = (groupId) => request('GET', `/groups/${enc(groupId)}/reads`);

// Check-in challenges (README "Check-in challenges").
export const challenges = (id, cursor) => request('GET', `/circles/${enc(id)}/challenges${query({ cursor })}`);
export const createChallenge = (id, fields) => request('POST', `/circles/${enc(id)}/challenges`, fields);
export const challenge = (id) => request('GET', `/challenges/${enc(id)}`);
export const joinChallenge = (id) => request('POST', `/challenges/${enc(id)}/join`);
export const checkIn = (id, text, attachments) => request('POST', `/challenges/${enc(id)}/checkins`, { text, attachments });
/** A day's check-ins (today by default): {checkins, next}. */
export const checkins = (id, date, cursor) => request('GET', `/challenges/${enc(id)}/checkins${query({ date, cursor })}`);
/** A board ('streak' or 'total'): {entries, next, me}. */
export const board = (id, by, cursor) => request('GET', `/challenges/${enc(id)}/board${query({ by, cursor })}`);
export const missingCheckins = (id, cursor) => request('GET', `/challenges/${enc(id)}/missing${query({ cursor })}`);
/** 精选: {checkin, post, promoted}. */
export const featureCheckin = (checkinId) => request('POST', `/checkins/${enc(checkinId)}/feature`);
export const invalidateCheckin = (checkinId, reason) => request('POST', `/checkins/${enc(checkinId)}/invalidate`, { reason });
// Make-up (补卡), leave (请假), grants, the review queue, reminders (CSV exports: download).
export const makeUp = (id, date, text) => request('POST', `/challenges/${enc(id)}/makeups`, { date, text });
export const takeLeave = (id, date) => request('POST', `/challenges/${enc(id)}/leave`, date ? { date } : {});
export const grantMakeup = (id, user, date, reason) => request('POST', `/challenges/${enc(id)}/grants`, { user, date, reason });
export const pendingCheckins = (id, cursor) => request('GET', `/challenges/${enc(id)}/pending${query({ cursor })}`);
export const approveCheckin = (checkinId) => request('POST', `/checkins/${enc(checkinId)}/approve`);
export const rejectCheckin = (checkinId, reason) => request('POST', `/checkins/${enc(checkinId)}/reject`, reason ? { reason } : {});
export const setReminders = (id, on) => request('PUT', `/challenges/${enc(id)}/reminders`, { on });
/** A participant's days ({days: [{date, state, kind, makeup}], standing}); `me` by default. */
export const checkinCalendar = (id, user = 'me') => request('GET', `/challenges/${enc(id)}/calendar/${enc(user)}`);

// Homework (README "Homework").
export const assignments = (id, cursor) => request('GET', `/circles/${enc(id)}/assignments${query({ cursor })}`);
export const createAssignment = (id, fields) => request('POST', `/circles/${enc(id)}/assignments`, fields);
export const assignment = (id) => request('GET', `/assignments/${enc(id)}`);
export const updateAssignment = (id, fields) => request('PATCH', `/assignments/${enc(id)}`, fields);
export const deleteAssignment = (id) => request('DELETE', `/assignments/${enc(id)}`);
/** Hand in (again after a return): {submission}. */
export const submitWork = (id, text, attachments) => request('POST', `/assignments/${enc(id)}/submissions`, { text, attachments });
/** The handed-in work the caller may see: {submissions, next}; state: the review queue; excellent: the showcase. */
export const submissions = (id, state, excellent) =>
  request('GET', `/assignments/${enc(id)}/submissions${query({ state, excellent: excellent ? 'true' : undefined })}`);
export const mySubmission = (id) => request('GET', `/assignments/${enc(id)}/mine`);
export const roster = (id) => request('GET', `/assignments/${enc(id)}/roster`);
export const remindMissing = (id) => request('POST', `/assignments/${enc(id)}/remind`);
export const submission = (id) => request('GET', `/submissions/${enc(id)}`);
export const editWork = (id, text, attachments) => request('PATCH', `/submissions/${enc(id)}`, { text, attachments });
export const withdrawWork = (id) => request('DELETE', `/submissions/${enc(id)}`);
/** Review ({score?, grade?, comment, attachments}) or return for redo ({redo: true, comment}). */
export const reviewWork = (id, fields) => request('POST', `/submissions/${enc(id)}/review`, fields);
export const markExcellent = (id) => request('POST', `/submissions/${enc(id)}/excellent`);
export const workComments = (id) => request('GET', `/submissions/${enc(id)}/comments`);
export const commentWork = (id, text) => request('POST', `/submissions/${enc(id)}/comments`, { text });
export const likeWork = (id, on) => request(on ? 'PUT' : 'DELETE', `/submissions/${enc(id)}/like`);
/** The grades as a CSV Blob (teachers). */
export const gradesCsv = (id) => download(`/assignments/${enc(id)}/grades.csv`);

// The course plan and live lessons (README "Course plan and live lessons").
/** The plan in order: {lessons (with seen, past, missed), next}. */
export const lessons = (id) => request('GET', `/circles/${enc(id)}/lessons`);
export const createLesson = (id, fields) => request('POST', `/circles/${enc(id)}/lessons`, fields);
export const reorderLessons = (id, order) => request('PUT', `/circles/${enc(id)}/lessons/order`, { order });
/** A lesson's page, with `highlights`. */
export const lesson = (id) => request('GET', `/lessons/${enc(id)}`);
export const editLesson = (id, fields) => request('PATCH', `/lessons/${enc(id)}`, fields);
export const deleteLesson = (id) => request('DELETE', `/lessons/${enc(id)}`);
export const lessonSeen = (id) => request('POST', `/lessons/${enc(id)}/seen`);
export const startLesson = (id) => request('POST', `/lessons/${enc(id)}/start`);
export const endLesson = (id) => request('POST', `/lessons/${enc(id)}/end`);
/** The live lessons of my circles: {lessons}. */
export const liveLessons = () => request('GET', '/me/live-lessons');
/** The materials grouped by lesson: {lessons: [{id, title, starts_local, attachments}]}. */
export const materialsByLesson = (id) => request('GET', `/circles/${enc(id)}/attachments/by-lesson`);

// Webhooks and bots (docs/webhooks.md)
export const webhooks = (id) => request('GET', `/circles/${enc(id)}/webhooks`);
export const createWebhook = (id, url, events) => request('POST', `/circles/${enc(id)}/webhooks`, { url, events });
export const updateWebhook = (id, hookId, changes) => request('PATCH', `/circles/${enc(id)}/webhooks/${enc(hookId)}`, changes);
export const deleteWebhook = (id, hookId) => request('DELETE', `/circles/${enc(id)}/webhooks/${enc(hookId)}`);
export const webhookDeliveries = (id, hookId) => request('GET', `/circles/${enc(id)}/webhooks/${enc(hookId)}/deliveries`);
export const incomingHooks = (id) => request('GET', `/circles/${enc(id)}/incoming-hooks`);
export const createIncomingHook = (id, name, target) => request('POST', `/circles/${enc(id)}/incoming-hooks`, { name, target });
export const revokeIncomingHook = (id, hookId) => request('DELETE', `/circles/${enc(id)}/incoming-hooks/${enc(hookId)}`);
export const addBot = (id, bot) => request('POST', `/circles/${enc(id)}/bots`, { bot });
export const myBots = () => request('GET', '/me/bots');
export const createBot = (name) => request('POST', '/me/bots', { name });
export const setBotCircles = (botId, circles) => request('PUT', `/me/bots/${enc(botId)}/circles`, { circles });
export const rotateBotToken = (botId) => request('POST', `/me/bots/${enc(botId)}/token`);
export const revokeBotToken = (botId) => request('DELETE', `/me/bots/${enc(botId)}/token`);
