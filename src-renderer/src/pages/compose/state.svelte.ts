// The compose page: the message fields, the profile to send through, the send result (with transcript), a
// reply-code lookup, and releasing a captured message. Addresses: `#/compose`, `#/compose/from/<message id>`
// (edit a captured message as new), `#/compose/release/<message id>` (send it again through a profile).
import type { ProfileView, SendReport } from '../../../../src-shared/contract/index.js';
import { explainReply, type ReplyExplanation } from '../../../../src-shared/reply-codes.js';
import { ApiCallError, api, errorText, onEvent } from '../../lib/api.js';
import { parseId, type PageState } from '../../lib/page.js';

export function parseComposePath(
  path: readonly string[],
): { mode: 'new' | 'from' | 'release'; id: number | null } | null {
  if (path.length === 0) return { mode: 'new', id: null };
  if (path.length === 2 && (path[0] === 'from' || path[0] === 'release')) {
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

export class ComposePage implements PageState {
  #mode = $state<'new' | 'from' | 'release'>('new');
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

  get path(): string[] {
    return this.#mode === 'new' || this.#sourceId === null ? [] : [this.#mode, String(this.#sourceId)];
  }
  get mode(): 'new' | 'from' | 'release' {
    return this.#mode;
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
    if (parsed.mode === 'from' && parsed.id !== null) void this.#loadFrom(parsed.id);
  }

  start(): () => void {
    void this.loadProfiles();
    return onEvent('compose.profiles.changed', () => void this.loadProfiles());
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

  async #send(confirm: boolean): Promise<SendReport> {
    const headers = parseHeaderLines(this.headers);
    const envelopeTo = splitAddresses(this.envelopeTo);
    return api.compose.send({
      profile: this.profileId,
      message: {
        ...(this.from.trim() ? { from: this.from.trim() } : {}),
        to: splitAddresses(this.to),
        cc: splitAddresses(this.cc),
        bcc: splitAddresses(this.bcc),
        ...(this.replyTo.trim() ? { replyTo: this.replyTo.trim() } : {}),
        subject: this.subject,
        ...(this.text ? { text: this.text } : {}),
        ...(this.html ? { html: this.html } : {}),
        headers,
        ...(this.priority ? { priority: this.priority } : {}),
        ...(this.listUnsubscribe.trim() ? { listUnsubscribe: this.listUnsubscribe.trim() } : {}),
        ...(this.listUnsubscribePost ? { listUnsubscribePost: true } : {}),
        attachments: this.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: a.content,
          ...(a.cid ? { cid: a.cid } : {}),
        })),
      },
      ...(this.envelopeFrom.trim() || envelopeTo.length
        ? {
            envelope: {
              ...(this.envelopeFrom.trim() ? { from: this.envelopeFrom.trim() } : {}),
              ...(envelopeTo.length ? { to: envelopeTo } : {}),
            },
          }
        : {}),
      ...(confirm ? { confirm: true } : {}),
    });
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
      const m = await api.messages.get(id);
      const list = (a: { name: string; address: string }[]) =>
        a.map((x) => (x.name ? `"${x.name.replace(/"/g, '')}" <${x.address}>` : x.address)).join(', ');
      this.from = m.from ? list([m.from]) : '';
      this.to = list(m.to);
      this.cc = list(m.cc);
      this.subject = m.subject;
      this.text = m.text ?? '';
    } catch (err) {
      this.#error = `The message could not be opened: ${errorText(err)}`;
    }
  }
}
