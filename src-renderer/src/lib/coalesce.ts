// Turns a burst of change pushes into few refetches: at most one run per window, never two at once,
// and a push that lands during a run schedules exactly one more run after it.

export class Coalescer {
  readonly #run: () => Promise<void>;
  readonly #windowMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;
  #dirty = false;

  constructor(run: () => Promise<void>, windowMs: number) {
    this.#run = run;
    this.#windowMs = windowMs;
  }

  request(): void {
    if (this.#running) {
      this.#dirty = true;
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.#fire(), this.#windowMs);
  }

  async #fire(): Promise<void> {
    this.#timer = null;
    this.#running = true;
    try {
      await this.#run();
    } catch (err) {
      console.error('[refresh]', err);
    } finally {
      this.#running = false;
      if (this.#dirty) {
        this.#dirty = false;
        this.request();
      }
    }
  }
}
