// The compose capability: SMTP profiles (secrets sealed), the connection test, sending and releasing mail
// through a profile, DKIM keys and the send history. Built on nodemailer's SMTPConnection and MailComposer.
// Owns src-main/compose/ and the compose_* tables; must not import electron, serve/ or another capability's folder.
import {
  MailwrightError,
  type BulkVerb,
  type ComposeOptions,
  type ComposeVerb,
  type ProfileConfig,
  type SendReport,
} from '../../src-shared/index.js';
import { explainReply } from '../../src-shared/reply-codes.js';
import type { Capability, CapabilityDeps, Handlers } from '../core/capability.js';
import { BulkRepo, BULK_MIGRATION } from './bulk-repo.js';
import { BulkRuns } from './bulk.js';
import { generateDkimKey } from './dkim-keys.js';
import { DRAFTS_MIGRATION, DraftsRepo } from './drafts-repo.js';
import { draftFromMessage, envelopeOf } from './from-message.js';
import { HISTORY_MIGRATION, HistoryRepo } from './history-repo.js';
import { buildMessage, parseAddresses, readMessageId, renewMessageId, signDkim } from './message-build.js';
import { capturePresets, servicePresets } from './presets.js';
import { Profiles, validateProfiles } from './profiles.js';
import { hostResolver, type HostResolver } from './resolver.js';
import { composeRoutes } from './routes.js';
import { Sender } from './sender.js';
import { SmtpSession } from './smtp-session.js';

export { isLoopbackHost, checkGuardrails } from './sender.js';

/** How often a bulk run applies the history's retention while it records. */
const BULK_RETENTION_EVERY_MS = 1000;

export function setupCompose(deps: CapabilityDeps): Capability<ComposeVerb | BulkVerb> {
  const options = (): ComposeOptions => deps.settings.section('compose');
  const profiles = new Profiles(deps.settings, async (list) => {
    const result = await deps.invoke('settings.update', { profiles: list });
    if (!result.ok) throw new MailwrightError(result.error.code, result.error.message, result.error.field);
  });
  const history = new HistoryRepo(deps.sql);
  const drafts = new DraftsRepo(deps.sql);
  const bulkRuns = new BulkRepo(deps.sql);
  const draftChanged = (id: number) => deps.events.emit('compose.drafts.changed', { id });
  let resolver: { servers: string; resolve: HostResolver } | null = null;
  const currentResolver = (): HostResolver => {
    const dnsServers = options().dnsServers;
    const servers = (dnsServers ?? []).join(',');
    if (resolver?.servers !== servers) resolver = { servers, resolve: hostResolver(dnsServers) };
    return resolver.resolve;
  };
  /** The history keeps the bytes of sends under the same caps as captured mail (0 is "no limit" there). */
  const retain = async () => {
    const r = deps.settings.section('retention');
    await history.applyRetention(r.maxMessages || Number.MAX_SAFE_INTEGER, r.maxBytes || Number.MAX_SAFE_INTEGER);
  };
  const sender = new Sender({
    resolver: currentResolver,
    allowRecipientDomains: () => options().allowRecipientDomains,
    history,
    recorded: async (id, outcome) => {
      await retain();
      deps.events.emit('compose.sent', { id, outcome });
    },
  });
  let retainedAt = 0;
  const bulk = new BulkRuns({
    profile: (id) => profiles.config(id),
    resolver: currentResolver,
    allowRecipientDomains: () => options().allowRecipientDomains,
    maxMessages: () => options().bulkMaxMessages,
    history,
    runs: bulkRuns,
    recorded: async (rows, last) => {
      // Retention scans the history: once a second during a run, and after its last batch.
      if (last || performance.now() - retainedAt >= BULK_RETENTION_EVERY_MS) {
        retainedAt = performance.now();
        await retain();
      }
      for (const row of rows) deps.events.emit('compose.sent', row);
    },
    progress: (p) => deps.events.emit('compose.bulk.progress', p),
  });
  const changed = (ids: string[]) => deps.events.emit('compose.profiles.changed', { ids });
  const signed = async (
    raw: Buffer,
    profile: ProfileConfig,
    dkim?: { domain: string; selector: string; privateKey: string },
  ) => {
    const key = dkim ?? profile.dkim;
    return key ? signDkim(raw, key) : raw;
  };

  const handlers: Handlers<ComposeVerb | BulkVerb> = {
    'compose.explainReply': (a) => explainReply(a.reply, a.enhanced),
    'compose.replyCode': (a) => explainReply(a.code?.trim() ?? '', a.enhanced?.trim() || undefined),
    'compose.profiles.list': () => ({ profiles: profiles.list() }),
    'compose.profiles.get': (a) => profiles.get(a.id),
    'compose.profiles.create': async (a) => {
      const view = await profiles.create(a.profile);
      changed([view.id]);
      return view;
    },
    'compose.profiles.update': async (a) => {
      const view = await profiles.update(a.id, a.profile);
      changed([a.id]);
      return view;
    },
    'compose.profiles.delete': async (a) => {
      const deleted = await profiles.delete(a.id);
      if (deleted) changed([a.id]);
      return { deleted };
    },
    'compose.profiles.presets': () => ({
      presets: [...capturePresets(deps.capture.status(), (id) => deps.capture.certificatePem(id)), ...servicePresets()],
    }),
    'compose.profiles.export': () => ({ format: 'mailwright-profiles', version: 1, profiles: profiles.list() }),
    'compose.profiles.import': async (a) => {
      const result = await profiles.import(a.profiles);
      changed([...result.created, ...result.updated]);
      return result;
    },
    'compose.profiles.test': async (a) => {
      const session = new SmtpSession(profiles.config(a.id), currentResolver());
      try {
        if (await session.open()) await session.authenticate();
      } finally {
        session.close();
      }
      return session.report();
    },
    'compose.send': async (a): Promise<SendReport> => {
      const profile = profiles.config(a.profile);
      const built = await buildMessage(a.message, profile.defaultFrom);
      const envelope = {
        from: a.envelope?.from ?? built.envelope.from,
        to: a.envelope?.to?.length ? a.envelope.to : built.envelope.to,
      };
      return sender.send({
        kind: 'send',
        profileId: a.profile,
        profile,
        raw: await signed(built.raw, profile, a.dkim),
        messageId: built.messageId,
        subject: a.message.subject ?? '',
        envelope,
        confirm: a.confirm ?? false,
      });
    },
    'compose.release': async (a) => {
      const profile = profiles.config(a.profile);
      const message = await deps.store.get(a.id);
      let raw = await deps.store.raw(a.id);
      let messageId = readMessageId(raw);
      if (a.newMessageId) {
        const domain = /@([^>]+)>?$/.exec(messageId ?? '')?.[1] ?? 'mailwright.invalid';
        ({ raw, messageId } = renewMessageId(raw, domain));
      }
      const to = a.to ?? message.envelope.rcptTo;
      if (to.length === 0)
        throw new MailwrightError('invalid_argument', 'the message has no envelope recipients: give to', 'to');
      return sender.send({
        kind: 'release',
        profileId: a.profile,
        profile,
        raw,
        messageId,
        subject: message.subject,
        envelope: { from: message.envelope.mailFrom, to },
        confirm: a.confirm ?? false,
      });
    },
    'compose.sendRaw': async (a): Promise<SendReport> => {
      const profile = profiles.config(a.profile);
      if (!/^[A-Za-z0-9+/=\s]+$/.test(a.raw))
        throw new MailwrightError('invalid_argument', 'raw: the message must be base64', 'raw');
      const raw = Buffer.from(a.raw, 'base64');
      const headers = await envelopeOf(raw);
      const from = a.envelope?.from ?? headers.from;
      if (!from)
        throw new MailwrightError(
          'invalid_argument',
          'the message has no From address: give envelope.from',
          'envelope.from',
        );
      const to = a.envelope?.to?.length ? a.envelope.to : headers.to;
      parseAddresses(from, 'envelope.from');
      to.forEach((x, i) => parseAddresses(x, `envelope.to.${i}`));
      return sender.send({
        kind: 'send',
        profileId: a.profile,
        profile,
        raw: await signed(raw, profile),
        messageId: readMessageId(raw),
        subject: headers.subject,
        envelope: { from, to },
        confirm: a.confirm ?? false,
      });
    },
    'compose.drafts.list': async () => ({ drafts: await drafts.list() }),
    'compose.drafts.get': (a) => drafts.get(a.id),
    'compose.drafts.create': async (a) => {
      const saved = await drafts.create(a.draft);
      draftChanged(saved.id);
      return saved;
    },
    'compose.drafts.update': async (a) => {
      const saved = await drafts.update(a.id, a.draft);
      draftChanged(saved.id);
      return saved;
    },
    'compose.drafts.delete': async (a) => {
      const deleted = await drafts.delete(a.id);
      if (deleted) draftChanged(a.id);
      return { deleted };
    },
    'compose.drafts.fromMessage': async (a) => {
      await deps.store.get(a.id);
      return draftFromMessage(await deps.store.raw(a.id), a.id);
    },
    'compose.dkim.generate': (a) => generateDkimKey(a.algorithm, a.domain, a.selector),
    'compose.sends.list': (a) => history.list({ ...a, limit: a.limit ?? 100, offset: a.offset ?? 0 }),
    'compose.sends.get': async (a) => {
      const found = await history.get(a.id);
      if (!found) throw new MailwrightError('not_found', `no send ${a.id}`, 'id');
      return { ...found.summary, report: found.report };
    },
    'compose.sends.raw': async (a) => {
      const raw = await history.raw(a.id);
      if (raw === undefined) throw new MailwrightError('not_found', `no send ${a.id}`, 'id');
      if (raw === null)
        throw new MailwrightError('not_found', `the bytes of send ${a.id} were dropped by retention`, 'id');
      return { base64: raw.toString('base64'), size: raw.length };
    },
    'compose.bulk.start': (a) => bulk.start(a),
    'compose.bulk.get': (a) => bulk.get(a.id),
    'compose.bulk.list': async () => ({ runs: await bulk.list() }),
    'compose.bulk.cancel': (a) => bulk.cancel(a.id),
    'compose.bulk.export': (a) => bulk.export(a.id, a.format),
  };

  return {
    name: 'compose',
    handlers,
    routes: composeRoutes(),
    settings: { key: 'profiles', validate: validateProfiles },
    migrations: [HISTORY_MIGRATION, DRAFTS_MIGRATION, BULK_MIGRATION],
    start: async () => {
      // Runs the last process left running were cut off with it.
      await bulkRuns.interruptLeftovers();
    },
    stop: () => bulk.stop(),
  };
}
