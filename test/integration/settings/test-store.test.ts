// settings.testStore against a real private PostgreSQL cluster: each outcome the Settings → Storage page shows
// (reachable with no, the current, an older or a newer Mailwright schema; wrong password; no such database; TLS
// refused; nothing listening; a server that never answers), worded as the store words them at start-up, and the
// password never in the answer. One cluster for the file, a fresh database per case.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore, probeStore } from '../../../src-main/store/postgres/index.js';
import { PG_MIGRATIONS } from '../../../src-main/store/postgres/schema.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';
import { LOOPBACK_PORT_0, startServe } from '../../helpers/serve-process.js';
import { startCore, type SessionHarness } from '../../helpers/session-core.js';

const EXPECTED = PG_MIGRATIONS.at(-1)!.version;

/** The cluster's URL for `database` without the password (which then goes in its own field). */
function bareUrl(c: PgCluster, database: string): string {
  const u = new URL(c.url(database));
  u.password = '';
  return u.href;
}

async function setSchemaVersion(url: string, version: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE mailwright_schema (singleton boolean PRIMARY KEY, version integer NOT NULL)');
    await client.query('INSERT INTO mailwright_schema VALUES (true, $1)', [version]);
  } finally {
    await client.end();
  }
}

describe.skipIf(postgresMissing)('settings.testStore on a real PostgreSQL', () => {
  let cluster: PgCluster;
  let h: SessionHarness;

  beforeAll(async () => {
    cluster = await startPostgres();
    h = await startCore({ listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }] });
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    cluster?.destroy();
  });

  it('reaches an empty database and says it holds no Mailwright schema yet', async () => {
    const url = await cluster.createDatabase();
    const r = await probeStore({ url });
    expect(r).toMatchObject({
      location: `PostgreSQL at 127.0.0.1:${cluster.port}`,
      user: cluster.user,
      reachable: true,
      problem: null,
      usable: true,
      schema: { state: 'none', found: 0, expected: EXPECTED },
    });
    expect(r.serverVersion).toMatch(/^\d+\.\d+/);
    expect(JSON.stringify(r)).not.toContain(cluster.password);
  });

  it('takes the password from its own field, through Core.invoke too', async () => {
    const url = await cluster.createDatabase();
    const database = new URL(url).pathname.slice(1);
    const r = await h.core.invoke('settings.testStore', {
      url: bareUrl(cluster, database),
      password: cluster.password,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ reachable: true, database, schema: { state: 'none' } });
    expect(JSON.stringify(r.value)).not.toContain(cluster.password);
  });

  it('finds the current schema in a database a store has opened', async () => {
    const url = await cluster.createDatabase();
    const store = await PgStore.open({ url });
    await store.close();
    const r = await probeStore({ url });
    expect(r.schema).toEqual({ state: 'current', found: EXPECTED, expected: EXPECTED });
    expect(r.usable).toBe(true);
  });

  it('says an older schema will be migrated and refuses a newer one', async () => {
    const older = await cluster.createDatabase();
    await setSchemaVersion(older, EXPECTED - 1);
    const a = await probeStore({ url: older });
    expect(a.schema).toEqual({ state: 'older', found: EXPECTED - 1, expected: EXPECTED });
    expect(a.usable).toBe(true);

    const newer = await cluster.createDatabase();
    await setSchemaVersion(newer, EXPECTED + 1);
    const b = await probeStore({ url: newer });
    expect(b.schema).toEqual({ state: 'newer', found: EXPECTED + 1, expected: EXPECTED });
    expect(b.usable).toBe(false);
    expect(b.problem).toContain(`schema version ${EXPECTED + 1}, newer than this Mailwright knows (${EXPECTED})`);
  });

  it('names a wrong password as such and never shows it', async () => {
    const wrong = 'not-the-password-Zq9';
    const r = await probeStore({ url: bareUrl(cluster, 'postgres'), password: wrong });
    expect(r).toMatchObject({ reachable: false, usable: false, schema: null, serverVersion: null });
    expect(r.problem).toContain(`refused the password of user "${cluster.user}" (wrong password)`);
    expect(JSON.stringify(r)).not.toContain(wrong);
    expect(JSON.stringify(r)).not.toContain(cluster.password);
  });

  it('names a database that does not exist', async () => {
    const r = await probeStore({ url: cluster.url('no_such_db') });
    expect(r.reachable).toBe(false);
    expect(r.problem).toContain(`has no database "no_such_db"`);
  });

  it('reports a TLS problem: the server does not offer TLS but the URL requires it', async () => {
    const r = await probeStore({ url: `${cluster.url('postgres')}?sslmode=require` });
    expect(r.reachable).toBe(false);
    expect(r.problem).toBe(
      `[store] PostgreSQL at 127.0.0.1:${cluster.port} does not offer TLS, but the URL asks for it (sslmode); turn ssl on there or drop sslmode`,
    );
  });

  it('reports a TLS problem: the server offers a certificate nobody trusts', async () => {
    // A self-signed certificate made with openssl, readable by the server's user, and ssl turned on by reload.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-pg-tls-'));
    const [crt, key] = [path.join(dir, 'server.crt'), path.join(dir, 'server.key')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-keyout',
        key,
        '-out',
        crt,
      ]),
      { stdio: 'ignore' },
    );
    fs.chmodSync(key, 0o600);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      for (const f of [dir, crt, key]) fs.chownSync(f, uid, -1);
    }
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    const setSsl = async (on: boolean): Promise<void> => {
      if (on) {
        await admin.query(`ALTER SYSTEM SET ssl_cert_file = ${pg.escapeLiteral(crt)}`);
        await admin.query(`ALTER SYSTEM SET ssl_key_file = ${pg.escapeLiteral(key)}`);
        await admin.query('ALTER SYSTEM SET ssl = on');
      } else {
        await admin.query('ALTER SYSTEM RESET ALL');
      }
      await admin.query('SELECT pg_reload_conf()');
    };
    try {
      await setSsl(true);
      // pg_reload_conf only signals the server: wait (bounded) until a new connection sees ssl on.
      const deadline = Date.now() + 10_000;
      for (let i = 0; i < 200; i++) {
        const c = new pg.Client({ connectionString: cluster.url('postgres') });
        await c.connect();
        const on = (await c.query<{ ssl: string }>('SHOW ssl')).rows[0]?.ssl === 'on';
        await c.end();
        if (on) break;
        if (Date.now() > deadline) throw new Error('ssl did not turn on after pg_reload_conf');
      }
      const r = await probeStore({ url: `${cluster.url('postgres')}?sslmode=require` });
      expect(r.reachable).toBe(false);
      expect(r.problem).toContain(`PostgreSQL at 127.0.0.1:${cluster.port}: TLS certificate not trusted`);
      expect(r.problem).not.toContain(cluster.password);
    } finally {
      await setSsl(false);
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says it cannot reach a port nobody listens on', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const r = await probeStore({ url: `postgres://someone:secret-pw@127.0.0.1:${closed}/db` });
    expect(r.reachable).toBe(false);
    expect(r.problem).toContain(`cannot reach PostgreSQL at 127.0.0.1:${closed}`);
    expect(r.problem).not.toContain('secret-pw');
  });

  it('gives up on a server that accepts and never answers, within the connect timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const r = await probeStore({ url: `postgres://u@127.0.0.1:${port}/db`, timeoutMs: 300 });
      expect(r.reachable).toBe(false);
      expect(r.problem).toMatch(/timeout/i);
      expect(r.elapsedMs).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('refuses a URL that is not a PostgreSQL one, naming the field', async () => {
    await expect(probeStore({ url: 'mysql://h/db' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'url' });
    const r = await h.core.invoke('settings.testStore', { url: 'not a url' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'invalid_argument', field: 'url' });
  });

  it('answers on POST /api/settings/store/test of a real serve, and a bad URL is a 400 naming url', async () => {
    const serve = await startServe(LOOPBACK_PORT_0, {}, { freshDataDir: true });
    try {
      const url = await cluster.createDatabase();
      const database = new URL(url).pathname.slice(1);
      const post = (body: unknown) =>
        fetch(`${serve.http}/api/settings/store/test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post({ url: bareUrl(cluster, database), password: cluster.password });
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(JSON.parse(text)).toMatchObject({ reachable: true, database, schema: { state: 'none' } });
      expect(text).not.toContain(cluster.password);
      const bad = await post({ url: 'http://example.test/db' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'invalid_argument', field: 'url' } });
    } finally {
      await serve.stop();
    }
  }, 60_000);
});
