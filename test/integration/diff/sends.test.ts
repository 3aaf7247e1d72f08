// diff.sends: two sends of the compose history compared by the diff capability's one structured diff, over the
// bytes each send recorded. A real Core sends through a profile aimed at its own capture listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileFor, startFarEnd, type Far } from '../compose/helpers.js';

let far: Far;
let plain: string;

beforeAll(async () => {
  far = await startFarEnd();
  plain = (await far.call('compose.profiles.create', { profile: profileFor(far, 'plain') })).id;
});
afterAll(async () => {
  await far?.close();
});

const message = {
  from: 'shop@example.test',
  to: ['ann@example.test'],
  subject: 'Spring sale',
  text: 'Everything is 10% off.',
  html: '<p>Everything is <b>10%</b> off. <a href="https://shop.example.test/sale">Shop</a></p>',
};

describe('diff.sends', () => {
  it('finds two sends of one message identical once Date, Message-ID and boundaries are set aside', async () => {
    const a = await far.call('compose.send', { profile: plain, message });
    const b = await far.call('compose.send', { profile: plain, message });
    const d = await far.call('diff.sends', { a: a.id, b: b.id });
    expect(d.a).toMatchObject({ id: a.id, subject: 'Spring sale', hasHtml: true });
    expect(d.summary.identical, d.summary.text).toBe(true);
    const strict = await far.call('diff.sends', { a: a.id, b: b.id, ignoreVolatile: false });
    expect(strict.summary.changedSections).toContain('headers');
  });

  it('names what changed between two sends: HTML, links, text and envelope recipients', async () => {
    const a = await far.call('compose.send', { profile: plain, message });
    const b = await far.call('compose.send', {
      profile: plain,
      message: {
        ...message,
        to: ['bob@example.test'],
        html: '<p>Everything is <b>20%</b> off. <a href="https://shop.example.test/spring">Shop</a></p>',
      },
    });
    const d = await far.call('diff.sends', { a: a.id, b: b.id });
    expect(d.summary.identical).toBe(false);
    expect(d.summary.changedSections).toEqual(expect.arrayContaining(['htmlSource', 'links', 'envelope']));
    expect(d.summary.changedSections).not.toContain('text');
    const envelope = d.sections.find((s) => s.id === 'envelope')!;
    expect(JSON.stringify(envelope)).toContain('bob@example.test');
  });

  it('says which side is missing', async () => {
    const a = await far.call('compose.send', { profile: plain, message });
    const r = await far.core.invoke('diff.sends', { a: a.id, b: 987_654 });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found', field: 'b' } });
    expect(r.ok ? '' : r.error.message).toMatch(/no send 987654/);
  });
});
