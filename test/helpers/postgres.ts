// A private PostgreSQL cluster for tests: initdb in a temp folder, a free loopback port, password auth over TCP,
// one database per test file, and everything stopped and removed at the end. Works as root (the server runs as
// the `postgres` user through runuser, since initdb refuses root) and as a normal user. Without PostgreSQL
// installed, `postgresMissing` says why and how to get it, and the suites that need it are skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The superuser of a test cluster; its password is random per cluster. */
export const PG_USER = 'mailwright';
/** Ceiling for initdb and for the server to accept connections (pg_ctl -t), in seconds. */
const START_TIMEOUT_S = 60;
/** Ports tried before giving up: a free port can be taken by someone else between the probe and the bind. */
const PORT_ATTEMPTS = 5;

/** The folder of initdb/pg_ctl/postgres: the newest /usr/lib/postgresql/N/bin, or pg_config --bindir. */
function findBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  try {
    const versions = fs
      .readdirSync(base)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(base, v, 'bin');
      if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
    }
  } catch {
    // Not Debian's layout: try PATH below.
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && fs.existsSync(path.join(dir, 'initdb')) ? dir : null;
}

const BIN_DIR = findBinDir();
const IS_ROOT = process.getuid?.() === 0;

/** Why PostgreSQL suites cannot run here, or null when they can. */
export const postgresMissing: string | null = BIN_DIR
  ? IS_ROOT && spawnSync('id', ['-u', 'postgres']).status !== 0
    ? 'PostgreSQL tests skipped: running as root needs the `postgres` user (apt-get install postgresql creates it)'
    : null
  : 'PostgreSQL tests skipped: PostgreSQL is not installed (Debian/Ubuntu: apt-get install postgresql)';

export interface PgCluster {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A connection URL for `database` (default: the maintenance database `postgres`). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut, as when a database host goes away). */
  stop(): void;
  /** Starts it again on the same port and data; returns once it accepts connections. */
  start(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool as the user that may own the cluster (postgres when we are root). */
function runPg(tool: string, args: string[], cpus?: string, timeoutMs = START_TIMEOUT_S * 1000 + 5000): void {
  const bin = path.join(BIN_DIR!, tool);
  let [cmd, argv] = IS_ROOT ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  // The server inherits the CPUs pg_ctl runs on (the benchmark gives it its own core).
  if (cpus) [cmd, argv] = ['taskset', ['-c', cpus, cmd, ...argv]];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) {
    throw new Error(`${tool} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  }
}

/** Creates a fresh, empty database on the server `maintenanceUrl` points at; its URL. */
export async function createDatabaseAt(
  maintenanceUrl: string,
  name = `t_${process.pid}_${crypto.randomBytes(6).toString('hex')}`,
): Promise<string> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const u = new URL(maintenanceUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/**
 * The cluster of the `serve-postgres` test project (its global setup sets it). Global setup runs in the main vitest
 * process, so every project's workers inherit it: only workers that also have SERVE_STORE_SELECT = postgres (the
 * project's own `env`, or the Playwright fixture) use it, each serve process in a fresh database of its own.
 */
export const SERVE_STORE_ENV = 'MW_TEST_POSTGRES_URL';
export const SERVE_STORE_SELECT = 'MW_TEST_STORE';

/** The cluster this worker's serve processes keep their mail in, or undefined for SQLite. */
export function serveStoreCluster(): string | undefined {
  return process.env[SERVE_STORE_SELECT] === 'postgres' ? process.env[SERVE_STORE_ENV] || undefined : undefined;
}

/**
 * Starts a private cluster (on the CPUs `cpus` lists, as taskset reads them, when given). Call destroy() in afterAll.
 * `durable` keeps PostgreSQL's own fsync and full-page writes on (a production server; the benchmark), where tests
 * turn them off.
 */
export async function startPostgres(options: { cpus?: string; durable?: boolean } = {}): Promise<PgCluster> {
  if (postgresMissing) throw new Error(postgresMissing);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-pg-'));
  const data = path.join(dir, 'data');
  const password = crypto.randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (IS_ROOT) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(pwfile, uid, gid);
  }
  let port = 0;
  const startServer = (): void =>
    runPg(
      'pg_ctl',
      [
        '-D',
        data,
        '-l',
        path.join(dir, 'log'),
        '-w',
        '-t',
        String(START_TIMEOUT_S),
        '-o',
        // The socket lives in the private folder (never /var/run/postgresql); TCP on loopback only; fsync off
        // because a test cluster's data dies with it anyway (unless `durable` asks for a production server).
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${options.durable ? '' : ' -c fsync=off -c full_page_writes=off'} -c max_connections=100`,
        'start',
      ],
      options.cpus,
    );
  try {
    runPg('initdb', [
      '-D',
      data,
      '-U',
      PG_USER,
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      port = await freePort();
      try {
        startServer();
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (lastError) throw lastError;
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let running = true;
  let counter = 0;
  const url = (database = 'postgres'): string =>
    `postgres://${PG_USER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return {
    host: '127.0.0.1',
    port,
    user: PG_USER,
    password,
    url,
    createDatabase(name?: string) {
      return createDatabaseAt(url(), name ?? `t_${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`);
    },
    stop() {
      if (!running) return;
      runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', String(START_TIMEOUT_S), 'stop']);
      running = false;
    },
    start() {
      if (running) return;
      startServer();
      running = true;
    },
    destroy() {
      try {
        if (running) runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', String(START_TIMEOUT_S), 'stop']);
      } finally {
        running = false;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
