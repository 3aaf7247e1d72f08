// The Tools page's reply-code lookup: a reply (`550 5.1.1 …`), a basic code or an enhanced code explained by the
// core's one explainer (compose.replyCode, also GET /api/tools/reply-code).
import type { ReplyExplanation } from '../../../../src-shared/reply-codes.js';
import { api, errorText } from '../../lib/api.js';

export class ReplyCodeLookup {
  code = $state('');
  enhanced = $state('');
  #result = $state<ReplyExplanation | null>(null);
  #error = $state<string | null>(null);
  /** Answers to an older question are dropped. */
  #generation = 0;

  get result(): ReplyExplanation | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }

  async explain(): Promise<void> {
    const code = this.code.trim();
    const enhanced = this.enhanced.trim();
    const generation = ++this.#generation;
    if (!code && !enhanced) {
      this.#result = null;
      this.#error = 'Give a reply or code, like 550 5.1.1 or 4.7.1.';
      return;
    }
    try {
      const result = await api.compose.replyCode(code, enhanced || undefined);
      if (generation !== this.#generation) return;
      this.#result = result;
      this.#error = null;
    } catch (err) {
      if (generation === this.#generation) this.#error = errorText(err);
    }
  }
}
