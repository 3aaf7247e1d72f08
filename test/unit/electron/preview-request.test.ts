// The mailwright-preview: protocol's answers: the core's CSP travels as a header, bad ids get 404.
import { describe, expect, it, vi } from 'vitest';
import { MailwrightError, desktopPreviewUrl } from '../../../src-shared/index.js';
import { parsePreviewUrl, previewResponse, type PreviewSource } from '../../../src-main/electron/preview-request.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
const calls: { id: number; allowRemote: boolean }[] = [];
const preview: PreviewSource = async (id, options) => {
  calls.push({ id, allowRemote: options.allowRemote });
  if (id === 404) throw new MailwrightError('not_found', 'no message 404');
  if (id === 500) throw new Error('parser exploded');
  return { html: `<!doctype html><p>message ${id}</p>`, csp: CSP };
};

describe('parsePreviewUrl', () => {
  it('reads the URLs the renderer builds', () => {
    expect(parsePreviewUrl(desktopPreviewUrl(7, false))).toEqual({ id: 7, allowRemote: false });
    expect(parsePreviewUrl(desktopPreviewUrl(123456, true))).toEqual({ id: 123456, allowRemote: true });
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

  it('treats anything but remote=1 as remote content blocked', () => {
    expect(parsePreviewUrl('mailwright-preview://message/3?remote=true')?.allowRemote).toBe(false);
    expect(parsePreviewUrl('mailwright-preview://message/3')?.allowRemote).toBe(false);
  });
});

describe('previewResponse', () => {
  it('serves the html with the core CSP and nosniff', async () => {
    const res = await previewResponse(desktopPreviewUrl(5, true), 'GET', preview);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('message 5');
    expect(calls.at(-1)).toEqual({ id: 5, allowRemote: true });
  });

  it('answers 404 text for invalid and unknown ids, never html', async () => {
    for (const url of ['mailwright-preview://message/nope', desktopPreviewUrl(404, false)]) {
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
      const failed = await previewResponse(desktopPreviewUrl(500, false), 'GET', preview);
      expect(failed.status).toBe(500);
      const text = await failed.text();
      expect(text).toMatch(/internal error \(id [0-9a-f]{16}\)/);
      expect(text).not.toContain('parser exploded');
      expect(spy.mock.calls.some((args) => (args[1] as Error | undefined)?.message === 'parser exploded')).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect((await previewResponse(desktopPreviewUrl(5, false), 'POST', preview)).status).toBe(405);
  });
});
