// The address an <img>/<video>/<audio> loads an attachment from. Those tags cannot send the
// bearer token; until the media key (GET /api/v1/media/key, branch mediakey) is merged this
// is the URL as the server gave it.

/** An attachment's url or thumb_url as a tag can load it. */
export function mediaUrl(url) {
  return url;
}
