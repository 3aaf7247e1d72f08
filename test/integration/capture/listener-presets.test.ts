// The three one-click presets, started on port 0 and driven with swaks: plain relay takes mail without AUTH,
// submission insists on STARTTLS then AUTH, implicit TLS takes AUTH on the TLS connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenerPresets } from '../../../src-main/capture/index.js';
import { run, startCapture, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startCapture({ listeners: listenerPresets(false).map((p) => ({ ...p.listener, port: 0 })) });
});
afterAll(async () => {
  await h.close();
});

function swaks(id: string, extra: string[]) {
  return run('/usr/bin/swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(h.port(id)),
    '--timeout',
    '20',
    '--from',
    'app@example.test',
    '--to',
    'qa@example.test',
    ...extra,
  ]);
}
const login = ['--auth', 'LOGIN', '--auth-user', 'app', '--auth-password', 'pw'];

describe('listener presets', () => {
  it('25: plain relay takes mail without AUTH and does not offer it', async () => {
    const res = await swaks('relay', []);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).not.toMatch(/250-AUTH/);
    expect(h.messages.at(-1)!.envelope).toMatchObject({ listener: 'relay', authUser: null });
  });

  it('587: submission refuses mail before STARTTLS and AUTH, takes it after both', async () => {
    const plain = await swaks('submission', []);
    expect(plain.stdout).toContain('530 5.7.0 Must issue a STARTTLS command first');
    const noAuth = await swaks('submission', ['--tls']);
    expect(noAuth.stdout).toContain('530 5.7.0 Authentication required');
    const ok = await swaks('submission', ['--tls', ...login]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(h.messages.at(-1)!.envelope).toMatchObject({ listener: 'submission', authUser: 'app' });
  });

  it('465: implicit TLS takes AUTH on the TLS connection', async () => {
    const ok = await swaks('submissions', ['--tls-on-connect', ...login]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(h.messages.at(-1)!.envelope).toMatchObject({
      listener: 'submissions',
      authUser: 'app',
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/) },
    });
  });
});
