// A full disk during a flood, on a real file system: `serve` runs with its data folder on a small tmpfs, a
// nodemailer pool floods it until the disk is full, then a filler file in the same tmpfs is deleted.
// Mailwright must refuse with 451/452 (never 250 for what it could not store), keep HTTP up, accept mail
// again once there is room, and hold every message it acknowledged byte for byte.
// Mounting needs root (CI runs as root); elsewhere the test is skipped with that reason.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MessagePage, MessageSummary, Settings } from '../../../src-shared/index.js';
import { startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { request } from './helpers.js';

/** Big enough for the database, its WAL and the TLS files; the filler takes all but SPARE_BYTES of the rest. */
const TMPFS_BYTES = 24 * 1024 * 1024;
/** Room left for mail: about a hundred messages, so the flood fills it within a few seconds. */
const SPARE_BYTES = 3 * 1024 * 1024;
/** Each message is this big (unique body), so the disk fills in a bounded number of messages. */
const MESSAGE_BYTES = 32 * 1024;
/** Upper bound of the flood: three times what could fit in the spare room, so it must hit the wall. */
const MAX_FLOOD_MESSAGES = Math.ceil((3 * SPARE_BYTES) / MESSAGE_BYTES);
/** Refusals seen before the flood stops: enough to show the refusals are steady, not one stray error. */
const REFUSALS_TO_STOP = 10;
/** Messages in flight at once, over the pool's connections. */
const CONCURRENCY = 8;
/** Retention cap of the second flood: far below what fits, so pruning runs after nearly every commit. */
const RETENTION_CAP = 5;

interface Mount {
  dir: string;
  reason: string | null;
}

function mountTmpfs(): Mount {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-diskfull-'));
  if (process.platform !== 'linux') return { dir, reason: 'tmpfs mounts need Linux' };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES},mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    return { dir, reason: `cannot mount a tmpfs here (needs root): ${(r.stderr || r.error?.message || '').trim()}` };
  return { dir, reason: null };
}

const mount = mountTmpfs();
let serve: ServeProcess | undefined;

afterAll(async () => {
  await serve?.stop('SIGKILL');
  if (mount.reason === null) spawnSync('umount', ['-l', mount.dir]);
  fs.rmSync(mount.dir, { recursive: true, force: true });
});

function uniqueMessage(n: number): Buffer {
  const head = `From: flood@example.test\r\nTo: qa@example.test\r\nSubject: flood ${n}\r\nMessage-ID: <flood-${n}@example.test>\r\n\r\n`;
  const line = `${String(n).padStart(8, '0')} ${'x'.repeat(66)}\r\n`;
  return Buffer.from(head + line.repeat(Math.ceil(MESSAGE_BYTES / line.length)));
}

type Outcome = { ok: true; id: number; raw: Buffer } | { ok: false; code: number | undefined; error: string };

async function sendOne(pool: nodemailer.Transporter, n: number): Promise<Outcome> {
  const raw = uniqueMessage(n);
  try {
    const info = (await pool.sendMail({ envelope: { from: 'flood@example.test', to: ['qa@example.test'] }, raw })) as {
      response: string;
    };
    const id = /queued as (\d+)/.exec(info.response)?.[1];
    if (!id) throw new Error(`250 without an id: ${info.response}`);
    return { ok: true, id: Number(id), raw };
  } catch (err) {
    const e = err as { responseCode?: number; message: string };
    return { ok: false, code: e.responseCode, error: e.message };
  }
}

async function listAll(base: string): Promise<MessageSummary[]> {
  const out: MessageSummary[] = [];
  // Bounded: a page of 200 at a time, never more pages than the flood could have produced.
  for (let offset = 0, pages = 0; pages <= MAX_FLOOD_MESSAGES / 200 + 2; pages++, offset += 200) {
    const page = (await request(base, `/api/messages?limit=200&offset=${offset}`)).json<MessagePage>();
    out.push(...page.messages);
    if (page.messages.length < 200) break;
  }
  return out;
}

/** Fills the tmpfs but SPARE_BYTES with a filler file, then floods until REFUSALS_TO_STOP refusals or the cap. */
async function floodUntilFull(
  serve: ServeProcess,
  filler: string,
): Promise<{ accepted: { id: number; raw: Buffer }[]; refusals: Outcome[]; sent: number }> {
  const s = fs.statfsSync(mount.dir);
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - SPARE_BYTES)));
  const pool = nodemailer.createTransport({
    host: '127.0.0.1',
    port: serve.ready.smtp[0]!.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
    maxMessages: Infinity,
  });
  const accepted: { id: number; raw: Buffer }[] = [];
  const refusals: Outcome[] = [];
  let sent = 0;
  try {
    while (sent < MAX_FLOOD_MESSAGES && refusals.length < REFUSALS_TO_STOP) {
      const wave = Array.from({ length: CONCURRENCY }, () => sendOne(pool, sent++));
      for (const r of await Promise.all(wave)) {
        if (r.ok) accepted.push(r);
        else refusals.push(r);
      }
    }
  } finally {
    pool.close();
  }
  return { accepted, refusals, sent };
}

/** What every flood must show: steady transient refusals (a crash would drop connections instead), HTTP up. */
async function expectRefusedNotCrashed(
  serve: ServeProcess,
  flood: { accepted: unknown[]; refusals: Outcome[] },
): Promise<void> {
  expect(flood.refusals.length, 'the flood never filled the disk').toBeGreaterThanOrEqual(REFUSALS_TO_STOP);
  for (const r of flood.refusals) expect(r.ok ? 0 : r.code, JSON.stringify(r)).toBeOneOf([451, 452]);
  expect(flood.accepted.length, 'some mail fits before the disk is full').toBeGreaterThan(0);
  expect(serve.child.exitCode).toBeNull();
  expect((await request(serve.ready.http, '/api/status')).status).toBe(200);
  // Every storage failure is caught where it happens; none may reach the last-resort handler (core/last-resort.ts).
  expect(serve.output()).not.toMatch(/\[serve\] (uncaught exception|unhandled promise rejection)/);
}

async function sendAfterFreeing(
  serve: ServeProcess,
  from: number,
  count: number,
): Promise<{ id: number; raw: Buffer }[]> {
  const after = nodemailer.createTransport({
    host: '127.0.0.1',
    port: serve.ready.smtp[0]!.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 2,
  });
  const out: { id: number; raw: Buffer }[] = [];
  try {
    const again = await Promise.all(Array.from({ length: count }, (_, i) => sendOne(after, from + i)));
    for (const r of again) {
      expect(r.ok, JSON.stringify(r.ok ? r.id : r)).toBe(true);
      if (r.ok) out.push(r);
    }
  } finally {
    after.close();
  }
  return out;
}

describe.skipIf(mount.reason !== null)(
  `serve with a full disk${mount.reason ? ` (skipped: ${mount.reason})` : ''}`,
  () => {
    it('answers 451/452 while full, keeps HTTP up, accepts again once space is freed, and loses nothing it acknowledged', async () => {
      const dataDir = path.join(mount.dir, 'data');
      serve = await startServe(['--data', dataDir, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
      const base = serve.ready.http;
      const filler = path.join(mount.dir, 'filler');
      const flood = await floodUntilFull(serve, filler);
      await expectRefusedNotCrashed(serve, flood);
      // The user is told, not only the log.
      const settings = (await request(base, '/api/settings')).json<Settings>();
      expect(settings.warnings.join('\n')).toMatch(
        /could not save mail, so SMTP clients were answered 451.*disk is full/,
      );

      fs.rmSync(filler);
      const accepted = [...flood.accepted, ...(await sendAfterFreeing(serve, flood.sent, 6))];

      const listed = new Map((await listAll(base)).map((m) => [m.id, m]));
      for (const { id, raw } of accepted) {
        expect(listed.has(id), `message ${id} got 250 but is not listed`).toBe(true);
        const got = await request(base, `/api/messages/${id}/raw`);
        expect(got.status).toBe(200);
        expect(got.body.equals(raw), `message ${id} differs from what was sent`).toBe(true);
      }
      expect(listed.size).toBe(accepted.length);

      // What the disk could not take was derived data only: once mail flows again the indexer reaches every
      // message, and none is left marked as broken because the disk was full for a moment.
      await vi.waitFor(
        async () => {
          const all = await listAll(base);
          expect(all.every((m) => m.indexed)).toBe(true);
        },
        { timeout: 30_000, interval: 100 },
      );
      const broken = (await listAll(base)).filter((m) => m.parseError);
      expect(broken.map((m) => `${m.id}: ${m.parseError}`)).toEqual([]);
      expect(serve.child.exitCode).toBeNull();
      await serve.stop();
      serve = undefined;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }, 180_000);

    it('with a retention cap, pruning messages and sessions on a full disk does not end the process', async () => {
      // A cap below the flood makes every commit prune messages and every session batch prune sessions: the
      // DELETEs need WAL space too, and fail with SQLITE_FULL from timers where nothing else would catch them.
      const dataDir = path.join(mount.dir, 'capped');
      const config = path.join(mount.dir, 'capped.json');
      fs.writeFileSync(config, JSON.stringify({ retention: { maxMessages: RETENTION_CAP, maxBytes: 0 } }));
      serve = await startServe([
        '--data',
        dataDir,
        '--config',
        config,
        '--smtp',
        '127.0.0.1:0',
        '--http',
        '127.0.0.1:0',
      ]);
      const filler = path.join(mount.dir, 'filler');
      const flood = await floodUntilFull(serve, filler);
      await expectRefusedNotCrashed(serve, flood);

      fs.rmSync(filler);
      const after = await sendAfterFreeing(serve, flood.sent, 3);
      const listed = await listAll(serve.ready.http);
      expect(listed.length).toBeLessThanOrEqual(RETENTION_CAP);
      // The newest acknowledged messages are the ones kept, byte for byte.
      for (const { id, raw } of after) {
        const got = await request(serve.ready.http, `/api/messages/${id}/raw`);
        expect(got.body.equals(raw), `message ${id}`).toBe(true);
      }
      expect(serve.child.exitCode).toBeNull();
    }, 180_000);
  },
);
