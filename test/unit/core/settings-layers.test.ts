// Layer order, pinned sources, shape errors with field paths, and stored secrets carried over an edit.
import { describe, expect, it } from 'vitest';
import { STORED, type ListenerConfig, type SettingsDocument } from '../../../src-shared/index.js';
import { defaultSettings } from '../../../src-main/core/defaults.js';
import { carryOverSection, checkShape, redactSection, resolveLayers } from '../../../src-main/core/settings-layers.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';

const base = (): SettingsDocument => defaultSettings(DEFAULT_RETENTION);
const sub: ListenerConfig = {
  id: 'submission',
  host: '127.0.0.1',
  port: 2587,
  tls: 'starttls-required',
  certificate: { mode: 'pem', cert: 'CERT', key: 'KEY-SECRET' },
  auth: {
    policy: 'required',
    mechanisms: ['PLAIN', 'XOAUTH2'],
    credentials: [
      { username: 'qa', password: 'pw-1' },
      { username: 'bot', token: 'tok-1' },
    ],
  },
};

describe('resolveLayers', () => {
  it('applies layers in order: lists replace, retention and smtp merge by field, addresses patch one listener', () => {
    const r = resolveLayers(
      base(),
      [
        { source: 'saved', settings: { listeners: [sub], smtp: { hostname: 'saved.test' } } },
        { source: 'config file f.yaml', settings: { smtp: { maxMessageBytes: 1000 }, retention: { maxMessages: 5 } } },
        {
          source: '--smtp',
          listenerAddress: {
            host: '127.0.0.1',
            port: 0,
            template: { id: 'smtp', host: '127.0.0.1', port: 1025, tls: 'starttls' },
          },
        },
        {
          source: '--smtps',
          listenerAddress: {
            host: '::1',
            port: 2465,
            template: { id: 'submission', host: 'x', port: 1, tls: 'implicit' },
          },
        },
      ],
      1,
    );
    expect(r.document.smtp).toEqual({
      hostname: 'saved.test',
      maxMessageBytes: 1000,
      maxInFlightBytes: 256 * 1024 * 1024,
      earlyTalkerDelayMs: 0,
    });
    expect(r.document.retention).toEqual({ maxMessages: 5, maxBytes: DEFAULT_RETENTION.maxBytes });
    expect(r.document.listeners.map((l) => [l.id, l.host, l.port, l.tls])).toEqual([
      ['submission', '::1', 2465, 'starttls-required'],
      ['smtp', '127.0.0.1', 0, 'starttls'],
    ]);
    // The saved layer (index 0) pins nothing: it is what the Settings page itself shows.
    expect(r.pinned).toEqual([
      { path: 'retention.maxMessages', source: 'config file f.yaml' },
      { path: 'smtp.maxMessageBytes', source: 'config file f.yaml' },
      { path: 'listeners.smtp', source: '--smtp' },
      { path: 'listeners.submission', source: '--smtps' },
    ]);
  });

  it('never changes the base it was given', () => {
    const b = base();
    resolveLayers(b, [{ source: 'x', listenerAddress: { host: 'h', port: 1, template: b.listeners[0]! } }]);
    expect(b).toEqual(base());
  });
});

describe('checkShape', () => {
  it('names the field of the first problem', () => {
    const doc = { ...base(), listeners: [{ ...sub, port: 70000 }] };
    expect(() => checkShape(doc)).toThrow(expect.objectContaining({ field: 'listeners.0.port' }));
    expect(() => checkShape({ ...base(), listeners: [sub, sub] })).toThrow(
      expect.objectContaining({
        field: 'listeners.1.id',
        message: expect.stringContaining('two listeners share the id "submission"'),
      }),
    );
    expect(() => checkShape({ ...base(), listeners: [{ ...sub, id: 'has space' }] })).toThrow(
      expect.objectContaining({ field: 'listeners.0.id' }),
    );
    expect(() => checkShape({ ...base(), smtp: { ...base().smtp, extra: 1 } as never })).toThrow(
      expect.objectContaining({ field: 'smtp' }),
    );
  });
});

describe('secrets', () => {
  it('redacts every secret to { stored: true } and keeps the rest', () => {
    const [r] = redactSection('listeners', [sub]);
    expect(r).toEqual({
      ...sub,
      certificate: { mode: 'pem', cert: 'CERT', key: STORED },
      auth: {
        ...sub.auth,
        credentials: [
          { username: 'qa', password: STORED },
          { username: 'bot', token: STORED },
        ],
      },
    });
    expect(JSON.stringify(r)).not.toMatch(/pw-1|tok-1|KEY-SECRET/);
  });

  it('carries stored secrets over by listener id and username, even reordered or renamed in place', () => {
    const [edit] = redactSection('listeners', [sub]);
    edit!.auth!.credentials!.reverse();
    edit!.auth!.credentials!.push({ username: 'new', password: 'typed' });
    const [out] = carryOverSection('listeners', [edit!], [sub]);
    expect(out!.auth!.credentials).toEqual([
      { username: 'bot', token: 'tok-1' },
      { username: 'qa', password: 'pw-1' },
      { username: 'new', password: 'typed' },
    ]);
    expect(out!.certificate).toEqual({ mode: 'pem', cert: 'CERT', key: 'KEY-SECRET' });
    const [renamed] = carryOverSection('listeners', [{ ...edit!, id: 'renamed' }], [sub]);
    expect(renamed!.certificate).toEqual({ mode: 'pem', cert: 'CERT', key: 'KEY-SECRET' });
  });

  it('refuses { stored: true } where nothing is stored, naming the field', () => {
    const [edit] = redactSection('listeners', [sub]);
    edit!.auth!.credentials![0] = { username: 'stranger', password: STORED };
    expect(() => carryOverSection('listeners', [edit!], [sub])).toThrow(
      expect.objectContaining({ field: 'listeners.0.auth.credentials.0.password' }),
    );
    expect(() => carryOverSection('listeners', [edit!], [])).toThrow(/no stored value/);
  });
});
