// Tags on messages: set by hand, by the sender (Mailpit's send API, an X-Tags header) or by rule, listed with the
// inbox and searchable with `tag:` and `is:tagged`.
// Must not import electron, node or DOM modules.
import { z } from 'zod';
import { verb } from './define.js';
import { MAX_PAGE_SIZE, MAX_QUERY_LENGTH } from './messages.js';

/** A tag is a label, not a sentence: Mailpit's UI shows them as badges, and 64 characters already wrap. */
export const MAX_TAG_CHARS = 64;
/** Tags on one message; more is a rule gone wrong, not labelling. */
export const MAX_TAGS_PER_MESSAGE = 50;
/** Tag rules: each runs a search per newly indexed batch, so a few dozen is the useful range. */
export const MAX_TAG_RULES = 100;

/**
 * Letters, digits, space, `-`, `.`, `_`, `:` and `/` (Mailpit's set plus the two that name hierarchies);
 * anything else is dropped, as Mailpit does, so `X-Tags: "urgent!"` becomes `urgent`.
 */
export const TAG_CHARS = /[^\p{L}\p{N} ._:/-]/gu;

/** A tag as stored: the allowed characters only, inner space runs as one, trimmed. Empty when nothing is left. */
export function cleanTag(raw: string): string {
  return raw.replace(TAG_CHARS, '').replace(/\s+/g, ' ').trim().slice(0, MAX_TAG_CHARS).trim();
}

const tag = z.string().max(4 * MAX_TAG_CHARS);
const id = z.number().int().positive();
const ids = z.array(id).min(1).max(MAX_PAGE_SIZE);

export const messageTagsSchema = z.object({ id, tags: z.array(z.string()) });
export type MessageTags = z.infer<typeof messageTagsSchema>;

/** One rule: messages that match get the tag. Applied once, when a message is first indexed. */
export const tagRuleSchema = z
  .object({
    /** Search syntax, as in the inbox (`from:shop.test subject:invoice`). */
    query: z.string().min(1).max(MAX_QUERY_LENGTH),
    tag: z.string().min(1).max(MAX_TAG_CHARS),
  })
  .strict();

/** The `tags` settings section. */
export const tagSettingsSchema = z
  .object({
    /** Tags named in an `X-Tags` header (comma-separated), as Mailpit reads them. */
    fromHeader: z.boolean(),
    /** The detail of a plus-address recipient (`orders+invoice@shop.test` → `invoice`). */
    fromPlusAddress: z.boolean(),
    rules: z.array(tagRuleSchema).max(MAX_TAG_RULES),
  })
  .strict();
export type TagSettings = z.infer<typeof tagSettingsSchema>;

export const DEFAULT_TAG_SETTINGS: TagSettings = { fromHeader: true, fromPlusAddress: false, rules: [] };

export const tagsVerbs = {
  /** Every tag in use, sorted (case-insensitively), and how many messages carry each. */
  'tags.list': verb(
    z.object({}).strict(),
    z.object({ tags: z.array(z.string()), counts: z.record(z.string(), z.number()) }),
  ),
  /** The tags of these messages (messages without tags are listed with an empty array). */
  'tags.get': verb(z.object({ ids }).strict(), z.object({ messages: z.array(messageTagsSchema) })),
  /** Replaces the tags of these messages (an empty list removes them all). */
  'tags.set': verb(
    z.object({ ids, tags: z.array(tag).max(MAX_TAGS_PER_MESSAGE) }).strict(),
    z.object({ updated: z.number() }),
  ),
  /** Adds tags to these messages, keeping the ones they have. */
  'tags.add': verb(
    z.object({ ids, tags: z.array(tag).min(1).max(MAX_TAGS_PER_MESSAGE) }).strict(),
    z.object({ updated: z.number() }),
  ),
  /** Renames a tag on every message (merging into the new name where a message has both). */
  'tags.rename': verb(z.object({ from: tag.min(1), to: tag.min(1) }).strict(), z.object({ updated: z.number() })),
  /** Removes a tag from every message; the messages stay. */
  'tags.delete': verb(z.object({ tag: tag.min(1) }).strict(), z.object({ updated: z.number() })),
} as const;

export interface TagsEvents {
  /** Tags changed on these messages (by hand, by rule or through an API); `all` after a rename or delete. */
  'tags.changed': { ids: number[] } | { all: true };
}
