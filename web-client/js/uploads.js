// Uploading one file as an attachment of a circle, with no DOM: always through the server's
// tus 1.0 resumable uploads (README.md "Media"; server/api/tus.py), even for a small
// pasted picture, so that every file gets the same progress, cancel and resume:
//
//   POST  /circles/{id}/uploads/tus   Upload-Length, Upload-Metadata (filename, filetype)
//   PATCH <Location>                  a chunk at Upload-Offset; progress after each chunk
//   HEAD  <Location>                  after a dropped connection: where the server is
//   GET   <Location>                  once the last byte is in: the attachment object
//
// A network error (or a 5xx, 423 upload_busy) is retried after a backoff with full jitter
// (RETRY_FIRST_MS doubling up to RETRY_MAX_MS), from the offset HEAD says; at most
// `retries` attempts in a row without progress, then it fails with code 'offline'. While
// the device says it is offline (navigator.onLine false) the upload waits for it to be
// back online instead, however long, without counting tries: a phone in a tunnel. A 409
// upload_offset_mismatch goes on from the offset the server names. Cancelling (the
// AbortSignal) stops the request under way and deletes the upload on the server.
// Refusals (type_not_allowed, file_too_big, quota_exceeded…) fail at once as an ApiError
// with the server's code and reason, for i18n.errorText().
//
// `fetch`, `sleep` and `random` are parameters, so tests/node/uploads.test.js drives it
// against a fake server.

import { ApiError } from './api.js';

export const TUS_VERSION = '1.0.0';
export const CHUNK_MIN = 256 * 1024;
export const CHUNK_MAX = 8 * 1024 * 1024;
export const RETRY_FIRST_MS = 1000;
export const RETRY_MAX_MS = 30000;
export const RETRIES = 8;

/** About 50 progress steps a file, a chunk between 256 KiB and 8 MiB. */
export function chunkSize(size) {
  return Math.min(CHUNK_MAX, Math.max(CHUNK_MIN, Math.ceil(size / 50)));
}

/** The wait before retry number `attempt` (1, 2…): full jitter below a doubling delay. */
export function retryDelay(attempt, random = Math.random) {
  const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
  return Math.max(100, Math.min(random(), 0.999999) * delay);
}

/** tus's Upload-Metadata: `key base64(utf-8 value)` pairs. */
export function metadata(fields) {
  return Object.entries(fields)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key} ${base64(value)}`)
    .join(',');
}

function base64(text) {
  const bytes = new TextEncoder().encode(String(text));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const defaultSleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(timer);
    reject(cancelled());
  }, { once: true });
});

/** Resolves when the browser says it is online again (at once where there is no window). */
const defaultOnline = {
  now: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  wait: (signal) => new Promise((resolve, reject) => {
    if (typeof window === 'undefined') return resolve();
    window.addEventListener('online', () => resolve(), { once: true });
    signal?.addEventListener('abort', () => reject(cancelled()), { once: true });
    return undefined;
  }),
};

function cancelled() {
  return new ApiError(0, 'cancelled', 'the upload was cancelled');
}

/** Worth trying again: the network, the server's trouble, or its own earlier request busy. */
class Retry extends Error {}

/**
 * Upload `file` (a Blob with a name) to a circle; resolves with the attachment object.
 * options: token, signal (AbortSignal), onProgress(sent, total), fetch, sleep(ms, signal),
 * random, retries, base ('/api/v1'), online ({now(), wait(signal)}: the device's network).
 */
export async function uploadFile(circle, file, options = {}) {
  const job = new Upload(circle, file, options);
  return job.run();
}

class Upload {
  constructor(circle, file, {
    token = null, signal = null, onProgress = () => {}, fetch = globalThis.fetch,
    sleep = defaultSleep, random = Math.random, retries = RETRIES, base = '/api/v1', online = defaultOnline,
  }) {
    Object.assign(this, { circle, file, token, signal, onProgress, sleep, random, retries, base, online });
    this.fetch = (url, init) => fetch(url, init); // never as a method: the browser's needs its `this`
    this.location = null;
    this.offset = 0;
    this.finished = null; // the attachment's id, once the server has every byte
  }

  async run() {
    try {
      await this.attempt(() => this.create());
      this.onProgress(0, this.file.size);
      while (this.finished == null) await this.attempt(() => this.send());
      return await this.attempt(() => this.attachment());
    } catch (error) {
      if (this.signal?.aborted) {
        this.terminate();
        throw cancelled();
      }
      throw error;
    }
  }

  /** One step, tried again after a backoff while it fails in a way worth retrying. */
  async attempt(step) {
    let failures = 0;
    for (;;) {
      if (this.signal?.aborted) throw cancelled();
      try {
        return await step();
      } catch (error) {
        if (!(error instanceof Retry)) throw error;
      }
      if (!this.online.now()) {
        await this.online.wait(this.signal); // offline: waiting spends no try
        failures = 0;
      } else {
        failures += 1;
        if (failures >= this.retries) throw new ApiError(0, 'offline', 'the upload could not reach the server');
        await this.sleep(retryDelay(failures, this.random), this.signal);
      }
      if (this.location) await this.resync();
    }
  }

  headers(extra = {}) {
    const headers = { 'Tus-Resumable': TUS_VERSION, ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  /** fetch, with a network error or a 5xx/423 turned into Retry and refusals into ApiError. */
  async call(url, init, ok = [200, 201, 204]) {
    let response;
    try {
      response = await this.fetch(url, { ...init, signal: this.signal });
    } catch (error) {
      if (this.signal?.aborted) throw cancelled();
      throw new Retry(String(error));
    }
    if (ok.includes(response.status)) return response;
    if (response.status >= 500 || response.status === 423 || response.status === 0) {
      throw new Retry(`HTTP ${response.status}`);
    }
    if (response.status === 409 && response.headers.get('Upload-Offset') != null) return response;
    throw await refusal(response);
  }

  async create() {
    const name = this.file.name || 'file';
    const response = await this.call(`${this.base}/circles/${encodeURIComponent(this.circle)}/uploads/tus`, {
      method: 'POST',
      headers: this.headers({
        'Upload-Length': String(this.file.size),
        'Upload-Metadata': metadata({ filename: name, filetype: this.file.type }),
      }),
    });
    this.location = response.headers.get('Location');
    if (!this.location) throw new ApiError(response.status, 'internal', 'no Location for the upload');
  }

  /** The next chunk from the offset; the server's answer says where it is now. */
  async send() {
    const end = Math.min(this.file.size, this.offset + chunkSize(this.file.size));
    const response = await this.call(this.location, {
      method: 'PATCH',
      headers: this.headers({
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': String(this.offset),
      }),
      body: this.file.slice(this.offset, end),
    });
    this.learn(response);
  }

  /** After a failure: HEAD says how far the server got (a retry of HEAD itself if need be). */
  async resync() {
    try {
      const response = await this.call(this.location, { method: 'HEAD', headers: this.headers() });
      this.learn(response);
    } catch (error) {
      if (!(error instanceof Retry)) throw error;
      // still away: the next attempt fails the same way and waits again
    }
  }

  learn(response) {
    const offset = Number(response.headers.get('Upload-Offset'));
    if (Number.isFinite(offset) && offset >= 0) this.offset = offset;
    const id = response.headers.get('Quanzi-Attachment');
    if (id) this.finished = id;
    this.onProgress(this.offset, this.file.size);
  }

  async attachment() {
    const response = await this.call(this.location, {
      method: 'GET', headers: this.headers({ Accept: 'application/json' }),
    });
    const body = await response.json();
    if (!body.attachment) throw new Retry('the attachment is not ready yet');
    return body.attachment;
  }

  /** Cancelled: the server may drop what it holds (best effort, not awaited). */
  terminate() {
    if (!this.location || this.finished) return;
    this.fetch(this.location, { method: 'DELETE', headers: this.headers() }).catch(() => null);
  }
}

async function refusal(response) {
  let error = {};
  try {
    error = (await response.json()).error || {};
  } catch {
    error = {};
  }
  return new ApiError(response.status, error.code || 'bad_request', error.message || `HTTP ${response.status}`, error);
}
