// Entry of the `mailwright` command (built to out/main/cli.js; bin/mailwright.mjs runs it). `serve` runs the
// headless server in this process; every other command talks to a running instance over HTTP, but for
// `ingest --data-dir`, which opens a data folder no instance holds.
// Exit codes: 0 ok, 1 timeout or nothing found (or no instance to talk to), 2 bad input.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, EXIT, type Connection } from './client.js';
import { MailwrightError } from '../../src-shared/index.js';
import { baselineCheckCommand } from './baseline.js';
import {
  exportCommand,
  ingestCommand,
  ingestIntoFolder,
  listCommand,
  waitCommand,
  type FileImport,
} from './commands.js';
import { sendCommand } from './send.js';

export const USAGE = `Usage: mailwright <command> [options]

Commands:
  serve [serve options]          run the capture server and web UI (mailwright serve --help)
  wait  [--query Q] [--after ID|TIME] [--timeout 30s]
                                 wait for the first matching message; print it as JSON
  list  [--query Q] [--limit N] [--json]
                                 list matching messages, newest first
  ingest FILE|DIR [--data-dir PATH]
                                 import .eml and mbox files into the running instance, or with
                                 --data-dir straight into that data folder (refused while an
                                 instance runs on it)
  export [--query Q] --format mbox|eml-dir [--out PATH] [--limit N]
                                 write matching messages as one mbox (stdout or --out) or .eml files
  send  --profile NAME --to ADDR [--to …] [--cc ADDR] [--bcc ADDR] [--from ADDR]
        --subject TEXT --html FILE [--text FILE] [--yes] [--json]
  send  --profile NAME --eml FILE [--from ADDR] [--to ADDR …] [--yes] [--json]
                                 send through a profile (by id or name); --eml sends the file as it is,
                                 --to/--from then override its envelope; --yes confirms a host that is
                                 not this machine. Exit 0 delivered, 1 refused or failed, 2 bad input
  baseline check --key K --message latest|ID [--json]
                                 compare a message with the key's golden baseline: exit 0 same, 1 changed

Options of every command but serve:
  --url URL      the instance (default $MAILWRIGHT_URL or http://127.0.0.1:8025)
  --token TOKEN  its access token (default $MAILWRIGHT_TOKEN)

Exit codes: 0 ok, 1 timeout or nothing found (send: refused; baseline check: changed), 2 bad input (baseline
check: an unknown key or message).
`;

/** Listing or exporting stops here unless --limit says otherwise: a safety net for a mistyped query. */
const DEFAULT_LIMIT = 10_000;

export async function run(argv: string[], out = (t: string | Buffer) => process.stdout.write(t)): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        query: { type: 'string', short: 'q' },
        after: { type: 'string' },
        timeout: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        out: { type: 'string', short: 'o' },
        profile: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string', multiple: true },
        cc: { type: 'string', multiple: true },
        bcc: { type: 'string', multiple: true },
        subject: { type: 'string' },
        html: { type: 'string' },
        text: { type: 'string' },
        eml: { type: 'string' },
        yes: { type: 'boolean' },
        key: { type: 'string' },
        message: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun mailwright --help to see the options.`, EXIT.badInput);
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const strs = (k: string): string[] => (Array.isArray(values[k]) ? values[k] : []);
  const connection: Connection = {
    url: (str('url') ?? process.env.MAILWRIGHT_URL ?? 'http://127.0.0.1:8025').replace(/\/+$/, ''),
    token: str('token') ?? process.env.MAILWRIGHT_TOKEN,
  };
  if (!/^https?:\/\/[^/\s]+$/i.test(connection.url))
    throw new CliError(`--url must be http(s)://host:port, not ${connection.url}`, EXIT.badInput);
  const limit = parseLimit(str('limit'));
  switch (command) {
    case 'wait':
      await waitCommand(connection, { query: str('query'), after: str('after'), timeout: str('timeout') }, out);
      return EXIT.ok;
    case 'list':
      await listCommand(connection, { query: str('query'), limit, json: values.json === true }, out);
      return EXIT.ok;
    case 'ingest':
      if (positionals.length !== 1) throw new CliError('ingest takes one FILE or DIR', EXIT.badInput);
      if (str('data-dir') !== undefined)
        await ingestIntoFolder(positionals[0]!, () => openFolder(str('data-dir')!), out);
      else await ingestCommand(connection, positionals[0]!, out);
      return EXIT.ok;
    case 'export': {
      const format = str('format');
      if (format !== 'mbox' && format !== 'eml-dir')
        throw new CliError('export needs --format mbox or --format eml-dir', EXIT.badInput);
      const n = await exportCommand(connection, { query: str('query'), format, out: str('out'), limit }, out);
      if (str('out')) process.stderr.write(`exported ${n} message(s) to ${str('out')}\n`);
      return EXIT.ok;
    }
    case 'send':
      if (positionals.length > 0)
        throw new CliError(`send takes no positional argument: ${positionals[0]}`, EXIT.badInput);
      return sendCommand(
        connection,
        {
          profile: str('profile'),
          from: str('from'),
          to: strs('to'),
          cc: strs('cc'),
          bcc: strs('bcc'),
          subject: str('subject'),
          html: str('html'),
          text: str('text'),
          eml: str('eml'),
          yes: values.yes === true,
          json: values.json === true,
        },
        out,
      );
    case 'baseline':
      if (positionals[0] !== 'check' || positionals.length !== 1)
        throw new CliError('baseline takes one subcommand: check --key K --message latest|ID', EXIT.badInput);
      return baselineCheckCommand(
        connection,
        { key: str('key'), message: str('message'), json: values.json === true },
        out,
      );
    default:
      throw new CliError(`unknown command "${command}"\nRun mailwright --help to see the commands.`, EXIT.badInput);
  }
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new CliError('--limit must be a positive integer', EXIT.badInput);
  return Number(value);
}

/**
 * The data folder opened in this process, with no listener and no background work. The core (and with it the store
 * and SQLite) is loaded only here, so the commands that talk HTTP stay light. A folder a running instance holds is
 * refused: writing beside it would work (SQLite allows it) but the instance would not know of the mail.
 */
async function openFolder(dataDir: string) {
  if (dataDir === '') throw new CliError('--data-dir needs a folder', EXIT.badInput);
  const { Core } = await import('../core/core.js');
  let core: Awaited<ReturnType<typeof Core.open>>;
  try {
    core = await Core.open({ dataDir });
  } catch (err) {
    if (err instanceof MailwrightError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  }
  return {
    importFile: async (file: string): Promise<FileImport> => {
      try {
        return await core.importFile(file);
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
    close: () => core.stop(),
  };
}

/** Runs the serve entry in this process with the remaining arguments, as `node out/main/serve.js` would. */
async function serve(args: string[]): Promise<number> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Built: serve.js sits beside cli.js. From source (tsx): the serve binding's entry.
  const entry = [path.join(here, 'serve.js'), path.join(here, '../serve/cli.ts')].find((p) => existsSync(p));
  if (!entry) throw new CliError('the serve entry is missing: run `npm run build`', EXIT.badInput);
  process.argv = [process.argv[0]!, entry, ...args];
  await import(pathToFileURL(entry).href);
  // serve keeps running; its own signal handlers decide the exit code.
  return -1;
}

async function main(): Promise<void> {
  try {
    const code = await run(process.argv.slice(2));
    if (code >= 0) process.exitCode = code;
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`mailwright: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`mailwright: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT.badInput;
  }
}

await main();
