// Compat list figures at scale: the Mailpit (`GET /api/v1/messages`) and MailHog (`GET /api/v2/messages`) first
// pages over the same store as the inbox figures, so they can be held to the native list's budget.
import { fillInbox, timed, type TimedFigure } from './inbox.js';
import { startServer } from './servers.js';

/** Both APIs' default first page. */
const PAGE_SIZE = 50;

export interface CompatResult {
  messages: number;
  mailpitList: TimedFigure;
  mailhogList: TimedFigure;
}

async function listCount(base: string, path: string, field: 'messages' | 'items'): Promise<number> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status}`);
  const body = (await res.json()) as Record<string, unknown[]>;
  return body[field]?.length ?? 0;
}

export async function runCompat(total: number, samples: number, log: (l: string) => void): Promise<CompatResult> {
  const server = await startServer('mailwright');
  try {
    const base = server.http;
    if (!base) throw new Error('Mailwright gave no HTTP address');
    await fillInbox(base, total, log);
    const page = (path: string, field: 'messages' | 'items') => async (): Promise<void> => {
      const got = await listCount(base, path, field);
      if (got !== PAGE_SIZE) throw new Error(`${path} listed ${got} messages, not ${PAGE_SIZE}`);
    };
    const mailpitList = await timed(samples, page(`/api/v1/messages?limit=${PAGE_SIZE}`, 'messages'));
    const mailhogList = await timed(samples, page(`/api/v2/messages?limit=${PAGE_SIZE}`, 'items'));
    return { messages: total, mailpitList, mailhogList };
  } finally {
    await server.stop();
  }
}
