// The shared database goes away mid-flood, and an instance dies mid-flood: no client that got a 250 loses its
// message, every refusal is a 4xx the client may retry, and mail flows again by itself. Real PostgreSQL (a
// private cluster, stopped and started for real), real SMTP clients, real processes killed with SIGKILL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MessagePage, ServerStatus } from '../../../src-shared/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';

/** Messages a flood sends at most, four at a time; the fault comes after FAULT_AFTER acknowledgements. */
const FLOOD_MESSAGES = 300;
const FAULT_AFTER = 60;
const CONCURRENCY = 4;
const RECOVERY_TIMEOUT_MS = 30_000;

interface Outcome {
  subject: string;
  accepted: boolean;
  code: number | null;
  error: string | null;
}

/**
 * Sends FLOOD_MESSAGES with unique subjects, CONCURRENCY at a time, each on its own connection, and calls `fault`
 * once FAULT_AFTER were accepted. Stops early once every sender has seen a refusal after the fault (the point is
 * made) or a connection could not be made at all (the instance is gone).
 */
async function flood(instance: ServeProcess, tag: string, fault: () => void | Promise<void>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  let accepted = 0;
  let faulted = false;
  let refusedAfterFault = 0;
  let gone = false;
  const sender = async (): Promise<void> => {
    while (next < FLOOD_MESSAGES && !gone && refusedAfterFault < CONCURRENCY * 5) {
      const subject = `${tag} ${next++}`;
      const transport = nodemailer.createTransport({
        host: instance.smtpHost,
        port: instance.smtpPort,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        socketTimeout: 10_000,
      });
      try {
        await transport.sendMail({ from: 'app@example.test', to: 'qa@example.test', subject, text: 'flood' });
        outcomes.push({ subject, accepted: true, code: 250, error: null });
        if (++accepted === FAULT_AFTER && !faulted) {
          faulted = true;
          await fault();
        }
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message: string };
        outcomes.push({ subject, accepted: false, code: e.responseCode ?? null, error: e.message });
        if (faulted) refusedAfterFault++;
        if (e.code === 'ESOCKET' || e.code === 'ECONNECTION') gone = true;
      } finally {
        transport.close();
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return outcomes;
}

async function getJson<T>(instance: ServeProcess, route: string): Promise<T> {
  const res = await fetch(`${instance.http}${route}`);
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every subject the instance lists, read a page of 1,000 at a time (a flood stores at most 2 × FLOOD_MESSAGES). */
async function subjects(instance: ServeProcess): Promise<Set<string>> {
  const out = new Set<string>();
  for (let offset = 0; offset <= 2 * FLOOD_MESSAGES; offset += 1000) {
    const page = await getJson<MessagePage>(instance, `/api/messages?limit=1000&offset=${offset}`);
    for (const m of page.messages) out.add(m.subject);
    if (offset + page.messages.length >= page.total) break;
  }
  return out;
}

/** Resolves on the first server.status event that passes `test` (a ceiling, not a measure). */
function statusEvent(instance: ServeProcess, test: (s: ServerStatus) => boolean): Promise<ServerStatus> {
  const ws = new WebSocket(`${instance.http.replace(/^http/, 'ws')}/api/events`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no such server.status within ${RECOVERY_TIMEOUT_MS} ms`));
    }, RECOVERY_TIMEOUT_MS);
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString()) as { event: string; data: ServerStatus };
      if (e.event === 'server.status' && test(e.data)) {
        clearTimeout(timer);
        ws.close();
        resolve(e.data);
      }
    });
    ws.once('error', reject);
  });
}

describe.skipIf(postgresMissing !== null)('faults with a shared database', () => {
  let pg: PgCluster | undefined;
  const instances: ServeProcess[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(instances.splice(0).map((i) => i.stop('SIGKILL')));
    pg?.destroy();
    pg = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function instance(url: string, key?: string): Promise<ServeProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-team-fault-'));
    dirs.push(dir);
    if (key) fs.copyFileSync(key, path.join(dir, 'secret.key'));
    const s = await startServe([...LOOPBACK_PORT_0, '--data', dir, '--store', url]);
    instances.push(s);
    return s;
  }

  it('PostgreSQL stopped mid-flood: every 250 is stored, every refusal a 4xx, and mail flows once it is back', async () => {
    pg = await startPostgres();
    const cluster = pg;
    const a = await instance(await cluster.createDatabase());
    const outage = statusEvent(a, (s) => !s.store.available);
    const outcomes = await flood(a, 'outage', () => cluster.stop());
    const down = await outage;
    expect(down.store.outage).toContain(`127.0.0.1:${cluster.port}`);

    const refused = outcomes.filter((o) => !o.accepted);
    expect(refused.length, 'the flood met the outage').toBeGreaterThan(0);
    for (const r of refused) expect(r.code, `${r.subject}: ${r.error}`).toBeGreaterThanOrEqual(400);
    for (const r of refused) expect(r.code, `${r.subject}: ${r.error}`).toBeLessThan(500);
    expect(refused.some((r) => r.code === 451)).toBe(true);

    const back = statusEvent(a, (s) => s.store.available);
    cluster.start();
    await back;
    const after = await flood(a, 'after', () => undefined);
    expect(after.length).toBe(FLOOD_MESSAGES);
    expect(after.every((o) => o.accepted)).toBe(true);

    const stored = await subjects(a);
    for (const o of outcomes.filter((x) => x.accepted)) expect(stored.has(o.subject), o.subject).toBe(true);
    for (const o of after) expect(stored.has(o.subject), o.subject).toBe(true);
  }, 240_000);

  it('kill -9 of an instance mid-flood loses no message it acknowledged; the other lists them all', async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase();
    const a = await instance(url);
    const b = await instance(url, path.join(dirs[0]!, 'secret.key'));
    const outcomes = await flood(a, 'killed', () => {
      a.child.kill('SIGKILL');
    });
    const acked = outcomes.filter((o) => o.accepted);
    expect(acked.length).toBeGreaterThanOrEqual(FAULT_AFTER);
    expect(
      outcomes.some((o) => !o.accepted),
      'the flood met the dead instance',
    ).toBe(true);
    const stored = await subjects(b);
    for (const o of acked) expect(stored.has(o.subject), o.subject).toBe(true);
  }, 240_000);
});
