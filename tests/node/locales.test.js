// Every catalogue has exactly English's keys, the same {placeholders} and plural shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../web-client/js/locales/', import.meta.url));
const tags = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js').map((f) => f.slice(0, -3));
const load = (tag) => import(new URL(`../../web-client/js/locales/${tag}.js`, import.meta.url));

function placeholders(value) {
  const texts = typeof value === 'object' ? Object.values(value) : [value];
  return new Set(texts.flatMap((text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1])));
}

test('there is English and Simplified Chinese', () => {
  assert.ok(tags.includes('en'));
  assert.ok(tags.includes('zh-CN'));
});

for (const tag of tags.filter((tag) => tag !== 'en')) {
  test(`${tag} has exactly the keys of en`, async () => {
    const en = (await load('en')).messages;
    const other = (await load(tag)).messages;
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort());
  });

  test(`${tag} uses the placeholders of en, and plural entries where en has them`, async () => {
    const en = (await load('en')).messages;
    const other = (await load(tag)).messages;
    for (const [key, value] of Object.entries(en)) {
      if (!(key in other)) continue;
      assert.equal(typeof other[key], typeof value, `${key}: a plural entry in one and not the other`);
      if (typeof value === 'object') assert.ok('other' in other[key], `${key}: a plural entry needs 'other'`);
      // A language may leave {count} out of a sentence that says it differently, never add one.
      for (const name of placeholders(other[key])) assert.ok(placeholders(value).has(name), `${key}: {${name}} is not in en`);
    }
  });
}

test('each catalogue names itself', async () => {
  for (const tag of tags) assert.ok((await load(tag)).name, tag);
});
