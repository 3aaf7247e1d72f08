// Shared set-up for the store tests: a real SQLite store in a temp dir, and the shared corpus.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store, type StoreEvent, type StoreOptions } from '../../../src-main/store/index.js';

export { CORPUS_DIR as CORPUS, corpusFiles } from '../../helpers/corpus.js';
export const FIXTURES = path.resolve(new URL('../../fixtures/store', import.meta.url).pathname);

export { testEnvelope as envelope } from '../../helpers/envelope.js';

export function message(
  opts: { from?: string; to?: string; subject?: string; body?: string; headers?: string[] } = {},
): Buffer {
  const lines = [
    `From: ${opts.from ?? 'Alice <alice@example.test>'}`,
    `To: ${opts.to ?? 'Bob <bob@example.test>'}`,
    `Subject: ${opts.subject ?? 'hello'}`,
    'Date: Mon, 02 Nov 2026 10:00:00 +0000',
    ...(opts.headers ?? []),
    '',
    opts.body ?? 'body text',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

export interface Harness {
  dir: string;
  store: Store;
  events: StoreEvent[];
  reopen(options?: Partial<StoreOptions>): Promise<Store>;
  cleanup(): Promise<void>;
}

export function openTemp(options: Partial<StoreOptions> = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-store-'));
  const events: StoreEvent[] = [];
  const open = (o: Partial<StoreOptions>): Store => Store.open({ dataDir: dir, onEvent: (e) => events.push(e), ...o });
  const h: Harness = {
    dir,
    events,
    store: open(options),
    async reopen(o = {}) {
      await h.store.close();
      h.store = open({ ...options, ...o });
      return h.store;
    },
    async cleanup() {
      await h.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
