// The commands that talk to a running instance: wait, list, ingest, export.
import fs from 'node:fs';
import path from 'node:path';
import type { MessagePage, MessageSummary } from '../../src-shared/index.js';
import { CliError, EXIT, call, failure, type Connection } from './client.js';

/** Messages read per page while listing or exporting. */
const PAGE = 1000;
/** Files that `ingest DIR` sends: mail files by their usual extensions. */
const MAIL_FILE = /\.(eml|mbox|mbx|msg|txt)$/i;

export async function waitCommand(
  c: Connection,
  o: { query?: string | undefined; after?: string | undefined; timeout?: string | undefined },
  out: (text: string) => void,
): Promise<void> {
  const params = new URLSearchParams();
  if (o.query) params.set('query', o.query);
  if (o.after) params.set('after', o.after);
  params.set('timeout', o.timeout ?? '30s');
  const answer = await call(c, `/api/wait?${params.toString()}`);
  if (answer.status !== 200) throw failure(answer, 'wait');
  out(`${JSON.stringify(answer.json<MessageSummary>(), null, 2)}\n`);
}

async function* pages(c: Connection, query: string | undefined, max: number): AsyncGenerator<MessageSummary[]> {
  let offset = 0;
  while (offset < max) {
    const params = new URLSearchParams({ limit: String(Math.min(PAGE, max - offset)), offset: String(offset) });
    if (query) params.set('query', query);
    const answer = await call(c, `/api/messages?${params.toString()}`);
    if (answer.status !== 200) throw failure(answer, 'list');
    const page = answer.json<MessagePage>();
    if (page.messages.length === 0) return;
    yield page.messages;
    offset += page.messages.length;
    if (offset >= page.total) return;
  }
}

export async function listCommand(
  c: Connection,
  o: { query?: string | undefined; limit: number; json: boolean },
  out: (text: string) => void,
): Promise<void> {
  const all: MessageSummary[] = [];
  for await (const page of pages(c, o.query, o.limit)) all.push(...page);
  if (o.json) out(`${JSON.stringify(all, null, 2)}\n`);
  else
    for (const m of all)
      out(`${m.id}\t${m.receivedAt}\t${m.from?.address ?? ''}\t${m.subject.replace(/[\r\n\t]+/g, ' ')}\n`);
  if (all.length === 0) throw new CliError('no message matches', EXIT.notFound);
}

/** The mail files `ingest` reads: the one file given, or every mail file under the folder given. */
function mailFiles(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new CliError(`${target}: no such file or folder`, EXIT.badInput);
  }
  const files = stat.isDirectory()
    ? fs
        .readdirSync(target, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && MAIL_FILE.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .sort()
    : [target];
  if (files.length === 0) throw new CliError(`${target}: no .eml or mbox files in it`, EXIT.badInput);
  return files;
}

/** What one file's import gave: its counts, or why it failed as a whole. */
export type FileImport = { imported: number; failedCount: number } | { error: string };

/** Imports each file with `one` and prints the totals; nothing imported at all is an error. */
async function ingestFiles(
  files: string[],
  one: (file: string) => Promise<FileImport>,
  out: (text: string) => void,
): Promise<void> {
  let imported = 0;
  let failed = 0;
  for (const file of files) {
    const result = await one(file);
    if ('error' in result) {
      failed++;
      out(`${file}: ${result.error}\n`);
      continue;
    }
    imported += result.imported;
    failed += result.failedCount;
  }
  out(`imported ${imported} message(s) from ${files.length} file(s)${failed ? `, ${failed} failed` : ''}\n`);
  if (imported === 0) throw new CliError('nothing was imported', EXIT.badInput);
}

/** `ingest FILE|DIR --data-dir PATH`: straight into a data folder through `openFolder`, which refuses a held one. */
export async function ingestIntoFolder(
  target: string,
  openFolder: () => Promise<{ importFile(file: string): Promise<FileImport>; close(): Promise<void> }>,
  out: (text: string) => void,
): Promise<void> {
  const files = mailFiles(target);
  const folder = await openFolder();
  try {
    await ingestFiles(files, (file) => folder.importFile(file), out);
  } finally {
    await folder.close();
  }
}

export async function ingestCommand(c: Connection, target: string, out: (text: string) => void): Promise<void> {
  const files = mailFiles(target);
  await ingestFiles(
    files,
    async (file) => {
      const answer = await call(c, `/api/messages/import?filename=${encodeURIComponent(path.basename(file))}`, {
        method: 'POST',
        body: fs.readFileSync(file),
        contentType: 'application/octet-stream',
      });
      if (answer.status !== 200) return { error: failure(answer, 'import').message };
      return answer.json<{ imported: number; failedCount: number }>();
    },
    out,
  );
}

export async function exportCommand(
  c: Connection,
  o: { query?: string | undefined; format: 'mbox' | 'eml-dir'; out?: string | undefined; limit: number },
  write: (chunk: Buffer | string) => void,
): Promise<number> {
  if (o.format === 'eml-dir' && !o.out) throw new CliError('--format eml-dir needs --out FOLDER', EXIT.badInput);
  if (o.format === 'eml-dir') fs.mkdirSync(o.out!, { recursive: true });
  const file = o.format === 'mbox' && o.out ? fs.openSync(o.out, 'w') : null;
  let count = 0;
  try {
    for await (const page of pages(c, o.query, o.limit))
      for (const m of page) {
        const answer = await call(c, `/api/messages/${m.id}/raw`);
        if (answer.status === 404) continue; // deleted while exporting
        if (answer.status !== 200) throw failure(answer, `message ${m.id}`);
        if (o.format === 'eml-dir') fs.writeFileSync(path.join(o.out!, `${m.id}.eml`), answer.body);
        else {
          const chunk = mboxEntry(m, answer.body);
          if (file !== null) fs.writeSync(file, chunk);
          else write(chunk);
        }
        count++;
      }
  } finally {
    if (file !== null) fs.closeSync(file);
  }
  if (count === 0) throw new CliError('no message matches', EXIT.notFound);
  return count;
}

/** One mboxrd entry: a From_ line, the message with `>*From ` lines quoted once more, a blank line. */
export function mboxEntry(m: Pick<MessageSummary, 'receivedAt' | 'from'>, raw: Buffer): Buffer {
  const sender = (m.from?.address || 'MAILER-DAEMON').replace(/\s/g, '') || 'MAILER-DAEMON';
  const when = new Date(m.receivedAt);
  const asctime = Number.isFinite(when.getTime())
    ? when.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 $4')
    : 'Thu Jan  1 00:00:00 1970';
  // latin1 maps each byte to one character and back, so the message's bytes (and line endings) are kept.
  const text = raw.toString('latin1');
  const quoted = text.replace(/^(>*From )/gm, '>$1');
  return Buffer.from(`From ${sender} ${asctime}\n${quoted}${quoted.endsWith('\n') ? '' : '\n'}\n`, 'latin1');
}
