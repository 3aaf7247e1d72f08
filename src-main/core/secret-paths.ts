// The secrets of any settings section, found by the paths the section declares (`*.auth.credentials.*.password`):
// sealed at rest, shown as `{ stored: true }`, and carried over when an edit keeps the stored value.
// Must not import electron, smtp-server, the store or any binding.
import { MailwrightError, isStoredSecret, type ItemMatch, type SettingsSection } from '../../src-shared/index.js';

/**
 * A copy of `value` with each secret replaced by `fn(secret, path)`, where `path` is concrete
 * (`0.auth.credentials.1.password`). Returning undefined removes the field. Absent secrets are not visited.
 */
export function mapSecrets<T>(
  value: T,
  secretPaths: readonly string[],
  fn: (secret: unknown, path: string) => unknown,
): T {
  if (secretPaths.length === 0 || value === undefined || value === null) return value;
  // A JSON copy, not structuredClone: settings are JSON data, and structuredClone keeps an object that two places
  // share (one credential given to two listeners) shared, so its secret would be mapped twice.
  const out = JSON.parse(JSON.stringify(value)) as T;
  for (const pattern of secretPaths) visit(out, pattern.split('.'), [], fn);
  return out;
}

function visit(
  node: unknown,
  rest: readonly string[],
  at: readonly string[],
  fn: (secret: unknown, path: string) => unknown,
): void {
  if (typeof node !== 'object' || node === null) return;
  const [head, ...tail] = rest;
  if (head === undefined) return;
  const container = node as Record<string, unknown>;
  const keys =
    head === '*' ? Object.keys(container) : Object.prototype.hasOwnProperty.call(container, head) ? [head] : [];
  for (const key of keys) {
    if (tail.length > 0) {
      visit(container[key], tail, [...at, key], fn);
      continue;
    }
    if (container[key] === undefined) continue;
    const mapped = fn(container[key], [...at, key].join('.'));
    if (mapped === undefined) delete container[key];
    else container[key] = mapped;
  }
}

/**
 * Turns an edited section back into one with real secrets: each `{ stored: true }` takes the secret stored at the
 * same place of `current`. Array items are matched by the section's `items` rule (a listener by id, a credential
 * by username), else by position. A `{ stored: true }` with nothing stored behind it is an error naming the field.
 */
export function carryOverSecrets<T>(
  key: string,
  section: Pick<SettingsSection, 'secretPaths' | 'items'>,
  edited: unknown,
  current: unknown,
): T {
  return mapSecrets(edited, section.secretPaths, (value, path) => {
    if (!isStoredSecret(value)) return value;
    const stored = storedAt(current, edited, path.split('.'), section.items);
    if (typeof stored !== 'string') {
      throw new MailwrightError(
        'invalid_argument',
        `[${key}] ${key}.${path} has no stored value to keep; enter it`,
        `${key}.${path}`,
      );
    }
    return stored;
  }) as T;
}

/** Follows `path` (concrete, from `edited`) through `current`, matching array items by the items rules. */
function storedAt(
  current: unknown,
  edited: unknown,
  path: readonly string[],
  items: Readonly<Record<string, ItemMatch>>,
): unknown {
  let cur = current;
  let ed = edited;
  const pattern: string[] = [];
  for (const segment of path) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(ed) && Array.isArray(cur)) {
      const index = Number(segment);
      const editedItem = ed[index] as Record<string, unknown> | undefined;
      const rule = items[pattern.join('.')];
      let match: unknown;
      if (rule && editedItem && typeof editedItem === 'object') {
        match = (cur as Record<string, unknown>[]).find(
          (item) => typeof item === 'object' && item !== null && item[rule.key] === editedItem[rule.key],
        );
        if (match === undefined && rule.fallbackToPosition) match = cur[index];
      } else if (!rule) {
        match = cur[index];
      }
      cur = match;
      ed = editedItem;
      pattern.push('*');
      continue;
    }
    cur = (cur as Record<string, unknown>)[segment];
    ed = typeof ed === 'object' && ed !== null ? (ed as Record<string, unknown>)[segment] : undefined;
    pattern.push(segment);
  }
  return cur;
}
