// `serve` configuration from flags and environment, validated once at start-up; each error names its area.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MailwrightError } from '../../src-shared/index.js';
import { DEFAULT_HTTP, DEFAULT_SMTP, defaultDataDir, parseHostPort } from '../core/defaults.js';
import { readSettingsFile } from '../core/config-file.js';
import type { SettingsLayer } from '../core/settings-layers.js';
import { hostnameOf, isLoopbackHost, tokenProblem } from './security.js';

export const USAGE = `Usage: mailwright serve [options]

Runs the capture server and the web UI + API without the desktop app.

Options (flags override environment variables, and both override the config file):
  --config FILE             settings file, JSON or YAML (.yaml/.yml): listeners, TLS, AUTH, limits, fault
                            rules, retention; see docs/configuration.md   [MAILWRIGHT_CONFIG]
  --smtp HOST:PORT          address of the listener "smtp" (STARTTLS)  [MAILWRIGHT_SMTP, default ${DEFAULT_SMTP.host}:${DEFAULT_SMTP.port}]
  --smtps HOST:PORT         address of the listener "smtps" (implicit TLS), added if missing  [MAILWRIGHT_SMTPS]
  --http HOST:PORT          web UI, REST API, WebSocket   [MAILWRIGHT_HTTP, default ${DEFAULT_HTTP.host}:${DEFAULT_HTTP.port}]
  --data DIR                where mail is stored          [MAILWRIGHT_DATA, default ${defaultDataDir()}]
  --store URL               keep mail in a PostgreSQL database that several instances can share:
                            postgres://USER:PASSWORD@HOST:PORT/DB (default: SQLite in --data; the
                            password is better given as PGPASSWORD)   [MAILWRIGHT_STORE]
  --token TOKEN             access token for the web UI and API (16 characters or more); required when
                            --http is not loopback; visible in ps, so prefer --token-file   [MAILWRIGHT_TOKEN]
  --token-file PATH         read the access token from this file (first line; keep it chmod 600)
                                                          [MAILWRIGHT_TOKEN_FILE]
  --allowed-host NAME       extra Host name to accept (reverse proxy, LAN name); repeatable
                                                          [MAILWRIGHT_ALLOWED_HOSTS, comma-separated]
  --max-message-size BYTES  largest message SMTP accepts  [MAILWRIGHT_MAX_MESSAGE_SIZE, default 50 MB]
  --early-talker-delay MS   wait before the SMTP greeting and refuse clients that talk first, as
                            real servers do                [MAILWRIGHT_EARLY_TALKER_DELAY, default 0: greet at once]
  -h, --help                show this help

Without a config file, the settings saved from the Settings page apply (they live in the data folder).
Port 0 picks a free port. Once every listener is up, one line starting with "MAILWRIGHT_READY " carries
the bound addresses as JSON.
`;

export interface ServeConfig {
  /** Config file, then environment variables and flags: each a settings layer over the saved settings. */
  layers: SettingsLayer[];
  http: { host: string; port: number };
  dataDir: string;
  token: string | undefined;
  allowedHosts: string[];
  /** Things to fix that do not stop start-up (a token file others can read); cli.ts prints them. */
  warnings: string[];
}

/** A mistake in flags or environment: `serve` prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ParsedServeArgs = { help: true } | { help: false; config: ServeConfig };

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        smtp: { type: 'string' },
        smtps: { type: 'string' },
        http: { type: 'string' },
        data: { type: 'string' },
        store: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        'max-message-size': { type: 'string' },
        'early-talker-delay': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { help: true };

  const pick = (
    flag: string,
    envName: string,
    value: string | undefined,
  ): { value: string; source: string } | undefined => {
    if (value !== undefined) return { value, source: `--${flag}` };
    const fromEnv = env[envName];
    return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, source: envName } : undefined;
  };
  const hostPort = (flag: string, envName: string, value: string | undefined) => {
    const picked = pick(flag, envName, value);
    if (!picked) return undefined;
    try {
      return parseHostPort(picked.value, picked.source);
    } catch (err) {
      throw new UsageError(`[${flag}] ${(err as Error).message}`);
    }
  };

  const layers: SettingsLayer[] = [];
  const configFile = pick('config', 'MAILWRIGHT_CONFIG', values.config);
  if (configFile) {
    try {
      layers.push(readSettingsFile(configFile.value));
    } catch (err) {
      if (err instanceof MailwrightError) throw new UsageError(settingErrorText(err));
      throw err;
    }
  }
  const smtpPick = pick('smtp', 'MAILWRIGHT_SMTP', values.smtp);
  const smtp = hostPort('smtp', 'MAILWRIGHT_SMTP', values.smtp);
  const smtpsPick = pick('smtps', 'MAILWRIGHT_SMTPS', values.smtps);
  const smtps = hostPort('smtps', 'MAILWRIGHT_SMTPS', values.smtps);
  const http = hostPort('http', 'MAILWRIGHT_HTTP', values.http) ?? { ...DEFAULT_HTTP };
  if (smtp && smtps && smtps.port !== 0 && smtps.port === smtp.port && smtps.host === smtp.host) {
    throw new UsageError(`[smtps] ${smtps.host}:${smtps.port} is already the --smtp listener: pick another port`);
  }
  if (smtp && smtpPick) layers.push({ source: smtpPick.source, listenerAddress: { ...smtp, template: DEFAULT_SMTP } });
  if (smtps && smtpsPick) {
    layers.push({
      source: smtpsPick.source,
      listenerAddress: { ...smtps, template: { id: 'smtps', host: smtps.host, port: smtps.port, tls: 'implicit' } },
    });
  }

  const store = pick('store', 'MAILWRIGHT_STORE', values.store);
  if (store) layers.push({ source: store.source, store: { url: store.value } });

  const dataDir = path.resolve(pick('data', 'MAILWRIGHT_DATA', values.data)?.value ?? defaultDataDir(env));

  const warnings: string[] = [];
  const token = accessToken(values.token, values['token-file'], env, warnings);
  if (!token && !isLoopbackHost(http.host)) {
    throw new UsageError(
      `[http] binding ${http.host} makes your captured mail reachable from the network: ` +
        'pass --token-file PATH or --token TOKEN (or set MAILWRIGHT_TOKEN_FILE / MAILWRIGHT_TOKEN), or bind 127.0.0.1',
    );
  }

  const allowedHosts = values['allowed-host'] ?? splitList(env.MAILWRIGHT_ALLOWED_HOSTS);
  for (const name of allowedHosts) {
    if (hostnameOf(name) === null || /:\d+$/.test(name))
      throw new UsageError(`[http] --allowed-host: ${JSON.stringify(name)} is not a host name`);
  }

  const size = pick('max-message-size', 'MAILWRIGHT_MAX_MESSAGE_SIZE', values['max-message-size']);
  if (size)
    layers.push({
      source: size.source,
      settings: { smtp: { maxMessageBytes: wholeNumber(size, 'a number of bytes', 1) } },
    });
  const delay = pick('early-talker-delay', 'MAILWRIGHT_EARLY_TALKER_DELAY', values['early-talker-delay']);
  // Real servers wait seconds at most; a longer delay would only look like a hang to the client.
  if (delay)
    layers.push({
      source: delay.source,
      settings: { smtp: { earlyTalkerDelayMs: wholeNumber(delay, 'milliseconds from 0 to 30000', 0, 30_000) } },
    });

  return { help: false, config: { layers, http, dataDir, token, allowedHosts, warnings } };
}

/**
 * The token from a flag, else from the environment; a file and a literal at the same level is a mistake, not a
 * choice we make silently. A file keeps the token out of `ps` and shell history.
 */
function accessToken(
  flag: string | undefined,
  fileFlag: string | undefined,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): string | undefined {
  const envToken = env.MAILWRIGHT_TOKEN || undefined;
  const envFile = env.MAILWRIGHT_TOKEN_FILE || undefined;
  if (flag !== undefined && fileFlag !== undefined)
    throw new UsageError('[http] pass --token or --token-file, not both');
  if (flag === undefined && fileFlag === undefined && envToken !== undefined && envFile !== undefined) {
    throw new UsageError('[http] set MAILWRIGHT_TOKEN or MAILWRIGHT_TOKEN_FILE, not both');
  }
  let token: string;
  let source: string;
  if (flag !== undefined) [token, source] = [flag, '--token'];
  else if (fileFlag !== undefined)
    [token, source] = [readTokenFile(fileFlag, '--token-file', warnings), '--token-file'];
  else if (envToken !== undefined) [token, source] = [envToken, 'MAILWRIGHT_TOKEN'];
  else if (envFile !== undefined)
    [token, source] = [readTokenFile(envFile, 'MAILWRIGHT_TOKEN_FILE', warnings), 'MAILWRIGHT_TOKEN_FILE'];
  else return undefined;
  const problem = tokenProblem(token, source);
  if (problem) throw new UsageError(`[http] ${problem}`);
  return token;
}

/** A token file (secret managers and `openssl rand -hex 32 > file` write one) holds one line; its newline is not part of the token. */
const MAX_TOKEN_FILE_BYTES = 4096;

function readTokenFile(file: string, source: string, warnings: string[]): string {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UsageError(`[http] ${source}: ${file} is not a file`);
    if (stat.size > MAX_TOKEN_FILE_BYTES)
      throw new UsageError(`[http] ${source}: ${file} is ${stat.size} bytes; a token file holds one line`);
    // Kubernetes and Docker mount secrets 0644 by default, so a readable file is a warning, not a refusal.
    if (process.platform !== 'win32' && (stat.mode & 0o044) !== 0) {
      warnings.push(`[http] ${source}: ${file} can be read by other users of this machine; run chmod 600 ${file}`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `[http] ${source}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const lines = text.split(/\r?\n/);
  if (lines.slice(1).some((l) => l.trim() !== ''))
    throw new UsageError(`[http] ${source}: ${file} must hold the token on one line`);
  const token = lines[0]?.trim() ?? '';
  if (token === '') throw new UsageError(`[http] ${source}: ${file} is empty`);
  return token;
}

/** A settings error as serve prints it: the message, plus the field path when the message does not already say it. */
export function settingErrorText(err: MailwrightError): string {
  return err.field && !err.message.includes(err.field) ? `${err.message} (${err.field})` : err.message;
}

function wholeNumber(
  picked: { value: string; source: string },
  expected: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = /^\d{1,15}$/.test(picked.value) ? Number(picked.value) : NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`[smtp] ${picked.source}: expected ${expected}, got ${JSON.stringify(picked.value)}`);
  return n;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
