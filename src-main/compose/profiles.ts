// SMTP profiles as the `profiles` settings section: the settings service seals their secrets (passwords, tokens,
// client keys, DKIM keys) at rest, shows them as `{ stored: true }`, carries them over an edit by profile id and
// reads them from a config file. This class is the profile-by-profile door to that section, and its checks.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  MailwrightError,
  PROFILE_SECRET_PATHS,
  isStoredSecret,
  type ProfileConfig,
  type ProfileEdit,
  type ProfileView,
} from '../../src-shared/index.js';
import type { SettingsService } from '../core/settings.js';

/** Applies `settings.update` through the validated door, throwing its error (field named) when refused. */
export type UpdateProfilesSection = (profiles: ProfileEdit[]) => Promise<void>;

export class Profiles {
  readonly #settings: SettingsService;
  readonly #update: UpdateProfilesSection;

  constructor(settings: SettingsService, update: UpdateProfilesSection) {
    this.#settings = settings;
    this.#update = update;
  }

  list(): ProfileView[] {
    return this.#settings.view().profiles as ProfileView[];
  }

  get(id: string): ProfileView {
    const found = this.list().find((p) => p.id === id);
    if (!found) throw notFound(id);
    return found;
  }

  /** The profile with its secrets in plain text, for a connection. Never leaves the core. */
  config(id: string): ProfileConfig {
    const found = this.#settings.section('profiles').find((p) => p.id === id);
    if (!found) throw notFound(id);
    return found;
  }

  async create(edit: Omit<ProfileEdit, 'id'> & { id?: string | undefined }): Promise<ProfileView> {
    const list: ProfileEdit[] = this.list();
    const id = edit.id ?? freeId(edit.name, list);
    if (list.some((p) => p.id === id))
      throw new MailwrightError('conflict', `a profile with id "${id}" exists already`, 'profile.id');
    await this.#save([...list, { ...edit, id }]);
    return this.get(id);
  }

  async update(id: string, edit: ProfileEdit): Promise<ProfileView> {
    const list: ProfileEdit[] = this.list();
    const index = list.findIndex((p) => p.id === id);
    if (index < 0) throw notFound(id);
    if (edit.id !== id) throw new MailwrightError('invalid_argument', `profile.id must stay "${id}"`, 'profile.id');
    await this.#save(list.map((p, i) => (i === index ? edit : p)));
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    const list = this.list();
    if (!list.some((p) => p.id === id)) return false;
    await this.#save(list.filter((p) => p.id !== id));
    return true;
  }

  /** Profiles from an export file: existing ids are updated (keeping their secrets), new ones created without. */
  async import(profiles: ProfileEdit[]): Promise<{ created: string[]; updated: string[] }> {
    const list: ProfileEdit[] = this.list();
    const created: string[] = [];
    const updated: string[] = [];
    for (const p of profiles) {
      const index = list.findIndex((x) => x.id === p.id);
      if (index >= 0) {
        list[index] = p;
        updated.push(p.id);
      } else {
        list.push(withoutStoredMarks(p));
        created.push(p.id);
      }
    }
    await this.#save(list);
    return { created, updated };
  }

  /** One settings update: validated whole (shape, secrets carried over, the checks below) before anything changes. */
  async #save(list: ProfileEdit[]): Promise<void> {
    await this.#update(list);
  }
}

function notFound(id: string): MailwrightError {
  return new MailwrightError('not_found', `no profile "${id}"`, 'profile');
}

function freeId(name: string, list: readonly { id: string }[]): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'profile';
  for (let n = 1; n <= list.length + 1; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    if (!list.some((p) => p.id === id)) return id;
  }
  return `${base}-${list.length + 2}`;
}

/** The section's Node-side checks: PEM inputs parse and a client certificate has its key, each error naming the field. */
export function validateProfiles(profiles: readonly ProfileConfig[]): void {
  const ids = new Set<string>();
  profiles.forEach((p, i) => {
    const at = `profiles.${i}`;
    if (ids.has(p.id)) throw new MailwrightError('invalid_argument', `${at}.id: "${p.id}" is used twice`, `${at}.id`);
    ids.add(p.id);
    const check = (field: string, fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        throw new MailwrightError(
          'invalid_argument',
          `${at}.${field} is not valid PEM: ${(err as Error).message}`,
          `${at}.${field}`,
        );
      }
    };
    if (p.tls.ca) {
      const blocks = p.tls.ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0)
        throw new MailwrightError('invalid_argument', `${at}.tls.ca holds no PEM certificate`, `${at}.tls.ca`);
      blocks.forEach((b) => check('tls.ca', () => new X509Certificate(b)));
    }
    if (p.tls.clientCert) check('tls.clientCert', () => new X509Certificate(p.tls.clientCert!));
    if (p.tls.clientKey) check('tls.clientKey', () => createPrivateKey(p.tls.clientKey!));
    if (p.tls.clientCert && !p.tls.clientKey)
      throw new MailwrightError(
        'invalid_argument',
        `${at}.tls.clientKey is needed with a client certificate`,
        `${at}.tls.clientKey`,
      );
    if (p.dkim) check('dkim.privateKey', () => createPrivateKey(p.dkim!.privateKey));
  });
}

function withoutStoredMarks(p: ProfileEdit): ProfileEdit {
  const out = structuredClone(p) as unknown as Record<string, Record<string, unknown> | undefined>;
  for (const path of PROFILE_SECRET_PATHS) {
    const [group, key] = path.split('.') as [string, string];
    if (isStoredSecret(out[group]?.[key])) delete out[group][key];
  }
  // A DKIM block without its key cannot be used; it comes back when the key is entered.
  if (out.dkim && out.dkim.privateKey === undefined) delete out.dkim;
  return out as unknown as ProfileEdit;
}
