// The tags capability: labels on messages, set by hand, by rule or through the compat APIs; `tag:` and `is:tagged`
// in the search syntax. Owns the tags_message_tags table (repository.ts) and the rules (rules.ts).
// Must not import electron, serve/ or another capability's folder.
import { cleanTag, MailwrightError, type TagSettings, type tagsVerbs } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { TAG_OPERATORS, TAGS_MIGRATIONS, TagsRepository } from './repository.js';
import { tagsFromMessage } from './rules.js';

/** Ids remembered as ruled while the process runs; past this many the oldest half is forgotten (they are done). */
const MAX_REMEMBERED_RULED = 200_000;

export function setupTags(deps: CapabilityDeps): Capability<keyof typeof tagsVerbs> {
  const repo = new TagsRepository(deps.sql);
  let settings: TagSettings = deps.settings.section('tags');
  /** Messages up to this id existed at start and are never ruled again. */
  let ruledBelow = Number.MAX_SAFE_INTEGER;
  const ruled = new Set<number>();
  const unsubscribe: (() => void)[] = [];
  /** Work started by events (ruling new mail, tidying after deletes): reads wait for it, failures are reported. */
  const background = new Set<Promise<void>>();

  function inBackground(what: string, work: () => Promise<void>): void {
    const done: Promise<void> = work()
      .catch((err: unknown) => deps.reportProblem(`[tags] ${what}: ${(err as Error).message}`))
      .finally(() => background.delete(done));
    background.add(done);
  }

  /** Resolves when the event work started before the call has ended: a read after a delete no longer sees its tags. */
  async function settled(): Promise<void> {
    await Promise.all([...background]);
  }

  const changed = (ids: number[]): void => {
    if (ids.length) deps.events.emit('tags.changed', { ids });
  };

  function clean(tags: readonly string[]): string[] {
    const out = new Map<string, string>();
    for (const t of tags) {
      const tag = cleanTag(t);
      if (tag && !out.has(tag.toLowerCase())) out.set(tag.toLowerCase(), tag);
    }
    return [...out.values()];
  }

  function oneTag(raw: string, field: string): string {
    const tag = cleanTag(raw);
    if (!tag)
      throw new MailwrightError('invalid_argument', `${field}: a tag needs a letter, digit or one of " ._:/-"`, field);
    return tag;
  }

  /** Rules newly indexed messages (messages.updated also fires for read-state changes: those were ruled before). */
  async function ruleNew(ids: readonly number[]): Promise<void> {
    const fresh = ids.filter((id) => id > ruledBelow && !ruled.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) ruled.add(id);
    if (ruled.size > MAX_REMEMBERED_RULED) {
      const sorted = [...ruled].sort((a, b) => a - b);
      for (const id of sorted.slice(0, sorted.length / 2)) ruled.delete(id);
      ruledBelow = Math.max(ruledBelow, sorted[Math.floor(sorted.length / 2) - 1] ?? ruledBelow);
    }
    // Every tag the batch gets, written in one transaction (a statement is a round trip on PostgreSQL).
    const tagsById = new Map<number, string[]>();
    const give = (id: number, tags: readonly string[]): void => {
      const list = tagsById.get(id) ?? [];
      for (const tag of tags) if (!list.some((t) => t.toLowerCase() === tag.toLowerCase())) list.push(tag);
      tagsById.set(id, list);
    };
    if (settings.fromHeader || settings.fromPlusAddress) {
      for (const id of fresh) {
        let raw: Buffer;
        try {
          raw = await deps.store.raw(id);
        } catch {
          continue; // deleted or pruned meanwhile
        }
        const tags = tagsFromMessage(raw, settings);
        if (tags.length) give(id, tags);
      }
    }
    for (const rule of settings.rules) {
      const tag = cleanTag(rule.tag);
      if (!tag) continue;
      for (const id of await deps.store.matching(rule.query, fresh)) give(id, [tag]);
    }
    if (tagsById.size) changed(await repo.addEach(tagsById));
  }

  return {
    name: 'tags',
    migrations: TAGS_MIGRATIONS,
    settings: {
      key: 'tags',
      validate(value) {
        value.rules.forEach((rule, i) => {
          if (!cleanTag(rule.tag))
            throw new MailwrightError(
              'invalid_argument',
              `tags.rules.${i}.tag has no usable character`,
              `tags.rules.${i}.tag`,
            );
        });
      },
      apply(value) {
        settings = value;
      },
    },
    handlers: {
      'tags.list': async () => {
        await settled();
        const all = await repo.all();
        return { tags: all.map((t) => t.tag), counts: Object.fromEntries(all.map((t) => [t.tag, t.count])) };
      },
      'tags.get': async (a) => {
        await settled();
        const found = await repo.forMessages(a.ids);
        return { messages: a.ids.map((id) => ({ id, tags: found.get(id) ?? [] })) };
      },
      'tags.set': async (a) => {
        const updated = await repo.set(a.ids, clean(a.tags));
        changed(a.ids);
        return { updated };
      },
      'tags.add': async (a) => {
        const updated = await repo.add(a.ids, clean(a.tags));
        changed(a.ids);
        return { updated };
      },
      'tags.rename': async (a) => {
        const updated = await repo.rename(oneTag(a.from, 'from'), oneTag(a.to, 'to'));
        if (updated) deps.events.emit('tags.changed', { all: true });
        return { updated };
      },
      'tags.delete': async (a) => {
        await settled();
        const updated = await repo.delete(oneTag(a.tag, 'tag'));
        if (updated) deps.events.emit('tags.changed', { all: true });
        return { updated };
      },
    },
    async start() {
      for (const [name, operator] of Object.entries(TAG_OPERATORS)) deps.store.addSearchOperator(name, operator);
      await repo.forgetOrphans();
      const newest = await deps.invoke('messages.list', { limit: 1 });
      ruledBelow = newest.ok ? (newest.value.messages[0]?.id ?? 0) : 0;
      unsubscribe.push(
        deps.events.on('messages.updated', ({ ids }) => inBackground('ruling new mail', () => ruleNew(ids))),
        deps.events.on('messages.deleted', ({ ids }) =>
          inBackground('forgetting deleted mail', () => repo.forget(ids)),
        ),
        deps.events.on('messages.pruned', ({ ids }) => inBackground('forgetting pruned mail', () => repo.forget(ids))),
        deps.events.on('messages.cleared', () => inBackground('forgetting cleared mail', () => repo.forgetOrphans())),
      );
    },
    async stop() {
      for (const off of unsubscribe.splice(0)) off();
      await settled();
    },
  };
}
