// The compose pages' pure parts: address and header fields, the draft preview document, the profile form's
// secrets (an empty input keeps a stored secret), and the outcome list the history filter copies.
import { describe, expect, it, vi } from 'vitest';
import { SEND_OUTCOMES } from '../../../../src-shared/contract/compose.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));

const { splitAddresses, parseHeaderLines, headerLines, previewDocument, parseComposePath } =
  await import('../../../../src-renderer/src/pages/compose/state.svelte.js');
const { editFrom, formFrom, acceptsProfilesPath } =
  await import('../../../../src-renderer/src/pages/profiles/state.svelte.js');
const { SEND_OUTCOME_NAMES } = await import('../../../../src-renderer/src/pages/history/outcomes.js');

describe('compose fields', () => {
  it('shows a draft header list as the lines the headers box reads back', () => {
    const headers = [
      { name: 'X-Campaign', value: 'week-49' },
      { name: 'X-Ref', value: 'a: b' },
    ];
    expect(headerLines(headers)).toBe('X-Campaign: week-49\nX-Ref: a: b');
    expect(parseHeaderLines(headerLines(headers))).toEqual(headers);
  });

  it('splits addresses on commas and semicolons outside quotes and angle brackets', () => {
    expect(splitAddresses('"Doe, Jane" <jane@x.test>; b@x.test , <c,d@x.test>')).toEqual([
      '"Doe, Jane" <jane@x.test>',
      'b@x.test',
      '<c,d@x.test>',
    ]);
    expect(splitAddresses('  ')).toEqual([]);
  });

  it('reads custom headers and names the line that has no colon', () => {
    expect(parseHeaderLines('X-A: 1\n\nX-B:two: parts')).toEqual([
      { name: 'X-A', value: '1' },
      { name: 'X-B', value: 'two: parts' },
    ]);
    expect(() => parseHeaderLines('X-A: 1\nbroken')).toThrow(/line 2/);
  });

  it('puts the draft under a CSP that loads and runs nothing', () => {
    const doc = previewDocument('<img src="https://tracker.test/p.gif">');
    expect(doc).toMatch(/Content-Security-Policy" content="default-src 'none'; img-src data:/);
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<img'));
  });

  it('accepts its addresses only', () => {
    expect(parseComposePath([])).toEqual({ mode: 'new', id: null });
    expect(parseComposePath(['release', '12'])).toEqual({ mode: 'release', id: 12 });
    expect(parseComposePath(['from', 'x'])).toBeNull();
    expect(parseComposePath(['draft', '3'])).toEqual({ mode: 'draft', id: 3 });
    expect(parseComposePath(['draft'])).toBeNull();
    expect(acceptsProfilesPath(['new'])).toBe(true);
    expect(acceptsProfilesPath(['Bad Id'])).toBe(false);
  });
});

describe('profile form', () => {
  it('sends {stored: true} for a stored secret left empty, the new value when typed, nothing when none', () => {
    const form = formFrom({
      id: 'relay',
      name: 'Relay',
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      tls: { verify: true },
      auth: { mechanism: 'PLAIN', user: 'me', password: { stored: true } },
    });
    expect(form.stored.password).toBe(true);
    expect(editFrom(form).auth).toEqual({ mechanism: 'PLAIN', user: 'me', password: { stored: true } });
    form.secrets.password = 'new';
    expect(editFrom(form).auth?.password).toBe('new');
    const fresh = formFrom({ name: 'x', host: 'h', port: 25, security: 'none' });
    fresh.mechanism = 'LOGIN';
    expect(editFrom(fresh).auth).toEqual({ mechanism: 'LOGIN' });
    expect(editFrom(fresh).port).toBe(25);
  });
});

it('the history filter lists the contract outcomes', () => {
  expect([...SEND_OUTCOME_NAMES]).toEqual([...SEND_OUTCOMES]);
});
