// The bulk page: a message template (`{{column}}` placeholders), N copies or a CSV, the run's settings, then live
// progress from `compose.bulk.progress` (sent, failed, failures by reply, throughput, p50/p95/p99, elapsed, ETA),
// cancel, and the summary exported as CSV or JSON. Addresses: `#/bulk`, `#/bulk/<run id>`.
import type { BulkProgress, BulkRun, ProfileView } from '../../../../src-shared/contract/index.js';
import { ApiCallError, api, errorText, onEvent, saveExport } from '../../lib/api.js';
import type { PageState } from '../../lib/page.js';
import { splitAddresses } from '../compose/state.svelte.js';

const RUN_ID = /^[a-z0-9-]{1,64}$/;

export function acceptsBulkPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && RUN_ID.test(path[0]!));
}

/** `1.2 s`, `3 min 4 s`: elapsed and remaining times. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export class BulkPage implements PageState {
  #profiles = $state<ProfileView[]>([]);
  profileId = $state('');
  from = $state('');
  to = $state('{{email}}');
  cc = $state('');
  subject = $state('Hello {{name}}');
  text = $state('Hi {{name}},\n\nmessage {{n}}.');
  html = $state('');
  sourceKind = $state<'copies' | 'csv'>('csv');
  count = $state(10);
  csv = $state('email,name\n');
  concurrency = $state(4);
  perSecond = $state(0);
  messagesPerConnection = $state(100);
  attempts = $state(3);
  backoffMs = $state(1000);
  #runs = $state<BulkRun[]>([]);
  #current = $state<BulkRun | null>(null);
  #starting = $state(false);
  #error = $state<string | null>(null);
  #confirm = $state<string | null>(null);

  get path(): string[] {
    return this.#current ? [this.#current.id] : [];
  }
  get profiles(): ProfileView[] {
    return this.#profiles;
  }
  get runs(): BulkRun[] {
    return this.#runs;
  }
  get current(): BulkRun | null {
    return this.#current;
  }
  get starting(): boolean {
    return this.#starting;
  }
  get error(): string | null {
    return this.#error;
  }
  get confirmText(): string | null {
    return this.#confirm;
  }

  show(path: readonly string[]): void {
    const id = path[0];
    if (!id) {
      this.#current = null;
      return;
    }
    if (this.#current?.id !== id) void this.open(id);
  }

  start(): () => void {
    void this.#loadProfiles();
    void this.loadRuns();
    const offProgress = onEvent('compose.bulk.progress', (p) => this.#progress(p));
    const offProfiles = onEvent('compose.profiles.changed', () => void this.#loadProfiles());
    return () => {
      offProgress();
      offProfiles();
    };
  }

  async open(id: string): Promise<void> {
    try {
      this.#current = await api.compose.bulk.get(id);
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  async loadRuns(): Promise<void> {
    try {
      this.#runs = (await api.compose.bulk.list()).runs;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** Reads a chosen CSV file into the text area. */
  async readFile(file: File): Promise<void> {
    this.csv = await file.text();
    this.sourceKind = 'csv';
  }

  async run(confirm = false): Promise<void> {
    this.#starting = true;
    this.#error = null;
    this.#confirm = null;
    try {
      const run = await api.compose.bulk.start({
        profile: this.profileId,
        message: {
          ...(this.from.trim() ? { from: this.from.trim() } : {}),
          to: splitAddresses(this.to),
          cc: splitAddresses(this.cc),
          subject: this.subject,
          ...(this.text ? { text: this.text } : {}),
          ...(this.html ? { html: this.html } : {}),
        },
        source: this.sourceKind === 'copies' ? { kind: 'copies', count: this.count } : { kind: 'csv', csv: this.csv },
        settings: {
          concurrency: this.concurrency,
          perSecond: this.perSecond,
          messagesPerConnection: this.messagesPerConnection,
          attempts: this.attempts,
          backoffMs: this.backoffMs,
        },
        ...(confirm ? { confirm: true } : {}),
      });
      this.#current = run;
      this.#runs = [run, ...this.#runs.filter((r) => r.id !== run.id)];
    } catch (err) {
      if (err instanceof ApiCallError && err.code === 'forbidden' && err.field === 'confirm')
        this.#confirm = err.message;
      else this.#error = errorText(err);
    } finally {
      this.#starting = false;
    }
  }

  async cancel(): Promise<void> {
    const run = this.#current;
    if (!run) return;
    try {
      this.#current = await api.compose.bulk.cancel(run.id);
      void this.loadRuns();
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  async exportRun(format: 'csv' | 'json'): Promise<void> {
    const run = this.#current;
    if (!run) return;
    try {
      await saveExport({ kind: 'bulk', id: run.id, format });
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  #progress(p: BulkProgress): void {
    if (this.#current?.id === p.id) this.#current = { ...this.#current, ...p };
    const i = this.#runs.findIndex((r) => r.id === p.id);
    if (i >= 0) this.#runs[i] = { ...this.#runs[i]!, ...p };
    else void this.loadRuns();
  }

  async #loadProfiles(): Promise<void> {
    try {
      this.#profiles = (await api.compose.profiles()).profiles;
      if (!this.#profiles.some((p) => p.id === this.profileId)) this.profileId = this.#profiles[0]?.id ?? '';
    } catch (err) {
      this.#error = errorText(err);
    }
  }
}
