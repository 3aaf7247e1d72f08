// The binding's pure checks: Host and Origin rules, token compare, cookies, header values, flag parsing.
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, parseServeArgs, type ServeConfig } from '../../../src-main/serve/args.js';
import { defaultSettings } from '../../../src-main/core/config.js';
import { resolveLayers } from '../../../src-main/core/settings-layers.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';
import { contentDisposition, parseId } from '../../../src-main/serve/respond.js';
import {
  checkOrigin, hostnameOf, isAllowedHostname, isLoopbackHost, parseCookies, previewCsp, tokenMatches, type AccessPolicy,
} from '../../../src-main/serve/security.js';

const policy: AccessPolicy = { boundHost: '127.0.0.1', allowedHosts: ['mail.team.test'] };
const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('host rules', () => {
  it('parses Host headers, refusing malformed ones', () => {
    expect(hostnameOf('LocalHost:8025')).toBe('localhost');
    expect(hostnameOf('[::1]:8025')).toBe('::1');
    expect(hostnameOf('example.test.')).toBe('example.test');
    for (const bad of [undefined, '', 'a b', 'user@host', 'host:port', '[::1', 'x/y']) expect(hostnameOf(bad), String(bad)).toBeNull();
  });

  it('allows loopback names, IP literals, the bound host and --allowed-host names only', () => {
    for (const ok of ['localhost', 'app.localhost', '127.0.0.1', '::1', '192.168.1.20', 'mail.team.test', 'MAIL.team.test.']) {
      expect(isAllowedHostname(ok, policy), ok).toBe(true);
    }
    for (const bad of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'team.test', '']) {
      expect(isAllowedHostname(bad, policy), bad).toBe(false);
    }
    expect(isAllowedHostname('box.lan', { boundHost: 'box.lan', allowedHosts: [] })).toBe(true);
  });

  it('knows which binds are loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.test']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('accepts same-origin and same-port loopback origins, refuses the rest', () => {
    expect(checkOrigin(req({ host: '127.0.0.1:8025' }), policy)).toBeNull();
    expect(checkOrigin(req({ host: '127.0.0.1:8025', origin: 'http://127.0.0.1:8025' }), policy)).toBeNull();
    expect(checkOrigin(req({ host: '127.0.0.1:8025', origin: 'http://localhost:8025' }), policy)).toBeNull();
    expect(checkOrigin(req({ host: 'mail.team.test', origin: 'https://mail.team.test' }), policy)).toBeNull();
    for (const origin of ['http://evil.example:8025', 'http://localhost:9999', 'null', 'file://', 'chrome-extension://abc', 'not a url']) {
      expect(checkOrigin(req({ host: '127.0.0.1:8025', origin }), policy), origin).not.toBeNull();
    }
  });
});

describe('tokens and cookies', () => {
  it('compares tokens exactly', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cret ', 's3cret')).toBe(false);
    expect(tokenMatches('', 's3cret')).toBe(false);
    expect(tokenMatches(null, 's3cret')).toBe(false);
  });

  it('parses hostile cookie headers without throwing', () => {
    expect(parseCookies('a=1; mailwright_token=abc%20d; bad; =x; e=%E0%A4%A')).toMatchObject({ a: '1', mailwright_token: 'abc d', e: '%E0%A4%A' });
    expect(parseCookies(undefined)).toEqual({});
  });
});

describe('header values', () => {
  it('replaces the core frame-ancestors with self and keeps the sandbox', () => {
    const csp = previewCsp("sandbox; default-src 'none'; frame-ancestors 'none'");
    expect(csp).toBe("sandbox; default-src 'none'; frame-ancestors 'self'");
  });

  it('encodes any file name into a header-safe RFC 6266 Content-Disposition', () => {
    expect(contentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    const cd = contentDisposition('naïve "quote"\r\nX-Evil: 1 \ud800.txt');
    expect(cd).not.toMatch(/[\r\n]/);
    expect(cd).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(decodeURIComponent(cd.split("''")[1]!)).toBe('naïve "quote"\r\nX-Evil: 1 \ufffd.txt');
  });

  it('parses ids strictly', () => {
    expect(parseId('42')).toBe(42);
    for (const bad of ['0', '-1', '01', '1.0', '1e3', ' 1', '99999999999999999', undefined]) expect(() => parseId(bad), String(bad)).toThrow(/positive integer/);
  });
});

/** The settings a parsed command line runs with, over the defaults and no saved settings. */
function effective(config: ServeConfig) {
  return resolveLayers(defaultSettings(DEFAULT_RETENTION), config.layers).document;
}

describe('serve flags', () => {
  const env = { MAILWRIGHT_DATA: '/tmp/mw-env' };

  it('uses defaults, environment, then flags', () => {
    const a = parseServeArgs([], {});
    if (a.help) throw new Error('unexpected help');
    expect(effective(a.config).listeners).toEqual([{ id: 'smtp', host: '127.0.0.1', port: 1025, tls: 'starttls' }]);
    expect(a.config.http).toEqual({ host: '127.0.0.1', port: 8025 });
    const b = parseServeArgs(['--smtp', '127.0.0.1:0', '--smtps', ':0', '--http', '[::1]:0', '--max-message-size', '1000', '--allowed-host', 'a.test', '--allowed-host', 'b.test'], {
      ...env, MAILWRIGHT_HTTP: '127.0.0.1:9', MAILWRIGHT_ALLOWED_HOSTS: 'ignored.test',
    });
    if (b.help) throw new Error('unexpected help');
    expect(b.config).toMatchObject({ http: { host: '::1', port: 0 }, dataDir: path.resolve('/tmp/mw-env'), allowedHosts: ['a.test', 'b.test'] });
    expect(effective(b.config)).toMatchObject({
      listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }, { id: 'smtps', host: '127.0.0.1', port: 0, tls: 'implicit' }],
      smtp: { maxMessageBytes: 1000 },
    });
    const c = parseServeArgs([], { MAILWRIGHT_HTTP: '127.0.0.1:9', MAILWRIGHT_ALLOWED_HOSTS: 'x.test, y.test', MAILWRIGHT_TOKEN: 'tok', MAILWRIGHT_EARLY_TALKER_DELAY: '100' });
    if (c.help) throw new Error('unexpected help');
    expect(c.config).toMatchObject({ http: { port: 9 }, allowedHosts: ['x.test', 'y.test'], token: 'tok' });
    expect(effective(c.config).smtp.earlyTalkerDelayMs).toBe(100);
    const d = parseServeArgs(['--early-talker-delay', '0'], { MAILWRIGHT_EARLY_TALKER_DELAY: '100' });
    if (d.help) throw new Error('unexpected help');
    expect(effective(d.config).smtp.earlyTalkerDelayMs).toBe(0);
    expect(resolveLayers(defaultSettings(DEFAULT_RETENTION), d.config.layers).pinned).toEqual([{ path: 'smtp.earlyTalkerDelayMs', source: '--early-talker-delay' }]);
    expect(parseServeArgs(['-h'], {})).toEqual({ help: true });
  });

  it('names the area of every mistake', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--bogus'], {}, /bogus/],
      [['stray'], {}, /stray/],
      [['--smtp', 'nope'], {}, /\[smtp\].*HOST:PORT/],
      [['--http', '127.0.0.1:99999'], {}, /\[http\]/],
      [[], { MAILWRIGHT_SMTP: 'x' }, /MAILWRIGHT_SMTP/],
      [['--http', '0.0.0.0:8025'], {}, /\[http\].*--token/],
      [['--token', 'has space', '--http', '0.0.0.0:0'], {}, /printable/],
      [['--max-message-size', '10MB'], {}, /\[smtp\].*bytes/],
      [['--max-message-size', '0'], {}, /\[smtp\].*bytes/],
      [['--early-talker-delay', '1s'], {}, /\[smtp\].*milliseconds/],
      [['--early-talker-delay', '60000'], {}, /\[smtp\].*milliseconds/],
      [['--allowed-host', 'a.test:80'], {}, /allowed-host/],
      [['--smtp', '127.0.0.1:2525', '--smtps', '127.0.0.1:2525'], {}, /\[smtps\]/],
    ];
    for (const [argv, e, message] of cases) {
      expect(() => parseServeArgs(argv, e), argv.join(' ')).toThrow(UsageError);
      expect(() => parseServeArgs(argv, e), argv.join(' ')).toThrow(message);
    }
    expect(parseServeArgs(['--http', '0.0.0.0:0', '--token', 'ok-token'], {}).help).toBe(false);
  });
});
