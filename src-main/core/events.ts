// A typed event bus for the contract's push events.
import type { EventName, Events } from '../../src-shared/index.js';

export type EventHandler<K extends EventName> = (data: Events[K]) => void;
export type AnyEventHandler = <K extends EventName>(event: K, data: Events[K]) => void;

export class EventBus {
  readonly #listeners = new Map<EventName, Set<EventHandler<EventName>>>();
  readonly #any = new Set<AnyEventHandler>();

  on<K extends EventName>(event: K, listener: EventHandler<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as EventHandler<EventName>);
    return () => set.delete(listener as EventHandler<EventName>);
  }

  /** Every event, for bindings that forward all of them (IPC, WebSocket). */
  onAny(listener: AnyEventHandler): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  /** Whether anyone would receive this event, so an expensive payload can be skipped. */
  hasListeners(event: EventName): boolean {
    return this.#any.size > 0 || (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends EventName>(event: K, data: Events[K]): void {
    for (const l of this.#listeners.get(event) ?? []) safeCall(() => l(data));
    for (const l of this.#any) safeCall(() => l(event, data));
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    // A broken subscriber must not stop delivery to the others, nor the ingest path that emitted.
    console.error('[events] listener failed:', err);
  }
}
