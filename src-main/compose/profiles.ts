// SMTP profiles: validated, their secrets (passwords, tokens, client keys, DKIM keys) sealed at rest with the
// SecretBox, bound to `profiles.<id>.<path>`, and shown only as `{ stored: true }`. An edit that sends
// `{ stored: true }` keeps the stored secret.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  MailwrightError,
  PROFILE_SECRET_PATHS,
  STORED,
  isStoredSecret,
  profileConfigSchema,
  type ProfileConfig,
  type ProfileEdit,
  type ProfileView,
} from '../../src-shared/index.js';
import { isSealed, type SecretBox } from '../core/secrets.js';
import { type ProfilesRepo } from './profiles-repo.js';

type Doc = Record<string, unknown>;

export class Profiles {
  readonly #repo: ProfilesRepo;
  readonly #box: SecretBox;

  constructor(repo: ProfilesRepo, box: SecretBox) {
    this.#repo = repo;
    this.#box = box;
  }

  list(): ProfileView[] {
    return this.#repo.all().map((row) => redact(JSON.parse(row.doc) as Doc) as ProfileView);
  }

  get(id: string): ProfileView {
    return redact(this.#doc(id)) as ProfileView;
  }

  /** The profile with its secrets opened, for a connection. Never leaves the core. */
  config(id: string): ProfileConfig {
    const doc = structuredClone(this.#doc(id));
    for (const path of PROFILE_SECRET_PATHS) {
      const value = getPath(doc, path);
      if (isSealed(value)) setPath(doc, path, this.#box.open(value, secretPath(id, path)));
    }
    return profileConfigSchema.parse(doc);
  }

  create(edit: Omit<ProfileEdit, 'id'> & { id?: string | undefined }): ProfileView {
    const id = edit.id ?? this.#freeId(edit.name);
    if (this.#repo.get(id))
      throw new MailwrightError('conflict', `a profile with id "${id}" exists already`, 'profile.id');
    const doc = this.#seal(id, { ...edit, id }, null);
    this.#repo.insert(id, JSON.stringify(doc));
    return redact(doc) as ProfileView;
  }

  update(id: string, edit: ProfileEdit): ProfileView {
    const old = this.#doc(id);
    if (edit.id !== id) throw new MailwrightError('invalid_argument', `profile.id must stay "${id}"`, 'profile.id');
    const doc = this.#seal(id, edit, old);
    this.#repo.update(id, JSON.stringify(doc));
    return redact(doc) as ProfileView;
  }

  delete(id: string): boolean {
    return this.#repo.delete(id);
  }

  /** Profiles from an export file: existing ids are updated (keeping their secrets), new ones created without. */
  import(profiles: ProfileEdit[]): { created: string[]; updated: string[] } {
    return this.#repo.transaction(() => {
      const created: string[] = [];
      const updated: string[] = [];
      for (const p of profiles) {
        if (this.#repo.get(p.id)) {
          this.update(p.id, p);
          updated.push(p.id);
        } else {
          this.create(withoutStoredMarks(p));
          created.push(p.id);
        }
      }
      return { created, updated };
    });
  }

  #doc(id: string): Doc {
    const row = this.#repo.get(id);
    if (!row) throw new MailwrightError('not_found', `no profile "${id}"`, 'profile');
    return JSON.parse(row.doc) as Doc;
  }

  /** Validates an edit, carries stored secrets over from `old`, checks PEM inputs and seals the secrets. */
  #seal(id: string, edit: ProfileEdit, old: Doc | null): Doc {
    const doc = structuredClone(edit) as Doc;
    for (const path of PROFILE_SECRET_PATHS) {
      const value = getPath(doc, path);
      if (!isStoredSecret(value)) continue;
      const stored = old ? getPath(old, path) : undefined;
      if (!isSealed(stored))
        throw new MailwrightError(
          'invalid_argument',
          `${path}: there is no stored secret to keep; enter it`,
          `profile.${path}`,
        );
      setPath(doc, path, this.#box.open(stored, secretPath(id, path)));
    }
    const parsed = profileConfigSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new MailwrightError('invalid_argument', `${field || 'profile'}: ${issue.message}`, `profile.${field}`);
    }
    checkPem(parsed.data);
    const sealed = structuredClone(parsed.data) as Doc;
    for (const path of PROFILE_SECRET_PATHS) {
      const value = getPath(sealed, path);
      if (typeof value === 'string') setPath(sealed, path, this.#box.seal(value, secretPath(id, path)));
    }
    return sealed;
  }

  #freeId(name: string): string {
    const base =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 48) || 'profile';
    for (let n = 1; n <= 1000; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      if (!this.#repo.get(id)) return id;
    }
    throw new MailwrightError('conflict', `too many profiles named like "${name}"`, 'profile.name');
  }
}

function secretPath(id: string, path: string): string {
  return `profiles.${id}.${path}`;
}

/** A clear error naming the field, rather than a TLS failure at connect time. */
function checkPem(p: ProfileConfig): void {
  const check = (field: string, fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      throw new MailwrightError(
        'invalid_argument',
        `${field} is not valid PEM: ${(err as Error).message}`,
        `profile.${field}`,
      );
    }
  };
  if (p.tls.ca) {
    const blocks = p.tls.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0)
      throw new MailwrightError('invalid_argument', 'tls.ca holds no PEM certificate', 'profile.tls.ca');
    blocks.forEach((b) => check('tls.ca', () => new X509Certificate(b)));
  }
  if (p.tls.clientCert) check('tls.clientCert', () => new X509Certificate(p.tls.clientCert!));
  if (p.tls.clientKey) check('tls.clientKey', () => createPrivateKey(p.tls.clientKey!));
  if (p.tls.clientCert && !p.tls.clientKey)
    throw new MailwrightError(
      'invalid_argument',
      'tls.clientKey is needed with a client certificate',
      'profile.tls.clientKey',
    );
  if (p.dkim) check('dkim.privateKey', () => createPrivateKey(p.dkim!.privateKey));
}

export function redact(doc: Doc): Doc {
  const out = structuredClone(doc);
  for (const path of PROFILE_SECRET_PATHS) if (getPath(out, path) !== undefined) setPath(out, path, { ...STORED });
  return out;
}

function withoutStoredMarks(p: ProfileEdit): ProfileEdit {
  const out = structuredClone(p) as Doc;
  for (const path of PROFILE_SECRET_PATHS) if (isStoredSecret(getPath(out, path))) deletePath(out, path);
  // A DKIM block without its key cannot be used; it comes back when the key is entered.
  if (out.dkim && (out.dkim as Doc).privateKey === undefined) delete out.dkim;
  return out as unknown as ProfileEdit;
}

function getPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Doc)[key];
  }
  return cur;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = doc;
  for (const key of keys.slice(0, -1)) {
    if (typeof cur[key] !== 'object' || cur[key] === null) return;
    cur = cur[key] as Doc;
  }
  cur[keys[keys.length - 1]!] = value;
}

function deletePath(doc: Doc, path: string): void {
  const keys = path.split('.');
  let cur = doc;
  for (const key of keys.slice(0, -1)) {
    if (typeof cur[key] !== 'object' || cur[key] === null) return;
    cur = cur[key] as Doc;
  }
  delete cur[keys[keys.length - 1]!];
}
