// The PostgreSQL store against the SQLite store, in this process, side by side (issue 13, a first sketch): 5 KB
// ingest at concurrency 4 into each store directly (no SMTP), then the time until all of it is indexed, then list
// and search at that size; and two PgStores on one database. The PostgreSQL server is a private cluster on this
// machine, sharing its cores with this process: the figures are a floor, not the ceiling of a dedicated server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store, SqliteMessageStore, type MessageStore } from '../src-main/store/index.js';
import { PgStore } from '../src-main/store/postgres/index.js';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.js';
import { buildMessage, SHARED_TOKEN, tokenFor } from './messages.js';
import { CLIENT_CORE, SERVER_CORE } from './proc.js';
import { median } from './stats.js';
import type { Target } from './report.js';
import type { Envelope } from '../src-shared/index.js';

const ENVELOPE: Envelope = {
  mailFrom: 'bench-sender@example.test',
  rcptTo: ['bench-inbox@example.test'],
  heloName: 'bench.test',
  clientAddress: '127.0.0.1',
  clientPort: 40000,
  tls: null,
  authUser: null,
  listener: 'smtp',
};
const CONCURRENCY = 4;
const SAMPLES = 30;

export interface StoreFigures {
  store: string;
  messages: number;
  msgPerSec: number;
  /** From the last resolved ingest until everything is indexed. */
  indexedAfterMs: number;
  listP50Ms: number;
  tokenSearchP50Ms: number;
  sharedSearchP50Ms: number;
}

export interface PostgresBenchResult {
  skipped: string | null;
  rows: StoreFigures[];
}

async function ingestAll(stores: MessageStore[], n: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (store: MessageStore): Promise<void> => {
    for (let i = next++; i < n; i = next++) await store.ingest(buildMessage('5k', i), ENVELOPE);
  };
  await Promise.all(stores.flatMap((s) => Array.from({ length: concurrency }, () => worker(s))));
  return n / ((performance.now() - started) / 1000);
}

async function p50(fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(-1);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function measure(name: string, stores: MessageStore[], n: number): Promise<StoreFigures> {
  const msgPerSec = await ingestAll(stores, n, CONCURRENCY);
  const t0 = performance.now();
  await Promise.all(stores.map((s) => s.idle()));
  const indexedAfterMs = performance.now() - t0;
  const s = stores[0]!;
  const total = (await s.list({ query: SHARED_TOKEN, limit: 1 })).total;
  if (total !== n) throw new Error(`${name}: a search for the shared word found ${total} of ${n}`);
  return {
    store: name,
    messages: n,
    msgPerSec,
    indexedAfterMs,
    listP50Ms: await p50(() => s.list({ limit: 50 })),
    tokenSearchP50Ms: await p50((i) => s.list({ query: tokenFor(Math.abs(i * 7919) % n), limit: 50 })),
    sharedSearchP50Ms: await p50(() => s.list({ query: SHARED_TOKEN, limit: 50 })),
  };
}

export async function runPostgresBench(opts: { n: number; log: (s: string) => void }): Promise<PostgresBenchResult> {
  if (postgresMissing) return { skipped: postgresMissing, rows: [] };
  const rows: StoreFigures[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-bench-pg-'));
  const retention = { maxMessages: 0, maxBytes: 0 };
  // First the PostgreSQL server on the server core, beside the runner's: a database host with its own CPU.
  const own = await startPostgres({ cpus: SERVER_CORE });
  try {
    const store = await PgStore.open({ url: await own.createDatabase(), retention });
    try {
      rows.push(await measure('PgStore, server on its own core', [store], opts.n));
    } finally {
      await store.close();
    }
    opts.log(row(rows.at(-1)!));
  } finally {
    own.destroy();
  }
  // Then everything on the runner's one core: SQLite and PostgreSQL with the same CPU.
  const cluster = await startPostgres({ cpus: CLIENT_CORE });
  try {
    const sqlite = new SqliteMessageStore(Store.open({ dataDir: dir, retention }));
    try {
      rows.push(await measure('SQLite Store', [sqlite], opts.n));
    } finally {
      await sqlite.close();
    }
    opts.log(row(rows.at(-1)!));
    const pgStore = await PgStore.open({ url: await cluster.createDatabase(), retention });
    try {
      rows.push(await measure('PgStore, server on the same core', [pgStore], opts.n));
    } finally {
      await pgStore.close();
    }
    opts.log(row(rows.at(-1)!));
    const url = await cluster.createDatabase();
    const a = await PgStore.open({ url, retention });
    const b = await PgStore.open({ url, retention });
    try {
      rows.push(await measure('2 PgStores on one database, same core', [a, b], opts.n));
    } finally {
      await a.close();
      await b.close();
    }
    opts.log(row(rows.at(-1)!));
  } finally {
    cluster.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { skipped: null, rows };
}

function row(r: StoreFigures): string {
  return `  ${r.store.padEnd(38)} ${r.messages} x 5 KB c=${CONCURRENCY}: ${r.msgPerSec.toFixed(0)} msg/s, indexed +${r.indexedAfterMs.toFixed(0)} ms; list p50 ${r.listP50Ms.toFixed(1)} ms, token search p50 ${r.tokenSearchP50Ms.toFixed(1)} ms, shared-word search p50 ${r.sharedSearchP50Ms.toFixed(1)} ms`;
}

export function postgresTargets(r: PostgresBenchResult): Target[] {
  const sqlite = r.rows.find((x) => x.store === 'SQLite Store');
  const pg = r.rows.find((x) => x.store === 'PgStore, server on the same core');
  const own = r.rows.find((x) => x.store === 'PgStore, server on its own core');
  if (!sqlite || !pg) return [];
  const ratio = pg.msgPerSec / sqlite.msgPerSec;
  return [
    {
      name: 'PostgreSQL store ingest vs SQLite (5 KB, c=4, in-process, one core for both)',
      detail: `${pg.msgPerSec.toFixed(0)} vs ${sqlite.msgPerSec.toFixed(0)} msg/s = ${(ratio * 100).toFixed(0)} % (target >= 50 %)`,
      pass: ratio >= 0.5,
    },
    ...(own
      ? [
          {
            name: 'PostgreSQL store ingest, server on its own core, vs SQLite (information)',
            detail: `${own.msgPerSec.toFixed(0)} vs ${sqlite.msgPerSec.toFixed(0)} msg/s = ${((own.msgPerSec / sqlite.msgPerSec) * 100).toFixed(0)} %`,
            pass: null,
          },
        ]
      : []),
    {
      name: `PostgreSQL list and search p50 at ${pg.messages} messages`,
      detail: `list ${pg.listP50Ms.toFixed(1)} ms, token ${pg.tokenSearchP50Ms.toFixed(1)} ms, shared word ${pg.sharedSearchP50Ms.toFixed(1)} ms (target < 50 ms)`,
      pass: Math.max(pg.listP50Ms, pg.tokenSearchP50Ms, pg.sharedSearchP50Ms) < 50,
    },
  ];
}
