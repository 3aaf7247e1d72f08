// Guardrails that refuse before any connection: the recipient-domain allow-list and the loopback confirmation.
import { describe, expect, it } from 'vitest';
import { checkGuardrails, isLoopbackHost } from '../../../src-main/compose/sender.js';
import { profileConfigSchema } from '../../../src-shared/index.js';

const profile = (host: string) => profileConfigSchema.parse({ id: 'p', name: 'p', host, port: 25, security: 'none' });

describe('guardrails', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.8.9.1', '::1', '[::1]', 'localhost', 'app.localhost'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', 'smtp.gmail.com', '::2', 'localhost.evil.test'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses recipients outside the allow-list, naming them, and allows subdomains', () => {
    const envelope = { from: 'a@x.test', to: ['ok@example.test', 'sub@mail.example.test', 'bad@other.test'] };
    expect(() => checkGuardrails({ profile: profile('127.0.0.1'), envelope, confirm: true }, ['example.test'])).toThrow(
      /bad@other\.test is outside the recipient-domain allow-list/,
    );
    expect(() =>
      checkGuardrails(
        { profile: profile('127.0.0.1'), envelope: { ...envelope, to: envelope.to.slice(0, 2) }, confirm: false },
        ['example.test'],
      ),
    ).not.toThrow();
  });

  it('asks for confirmation for another machine, showing the envelope recipients', () => {
    const envelope = { from: 'a@x.test', to: ['one@example.test', 'bcc@example.test'] };
    expect(() =>
      checkGuardrails({ profile: profile('smtp.example.test'), envelope, confirm: false }, undefined),
    ).toThrow(/confirm sending to one@example.test, bcc@example.test/);
    expect(() =>
      checkGuardrails({ profile: profile('smtp.example.test'), envelope, confirm: true }, undefined),
    ).not.toThrow();
  });

  it('refuses a send with no recipients', () => {
    expect(() =>
      checkGuardrails({ profile: profile('127.0.0.1'), envelope: { from: '', to: [] }, confirm: false }, undefined),
    ).toThrow(/no recipients/);
  });
});
