// English. Keys are grouped by view ('chat.…', 'home.…'); a value is a string with
// {placeholders} or, for a count, an object of plural categories (see ../i18n.js).
// zh-CN.js holds the same keys; tests/node/locales.test.js checks that they match.

export const name = 'English';

export const messages = {
  'app.title': 'Quanzi',
  'app.loading': 'Loading…',
  'app.skip': 'Skip to content',
  'app.logout': 'Log out',
  'app.language': 'Language',
  'app.noscript': 'Quanzi needs JavaScript to run in this page.',
  'app.sessionEnded': 'Your session has ended — please log in again.',

  'error.unknown': 'Something went wrong. Please try again.',
  'error.network': 'No connection to the server. Check your network and try again.',
  'error.bad_request': 'That was not accepted. Please check what you entered.',
  'error.bad_frame': 'That was not accepted. Please check what you entered.',
  'error.unknown_type': 'This page is out of date. Please reload it.',
  'error.offline': 'No connection to the server. Check your network and try again.',
  'error.unauthenticated': 'Please log in again.',
  'error.forbidden': 'You are not allowed to do that here.',
  'error.not_found': 'This no longer exists, or you cannot see it.',
  'error.conflict': 'That clashes with a change made in the meantime. Please try again.',
  'error.too_big': 'That is too long.',
  'error.rate_limited': 'Too fast — please wait a moment and try again.',
  'error.internal': 'The server had a problem. Please try again later.',

  // Shared words (buttons, kinds, visibility, roles)
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.delete': 'Delete',
  'common.remove': 'Remove',
  'common.edit': 'Edit',
  'common.send': 'Send',
  'common.back': 'Back',
  'common.more': 'More',
  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.done': 'Done',
  'common.offline': 'Offline — showing what was last loaded',
  'kind.community': 'Community',
  'kind.internal': 'Internal',
  'kind.business': 'Business',
  'kind.teaching': 'Teaching',
  'visibility.public': 'Public',
  'visibility.private': 'Private',
  'role.owner': 'Owner',
  'role.admin': 'Admin',
  'role.member': 'Member',

  // chat.* — the chat: views/chat.js, message.js, quotes.js, reactions.js, typing.js, reads.js, polls.js
  // (end of chat)

  // home.* — home, sign-up and invites: views/circles.js, discover.js, invite.js, auth.js, sessions.js
  // (end of home)

  // circle.* — a circle's page and the phone layout: views/circle.js, panels.js, status.js, groups.js
  'circle.untitled': 'Circle',
  'circle.pageTitle': '{name} · Quanzi',
  'circle.back': 'Back to my circles',
  'circle.views': 'Views of this circle',
  'circle.tab.chat': 'Chat',
  'circle.tab.highlights': 'Highlights',
  'circle.tab.feed': 'Feed',
  'circle.tab.settings': 'Settings',
  'circle.tab.more': 'More',
  'circle.newHighlights': 'New highlights',
  'circle.members': 'Members',
  'circle.memberCount': { one: '{count} member', other: '{count} members' },
  'circle.online': { one: '{count} online', other: '{count} online' },
  'circle.highlightsFailed': 'The highlights could not be loaded: {reason}',
  'circle.notMember': 'You are not a member of this circle.',
  'circle.deleted': 'This circle was deleted.',
  'circle.removed': 'You are no longer a member of this circle.',
  'circle.status.online': 'Online',
  'circle.status.connecting': 'Connecting…',
  'circle.status.reconnecting': 'Reconnecting…',
  'circle.status.restarting': 'Server restarting — reconnecting…',
  'circle.status.offlineIn': { one: 'Offline — reconnecting in {count} second', other: 'Offline — reconnecting in {count} seconds' },
  'circle.status.restartingIn': { one: 'Server restarting — reconnecting in {count} second', other: 'Server restarting — reconnecting in {count} seconds' },
  'circle.status.offline': 'Offline',
  'circle.status.disconnected': 'Disconnected',
  'circle.status.retryNow': 'Retry now',
  'circle.status.reconnect': 'Reconnect',
  'circle.groups.title': 'Groups',
  'circle.groups.new': 'New group',
  'circle.groups.join': 'Join',
  'circle.groups.ask': 'Ask to join',
  'circle.groups.requested': 'Requested',
  'circle.groups.inviteOnly': 'Invite only',
  'circle.groups.manage': 'Manage {name}',
  'circle.groups.leave': 'Leave group',
  'circle.groups.unread': { one: '{count} unread message', other: '{count} unread messages' },
  'circle.groups.readOnly': 'read-only',
  'circle.groups.readOnlyHint': 'Only this group’s admins write here.',
  'circle.groups.removed': 'You are no longer in {name}.',
  'circle.groups.archived': '{name} was archived.',
  'circle.groups.asked': 'Your request was sent to the group’s admins.',
  // (end of circle)

  // posts.* — highlights, feed, posts, comments, receipts: views/highlights.js, feed.js, post.js, comments.js, receipts.js
  // (end of posts)

  // manage.* — settings, members, group admin: views/settings.js, members.js, group-admin.js, group-tag.js
  // (end of manage)

  // a11y.* — labels shared by the whole page, offline and installing
  // (end of a11y)
};
