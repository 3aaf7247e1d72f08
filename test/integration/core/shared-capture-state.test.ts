// Two capture servers on one PostgreSQL database share what a tester relies on: a client locked out on A is
// refused on B (at connect and at AUTH), "the 3rd message" of a fault rule counts messages across both, and a
// greylisted or throttled client is remembered by both. Real SMTP clients (nodemailer, a raw socket) against
// real listeners; a private PostgreSQL cluster (test/helpers/postgres.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultEngine, type FaultRule } from '../../../src-main/capture/faults/index.js';
import { CaptureServer, type CaptureLogger, type ListenerConfig } from '../../../src-main/capture/index.js';
import { COUNTER_TTL_MS, SqlCaptureState } from '../../../src-main/core/shared-capture-state.js';
import { PgStore } from '../../../src-main/store/postgres/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';
import { RawClient, expectCode } from '../capture/helpers.js';

const LISTENER: ListenerConfig = {
  id: 'smtp',
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
};

interface Instance {
  server: CaptureServer;
  faults: FaultEngine;
  store: PgStore;
  /** Subjects of the messages this instance stored. */
  stored: string[];
  port: number;
}

let cluster: PgCluster;
let dataDir: string;
let url: string;
let instances: Instance[] = [];
/** What the listeners logged: a shared state that failed shows here (capture itself carries on regardless). */
const problems: string[] = [];
const logger: CaptureLogger = { info: () => undefined, warn: (t) => problems.push(t), error: (t) => problems.push(t) };
/** Both engines read this clock, so a greylist wait passes without sleeping. */
let clock = Date.now();

async function instance(rules: FaultRule[] = []): Promise<Instance> {
  const store = await PgStore.open({ url });
  const faults = new FaultEngine(rules, { now: () => clock });
  const stored: string[] = [];
  const server = new CaptureServer({
    dataDir,
    listeners: [LISTENER],
    logger,
    faults,
    shared: new SqlCaptureState(store.sql),
    sink: {
      ingest: async (raw) => {
        stored.push(/^Subject: (.*)$/m.exec(raw.toString('utf8'))?.[1]?.trim() ?? '');
        return { id: stored.length };
      },
    },
  });
  const [status] = await server.start();
  if (status?.state !== 'listening') throw new Error(`listener did not start: ${JSON.stringify(status)}`);
  const made = { server, faults, store, stored, port: status.port };
  instances.push(made);
  return made;
}

/** Two instances (A, B) on one fresh database, both running `rules`. */
async function pair(rules: FaultRule[] = []): Promise<[Instance, Instance]> {
  url = await cluster.createDatabase();
  const a = await instance(rules);
  const b = await instance(rules);
  return [a, b];
}

function send(
  to: Instance,
  subject: string,
  auth?: { user: string; pass: string },
): Promise<{ ok: true } | { ok: false; code: number | undefined; response: string }> {
  return nodemailer
    .createTransport({ host: '127.0.0.1', port: to.port, secure: false, ignoreTLS: true, ...(auth ? { auth } : {}) })
    .sendMail({ from: 'app@example.test', to: 'user@example.test', subject, text: subject })
    .then(
      () => ({ ok: true as const }),
      (err: { responseCode?: number; response?: string; message: string }) => ({
        ok: false as const,
        code: err.responseCode,
        response: err.response ?? err.message,
      }),
    );
}

const rule = (id: string, match: FaultRule['match'], action: FaultRule['action']): FaultRule => ({
  id,
  name: id,
  enabled: true,
  match,
  action,
});
const THIRD = rule('third', { stage: 'mail', nth: 3 }, { kind: 'reply', code: 451, enhanced: '4.3.0', text: 'Third' });

describe.skipIf(postgresMissing !== null)(postgresMissing ?? 'capture state shared on PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await startPostgres();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-shared-'));
  });
  afterEach(async () => {
    for (const i of instances) {
      await i.server.stop();
      await i.store.close();
    }
    instances = [];
    expect(problems).toEqual([]);
  });
  afterAll(() => {
    cluster?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a client locked out on A is refused by B, at AUTH in an open session and at connect', async () => {
    const [a, b] = await pair();
    // A session on B opened before the lockout: its AUTH must be refused once A has locked the client.
    const open = await RawClient.connect(b.port);
    expectCode(await open.reply(), 220);
    expectCode(await open.command('EHLO raw.test'), 250);

    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(await send(a, `bad ${i}`, { user: 'alice', pass: 'guess' }));
    expect(failures.map((f) => (f.ok ? 250 : f.code))).toEqual([535, 535, 535]);

    const right = `AUTH PLAIN ${Buffer.from('\0alice\0s3cret').toString('base64')}`;
    expect(await open.command(right)).toMatch(
      /^421 4\.7\.0 Too many failed authentication attempts; try again in \d+ seconds\r\n$/,
    );
    await open.waitClosed();
    // A new connection to B, with the right password, is refused at the greeting.
    const refused = await send(b, 'right password', { user: 'alice', pass: 's3cret' });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.response).toMatch(/^421 4\.7\.0 Too many failed authentication attempts/);
    expect(b.stored).toEqual([]);
  });

  // Shared failures without the clearing would lock here (2 + 2 >= 3).
  it('a success on B clears the failures A counted, as one instance would', async () => {
    const [a, b] = await pair();
    for (let i = 0; i < 2; i++)
      expect(await send(a, `bad ${i}`, { user: 'alice', pass: 'guess' })).toMatchObject({ ok: false, code: 535 });
    expect(await send(b, 'good', { user: 'alice', pass: 's3cret' })).toEqual({ ok: true });
    // Two more failures make two since the success: still under the limit of 3.
    for (let i = 0; i < 2; i++)
      expect(await send(b, `bad again ${i}`, { user: 'alice', pass: 'guess' })).toMatchObject({ ok: false, code: 535 });
    expect(await send(a, 'still allowed', { user: 'alice', pass: 's3cret' })).toEqual({ ok: true });
  });

  it('nth: 3 fires on the 3rd message overall when messages alternate A, B, A; an edit counts afresh', async () => {
    const [a, b] = await pair([THIRD]);
    const order: [Instance, string][] = [
      [a, 'one'],
      [b, 'two'],
      [a, 'three'],
      [b, 'four'],
      [a, 'five'],
    ];
    const results = [];
    for (const [to, subject] of order) results.push(await send(to, subject));
    expect(results.map((r) => (r.ok ? 250 : r.code))).toEqual([250, 250, 451, 250, 250]);
    expect(results[2]).toMatchObject({ response: expect.stringMatching(/^451 4\.3\.0 Third/) as unknown });
    expect([...a.stored, ...b.stored].sort()).toEqual(['five', 'four', 'one', 'two']);
    // Hit counts stay per instance: only A's engine fired.
    expect(a.faults.hits()).toEqual({ third: 1 });
    expect(b.faults.hits()).toEqual({});

    // The rule edited (on both, as a settings change reaches every instance): "the 3rd" counts from now on.
    const edited = { ...THIRD, action: { ...THIRD.action, text: 'Third again' } } as FaultRule;
    a.faults.setRules([edited]);
    b.faults.setRules([edited]);
    const again = [];
    for (const [to, subject] of order.slice(0, 3)) again.push(await send(to, `${subject} again`));
    expect(again.map((r) => (r.ok ? 250 : r.code))).toEqual([250, 250, 451]);
    expect(again[2]).toMatchObject({ response: expect.stringMatching(/^451 4\.3\.0 Third again/) as unknown });
  });

  it('every: 2 fires on every 2nd message overall, whichever instance takes it', async () => {
    const [a, b] = await pair([
      rule('second', { stage: 'mail', every: 2 }, { kind: 'reply', code: 452, enhanced: '4.3.1', text: 'Every 2nd' }),
    ]);
    const results = [];
    for (const [to, subject] of [
      [a, '1'],
      [a, '2'],
      [b, '3'],
      [a, '4'],
      [b, '5'],
      [b, '6'],
    ] as const)
      results.push(await send(to, subject));
    expect(results.map((r) => (r.ok ? 250 : r.code))).toEqual([250, 452, 250, 452, 250, 452]);
    expect(a.faults.hits()).toEqual({ second: 2 });
    expect(b.faults.hits()).toEqual({ second: 1 });
  });

  it('a triple greylisted on A is remembered by B: refused until the wait has passed, then accepted', async () => {
    const grey = rule('grey', { stage: 'rcpt' }, { kind: 'greylist', seconds: 60 });
    const [a, b] = await pair([grey]);
    clock = Date.now();
    expect(await send(a, 'first try')).toMatchObject({ ok: false, code: 451 });
    clock += 30_000;
    expect(await send(b, 'too soon')).toMatchObject({ ok: false, code: 451 });
    clock += 31_000;
    // On B, which never saw the first attempt itself: accepted, because A's first attempt is shared.
    expect(await send(b, 'retry')).toEqual({ ok: true });
    expect(b.stored).toEqual(['retry']);
  });

  it('a throttle of 2 per minute counts the client across A and B', async () => {
    const slow = rule('slow', { stage: 'mail' }, { kind: 'throttle', perMinute: 2 });
    const [a, b] = await pair([slow]);
    clock = Date.now();
    const results = [await send(a, 'one'), await send(b, 'two'), await send(a, 'three')];
    expect(results.map((r) => (r.ok ? 250 : r.code))).toEqual([250, 250, 421]);
    clock += 61_000;
    expect(await send(b, 'next minute')).toEqual({ ok: true });
  });
  it('with the database gone, capture carries on as if the stateful rules did not match, and says why', async () => {
    const [a] = await pair([THIRD]);
    cluster.stop();
    try {
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await send(a, `outage ${i}`));
      expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      // A wrong password is still 535; a lockout that cannot be read refuses no one.
      expect(await send(a, 'bad', { user: 'alice', pass: 'guess' })).toMatchObject({ ok: false, code: 535 });
      expect(await send(a, 'good', { user: 'alice', pass: 's3cret' })).toEqual({ ok: true });
      expect(problems.some((p) => /fault engine failed at mail/.test(p))).toBe(true);
      expect(problems.some((p) => /shared AUTH lockout/.test(p))).toBe(true);
    } finally {
      cluster.start();
      problems.length = 0;
    }
  });
  it('rows past their lifetime are deleted once the state is used again', async () => {
    url = await cluster.createDatabase();
    const store = await PgStore.open({ url });
    try {
      const state = new SqlCaptureState(store.sql);
      const t0 = Date.now();
      await state.count('rule:old', 'k', { nth: 5 }, t0);
      await state.greylist('rule:grey', 'triple', 60, t0);
      const rows = async () =>
        (await store.sql.all<{ scope: string }>('SELECT scope FROM capture_shared ORDER BY scope')).map((r) => r.scope);
      expect(await rows()).toEqual(['rule:grey', 'rule:old']);
      // A day and a bit later the greylist triple has expired, the counter (30 days) has not.
      await state.count('rule:new', 'k', { nth: 5 }, t0 + 25 * 60 * 60 * 1000);
      await state.pruning; // the prune runs off the caller's path
      expect(await rows()).toEqual(['rule:new', 'rule:old']);
      await state.count('rule:new', 'k', { nth: 5 }, t0 + COUNTER_TTL_MS + 26 * 60 * 60 * 1000);
      await state.pruning;
      expect(await rows()).toEqual(['rule:new']);
    } finally {
      await store.close();
    }
  });
});
