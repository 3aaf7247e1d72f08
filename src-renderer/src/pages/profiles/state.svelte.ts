// The profiles page: SMTP profiles (secrets only ever shown as stored), presets (this Mailwright's listeners and
// nodemailer's well-known services), the connection test with its report, export and import.
// Addresses: `#/profiles`, `#/profiles/<profile id>`, `#/profiles/new`.
import type {
  ConnectionReport,
  ProfileEdit,
  ProfilePreset,
  ProfileView,
  SecurityMode,
} from '../../../../src-shared/contract/index.js';
import { api, errorText, onEvent, saveExport } from '../../lib/api.js';
import type { PageState } from '../../lib/page.js';

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function acceptsProfilesPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && (path[0] === 'new' || ID.test(path[0]!)));
}

type SecretField = 'password' | 'accessToken' | 'clientKey' | 'dkimKey';

/** The form: flat strings, and for each secret whether one is stored (an empty input then keeps it). */
export interface ProfileForm {
  id: string;
  name: string;
  host: string;
  port: string;
  security: SecurityMode;
  verify: boolean;
  minVersion: '' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ca: string;
  servername: string;
  clientCert: string;
  mechanism: 'none' | 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2';
  user: string;
  localName: string;
  defaultFrom: string;
  connectionTimeoutSeconds: string;
  greetingTimeoutSeconds: string;
  dkimDomain: string;
  dkimSelector: string;
  note: string;
  secrets: Record<SecretField, string>;
  stored: Record<SecretField, boolean>;
}

export function emptyForm(): ProfileForm {
  return {
    id: '',
    name: '',
    host: '127.0.0.1',
    port: '1025',
    security: 'starttls',
    verify: true,
    minVersion: '',
    ca: '',
    servername: '',
    clientCert: '',
    mechanism: 'none',
    user: '',
    localName: '',
    defaultFrom: '',
    connectionTimeoutSeconds: '',
    greetingTimeoutSeconds: '',
    dkimDomain: '',
    dkimSelector: '',
    note: '',
    secrets: { password: '', accessToken: '', clientKey: '', dkimKey: '' },
    stored: { password: false, accessToken: false, clientKey: false, dkimKey: false },
  };
}

type Partialish = Partial<Omit<ProfileView, 'tls' | 'auth'>> & {
  tls?: Partial<ProfileView['tls']>;
  auth?: Partial<ProfileView['auth']>;
};

export function formFrom(p: Partialish): ProfileForm {
  const f = emptyForm();
  Object.assign(f, {
    id: p.id ?? '',
    name: p.name ?? '',
    host: p.host ?? f.host,
    port: p.port !== undefined ? String(p.port) : f.port,
    security: p.security ?? f.security,
    verify: p.tls?.verify ?? true,
    minVersion: p.tls?.minVersion ?? '',
    ca: p.tls?.ca ?? '',
    servername: p.tls?.servername ?? '',
    clientCert: p.tls?.clientCert ?? '',
    mechanism: p.auth?.mechanism ?? 'none',
    user: p.auth?.user ?? '',
    localName: p.localName ?? '',
    defaultFrom: p.defaultFrom ?? '',
    connectionTimeoutSeconds: p.connectionTimeoutSeconds ? String(p.connectionTimeoutSeconds) : '',
    greetingTimeoutSeconds: p.greetingTimeoutSeconds ? String(p.greetingTimeoutSeconds) : '',
    dkimDomain: p.dkim?.domain ?? '',
    dkimSelector: p.dkim?.selector ?? '',
    note: p.note ?? '',
  });
  f.stored = {
    password: p.auth?.password !== undefined,
    accessToken: p.auth?.accessToken !== undefined,
    clientKey: p.tls?.clientKey !== undefined,
    dkimKey: p.dkim?.privateKey !== undefined,
  };
  return f;
}

/** The edit the core takes: an empty secret input keeps a stored secret ({stored: true}) or leaves it unset. */
export function editFrom(f: ProfileForm): Omit<ProfileEdit, 'id'> & { id?: string } {
  const secret = (k: SecretField) =>
    f.secrets[k] !== '' ? f.secrets[k] : f.stored[k] ? ({ stored: true } as const) : undefined;
  const opt = <T>(key: string, v: T | undefined | '') => (v === undefined || v === '' ? {} : { [key]: v });
  const int = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const dkimKey = secret('dkimKey');
  return {
    ...opt('id', f.id.trim()),
    name: f.name.trim(),
    host: f.host.trim(),
    port: Number(f.port),
    security: f.security,
    tls: {
      verify: f.verify,
      ...opt('minVersion', f.minVersion),
      ...opt('ca', f.ca.trim()),
      ...opt('servername', f.servername.trim()),
      ...opt('clientCert', f.clientCert.trim()),
      ...opt('clientKey', secret('clientKey')),
    },
    auth: {
      mechanism: f.mechanism,
      ...(f.mechanism !== 'none' ? opt('user', f.user) : {}),
      ...(f.mechanism !== 'none' && f.mechanism !== 'XOAUTH2' ? opt('password', secret('password')) : {}),
      ...(f.mechanism === 'XOAUTH2' ? opt('accessToken', secret('accessToken')) : {}),
    },
    ...opt('localName', f.localName.trim()),
    ...opt('defaultFrom', f.defaultFrom.trim()),
    ...opt('connectionTimeoutSeconds', int(f.connectionTimeoutSeconds)),
    ...opt('greetingTimeoutSeconds', int(f.greetingTimeoutSeconds)),
    ...(f.dkimDomain.trim() && f.dkimSelector.trim() && dkimKey
      ? { dkim: { domain: f.dkimDomain.trim(), selector: f.dkimSelector.trim(), privateKey: dkimKey } }
      : {}),
    ...opt('note', f.note.trim()),
  };
}

export class ProfilesPage implements PageState {
  #profiles = $state<ProfileView[]>([]);
  #presets = $state<ProfilePreset[]>([]);
  #selected = $state<string | null>(null);
  #creating = $state(false);
  form = $state<ProfileForm>(emptyForm());
  #report = $state<ConnectionReport | null>(null);
  #testing = $state(false);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);

  get path(): string[] {
    return this.#creating ? ['new'] : this.#selected ? [this.#selected] : [];
  }
  get profiles(): ProfileView[] {
    return this.#profiles;
  }
  get presets(): ProfilePreset[] {
    return this.#presets;
  }
  get selected(): string | null {
    return this.#selected;
  }
  get creating(): boolean {
    return this.#creating;
  }
  get report(): ConnectionReport | null {
    return this.#report;
  }
  get testing(): boolean {
    return this.#testing;
  }
  get error(): string | null {
    return this.#error;
  }
  get notice(): string | null {
    return this.#notice;
  }

  show(path: readonly string[]): void {
    if (path[0] === 'new') {
      if (!this.#creating) this.newProfile();
    } else if (path[0]) void this.select(path[0]);
    else {
      this.#selected = null;
      this.#creating = false;
    }
  }

  start(): () => void {
    void this.load();
    return onEvent('compose.profiles.changed', () => void this.load());
  }

  async load(): Promise<void> {
    try {
      const [list, presets] = await Promise.all([api.compose.profiles(), api.compose.presets()]);
      this.#profiles = list.profiles;
      this.#presets = presets.presets;
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  newProfile(preset?: ProfilePreset): void {
    this.#creating = true;
    this.#selected = null;
    this.#report = null;
    this.#error = null;
    this.form = preset ? formFrom({ ...preset.profile, note: preset.note ?? undefined }) : emptyForm();
    if (preset) this.form.name = preset.profile.name ?? preset.name;
  }

  async select(id: string): Promise<void> {
    this.#creating = false;
    this.#error = null;
    if (this.#selected !== id) this.#report = null;
    this.#selected = id;
    try {
      this.form = formFrom(await api.compose.profile(id));
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** Saves the form; returns the id saved under, or null when the core refused it (the error says why). */
  async save(): Promise<string | null> {
    this.#error = null;
    try {
      const edit = editFrom(this.form);
      const saved = this.#creating
        ? await api.compose.createProfile(edit)
        : await api.compose.updateProfile(this.#selected!, { ...edit, id: this.#selected! });
      this.#creating = false;
      this.#selected = saved.id;
      this.form = formFrom(saved);
      this.#notice = `Saved ${saved.name}.`;
      await this.load();
      return saved.id;
    } catch (err) {
      this.#error = errorText(err);
      return null;
    }
  }

  /** Saves, then runs the connection test on the saved profile. */
  async test(): Promise<void> {
    const id = await this.save();
    if (!id) return;
    this.#testing = true;
    this.#report = null;
    try {
      this.#report = await api.compose.testProfile(id);
    } catch (err) {
      this.#error = errorText(err);
    } finally {
      this.#testing = false;
    }
  }

  async remove(): Promise<void> {
    if (!this.#selected) return;
    try {
      await api.compose.deleteProfile(this.#selected);
      this.#selected = null;
      this.#report = null;
      this.form = emptyForm();
      await this.load();
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  /** The profiles without their secrets, as a file: a save dialog on the desktop, a download in the browser. */
  async exportFile(): Promise<void> {
    this.#error = null;
    try {
      await saveExport({ kind: 'profiles' });
    } catch (err) {
      this.#error = errorText(err);
    }
  }

  async importJson(text: string): Promise<void> {
    this.#error = null;
    try {
      const file = JSON.parse(text) as Parameters<typeof api.compose.importProfiles>[0];
      const r = await api.compose.importProfiles(file);
      this.#notice = `Imported: ${r.created.length} new, ${r.updated.length} updated. Enter the secrets of new profiles.`;
      await this.load();
    } catch (err) {
      this.#error = err instanceof SyntaxError ? 'The file is not JSON.' : errorText(err);
    }
  }
}
