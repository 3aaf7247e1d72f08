// `serve --config FILE` as a user runs it: a YAML file with several listeners, AUTH and a fault rule, driven with
// swaks, python smtplib and openssl; flags over environment over the file; and every kind of bad file refused at
// start with the field named.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src-shared/index.js';
import { cleanEnv, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { run } from '../capture/helpers.js';
import { request } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SWAKS = '/usr/bin/swaks';
const tmpDirs: string[] = [];

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-config-'));
  tmpDirs.push(dir);
  return dir;
}

function writeConfig(text: string, name = 'mailwright.yaml'): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

function runServe(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src-main/serve/cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 60_000,
  });
}

const CONFIG = `# A relay, a submission port and one fault rule
smtp:
  hostname: mx.config.test
listeners:
  - id: relay
    host: 127.0.0.1
    port: 0
    tls: none
    auth: { policy: "off", mechanisms: [] }
  - id: submission
    host: 127.0.0.1
    port: 0
    tls: starttls-required
    auth:
      policy: required
      mechanisms: [PLAIN, LOGIN, CRAM-MD5]
      credentials:
        - { username: qa, password: "file-secret-1" }
faults:
  - id: no-such-user
    name: Unknown user
    enabled: true
    listeners: [relay]
    match: { stage: rcpt, recipient: "nobody@*" }
    action: { kind: reply, code: 550, enhanced: 5.1.1, text: "Recipient address rejected: User unknown" }
retention:
  maxMessages: 1000
`;

describe('serve --config', () => {
  let serve: ServeProcess;
  let base: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    const file = writeConfig(CONFIG);
    // The environment asks for a taken port for "smtp": the flag must win, or start-up would fail.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      serve = await startServe(
        ['--config', file, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', tmpDir()],
        { MAILWRIGHT_SMTP: `127.0.0.1:${taken}` },
      );
    } finally {
      blocker.close();
    }
    base = serve.ready.http.replace(/\/$/, '');
    for (const l of serve.ready.smtp) ports[l.id] = l.port;
  });
  afterAll(async () => {
    await serve?.stop();
    for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs every listener of the file, plus the one the flag adds', () => {
    expect(serve.ready.smtp.map((l) => [l.id, l.tls])).toEqual([
      ['relay', 'none'],
      ['submission', 'starttls-required'],
      ['smtp', 'starttls'],
    ]);
    expect(serve.output()).toContain(`(submission: STARTTLS required, AUTH required)`);
  });

  it('submission: swaks must STARTTLS and AUTH with the file credentials', async () => {
    const common = [
      '--server',
      '127.0.0.1',
      '--port',
      String(ports.submission),
      '--from',
      'app@example.test',
      '--to',
      'qa@example.test',
      '--timeout',
      '20',
    ];
    const ok = await run(SWAKS, [
      ...common,
      '-tls',
      '--auth',
      'LOGIN',
      '--auth-user',
      'qa',
      '--auth-password',
      'file-secret-1',
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('220 mx.config.test');
    const wrong = await run(SWAKS, [
      ...common,
      '-tls',
      '--auth',
      'CRAM-MD5',
      '--auth-user',
      'qa',
      '--auth-password',
      'nope',
    ]);
    expect(wrong.stdout, wrong.stdout).toMatch(/<[~*]*\s+535 5\.7\.8/);
    const noTls = await run(SWAKS, [...common]);
    expect(noTls.stdout).toMatch(/<[~*]*\s+530 5\.7\.0/);
  });

  it('relay: the fault rule answers python smtplib with 550 5.1.1 for nobody@ and lets others through', async () => {
    const script = `
import json, smtplib, sys
s = smtplib.SMTP("127.0.0.1", ${ports.relay}, timeout=20)
try:
    s.sendmail("app@example.test", ["nobody@example.test"], "Subject: x\\r\\n\\r\\nx")
    out = {"refused": None}
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients["nobody@example.test"]
    out = {"refused": [code, text.decode()]}
s.sendmail("app@example.test", ["qa@example.test"], "Subject: relayed\\r\\n\\r\\nx")
s.quit()
print(json.dumps(out))
`;
    const res = await run('python3', ['-c', script]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout.trim())).toEqual({ refused: [550, '5.1.1 Recipient address rejected: User unknown'] });
    const metrics = (await request(base, '/api/metrics')).json<{ faultRuleHits: Record<string, number> }>();
    expect(metrics.faultRuleHits).toEqual({ 'no-such-user': 1 });
  });

  it('shows the file settings as pinned and never returns the password', async () => {
    const res = await request(base, '/api/settings');
    expect(res.status).toBe(200);
    const s = res.json<Settings>();
    expect(res.body.toString()).not.toContain('file-secret-1');
    expect(s.listeners[1]?.auth?.credentials).toEqual([{ username: 'qa', password: { stored: true } }]);
    expect(s.retention.maxMessages).toBe(1000);
    expect(s.pinned.map((p) => p.path)).toEqual(
      expect.arrayContaining(['listeners', 'faults', 'smtp.hostname', 'retention.maxMessages', 'listeners.smtp']),
    );
    expect(s.pinned.find((p) => p.path === 'listeners.smtp')?.source).toBe('--smtp');
  });

  it('exports the certificate a STARTTLS client is shown (openssl s_client)', async () => {
    const res = await request(base, '/api/listeners/submission/certificate.pem');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('mailwright-submission.pem');
    const exported = new X509Certificate(res.body);
    const seen = await run(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${ports.submission}`, '-starttls', 'smtp', '-servername', 'localhost'],
      'QUIT\r\n',
    );
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(seen.stdout)?.[0];
    expect(pem, seen.stdout + seen.stderr).toBeDefined();
    expect(new X509Certificate(pem!).fingerprint256).toBe(exported.fingerprint256);
    expect((await request(base, '/api/listeners/relay/certificate.pem')).status).toBe(404);
  });
});

describe('serve --config refuses a bad file at start, naming the field', () => {
  const listener = (extra: string) =>
    `listeners:\n  - id: smtp\n    host: 127.0.0.1\n    port: 0\n    tls: starttls\n${extra}`;
  const cases: [string, string, RegExp][] = [
    [
      'an invalid CIDR',
      listener('    limits: { allowClients: ["10.0.0.0/33"] }\n'),
      /listeners\.0\.limits\.allowClients|allowClients: "10\.0\.0\.0\/33"/,
    ],
    [
      'a bad PEM',
      listener(
        '    certificate: { mode: pem, cert: "-----BEGIN CERTIFICATE-----\\nxx\\n-----END CERTIFICATE-----", key: "k" }\n',
      ),
      /certificate\.cert is not a PEM certificate/,
    ],
    [
      'a pattern that will not compile',
      'faults:\n  - { id: r, name: r, enabled: true, match: { stage: connect, clientAddress: "300.1.1.1" }, action: { kind: drop } }\n',
      /faults\.0\.match\.clientAddress/,
    ],
    ['a misspelt key', listener('    tsl: none\n'), /listeners\.0: Unrecognized key: "tsl"/],
    ['a wrong type', 'retention: { maxMessages: "many" }\n', /retention\.maxMessages/],
    ['broken YAML', 'listeners: [\n', /is not valid YAML/],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      const res = runServe(['--config', writeConfig(text), '--http', '127.0.0.1:0', '--data', tmpDir()]);
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toMatch(expected);
      expect(res.stdout).not.toContain('MAILWRIGHT_READY');
    });
  }

  it('broken JSON, and a file that is not there', () => {
    const json = runServe([
      '--config',
      writeConfig('{"listeners": [}', 'm.json'),
      '--http',
      '127.0.0.1:0',
      '--data',
      tmpDir(),
    ]);
    expect(json.status).toBe(2);
    expect(json.stderr).toMatch(/is not valid JSON/);
    const missing = runServe([
      '--config',
      path.join(tmpDir(), 'nope.yaml'),
      '--http',
      '127.0.0.1:0',
      '--data',
      tmpDir(),
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/\[config\] cannot read .*nope\.yaml/);
  });

  it('a port in use exits 1 naming the listener and the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const file = writeConfig(`listeners:\n  - { id: relay, host: 127.0.0.1, port: ${taken}, tls: none }\n`);
      const res = runServe(['--config', file, '--http', '127.0.0.1:0', '--data', tmpDir()]);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`[relay] port ${taken} is in use`);
    } finally {
      blocker.close();
    }
  });
});
