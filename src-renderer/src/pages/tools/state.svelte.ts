// The Tools page: the domain check (SPF, DMARC, DKIM key and MX of a domain, linted). Address: `#/tools`.
import type { DomainReport } from '../../../../src-shared/contract/index.js';
import { api, errorText } from '../../lib/api.js';
import type { PageState } from '../../lib/page.js';

export function acceptsToolsPath(path: readonly string[]): boolean {
  return path.length === 0;
}

export class ToolsPage implements PageState {
  #report = $state<DomainReport | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  /** Answers to an older question are dropped. */
  #generation = 0;

  readonly path: readonly string[] = [];

  get report(): DomainReport | null {
    return this.#report;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  show(): void {}

  start(): () => void {
    return () => {};
  }

  async checkDomain(domain: string, selector: string): Promise<void> {
    const d = domain.trim();
    if (!d) {
      this.#error = 'Give a domain, like example.com.';
      return;
    }
    const generation = ++this.#generation;
    this.#loading = true;
    this.#error = null;
    try {
      const report = await api.checks.domain(d, selector.trim() || undefined);
      if (generation === this.#generation) this.#report = report;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }
}
