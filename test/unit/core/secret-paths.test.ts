// Secrets of any section are found by declared paths; a profile-like section shows the generic rules at work.
import { describe, expect, it } from 'vitest';
import { STORED } from '../../../src-shared/index.js';
import { carryOverSecrets, mapSecrets } from '../../../src-main/core/secret-paths.js';

const section = {
  secretPaths: ['*.auth.password', '*.tls.key', '*.headers.*'],
  items: { '': { key: 'name' } },
};

const profiles = [
  { name: 'relay', auth: { user: 'u', password: 'pw-relay' }, tls: { ca: 'CA' } },
  { name: 'ses', auth: { user: 'v', password: 'pw-ses' }, tls: { key: 'KEY' }, headers: { a: 'h1', b: 'h2' } },
];

describe('mapSecrets', () => {
  it('visits exactly the secrets that are present, with concrete paths, and leaves the input alone', () => {
    const seen: string[] = [];
    const out = mapSecrets(profiles, section.secretPaths, (v, path) => {
      seen.push(`${path}=${String(v)}`);
      return STORED;
    });
    expect(seen.sort()).toEqual(
      [
        '0.auth.password=pw-relay',
        '1.auth.password=pw-ses',
        '1.tls.key=KEY',
        '1.headers.a=h1',
        '1.headers.b=h2',
      ].sort(),
    );
    expect(out[0]).toEqual({ name: 'relay', auth: { user: 'u', password: STORED }, tls: { ca: 'CA' } });
    expect(JSON.stringify(out)).not.toMatch(/pw-|KEY|h1/);
    expect(profiles[0]!.auth.password).toBe('pw-relay');
  });

  it('maps a secret once per place even when two places share one object', () => {
    const shared = { user: 'u', password: 'pw' };
    const twice = [
      { name: 'a', auth: shared },
      { name: 'b', auth: shared },
    ];
    const calls: unknown[] = [];
    const out = mapSecrets(twice, ['*.auth.password'], (v) => {
      calls.push(v);
      return `sealed(${String(v)})`;
    });
    expect(calls).toEqual(['pw', 'pw']);
    expect(out.map((p) => p.auth.password)).toEqual(['sealed(pw)', 'sealed(pw)']);
  });

  it('removes a field when the function returns undefined', () => {
    const out = mapSecrets(profiles, ['*.tls.key'], () => undefined);
    expect(out[1]!.tls).toEqual({});
  });
});

describe('carryOverSecrets', () => {
  it('keeps stored secrets by item key even when the list is reordered, and takes typed ones as given', () => {
    const edited = [
      { name: 'ses', auth: { user: 'v', password: STORED }, tls: { key: STORED } },
      { name: 'relay', auth: { user: 'u', password: 'typed' }, tls: { ca: 'CA' } },
    ];
    const out = carryOverSecrets<typeof profiles>('profiles', section, edited, profiles);
    expect(out[0]!.auth.password).toBe('pw-ses');
    expect(out[0]!.tls).toEqual({ key: 'KEY' });
    expect(out[1]!.auth.password).toBe('typed');
  });

  it('refuses { stored: true } with nothing stored behind it, naming the field', () => {
    const edited = [{ name: 'new', auth: { user: 'x', password: STORED } }];
    expect(() => carryOverSecrets('profiles', section, edited, profiles)).toThrow(
      expect.objectContaining({ code: 'invalid_argument', field: 'profiles.0.auth.password' }),
    );
  });
});
