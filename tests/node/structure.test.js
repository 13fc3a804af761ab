// The web client's structure (docs/web-client-structure.md): views ask for things through
// actions.js, never by writing protocol frames on the socket, and subscribe to the store by
// its event names (state.on(EV.…)), never by a string literal a typo would silently break.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VIEWS = join(dirname(fileURLToPath(import.meta.url)), '../../web-client/js/views');

const FORBIDDEN = [
  [/\bsocket\s*\.\s*(send|request|say|join|leave|forget|typing)\s*\(/, 'the socket used directly (ask actions.js)'],
  [/\bstate\s*\.\s*on\s*\(\s*['"`]/, 'state.on with a string literal (use EV from store/names.js)'],
];

function viewFiles() {
  return readdirSync(VIEWS).filter((name) => name.endsWith('.js')).sort();
}

/** Every line of every view that breaks a rule, as "file:line: why". */
function offences(files = viewFiles(), read = (name) => readFileSync(join(VIEWS, name), 'utf8')) {
  const found = [];
  for (const name of files) {
    read(name).split('\n').forEach((line, i) => {
      for (const [pattern, why] of FORBIDDEN) if (pattern.test(line)) found.push(`${name}:${i + 1}: ${why}`);
    });
  }
  return found;
}

test('there are views to check', () => {
  assert.ok(viewFiles().includes('chat.js'));
  assert.ok(viewFiles().length > 10);
});

test('no view writes protocol frames on the socket or subscribes by a string', () => {
  assert.deepEqual(offences(), []);
});

test('the guard catches what it is meant to catch', () => {
  const samples = {
    'a.js': "socket.send({ t: 'read' });",
    'b.js': "await socket.request({ t: 'history' });",
    'c.js': 'const n = socket.say(c, text);',
    'd.js': 'socket.join(circleId).catch(() => {});',
    'e.js': 'socket.leave(circleId, g);',
    'f.js': "state.on('message', fn);",
    'g.js': 'state.on("typing", fn);',
    'ok.js': "state.on(EV.message, fn); socket.retryNow(); socket.addEventListener('state', f); names.join(', ');",
  };
  const found = offences(Object.keys(samples), (name) => samples[name]);
  assert.deepEqual(found.map((line) => line.split(':')[0]), ['a.js', 'b.js', 'c.js', 'd.js', 'e.js', 'f.js', 'g.js']);
});
