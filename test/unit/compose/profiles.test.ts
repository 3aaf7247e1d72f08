// Profiles at rest: secrets sealed (never plain in the table), shown as {stored: true}, kept across an edit that
// says so, dropped from exports, and clear errors for bad input.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { Profiles } from '../../../src-main/compose/profiles.js';
import { PROFILES_MIGRATION, ProfilesRepo } from '../../../src-main/compose/profiles-repo.js';
import { SecretBox } from '../../../src-main/core/secrets.js';
import type { ProfileEdit } from '../../../src-shared/index.js';

const CANARY = 'unit-canary-pw-9931';
let db: Database.Database;
let profiles: Profiles;

const base: ProfileEdit = {
  id: 'relay',
  name: 'Relay',
  host: 'smtp.example.test',
  port: 587,
  security: 'starttls-required',
  auth: { mechanism: 'LOGIN', user: 'me', password: CANARY },
};

beforeEach(() => {
  db = new Database(':memory:');
  db.exec(PROFILES_MIGRATION.sqlite);
  profiles = new Profiles(new ProfilesRepo(db), new SecretBox(randomBytes(32)));
});

function tableText(): string {
  return JSON.stringify(db.prepare('SELECT * FROM compose_profiles').all());
}

describe('profiles', () => {
  it('seals secrets at rest and shows them only as {stored: true}', () => {
    const view = profiles.create(base);
    expect(view.auth.password).toEqual({ stored: true });
    expect(tableText()).not.toContain(CANARY);
    expect(tableText()).toMatch(/sealed.{0,8}mw2:/);
    expect(profiles.config('relay').auth.password).toBe(CANARY);
    expect(JSON.stringify(profiles.list())).not.toContain(CANARY);
  });

  it('keeps the stored secret when an edit sends {stored: true}, replaces it when given', () => {
    profiles.create(base);
    profiles.update('relay', {
      ...base,
      name: 'Renamed',
      auth: { mechanism: 'LOGIN', user: 'me', password: { stored: true } },
    });
    expect(profiles.config('relay').auth.password).toBe(CANARY);
    expect(profiles.get('relay').name).toBe('Renamed');
    profiles.update('relay', { ...base, auth: { mechanism: 'LOGIN', user: 'me', password: 'new-one' } });
    expect(profiles.config('relay').auth.password).toBe('new-one');
  });

  it('refuses {stored: true} where nothing is stored, naming the field', () => {
    expect(() => profiles.create({ ...base, auth: { mechanism: 'PLAIN', password: { stored: true } } })).toThrow(
      /auth.password: there is no stored secret/,
    );
  });

  it('makes an id from the name, and refuses a second profile with the same id', () => {
    const { id: _id, ...withoutId } = base;
    expect(profiles.create({ ...withoutId, name: 'My Relay #1' }).id).toBe('my-relay-1');
    expect(profiles.create({ ...withoutId, name: 'My Relay #1' }).id).toBe('my-relay-1-2');
    profiles.create(base);
    expect(() => profiles.create(base)).toThrow(/exists already/);
  });

  it('gives a clear error for a PEM that does not parse', () => {
    expect(() => profiles.create({ ...base, tls: { verify: true, ca: 'not a pem' } })).toThrow(/tls.ca holds no PEM/);
    expect(() =>
      profiles.create({
        ...base,
        dkim: { domain: 'example.test', selector: 's', privateKey: 'garbage' },
      }),
    ).toThrow(/dkim.privateKey is not valid PEM/);
  });

  it('exports without secrets and imports: new profiles without them, existing ones keep theirs', () => {
    profiles.create(base);
    const exported = profiles.list();
    expect(JSON.stringify(exported)).not.toContain(CANARY);
    const result = profiles.import([{ ...exported[0]!, name: 'Updated by import' }]);
    expect(result).toEqual({ created: [], updated: ['relay'] });
    expect(profiles.config('relay').auth.password).toBe(CANARY);
    const fresh = new Database(':memory:');
    fresh.exec(PROFILES_MIGRATION.sqlite);
    const elsewhere = new Profiles(new ProfilesRepo(fresh), new SecretBox(randomBytes(32)));
    expect(elsewhere.import(exported as ProfileEdit[])).toEqual({ created: ['relay'], updated: [] });
    expect(elsewhere.config('relay').auth.password).toBeUndefined();
  });

  it('says which profile is missing', () => {
    expect(() => profiles.get('nope')).toThrow(/no profile "nope"/);
  });
});
