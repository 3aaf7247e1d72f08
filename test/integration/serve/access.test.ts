// Who may reach the binding: DNS rebinding, cross-site origins, the access token, static path traversal,
// and the WebSocket event stream.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventEnvelope } from '../../../src-shared/index.js';
import { startHttpBinding } from '../../../src-main/serve/http.js';
import { request, sendSimple, startStack, type Stack } from './helpers.js';

let stack: Stack;
let base: string;
let wsBase: string;
let rendererRoot: string;

beforeAll(async () => {
  rendererRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-static-'));
  const renderer = path.join(rendererRoot, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>app shell</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log("app")');
  fs.writeFileSync(path.join(rendererRoot, 'package.json'), '{"secret":"OUTSIDE-THE-ROOT"}');
  fs.symlinkSync(path.join(rendererRoot, 'package.json'), path.join(renderer, 'assets', 'link.json'));
  stack = await startStack({ rendererDir: renderer });
  base = stack.http.url;
  wsBase = base.replace(/^http/, 'ws');
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(rendererRoot, { recursive: true, force: true });
});

/** Sends a hand-written request (Node's client would fix up a bad Host) and returns the status code. */
function rawStatus(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(base).port), '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

/** Resolves with the HTTP status of a refused handshake, or 101 when it opened. */
function wsHandshake(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', (err) => reject(err));
  });
}

describe('Host and Origin checks', () => {
  it('refuses a foreign Host header (DNS rebinding) on pages, API and WebSocket', async () => {
    for (const p of ['/', '/api/messages', '/api/status']) {
      const res = await request(base, p, { headers: { Host: 'evil.example' } });
      expect(res.status, p).toBe(403);
      expect(res.text()).toContain('evil.example');
    }
    expect(await wsHandshake(`${wsBase}api/events`, { Host: 'evil.example:80' })).toBe(403);
  });

  it('accepts loopback names and IP literals as Host', async () => {
    const port = new URL(base).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await request(base, '/api/status', { headers: { Host: host } })).status, host).toBe(200);
    }
    for (const host of ['', 'evil.example.', 'localhost.evil.example', '127.0.0.1.nip.io', 'user@localhost']) {
      expect(await rawStatus(`GET /api/status HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), host).toBe(403);
    }
  });

  it('refuses state-changing requests from another origin, accepts same-origin ones', async () => {
    const evil = await request(base, '/api/messages', { method: 'DELETE', headers: { Origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    const nullOrigin = await request(base, '/api/call/messages.deleteAll', {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'null', 'Content-Type': 'application/json' },
    });
    expect(nullOrigin.status).toBe(403);
    const otherPort = await request(base, '/api/call/server.status', {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'http://127.0.0.1:1', 'Content-Type': 'application/json' },
    });
    expect(otherPort.status).toBe(403);
    const same = await request(base, '/api/call/server.status', {
      method: 'POST',
      body: '{}',
      headers: { Origin: base.replace(/\/$/, ''), 'Content-Type': 'application/json' },
    });
    expect(same.status).toBe(200);
  });

  it('refuses a WebSocket from another origin, accepts the same origin', async () => {
    expect(await wsHandshake(`${wsBase}api/events`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await wsHandshake(`${wsBase}api/events`, { Origin: base.replace(/\/$/, '') })).toBe(101);
    expect(await wsHandshake(`${wsBase}api/other`, {})).toBe(404);
  });
});

describe('WebSocket events', () => {
  it('pushes messages.added for new mail', async () => {
    const ws = new WebSocket(`${wsBase}api/events`, { headers: { Origin: base.replace(/\/$/, '') } });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const added = new Promise<EventEnvelope<'messages.added'>>((resolve) => {
        ws.on('message', (data: Buffer) => {
          const envelope = JSON.parse(data.toString('utf8')) as EventEnvelope;
          if (envelope.event !== 'messages.added') return;
          const typed = envelope as EventEnvelope<'messages.added'>;
          if (typed.data.messages.some((m) => m.subject === 'pushed over ws')) resolve(typed);
        });
      });
      await sendSimple(stack.smtpPort, 'pushed over ws');
      const envelope = await added;
      const summary = envelope.data.messages.find((m) => m.subject === 'pushed over ws');
      expect(summary?.id).toBeGreaterThan(0);
      expect((await request(base, `/api/messages/${summary!.id}`)).status).toBe(200);
    } finally {
      ws.terminate();
    }
  });
});

describe('static files', () => {
  it('serves the app, its assets and the index.html fallback for app paths', async () => {
    const index = await request(base, '/');
    expect(index.status).toBe(200);
    expect(index.text()).toContain('app shell');
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await request(base, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await request(base, '/inbox/42')).text()).toContain('app shell');
    expect((await request(base, '/assets/missing.js')).status).toBe(404);
  });

  it('never serves a file outside the renderer folder', async () => {
    const probes = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/..%5cpackage.json',
      '/assets/link.json',
      '/%00/../package.json',
      '/%ff',
      '//../package.json',
    ];
    for (const p of probes) {
      const res = await request(base, p);
      expect(res.text(), p).not.toContain('OUTSIDE-THE-ROOT');
      expect([200, 400, 404], p).toContain(res.status);
    }
    expect((await request(base, '/..%2fpackage.json')).status).toBe(400);
  });
});

describe('access token', () => {
  it('refuses to bind a non-loopback address without a token', async () => {
    await expect(startHttpBinding(stack.core, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/--token/);
  });

  it('with a token: 401 without it, 200 with Bearer, and the /?token= cookie flow', async () => {
    const token = 'correct-horse-battery-staple';
    const binding = await startHttpBinding(stack.core, { host: '0.0.0.0', port: 0, token });
    try {
      const url = `http://127.0.0.1:${binding.port}/`;
      expect(binding.url).toBe(url);
      const none = await request(url, '/api/status');
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      expect((await request(url, '/api/status', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await request(url, '/api/status', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await request(url, '/')).status).toBe(401);
      expect(await wsHandshake(`ws://127.0.0.1:${binding.port}/api/events`, {})).toBe(401);

      expect((await request(url, '/?token=nope')).status).toBe(401);
      const signIn = await request(url, `/?token=${token}&view=inbox`);
      expect(signIn.status).toBe(303);
      expect(signIn.headers.location).toBe('/?view=inbox');
      const cookie = String(signIn.headers['set-cookie']?.[0]);
      expect(cookie).toMatch(/^mailwright_token=/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      const pair = cookie.split(';')[0]!;
      expect((await request(url, '/api/status', { headers: { Cookie: pair } })).status).toBe(200);
      expect(await wsHandshake(`ws://127.0.0.1:${binding.port}/api/events`, { Cookie: pair })).toBe(101);
      // From a link on another site, the hop to the app is a same-origin navigation, so the Strict cookie goes along.
      const fromLink = await request(url, `/?token=${token}`, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(fromLink.status).toBe(200);
      expect(String(fromLink.headers['set-cookie']?.[0])).toMatch(/^mailwright_token=.*SameSite=Strict/);
      expect(fromLink.text()).toContain('<meta http-equiv="refresh" content="0;url=/">');
      expect(fromLink.text()).not.toContain(token);
      // The redirect never leaves this server, whatever the path looks like.
      const sneaky = await request(url, `/.//evil.example/?token=${token}`);
      expect(sneaky.headers.location).toMatch(/^\/[^/]/);
    } finally {
      await binding.close();
    }
  });

  it('a token works on a loopback bind too', async () => {
    const binding = await startHttpBinding(stack.core, { host: '127.0.0.1', port: 0, token: 'loopback-token-0123' });
    try {
      expect((await request(binding.url, '/api/status')).status).toBe(401);
      expect(
        (await request(binding.url, '/api/status', { headers: { Authorization: 'Bearer loopback-token-0123' } }))
          .status,
      ).toBe(200);
    } finally {
      await binding.close();
    }
  });

  it('refuses an import body above the budget with 413', async () => {
    const binding = await startHttpBinding(stack.core, { host: '127.0.0.1', port: 0, maxImportBytes: 1024 });
    try {
      const res = await request(binding.url, '/api/messages/import?filename=big.eml', {
        method: 'POST',
        body: Buffer.alloc(4096, 0x41),
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      expect(res.status).toBe(413);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('too_large');
    } finally {
      await binding.close();
    }
  });
});
