// The templates page: the watched folder (the `templates.folder` setting), its templates with their compile errors,
// and the open template's live preview. Addresses: `#/templates`, `#/templates/<path in the folder>` (one segment,
// its slashes encoded by the router). A save in the folder pushes `templates.changed`; the list and the open
// preview re-fetch (coalesced). The preview is the inbox's designer preview (DesignerPreview.svelte): its view
// (colour form, images) is part of what is fetched, so a save re-renders in the mode the user chose.
import type { TemplateList, TemplateProblem, TemplateRender } from '../../../../src-shared/contract/index.js';
import { api, errorText, onEvent } from '../../lib/api.js';
import { Coalescer } from '../../lib/coalesce.js';
import { Designer } from '../../lib/designer.svelte.js';
import type { PageState } from '../../lib/page.js';

/** Template paths are relative, at most 4096 characters (the contract's limit). */
export function acceptsTemplatesPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && (path[0] ?? '').length > 0 && path[0]!.length <= 4096);
}

/** `welcome.mjml:6:9`: where a problem is, as editors take it. */
export function problemPlace(p: TemplateProblem): string {
  return `${p.file}${p.line !== null ? `:${p.line}${p.column !== null ? `:${p.column}` : ''}` : ''}`;
}

/** A burst of saves becomes one re-fetch of the list; the open preview re-fetches at once. */
const LIST_REFRESH_MS = 100;

export class TemplatesPage implements PageState {
  #list = $state<TemplateList | null>(null);
  #selected = $state<string | null>(null);
  #render = $state<TemplateRender | null>(null);
  #error = $state<string | null>(null);
  #renderError = $state<string | null>(null);
  #busy = $state(false);
  #captured = $state<{ path: string; messageId: number } | null>(null);
  folderDraft = $state('');
  /** The designer preview's view, kept while the user moves between templates. */
  readonly designer = new Designer();
  #renderSeq = 0;

  get list(): TemplateList | null {
    return this.#list;
  }
  get selected(): string | null {
    return this.#selected;
  }
  get render(): TemplateRender | null {
    return this.#render;
  }
  get error(): string | null {
    return this.#error;
  }
  get renderError(): string | null {
    return this.#renderError;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get captured(): { path: string; messageId: number } | null {
    return this.#captured;
  }
  get path(): string[] {
    return this.#selected === null ? [] : [this.#selected];
  }

  show(path: readonly string[]): void {
    const rel = path[0] ?? null;
    if (rel === this.#selected) return;
    this.#selected = rel;
    this.#render = null;
    this.#renderError = null;
    this.#captured = null;
    void this.loadRender();
  }

  readonly #coalescer = new Coalescer(() => this.refresh(), LIST_REFRESH_MS);

  start(): () => void {
    const stop = onEvent('templates.changed', ({ paths }) => {
      this.#coalescer.request();
      // An empty list means the folder itself changed: everything re-renders.
      if (this.#selected !== null && (paths.length === 0 || paths.includes(this.#selected))) void this.loadRender();
    });
    void this.refresh();
    return stop;
  }

  async refresh(): Promise<void> {
    try {
      const list = await api.templates.list();
      if (this.#list === null) this.folderDraft = list.folder ?? '';
      this.#list = list;
      this.#error = null;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  async loadRender(): Promise<void> {
    const rel = this.#selected;
    if (rel === null) return;
    const seq = ++this.#renderSeq;
    try {
      const render = await api.templates.render({ path: rel, ...this.designer.view });
      if (seq !== this.#renderSeq) return;
      this.#render = render;
      this.#renderError = null;
    } catch (err) {
      if (seq !== this.#renderSeq) return;
      this.#render = null;
      this.#renderError = errorText(err);
    }
  }

  /** Saves the folder setting; the core checks it is an absolute, existing folder and starts watching it. */
  async setFolder(): Promise<void> {
    this.#busy = true;
    try {
      await api.settings.update({ templates: { folder: this.folderDraft.trim() } });
      this.#error = null;
      await this.refresh();
    } catch (err) {
      this.#error = errorText(err);
    } finally {
      this.#busy = false;
    }
  }

  /** Puts the open template into the inbox; resolves with the new message's id (null on failure, shown). */
  async capture(): Promise<number | null> {
    const rel = this.#selected;
    if (rel === null) return null;
    this.#busy = true;
    try {
      const { messageId } = await api.templates.capture(rel);
      this.#captured = { path: rel, messageId };
      this.#renderError = null;
      return messageId;
    } catch (err) {
      this.#renderError = errorText(err);
      return null;
    } finally {
      this.#busy = false;
    }
  }
}
