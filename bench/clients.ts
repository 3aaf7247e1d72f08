// The three load clients, each run as its own process pinned to the client core:
// a pooled nodemailer transport, smtp-source reusing sessions (-d), and smtp-source opening
// one connection per message (what most frameworks do).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helperArgs } from './build.js';
import type { ClientResult } from './client-nodemailer.js';
import { buildMessageFile, FROM, TO, type SizeName } from './messages.js';
import { CLIENT_CORE, spawnPinned, waitExit } from './proc.js';
import { ROOT } from './servers.js';

export type ClientName = 'nodemailer' | 'source-reuse' | 'source-conn';
export const ALL_CLIENTS: ClientName[] = ['nodemailer', 'source-reuse', 'source-conn'];
export const CLIENT_LABEL: Record<ClientName, string> = {
  nodemailer: 'nodemailer pool',
  'source-reuse': 'smtp-source -d (reused sessions)',
  'source-conn': 'smtp-source (1 conn/msg)',
};

const SMTP_SOURCE = '/usr/sbin/smtp-source';

export interface LoadResult {
  sent: number;
  failed: number;
  firstError: string | null;
  wallMs: number;
  msgPerSec: number;
  /** Accept latency per message; null where the client cannot time single messages. */
  p50Ms: number | null;
  p99Ms: number | null;
}

const messageFiles = new Map<SizeName, string>();
let fileDir: string | null = null;

/** smtp-source sends one file for every message, so its runs all carry token 0 and the shared token. */
function messageFile(size: SizeName): string {
  let file = messageFiles.get(size);
  if (!file) {
    fileDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'wrbench-msg-'));
    file = path.join(fileDir, `message-${size}.eml`);
    fs.writeFileSync(file, buildMessageFile(size, 0));
    messageFiles.set(size, file);
  }
  return file;
}

export function cleanupClientFiles(): void {
  if (fileDir) fs.rmSync(fileDir, { recursive: true, force: true });
  fileDir = null;
  messageFiles.clear();
}

/**
 * Sends `warmup` untimed messages first (same client, same mode), then times `n`.
 * Warm-up tokens come after the measured ones: the server stores n + warmup messages.
 */
export async function runClient(
  client: ClientName,
  port: number,
  n: number,
  concurrency: number,
  size: SizeName,
  timeoutMs: number,
  warmup = 0,
): Promise<LoadResult> {
  if (client === 'nodemailer') {
    const p = spawnPinned(
      CLIENT_CORE,
      process.execPath,
      [...helperArgs('client-nodemailer'), JSON.stringify({ port, n, concurrency, size, warmup })],
      { cwd: ROOT },
    );
    const code = await waitExit(p, timeoutMs, `nodemailer client (n=${n}, c=${concurrency}, ${size})`);
    const line = p
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('CLIENT_RESULT '));
    if (code !== 0 || !line) throw new Error(`nodemailer client failed (exit ${code}): ${p.stderr().slice(-1000)}`);
    return JSON.parse(line.slice('CLIENT_RESULT '.length)) as ClientResult;
  }
  if (warmup > 0) {
    const w = await runClient(client, port, warmup, concurrency, size, timeoutMs);
    if (w.failed > 0) throw new Error(`warm-up failed: ${w.firstError}`);
  }
  const args = [
    '-s',
    String(concurrency),
    '-m',
    String(n),
    '-F',
    messageFile(size),
    '-f',
    FROM,
    '-t',
    TO,
    '-M',
    'bench.example.test',
  ];
  if (client === 'source-reuse') args.unshift('-d');
  const t0 = performance.now();
  const p = spawnPinned(CLIENT_CORE, SMTP_SOURCE, [...args, `127.0.0.1:${port}`]);
  const code = await waitExit(p, timeoutMs, `smtp-source (n=${n}, c=${concurrency}, ${size})`);
  const wallMs = performance.now() - t0;
  // smtp-source reports every refused or broken transaction on stderr and exits non-zero on fatal ones.
  const errors = p
    .stderr()
    .split('\n')
    .filter((l) => l.trim());
  const ok = code === 0 && errors.length === 0;
  return {
    sent: ok ? n : 0,
    failed: ok ? 0 : n,
    firstError: ok ? null : `exit ${code}: ${errors.slice(0, 3).join(' | ')}`,
    wallMs,
    msgPerSec: ok ? n / (wallMs / 1000) : 0,
    p50Ms: null,
    p99Ms: null,
  };
}
