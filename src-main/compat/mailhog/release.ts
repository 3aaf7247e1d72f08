// MailHog's release (MailHog-Server api/v1.go release_one) over the composer's verbs. MailHog takes the SMTP server
// from the request body (`Host`, `Port`, `Email`, optional `Username`/`Password`/`Mechanism`), or a server saved
// under `Name`, and `Save` keeps the given one under that name. Here a named server is a composer profile (by id or
// name); an ad-hoc one becomes a composer profile for the one release and is deleted after it, unless `Save` asks
// to keep it. The caller names the server, so it counts as confirmed (as it does in MailHog).
import { MailwrightError } from '../../../src-shared/index.js';
import type { ProfileEdit } from '../../../src-shared/contract/compose.js';
import { readJson, type Reply, type RouteContext } from '../../core/rest.js';
import { call, numericId, type Invoke } from '../reply.js';

/** MailHog's release body; Go decodes JSON keys case-insensitively, so blueimp's lower-case keys work there too. */
export interface MailhogReleaseConfig {
  host: string;
  port: string;
  email: string;
  username: string;
  password: string;
  mechanism: string;
  name: string;
  save: boolean;
}

/** The body's fields by lower-cased key; a non-object body is an empty config. */
export function releaseConfig(body: unknown): MailhogReleaseConfig {
  const fields = new Map<string, unknown>();
  if (body && typeof body === 'object' && !Array.isArray(body))
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) fields.set(k.toLowerCase(), v);
  const str = (k: string): string => {
    const v = fields.get(k);
    return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  };
  return {
    host: str('host'),
    port: str('port'),
    email: str('email'),
    username: str('username'),
    password: typeof fields.get('password') === 'string' ? (fields.get('password') as string) : '',
    mechanism: str('mechanism').toUpperCase(),
    name: str('name'),
    save: fields.get('save') === true,
  };
}

/** MailHog answers a release with a bare status; the reason goes in a header so people and logs can read it. */
function status(code: number, reason = ''): Reply {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  const clean = reason.replace(/[^\x20-\x7e]/g, ' ').slice(0, 300);
  if (clean) headers['X-Mailwright-Reason'] = clean;
  return { status: code, headers, body: '' };
}

/** A profile id for a saved server's name (compose profile ids are lower-case letters, digits, `-`, `_`). */
function idFor(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 48);
  return `mailhog-${slug || 'server'}`;
}

function adHocProfile(cfg: MailhogReleaseConfig, id: string): ProfileEdit | string {
  if (!cfg.host) return 'Host is required (or the Name of a saved server)';
  const port = Number(cfg.port || '25');
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `Port ${JSON.stringify(cfg.port)} is not a port`;
  const hasCredentials = cfg.username !== '' || cfg.password !== '';
  let auth: ProfileEdit['auth'] = { mechanism: 'none' };
  if (hasCredentials) {
    // MailHog knows CRAMMD5 and PLAIN and refuses anything else with 400.
    const mechanism = cfg.mechanism === 'CRAMMD5' ? 'CRAM-MD5' : cfg.mechanism === 'PLAIN' ? 'PLAIN' : null;
    if (!mechanism) return `Mechanism ${JSON.stringify(cfg.mechanism)} is not PLAIN or CRAMMD5`;
    auth = { mechanism, user: cfg.username, password: cfg.password };
  }
  return {
    id,
    name: cfg.save && cfg.name ? cfg.name : `MailHog release to ${cfg.host}:${port}`,
    host: cfg.host,
    port,
    // MailHog (Go's smtp.SendMail) uses STARTTLS when the server offers it. Test servers mostly have self-signed
    // certificates, which MailHog's verification would refuse; this is a test tool, so the certificate is not checked.
    security: 'starttls',
    tls: { verify: false },
    auth,
    note: 'Made by the MailHog release API',
  };
}

/** POST /api/v1/messages/{id}/release: 200 when the server took it, 400 for a bad config, 404, or 500 if sending failed. */
export async function mailhogRelease(invoke: Invoke, c: RouteContext): Promise<Reply> {
  const id = numericId(c.params.id);
  if (id === null || !(await invoke('messages.get', { id })).ok) return status(404, 'no such message');
  let cfg: MailhogReleaseConfig;
  try {
    cfg = releaseConfig(await readJson(c.req));
  } catch (err) {
    return status(400, (err as Error).message);
  }
  if (!cfg.email) return status(400, 'Email (the recipient) is required');

  let profile: string;
  let temporary = false;
  if (cfg.name && !cfg.save) {
    const { profiles } = await call(invoke, 'compose.profiles.list', {});
    const found = profiles.find((p) => p.id === cfg.name || p.name === cfg.name);
    if (!found) return status(400, `no saved server named ${cfg.name}`);
    profile = found.id;
  } else {
    const wanted = cfg.save && cfg.name ? idFor(cfg.name) : `mailhog-release-${process.pid}-${Date.now().toString(36)}`;
    const edit = adHocProfile(cfg, wanted);
    if (typeof edit === 'string') return status(400, edit);
    const created = await invoke('compose.profiles.create', { profile: edit });
    if (!created.ok) return status(400, `${created.error.field ?? 'server'}: ${created.error.message}`);
    profile = created.value.id;
    temporary = !cfg.save;
  }

  try {
    const report = await invoke('compose.release', { id, profile, to: [cfg.email], confirm: true });
    if (!report.ok) {
      if (report.error.code === 'invalid_argument') return status(400, report.error.message);
      throw new MailwrightError(report.error.code, report.error.message, report.error.field);
    }
    if (report.value.outcome !== 'delivered')
      return status(500, report.value.explanation ?? report.value.error ?? report.value.reply ?? report.value.outcome);
    return status(200);
  } finally {
    if (temporary) await invoke('compose.profiles.delete', { id: profile });
  }
}
