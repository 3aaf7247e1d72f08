// Listener configuration: validation with field-named errors, canonical JSON for change detection, and the
// port presets (high ports, said plainly, when low ones cannot be bound).
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  certificateKey,
  validateListener,
  type ListenerConfig,
} from '../../../src-main/capture/listener-config.js';
import { canBindLowPorts, listenerPresets } from '../../../src-main/capture/index.js';

const base: ListenerConfig = { id: 'l', host: '127.0.0.1', port: 0, tls: 'starttls' };

function fieldOf(config: unknown): string | undefined {
  try {
    validateListener(config as ListenerConfig, 2);
    return undefined;
  } catch (err) {
    return (err as { field?: string }).field;
  }
}

describe('validateListener', () => {
  it("accepts today's minimal listener and every TLS mode", () => {
    for (const tls of ['none', 'starttls', 'starttls-required', 'implicit'] as const)
      expect(fieldOf({ ...base, tls })).toBeUndefined();
  });

  it('names the field of each problem', () => {
    expect(fieldOf({ ...base, tls: 'ssl' })).toBe('listeners.2.tls');
    expect(fieldOf({ ...base, minTlsVersion: 'TLSv1.1' })).toBe('listeners.2.minTlsVersion');
    expect(fieldOf({ ...base, auth: { policy: 'sometimes', mechanisms: ['PLAIN'] } })).toBe('listeners.2.auth.policy');
    expect(fieldOf({ ...base, auth: { policy: 'required', mechanisms: ['NTLM'] } })).toBe(
      'listeners.2.auth.mechanisms',
    );
    expect(fieldOf({ ...base, auth: { policy: 'required', mechanisms: [] } })).toBe('listeners.2.auth.mechanisms');
    expect(
      fieldOf({ ...base, auth: { policy: 'required', mechanisms: ['PLAIN'], credentials: [{ username: 'u' }] } }),
    ).toBe('listeners.2.auth.credentials.0');
    expect(
      fieldOf({
        ...base,
        auth: {
          policy: 'required',
          mechanisms: ['PLAIN'],
          lockout: { maxFailures: 0, windowSeconds: 1, lockSeconds: 1 },
        },
      }),
    ).toBe('listeners.2.auth.lockout.maxFailures');
    expect(fieldOf({ ...base, limits: { maxConnections: 1.5 } })).toBe('listeners.2.limits.maxConnections');
    expect(fieldOf({ ...base, limits: { idleTimeoutSeconds: 10 ** 9 } })).toBe('listeners.2.limits.idleTimeoutSeconds');
    expect(fieldOf({ ...base, limits: { allowClients: ['localhost'] } })).toBe('listeners.2.limits.allowClients');
    expect(fieldOf({ ...base, limits: { allowClients: ['::1/129'] } })).toBe('listeners.2.limits.allowClients');
    expect(fieldOf({ ...base, limits: { recipientAllow: ['x'.repeat(300)] } })).toBe(
      'listeners.2.limits.recipientAllow',
    );
    expect(fieldOf({ ...base, certificate: { mode: 'pem', cert: 'x', key: 'y' } })).toBe(
      'listeners.2.certificate.cert',
    );
  });

  it('compiles CIDRs (IPv4, IPv6, single addresses) and globs once', () => {
    const p = validateListener(
      {
        ...base,
        limits: { allowClients: ['10.0.0.0/8', '::1', '192.0.2.7'], senderAllow: ['*@Example.test', 'user?@x.test'] },
      },
      0,
    );
    expect(p.allowClients?.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(p.allowClients?.check('11.0.0.1', 'ipv4')).toBe(false);
    expect(p.allowClients?.check('::1', 'ipv6')).toBe(true);
    expect(p.senderAllow?.some((match) => match('qa@example.TEST'))).toBe(true);
    expect(p.senderAllow?.some((match) => match('user12@x.test'))).toBe(false);
    expect(p.senderAllow?.some((match) => match('qa@example.test.evil'))).toBe(false);
    expect(p.recipientDeny).toBeNull();
  });
});

describe('canonicalJson and certificateKey', () => {
  it('ignores key order and undefined fields, not array order or values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: undefined } })).toBe(canonicalJson({ a: { d: [1, 2] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it('shares the default certificate, and keys generated ones by their SAN set', () => {
    expect(certificateKey(undefined)).toBe('default');
    expect(certificateKey({ mode: 'generated' })).toBe('default');
    expect(certificateKey({ mode: 'generated', sans: ['A.test', 'b.test'] })).toBe(
      certificateKey({ mode: 'generated', sans: ['b.test', 'a.test'] }),
    );
    expect(certificateKey({ mode: 'generated', sans: ['a.test'] })).not.toBe(
      certificateKey({ mode: 'generated', sans: ['b.test'] }),
    );
  });
});

describe('listenerPresets', () => {
  it('uses 25/587/465 when low ports can be bound, with no note', () => {
    const presets = listenerPresets(true);
    expect(presets.map((p) => [p.name, p.listener.port, p.note])).toEqual([
      ['25: plain relay', 25, null],
      ['587: submission, STARTTLS + AUTH required', 587, null],
      ['465: implicit TLS + AUTH', 465, null],
    ]);
    expect(presets[1]!.listener).toMatchObject({ tls: 'starttls-required', auth: { policy: 'required' } });
    expect(presets[2]!.listener).toMatchObject({ tls: 'implicit', auth: { policy: 'required' } });
  });

  it('moves to 2525/2587/2465 otherwise and says so; every preset is a valid listener', () => {
    const presets = listenerPresets(false);
    expect(presets.map((p) => p.listener.port)).toEqual([2525, 2587, 2465]);
    expect(presets[0]!.note).toBe(
      'Port 25 needs administrator rights on this machine, so this preset uses 2525. Point your app at 2525.',
    );
    presets.forEach((p, i) => expect(() => validateListener(p.listener, i)).not.toThrow());
    expect(typeof canBindLowPorts()).toBe('boolean');
  });
});
