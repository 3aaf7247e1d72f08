// The Settings page's pure rules: forms round-trip the contract's shapes, empty optional fields are never sent,
// untouched listeners travel exactly as they came (so the server keeps them running), and errors find their input.
import { describe, expect, it } from 'vitest';
import { BASELINE_DEFAULTS } from '../../../src-shared/contract/diff.js';
import {
  faultRuleSchema,
  listenerEditSchema,
  settingsUpdateSchema,
  type FaultRule,
  type ListenerEdit,
  type Settings,
} from '../../../src-shared/settings.js';
import { actionSummary, blankRule, fromFaultForm, toFaultForm } from '../../../src-renderer/src/lib/fault-form.js';
import { uniqueId } from '../../../src-renderer/src/lib/form-values.js';
import { blankListener, fromListenerForm, toListenerForm } from '../../../src-renderer/src/lib/listener-form.js';
import {
  baselineOf,
  bestFieldMatch,
  buildUpdate,
  changedSections,
  fieldSection,
  listenerChanges,
  missingRequired,
  pinnedAt,
  pinnedNote,
  pinnedUnder,
  toDraft,
} from '../../../src-renderer/src/lib/settings-form.js';

const full: ListenerEdit = {
  id: 'submission',
  host: '127.0.0.1',
  port: 2587,
  tls: 'starttls-required',
  minTlsVersion: 'TLSv1.3',
  certificate: {
    mode: 'pem',
    cert: '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----',
    key: { stored: true },
  },
  auth: {
    policy: 'required',
    mechanisms: ['PLAIN', 'XOAUTH2'],
    credentials: [
      { username: 'user', password: { stored: true } },
      { username: 'bot', token: { stored: true } },
    ],
    allowPlaintext: true,
    lockout: { maxFailures: 3, windowSeconds: 60, lockSeconds: 300 },
  },
  limits: {
    maxRecipients: 5,
    idleTimeoutSeconds: 30,
    allowClients: ['127.0.0.0/8', '::1'],
    senderDeny: ['*@spam.test'],
  },
};

const rule: FaultRule = {
  id: 'mailbox-full',
  name: 'Mailbox full',
  enabled: true,
  match: { stage: 'rcpt', recipient: 'full@*', every: 2 },
  action: { kind: 'reply', code: 552, enhanced: '5.2.2', text: 'Mailbox full' },
};

const settings: Settings = {
  retention: { maxMessages: 5000, maxBytes: 0 },
  smtp: {
    hostname: 'mailwright.test',
    maxMessageBytes: 52_428_800,
    maxInFlightBytes: 268_435_456,
    earlyTalkerDelayMs: 0,
  },
  listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }, full],
  faults: [rule],
  checks: {
    dnsServers: [],
    dnsTimeoutMs: 3000,
    spamd: '',
    compatClients: ['outlook.*'],
    linksAllowPrivate: false,
    linkTimeoutMs: 10_000,
    ipBlocklists: ['zen.spamhaus.org'],
    domainBlocklists: ['dbl.spamhaus.org'],
  },
  baselines: { ...BASELINE_DEFAULTS },
  tags: { fromHeader: true, fromPlusAddress: false, rules: [] },
  compat: { mailhog: false, releaseProfile: '' },
  mailboxes: { foldPlusAddressing: true, disposableDomain: 'mailwright.test' },
  webhooks: [],
  templates: { folder: '' },
  profiles: [],
  compose: {},
  pinned: [{ path: 'listeners.smtp', source: '--smtp' }],
  warnings: [],
};

/** Every value anywhere in a JSON tree: what must never be sent is null, undefined or "". */
function leaves(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(leaves);
  return [value];
}

describe('listener forms', () => {
  it('round-trip a listener with every field, keeping stored secrets as { stored: true }', () => {
    expect(fromListenerForm(toListenerForm(full))).toEqual(full);
  });

  it('send a typed secret in place of the stored one, and keep the others stored', () => {
    const form = toListenerForm(full);
    form.credentials[0]!.password = 'new-secret';
    const out = fromListenerForm(form);
    expect(out.auth?.credentials).toEqual([
      { username: 'user', password: 'new-secret' },
      { username: 'bot', token: { stored: true } },
    ]);
    expect(out.certificate).toEqual({ mode: 'pem', cert: expect.any(String), key: { stored: true } });
  });

  it('leave out every empty optional field instead of sending null or ""', () => {
    const form = toListenerForm({ id: 'x', host: '127.0.0.1', port: 25, tls: 'none' });
    form.limits.maxRecipients = null;
    form.limits.allowClients = '\n  \n';
    form.authPolicy = 'required';
    form.anyCredentials = false;
    form.credentials.push({
      username: 'user',
      password: 'secret',
      passwordStored: false,
      token: '',
      tokenStored: false,
    });
    const out = fromListenerForm(form);
    expect(out).toEqual({
      id: 'x',
      host: '127.0.0.1',
      port: 25,
      tls: 'none',
      auth: {
        policy: 'required',
        mechanisms: ['PLAIN', 'LOGIN'],
        credentials: [{ username: 'user', password: 'secret' }],
        allowPlaintext: true,
      },
    });
    expect(leaves(out)).not.toContain(null);
    expect(leaves(out)).not.toContain('');
    expect(listenerEditSchema.safeParse(out).success).toBe(true);
  });

  it('turn text areas into trimmed lists, one entry per line', () => {
    const form = toListenerForm({ id: 'x', host: 'h', port: 1, tls: 'starttls' });
    form.limits.allowClients = ' 10.0.0.0/8 \n\n192.168.1.1\n';
    form.certMode = 'generated';
    form.sans = 'localhost\nmail.test';
    const out = fromListenerForm(form);
    expect(out.limits).toEqual({ allowClients: ['10.0.0.0/8', '192.168.1.1'] });
    expect(out.certificate).toEqual({ mode: 'generated', sans: ['localhost', 'mail.test'] });
  });

  it('omit a missing port, so the server names listeners.N.port', () => {
    const form = toListenerForm({ id: 'x', host: 'h', port: 1, tls: 'none' });
    form.port = null;
    expect('port' in fromListenerForm(form)).toBe(false);
  });

  it('send neither certificate nor minimum version without TLS, nor mechanisms with AUTH off', () => {
    const form = toListenerForm(full);
    form.tls = 'none';
    form.authPolicy = 'off';
    const out = fromListenerForm(form);
    expect(out.certificate).toBeUndefined();
    expect(out.minTlsVersion).toBeUndefined();
    expect(out.auth).toEqual({ policy: 'off', mechanisms: [] });
  });

  it('show a listener without an auth block as its defaults: optional PLAIN/LOGIN, anyone, plaintext allowed', () => {
    const form = toListenerForm({ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' });
    expect(form).toMatchObject({
      authPolicy: 'optional',
      mechanisms: ['PLAIN', 'LOGIN'],
      anyCredentials: true,
      allowPlaintext: true,
      certMode: 'shared',
    });
  });
});

describe('fault rule forms', () => {
  it('round-trip a rule', () => {
    expect(fromFaultForm(toFaultForm(rule))).toEqual(rule);
    const scoped: FaultRule = {
      ...rule,
      listeners: ['smtp'],
      match: { stage: 'mail', clientAddress: '10.0.0.0/8', probability: 0.5 },
      action: { kind: 'throttle', perMinute: 10 },
    };
    expect(fromFaultForm(toFaultForm(scoped))).toEqual(scoped);
  });

  it('send only the chosen action kind, and no empty listener list or pattern', () => {
    const form = toFaultForm(rule);
    form.action = 'delay';
    form.recipient = ' ';
    form.every = null;
    const out = fromFaultForm(form);
    expect(out).toEqual({
      id: 'mailbox-full',
      name: 'Mailbox full',
      enabled: true,
      match: { stage: 'rcpt' },
      action: { kind: 'delay', ms: 5000 },
    });
    expect(faultRuleSchema.safeParse(out).success).toBe(true);
  });

  it('summarise each action kind on one line', () => {
    expect(actionSummary(rule.action)).toBe('reply 552 5.2.2 Mailbox full');
    expect(actionSummary({ kind: 'reply', code: 421, text: 'Busy' })).toBe('reply 421 Busy');
    expect(actionSummary({ kind: 'delay', ms: 5000 })).toBe('delay 5000 ms');
    expect(actionSummary({ kind: 'drop' })).toBe('drop');
    expect(actionSummary({ kind: 'greylist', seconds: 60 })).toBe('greylist 60 s');
    expect(actionSummary({ kind: 'throttle', perMinute: 10 })).toBe('throttle 10/min');
  });
});

describe('ids', () => {
  it('give a preset a fresh id when its own is taken', () => {
    expect(uniqueId('mailbox-full', [])).toBe('mailbox-full');
    expect(uniqueId('mailbox-full', ['mailbox-full'])).toBe('mailbox-full-2');
    expect(uniqueId('mailbox-full', ['mailbox-full', 'mailbox-full-2'])).toBe('mailbox-full-3');
  });

  it('make blank listeners and rules valid and unique', () => {
    const l = blankListener(['listener']);
    expect(l.id).toBe('listener-2');
    expect(listenerEditSchema.safeParse(l).success).toBe(true);
    expect(faultRuleSchema.safeParse(blankRule([])).success).toBe(true);
  });
});

describe('the update', () => {
  it('is empty while nothing changed', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    expect(changedSections(draft, base)).toEqual([]);
    expect(buildUpdate(draft, base)).toEqual({});
  });

  it('carries only the changed sections', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    draft.retention.maxMessages = 10;
    expect(buildUpdate(draft, base)).toEqual({ retention: { maxMessages: 10, maxBytes: 0 } });
  });

  it('carries the checks section with its lists one entry a line (clients also at commas)', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    expect(draft.checks.ipBlocklists).toBe('zen.spamhaus.org');
    draft.checks.dnsServers = ' 127.0.0.1:5353 \n\n[::1]:53';
    draft.checks.compatClients = 'outlook.*, gmail.android';
    draft.checks.domainBlocklists = '';
    expect(changedSections(draft, base)).toEqual(['checks']);
    expect(buildUpdate(draft, base)).toEqual({
      checks: {
        dnsServers: ['127.0.0.1:5353', '[::1]:53'],
        dnsTimeoutMs: 3000,
        spamd: '',
        compatClients: ['outlook.*', 'gmail.android'],
        linksAllowPrivate: false,
        linkTimeoutMs: 10_000,
        ipBlocklists: ['zen.spamhaus.org'],
        domainBlocklists: [],
      },
    });
    draft.checks.dnsTimeoutMs = null;
    expect(missingRequired(draft)).toMatchObject({ field: 'checks.dnsTimeoutMs' });
    draft.checks.dnsTimeoutMs = 3000;
    draft.checks.linkTimeoutMs = null;
    expect(missingRequired(draft)).toMatchObject({ field: 'checks.linkTimeoutMs' });
    draft.checks.linkTimeoutMs = 2500;
    draft.checks.linksAllowPrivate = true;
    expect(buildUpdate(draft, base).checks).toMatchObject({ linksAllowPrivate: true, linkTimeoutMs: 2500 });
  });

  it('names a required number left empty instead of sending "no change"', () => {
    const draft = toDraft(settings);
    expect(missingRequired(draft)).toBeNull();
    draft.smtp.maxMessageBytes = null;
    expect(missingRequired(draft)).toMatchObject({ field: 'smtp.maxMessageBytes' });
    draft.smtp.maxMessageBytes = 1000;
    draft.retention.maxBytes = Number.NaN;
    expect(missingRequired(draft)).toMatchObject({ field: 'retention.maxBytes' });
  });

  it('sends untouched listeners exactly as they came, so the server keeps them running', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    draft.listeners[0]!.limits.allowClients = '127.0.0.1';
    draft.listeners.push(toListenerForm(blankListener(['smtp', 'submission'])));
    const update = buildUpdate(draft, base);
    expect(Object.keys(update)).toEqual(['listeners']);
    expect(update.listeners![1]).toBe(full);
    expect(update.listeners![0]).toEqual({
      ...settings.listeners[0],
      auth: expect.any(Object),
      limits: { allowClients: ['127.0.0.1'] },
    });
    expect(settingsUpdateSchema.safeParse(update).success).toBe(true);
    expect(listenerChanges(draft, base)).toEqual({ restarted: ['smtp', 'listener'], removed: [] });
  });

  it('names removed listeners', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    draft.listeners.splice(1, 1);
    expect(buildUpdate(draft, base).listeners).toEqual([settings.listeners[0]]);
    expect(listenerChanges(draft, base)).toEqual({ restarted: [], removed: ['submission'] });
  });

  it('sends the whole rule list when one rule is switched off', () => {
    const draft = toDraft(settings);
    const base = baselineOf(settings, draft);
    draft.faults[0]!.enabled = false;
    expect(buildUpdate(draft, base)).toEqual({ faults: [{ ...rule, enabled: false }] });
  });
});

describe('errors and notes', () => {
  const inputs = [
    'listeners.1.port',
    'listeners.1.limits.allowClients',
    'listeners.1.auth.credentials.0.password',
    'smtp.hostname',
  ];

  it('find the input an error names, else the first input of the item it names, else the closest parent', () => {
    expect(bestFieldMatch('listeners.1.limits.allowClients', inputs)).toBe('listeners.1.limits.allowClients');
    expect(bestFieldMatch('listeners.1.limits.allowClients.2', inputs)).toBe('listeners.1.limits.allowClients');
    expect(bestFieldMatch('listeners.1.auth.credentials.0.password', inputs)).toBe(
      'listeners.1.auth.credentials.0.password',
    );
    expect(bestFieldMatch('listeners.1.auth.credentials.0', inputs)).toBe('listeners.1.auth.credentials.0.password');
    expect(bestFieldMatch('listeners.1', inputs)).toBe('listeners.1.port');
    expect(bestFieldMatch('listeners', inputs)).toBeNull();
    expect(bestFieldMatch('listeners.1.portal', inputs)).toBeNull();
    expect(bestFieldMatch('listeners.10.port', inputs)).toBeNull();
    expect(bestFieldMatch(undefined, inputs)).toBeNull();
  });

  it('tell which section and item an error is about', () => {
    expect(fieldSection('listeners.2.certificate.cert')).toEqual({ section: 'listeners', index: 2 });
    expect(fieldSection('faults.0.match.clientAddress')).toEqual({ section: 'faults', index: 0 });
    expect(fieldSection('retention.maxBytes')).toEqual({ section: 'retention', index: null });
    expect(fieldSection('preset')).toBeNull();
  });

  it('say plainly who wins at the next start', () => {
    const [pin] = pinnedAt(settings.pinned, 'listeners.smtp');
    expect(pinnedNote(pin!)).toBe(
      'Set by --smtp: a change here applies now and is saved, but --smtp wins at the next start.',
    );
    expect(pinnedAt(settings.pinned, 'listeners')).toEqual([]);
    expect(pinnedUnder(settings.pinned, 'listeners')).toEqual(settings.pinned);
    expect(pinnedUnder(settings.pinned, 'listeners.smtp2')).toEqual([]);
  });
});
