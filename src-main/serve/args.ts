// `serve` configuration from flags and environment, validated once at start-up; each error names its area.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HTTP, DEFAULT_SMTP, defaultDataDir, parseHostPort } from '../core/config.js';
import type { ListenerConfig } from '../smtp/index.js';
import { hostnameOf, isLoopbackHost } from './security.js';

export const USAGE = `Usage: mailwright serve [options]

Runs the capture server and the web UI + API without the desktop app.

Options (flags override environment variables):
  --smtp HOST:PORT          SMTP listener with STARTTLS   [MAILWRIGHT_SMTP, default ${DEFAULT_SMTP.host}:${DEFAULT_SMTP.port}]
  --smtps HOST:PORT         extra implicit-TLS listener   [MAILWRIGHT_SMTPS, default off]
  --http HOST:PORT          web UI, REST API, WebSocket   [MAILWRIGHT_HTTP, default ${DEFAULT_HTTP.host}:${DEFAULT_HTTP.port}]
  --data DIR                where mail is stored          [MAILWRIGHT_DATA, default ${defaultDataDir()}]
  --token TOKEN             access token for the web UI and API; required when --http is not loopback
                                                          [MAILWRIGHT_TOKEN]
  --allowed-host NAME       extra Host name to accept (reverse proxy, LAN name); repeatable
                                                          [MAILWRIGHT_ALLOWED_HOSTS, comma-separated]
  --max-message-size BYTES  largest message SMTP accepts  [MAILWRIGHT_MAX_MESSAGE_SIZE, default 50 MB]
  --early-talker-delay MS   wait before the SMTP greeting and refuse clients that talk first, as
                            real servers do                [MAILWRIGHT_EARLY_TALKER_DELAY, default 0: greet at once]
  -h, --help                show this help

Port 0 picks a free port. Once every listener is up, one line starting with "MAILWRIGHT_READY " carries
the bound addresses as JSON.
`;

export interface ServeConfig {
  listeners: ListenerConfig[];
  http: { host: string; port: number };
  dataDir: string;
  token: string | undefined;
  allowedHosts: string[];
  maxMessageBytes: number | undefined;
  earlyTalkerDelayMs: number | undefined;
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
        smtp: { type: 'string' },
        smtps: { type: 'string' },
        http: { type: 'string' },
        data: { type: 'string' },
        token: { type: 'string' },
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

  const pick = (flag: string, envName: string, value: string | undefined): { value: string; source: string } | undefined => {
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

  const smtp = hostPort('smtp', 'MAILWRIGHT_SMTP', values.smtp) ?? { host: DEFAULT_SMTP.host, port: DEFAULT_SMTP.port };
  const smtps = hostPort('smtps', 'MAILWRIGHT_SMTPS', values.smtps);
  const http = hostPort('http', 'MAILWRIGHT_HTTP', values.http) ?? { ...DEFAULT_HTTP };
  if (smtps && smtps.port !== 0 && smtps.port === smtp.port && smtps.host === smtp.host) {
    throw new UsageError(`[smtps] ${smtps.host}:${smtps.port} is already the --smtp listener: pick another port`);
  }

  const dataDir = path.resolve(pick('data', 'MAILWRIGHT_DATA', values.data)?.value ?? defaultDataDir(env));

  const token = pick('token', 'MAILWRIGHT_TOKEN', values.token);
  if (token && !/^[\x21-\x7e]+$/.test(token.value)) {
    throw new UsageError(`[http] ${token.source}: the token must be printable ASCII without spaces`);
  }
  if (!token && !isLoopbackHost(http.host)) {
    throw new UsageError(
      `[http] binding ${http.host} makes your captured mail reachable from the network: ` +
        'pass --token TOKEN (or set MAILWRIGHT_TOKEN), or bind 127.0.0.1',
    );
  }

  const allowedHosts = values['allowed-host'] ?? splitList(env.MAILWRIGHT_ALLOWED_HOSTS);
  for (const name of allowedHosts) {
    if (hostnameOf(name) === null || /:\d+$/.test(name)) throw new UsageError(`[http] --allowed-host: ${JSON.stringify(name)} is not a host name`);
  }

  const size = pick('max-message-size', 'MAILWRIGHT_MAX_MESSAGE_SIZE', values['max-message-size']);
  const maxMessageBytes = size && wholeNumber(size, 'a number of bytes', 1);
  const delay = pick('early-talker-delay', 'MAILWRIGHT_EARLY_TALKER_DELAY', values['early-talker-delay']);
  // Real servers wait seconds at most; a longer delay would only look like a hang to the client.
  const earlyTalkerDelayMs = delay && wholeNumber(delay, 'milliseconds from 0 to 30000', 0, 30_000);

  const listeners: ListenerConfig[] = [{ id: 'smtp', host: smtp.host, port: smtp.port, tls: 'starttls' }];
  if (smtps) listeners.push({ id: 'smtps', host: smtps.host, port: smtps.port, tls: 'implicit' });

  return {
    help: false,
    config: { listeners, http, dataDir, token: token?.value, allowedHosts, maxMessageBytes, earlyTalkerDelayMs },
  };
}

function wholeNumber(picked: { value: string; source: string }, expected: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d{1,15}$/.test(picked.value) ? Number(picked.value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`[smtp] ${picked.source}: expected ${expected}, got ${JSON.stringify(picked.value)}`);
  return n;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
