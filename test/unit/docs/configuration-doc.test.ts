// Keeps docs/configuration.md and docs/examples/mailwright.example.yaml true: every whole config file they show
// parses and validates like `serve --config` would, and every flag, environment variable and fault preset the code
// knows is documented. Fence convention (stated at the top of the doc): ```yaml / ```json = a whole config file,
// ```yaml partial / ```json partial = a snippet, only checked to parse.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  AUTH_MECHANISMS,
  FAULT_ACTIONS,
  FAULT_STAGES,
  TLS_MODES,
  faultActionSchema,
  faultRuleSchema,
  listenerConfigSchema,
  retentionSchema,
  smtpSettingsSchema,
  type SettingsDocument,
  type SettingsFile,
} from '../../../src-shared/index.js';
import { defaultSettings } from '../../../src-main/core/defaults.js';
import { readSettingsFile } from '../../../src-main/core/config-file.js';
import { resolveLayers } from '../../../src-main/core/settings-layers.js';
import { parseSettingsFile, validateDocument } from '../../../src-main/core/settings.js';
import { USAGE } from '../../../src-main/serve/args.js';
import { FAULT_PRESETS, GREYLIST_REPLY, THROTTLE_REPLY } from '../../../src-main/capture/faults/index.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';
import {
  DEFAULT_MAX_CLIENTS, DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_MAX_RECIPIENTS, DEFAULT_SESSION_TIMEOUT_SECONDS, DEFAULT_SOCKET_TIMEOUT_MS,
} from '../../../src-main/capture/index.js';

const root = path.resolve(new URL('../../..', import.meta.url).pathname);
const DOC_PATH = path.join(root, 'docs', 'configuration.md');
const EXAMPLE_PATH = path.join(root, 'docs', 'examples', 'mailwright.example.yaml');
const doc = fs.readFileSync(DOC_PATH, 'utf8');

interface Block {
  lang: string;
  info: string;
  partial: boolean;
  line: number;
  text: string;
}

/** Every fenced block of the doc with its info string (`yaml`, `yaml partial`, `bash`, …). */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(?:\s+(.*?))?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`unclosed fence at line ${start + 1}`);
    const info = `${open[1]} ${open[2] ?? ''}`.trim();
    blocks.push({ lang: open[1]!, info, partial: open[2] === 'partial', line: start + 1, text: body.join('\n') });
  }
  return blocks;
}

/** What `serve` does with a config file: shape check, layering over the defaults, full validation. */
function checkConfig(content: unknown, source: string): SettingsDocument {
  const settings: SettingsFile = parseSettingsFile(content, source);
  return checkLayer(settings, source);
}

function checkLayer(settings: SettingsFile, source: string): SettingsDocument {
  const { document } = resolveLayers(defaultSettings(DEFAULT_RETENTION), [{ source, settings }]);
  validateDocument(document, source);
  return document;
}

const blocks = fencedBlocks(doc);
const configBlocks = blocks.filter((b) => (b.lang === 'yaml' || b.lang === 'json') && !b.partial);

describe('docs/configuration.md', () => {
  it('states the fence convention and shows at least one whole YAML and one whole JSON config file', () => {
    expect(doc.trimStart().startsWith('<!--')).toBe(true);
    expect(doc).toContain('```yaml partial');
    expect(configBlocks.some((b) => b.lang === 'yaml')).toBe(true);
    expect(configBlocks.some((b) => b.lang === 'json')).toBe(true);
    // A typo in the marker (```yml, ```yaml partal) would silently skip a block.
    const allowed = ['yaml', 'json', 'yaml partial', 'json partial'];
    const odd = blocks.filter((b) => /^(ya?ml|json)/i.test(b.info) && !allowed.includes(b.info)).map((b) => `line ${b.line}: ${b.info}`);
    expect(odd).toEqual([]);
  });

  it.each(configBlocks.map((b) => [`${b.lang} block at line ${b.line}`, b] as const))('%s is a valid config file', (_name, b) => {
    const content: unknown = b.lang === 'yaml' ? parseYaml(b.text, { uniqueKeys: true }) : JSON.parse(b.text);
    expect(() => checkConfig(content ?? {}, `${path.basename(DOC_PATH)}:${b.line}`)).not.toThrow();
  });

  it('every partial yaml/json snippet at least parses', () => {
    for (const b of blocks.filter((x) => x.partial)) {
      if (b.lang === 'yaml') expect(() => parseYaml(b.text), `yaml partial at line ${b.line}`).not.toThrow();
      else if (b.lang === 'json') expect(() => JSON.parse(b.text), `json partial at line ${b.line}`).not.toThrow();
    }
  });

  it('names every flag and environment variable of `serve --help`', () => {
    const flags = new Set([...USAGE.matchAll(/(?<![\w-])--?[a-z][a-z-]*/g)].map((m) => m[0]));
    const envs = new Set([...USAGE.matchAll(/\bMAILWRIGHT_[A-Z_]+\b/g)].map((m) => m[0]));
    expect(flags.size).toBeGreaterThanOrEqual(10);
    expect(envs.size).toBeGreaterThanOrEqual(8);
    const missing = [...flags, ...envs].filter((name) => !doc.includes(`\`${name}`));
    expect(missing).toEqual([]);
  });

  it('lists every fault preset with its id, name and exact reply', () => {
    const section = doc.slice(doc.indexOf('\n## Fault presets'), doc.indexOf('\n## ', doc.indexOf('\n## Fault presets') + 1));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBe(Object.keys(FAULT_PRESETS).length);
    for (const [id, preset] of Object.entries(FAULT_PRESETS)) {
      const row = rows.find((l) => l.startsWith(`| \`${id}\` |`));
      expect(row, `presets table row for ${id}`).toBeDefined();
      expect(row).toContain(`| ${preset.name} |`);
      expect(row).toContain(`| ${preset.match.stage} |`);
      const a = preset.action;
      const reply = a.kind === 'reply' ? a : a.kind === 'greylist' ? GREYLIST_REPLY : a.kind === 'throttle' ? THROTTLE_REPLY : null;
      if (reply) expect(row).toContain(`\`${reply.code} ${reply.enhanced} ${reply.text}\``);
    }
  });

  it('quotes the defaults the capture server really uses for memory, connections and timeouts', () => {
    const row = (field: string): string => doc.split('\n').find((l) => l.startsWith(`| \`${field}\` |`)) ?? '';
    const defaultOf = (field: string): string => row(field).split('|')[3]?.trim() ?? '';
    expect(defaultOf('maxInFlightBytes')).toMatch(new RegExp(`^\`${DEFAULT_MAX_IN_FLIGHT_BYTES}\``));
    expect(defaultOf('maxConnections')).toBe(String(DEFAULT_MAX_CLIENTS));
    expect(defaultOf('maxRecipients')).toBe(String(DEFAULT_MAX_RECIPIENTS));
    expect(defaultOf('idleTimeoutSeconds')).toBe(String(DEFAULT_SOCKET_TIMEOUT_MS / 1000));
    expect(defaultOf('sessionTimeoutSeconds')).toMatch(new RegExp(`^${DEFAULT_SESSION_TIMEOUT_SECONDS}\\b`));
  });

  it('documents every field of the settings schemas and every enum value', () => {
    const fields = new Set<string>();
    const collect = (schema: z.ZodType): void => {
      const def = (schema as unknown as { def: { type: string } }).def;
      if (def.type === 'optional') return collect((schema as unknown as z.ZodOptional<z.ZodType>).unwrap());
      if (def.type === 'array') return collect((schema as unknown as z.ZodArray<z.ZodType>).element);
      if (def.type === 'union') return (schema as unknown as z.ZodUnion<z.ZodType[]>).options.forEach(collect);
      if (def.type !== 'object') return;
      for (const [key, child] of Object.entries((schema as unknown as z.ZodObject).shape)) {
        fields.add(key);
        collect(child as z.ZodType);
      }
    };
    [smtpSettingsSchema, retentionSchema, listenerConfigSchema, faultRuleSchema, faultActionSchema].forEach((s) => collect(s));
    expect(fields.size).toBeGreaterThan(40);
    const missing = [...fields].filter((f) => !doc.includes(`\`${f}\``) && !doc.includes(`\`${f}:`) && !doc.includes(`\`${f}.`) && !doc.includes(`.${f}\``));
    expect(missing).toEqual([]);
    const values = [...TLS_MODES, ...AUTH_MECHANISMS, ...FAULT_STAGES, ...FAULT_ACTIONS, 'TLSv1.2', 'TLSv1.3', 'off', 'optional', 'required'];
    expect(values.filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});

describe('docs/examples/mailwright.example.yaml', () => {
  it('is read and validated like `serve --config` reads it', () => {
    const layer = readSettingsFile(EXAMPLE_PATH);
    expect(layer.source).toBe(`config file ${EXAMPLE_PATH}`);
    const document = checkLayer(layer.settings!, layer.source);
    expect(document.listeners.map((l) => [l.id, l.port, l.tls])).toEqual([
      ['relay', 2525, 'starttls'],
      ['submission', 2587, 'starttls-required'],
      ['smtps', 2465, 'implicit'],
    ]);
    expect(document.listeners.every((l) => l.port > 1023)).toBe(true);
    const submission = document.listeners[1]!;
    expect(submission.auth?.policy).toBe('required');
    expect(submission.auth?.credentials?.some((c) => c.token !== undefined)).toBe(true);
    expect(document.listeners[2]!.certificate).toMatchObject({ mode: 'generated' });
    expect(document.faults.map((f) => f.action.kind)).toEqual(['reply', 'greylist']);
    expect(layer.settings!.retention).toBeDefined();
    expect(layer.settings!.smtp).toBeDefined();
  });

  it('is linked from the manual', () => {
    expect(doc).toContain('examples/mailwright.example.yaml');
  });
});
