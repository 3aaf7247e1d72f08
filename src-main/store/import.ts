// Import of .eml and mbox files as a byte stream: each message is split off as its bytes arrive and goes through
// the normal ingest path (group commit). Reading waits for the commits, so memory stays at one step of messages
// whatever the size of the file, and imports run one at a time.
import type { Envelope, ImportResult, MessageId } from '../../src-shared/index.js';
import { MAX_IMPORT_RESULT_FAILURES, MAX_IMPORT_RESULT_IDS, MailwrightError } from '../../src-shared/index.js';
import { ImportSplitter, isMessage, NOT_A_MESSAGE, type SplitMessage } from './mbox.js';
import { emptyEnvelope } from './rows.js';

/** Messages per import step: the writer commits 256 at once, and the import waits for each step's commit. */
const IMPORT_STEP_MESSAGES = 256;
/** Bytes per import step: the writer's batch limit too, so one step of large messages is one commit. */
const IMPORT_STEP_BYTES = 64 * 1024 * 1024;
/**
 * A caller's single Buffer is cut into pieces this big before splitting, so the messages found in one piece
 * stay few (the size of a fs read stream's chunk).
 */
const SPLIT_PIECE_BYTES = 64 * 1024;
/**
 * Imports that may wait for the running one. Each waiting HTTP import holds its connection (the body is not read
 * until its turn); past this many the caller gets `unavailable` at once rather than an ever longer line.
 */
export const MAX_WAITING_IMPORTS = 8;

export type ImportSource = AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>;

export interface ImportCounts {
  bytesRead: number;
  imported: number;
  failed: number;
}

export interface ImportOptions {
  filename: string;
  /** A message larger than this is reported (with its offset) and skipped; the rest goes on. */
  maxMessageBytes: number;
  /** Called after each chunk read; the caller decides how often to tell anyone. */
  onProgress?: (counts: ImportCounts) => void;
}

export type Ingest = (raw: Buffer, envelope: Envelope) => Promise<{ id: MessageId }>;

interface Queued {
  message: SplitMessage;
  stored: Promise<{ id: MessageId }>;
}

/** Reads the source to its end and returns what was imported. Throws only when nothing could be imported or the store failed. */
export async function importStream(
  source: ImportSource,
  options: ImportOptions,
  ingest: Ingest,
): Promise<ImportResult> {
  const splitter = new ImportSplitter(options.filename, options.maxMessageBytes);
  const result: ImportResult = { imported: 0, ids: [], failed: [], failedCount: 0, bytesRead: 0 };
  let everyFailureNotAMessage = true;
  let step: Queued[] = [];
  let stepBytes = 0;

  const fail = (message: SplitMessage, error: string): void => {
    if (error !== NOT_A_MESSAGE) everyFailureNotAMessage = false;
    result.failedCount++;
    if (result.failed.length < MAX_IMPORT_RESULT_FAILURES)
      result.failed.push({ index: message.index, offset: message.offset, error });
  };
  /** Waits for the step's commits and counts them; returns the store's error if one failed. */
  const settleStep = async (): Promise<MailwrightError | null> => {
    const settled = await Promise.allSettled(step.map((q) => q.stored));
    let failure: MailwrightError | null = null;
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') {
        result.imported++;
        if (result.ids.length < MAX_IMPORT_RESULT_IDS) result.ids.push(s.value.id);
      } else if (!failure) {
        // The store itself failed (closed, disk full): every later message would fail the same way.
        const why = stopReason(s.reason);
        const at = step[k]!.message;
        failure = new ImportStopped(
          why.code,
          `${options.filename}: import stopped at message ${at.index + 1} (byte ${at.offset}): ${why.reason}`,
        );
      }
    });
    step = [];
    stepBytes = 0;
    return failure;
  };
  const awaitStep = async (): Promise<void> => {
    const failure = await settleStep();
    if (failure) throw failure;
  };
  const take = async (messages: SplitMessage[]): Promise<void> => {
    for (const message of messages) {
      if (message.raw === null) {
        fail(message, `${message.size} bytes is larger than the ${options.maxMessageBytes}-byte message size limit`);
      } else if (!isMessage(message.raw)) {
        fail(message, NOT_A_MESSAGE);
      } else {
        step.push({ message, stored: ingest(message.raw, importEnvelope(message.mailFrom)) });
        stepBytes += message.size;
        if (step.length >= IMPORT_STEP_MESSAGES || stepBytes >= IMPORT_STEP_BYTES) await awaitStep();
      }
    }
  };

  try {
    for await (const chunk of pieces(source)) {
      result.bytesRead += chunk.length;
      await take(splitter.push(chunk));
      options.onProgress?.(counts(result));
    }
    await take(splitter.end());
    await awaitStep();
  } catch (err) {
    // Messages handed to the writer are committed or failed by it either way: wait, and count them.
    await settleStep();
    options.onProgress?.(counts(result));
    // Before anything was read into the store the error is the whole answer (empty file, not mail, too large).
    if (
      err instanceof ImportStopped ||
      (err instanceof MailwrightError && result.imported === 0 && result.failedCount === 0)
    )
      throw err;
    // The source failed (client gone, unreadable file): say how far the import got; what was committed stays.
    const why = stopReason(err);
    throw new ImportStopped(
      why.code,
      `${options.filename}: import stopped after ${result.bytesRead} bytes and ${plural(result.imported, 'message')}: ${why.reason}`,
    );
  }
  if (result.imported === 0 && result.failedCount > 0 && everyFailureNotAMessage) {
    throw new MailwrightError(
      'invalid_argument',
      `${options.filename}: no message in this file could be read (${NOT_A_MESSAGE})`,
      'data',
    );
  }
  return result;
}

/** An import that ended early; its message already says where and why. */
class ImportStopped extends MailwrightError {}

/**
 * Why an import stopped. What stops one is the source (a client gone: "aborted", an unreadable file) or the disk
 * ("database or disk is full"), and that text is the reason the user needs, so it is kept rather than replaced by
 * toApiError's generic text for unexpected errors.
 */
function stopReason(err: unknown): { code: MailwrightError['code']; reason: string } {
  if (err instanceof MailwrightError) return { code: err.code, reason: err.message };
  return { code: 'unavailable', reason: err instanceof Error ? err.message : String(err) };
}

function counts(result: ImportResult): ImportCounts {
  return { bytesRead: result.bytesRead, imported: result.imported, failed: result.failedCount };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Chunks as Buffers, with any large one cut into pieces (a caller may pass a whole file as one Buffer). */
async function* pieces(source: ImportSource): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < buffer.length; at += SPLIT_PIECE_BYTES) yield buffer.subarray(at, at + SPLIT_PIECE_BYTES);
  }
}

function importEnvelope(mailFrom: string): Envelope {
  return { ...emptyEnvelope(), listener: 'import', mailFrom };
}

/** Runs imports one at a time, first come first served, with at most MAX_WAITING_IMPORTS waiting. */
export class ImportQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#waiting >= MAX_WAITING_IMPORTS) {
      return Promise.reject(
        new MailwrightError(
          'unavailable',
          `${MAX_WAITING_IMPORTS} imports are already waiting for the running one; try again when they finish`,
        ),
      );
    }
    this.#waiting++;
    const turn = this.#tail.then(() => {
      this.#waiting--;
      return job();
    });
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}
