// Bulk send into Mailwright's own capture server, with capture fault rules driving the error paths: greylisting
// retried until it passes, 421 reported, 550 5.1.1 counted per recipient; CSV placeholders and a broken row; the
// cap; cancel mid-run with what was sent kept in the history; the CSV and JSON exports; the REST routes.
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BulkProgress, BulkRow, BulkRun } from '../../../src-shared/index.js';
import { CANARY, USER, profileFor, startFarEnd, type Far } from './helpers.js';

let far: Far;
let plain: string;

beforeAll(async () => {
  far = await startFarEnd();
  plain = (await far.call('compose.profiles.create', { profile: profileFor(far, 'plain') })).id;
});
afterAll(async () => {
  await far?.close();
});
afterEach(async () => {
  await far.call('settings.update', { faults: [] });
});

/** Resolves with the run's last progress event once it ended; bounded by the test's timeout. */
function finished(id: string): Promise<BulkProgress> {
  return new Promise((resolve) => {
    const off = far.core.events.on('compose.bulk.progress', (p) => {
      if (p.id === id && p.state !== 'running') {
        off();
        resolve(p);
      }
    });
  });
}

async function runToEnd(args: Record<string, unknown>): Promise<{ run: BulkRun; end: BulkProgress }> {
  const run = await far.call('compose.bulk.start', { profile: plain, ...args });
  const end = run.state === 'running' ? await finished(run.id) : run;
  return { run, end };
}

const copy = { from: 'bulk@example.test', subject: 'Copy #{{n}}', text: 'copy {{n}}' };
const message = { from: 'bulk@example.test', to: ['{{email}}'], subject: 'Hello {{name}} #{{n}}', text: 'Hi {{name}}' };

describe('compose.bulk', () => {
  it('sends one message per CSV row with placeholders filled, each recorded in the history', async () => {
    const before = (await far.call('compose.sends.list', {})).total;
    const csv = 'email,name\nann@example.test,Ann\n"bob@example.test","Bob, Jr."\ncy@example.test,Cy\n';
    const { run, end } = await runToEnd({ message, source: { kind: 'csv', csv } });
    expect(run.total).toBe(3);
    expect(end).toMatchObject({ state: 'done', done: 3, sent: 3, failed: 0, retries: 0 });
    expect(end.latency.p50).toBeGreaterThan(0);
    expect(end.latency.p99).toBeGreaterThanOrEqual(end.latency.p50);
    const history = await far.call('compose.sends.list', { query: 'Hello' });
    expect(history.total - 0).toBeGreaterThanOrEqual(3);
    expect((await far.call('compose.sends.list', {})).total).toBe(before + 3);
    const bulkSends = history.sends.filter((s) => s.subject.startsWith('Hello '));
    expect(bulkSends.map((s) => s.subject).sort()).toEqual(['Hello Ann #1', 'Hello Bob, Jr. #2', 'Hello Cy #3']);
    expect(bulkSends.every((s) => s.kind === 'bulk' && s.outcome === 'delivered' && s.hasRaw)).toBe(true);
    await far.core.idle();
    const inbox = await far.call('messages.list', { limit: 100 });
    expect(inbox.messages.map((m) => m.subject)).toEqual(expect.arrayContaining(['Hello Bob, Jr. #2']));
    const json = await far.call('compose.bulk.export', { id: run.id, format: 'json' });
    const rows = (JSON.parse(json.content) as { rows: { recipient: string; attempts: number; sendId: number }[] }).rows;
    expect(rows.map((r) => r.recipient).sort()).toEqual(['ann@example.test', 'bob@example.test', 'cy@example.test']);
    expect(rows.every((r) => r.attempts === 1 && r.sendId > 0)).toBe(true);
    const csvOut = await far.call('compose.bulk.export', { id: run.id, format: 'csv' });
    const parsed = parse<Record<string, string>>(csvOut.content, { columns: true });
    expect(parsed).toHaveLength(3);
    expect(Object.keys(parsed[0]!)).toEqual(['n', 'recipient', 'outcome', 'reply', 'latencyMs', 'attempts', 'sendId']);
    expect(parsed.every((r) => r.outcome === 'delivered' && /^250 /.test(r.reply!))).toBe(true);
  });

  it('sends over implicit TLS and STARTTLS with AUTH, and no secret leaves the core', async () => {
    for (const [listener, security, mechanism] of [
      ['implicit', 'implicit', 'PLAIN'],
      ['starttls', 'starttls-required', 'LOGIN'],
    ] as const) {
      const profile = await far.call('compose.profiles.create', {
        profile: profileFor(far, listener, { security, auth: { mechanism, user: USER, password: CANARY } }),
      });
      const { run, end } = await runToEnd({
        profile: profile.id,
        message: { ...copy, to: [`${listener}{{n}}@example.test`] },
        source: { kind: 'copies', count: 4 },
        settings: { concurrency: 2, messagesPerConnection: 2 },
      });
      expect(end, listener).toMatchObject({ state: 'done', sent: 4, failed: 0 });
      const exported = await far.call('compose.bulk.export', { id: run.id, format: 'json' });
      expect(exported.content).not.toContain(CANARY);
      // Each message's history entry keeps its redacted transcript: the connection's opening (and AUTH) on the
      // first message of each connection, MAIL, RCPT and DATA on every one, and never the password.
      const rows = (JSON.parse(exported.content) as { rows: { sendId: number }[] }).rows;
      const reports = await Promise.all(rows.map((r) => far.call('compose.sends.get', { id: r.sendId })));
      for (const r of reports) {
        const texts = r.report.transcript.map((l) => `${l.dir} ${l.text}`);
        expect(
          texts.some((t) => /^C MAIL FROM:<bulk@example\.test>/.test(t)),
          listener,
        ).toBe(true);
        expect(texts.some((t) => /^C RCPT TO:<.+>/.test(t))).toBe(true);
        expect(texts.some((t) => /^S 250 /.test(t))).toBe(true);
        expect(JSON.stringify(r)).not.toContain(CANARY);
        expect(JSON.stringify(r)).not.toContain(Buffer.from(CANARY).toString('base64'));
      }
      const opened = reports.filter((r) => r.report.transcript.some((l) => l.dir === 'C' && /^AUTH /.test(l.text)));
      // Four messages, two connections of two messages each: each connection authenticated once.
      expect(opened).toHaveLength(2);
      expect(opened.every((r) => r.report.transcript.some((l) => l.dir === 'C' && /^EHLO /.test(l.text)))).toBe(true);
    }
    expect(far.events.join('\n')).not.toContain(CANARY);
  });

  it('refuses a CSV with a broken row, naming its line, and sends nothing', async () => {
    const before = (await far.call('compose.sends.list', {})).total;
    const r = await far.core.invoke('compose.bulk.start', {
      profile: plain,
      message,
      source: { kind: 'csv', csv: 'email,name\nann@example.test,Ann\nbob@example.test,Bob,extra\n' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe('source.csv');
      expect(r.error.message).toMatch(/line 3/);
    }
    const quote = await far.core.invoke('compose.bulk.start', {
      profile: plain,
      message,
      source: { kind: 'csv', csv: 'email,name\nann@example.test,Ann\nbob@example.test,"Bob\ncy@example.test,Cy\n' },
    });
    expect(quote.ok).toBe(false);
    if (!quote.ok) expect(quote.error.message).toMatch(/line 4/);
    const badAddress = await far.core.invoke('compose.bulk.start', {
      profile: plain,
      message,
      source: { kind: 'csv', csv: 'email,name\nann@example.test,Ann\nnot an address,Bob\n' },
    });
    expect(badAddress.ok).toBe(false);
    if (!badAddress.ok) expect(badAddress.error.message).toMatch(/source\.csv line 3: message\.to\.0/);
    const unknown = await far.core.invoke('compose.bulk.start', {
      profile: plain,
      message: { ...message, subject: 'Hi {{surname}}' },
      source: { kind: 'csv', csv: 'email,name\nann@example.test,Ann\n' },
    });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error).toMatchObject({ field: 'message.subject' });
    expect((await far.call('compose.sends.list', {})).total).toBe(before);
  });

  it('refuses a run over the cap before sending anything', async () => {
    await far.call('settings.update', { compose: { bulkMaxMessages: 5 } });
    try {
      const before = (await far.call('compose.sends.list', {})).total;
      const r = await far.core.invoke('compose.bulk.start', {
        profile: plain,
        message: { ...copy, to: ['copy{{n}}@example.test'] },
        source: { kind: 'copies', count: 6 },
      });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'too_large', field: 'source.count' });
      expect((await far.call('compose.sends.list', {})).total).toBe(before);
      const { end } = await runToEnd({
        message: { ...copy, to: ['copy{{n}}@example.test'] },
        source: { kind: 'copies', count: 5 },
      });
      expect(end).toMatchObject({ state: 'done', sent: 5 });
    } finally {
      await far.call('settings.update', { compose: { bulkMaxMessages: 10_000 } });
    }
  });

  it('retries 451 4.7.1 greylisting with backoff and then delivers', async () => {
    await far.call('settings.update', {
      faults: [
        { id: 'grey', name: 'grey', enabled: true, match: { stage: 'rcpt' }, action: { kind: 'greylist', seconds: 1 } },
      ],
    });
    const { run, end } = await runToEnd({
      message: { ...copy, to: ['grey{{n}}@example.test'] },
      source: { kind: 'copies', count: 3 },
      settings: { concurrency: 3, attempts: 4, backoffMs: 700 },
    });
    expect(end).toMatchObject({ state: 'done', sent: 3, failed: 0 });
    expect(end.retries).toBeGreaterThanOrEqual(3);
    expect(end.retriedByCode['451 4.7.1']).toBe(end.retries);
    const rows = JSON.parse((await far.call('compose.bulk.export', { id: run.id, format: 'json' })).content) as {
      rows: { attempts: number; outcome: string }[];
    };
    expect(rows.rows.every((r) => r.attempts >= 2 && r.outcome === 'delivered')).toBe(true);
  });

  it('tries again only the recipients a 4xx put off, and reports each recipient', async () => {
    await far.call('settings.update', {
      faults: [
        {
          id: 'grey-one',
          name: 'grey one',
          enabled: true,
          match: { stage: 'rcpt', recipient: 'slow*' },
          action: { kind: 'greylist', seconds: 1 },
        },
      ],
    });
    const csv = 'to,cc\nfast1@example.test,slow1@example.test\nfast2@example.test,fast3@example.test\n';
    const { run, end } = await runToEnd({
      message: { ...copy, subject: 'Partly {{n}}', to: ['{{to}}'], cc: ['{{cc}}'] },
      source: { kind: 'csv', csv },
      settings: { concurrency: 2, attempts: 4, backoffMs: 700 },
    });
    expect(end).toMatchObject({ state: 'done', sent: 2, failed: 0 });
    expect(end.retries).toBeGreaterThanOrEqual(1);
    expect(end.retriedByCode['451 4.7.1']).toBe(end.retries);
    const rows = (
      JSON.parse((await far.call('compose.bulk.export', { id: run.id, format: 'json' })).content) as {
        rows: BulkRow[];
      }
    ).rows.sort((a, b) => a.n - b.n);
    expect(rows.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    const first = rows[0]!;
    expect(first.attempts).toBe(end.retries + 1);
    const byAddress = Object.fromEntries(first.recipients.map((r) => [r.address, r]));
    expect(byAddress['fast1@example.test']).toMatchObject({ outcome: 'accepted', attempts: 1 });
    expect(byAddress['slow1@example.test']).toMatchObject({ outcome: 'accepted', attempts: first.attempts });
    expect(rows[1]!.recipients.every((r) => r.outcome === 'accepted' && r.attempts === 1)).toBe(true);
    // The retry went to the put-off recipient alone: fast1 got the message once, slow1 once.
    const sent = await far.call('compose.sends.get', { id: first.sendId! });
    expect(sent.report.accepted.map((a) => a.address).sort()).toEqual(['fast1@example.test', 'slow1@example.test']);
    const rcpts = sent.report.transcript.filter((l) => l.dir === 'C' && /^RCPT TO:/.test(l.text)).map((l) => l.text);
    expect(rcpts.filter((t) => t.includes('fast1@'))).toHaveLength(1);
    expect(rcpts.filter((t) => t.includes('slow1@'))).toHaveLength(first.attempts);
    await far.core.idle();
    const inbox = await far.call('messages.list', { query: 'Partly 1', limit: 10 });
    const copies = inbox.messages.filter((m) => m.subject === 'Partly 1');
    const envelopes = await Promise.all(copies.map((m) => far.call('messages.get', { id: m.id })));
    expect(envelopes.map((m) => m.envelope.rcptTo.join(',')).sort()).toEqual([
      'fast1@example.test',
      'slow1@example.test',
    ]);
  });

  it('reports 421 when the server closes with it, after the bounded attempts', async () => {
    await far.call('settings.update', {
      faults: [
        {
          id: 'rate',
          name: 'rate',
          enabled: true,
          match: { stage: 'mail' },
          action: { kind: 'reply', code: 421, enhanced: '4.7.0', text: 'Rate limit exceeded, try again later' },
        },
      ],
    });
    const { end } = await runToEnd({
      message: { ...copy, to: ['r{{n}}@example.test'] },
      source: { kind: 'copies', count: 2 },
      settings: { concurrency: 2, attempts: 2, backoffMs: 10 },
    });
    expect(end).toMatchObject({ state: 'done', sent: 0, failed: 2, retries: 2 });
    expect(end.failuresByCode).toEqual({ '421 4.7.0': 2 });
    expect(end.retriedByCode).toEqual({ '421 4.7.0': 2 });
  });

  it('counts 550 5.1.1 as a permanent failure per recipient, never retried', async () => {
    await far.call('settings.update', {
      faults: [
        {
          id: 'ghost',
          name: 'ghost',
          enabled: true,
          match: { stage: 'rcpt', recipient: 'ghost*' },
          action: { kind: 'reply', code: 550, enhanced: '5.1.1', text: 'no such user' },
        },
      ],
    });
    const csv =
      'email,cc\nghost1@example.test,ok1@example.test\nok2@example.test,ghost2@example.test\nghost3@example.test,ghost4@example.test\nok3@example.test,ok4@example.test\n';
    const { run, end } = await runToEnd({
      message: { ...copy, to: ['{{email}}'], cc: ['{{cc}}'] },
      source: { kind: 'csv', csv },
      settings: { concurrency: 2, attempts: 3, backoffMs: 10 },
    });
    expect(end).toMatchObject({ state: 'done', done: 4, sent: 3, failed: 1, retries: 0 });
    expect(end.failuresByCode).toEqual({ '550 5.1.1': 4 });
    const rows = JSON.parse((await far.call('compose.bulk.export', { id: run.id, format: 'json' })).content) as {
      rows: { n: number; outcome: string; attempts: number }[];
    };
    expect(rows.rows.sort((a, b) => a.n - b.n).map((r) => r.outcome)).toEqual([
      'partial',
      'partial',
      'rejected',
      'delivered',
    ]);
    expect(rows.rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('drops the bytes of the oldest sends past the retention cap, keeping their rows', async () => {
    await far.call('settings.update', { retention: { maxMessages: 3, maxBytes: 0 } });
    try {
      const { end } = await runToEnd({
        message: { ...copy, subject: 'Kept {{n}}', to: ['kept{{n}}@example.test'] },
        source: { kind: 'copies', count: 5 },
        settings: { concurrency: 1 },
      });
      expect(end).toMatchObject({ state: 'done', sent: 5 });
      const sends = (await far.call('compose.sends.list', { limit: 100 })).sends;
      expect(sends.filter((x) => x.hasRaw)).toHaveLength(3);
      expect(sends.slice(0, 3).every((x) => x.hasRaw)).toBe(true);
      expect(sends.filter((x) => x.subject.startsWith('Kept '))).toHaveLength(5);
      // The byte cap: room for two sends of this size, counted from the newest.
      const size = sends[0]!.size;
      await far.call('settings.update', { retention: { maxMessages: 0, maxBytes: size * 2 + Math.floor(size / 2) } });
      await runToEnd({
        message: { ...copy, subject: 'Kept {{n}}', to: ['kept{{n}}@example.test'] },
        source: { kind: 'copies', count: 1 },
      });
      const after = (await far.call('compose.sends.list', { limit: 100 })).sends;
      expect(after.filter((x) => x.hasRaw).map((x) => x.id)).toEqual(after.slice(0, 2).map((x) => x.id));
    } finally {
      await far.call('settings.update', { retention: { maxMessages: 50_000, maxBytes: 2 * 1024 * 1024 * 1024 } });
    }
  });

  it('cancels mid-run: nothing new starts, and what was sent stays recorded', async () => {
    const before = (await far.call('compose.sends.list', {})).total;
    const run = await far.call('compose.bulk.start', {
      profile: plain,
      message: { ...copy, to: ['c{{n}}@example.test'] },
      source: { kind: 'copies', count: 1000 },
      settings: { concurrency: 2, perSecond: 20 },
    });
    // Wait for a progress event that shows some sent, then cancel.
    await new Promise<void>((resolve) => {
      const off = far.core.events.on('compose.bulk.progress', (p) => {
        if (p.id === run.id && p.sent >= 3) {
          off();
          resolve();
        }
      });
    });
    const cancelled = await far.call('compose.bulk.cancel', { id: run.id });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(3);
    expect(cancelled.done).toBeLessThan(1000);
    expect(cancelled.etaMs).toBeNull();
    const after = await far.call('compose.bulk.get', { id: run.id });
    expect(after.done).toBe(cancelled.done);
    expect((await far.call('compose.sends.list', {})).total).toBe(before + cancelled.done);
    expect((await far.call('compose.bulk.list', {})).runs.map((r) => r.id)).toContain(run.id);
  });
});
