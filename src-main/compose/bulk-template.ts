// The messages of a bulk run: the CSV read with csv-parse (the first line names the columns), and `{{column}}`
// placeholders filled in every text field of the template. Every check that can fail before sending runs here, so a
// broken row, an unknown placeholder or a bad address is a clear error naming its line and field, and nothing is sent.
import type * as CsvParse from 'csv-parse/sync';
import { lazyRequire } from '../core/lazy.js';

/** csv-parse loads with the first CSV read. */
const csvParse = lazyRequire<typeof CsvParse>('csv-parse/sync');
import { MailwrightError, type BulkStartArgs, type ComposedMessage } from '../../src-shared/index.js';
import { parseAddresses } from './message-build.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** Filled in every message: the copy's number, or the CSV row's (from 1). */
const BUILT_IN = 'n';

export interface BulkItem {
  /** 1-based. */
  n: number;
  /** The line of the CSV the row starts on (1 is the header), or null for copies. */
  line: number | null;
  values: Readonly<Record<string, string>>;
}

export interface BulkSourceRead {
  kind: 'copies' | 'csv';
  total: number;
  /** The message at index i (0-based); items are made when asked so a million copies cost nothing up front. */
  item(i: number): BulkItem;
}

type Source = BulkStartArgs['source'];

export function readSource(source: Source): BulkSourceRead {
  if (source.kind === 'copies') {
    return {
      kind: 'copies',
      total: source.count,
      item: (i) => ({ n: i + 1, line: null, values: { n: String(i + 1) } }),
    };
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = csvParse().parse(source.csv, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      bom: true,
      info: true,
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  } catch (err) {
    const line = err instanceof csvParse().CsvError ? (err as CsvParse.CsvError & { lines?: number }).lines : undefined;
    throw new MailwrightError(
      'invalid_argument',
      `source.csv${line ? ` line ${line}` : ''}: ${(err as Error).message}`,
      'source.csv',
    );
  }
  if (records.length === 0)
    throw new MailwrightError('invalid_argument', 'source.csv: no rows after the header line', 'source.csv');
  return {
    kind: 'csv',
    total: records.length,
    item: (i) => {
      const r = records[i]!;
      return { n: i + 1, line: r.info.lines, values: { [BUILT_IN]: String(i + 1), ...r.record } };
    },
  };
}

/** Every placeholder the template uses, with the first field it is in. */
export function placeholders(template: ComposedMessage): Map<string, string> {
  const found = new Map<string, string>();
  walk(template, 'message', (value, field) => {
    for (const m of value.matchAll(PLACEHOLDER)) if (!found.has(m[1]!)) found.set(m[1]!, field);
    return value;
  });
  return found;
}

/** Throws naming the field when the template uses a placeholder no column fills. */
export function checkPlaceholders(template: ComposedMessage, columns: readonly string[]): void {
  const known = new Set([BUILT_IN, ...columns]);
  for (const [name, field] of placeholders(template)) {
    if (!known.has(name))
      throw new MailwrightError(
        'invalid_argument',
        `${field}: {{${name}}} has no column to fill it (${[...known].map((k) => `{{${k}}}`).join(', ')})`,
        field,
      );
  }
}

/** The template with this item's values in place of its placeholders. */
export function fill(template: ComposedMessage, item: BulkItem): ComposedMessage {
  return walk(template, 'message', (value) => value.replace(PLACEHOLDER, (_, name: string) => item.values[name] ?? ''));
}

/** Where an item comes from, for an error message: `source.csv line 4` or `copy 12`. */
export function itemPlace(item: BulkItem): string {
  return item.line === null ? `copy ${item.n}` : `source.csv line ${item.line}`;
}

/** Parses every recipient of one filled message; throws naming the row and the field. */
export function recipientsOf(m: ComposedMessage, item: BulkItem): string[] {
  const out: string[] = [];
  try {
    for (const key of ['to', 'cc', 'bcc'] as const)
      (m[key] ?? []).forEach((a, i) => out.push(...parseAddresses(a, `message.${key}.${i}`)));
  } catch (err) {
    const e = err as MailwrightError;
    throw new MailwrightError('invalid_argument', `${itemPlace(item)}: ${e.message}`, e.field);
  }
  if (out.length === 0)
    throw new MailwrightError('invalid_argument', `${itemPlace(item)}: no recipients (To, Cc or Bcc)`, 'message.to');
  return out;
}

/** Applies `fn` to every string of the template but attachment contents (base64 has no placeholders). */
function walk<T>(value: T, field: string, fn: (s: string, field: string) => string): T {
  if (typeof value === 'string') return fn(value, field) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v, i) => walk(v, `${field}.${i}`, fn)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'content' ? v : walk(v, `${field}.${k}`, fn);
    return out as T;
  }
  return value;
}
