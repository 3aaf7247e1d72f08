// Entry of `mailwright serve` (built to out/main/serve.js): the core plus the HTTP/WebSocket binding, no Electron.
// Owns start-up, the ready line and shutdown. Must not import electron.
import { mkdirSync } from 'node:fs';
import { MailwrightError, READY_PREFIX, type ListenerStatus, type ReadyInfo } from '../../src-shared/index.js';
import { Core } from '../core/core.js';
import { UNCAUGHT_EXIT_CODE, installLastResort } from '../core/last-resort.js';
import { VERSION } from '../core/version.js';
import { USAGE, UsageError, parseServeArgs, settingErrorText, type ServeConfig } from './args.js';
import { startHttpBinding, type HttpBinding } from './http.js';
import { isLoopbackHost } from './security.js';

/** Closing sockets and the database takes well under a second; past this something hangs and we exit anyway. */
const SHUTDOWN_CEILING_MS = 10_000;

async function main(): Promise<void> {
  let config: ServeConfig;
  try {
    const parsed = parseServeArgs(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(USAGE);
      return;
    }
    config = parsed.config;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`mailwright serve: ${err.message}\nRun with --help to see the options.\n`);
    process.exit(2);
  }

  for (const warning of config.warnings) process.stderr.write(`mailwright serve: ${warning}\n`);
  // Owner-only, like every file Mailwright writes in it (core/data-folder.ts).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  let core: Core;
  try {
    core = await Core.start({ dataDir: config.dataDir, layers: config.layers });
  } catch (err) {
    if (err instanceof MailwrightError && err.code === 'invalid_argument') {
      // A setting that does not validate (bad PEM, CIDR, pattern): the message names the field.
      process.stderr.write(`mailwright serve: ${settingErrorText(err)}\n`);
      process.exit(2);
    }
    const message = (err as Error).message;
    // A store error already says where the database is (host and port, never the password).
    if (message.startsWith('[store]')) fail(`mailwright serve: cannot open the store: ${message}`);
    fail(`[core] cannot start with data folder ${config.dataDir}: ${message}`);
  }

  const failed = core.status().listeners.filter((l) => l.state !== 'listening');
  if (failed.length > 0) {
    for (const l of failed) process.stderr.write(`${describeListenerFailure(l)}\n`);
    await core.stop().catch(() => undefined);
    process.exit(1);
  }

  let binding: HttpBinding;
  try {
    binding = await startHttpBinding(core, {
      host: config.http.host,
      port: config.http.port,
      token: config.token,
      allowedHosts: config.allowedHosts,
    });
  } catch (err) {
    await core.stop().catch(() => undefined);
    fail((err as Error).message);
  }

  const listeners = core.status().listeners;
  const out: string[] = [`Mailwright ${VERSION}`];
  const settings = await core.invoke('settings.get', {});
  for (const l of listeners) {
    const label = l.tls === 'implicit' ? 'SMTPS' : 'SMTP ';
    out.push(`${label} listening on ${hostPort(l.host, l.port)} (${l.id}: ${TLS_WORDS[l.tls]}, AUTH ${l.auth.policy})`);
    const restricted = settings.ok && settings.value.listeners.find((x) => x.id === l.id)?.limits?.allowClients?.length;
    if (!isLoopbackHost(l.host) && !restricted) {
      out.push(
        `      ${l.id} is reachable from the network: anyone who can reach ${l.host} can send mail into it (limits.allowClients restricts who may)`,
      );
    }
  }
  const boundNote =
    binding.host === new URL(binding.url).hostname.replace(/^\[|\]$/g, '') ? '' : ` (bound to ${binding.host})`;
  out.push(`HTTP  ${binding.url}${boundNote}`);
  if (config.token)
    out.push(
      `      access token required: open ${binding.url}?token=YOUR_TOKEN once, or send "Authorization: Bearer YOUR_TOKEN"`,
    );
  out.push(`Data  ${config.dataDir}`);
  const ready: ReadyInfo = {
    http: binding.url,
    smtp: listeners.map((l) => ({ id: l.id, host: l.host, port: l.port, tls: l.tls })),
    dataDir: config.dataDir,
  };
  out.push(`${READY_PREFIX}${JSON.stringify(ready)}`);
  process.stdout.write(`${out.join('\n')}\n`);

  let stopping = false;
  const shutdown = (why: string, exitCode = 0): void => {
    if (stopping) {
      process.stderr.write(`[serve] ${why} again: exiting without a clean shutdown\n`);
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => fail('[serve] shutdown took too long; exiting'), SHUTDOWN_CEILING_MS).unref();
    binding
      .close()
      .then(() => core.stop())
      .then(
        () => {
          process.stdout.write('Mailwright stopped\n');
          process.exit(exitCode);
        },
        (err: unknown) => fail(`[serve] shutdown failed: ${(err as Error).message}`),
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // What nothing else caught is logged and shown, and SMTP stays up; a storm of them stops cleanly (core/last-resort.ts).
  installLastResort(process, {
    label: '[serve]',
    log: (text) => process.stderr.write(`${text}\n`),
    report: (text) => core.reportProblem(text),
    shutdown: (reason) => {
      process.stderr.write(`[serve] ${reason}\n`);
      shutdown('internal errors', UNCAUGHT_EXIT_CODE);
    },
  });
}

const TLS_WORDS: Record<ListenerStatus['tls'], string> = {
  none: 'no TLS',
  starttls: 'STARTTLS',
  'starttls-required': 'STARTTLS required',
  implicit: 'implicit TLS',
};

function describeListenerFailure(l: ListenerStatus): string {
  const where = hostPort(l.host, l.port);
  const error = l.error ?? `state ${l.state}`;
  const how =
    l.id === 'smtp' || l.id === 'smtps'
      ? `pass --${l.id} ${hostPort(l.host, 0)} or another port`
      : `change listener "${l.id}" in the config file or the Settings page`;
  if (/EADDRINUSE|in use/i.test(error)) return `[${l.id}] port ${l.port} is in use (${where}): ${how}`;
  if (/EACCES|permission/i.test(error))
    return `[${l.id}] port ${l.port} needs privileges (${where}): pick one above 1023; ${how}`;
  if (/EADDRNOTAVAIL/i.test(error)) return `[${l.id}] ${l.host} is not an address of this machine: ${how}`;
  return `[${l.id}] cannot listen on ${where}: ${error}`;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch((err: unknown) => fail(`[serve] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
