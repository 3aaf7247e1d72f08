// `serve --store postgres://…`: how a shared-database instance starts, and how it refuses to when the database is
// not there or will not have it. Real PostgreSQL (a private cluster); skipped with the reason where it is missing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../../helpers/serve-process.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Start-up with an unreachable database gives up within the connection timeout; this bounds the wait. */
const EXIT_TIMEOUT_MS = 30_000;

interface Exit {
  code: number | null;
  output: string;
}

/** Runs serve until it exits by itself (bounded); its whole output. */
function runServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-team-start-'));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'src-main/serve/cli.ts'),
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--data',
      dataDir,
      ...args,
    ],
    { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('serve --store: start-up faults', () => {
  it('an unreachable database: exit 1, naming host and port, never the password', async () => {
    const port = await closedPort();
    const res = await runServe(['--store', `postgres://mw:s3cret-pw@127.0.0.1:${port}/mail`]);
    expect(res.code, res.output).toBe(1);
    expect(res.output).toContain(`127.0.0.1:${port}`);
    expect(res.output).not.toContain('s3cret-pw');
    expect(res.output).not.toContain('MAILWRIGHT_READY');
  });

  it('MAILWRIGHT_STORE works like --store, and a URL that is not postgres:// is a usage error (exit 2)', async () => {
    const port = await closedPort();
    const fromEnv = await runServe([], { MAILWRIGHT_STORE: `postgres://mw@127.0.0.1:${port}/mail` });
    expect(fromEnv.code, fromEnv.output).toBe(1);
    expect(fromEnv.output).toContain(`127.0.0.1:${port}`);
    const wrong = await runServe(['--store', 'mysql://mw@127.0.0.1/mail']);
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.output).toMatch(/postgres:\/\//);
  });

  it('a config file may name the store as store: {url}', async () => {
    const port = await closedPort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-team-cfg-'));
    const file = path.join(dir, 'mailwright.yaml');
    fs.writeFileSync(file, `store:\n  url: postgres://mw@127.0.0.1:${port}/mail\n`);
    try {
      const res = await runServe(['--config', file]);
      expect(res.code, res.output).toBe(1);
      expect(res.output).toContain(`127.0.0.1:${port}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(postgresMissing !== null)('serve --store: the database refuses', () => {
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(() => pg?.destroy());

  it('a wrong password is named as such, and not printed', async () => {
    const url = pg.url('postgres').replace(`:${pg.password}@`, ':not-the-password@');
    const res = await runServe(['--store', url]);
    expect(res.code, res.output).toBe(1);
    expect(res.output).toMatch(/wrong password/);
    expect(res.output).not.toContain('not-the-password');
    expect(res.output).not.toContain(pg.password);
  });

  it('a database that does not exist is named', async () => {
    const res = await runServe(['--store', pg.url('no_such_db')]);
    expect(res.code, res.output).toBe(1);
    expect(res.output).toContain('no_such_db');
    expect(res.output).not.toContain(pg.password);
  });
});
