// Shared by the session tests: a Core on port 0 in a temp folder, and a bounded wait for recorded sessions
// that wakes on the 'sessions.added' push instead of sleeping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionDetail, SessionPage } from '../../src-shared/index.js';
import type { CallArgs } from '../../src-shared/index.js';
import { Core, type CoreOptions } from '../../src-main/core/core.js';

export interface SessionHarness {
  core: Core;
  dir: string;
  port(id: string): number;
  list(args?: CallArgs<'sessions.list'>): Promise<SessionPage>;
  get(id: number): Promise<SessionDetail>;
  /** Resolves with the first page that satisfies `ok`; fails after `timeoutMs` (a ceiling, not a delay). */
  waitFor(
    ok: (page: SessionPage) => boolean,
    args?: CallArgs<'sessions.list'>,
    timeoutMs?: number,
  ): Promise<SessionPage>;
  close(): Promise<void>;
}

export async function startCore(options: Omit<CoreOptions, 'dataDir'>): Promise<SessionHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-sessions-'));
  const core = await Core.start({ ...options, dataDir: dir });
  const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  const h: SessionHarness = {
    core,
    dir,
    port(id) {
      const l = core.status().listeners.find((s) => s.id === id);
      if (!l || l.state !== 'listening') throw new Error(`${id} not listening: ${JSON.stringify(l)}`);
      return l.port;
    },
    list: async (args = {}) => unwrap(await core.invoke('sessions.list', args)),
    get: async (id) => unwrap(await core.invoke('sessions.get', { id })),
    async waitFor(ok, args = {}, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const page = await h.list(args);
        if (ok(page)) return page;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`sessions never matched; last page: ${JSON.stringify(page).slice(0, 2000)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(finish, left);
          const off = core.events.on('sessions.added', finish);
          function finish(): void {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      }
    },
    async close() {
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
