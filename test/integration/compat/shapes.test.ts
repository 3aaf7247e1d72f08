// Compat answers against fixtures recorded from Mailpit's and MailHog's documented examples
// (test/fixtures/compat): same keys, same JSON types, at every level (arrays compared by their first items).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startStack, type Stack } from '../serve/helpers.js';

const FIXTURES = path.resolve(new URL('../../fixtures/compat', import.meta.url).pathname);
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

/** Where `actual` differs in shape from `expected`: missing or extra keys, or another JSON type. */
function shapeDiff(expected: unknown, actual: unknown, at = '$'): string[] {
  const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  // MailHog's MIME is null or an object, and Relays null or an array: both spellings are the documented shape.
  if (kind(expected) !== kind(actual) && !(expected === null || actual === null)) {
    return [`${at}: ${kind(expected)} expected, got ${kind(actual)}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length && actual.length ? shapeDiff(expected[0], actual[0], `${at}[0]`) : [];
  }
  if (kind(expected) === 'object' && kind(actual) === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    // Header maps, html-check's platforms and notes are keyed by data, not by schema: their keys are not compared.
    if (/\.(Headers|Platforms|NotesByNumber)$/.test(at)) return [];
    const out: string[] = [];
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push(`${at}.${key}: missing`);
      else out.push(...shapeDiff(e[key], a[key], `${at}.${key}`));
    }
    for (const key of Object.keys(a)) if (!(key in e)) out.push(`${at}.${key}: not in the documented shape`);
    return out;
  }
  return [];
}

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack();
  base = stack.http.url;
  const sent = await stack.core.invoke('mailpit.send', {
    From: { Email: 'john@example.com', Name: 'John Doe' },
    To: [{ Email: 'jane@example.com', Name: 'Jane Smith' }],
    Subject: 'Message subject',
    Text: 'Plain text MIME part of the email',
    HTML: '<p>HTML part</p>',
    Headers: { 'List-Unsubscribe': '<mailto:unsub@example.com>' },
    Attachments: [{ Filename: 'filename.pdf', ContentType: 'application/pdf', Content: 'JVBERi0xLjQ=' }],
    Tags: ['tag1'],
  });
  if (!sent.ok) throw new Error(sent.error.message);
  await stack.core.idle();
});
afterAll(async () => {
  await stack?.stop();
});

describe('compat shapes match the documented examples', () => {
  it('the comparison itself catches a missing key, an extra key and a changed type', () => {
    expect(shapeDiff({ a: 1, b: [{ c: 'x' }] }, { b: [{ c: 2 }], d: true })).toEqual([
      '$.a: missing',
      '$.b[0].c: string expected, got number',
      '$.d: not in the documented shape',
    ]);
  });

  it('Mailpit GET /api/v1/messages', async () => {
    const got = (await request(base, '/api/v1/messages')).json();
    expect(shapeDiff(fixture('mailpit-messages.json'), got)).toEqual([]);
  });

  it('Mailpit GET /api/v1/search', async () => {
    const got = (await request(base, '/api/v1/search?query=subject%3Asubject')).json();
    expect(shapeDiff(fixture('mailpit-messages.json'), got)).toEqual([]);
  });

  it('Mailpit GET /api/v1/message/{id}', async () => {
    const got = (await request(base, '/api/v1/message/latest')).json();
    expect(shapeDiff(fixture('mailpit-message.json'), got)).toEqual([]);
    expect(got).toMatchObject({ ListUnsubscribe: { Links: ['mailto:unsub@example.com'] } });
  });

  it('Mailpit GET /api/v1/message/{id}/link-check', async () => {
    // The message links only to mailto:, so Links is empty; the top level is still Mailpit's.
    const got = (await request(base, '/api/v1/message/latest/link-check')).json();
    expect(shapeDiff(fixture('mailpit-link-check.json'), got)).toEqual([]);
  });

  it('Mailpit GET /api/v1/message/{id}/html-check', async () => {
    const sent = await stack.core.invoke('mailpit.send', {
      From: { Email: 'john@example.com' },
      To: [{ Email: 'html-check@example.com' }],
      Subject: 'html check shape',
      HTML: '<div style="display: flex; border-radius: 4px">x</div>',
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const got = (await request(base, `/api/v1/message/${sent.value.ID}/html-check`)).json<{ Warnings: unknown[] }>();
    expect(got.Warnings.length).toBeGreaterThan(0);
    expect(shapeDiff(fixture('mailpit-html-check.json'), got)).toEqual([]);
  });

  it('MailHog GET /api/v2/messages and /api/v2/search', async () => {
    expect(shapeDiff(fixture('mailhog-messages.json'), (await request(base, '/api/v2/messages')).json())).toEqual([]);
    const search = (await request(base, '/api/v2/search?kind=to&query=jane%40example.com')).json();
    expect(shapeDiff(fixture('mailhog-messages.json'), search)).toEqual([]);
  });
});
