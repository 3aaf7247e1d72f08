// Connecting to PostgreSQL: the URL read and checked, errors that name host and port (never the password), the
// pool with numeric bigint/numeric parsing, and which errors mean "the database is gone" (retry later).
import pg from 'pg';
import { MailwrightError } from '../../../src-shared/index.js';
import { numberPlaceholders, type SqlClient, type SqlValue } from '../message-store.js';

export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * Reads a `postgres://USER:PASSWORD@HOST:PORT/DB` URL; throws 'invalid_argument' naming what is wrong. The
 * password is never part of a message.
 */
export function parseStoreUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MailwrightError('invalid_argument', 'store URL is not a URL (postgres://USER@HOST:PORT/DB)', 'store');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new MailwrightError(
      'invalid_argument',
      `store URL must start with postgres:// (got ${u.protocol}//)`,
      'store',
    );
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!u.hostname) throw new MailwrightError('invalid_argument', 'store URL names no host', 'store');
  if (!database) throw new MailwrightError('invalid_argument', 'store URL names no database (…/DB)', 'store');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 5432,
    database,
    user: decodeURIComponent(u.username) || process.env.PGUSER || 'postgres',
  };
}

export function describeTarget(t: PgTarget): string {
  return `PostgreSQL at ${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** Socket errors and SQLSTATEs that say the server or the connection went away, not that the statement was wrong. */
const GONE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '53300', // too_many_connections
]);

export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (GONE_CODES.has(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection error and is not queryable|Client was closed|timeout exceeded when trying to connect/i.test(
    message,
  );
}

/** Node's TLS verification failures (self-signed, unknown issuer, expired, wrong host name). */
const TLS_CODES =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|GET_ISSUER_CERT_LOCALLY|VERIFY_LEAF_SIGNATURE)|CERT_(HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED)|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** An error met while connecting or querying, as the user should read it: what failed, where, never the password. */
export function explainPgError(err: unknown, t: PgTarget): MailwrightError {
  if (err instanceof MailwrightError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const where = describeTarget(t);
  const reason = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (code === '28P01') {
    return new MailwrightError(
      'unavailable',
      `[store] ${where} refused the password of user "${t.user}" (wrong password)`,
    );
  }
  if (code === '28000') {
    return new MailwrightError('unavailable', `[store] ${where} does not let user "${t.user}" in: ${reason}`);
  }
  if (code === '3D000') {
    return new MailwrightError('unavailable', `[store] ${where} has no database "${t.database}"; create it first`);
  }
  if (/does not support SSL/i.test(reason)) {
    return new MailwrightError(
      'unavailable',
      `[store] ${where} does not offer TLS, but the URL asks for it (sslmode); turn ssl on there or drop sslmode`,
    );
  }
  if (TLS_CODES.test(code)) {
    return new MailwrightError('unavailable', `[store] ${where}: TLS certificate not trusted (${code}): ${reason}`);
  }
  if (isConnectionLoss(err)) {
    return new MailwrightError('unavailable', `[store] cannot reach ${where}: ${reason}`);
  }
  return new MailwrightError('unavailable', `[store] ${where} failed: ${reason}`);
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** bigint ids and counts as JS numbers (ids stay far below 2^53), as better-sqlite3 gives them. */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown => {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export function clientConfig(url: string, extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return {
    connectionString: url,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    application_name: 'mailwright',
    ...extra,
  };
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** SqlClient over a pool (or, inside a transaction, one pooled connection). `?` placeholders become $n. */
export class PgClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly #q: Queryable;
  readonly #pool: pg.Pool | null;
  readonly #explain: (err: unknown) => Error;

  constructor(q: Queryable, pool: pg.Pool | null, explain: (err: unknown) => Error) {
    this.#q = q;
    this.#pool = pool;
    this.#explain = explain;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.#query(sql, params)).rows as T[];
  }
  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.#query(sql, params)).rows[0] as T | undefined;
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await this.#query(sql, params)).rowCount ?? 0 };
  }
  async exec(sql: string): Promise<void> {
    try {
      await this.#q.query(sql);
    } catch (err) {
      throw this.#explain(err);
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (!this.#pool) throw new MailwrightError('internal', 'transactions do not nest');
    let conn: pg.PoolClient;
    try {
      conn = await this.#pool.connect();
    } catch (err) {
      throw this.#explain(err);
    }
    let broken: unknown;
    // A checked-out connection that dies emits 'error' besides failing its query; without a listener that is an
    // uncaught exception. The failing query already reports it.
    const onError = (err: Error): void => void (broken = err);
    conn.on('error', onError);
    try {
      await conn.query('BEGIN');
      const result = await fn(new PgClient(conn, null, this.#explain));
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await conn.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw isConnectionLoss(err) ? this.#explain(err) : err;
    } finally {
      conn.off('error', onError);
      conn.release(broken instanceof Error ? broken : undefined);
    }
  }

  async #query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    try {
      return await this.#q.query(numberPlaceholders(sql), params as unknown[]);
    } catch (err) {
      throw isConnectionLoss(err) ? this.#explain(err) : err;
    }
  }
}
