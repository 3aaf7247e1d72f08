// Shared set-up for the serve binding tests: a real core on port 0, the HTTP binding, a real SMTP client,
// and a raw HTTP client (fetch cannot send a forged Host header or an un-normalized path).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { Core } from '../../../src-main/core/core.js';
import { startHttpBinding, type HttpBinding, type HttpBindingOptions } from '../../../src-main/serve/http.js';

export { CORPUS_DIR as CORPUS } from '../../helpers/corpus.js';
import { CORPUS_DIR as CORPUS } from '../../helpers/corpus.js';
import { createDatabaseAt, serveStoreCluster } from '../../helpers/postgres.js';

export interface Stack {
  core: Core;
  http: HttpBinding;
  smtpPort: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startStack(httpOptions: Partial<HttpBindingOptions> = {}): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailwright-serve-'));
  // The serve-postgres project: this core keeps its mail in a fresh database of the project's cluster.
  const cluster = serveStoreCluster();
  const core = await Core.start({
    dataDir,
    listeners: [{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'starttls' }],
    ...(cluster ? { store: { url: await createDatabaseAt(cluster) } } : {}),
  });
  const binding = await startHttpBinding(core, { host: '127.0.0.1', port: 0, ...httpOptions });
  const smtpPort = core.status().listeners[0]?.port ?? 0;
  return {
    core,
    http: binding,
    smtpPort,
    dataDir,
    async stop() {
      await binding.close();
      await core.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sends the bytes as they are (nodemailer's raw option), through STARTTLS with the capture server's own certificate. */
export async function sendRaw(smtpPort: number, raw: Buffer | string, to = 'b@example.test'): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail({ envelope: { from: 'a@example.test', to: [to] }, raw });
  } finally {
    transport.close();
  }
}

export async function sendSimple(smtpPort: number, subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject, text: `body of ${subject}` });
  } finally {
    transport.close();
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** One HTTP request with exactly the path and headers given (Host defaults to the bound address); `localAddress` picks the client address (127.0.0.2…). */
export function request(
  base: string,
  pathAndQuery: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string; localAddress?: string } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: pathAndQuery,
        method: init.method ?? 'GET',
        // Node frames a DELETE body only when told its length; unframed, the server would read it as a second request.
        headers: {
          Host: url.host,
          ...(init.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(init.body)) } : {}),
          ...init.headers,
        },
        agent: false,
        ...(init.localAddress ? { localAddress: init.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: <T>() => JSON.parse(body.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export function readCorpus(relative: string): Buffer {
  return fs.readFileSync(path.join(CORPUS, relative));
}
