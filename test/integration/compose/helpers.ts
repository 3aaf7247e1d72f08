// Shared by the compose tests: a real Core whose capture listeners (every TLS mode and AUTH policy, one with an
// expired certificate) are the far end of the profiles under test, and a canary secret to hunt for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { Core } from '../../../src-main/core/core.js';
import type { CallName, CallResult, ListenerConfig, ProfileEdit } from '../../../src-shared/index.js';

/** A password no code path may ever show: the tests grep every output for it. */
export const CANARY = 'canary-Pw-7781-zq';
export const TOKEN = 'canary-token-5527-xk';
export const USER = 'alice';

export const CREDENTIALS = [{ username: USER, password: CANARY, token: TOKEN }];
const ALL_MECHANISMS = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] as ('PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2')[];

export async function expiredCertificate(): Promise<{ cert: string; key: string }> {
  const day = 24 * 60 * 60 * 1000;
  const pems = await generate([{ name: 'commonName', value: 'expired.test' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 30 * day),
    notAfterDate: new Date(Date.now() - 2 * day),
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface Far {
  core: Core;
  dir: string;
  port(id: string): number;
  pem(id: string): Promise<string>;
  call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>>;
  /** Every event the core emitted, serialised, for the canary hunt. */
  events: string[];
  close(): Promise<void>;
}

export async function startFarEnd(extra: ListenerConfig[] = []): Promise<Far> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-compose-'));
  const expired = await expiredCertificate();
  const listeners: ListenerConfig[] = [
    { id: 'plain', host: '127.0.0.1', port: 0, tls: 'none', auth: { policy: 'off', mechanisms: [] } },
    {
      id: 'starttls',
      host: '127.0.0.1',
      port: 0,
      tls: 'starttls',
      auth: { policy: 'required', mechanisms: ALL_MECHANISMS, credentials: CREDENTIALS },
    },
    {
      id: 'required',
      host: '127.0.0.1',
      port: 0,
      tls: 'starttls-required',
      auth: { policy: 'required', mechanisms: ['PLAIN'], credentials: CREDENTIALS },
    },
    {
      id: 'implicit',
      host: '127.0.0.1',
      port: 0,
      tls: 'implicit',
      auth: { policy: 'optional', mechanisms: ALL_MECHANISMS, credentials: CREDENTIALS },
    },
    {
      id: 'expired',
      host: '127.0.0.1',
      port: 0,
      tls: 'implicit',
      certificate: { mode: 'pem', cert: expired.cert, key: expired.key },
      auth: { policy: 'off', mechanisms: [] },
    },
    ...extra,
  ];
  const core = await Core.start({ dataDir: dir, listeners });
  const events: string[] = [];
  core.events.onAny((name, data) => events.push(`${name} ${JSON.stringify(data)}`));
  const call = async <K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> => {
    const r = await core.invoke(name, args);
    if (!r.ok) throw Object.assign(new Error(`${name}: ${r.error.message}`), { apiError: r.error });
    return r.value;
  };
  return {
    core,
    dir,
    events,
    call,
    port(id) {
      const l = core.status().listeners.find((x) => x.id === id);
      if (!l || l.state !== 'listening') throw new Error(`listener ${id} is not listening: ${JSON.stringify(l)}`);
      return l.port;
    },
    async pem(id) {
      return (await call('listeners.certificate', { id })).pem;
    },
    async close() {
      await core.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A profile aimed at one of the far end's listeners. */
export function profileFor(far: Far, listener: string, over: Partial<ProfileEdit> = {}): ProfileEdit {
  counter++;
  return {
    id: `p${counter}-${listener}`,
    name: `test ${listener} ${counter}`,
    host: '127.0.0.1',
    port: far.port(listener),
    security: 'none',
    tls: { verify: false },
    auth: { mechanism: 'none' },
    ...over,
  };
}
