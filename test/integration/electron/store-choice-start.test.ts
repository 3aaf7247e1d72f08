// The desktop app's next start on the store Settings → Storage chose: the saved choice (password sealed) is opened
// as main.ts does and a real Core starts on a real private PostgreSQL cluster with it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../src-main/core/core.js';
import { SecretBox } from '../../../src-main/core/secrets.js';
import { StoreChoice } from '../../../src-main/electron/store-choice.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../helpers/postgres.js';

describe.skipIf(postgresMissing)('desktop store choice at the next start', () => {
  let cluster: PgCluster;
  let dir: string;

  beforeAll(async () => {
    cluster = await startPostgres();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-choice-start-'));
  }, 90_000);
  afterAll(() => {
    cluster?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts the core on the chosen PostgreSQL database with the sealed password', async () => {
    const url = new URL(await cluster.createDatabase());
    url.password = '';
    const key = crypto.randomBytes(32);
    new StoreChoice(dir, new SecretBox(key), {}).set({ url: url.href, password: cluster.password });
    expect(fs.readFileSync(path.join(dir, 'store.json'), 'utf8')).not.toContain(cluster.password);

    const start = new StoreChoice(dir, new SecretBox(key), {}).forStart();
    expect(start.warning).toBeNull();
    const core = await Core.start({
      dataDir: dir,
      secretKey: key,
      store: { url: start.url! },
      listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }],
    });
    try {
      const status = await core.invoke('server.status', {});
      expect(status.ok && status.value.store).toMatchObject({
        kind: 'postgres',
        location: `PostgreSQL at 127.0.0.1:${cluster.port}`,
        available: true,
      });
      expect(JSON.stringify(status)).not.toContain(cluster.password);
    } finally {
      await core.stop();
    }
  });
});
