// The shell's trust rules: which pages count as ours, which links may leave the app, what each navigation does.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  APP_CSP,
  externalUrl,
  isAppPageUrl,
  navigationVerdict,
  openExternalQuestion,
  type RendererLocation,
} from '../../../src-main/electron/security.js';

const index = path.resolve('/opt/Mailwright/out/renderer/index.html');
const built: RendererLocation = { indexFileUrl: pathToFileURL(index).href, devUrl: null };
const dev: RendererLocation = { ...built, devUrl: 'http://localhost:5173/' };

describe('isAppPageUrl', () => {
  it('accepts our index with or without hash and query', () => {
    expect(isAppPageUrl(built.indexFileUrl, built)).toBe(true);
    expect(isAppPageUrl(`${built.indexFileUrl}#/message/3`, built)).toBe(true);
    expect(isAppPageUrl(`${built.indexFileUrl}?x=1`, built)).toBe(true);
  });

  it('rejects other files, even next to it or reached through ..', () => {
    expect(isAppPageUrl(pathToFileURL(path.resolve('/opt/Mailwright/out/renderer/other.html')).href, built)).toBe(
      false,
    );
    expect(isAppPageUrl(pathToFileURL(path.resolve('/tmp/index.html')).href, built)).toBe(false);
    expect(isAppPageUrl('file:///opt/Mailwright/out/renderer/x/../../renderer/index.html.evil', built)).toBe(false);
    expect(isAppPageUrl('file://evil-host/opt/Mailwright/out/renderer/index.html', built)).toBe(false);
  });

  it('accepts the dev server origin only when running under it', () => {
    expect(isAppPageUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppPageUrl('http://localhost:5173/index.html', built)).toBe(false);
    expect(isAppPageUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppPageUrl('http://localhost.evil.example:5173/', dev)).toBe(false);
  });

  it('rejects garbage and other schemes', () => {
    for (const url of [
      '',
      'not a url',
      'about:blank',
      'mailwright-preview://message/1',
      'data:text/html,hi',
      'javascript:alert(1)',
    ]) {
      expect(isAppPageUrl(url, dev)).toBe(false);
    }
  });
});

describe('externalUrl', () => {
  it('allows http, https and mailto', () => {
    expect(externalUrl('https://example.com/a?b=1')?.href).toBe('https://example.com/a?b=1');
    expect(externalUrl('http://example.com')?.protocol).toBe('http:');
    expect(externalUrl('mailto:qa@example.com')?.protocol).toBe('mailto:');
  });

  it('refuses everything that could run code or reach files', () => {
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,x',
      'vbscript:x',
      'smb://host/share',
      'ms-settings:',
      'mailwright-preview://message/1',
      'nonsense',
    ]) {
      expect(externalUrl(url), url).toBeNull();
    }
  });

  it('refuses links with credentials (a phishing disguise)', () => {
    expect(externalUrl('https://bank.example@evil.example/')).toBeNull();
    expect(externalUrl('https://user:pw@example.com/')).toBeNull();
  });
});

describe('navigationVerdict', () => {
  it('lets the main frame stay on our page and nowhere else', () => {
    expect(navigationVerdict(built.indexFileUrl, true, built)).toBe('allow');
    expect(navigationVerdict('https://example.com', true, built)).toBe('external');
    expect(navigationVerdict('file:///etc/passwd', true, built)).toBe('block');
    expect(navigationVerdict('mailwright-preview://message/1?remote=0', true, built)).toBe('block');
  });

  // The renderer's addresses change only the fragment (history.pushState, Back, Forward): Electron emits neither
  // will-navigate nor will-frame-navigate for such in-page navigations. Should a full load of an address happen
  // (a reload, a future deep link), the guard must still let the app's own page through with any of them.
  it("lets the main frame load our page at any of the renderer's addresses", () => {
    const addresses = [
      '#/inbox',
      '#/inbox/123/html',
      '#/inbox/9/attachments',
      '#/sessions/45',
      '#/settings/listeners/submission',
      '#/settings/listeners/a%2Fb%20c',
      '#/nowhere/%E0%A4%A',
    ];
    for (const hash of addresses) {
      expect(navigationVerdict(`${built.indexFileUrl}${hash}`, true, built)).toBe('allow');
      expect(navigationVerdict(`http://localhost:5173/${hash}`, true, dev)).toBe('allow');
    }
    // A fragment does not make another file ours.
    expect(navigationVerdict(`${pathToFileURL(path.resolve('/tmp/index.html')).href}#/inbox`, true, built)).toBe(
      'block',
    );
  });

  it('lets subframes hold previews only, and offers their links outside', () => {
    expect(navigationVerdict('mailwright-preview://message/1?remote=0', false, built)).toBe('allow');
    expect(navigationVerdict('about:blank', false, built)).toBe('allow');
    expect(navigationVerdict('https://tracker.example/pixel', false, built)).toBe('external');
    expect(navigationVerdict(built.indexFileUrl, false, built)).toBe('block');
    expect(navigationVerdict('javascript:alert(1)', false, built)).toBe('block');
  });
});

describe('APP_CSP and the confirm text', () => {
  it('matches the policy the renderer declares, directive by directive', () => {
    const directives = new Map(
      APP_CSP.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-src')).toBe("'self' mailwright-preview:");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(APP_CSP).not.toContain('unsafe-eval');
  });

  it('asks a readable question and cuts absurd URLs', () => {
    expect(openExternalQuestion(new URL('https://example.com/'))).toBe('Open https://example.com/ in your browser?');
    expect(openExternalQuestion(new URL('mailto:a@example.com'))).toContain('mail app');
    const long = openExternalQuestion(new URL(`https://example.com/${'a'.repeat(5000)}`));
    expect(long.length).toBeLessThan(400);
    expect(long).toContain('…');
  });
});
