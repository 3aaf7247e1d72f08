// Imports of .eml and mbox files as streams: one at a time, committed as they are read, with progress events.
// Must not import electron or any binding.
import type { ImportResult } from '../../src-shared/index.js';
import type { EventBus } from '../core/events.js';
import type { ImportCounts, ImportSource, MessageStore } from '../store/index.js';

/** import.progress this often while an import reads: a progress bar moves smoothly, and the socket is not flooded. */
const PROGRESS_INTERVAL_MS = 250;

export class Importer {
  readonly #store: MessageStore;
  readonly #events: EventBus;
  readonly #maxMessageBytes: () => number;
  #importCount = 0;

  constructor(store: MessageStore, events: EventBus, maxMessageBytes: () => number) {
    this.#store = store;
    this.#events = events;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /**
   * Imports one .eml or mbox file from a byte stream (an HTTP body, a file on disk): the import path of every
   * binding. Messages are committed as they are read, so memory does not grow with the file. Imports run one at a
   * time (a second waits its turn); `import.progress` is pushed while one reads and when it ends.
   */
  async importStream(
    source: ImportSource,
    file: { filename: string; totalBytes?: number | null },
  ): Promise<ImportResult> {
    const importId = ++this.#importCount;
    const progress = (counts: ImportCounts, done: boolean): void =>
      this.#events.emit('import.progress', {
        importId,
        filename: file.filename,
        totalBytes: file.totalBytes ?? null,
        ...counts,
        done,
      });
    let latest: ImportCounts | null = null;
    // On a clock rather than per chunk: an import shorter than one interval shows no progress at all (no flicker),
    // and one whose upload stalls still says where it stands.
    const ticker = setInterval(() => {
      if (latest) progress(latest, false);
    }, PROGRESS_INTERVAL_MS);
    try {
      const result = await this.#store.import(source, {
        filename: file.filename,
        maxMessageBytes: this.#maxMessageBytes(),
        onProgress: (counts) => (latest = counts),
      });
      progress({ bytesRead: result.bytesRead, imported: result.imported, failed: result.failedCount }, true);
      return result;
    } catch (err) {
      progress(latest ?? { bytesRead: 0, imported: 0, failed: 0 }, true);
      throw err;
    } finally {
      clearInterval(ticker);
    }
  }
}
