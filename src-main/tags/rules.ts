// Tags given by rule to newly indexed mail: an X-Tags header (as Mailpit reads it), the detail of a plus-address
// recipient, and saved searches. Each message is ruled once, after the indexer has made it searchable.
// Must not import electron, serve/ or another capability's folder.
import { cleanTag, MAX_TAGS_PER_MESSAGE, type TagSettings } from '../../src-shared/index.js';
import { quickHeaders, quickSummary } from '../message/index.js';

const RULE_HEADERS = new Set(['x-tags']);

/** Tags the message's own bytes ask for: X-Tags (comma-separated) and plus-address details. */
export function tagsFromMessage(raw: Buffer, settings: TagSettings): string[] {
  const tags = new Set<string>();
  if (settings.fromHeader) {
    for (const value of quickHeaders(raw, RULE_HEADERS).get('x-tags') ?? []) {
      for (const part of value.split(',')) add(tags, part);
    }
  }
  if (settings.fromPlusAddress) {
    const { to, cc } = quickSummary(raw);
    for (const { address } of [...to, ...cc]) {
      const local = address.slice(0, address.lastIndexOf('@'));
      const plus = local.indexOf('+');
      if (plus >= 0) add(tags, local.slice(plus + 1));
    }
  }
  return [...tags].slice(0, MAX_TAGS_PER_MESSAGE);
}

function add(tags: Set<string>, raw: string): void {
  const tag = cleanTag(raw);
  if (tag && ![...tags].some((t) => t.toLowerCase() === tag.toLowerCase())) tags.add(tag);
}
