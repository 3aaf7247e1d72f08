// The webhooks page: the `webhooks` settings section (URL, events, secret, payload format) edited one webhook at a
// time, and each webhook's delivery log with every attempt. Address: `#/webhooks`. The log follows the
// `webhooks.delivery` push (re-fetched, coalesced). Secrets never reach the page: a stored one shows as stored and
// is kept unless the user types a new one or removes it.
import type { WebhookDelivery } from '../../../../src-shared/contract/webhooks.js';
import { api, errorText, onEvent } from '../../lib/api.js';
import { ApiCallError } from '../../lib/api-error.js';
import { Coalescer } from '../../lib/coalesce.js';
import type { PageState } from '../../lib/page.js';

export const EVENTS = ['message.received', 'message.deleted'] as const;
export const FORMATS = ['mailwright', 'mailpit'] as const;
type Event = (typeof EVENTS)[number];
type Format = (typeof FORMATS)[number];

/** One webhook as settings.get shows it: the secret only as `{ stored: true }`. */
export interface WebhookView {
  id: string;
  enabled: boolean;
  url: string;
  events: Event[];
  format: Format;
  secret?: string | { stored: true };
}

/** The form: `secret` is a new value typed, `keepSecret` keeps the stored one when none is typed. */
export interface WebhookForm {
  /** The id being edited, or null for a new webhook. */
  editing: string | null;
  id: string;
  enabled: boolean;
  url: string;
  events: Event[];
  format: Format;
  secret: string;
  hasStoredSecret: boolean;
  keepSecret: boolean;
}

/** Deliveries shown per webhook: the newest; the REST route pages further. */
const LOG_PAGE = 20;
const REFRESH_MS = 200;

export function acceptsWebhooksPath(path: readonly string[]): boolean {
  return path.length === 0;
}

function blankForm(): WebhookForm {
  return {
    editing: null,
    id: '',
    enabled: true,
    url: 'http://127.0.0.1:3000/hooks/mail',
    events: ['message.received'],
    format: 'mailwright',
    secret: '',
    hasStoredSecret: false,
    keepSecret: false,
  };
}

export class WebhooksPage implements PageState {
  #hooks = $state<WebhookView[]>([]);
  #deliveries = $state<Record<string, { items: WebhookDelivery[]; total: number }>>({});
  #form = $state<WebhookForm | null>(null);
  #error = $state<string | null>(null);
  #field = $state<string | null>(null);
  #loaded = $state(false);
  #saving = $state(false);

  get hooks(): WebhookView[] {
    return this.#hooks;
  }
  get form(): WebhookForm | null {
    return this.#form;
  }
  get error(): string | null {
    return this.#error;
  }
  /** The settings field the last error named (`webhooks.0.url`), to mark the input. */
  get field(): string | null {
    return this.#field;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get saving(): boolean {
    return this.#saving;
  }
  deliveries(id: string): { items: WebhookDelivery[]; total: number } {
    return this.#deliveries[id] ?? { items: [], total: 0 };
  }

  get path(): string[] {
    return [];
  }
  show(): void {}

  readonly #coalescer = new Coalescer(() => this.refreshLog(), REFRESH_MS);

  start(): () => void {
    const stops = [
      onEvent('webhooks.delivery', () => this.#coalescer.request()),
      onEvent('settings.changed', () => void this.refresh()),
    ];
    void this.refresh();
    return () => stops.forEach((stop) => stop());
  }

  async refresh(): Promise<void> {
    try {
      const settings = await api.settings.get();
      this.#hooks = settings.webhooks;
      this.#loaded = true;
    } catch (err) {
      this.#error = errorText(err);
    }
    await this.refreshLog();
  }

  async refreshLog(): Promise<void> {
    const next: Record<string, { items: WebhookDelivery[]; total: number }> = {};
    try {
      for (const hook of this.#hooks) {
        const page = await api.webhooks.deliveries({ webhookId: hook.id, limit: LOG_PAGE });
        next[hook.id] = { items: page.deliveries, total: page.total };
      }
      this.#deliveries = next;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  add(): void {
    this.#form = blankForm();
    this.#clearError();
  }

  edit(id: string): void {
    const hook = this.#hooks.find((h) => h.id === id);
    if (!hook) return;
    const stored = typeof hook.secret === 'object';
    this.#form = {
      editing: hook.id,
      id: hook.id,
      enabled: hook.enabled,
      url: hook.url,
      events: [...hook.events],
      format: hook.format,
      secret: '',
      hasStoredSecret: stored,
      keepSecret: stored,
    };
    this.#clearError();
  }

  cancel(): void {
    this.#form = null;
    this.#clearError();
  }

  /** Saves the form into the section (replacing the webhook it edits); the server names a bad field. */
  async save(): Promise<boolean> {
    const form = this.#form;
    if (!form) return false;
    const id = form.editing ?? (form.id.trim() || this.#freshId());
    const secret = form.secret !== '' ? form.secret : form.keepSecret ? ({ stored: true } as const) : undefined;
    const edited = {
      id,
      enabled: form.enabled,
      url: form.url.trim(),
      events: [...form.events],
      format: form.format,
      ...(secret !== undefined ? { secret } : {}),
    };
    if (form.editing === null && this.#hooks.some((h) => h.id === id)) {
      this.#error = `a webhook with id ${id} already exists`;
      this.#field = 'id';
      return false;
    }
    // Sent back as settings.get gave them, the other webhooks keep their stored secrets (`{ stored: true }`).
    const list =
      form.editing === null ? [...this.#hooks, edited] : this.#hooks.map((h) => (h.id === form.editing ? edited : h));
    return this.#update(list, () => (this.#form = null));
  }

  async remove(id: string): Promise<boolean> {
    return this.#update(
      this.#hooks.filter((h) => h.id !== id),
      () => {
        if (this.#form?.editing === id) this.#form = null;
      },
    );
  }

  async #update(list: WebhookView[], done: () => void): Promise<boolean> {
    this.#saving = true;
    this.#clearError();
    try {
      const settings = await api.settings.update({ webhooks: list });
      this.#hooks = settings.webhooks;
      done();
      await this.refreshLog();
      return true;
    } catch (err) {
      this.#error = errorText(err);
      this.#field = err instanceof ApiCallError ? (err.field ?? null) : null;
      return false;
    } finally {
      this.#saving = false;
    }
  }

  #freshId(): string {
    for (let n = this.#hooks.length + 1; ; n++) if (!this.#hooks.some((h) => h.id === `hook-${n}`)) return `hook-${n}`;
  }

  #clearError(): void {
    this.#error = null;
    this.#field = null;
  }
}
