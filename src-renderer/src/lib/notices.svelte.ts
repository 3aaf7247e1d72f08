// Banners the user must see and dismiss: retention prunes (nothing disappears silently) and failed actions; and
// one banner per running import that follows its progress and goes away when it ends.
import type { Events } from '../../../src-shared/contract/index.js';
import { api, errorText, onEvent } from './api.js';
import { formatBytes } from './format.js';

export interface Notice {
  id: number;
  kind: 'info' | 'warning' | 'error';
  text: string;
}

/** More banners than this is noise; the oldest go first. */
const MAX_NOTICES = 5;

export class Notices {
  #items = $state<Notice[]>([]);
  #nextId = 1;
  /** Prunes accumulate into one banner until it is dismissed. */
  #prune: { id: number; count: number } | null = null;
  /** The banner of each running import, by importId. */
  #imports = new Map<number, number>();

  get items(): Notice[] {
    return this.#items;
  }

  start(): () => void {
    const offs = [
      onEvent('messages.pruned', (d) => void this.#pruned(d)),
      onEvent('import.progress', (d) => this.#importing(d)),
    ];
    return () => offs.forEach((off) => off());
  }

  push(kind: Notice['kind'], text: string): number {
    const id = this.#nextId++;
    this.#items = [...this.#items, { id, kind, text }].slice(-MAX_NOTICES);
    return id;
  }

  error(action: string, err: unknown): void {
    this.push('error', `${action} failed: ${errorText(err)}`);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((n) => n.id !== id);
    if (this.#prune?.id === id) this.#prune = null;
  }

  /** Whoever started it (this window, another tab, a script) sees it run; the result is the starter's to show. */
  #importing(p: Events['import.progress']): void {
    const id = this.#imports.get(p.importId);
    if (p.done) {
      if (id !== undefined) this.dismiss(id);
      this.#imports.delete(p.importId);
      return;
    }
    const share = p.totalBytes
      ? `${Math.min(100, Math.floor((p.bytesRead / p.totalBytes) * 100))}%`
      : formatBytes(p.bytesRead);
    const text = `Importing ${p.filename}: ${share}, ${p.imported.toLocaleString()} message${p.imported === 1 ? '' : 's'} so far…`;
    if (id !== undefined && this.#items.some((n) => n.id === id)) {
      this.#items = this.#items.map((n) => (n.id === id ? { ...n, text } : n));
    } else if (id === undefined) {
      this.#imports.set(p.importId, this.push('info', text));
    }
  }

  async #pruned(data: Events['messages.pruned']): Promise<void> {
    let limit = data.reason === 'maxMessages' ? 'message count' : 'total size';
    try {
      const { retention } = await api.settings.get();
      limit =
        data.reason === 'maxMessages'
          ? `${retention.maxMessages.toLocaleString()} messages`
          : formatBytes(retention.maxBytes);
    } catch {
      // The banner still says what happened; only the limit's value is missing.
    }
    const live = this.#prune && this.#items.some((n) => n.id === this.#prune?.id) ? this.#prune : null;
    const count = (live?.count ?? 0) + data.ids.length;
    const text = `Retention removed ${count.toLocaleString()} old message${count === 1 ? '' : 's'} (limit: ${limit}).`;
    if (live) {
      this.#items = this.#items.map((n) => (n.id === live.id ? { ...n, text } : n));
      this.#prune = { id: live.id, count };
    } else {
      this.#prune = { id: this.push('warning', text), count };
    }
  }
}
