// js/uploads.js: a file goes up through tus in chunks, with progress; a dropped connection
// is resumed from the offset the server gives (HEAD), a refusal fails at once with its
// reason, a cancel stops it and deletes the upload, and retries are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const uploads = await import('../../web-client/js/uploads.js');

/** A tus server in memory: the bytes received, and faults to inject per request. */
function fakeServer({ faults = [], refuse = null } = {}) {
  const server = { received: new Uint8Array(0), length: 0, calls: [], deleted: false, faults };
  const reply = (status, headers = {}, body = null) => ({
    status,
    headers: new Headers(headers),
    json: async () => body,
  });
  server.fetch = async (url, init) => {
    const method = init.method;
    server.calls.push(method);
    assert.equal(init.headers['Tus-Resumable'], '1.0.0');
    const fault = server.faults.shift();
    if (fault === 'drop') throw new TypeError('Failed to fetch');
    if (fault === 'drop-after-write' && method === 'PATCH') {
      await take(init); // the server got the bytes, the answer was lost
      throw new TypeError('network error');
    }
    if (fault === 503) return reply(503);
    if (method === 'POST') {
      if (refuse) return reply(413, {}, { error: { code: 'too_big', reason: refuse, message: 'no' } });
      server.length = Number(init.headers['Upload-Length']);
      server.metadata = init.headers['Upload-Metadata'];
      return reply(201, { Location: '/api/v1/circles/c1/uploads/tus/u1' });
    }
    if (method === 'HEAD') return reply(200, where());
    if (method === 'PATCH') {
      if (Number(init.headers['Upload-Offset']) !== server.received.length) {
        return reply(409, { 'Upload-Offset': String(server.received.length) }, { error: { code: 'conflict' } });
      }
      await take(init);
      return reply(204, where());
    }
    if (method === 'GET') return reply(200, where(), { attachment: { id: 'a1', size: server.length } });
    if (method === 'DELETE') {
      server.deleted = true;
      return reply(204);
    }
    throw new Error(`unexpected ${method}`);
  };
  async function take(init) {
    const chunk = new Uint8Array(await init.body.arrayBuffer());
    const all = new Uint8Array(server.received.length + chunk.length);
    all.set(server.received);
    all.set(chunk, server.received.length);
    server.received = all;
  }
  function where() {
    const headers = { 'Upload-Offset': String(server.received.length), 'Upload-Length': String(server.length) };
    if (server.length && server.received.length === server.length) headers['Quanzi-Attachment'] = 'a1';
    return headers;
  }
  return server;
}

function fileOf(size, name = '照片.png') {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 7 + 3) % 251;
  return new File([bytes], name, { type: 'image/png' });
}

const noWait = { sleep: async () => {}, random: () => 0.5 };

async function sameBytes(server, file) {
  assert.deepEqual(server.received, new Uint8Array(await file.arrayBuffer()));
}

test('a file goes up in chunks, with progress, and answers the attachment object', async () => {
  const server = fakeServer();
  const file = fileOf(3 * uploads.CHUNK_MIN + 10);
  const progress = [];
  const attachment = await uploads.uploadFile('c1', file, {
    fetch: server.fetch, token: 'tok', onProgress: (sent, total) => progress.push([sent, total]), ...noWait,
  });
  assert.deepEqual(attachment, { id: 'a1', size: file.size });
  await sameBytes(server, file);
  assert.deepEqual(server.calls, ['POST', 'PATCH', 'PATCH', 'PATCH', 'PATCH', 'GET']);
  assert.deepEqual(progress.at(0), [0, file.size]);
  assert.deepEqual(progress.at(-1), [file.size, file.size]);
  assert.ok(progress.every(([sent], i) => i === 0 || sent > progress[i - 1][0]));
  // The name travels as UTF-8 in base64.
  const [key, value] = server.metadata.split(',')[0].split(' ');
  assert.equal(key, 'filename');
  assert.equal(new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0))), '照片.png');
});

test('after a dropped connection it asks the offset and goes on from there', async () => {
  // The second PATCH reaches the server but its answer is lost; after the HEAD the next
  // PATCH meets a 503; then all is well.
  const server = fakeServer({ faults: [null, null, 'drop-after-write', null, 503] });
  const file = fileOf(4 * uploads.CHUNK_MIN);
  const waits = [];
  const attachment = await uploads.uploadFile('c1', file, {
    fetch: server.fetch, sleep: async (ms) => waits.push(ms), random: () => 0.5,
  });
  assert.equal(attachment.id, 'a1');
  await sameBytes(server, file); // no chunk twice, none missing
  assert.ok(server.calls.includes('HEAD'));
  assert.equal(waits.length, 2);
  assert.ok(waits[1] > waits[0], 'the wait grows');
});

test('an offset the server does not expect is corrected from its answer', async () => {
  const server = fakeServer();
  const file = fileOf(2 * uploads.CHUNK_MIN);
  const fetch = async (url, init) => {
    // Someone else's PATCH had been counted: the client's offset 0 is behind.
    if (init.method === 'PATCH' && server.received.length === 0 && !server.primed) {
      server.primed = true;
      const first = init.body.slice(0, uploads.CHUNK_MIN);
      await server.fetch(url, { ...init, body: first });
      server.calls.pop();
    }
    return server.fetch(url, init);
  };
  await uploads.uploadFile('c1', file, { fetch, ...noWait });
  await sameBytes(server, file);
});

test('a refusal fails at once with its reason', async () => {
  const server = fakeServer({ refuse: 'file_too_big' });
  await assert.rejects(
    uploads.uploadFile('c1', fileOf(10), { fetch: server.fetch, ...noWait }),
    (error) => error.code === 'too_big' && error.reason === 'file_too_big' && error.status === 413,
  );
  assert.deepEqual(server.calls, ['POST']);
});

test('retries are bounded: a server that stays away fails with code offline', async () => {
  const server = fakeServer({ faults: Array(50).fill('drop') });
  await assert.rejects(
    uploads.uploadFile('c1', fileOf(10), { fetch: server.fetch, retries: 4, ...noWait }),
    (error) => error.code === 'offline',
  );
  assert.equal(server.calls.length, 4);
});

test('cancel stops the upload and deletes it on the server', async () => {
  const server = fakeServer();
  const controller = new AbortController();
  const file = fileOf(5 * uploads.CHUNK_MIN);
  const fetch = (url, init) => {
    if (init.method === 'PATCH' && server.received.length >= uploads.CHUNK_MIN) controller.abort();
    if (init.signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    return server.fetch(url, init);
  };
  await assert.rejects(
    uploads.uploadFile('c1', file, { fetch, signal: controller.signal, ...noWait }),
    (error) => error.code === 'cancelled',
  );
  assert.ok(server.deleted);
  assert.equal(server.received.length, uploads.CHUNK_MIN);
});

test('chunks are about a fiftieth of the file, within bounds; waits grow and stay bounded', () => {
  assert.equal(uploads.chunkSize(10), uploads.CHUNK_MIN);
  assert.equal(uploads.chunkSize(100 * 1024 * 1024), Math.ceil(100 * 1024 * 1024 / 50));
  assert.equal(uploads.chunkSize(2 * 1024 ** 3), uploads.CHUNK_MAX);
  assert.ok(uploads.retryDelay(2, () => 0.9) > uploads.retryDelay(1, () => 0.9));
  assert.ok(uploads.retryDelay(30, () => 0.99) <= uploads.RETRY_MAX_MS);
});

test('the fetch given is called as a plain function (the browser\'s throws when called as a method)', async () => {
  const server = fakeServer();
  const strict = function strictFetch(url, init) {
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    return server.fetch(url, init);
  };
  const attachment = await uploads.uploadFile('c1', fileOf(10), { fetch: strict, retries: 1, ...noWait });
  assert.equal(attachment.id, 'a1');
});

test('while the device is offline it waits for the network, spending no tries', async () => {
  // Ten requests in a row fail (PATCHes and the HEADs after them), with only 3 tries
  // allowed; the device is offline until the last of them: it waits for the network more
  // times than it may try, and still finishes.
  const server = fakeServer({ faults: [null, ...Array(10).fill('drop')] });
  let waits = 0;
  const online = {
    now: () => server.faults.length === 0,
    wait: async () => { waits += 1; },
  };
  const file = fileOf(2 * uploads.CHUNK_MIN);
  const attachment = await uploads.uploadFile('c1', file, { fetch: server.fetch, retries: 3, online, ...noWait });
  assert.equal(attachment.id, 'a1');
  assert.ok(waits > 3, `waited ${waits} times`);
  await sameBytes(server, file);
});
