// The Tools page: the domain check (SPF, DMARC, DKIM key and MX of a domain, linted), the blocklist lookup of an
// IP or a domain, and address verification (with an optional SMTP probe). Address: `#/tools`.
import type { AddressReport, BlocklistReport, DomainReport } from '../../../../src-shared/contract/index.js';
import { api, errorText } from '../../lib/api.js';
import type { PageState } from '../../lib/page.js';

export function acceptsToolsPath(path: readonly string[]): boolean {
  return path.length === 0;
}

/** One tool's latest answer, whether it is running, and its error; an answer to an older question is dropped. */
export class ToolRun<T> {
  #value = $state<T | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #generation = 0;

  get value(): T | null {
    return this.#value;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }

  fail(message: string): void {
    this.#error = message;
  }

  async run(ask: () => Promise<T>): Promise<void> {
    const generation = ++this.#generation;
    this.#loading = true;
    this.#error = null;
    try {
      const value = await ask();
      if (generation === this.#generation) this.#value = value;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    } finally {
      if (generation === this.#generation) this.#loading = false;
    }
  }
}

export class ToolsPage implements PageState {
  readonly blocklist = new ToolRun<BlocklistReport>();
  readonly address = new ToolRun<AddressReport>();

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

  lookUpBlocklists(target: string): Promise<void> {
    const t = target.trim();
    if (!t) {
      this.blocklist.fail('Give an IP address or a domain, like 192.0.2.1 or example.com.');
      return Promise.resolve();
    }
    return this.blocklist.run(() => api.checks.blocklistLookup(t));
  }

  /** `server` (`host:port`, optional) is probed instead of the domain's MX hosts on port 25. */
  verifyAddress(address: string, probe: boolean, server = ''): Promise<void> {
    const a = address.trim();
    if (!a) {
      this.address.fail('Give an address, like someone@example.com.');
      return Promise.resolve();
    }
    const target = server.trim();
    let where: { host: string; port: number } | null = null;
    if (probe && target) {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
      const port = Number(m?.[2]);
      if (!m?.[1] || !(port >= 1 && port <= 65535)) {
        this.address.fail('Give the probe server as host:port, like 127.0.0.1:2525.');
        return Promise.resolve();
      }
      where = { host: m[1], port };
    }
    return this.address.run(() => api.checks.address(probe ? { address: a, probe: where ?? true } : { address: a }));
  }
}
