// Two `serve` processes on one PostgreSQL database, as a team runs them behind a load balancer: mail taken by one
// is listed, searched and announced live by the other, and a settings change made on one applies on the other.
// Real PostgreSQL (a private cluster), real SMTP clients, real WebSockets; skipped with the reason where
// PostgreSQL is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MessagePage, ServerStatus } from '../../../src-shared/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';

/** How long an event from the other instance may take before the test gives up (a ceiling, not a measure). */
const EVENT_TIMEOUT_MS = 10_000;

interface EventEnvelope {
  event: string;
  data: unknown;
}

/** A WebSocket on an instance's event stream, with a way to wait for the first event that passes a test. */
async function events(instance: ServeProcess) {
  const ws = new WebSocket(`${instance.http.replace(/^http/, 'ws')}/api/events`);
  const seen: EventEnvelope[] = [];
  const waiting = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    seen.push(JSON.parse(data.toString()) as EventEnvelope);
    for (const wake of [...waiting]) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    close: () => ws.close(),
    next(test: (e: EventEnvelope) => boolean, what: string): Promise<EventEnvelope> {
      const from = seen.length;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = seen.slice(from).find(test);
          if (!hit) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no ${what} within ${EVENT_TIMEOUT_MS} ms`));
        }, EVENT_TIMEOUT_MS);
        waiting.add(check);
      });
    },
  };
}

async function getJson<T>(instance: ServeProcess, route: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${instance.http}${route}`, init);
  const body = await res.text();
  if (!res.ok) throw new Error(`${route}: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

async function send(instance: ServeProcess, subject: string, text = 'hello'): Promise<void> {
  const transport = nodemailer.createTransport({
    host: instance.smtpHost,
    port: instance.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  try {
    await transport.sendMail({ from: 'app@example.test', to: 'qa@example.test', subject, text });
  } finally {
    transport.close();
  }
}

describe.skipIf(postgresMissing !== null)('two instances on one database', () => {
  let pg: PgCluster;
  let a: ServeProcess;
  let b: ServeProcess;
  const dirs: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase();
    const dataA = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-team-a-'));
    const dataB = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-team-b-'));
    dirs.push(dataA, dataB);
    a = await startServe([...LOOPBACK_PORT_0, '--data', dataA, '--store', url]);
    // A team shares one sealing key (docs/team.md): B starts with a copy of A's.
    fs.copyFileSync(path.join(dataA, 'secret.key'), path.join(dataB, 'secret.key'));
    b = await startServe([...LOOPBACK_PORT_0, '--data', dataB, '--store', url]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    pg?.destroy();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('mail sent to A is announced live on B, then listed and searchable there', async () => {
    const onB = await events(b);
    try {
      const subject = `Team delivery ${Date.now()}`;
      const added = onB.next(
        (e) =>
          e.event === 'messages.added' &&
          (e.data as { messages: { subject: string }[] }).messages.some((m) => m.subject === subject),
        "A's messages.added on B",
      );
      await send(a, subject, 'the quartzite invoice');
      await added;
      const listed = await getJson<MessagePage>(b, '/api/messages?limit=10');
      expect(listed.messages.map((m) => m.subject)).toContain(subject);
      // Searchable once indexed (by whichever instance claimed it): B waits for the match.
      const waited = await getJson<{ subject: string }>(
        b,
        `/api/wait?query=${encodeURIComponent('quartzite')}&timeout=${EVENT_TIMEOUT_MS}ms`,
      );
      expect(waited.subject).toBe(subject);
    } finally {
      onB.close();
    }
  });

  it("a tag added on A reaches B's WebSocket (capability events cross instances too)", async () => {
    const page = await getJson<MessagePage>(a, '/api/messages?limit=1');
    const id = page.messages[0]!.id;
    const onB = await events(b);
    try {
      const changed = onB.next(
        (e) => e.event === 'tags.changed' && JSON.stringify(e.data) === JSON.stringify({ ids: [id] }),
        "A's tags.changed on B",
      );
      await getJson(a, '/api/call/tags.add', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ids: [id], tags: ['team-reviewed'] }),
      });
      await changed;
      const onBNow = await getJson<{ ok: boolean; value: { messages: { id: number; tags: string[] }[] } }>(
        b,
        '/api/call/tags.get',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [id] }) },
      );
      expect(onBNow.value.messages[0]?.tags).toContain('team-reviewed');
    } finally {
      onB.close();
    }
  });

  it('a settings change made on B re-binds a listener on A', async () => {
    const onA = await events(a);
    try {
      const before = await getJson<ServerStatus>(a, '/api/status');
      expect(before.listeners.map((l) => l.id)).not.toContain('team-extra');
      const changed = onA.next(
        (e) => e.event === 'settings.changed' && JSON.stringify(e.data).includes('team-extra'),
        "B's settings change on A",
      );
      const settings = await getJson<{ listeners: unknown[] }>(b, '/api/settings');
      const listeners = [...settings.listeners, { id: 'team-extra', host: '127.0.0.1', port: 0, tls: 'none' }];
      await getJson(b, '/api/settings', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ listeners }),
      });
      await changed;
      const after = await getJson<ServerStatus>(a, '/api/status');
      const extra = after.listeners.find((l) => l.id === 'team-extra');
      expect(extra?.state).toBe('listening');
      expect(extra?.port).toBeGreaterThan(0);
      // The listener A already had kept its port: only the changed listener was started.
      expect(after.listeners.find((l) => l.id === 'smtp')?.port).toBe(a.smtpPort);
    } finally {
      onA.close();
    }
  });

  it('a client locked out on A is refused on B', async () => {
    const onB = await events(b);
    try {
      const arrived = onB.next(
        (e) => e.event === 'settings.changed' && JSON.stringify(e.data).includes('team-auth'),
        "A's new listener on B",
      );
      const settings = await getJson<{ listeners: { id: string }[] }>(a, '/api/settings');
      const listeners = [
        ...settings.listeners.filter((l) => l.id !== 'team-auth'),
        {
          id: 'team-auth',
          host: '127.0.0.1',
          port: 0,
          tls: 'none',
          auth: {
            policy: 'optional',
            mechanisms: ['PLAIN'],
            credentials: [{ username: 'alice', password: 's3cret' }],
            allowPlaintext: true,
            lockout: { maxFailures: 3, windowSeconds: 600, lockSeconds: 300 },
          },
        },
      ];
      await getJson(a, '/api/settings', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ listeners }),
      });
      await arrived;
      const port = async (instance: ServeProcess): Promise<number> =>
        (await getJson<ServerStatus>(instance, '/api/status')).listeners.find((l) => l.id === 'team-auth')!.port;
      const [portA, portB] = [await port(a), await port(b)];
      const attempt = async (p: number, pass: string): Promise<number> => {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: p,
          secure: false,
          ignoreTLS: true,
          auth: { user: 'alice', pass },
        });
        try {
          await transport.sendMail({ from: 'app@example.test', to: 'qa@example.test', subject: 'auth', text: 'x' });
          return 250;
        } catch (err) {
          return (err as { responseCode?: number }).responseCode ?? -1;
        } finally {
          transport.close();
        }
      };
      // The right password works on B before the lockout, so the refusal after it is the lockout's.
      expect(await attempt(portB, 's3cret')).toBe(250);
      const failures = [await attempt(portA, 'guess'), await attempt(portA, 'guess'), await attempt(portA, 'guess')];
      expect(failures).toEqual([535, 535, 535]);
      expect(await attempt(portB, 's3cret')).toBe(421);
    } finally {
      onB.close();
    }
  });

  it('status on either instance names the shared database, never the password', async () => {
    for (const instance of [a, b]) {
      const status = await getJson<ServerStatus>(instance, '/api/status');
      expect(status.store).toMatchObject({ kind: 'postgres', available: true, outage: null });
      expect(status.store.location).toBe(`PostgreSQL at 127.0.0.1:${pg.port}`);
      expect(JSON.stringify(status)).not.toContain(pg.password);
    }
  });
});
