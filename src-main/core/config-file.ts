// The config file (`serve --config FILE`, or MAILWRIGHT_CONFIG for both shells): JSON, or YAML by extension,
// read and checked once at start-up. Every error names the file and the field. docs/configuration.md is its manual.
// Must not import electron or any binding.
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { MailwrightError } from '../../src-shared/index.js';
import { parseSettingsFile } from './settings.js';
import type { SettingsLayer } from './settings-layers.js';

/** A config file is a few KB even with PEM blocks and hundreds of rules; past this it is not a config file. */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** Reads and checks a config file; throws MailwrightError('invalid_argument') naming the file, the field and the cause. */
export function readSettingsFile(file: string): SettingsLayer {
  const absolute = path.resolve(file);
  const source = `config file ${absolute}`;
  let text: string;
  try {
    const stat = fs.statSync(absolute);
    if (!stat.isFile()) throw new Error('not a file');
    if (stat.size > MAX_CONFIG_FILE_BYTES)
      throw new Error(`${stat.size} bytes is larger than a config file can be (${MAX_CONFIG_FILE_BYTES})`);
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new MailwrightError(
      'invalid_argument',
      `[config] cannot read ${absolute}: ${(err as Error).message}`,
      'config',
    );
  }
  const content = parseText(text, absolute);
  if (typeof content !== 'object' || content === null || !('store' in content)) {
    return { source, settings: parseSettingsFile(content, source) };
  }
  const { store, ...settings } = content;
  return { source, settings: parseSettingsFile(settings, source), store: storeOf(store, source) };
}

/** `store: {url: postgres://…}`: where the messages are kept (the URL itself is checked when the store opens). */
function storeOf(value: unknown, source: string): { url: string } {
  const url = (value as { url?: unknown } | null)?.url;
  if (typeof url !== 'string' || url === '' || Object.keys(value as object).length !== 1) {
    throw new MailwrightError(
      'invalid_argument',
      `[config] ${source}: store must be {url: postgres://USER@HOST:PORT/DB}`,
      'store.url',
    );
  }
  return { url };
}

function parseText(text: string, file: string): unknown {
  if (isYamlFile(file)) {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    const err = doc.errors[0];
    if (err)
      throw new MailwrightError(
        'invalid_argument',
        `[config] ${file} is not valid YAML: ${err.message.split('\n')[0]}`,
        'config',
      );
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const hint = /\.json$/i.test(file) ? '' : ' (name it .yaml or .yml for YAML)';
    throw new MailwrightError(
      'invalid_argument',
      `[config] ${file} is not valid JSON${hint}: ${(err as Error).message}`,
      'config',
    );
  }
}
