// The stores the contract suite runs against, behind one factory: the embedded SQLite Store (through
// SqliteMessageStore) and PgStore on a private PostgreSQL cluster (skipped, with how to get it, when absent).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RetentionSettings } from '../../../../src-shared/index.js';
import { Store, SqliteMessageStore, type MessageStore, type StoreEvent } from '../../../../src-main/store/index.js';
import { PgStore } from '../../../../src-main/store/postgres/index.js';
import { postgresMissing, startPostgres, type PgCluster } from '../../../helpers/postgres.js';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

export interface OpenOptions {
  retention?: RetentionSettings;
}

export interface OpenedStore {
  store: MessageStore;
  events: StoreEvent[];
  problems: string[];
  /** Closes and opens the same data again (the same folder or database). */
  reopen(): Promise<MessageStore>;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  kind: StoreKind;
  /** Why this kind cannot run here, or null. */
  skip: string | null;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(options?: OpenOptions): Promise<OpenedStore>;
  /** The PostgreSQL cluster (postgres kind only, after setup). */
  cluster?: PgCluster;
}

export function storeFactory(kind: StoreKind): StoreFactory {
  const f: StoreFactory = {
    kind,
    skip: kind === 'postgres' ? postgresMissing : null,
    async setup() {
      if (kind === 'postgres') f.cluster = await startPostgres();
    },
    async teardown() {
      f.cluster?.destroy();
    },
    async open(options: OpenOptions = {}) {
      const events: StoreEvent[] = [];
      const problems: string[] = [];
      const common = { onEvent: (e: StoreEvent) => events.push(e), onProblem: (t: string) => problems.push(t) };
      let open: (first: boolean) => Promise<MessageStore>;
      let remove: () => void;
      if (kind === 'sqlite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-contract-'));
        open = async (first) =>
          new SqliteMessageStore(Store.open({ dataDir: dir, ...common, ...(first ? options : {}) }));
        remove = () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const url = await f.cluster!.createDatabase();
        open = (first) => PgStore.open({ url, ...common, ...(first ? options : {}) });
        remove = () => {};
      }
      const opened: OpenedStore = {
        store: await open(true),
        events,
        problems,
        async reopen() {
          await opened.store.close();
          opened.store = await open(false);
          return opened.store;
        },
        async cleanup() {
          await opened.store.close();
          remove();
        },
      };
      return opened;
    },
  };
  return f;
}

/** The suite name: the kind, and why it is skipped when it is. */
export function suiteName(f: StoreFactory, what: string): string {
  return f.skip ? `${f.kind} ${what} (${f.skip})` : `${f.kind} ${what}`;
}
