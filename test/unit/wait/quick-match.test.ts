// The header matcher must agree with the full-text index on what a from/to/subject term finds.
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../src-shared/index.js';
import { quickMatcher } from '../../../src-main/wait/quick-match.js';
import { parseAfter } from '../../../src-main/wait/waiters.js';
import { parseTimeout } from '../../../src-main/wait/routes.js';

const message: MessageSummary = {
  id: 7,
  receivedAt: '2026-12-04T08:00:00.000Z',
  from: { name: 'Zoë Sender', address: 'no-reply@shop.example' },
  to: [{ name: '', address: 'alice+signup@example.test' }],
  cc: [],
  bcc: ['hidden@example.test'],
  subject: 'Confirm your Café account',
  date: null,
  size: 100,
  read: false,
  hasAttachments: false,
  snippet: '',
  indexed: false,
  parseError: null,
};

const matches = (q: string): boolean | null => quickMatcher(q)?.(message) ?? null;

describe('quickMatcher', () => {
  it('matches whole words of from, to and subject, folding case and diacritics', () => {
    expect(matches('subject:cafe')).toBe(true);
    expect(matches('subject:CONFIRM')).toBe(true);
    expect(matches('subject:conf')).toBe(false);
    expect(matches('subject:conf*')).toBe(true);
    expect(matches('from:zoe')).toBe(true);
    expect(matches('from:no-reply@shop.example')).toBe(true);
    expect(matches('to:alice+signup@example.test')).toBe(true);
    expect(matches('to:hidden@example.test')).toBe(true);
    expect(matches('to:bob@example.test')).toBe(false);
  });

  it('treats a quoted value as a phrase and honours negation and is:', () => {
    expect(matches('subject:"your café"')).toBe(true);
    expect(matches('subject:"café your"')).toBe(false);
    expect(matches('-subject:invoice from:shop')).toBe(true);
    expect(matches('-from:shop')).toBe(false);
    expect(matches('is:unread')).toBe(true);
    expect(matches('is:read')).toBe(false);
    expect(matches('')).toBe(true);
  });

  it('gives up (null) on terms only the index can decide', () => {
    expect(matches('account')).toBeNull();
    expect(matches('has:attachment')).toBeNull();
    expect(matches('subject:x after:2026-01-01')).toBeNull();
  });
});

describe('parseAfter and parseTimeout', () => {
  it('reads ids and ISO times, and names the field of anything else', () => {
    expect(parseAfter('42')).toEqual({ id: 42 });
    expect(parseAfter('2026-12-04T08:00:00+01:00')).toEqual({ time: '2026-12-04T07:00:00.000Z' });
    expect(parseAfter(undefined)).toBeUndefined();
    for (const bad of ['-1', 'yesterday', '2026-13-45T99:00:00Z', '1e5'])
      expect(() => parseAfter(bad)).toThrow(expect.objectContaining({ field: 'after' }));
  });

  it('reads durations up to five minutes', () => {
    expect(parseTimeout('30s')).toBe(30_000);
    expect(parseTimeout('500ms')).toBe(500);
    expect(parseTimeout('5m')).toBe(300_000);
    expect(parseTimeout('12')).toBe(12_000);
    expect(parseTimeout(null)).toBeUndefined();
    for (const bad of ['6m', '1h', '-1s', 'soon'])
      expect(() => parseTimeout(bad)).toThrow(expect.objectContaining({ field: 'timeout' }));
  });
});
