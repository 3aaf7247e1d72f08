// The mailboxes capability: a mailbox per envelope recipient (plus-addresses folded to their base unless the
// toggle says otherwise), its counts and messages, and fresh disposable addresses.
// Owns the mailboxes_* tables (repository.ts) and the /api/mailboxes routes.
// Must not import electron, bindings, `capture/` or another capability's folder.
import { randomBytes } from 'node:crypto';
import { MAX_PAGE_SIZE, type MessagePage } from '../../src-shared/index.js';
import type { mailboxesVerbs } from '../../src-shared/contract/mailboxes.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { headerSummary, rowEnvelope, rowToSummary } from '../store/rows.js';
import { MAILBOXES_MIGRATIONS, MailboxRepository } from './repository.js';
import { mailboxRoutes } from './routes.js';

const DEFAULT_PAGE = 50;
/** Mailboxes per list page unless asked: a screenful and more; the UI asks for further pages. */
const DEFAULT_LIST_PAGE = 200;
/** 12 base-32 characters: 60 random bits, so two disposable addresses never meet by chance. */
const RANDOM_BYTES = 8;

export function setupMailboxes(deps: CapabilityDeps): Capability<keyof typeof mailboxesVerbs> {
  const repo = new MailboxRepository(deps.sql);
  const fold = (given: boolean | undefined): boolean => given ?? deps.settings.section('mailboxes').foldPlusAddressing;
  const stops: (() => void)[] = [];
  /** Tidying started by delete events: reads wait for it (a deleted message is not listed), failures are reported. */
  const background = new Set<Promise<void>>();

  function inBackground(what: string, work: () => Promise<void>): void {
    const done: Promise<void> = work()
      .catch((err: unknown) => deps.reportProblem(`[mailboxes] ${what}: ${(err as Error).message}`))
      .finally(() => background.delete(done));
    background.add(done);
  }

  /** Brings the tables up to date: the tidying started before the call, then the catch-up with new mail. */
  async function current(): Promise<void> {
    await Promise.all([...background]);
    await repo.sync();
  }
  return {
    name: 'mailboxes',
    migrations: MAILBOXES_MIGRATIONS,
    handlers: {
      'mailboxes.list': async (a) => {
        await current();
        const foldPlus = fold(a.foldPlus);
        return { ...(await repo.list(foldPlus, a.limit ?? DEFAULT_LIST_PAGE, a.offset ?? 0)), foldPlus };
      },
      'mailboxes.messages': async (a): Promise<MessagePage> => {
        await current();
        const limit = Math.min(a.limit ?? DEFAULT_PAGE, MAX_PAGE_SIZE);
        const { rows, total, unread } = await repo.page(a.address, fold(a.foldPlus), limit, a.offset ?? 0);
        const messages = await Promise.all(
          rows.map(async (row) => {
            const summary = rowToSummary(row);
            // Not indexed yet: its header says who it is from and what it is about.
            if (summary.indexed) return summary;
            return headerSummary(summary, await deps.store.raw(row.id), rowEnvelope(row));
          }),
        );
        return { total, unread, messages };
      },
      'mailboxes.newAddress': (a) => {
        const domain = (a.domain ?? deps.settings.section('mailboxes').disposableDomain).toLowerCase();
        return { address: `${base32(randomBytes(RANDOM_BYTES)).slice(0, 12)}@${domain}` };
      },
    },
    routes: mailboxRoutes(),
    start() {
      stops.push(
        deps.events.on('messages.deleted', ({ ids }) =>
          inBackground('forgetting deleted mail', () => repo.forget(ids)),
        ),
        deps.events.on('messages.pruned', ({ ids }) => inBackground('forgetting pruned mail', () => repo.forget(ids))),
        deps.events.on('messages.cleared', () => inBackground('forgetting cleared mail', () => repo.forgetAll())),
      );
    },
    async stop() {
      for (const stop of stops.splice(0)) stop();
      await Promise.all([...background]);
    },
  };
}

function base32(bytes: Buffer): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
