// Which compat requests may skip the Content-Type rule (serve/security.ts bareRequestAllowed).
import { describe, expect, it } from 'vitest';
import { bareRequestAllowed } from '../../../src-main/serve/security.js';

const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers });

describe('bareRequestAllowed', () => {
  it('lets a compat PUT or DELETE through only without any Content-Type', () => {
    expect(bareRequestAllowed(true, req('DELETE'))).toBe(true);
    expect(bareRequestAllowed(true, req('PUT', { origin: 'http://127.0.0.1:8025' }))).toBe(true);
    expect(bareRequestAllowed(true, req('DELETE', { 'content-type': 'text/plain' }))).toBe(false);
    expect(bareRequestAllowed(undefined, req('DELETE'))).toBe(false);
    expect(bareRequestAllowed(false, req('DELETE'))).toBe(false);
  });

  it('lets a bare POST through only where the route allows it and no Origin came', () => {
    expect(bareRequestAllowed(true, req('POST'))).toBe(false);
    expect(bareRequestAllowed('post-without-origin', req('POST'))).toBe(true);
    expect(bareRequestAllowed('post-without-origin', req('POST', { origin: 'http://127.0.0.1:8025' }))).toBe(false);
    expect(bareRequestAllowed('post-without-origin', req('POST', { origin: 'null' }))).toBe(false);
    expect(bareRequestAllowed('post-without-origin', req('POST', { 'content-type': 'text/plain' }))).toBe(false);
    expect(bareRequestAllowed('post-without-origin', req('DELETE'))).toBe(true);
  });
});
