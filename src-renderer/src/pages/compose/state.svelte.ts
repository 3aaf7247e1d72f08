// The compose page: the message fields, the profile to send through, the send result (with transcript), a
// reply-code lookup, saved drafts, and releasing a captured message. Addresses: `#/compose`,
// `#/compose/from/<message id>` (edit a captured message as new: its HTML, text, attachments and headers),
// `#/compose/draft/<draft id>` (a saved draft), `#/compose/release/<message id>` (send it again through a profile).
import type {
  ComposedMessage,
  Draft,
  DraftInput,
  DraftSummary,
  ProfileView,
  SendReport,
} from '../../../../src-shared/contract/index.js';
import { explainReply, type ReplyExplanation } from '../../../../src-shared/reply-codes.js';
import { ApiCallError, api, errorText, onEvent } from '../../lib/api.js';
import { parseId, type PageState } from '../../lib/page.js';

export type ComposeMode = 'new' | 'from' | 'draft' | 'release';

export function parseComposePath(path: readonly string[]): { mode: ComposeMode; id: number | null } | null {
  if (path.length === 0) return { mode: 'new', id: null };
  if (path.length === 2 && (path[0] === 'from' || path[0] === 'release' || path[0] === 'draft')) {
    const id = parseId(path[1]);
    return id === null ? null : { mode: path[0], id };
  }
  return null;
}

export interface AttachmentDraft {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
  size: number;
  cid: string;
}

/** Splits an address field on commas and semicolons that are outside quotes and angle brackets. */
export function splitAddresses(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if ((ch === ',' || ch === ';') && !quoted && angle === 0) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** `Name: value` lines into custom headers; a line without a colon is an error naming its line. */
export function parseHeaderLines(text: string): { name: string; value: string }[] {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), i }))
    .filter(({ line }) => line !== '')
    .map(({ line, i }) => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`Custom headers, line ${i + 1}: write "Name: value"`);
      return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
    });
}

/** The live preview's document: the draft HTML under a CSP that lets nothing load or run (the frame also has no allow-scripts). */
export function previewDocument(html: string): string {
  const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:";
  return `<!doctype html><meta http-equiv="Content-Security-Policy" content="${csp}">${html}`;
}

/** How a header list shows in the custom headers box: one `Name: value` a line. */
export function headerLines(headers: readonly { name: string; value: string }[]): string {
  return headers.map((h) => `${h.name}: ${h.value}`).join('\n');
}

/** base64 length to bytes, for the attachment list. */
function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - pad);
}

export class ComposePage implements PageState {
  #mode = $state<ComposeMode>('new');
  #sourceId = $state<number | null>(null);
  #profiles = $state<ProfileView[]>([]);
  profileId = $state('');
  from = $state('');
  to = $state('');
  cc = $state('');
  bcc = $state('');
  replyTo = $state('');
  subject = $state('');
  text = $state('');
  html = $state('');
  headers = $state('');
  priority = $state<'' | 'high' | 'normal' | 'low'>('');
  listUnsubscribe = $state('');
  listUnsubscribePost = $state(false);
  envelopeFrom = $state('');
  envelopeTo = $state('');
  newMessageId = $state(true);
  attachments = $state<AttachmentDraft[]>([]);
  #sending = $state(false);
  #result = $state<SendReport | null>(null);
  #error = $state<string | null>(null);
  /** Set when the core asks for confirmation (a host that is not this machine): the text names the recipients. */
  #confirm = $state<string | null>(null);
  lookup = $state('');
  #drafts = $state<DraftSummary[]>([]);
  #notice = $state<string | null>(null);
  #savingDraft = $state(false);

  get path(): string[] {
    return this.#mode === 'new' || this.#sourceId === null ? [] : [this.#mode, String(this.#sourceId)];
  }
  get mode(): ComposeMode {
    return this.#mode;
  }
  get drafts(): DraftSummary[] {
    return this.#drafts;
  }
  /** A passing note (a draft saved), in a status line. */
  get notice(): string | null {
    return this.#notice;
  }
  get savingDraft(): boolean {
    return this.#savingDraft;
  }
  get sourceId(): number | null {
    return this.#sourceId;
  }
  get profiles(): ProfileView[] {
    return this.#profiles;
  }
  get sending(): boolean {
    return this.#sending;
  }
  get result(): SendReport | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }
  get confirmText(): string | null {
    return this.#confirm;
  }
  get explanation(): ReplyExplanation | null {
    return this.lookup.trim() ? explainReply(this.lookup) : null;
  }
  get preview(): string {
    return previewDocument(this.html);
  }

  show(path: readonly string[]): void {
    const parsed = parseComposePath(path);
    if (!parsed) return;
    this.#mode = parsed.mode;
    this.#sourceId = parsed.id;
    this.#result = null;
    this.#error = null;
    this.#confirm = null;
    this.#notice = null;
    if (parsed.mode === 'from' && parsed.id !== null) void this.#loadFrom(parsed.id);
    if (parsed.mode === 'draft' && parsed.id !== null) void this.#loadDraft(parsed.id);
  }

  start(): () => void {
    void this.loadProfiles();
    void this.loadDrafts();
    const offProfiles = onEvent('compose.profiles.changed', () => void this.loadProfiles());
    const offDrafts = onEvent('compose.drafts.changed', () => void this.loadDrafts());
    return () => {
      offProfiles();
      offDrafts();
    };
  }

  async loadDrafts(): Promise<void> {
    try {
      this.#drafts = (await api.compose.drafts()).drafts;
    } catch (err) {
      this.#error = `Drafts could not be loaded: ${errorText(err)}`;
    }
  }

  /** Saves the fields as a draft: a new one, or the one this page opened. Attachments are kept with it. */
  async saveDraft(): Promise<number | null> {
    if (this.#savingDraft) return null;
    this.#error = null;
    this.#notice = null;
    this.#savingDraft = true;
    try {
      const draft: DraftInput = {
        ...(this.profileId ? { profile: this.profileId } : {}),
        message: this.#message(),
        ...this.#envelope(),
      };
      const saved =
        this.#mode === 'draft' && this.#sourceId !== null
          ? await api.compose.updateDraft(this.#sourceId, draft)
          : await api.compose.createDraft(draft);
      this.#mode = 'draft';
      this.#sourceId = saved.id;
      this.#notice = `Draft #${saved.id} saved at ${new Date(saved.updated).toLocaleTimeString()}.`;
      await this.loadDrafts();
      return saved.id;
    } catch (err) {
      this.#error = `The draft could not be saved: ${errorText(err)}`;
      return null;
    } finally {
      this.#savingDraft = false;
    }
  }

  async deleteDraft(id: number): Promise<void> {
    try {
      await api.compose.deleteDraft(id);
      if (this.#mode === 'draft' && this.#sourceId === id) {
        this.#mode = 'new';
        this.#sourceId = null;
      }
      await this.loadDrafts();
    } catch (err) {
      this.#error = `The draft could not be deleted: ${errorText(err)}`;
    }
  }

  async loadProfiles(): Promise<void> {
    try {
      this.#profiles = (await api.compose.profiles()).profiles;
      if (!this.#profiles.some((p) => p.id === this.profileId)) this.profileId = this.#profiles[0]?.id ?? '';
    } catch (err) {
      this.#error = `Profiles could not be loaded: ${errorText(err)}`;
    }
  }

  async addFiles(files: FileList | File[], inline = false): Promise<void> {
    for (const file of Array.from(files)) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      this.attachments = [
        ...this.attachments,
        {
          filename: file.name,
          contentType: file.type || 'application/octet-stream',
          content: btoa(binary),
          size: bytes.length,
          cid: inline ? file.name.replace(/[^A-Za-z0-9._-]/g, '_') : '',
        },
      ];
    }
  }

  removeAttachment(index: number): void {
    this.attachments = this.attachments.filter((_, i) => i !== index);
  }

  /** Sends (or releases); `confirmed` answers the core's question about a host that is not this machine. */
  async send(confirmed = false): Promise<void> {
    if (this.#sending) return;
    this.#error = null;
    this.#confirm = null;
    this.#sending = true;
    try {
      this.#result = this.#mode === 'release' ? await this.#release(confirmed) : await this.#send(confirmed);
    } catch (err) {
      if (err instanceof ApiCallError && err.code === 'forbidden' && err.field === 'confirm')
        this.#confirm = err.message;
      else this.#error = errorText(err);
    } finally {
      this.#sending = false;
    }
  }

  cancelConfirm(): void {
    this.#confirm = null;
  }

  #message(): ComposedMessage {
    return {
      ...(this.from.trim() ? { from: this.from.trim() } : {}),
      to: splitAddresses(this.to),
      cc: splitAddresses(this.cc),
      bcc: splitAddresses(this.bcc),
      ...(this.replyTo.trim() ? { replyTo: this.replyTo.trim() } : {}),
      subject: this.subject,
      ...(this.text ? { text: this.text } : {}),
      ...(this.html ? { html: this.html } : {}),
      headers: parseHeaderLines(this.headers),
      ...(this.priority ? { priority: this.priority } : {}),
      ...(this.listUnsubscribe.trim() ? { listUnsubscribe: this.listUnsubscribe.trim() } : {}),
      ...(this.listUnsubscribePost ? { listUnsubscribePost: true } : {}),
      attachments: this.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
        ...(a.cid ? { cid: a.cid } : {}),
      })),
    };
  }

  #envelope(): { envelope?: { from?: string; to?: string[] } } {
    const envelopeTo = splitAddresses(this.envelopeTo);
    if (!this.envelopeFrom.trim() && envelopeTo.length === 0) return {};
    return {
      envelope: {
        ...(this.envelopeFrom.trim() ? { from: this.envelopeFrom.trim() } : {}),
        ...(envelopeTo.length ? { to: envelopeTo } : {}),
      },
    };
  }

  async #send(confirm: boolean): Promise<SendReport> {
    return api.compose.send({
      profile: this.profileId,
      message: this.#message(),
      ...this.#envelope(),
      ...(confirm ? { confirm: true } : {}),
    });
  }

  /** Fills every field from a draft (a saved one, or a captured message read as one). */
  #fill(d: Draft): void {
    const m = d.message;
    if (d.profile && this.#profiles.some((p) => p.id === d.profile)) this.profileId = d.profile;
    this.from = m.from ?? '';
    this.to = m.to.join(', ');
    this.cc = m.cc.join(', ');
    this.bcc = m.bcc.join(', ');
    this.replyTo = m.replyTo ?? '';
    this.subject = m.subject;
    this.text = m.text ?? '';
    this.html = m.html ?? '';
    this.headers = headerLines(m.headers);
    this.priority = m.priority ?? '';
    this.listUnsubscribe = m.listUnsubscribe ?? '';
    this.listUnsubscribePost = m.listUnsubscribePost ?? false;
    this.envelopeFrom = d.envelope?.from ?? '';
    this.envelopeTo = (d.envelope?.to ?? []).join(', ');
    this.attachments = m.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType ?? 'application/octet-stream',
      content: a.content,
      size: base64Bytes(a.content),
      cid: a.cid ?? '',
    }));
  }

  async #loadDraft(id: number): Promise<void> {
    try {
      const saved = await api.compose.draft(id);
      if (this.#mode === 'draft' && this.#sourceId === id) this.#fill(saved.draft);
    } catch (err) {
      this.#error = `The draft could not be opened: ${errorText(err)}`;
    }
  }

  async #release(confirm: boolean): Promise<SendReport> {
    const to = splitAddresses(this.envelopeTo);
    return api.compose.release({
      id: this.#sourceId!,
      profile: this.profileId,
      ...(to.length ? { to } : {}),
      newMessageId: this.newMessageId,
      ...(confirm ? { confirm: true } : {}),
    });
  }

  async #loadFrom(id: number): Promise<void> {
    try {
      const draft = await api.compose.draftFromMessage(id);
      if (this.#mode === 'from' && this.#sourceId === id) this.#fill(draft);
    } catch (err) {
      this.#error = `The message could not be opened: ${errorText(err)}`;
    }
  }
}
