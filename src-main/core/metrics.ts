// Live figures since start-up: counters fed by the capture server's session hooks, per-minute buckets for a
// rate, and the fault rules' hit counts. In memory only, O(1) per event. Must not import electron or bindings.
import type { LiveFigures, MetricsBucket } from '../../src-shared/index.js';
import type { SessionObserver, SessionRecord } from '../capture/index.js';

/** Minutes of history for the rate: the dashboard's sparkline shows the last quarter hour. */
export const METRICS_MINUTES = 15;
const MINUTE_MS = 60_000;
/**
 * Distinct reply codes counted. Codes come from fault rules and policy, so a handful in practice; the cap
 * only keeps a pathological configuration from growing the map and the /metrics output without end.
 */
const MAX_REPLY_CODES = 100;

type Counts = Omit<MetricsBucket, 'minute'>;
const zero = (): Counts => ({ sessions: 0, accepted: 0, rejected: 0, authFailures: 0, bytes: 0 });

export class LiveMetrics implements SessionObserver {
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #hits: () => Record<string, number>;
  readonly #totals: Counts = zero();
  readonly #rejectedByCode = new Map<string, number>();
  #active = 0;
  /** Ring of the last METRICS_MINUTES minutes, indexed by minute number modulo the length. */
  readonly #ring: { minute: number; counts: Counts }[] = [];

  constructor(hits: () => Record<string, number> = () => ({}), now: () => number = Date.now) {
    this.#hits = hits;
    this.#now = now;
    this.#startedAt = now();
  }

  readonly opened = (): void => {
    this.#active++;
    this.#bump('sessions', 1);
  };

  readonly rejected = (code: number): void => {
    const key = String(code);
    if (this.#rejectedByCode.has(key) || this.#rejectedByCode.size < MAX_REPLY_CODES) {
      this.#rejectedByCode.set(key, (this.#rejectedByCode.get(key) ?? 0) + 1);
    }
    this.#bump('rejected', 1);
  };

  readonly authFailed = (): void => this.#bump('authFailures', 1);

  readonly accepted = (bytes: number): void => {
    this.#bump('accepted', 1);
    this.#bump('bytes', bytes);
  };

  readonly ended = (_record: SessionRecord): void => {
    this.#active = Math.max(0, this.#active - 1);
  };

  figures(): LiveFigures {
    const t = this.#totals;
    const current = Math.floor(this.#now() / MINUTE_MS);
    const perMinute: MetricsBucket[] = [];
    for (let m = current - METRICS_MINUTES + 1; m <= current; m++) {
      const slot = this.#ring[m % METRICS_MINUTES];
      perMinute.push({
        minute: new Date(m * MINUTE_MS).toISOString(),
        ...(slot && slot.minute === m ? slot.counts : zero()),
      });
    }
    return {
      startedAt: new Date(this.#startedAt).toISOString(),
      sessions: t.sessions,
      messagesAccepted: t.accepted,
      rejectedByCode: Object.fromEntries(this.#rejectedByCode),
      authFailures: t.authFailures,
      bytesReceived: t.bytes,
      activeConnections: this.#active,
      faultRuleHits: this.#hits(),
      perMinute,
    };
  }

  #bump(key: keyof Counts, n: number): void {
    this.#totals[key] += n;
    const minute = Math.floor(this.#now() / MINUTE_MS);
    const i = minute % METRICS_MINUTES;
    let slot = this.#ring[i];
    if (!slot || slot.minute !== minute) this.#ring[i] = slot = { minute, counts: zero() };
    slot.counts[key] += n;
  }
}
