// Start-up settings of the desktop shell read from the environment (tests and power users).
// Validated once here; each error names the variable. Must not import electron.
import path from 'node:path';
import { DEFAULT_SMTP, parseHostPort } from '../core/defaults.js';
import { readSettingsFile } from '../core/config-file.js';
import type { SettingsLayer } from '../core/settings-layers.js';

export interface ShellConfig {
  /** Overrides Electron's userData folder (tests use a temp dir so they never touch the real profile). */
  dataDir: string | null;
  /** MAILWRIGHT_CONFIG (a settings file) then MAILWRIGHT_SMTP, over what the Settings page saved. */
  layers: SettingsLayer[];
}

export function readShellConfig(env: NodeJS.ProcessEnv): ShellConfig {
  const data = env.MAILWRIGHT_DATA?.trim();
  const file = env.MAILWRIGHT_CONFIG?.trim();
  const smtp = env.MAILWRIGHT_SMTP?.trim();
  const layers: SettingsLayer[] = [];
  if (file) layers.push(readSettingsFile(file));
  if (smtp)
    layers.push({
      source: 'MAILWRIGHT_SMTP',
      listenerAddress: { ...parseHostPort(smtp, 'MAILWRIGHT_SMTP'), template: DEFAULT_SMTP },
    });
  return { dataDir: data ? path.resolve(data) : null, layers };
}

/** A double-click passes one path and a multi-select a few dozen; the cap bounds a hostile or runaway command line. */
const MAX_OPENED_FILES = 100;
const MAIL_FILE = /\.(eml|mbox)$/i;

/** Mail files named on a command line (the first instance's or a second instance's argv). */
export function mailFilesFromArgv(argv: readonly string[]): string[] {
  return argv
    .slice(1)
    .filter((a) => !a.startsWith('-') && MAIL_FILE.test(a))
    .slice(0, MAX_OPENED_FILES)
    .map((a) => path.resolve(a));
}
