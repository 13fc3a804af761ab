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
  'error.unauthenticated': 'Please log in again.',
  'error.forbidden': 'You are not allowed to do that here.',
  'error.not_found': 'This no longer exists, or you cannot see it.',
  'error.conflict': 'That clashes with a change made in the meantime. Please try again.',
  'error.too_big': 'That is too long.',
  'error.rate_limited': 'Too fast — please wait a moment and try again.',
  'error.internal': 'The server had a problem. Please try again later.',
};
