// Media keys (README.md, "Media"): <img> and <video> cannot send the bearer token, so
// their URLs carry a short-lived, read-only key of the session instead. The key is
// the same for a whole window (until `renew`): the URLs stay the same and the
// browser's cache hits. One key in memory, one request at a time, a new key at `renew`.
import * as api from './api.js';

// A clock ahead of the server's would see every key due for renewal: ask at most this often.
const MIN_REFRESH_MS = 60_000;

let current = null; // {key, expires, renew, fetched}
let pending = null;

function due(now) {
  return !current || now >= Math.max(current.renew, current.fetched + MIN_REFRESH_MS);
}

function refresh() {
  if (pending) return pending;
  const asked = api.mediaKey().then((answer) => {
    if (pending === asked) current = { ...answer, fetched: Date.now() };
    return answer.key;
  });
  const settle = () => { if (pending === asked) pending = null; };
  asked.then(settle, settle);
  pending = asked;
  return asked;
}

/** The current media key, fetched or renewed when due. While the next cannot be had
 * (offline), a key not expired yet still serves. */
export async function mediaKey() {
  const now = Date.now();
  if (!due(now)) return current.key;
  const stale = current;
  try {
    return await refresh();
  } catch (error) {
    if (stale && now < stale.expires) return stale.key;
    throw error;
  }
}

/** `url` (an attachment's url or thumb_url) with the media key: what a tag's src takes. */
export async function mediaUrl(url) {
  const key = await mediaKey();
  return `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
}

/** Drop the key (another session, or none): the next mediaUrl asks again. */
export function forgetMediaKey() {
  current = null;
  pending = null;
}

api.events.addEventListener('token', forgetMediaKey);
api.events.addEventListener('unauthenticated', forgetMediaKey);
