// Who may drive the HTTP binding. First the pure rules (Host, Origin, Content-Type, token, cookie, flags), then the
// live binding held to them: every state-changing route of the table, every verb, the WebSocket, preflights, the
// failed-token limit, --token-file through a real `serve`, and internal errors that keep their detail in the log.
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../../src-shared/index.js';
import Database from 'better-sqlite3';
import { Core } from '../../../src-main/core/core.js';
import { DB_FILENAME } from '../../../src-main/store/db.js';
import { MAX_FAILURES } from '../../../src-main/serve/failed-attempts.js';
import { startHttpBinding, type HttpBinding } from '../../../src-main/serve/http.js';
import { startServe } from '../../helpers/serve-process.js';
import { request } from './helpers.js';
import { UsageError, parseServeArgs, type ServeConfig } from '../../../src-main/serve/args.js';
import { defaultSettings } from '../../../src-main/core/defaults.js';
import { resolveLayers } from '../../../src-main/core/settings-layers.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';
import { contentDisposition, parseId } from '../../../src-main/core/rest.js';
import {
  checkOrigin,
  checkRequestIntent,
  cookieValue,
  credentialsMatch,
  hostnameOf,
  isAllowedHostname,
  isLoopbackHost,
  parseCookies,
  previewCsp,
  tokenCookie,
  tokenMatches,
  tokenProblem,
  type AccessPolicy,
} from '../../../src-main/serve/security.js';
import {
  originShapes,
  recordingCore,
  stateChangingRoutes,
  wsHandshake,
  type ConcreteRoute,
} from './security-fixtures.js';

const policy: AccessPolicy = { boundHost: '127.0.0.1', allowedHosts: ['mail.team.test'] };
const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('host rules', () => {
  it('parses Host headers, refusing malformed ones', () => {
    expect(hostnameOf('LocalHost:8025')).toBe('localhost');
    expect(hostnameOf('[::1]:8025')).toBe('::1');
    expect(hostnameOf('example.test.')).toBe('example.test');
    for (const bad of [undefined, '', 'a b', 'user@host', 'host:port', '[::1', 'x/y'])
      expect(hostnameOf(bad), String(bad)).toBeNull();
  });

  it('allows loopback names, IP literals, the bound host and --allowed-host names only', () => {
    for (const ok of [
      'localhost',
      'app.localhost',
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      'mail.team.test',
      'MAIL.team.test.',
    ]) {
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

  it('accepts only this server as Origin: every shape', () => {
    expect(checkOrigin(req({ host: '127.0.0.1:8025' }), policy)).toBeNull();
    for (const [host, origin, own] of originShapes(8025)) {
      expect(checkOrigin(req({ host, origin }), policy) === null, `Host ${host}, Origin ${origin}`).toBe(own);
    }
    // Reached by a LAN address or a name: that exact origin is ours, its neighbours are not.
    const wide: AccessPolicy = { boundHost: '0.0.0.0', allowedHosts: [] };
    expect(checkOrigin(req({ host: '192.168.1.20:8025', origin: 'http://192.168.1.20:8025' }), wide)).toBeNull();
    expect(checkOrigin(req({ host: '192.168.1.20:8025', origin: 'http://192.168.1.21:8025' }), wide)).not.toBeNull();
    expect(checkOrigin(req({ host: '[fd00::5]:8025', origin: 'http://[fd00::5]:8025' }), wide)).toBeNull();
    // The bound address is ours even when the page was reached by another of our names.
    const bound: AccessPolicy = { boundHost: 'fd00::5', allowedHosts: [] };
    expect(checkOrigin(req({ host: 'localhost:8025', origin: 'http://[fd00::5]:8025' }), bound)).toBeNull();
    expect(checkOrigin(req({ host: 'localhost:8025', origin: 'http://[fd00::6]:8025' }), bound)).not.toBeNull();
    const boundV4: AccessPolicy = { boundHost: '10.1.2.3', allowedHosts: [] };
    expect(checkOrigin(req({ host: 'localhost:8025', origin: 'http://10.1.2.3:8025' }), boundV4)).toBeNull();
    expect(checkOrigin(req({ host: 'localhost:8025', origin: 'http://10.1.2.4:8025' }), boundV4)).not.toBeNull();
  });

  it('lets a state-changing request through only with a type no page can send unasked', () => {
    const intent = (headers: Record<string, string>) =>
      checkRequestIntent({ method: 'POST', headers } as unknown as IncomingMessage);
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/octet-stream',
      'message/rfc822',
      'application/mbox',
    ]) {
      expect(intent({ 'content-type': type }), type).toBeNull();
    }
    expect(intent({ 'x-mailwright-request': '1' })).toBeNull();
    const safelisted = [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain, application/json',
      '',
    ];
    for (const type of safelisted)
      expect(intent({ 'content-type': type }), type).toMatch(/application\/json.*X-Mailwright-Request: 1/);
    expect(intent({})).toMatch(/no Content-Type/);
  });
});

describe('tokens and cookies', () => {
  it('refuses tokens shorter than 16 characters or with spaces, naming where they came from', () => {
    expect(tokenProblem('0123456789abcdef', '--token')).toBeNull();
    expect(tokenProblem('0123456789abcde', '--token')).toMatch(/^--token: .*at least 16 characters \(it has 15\)/);
    expect(tokenProblem('0123456789 abcdef', 'MAILWRIGHT_TOKEN')).toMatch(/^MAILWRIGHT_TOKEN: .*printable/);
  });

  it('puts a derived value in the cookie, never the token', () => {
    const token = 'correct-horse-battery-staple';
    const cookie = tokenCookie(token);
    const value = /^mailwright_token=([^;]*);/.exec(cookie)?.[1] ?? '';
    expect(value).toBe(cookieValue(token));
    expect(value.length).toBeGreaterThanOrEqual(43);
    for (const leak of [
      token,
      encodeURIComponent(token),
      Buffer.from(token).toString('base64'),
      Buffer.from(token).toString('base64url'),
    ]) {
      expect(cookie).not.toContain(leak);
    }
    expect(cookieValue('another-token-of-16')).not.toBe(value);
    expect(credentialsMatch({ bearer: null, cookie: value }, token)).toBe(true);
    // The cookie is not the token: sent as a Bearer it opens nothing, and the token sent as a cookie neither.
    expect(credentialsMatch({ bearer: value, cookie: null }, token)).toBe(false);
    expect(credentialsMatch({ bearer: null, cookie: token }, token)).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cret ', 's3cret')).toBe(false);
    expect(tokenMatches('', 's3cret')).toBe(false);
    expect(tokenMatches(null, 's3cret')).toBe(false);
  });

  it('parses hostile cookie headers without throwing', () => {
    expect(parseCookies('a=1; mailwright_token=abc%20d; bad; =x; e=%E0%A4%A')).toMatchObject({
      a: '1',
      mailwright_token: 'abc d',
      e: '%E0%A4%A',
    });
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
    for (const bad of ['0', '-1', '01', '1.0', '1e3', ' 1', '99999999999999999', undefined])
      expect(() => parseId(bad), String(bad)).toThrow(/positive integer/);
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
    const b = parseServeArgs(
      [
        '--smtp',
        '127.0.0.1:0',
        '--smtps',
        ':0',
        '--http',
        '[::1]:0',
        '--max-message-size',
        '1000',
        '--allowed-host',
        'a.test',
        '--allowed-host',
        'b.test',
      ],
      {
        ...env,
        MAILWRIGHT_HTTP: '127.0.0.1:9',
        MAILWRIGHT_ALLOWED_HOSTS: 'ignored.test',
      },
    );
    if (b.help) throw new Error('unexpected help');
    expect(b.config).toMatchObject({
      http: { host: '::1', port: 0 },
      dataDir: path.resolve('/tmp/mw-env'),
      allowedHosts: ['a.test', 'b.test'],
    });
    expect(effective(b.config)).toMatchObject({
      listeners: [
        { id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' },
        { id: 'smtps', host: '127.0.0.1', port: 0, tls: 'implicit' },
      ],
      smtp: { maxMessageBytes: 1000 },
    });
    const c = parseServeArgs([], {
      MAILWRIGHT_HTTP: '127.0.0.1:9',
      MAILWRIGHT_ALLOWED_HOSTS: 'x.test, y.test',
      MAILWRIGHT_TOKEN: 'token-from-the-env',
      MAILWRIGHT_EARLY_TALKER_DELAY: '100',
    });
    if (c.help) throw new Error('unexpected help');
    expect(c.config).toMatchObject({
      http: { port: 9 },
      allowedHosts: ['x.test', 'y.test'],
      token: 'token-from-the-env',
    });
    expect(effective(c.config).smtp.earlyTalkerDelayMs).toBe(100);
    const d = parseServeArgs(['--early-talker-delay', '0'], { MAILWRIGHT_EARLY_TALKER_DELAY: '100' });
    if (d.help) throw new Error('unexpected help');
    expect(effective(d.config).smtp.earlyTalkerDelayMs).toBe(0);
    expect(resolveLayers(defaultSettings(DEFAULT_RETENTION), d.config.layers).pinned).toEqual([
      { path: 'smtp.earlyTalkerDelayMs', source: '--early-talker-delay' },
    ]);
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
      [['--token', 'has space in it, long', '--http', '0.0.0.0:0'], {}, /printable/],
      [['--token', 'short-token', '--http', '0.0.0.0:0'], {}, /\[http\] --token: .*at least 16/],
      [[], { MAILWRIGHT_TOKEN: 'short-token' }, /\[http\] MAILWRIGHT_TOKEN: .*at least 16/],
      [['--token', 'a-token-long-enough', '--token-file', '/nonexistent'], {}, /--token or --token-file, not both/],
      [[], { MAILWRIGHT_TOKEN: 'a-token-long-enough', MAILWRIGHT_TOKEN_FILE: '/nonexistent' }, /not both/],
      [['--token-file', '/nonexistent/token'], {}, /\[http\] --token-file: cannot read \/nonexistent\/token: ENOENT/],
      [[], { MAILWRIGHT_TOKEN_FILE: '/nonexistent/token' }, /\[http\] MAILWRIGHT_TOKEN_FILE: cannot read/],
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
    expect(parseServeArgs(['--http', '0.0.0.0:0', '--token', 'a-token-long-enough'], {}).help).toBe(false);
  });

  it('reads the token from --token-file or MAILWRIGHT_TOKEN_FILE, and warns when others can read the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-token-'));
    try {
      const file = path.join(dir, 'token');
      fs.writeFileSync(file, 'token-from-a-file-0123\n', { mode: 0o600 });
      const a = parseServeArgs(['--token-file', file, '--http', '0.0.0.0:0'], {});
      if (a.help) throw new Error('unexpected help');
      expect(a.config.token).toBe('token-from-a-file-0123');
      expect(a.config.warnings).toEqual([]);
      // A flag beats the environment, as for every other setting.
      const b = parseServeArgs(['--token-file', file], { MAILWRIGHT_TOKEN: 'token-from-the-env' });
      expect(!b.help && b.config.token).toBe('token-from-a-file-0123');
      const c = parseServeArgs([], { MAILWRIGHT_TOKEN_FILE: file });
      expect(!c.help && c.config.token).toBe('token-from-a-file-0123');

      fs.chmodSync(file, 0o644);
      const open = parseServeArgs(['--token-file', file], {});
      if (open.help) throw new Error('unexpected help');
      expect(open.config.warnings).toEqual([
        `[http] --token-file: ${file} can be read by other users of this machine; run chmod 600 ${file}`,
      ]);

      const bad: [string, RegExp][] = [
        ['short\n', /at least 16/],
        ['', /is empty/],
        ['first-line-is-long\nsecond-line-too\n', /one line/],
        ['x'.repeat(5000), /one line/],
      ];
      for (const [content, message] of bad) {
        fs.writeFileSync(file, content);
        expect(() => parseServeArgs(['--token-file', file], {}), JSON.stringify(content.slice(0, 20))).toThrow(message);
      }
      expect(() => parseServeArgs(['--token-file', dir], {})).toThrow(/is not a file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- The live binding: every state-changing route, the WebSocket and preflights, with and without a token. ----

const TOKEN = 'security-test-token-0123';
const ALLOWED = ['mail.team.test'];

interface Scratch {
  core: Core;
  dataDir: string;
}
const scratches: Scratch[] = [];
async function scratchCore(): Promise<Core> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-security-'));
  const core = await Core.start({ dataDir, listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }] });
  scratches.push({ core, dataDir });
  return core;
}
afterAll(async () => {
  for (const { core, dataDir } of scratches) {
    await core.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Attempt {
  why: string;
  headers: Record<string, string>;
  body?: string;
  status: 403 | 415;
}

/** What a page on another site (or a form, or a no-cors fetch) can make a browser send. */
function hostileAttempts(port: number): Attempt[] {
  const exploit = '{"retention":{"maxMessages":7}}';
  return [
    {
      why: 'issue 7: text/plain from an IP-addressed site',
      headers: { Origin: `http://203.0.113.7:${port}`, 'Content-Type': 'text/plain' },
      body: exploit,
      status: 403,
    },
    {
      why: 'JSON from the app under test on another port',
      headers: { Origin: 'http://127.0.0.1:3000', 'Content-Type': 'application/json' },
      body: '{}',
      status: 403,
    },
    {
      why: 'a sandboxed frame',
      headers: { Origin: 'null', 'Content-Type': 'application/json' },
      body: '{}',
      status: 403,
    },
    { why: 'text/plain without Origin', headers: { 'Content-Type': 'text/plain' }, body: exploit, status: 415 },
    { why: 'a form post', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1', status: 415 },
    {
      why: 'a multipart form',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
      body: '--x--\r\n',
      status: 415,
    },
    { why: 'no body and no type', headers: {}, status: 415 },
  ];
}

/** A request a client of ours sends: the right type (a file for the import route), from this origin. */
function ownRequest({ route }: ConcreteRoute, base: string): { headers: Record<string, string>; body: string } {
  const origin = base.replace(/\/$/, '');
  if (route.path.includes('import')) {
    return {
      headers: { Origin: origin, 'Content-Type': 'application/octet-stream' },
      body: 'Subject: imported\r\n\r\nhi\r\n',
    };
  }
  return { headers: { Origin: origin, 'Content-Type': 'application/json' }, body: '{}' };
}

for (const withToken of [false, true]) {
  describe(`a web page cannot drive the API (${withToken ? 'with' : 'without'} a token)`, () => {
    let binding: HttpBinding;
    let calls: string[];
    let base: string;
    let port: number;
    let cookie: string;
    const auth: Record<string, string> = withToken ? { Authorization: `Bearer ${TOKEN}` } : {};

    beforeAll(async () => {
      const recorder = recordingCore(await scratchCore());
      calls = recorder.calls;
      binding = await startHttpBinding(recorder.api, {
        host: '127.0.0.1',
        port: 0,
        allowedHosts: ALLOWED,
        ...(withToken ? { token: TOKEN } : {}),
      });
      base = binding.url;
      port = binding.port;
      cookie = `mailwright_token=${cookieValue(TOKEN)}`;
    });
    afterAll(() => binding?.close());

    it('refuses every hostile shape on every state-changing route before it reaches the core', async () => {
      const routes = stateChangingRoutes();
      expect(routes.map((r) => `${r.route.method} ${r.route.path}`)).toContain('POST /api/call/{name}');
      for (const target of routes) {
        const credentialSets = withToken ? [auth, { Cookie: cookie }] : [{}];
        for (const credentials of credentialSets) {
          for (const attempt of hostileAttempts(port)) {
            calls.length = 0;
            const res = await request(base, target.path, {
              method: target.route.method,
              headers: { ...credentials, ...attempt.headers },
              ...(attempt.body !== undefined ? { body: attempt.body } : {}),
            });
            const label = `${target.route.method} ${target.path}: ${attempt.why}${credentials.Cookie ? ' (cookie)' : ''}`;
            expect(res.status, label).toBe(attempt.status);
            const error = res.json<{ error: { code: string; message: string } }>().error;
            if (attempt.status === 415)
              expect(error.message, label).toMatch(/Content-Type: application\/json.*X-Mailwright-Request: 1/);
            expect(calls, label).toEqual([]);
          }
        }
      }
    });

    it('lets this origin through with JSON, a file type, or the X-Mailwright-Request header', async () => {
      for (const target of stateChangingRoutes()) {
        calls.length = 0;
        const own = ownRequest(target, base);
        const res = await request(base, target.path, {
          method: target.route.method,
          headers: { ...auth, ...own.headers },
          body: own.body,
        });
        expect([401, 403, 415, 429], `${target.route.method} ${target.path} -> ${res.text()}`).not.toContain(
          res.status,
        );
        expect(calls.length, `${target.route.method} ${target.path}`).toBeGreaterThan(0);
      }
      // No body and no type, but the custom header (curl -X DELETE -H 'X-Mailwright-Request: 1'): a client, not a page.
      const del = await request(base, '/api/messages', {
        method: 'DELETE',
        headers: { ...auth, 'X-Mailwright-Request': '1' },
      });
      expect(del.status).toBe(200);
      calls.length = 0;
      const read = await request(base, '/api/messages/1/read', {
        method: 'POST',
        headers: { ...auth, 'X-Mailwright-Request': '1' },
      });
      expect(read.status).toBe(200);
      expect(calls).toEqual(['invoke']);
    });

    it('refuses the issue 7 request for every verb of the contract', async () => {
      calls.length = 0;
      for (const name of CALL_NAMES) {
        const body = '{"retention":{"maxMessages":7}}';
        const fromSite = await request(base, `/api/call/${name}`, {
          method: 'POST',
          headers: { ...auth, Origin: `http://203.0.113.7:${port}`, 'Content-Type': 'text/plain' },
          body,
        });
        expect(fromSite.status, name).toBe(403);
        const noOrigin = await request(base, `/api/call/${name}`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'text/plain' },
          body,
        });
        expect(noOrigin.status, name).toBe(415);
      }
      expect(calls).toEqual([]);
    });

    it('holds the live API and the WebSocket to the same Origin table', async () => {
      for (const [host, origin, own] of originShapes(port)) {
        const hostHeader = host.replace(/:\d+$/, `:${port}`);
        const res = await request(base, '/api/call/server.status', {
          method: 'POST',
          headers: { ...auth, Host: hostHeader, Origin: origin, 'Content-Type': 'application/json' },
          body: '{}',
        });
        expect(res.status, `POST, Origin ${origin}`).toBe(own ? 200 : 403);
        const ws = await wsHandshake(`ws://127.0.0.1:${port}/api/events`, { ...auth, Origin: origin });
        expect(ws.status, `WebSocket, Origin ${origin}`).toBe(own ? 101 : 403);
      }
      if (withToken) {
        // The cookie travels with any request to 127.0.0.1, whatever the port: the Origin still gives the page away.
        expect(
          (await wsHandshake(`ws://127.0.0.1:${port}/api/events`, { Cookie: cookie, Origin: 'http://127.0.0.1:3000' }))
            .status,
        ).toBe(403);
        expect(
          (await wsHandshake(`ws://127.0.0.1:${port}/api/events`, { Cookie: cookie, Origin: base.replace(/\/$/, '') }))
            .status,
        ).toBe(101);
        expect(
          (await wsHandshake(`ws://127.0.0.1:${port}/api/events`, { Origin: base.replace(/\/$/, '') })).status,
        ).toBe(401);
      }
    });

    it('refuses preflights from other origins and never grants CORS', async () => {
      const preflight = (origin: string) =>
        request(base, '/api/call/settings.update', {
          method: 'OPTIONS',
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type, x-mailwright-request',
          },
        });
      for (const origin of [`http://203.0.113.7:${port}`, 'http://evil.example', 'null']) {
        const res = await preflight(origin);
        expect(res.status, origin).toBe(403);
        expect(
          Object.keys(res.headers).filter((h) => h.startsWith('access-control-')),
          origin,
        ).toEqual([]);
      }
      const own = await request(base, '/api/call/settings.update', {
        method: 'OPTIONS',
        headers: { ...auth, Origin: base.replace(/\/$/, '') },
      });
      expect(own.status).toBe(204);
      expect(Object.keys(own.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });
  });
}

describe('the access token on the live binding', () => {
  let core: Core;
  beforeAll(async () => {
    core = await scratchCore();
  });

  it('refuses a token shorter than 16 characters', async () => {
    await expect(startHttpBinding(core, { host: '0.0.0.0', port: 0, token: 'short-token' })).rejects.toThrow(
      /at least 16 characters/,
    );
  });

  it('signs a browser in with a cookie that does not hold the token', async () => {
    const binding = await startHttpBinding(core, { host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const signIn = await request(binding.url, `/?token=${TOKEN}`);
      expect(signIn.status).toBe(303);
      const setCookie = String(signIn.headers['set-cookie']?.[0]);
      expect(setCookie).not.toContain(TOKEN);
      expect(setCookie).not.toContain(encodeURIComponent(TOKEN));
      const pair = setCookie.split(';')[0]!;
      expect((await request(binding.url, '/api/status', { headers: { Cookie: pair } })).status).toBe(200);
      // A cookie that holds the token itself (what older versions set, or a forger's guess) opens nothing.
      expect(
        (await request(binding.url, '/api/status', { headers: { Cookie: `mailwright_token=${TOKEN}` } })).status,
      ).toBe(401);
    } finally {
      await binding.close();
    }
  });

  it('answers 429 with Retry-After after 10 wrong tokens a minute from one address, and only to that address', async () => {
    const binding = await startHttpBinding(core, { host: '127.0.0.1', port: 0, token: TOKEN });
    const wrong = { Authorization: 'Bearer wrong-token-0123456789' };
    const right = { Authorization: `Bearer ${TOKEN}` };
    try {
      // Asking without any token is not guessing: it never counts.
      for (let i = 0; i < 15; i++)
        expect((await request(binding.url, '/api/status', { localAddress: '127.0.0.5' })).status).toBe(401);
      expect((await request(binding.url, '/api/status', { headers: right, localAddress: '127.0.0.5' })).status).toBe(
        200,
      );

      for (let i = 0; i < MAX_FAILURES; i++) {
        expect(
          (await request(binding.url, '/api/status', { headers: wrong, localAddress: '127.0.0.3' })).status,
          `attempt ${i + 1}`,
        ).toBe(401);
      }
      const blocked = await request(binding.url, '/api/status', { headers: right, localAddress: '127.0.0.3' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(blocked.json<{ error: { message: string } }>().error.message).toMatch(/too many wrong access tokens/);
      const ws = await wsHandshake(`ws://127.0.0.1:${binding.port}/api/events`, right, '127.0.0.3');
      expect(ws.status).toBe(429);
      expect(Number(ws.retryAfter)).toBeGreaterThanOrEqual(1);
      expect((await request(binding.url, `/?token=${TOKEN}`, { localAddress: '127.0.0.3' })).status).toBe(429);
      // Another client is not punished for it.
      expect((await request(binding.url, '/api/status', { headers: right, localAddress: '127.0.0.4' })).status).toBe(
        200,
      );

      // Wrong sign-in links and wrong cookies count the same.
      for (let i = 0; i < MAX_FAILURES / 2; i++)
        expect(
          (await request(binding.url, '/?token=wrong-token-0123456789', { localAddress: '127.0.0.6' })).status,
        ).toBe(401);
      for (let i = 0; i < MAX_FAILURES / 2; i++) {
        expect(
          (
            await request(binding.url, '/api/status', {
              headers: { Cookie: 'mailwright_token=forged' },
              localAddress: '127.0.0.6',
            })
          ).status,
        ).toBe(401);
      }
      expect((await request(binding.url, '/api/status', { headers: right, localAddress: '127.0.0.6' })).status).toBe(
        429,
      );
    } finally {
      await binding.close();
    }
  });

  it('serve --token-file keeps the token out of the command line and uses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-token-file-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const serve = await startServe([
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--data',
      path.join(dir, 'data'),
      '--token-file',
      file,
    ]);
    try {
      const cmdline = fs.readFileSync(`/proc/${serve.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('--token-file');
      expect(cmdline).not.toContain(TOKEN);
      expect(serve.output()).not.toContain('can be read by other users');
      expect((await request(serve.ready.http, '/api/status')).status).toBe(401);
      expect(
        (await request(serve.ready.http, '/api/status', { headers: { Authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(200);
    } finally {
      expect(await serve.stop()).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('internal errors', () => {
  it('answer with a generic message and an id; the detail goes to the log under that id', async () => {
    const core = await scratchCore();
    const binding = await startHttpBinding(core, { host: '127.0.0.1', port: 0 });
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      // A table gone behind the store's back makes SQLite throw its own error, with SQL in its text: a real failure
      // nobody wrote a message for, which is what an internal error is.
      const dataDir = scratches.find((s) => s.core === core)!.dataDir;
      const db = new Database(path.join(dataDir, DB_FILENAME));
      db.exec('ALTER TABLE messages RENAME TO messages_gone');
      db.close();
      for (const res of [
        await request(binding.url, '/api/messages'),
        await request(binding.url, '/api/call/messages.list', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        }),
      ]) {
        expect(res.status).toBe(500);
        const body = res.json<{ error?: { code: string; message: string }; ok?: false }>();
        const error = body.error!;
        expect(error.code).toBe('internal');
        expect(error.message).toMatch(/^internal error \(id [0-9a-f]{16}\): the details are in Mailwright's log$/);
        expect(res.text()).not.toMatch(/messages|sqlite|table|at .*\.ts:\d+/i);
        const id = /id ([0-9a-f]{16})/.exec(error.message)![1]!;
        const line = logged.find((args) => String(args[0]).includes(id));
        expect(line, `a log line with id ${id}`).toBeDefined();
        expect(String((line![1] as Error).stack)).toMatch(/no such table: messages/i);
      }
    } finally {
      spy.mockRestore();
      await binding.close();
    }
  });
});
