// The mailwright-preview: protocol's answers: the core's CSP travels as a header, bad ids get 404, remote= goes
// to the core untouched and a refused key is 403.
import { describe, expect, it, vi } from 'vitest';
import { MailwrightError, desktopPreviewUrl } from '../../../src-shared/index.js';
import { parsePreviewUrl, previewResponse, type PreviewSource } from '../../../src-main/electron/preview-request.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const KEY = 'k3y-from_the-core';
const calls: { id: number; remote: string | null }[] = [];
const preview: PreviewSource = async (id, remote) => {
  calls.push({ id, remote });
  if (remote !== null && remote !== '0' && remote !== KEY)
    throw new MailwrightError('forbidden', "not this message's key", 'remote');
  if (id === 404) throw new MailwrightError('not_found', 'no message 404');
  if (id === 500) throw new Error('parser exploded');
  return { html: `<!doctype html><p>message ${id}</p>`, csp: CSP };
};

describe('parsePreviewUrl', () => {
  it('reads the URLs the renderer builds', () => {
    const light = { scheme: 'light', images: 'on' };
    expect(parsePreviewUrl(desktopPreviewUrl(7, null))).toEqual({ id: 7, remote: '0', view: light });
    expect(parsePreviewUrl(desktopPreviewUrl(123456, KEY))).toEqual({ id: 123456, remote: KEY, view: light });
    // The designer preview's views travel in the URL; one the core does not know is no preview at all.
    const view = { scheme: 'inverted', images: 'off' } as const;
    expect(parsePreviewUrl(desktopPreviewUrl(9, null, view))).toEqual({ id: 9, remote: '0', view });
    expect(parsePreviewUrl('mailwright-preview://message/9?remote=0&scheme=sepia')).toBeNull();
    // base64url keys need no escaping, but whatever a key holds comes back as it was.
    expect(parsePreviewUrl(desktopPreviewUrl(8, 'a+b/c=&d'))?.remote).toBe('a+b/c=&d');
  });

  it('rejects anything that is not a plain positive id under message/', () => {
    for (const url of [
      'mailwright-preview://message/0?remote=0',
      'mailwright-preview://message/-1',
      'mailwright-preview://message/1.5',
      'mailwright-preview://message/abc',
      'mailwright-preview://message/1/raw',
      'mailwright-preview://other/1',
      'mailwright-preview://message/99999999999999999999',
      'https://message/1',
      'garbage',
    ]) {
      expect(parsePreviewUrl(url), url).toBeNull();
    }
  });

  it('passes remote= on as given, for the core to judge', () => {
    expect(parsePreviewUrl('mailwright-preview://message/3?remote=1')?.remote).toBe('1');
    expect(parsePreviewUrl('mailwright-preview://message/3')?.remote).toBeNull();
  });
});

describe('previewResponse', () => {
  it('serves the html with the core CSP and nosniff', async () => {
    const res = await previewResponse(desktopPreviewUrl(5, KEY), 'GET', preview);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('message 5');
    expect(calls.at(-1)).toEqual({ id: 5, remote: KEY });
  });

  it('answers 403 text when the core refuses the remote key (a link in the message asking for remote=1)', async () => {
    const res = await previewResponse('mailwright-preview://message/5?remote=1', 'GET', preview);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('forbidden');
  });

  it('answers 404 text for invalid and unknown ids, never html', async () => {
    for (const url of ['mailwright-preview://message/nope', desktopPreviewUrl(404, null)]) {
      const res = await previewResponse(url, 'GET', preview);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 500 text when the preview fails, and 405 to other methods', async () => {
    // The failure's own text stays in the log; the frame shows the id of that log line.
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const failed = await previewResponse(desktopPreviewUrl(500, null), 'GET', preview);
      expect(failed.status).toBe(500);
      const text = await failed.text();
      expect(text).toMatch(/internal error \(id [0-9a-f]{16}\)/);
      expect(text).not.toContain('parser exploded');
      expect(spy.mock.calls.some((args) => (args[1] as Error | undefined)?.message === 'parser exploded')).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect((await previewResponse(desktopPreviewUrl(5, null), 'POST', preview)).status).toBe(405);
  });
});
