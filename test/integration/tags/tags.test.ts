// The tags capability over a real core: verbs, `tag:` and `is:tagged` search, X-Tags ruling, and tidying on delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallResult } from '../../../src-shared/index.js';
import { sendRaw, startStack, type Stack } from '../serve/helpers.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function call<K extends CallName>(name: K, args: unknown): Promise<CallResult<K>> {
  const r = await stack.core.invoke(name, args);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function message(subject: string, extra = ''): string {
  return `From: a@example.test\r\nTo: b@example.test\r\nSubject: ${subject}\r\n${extra}\r\nbody of ${subject}\r\n`;
}

async function idOf(subject: string): Promise<number> {
  await stack.core.idle();
  const page = await call('messages.list', { query: `subject:"${subject}"` });
  const id = page.messages.find((m) => m.subject === subject)?.id;
  if (id === undefined) throw new Error(`no message ${subject}`);
  return id;
}

describe('tags', () => {
  it('sets, adds, lists, searches, renames and deletes tags', async () => {
    await sendRaw(stack.smtpPort, message('tag one'));
    await sendRaw(stack.smtpPort, message('tag two'));
    const one = await idOf('tag one');
    const two = await idOf('tag two');

    expect(await call('tags.set', { ids: [one, two], tags: ['Invoice', 'invoice', 'to do!'] })).toEqual({ updated: 2 });
    await call('tags.add', { ids: [two], tags: ['urgent'] });
    expect((await call('tags.get', { ids: [one, two, 999_999] })).messages).toEqual([
      { id: one, tags: ['Invoice', 'to do'] },
      { id: two, tags: ['Invoice', 'to do', 'urgent'] },
      { id: 999_999, tags: [] },
    ]);
    const listed = await call('tags.list', {});
    expect(listed.tags).toEqual(['Invoice', 'to do', 'urgent']);
    expect(listed.counts).toMatchObject({ Invoice: 2, urgent: 1 });

    const ids = async (query: string): Promise<number[]> =>
      (await call('messages.list', { query })).messages.map((m) => m.id);
    expect(await ids('tag:urgent')).toEqual([two]);
    expect(await ids('tag:INVOICE')).toEqual([two, one]);
    expect(await ids('tag:"to do" -tag:urgent')).toEqual([one]);
    expect(await ids('is:tagged subject:tag')).toEqual([two, one]);

    expect(await call('tags.rename', { from: 'urgent', to: 'to do' })).toEqual({ updated: 1 });
    expect((await call('tags.get', { ids: [two] })).messages[0]?.tags).toEqual(['Invoice', 'to do']);
    await call('tags.delete', { tag: 'invoice' });
    expect((await call('tags.list', {})).tags).toEqual(['to do']);
    const bad = await stack.core.invoke('tags.delete', { tag: '!!!' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'tag' } });
  });

  it('tags new mail from its X-Tags header once it is indexed', async () => {
    await sendRaw(stack.smtpPort, message('x-tags mail', 'X-Tags: signup, =?UTF-8?Q?caf=C3=A9?=, bad<>chars\r\n'));
    const id = await idOf('x-tags mail');
    expect((await call('tags.get', { ids: [id] })).messages[0]?.tags).toEqual(['badchars', 'café', 'signup']);
    expect((await call('messages.list', { query: 'tag:café' })).messages.map((m) => m.id)).toEqual([id]);
  });

  it('tags by rule from the tags settings section: plus-address detail and saved searches', async () => {
    await call('settings.update', {
      tags: { fromHeader: true, fromPlusAddress: true, rules: [{ query: 'subject:invoice', tag: 'billing' }] },
    });
    await sendRaw(
      stack.smtpPort,
      'From: a@example.test\r\nTo: orders+acme@example.test\r\nSubject: Invoice 5\r\n\r\nplease pay\r\n',
    );
    const id = await idOf('Invoice 5');
    expect((await call('tags.get', { ids: [id] })).messages[0]?.tags).toEqual(['acme', 'billing']);
    const bad = await stack.core.invoke('settings.update', {
      tags: { fromHeader: true, fromPlusAddress: false, rules: [{ query: 'x', tag: '!!' }] },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'tags.rules.0.tag' } });
    await call('settings.update', { tags: { fromHeader: true, fromPlusAddress: false, rules: [] } });
  });

  it('forgets the tags of deleted messages', async () => {
    await sendRaw(stack.smtpPort, message('doomed'));
    const id = await idOf('doomed');
    await call('tags.set', { ids: [id], tags: ['doomed-only'] });
    expect((await call('tags.list', {})).tags).toContain('doomed-only');
    await call('messages.delete', { ids: [id] });
    expect((await call('tags.list', {})).tags).not.toContain('doomed-only');
    await call('tags.set', { ids: [await idOf('tag one')], tags: ['left'] });
    await call('messages.deleteAll', {});
    expect((await call('tags.list', {})).tags).toEqual([]);
  });
});
