// Import of .eml and mbox files: split, then each message through the normal ingest path.
import type { Envelope, ImportResult, MessageId } from '../../src-shared/index.js';
import { MailwrightError } from '../../src-shared/index.js';
import { isMessage, NOT_A_MESSAGE, splitImport } from './mbox.js';

/** Messages per import step: the import waits for each step's commit, so SMTP keeps being served. */
const IMPORT_STEP = 256;

export async function importFile(
  data: Buffer,
  filename: string,
  ingest: (raw: Buffer, envelope: Envelope) => Promise<{ id: MessageId }>,
): Promise<ImportResult> {
  const parts = splitImport(data, filename);
  const result: ImportResult = { imported: 0, ids: [], failed: [] };
  for (let start = 0; start < parts.length; start += IMPORT_STEP) {
    const step = parts.slice(start, start + IMPORT_STEP);
    const settled = await Promise.allSettled(
      step.map((p) => (isMessage(p.raw) ? ingest(p.raw, importEnvelope(p.mailFrom)) : Promise.reject(new Error(NOT_A_MESSAGE)))),
    );
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') result.ids.push(s.value.id);
      else result.failed.push({ index: start + k, error: s.reason instanceof Error ? s.reason.message : String(s.reason) });
    });
  }
  result.imported = result.ids.length;
  if (result.imported === 0 && result.failed.every((f) => f.error === NOT_A_MESSAGE)) {
    throw new MailwrightError('invalid_argument', `${filename}: no message in this file could be read (${NOT_A_MESSAGE})`, 'data');
  }
  return result;
}

function importEnvelope(mailFrom: string): Envelope {
  return { listener: 'import', mailFrom, rcptTo: [], heloName: '', clientAddress: '', clientPort: 0, tls: null, authUser: null };
}
