// Global setup of the `serve-postgres` vitest project: one private PostgreSQL cluster for the whole run, whose URL
// the serve suites read (SERVE_STORE_ENV) to start every serve process on a fresh database of it. Without
// PostgreSQL the project's suites still run, on SQLite, and this says why once.
import { postgresMissing, SERVE_STORE_ENV, startPostgres, type PgCluster } from './postgres.js';

let cluster: PgCluster | undefined;

export async function setup(): Promise<void> {
  if (postgresMissing) {
    console.warn(`[serve-postgres] ${postgresMissing}; these suites run on SQLite instead`);
    return;
  }
  cluster = await startPostgres();
  // Test workers are forked after global setup and inherit this.
  process.env[SERVE_STORE_ENV] = cluster.url('postgres');
}

export function teardown(): void {
  cluster?.destroy();
  delete process.env[SERVE_STORE_ENV];
}
