// The real `mailpit-api` client (2.1.0, unchanged) against a real `serve`: every method it has, with mail sent over
// SMTP by nodemailer and through Mailpit's send API. Link and HTML checks run for real (a site on loopback), and
// attachment thumbnails are decoded and checked pixel by pixel.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Jimp, JimpMime, intToRGBA } from 'jimp';
import { MailpitClient } from 'mailpit-api';
import type nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_PORT_0, startServe, type ServeProcess } from '../../helpers/serve-process.js';
import { sendThrough } from './helpers.js';

let serve: ServeProcess;
let mailpit: MailpitClient;

/** Polling budget for mail to become searchable; generous because the machine may be slow. */
const WAIT = { timeout: 30_000, interval: 100 };

beforeAll(async () => {
  serve = await startServe(LOOPBACK_PORT_0, {}, { freshDataDir: true });
  mailpit = new MailpitClient(serve.http);
});
afterAll(async () => {
  await serve?.stop();
});

function smtp(mail: nodemailer.SendMailOptions): Promise<void> {
  return sendThrough(serve, mail);
}

/** A Mailwright verb over the generic binding (for settings a Mailpit client has no call for). */
async function callVerb(verb: string, args: unknown): Promise<void> {
  const res = await fetch(`${serve.http}/api/call/${verb}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  });
  const result = (await res.json()) as { ok: boolean; error?: { message: string } };
  if (!result.ok) throw new Error(`${verb}: ${result.error?.message ?? ''}`);
}

describe('mailpit-api against serve', () => {
  it('reads info and the web UI configuration', async () => {
    const info = await mailpit.getInfo();
    expect(info.Version).toMatch(/^mailwright-/);
    expect(info.Messages).toBe(0);
    expect(info.RuntimeStats.SMTPAccepted).toBe(0);
    const config = await mailpit.getConfiguration();
    expect(config.ChaosEnabled).toBe(true);
    expect(config.MessageRelay.Enabled).toBe(false);
  });

  it('sends, lists, reads (marking read), and renders a message', async () => {
    const sent = await mailpit.sendMessage({
      From: { Email: 'shop@example.test', Name: 'Shop' },
      To: [{ Email: 'buyer@example.test', Name: 'Buyer' }],
      Cc: [{ Email: 'copy@example.test' }],
      Bcc: ['hidden@example.test'],
      ReplyTo: [{ Email: 'help@example.test', Name: 'Help' }],
      Subject: 'Your order 1042',
      Text: 'Thanks for order 1042.',
      HTML: '<p>Thanks for <a href="https://shop.example.test/o/1042">order 1042</a>.</p>',
      Attachments: [{ Filename: 'invoice.txt', Content: Buffer.from('invoice 1042').toString('base64') }],
      Headers: { 'X-Campaign': 'orders' },
      Tags: ['orders', 'api'],
    });
    expect(sent.ID).toMatch(/^\d+$/);

    const list = await mailpit.listMessages();
    expect(list).toMatchObject({ total: 1, count: 1, messages_count: 1, unread: 1, start: 0 });
    expect(list.tags).toEqual(['api', 'orders']);
    expect(list.messages[0]).toMatchObject({
      ID: sent.ID,
      Read: false,
      From: { Name: 'Shop', Address: 'shop@example.test' },
      To: [{ Name: 'Buyer', Address: 'buyer@example.test' }],
      Subject: 'Your order 1042',
      Tags: ['api', 'orders'],
      Attachments: 1,
    });

    const message = await mailpit.getMessageSummary(sent.ID);
    expect(message).toMatchObject({
      ID: sent.ID,
      Subject: 'Your order 1042',
      Cc: [{ Name: '', Address: 'copy@example.test' }],
      Bcc: [{ Name: '', Address: 'hidden@example.test' }],
      ReplyTo: [{ Name: 'Help', Address: 'help@example.test' }],
      ReturnPath: 'shop@example.test',
      Text: 'Thanks for order 1042.',
      Tags: ['api', 'orders'],
    });
    expect(message.HTML).toContain('order 1042</a>');
    expect(message.Attachments).toHaveLength(1);
    expect(message.Attachments[0]).toMatchObject({ FileName: 'invoice.txt', ContentType: 'text/plain', Size: 12 });
    expect(message.Attachments[0]?.Checksums.SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect((await mailpit.listMessages()).unread).toBe(0);

    const latest = await mailpit.getMessageSummary();
    expect(latest.ID).toBe(sent.ID);
    const headers = await mailpit.getMessageHeaders('latest');
    expect(headers['X-Campaign']).toEqual(['orders']);
    expect(headers.Subject).toEqual(['Your order 1042']);
    const source = await mailpit.getMessageSource(sent.ID);
    expect(source).toContain('Subject: Your order 1042');
    const attachment = await mailpit.getMessageAttachment(sent.ID, message.Attachments[0]!.PartID);
    expect(Buffer.from(await attachment.arrayBuffer()).toString()).toBe('invoice 1042');
    expect(attachment.type).toBe('text/plain');

    expect(await mailpit.renderMessageHTML(sent.ID)).toContain('<a href="https://shop.example.test/o/1042">');
    expect(await mailpit.renderMessageText()).toBe('Thanks for order 1042.');
  });

  it('waits for SMTP mail, searches it with Mailpit syntax, and deletes by search', async () => {
    await smtp({
      from: 'Alerts <alerts@example.test>',
      to: 'ops+pager@example.test',
      subject: 'Disk almost full on db-7',
      text: 'The volume token vol-7781 is at 91%.',
    });
    const found = await mailpit.waitForMessage({ query: 'subject:"almost full"' }, WAIT);
    expect(found.Subject).toBe('Disk almost full on db-7');
    const waited = await mailpit.waitForMessages({ query: 'from:alerts@example.test', count: 1 }, WAIT);
    expect(waited.messages_count).toBe(1);

    const search = async (query: string): Promise<string[]> =>
      (await mailpit.searchMessages({ query })).messages.map((m) => m.Subject);
    expect(await search('to:ops+pager@example.test')).toEqual(['Disk almost full on db-7']);
    expect(await search('vol-7781')).toEqual(['Disk almost full on db-7']);
    expect(await search('subject:order')).toEqual(['Your order 1042']);
    expect(await search('tag:orders')).toEqual(['Your order 1042']);
    expect(await search('!tag:orders is:read')).toEqual(['Disk almost full on db-7']);
    expect(await search('has:attachment')).toEqual(['Your order 1042']);
    expect(await search('larger:1K smaller:100M')).toContain('Your order 1042');
    expect(await search('cc:copy@example.test')).toEqual(['Your order 1042']);
    expect(await search('"unbalanced')).toEqual([]);
    const counts = await mailpit.searchMessages({ query: 'subject:order' });
    expect(counts).toMatchObject({ total: 2, messages_count: 1 });

    await mailpit.deleteMessagesBySearch({ query: 'from:alerts@example.test' });
    expect((await mailpit.listMessages()).total).toBe(1);
  });

  it('sets read status by IDs, by search and for all', async () => {
    const { messages } = await mailpit.listMessages();
    const id = messages[0]!.ID;
    await mailpit.setReadStatus({ IDs: [id], Read: false });
    expect((await mailpit.listMessages()).unread).toBe(1);
    await mailpit.setReadStatus({ Search: 'subject:order', Read: true });
    expect((await mailpit.listMessages()).unread).toBe(0);
    await mailpit.setReadStatus();
    expect((await mailpit.listMessages()).unread).toBe(1);
    await mailpit.setReadStatus({ Read: true });
    expect((await mailpit.listMessages()).unread).toBe(0);
  });

  it('sets, renames and deletes tags', async () => {
    const id = (await mailpit.listMessages()).messages[0]!.ID;
    await mailpit.setTags({ IDs: [id], Tags: ['Billing', 'q3 report'] });
    expect(await mailpit.getTags()).toEqual(['Billing', 'q3 report']);
    await mailpit.renameTag('q3 report', 'Q3');
    expect((await mailpit.getMessageSummary(id)).Tags).toEqual(['Billing', 'Q3']);
    await mailpit.deleteTag('Billing');
    expect(await mailpit.getTags()).toEqual(['Q3']);
    await mailpit.setTags({ IDs: [id] });
    expect(await mailpit.getTags()).toEqual([]);
  });

  it('maps chaos triggers onto fault rules that refuse real SMTP', async () => {
    expect(await mailpit.getChaosTriggers()).toEqual({
      Authentication: { ErrorCode: 451, Probability: 0 },
      Recipient: { ErrorCode: 451, Probability: 0 },
      Sender: { ErrorCode: 451, Probability: 0 },
    });
    const set = await mailpit.setChaosTriggers({ Recipient: { ErrorCode: 550, Probability: 100 } });
    expect(set.Recipient).toEqual({ ErrorCode: 550, Probability: 100 });
    await expect(smtp({ from: 'a@example.test', to: 'b@example.test', subject: 'x', text: 'x' })).rejects.toMatchObject(
      { responseCode: 550 },
    );
    expect((await mailpit.setChaosTriggers()).Recipient.Probability).toBe(0);
    await smtp({ from: 'a@example.test', to: 'b@example.test', subject: 'after chaos', text: 'x' });
    await mailpit.waitForMessages({ count: 2 }, WAIT);
  });

  it('answers sa-check through the checks capability, and says clearly what is not mapped', async () => {
    const id = (await mailpit.listMessages()).messages[0]!.ID;
    // spamd is the checks capability's; none runs here, so Mailpit's answer carries the reason in Error.
    const spam = await mailpit.spamAssassinCheck(id);
    expect(spam.Error).not.toBe('');
    expect(spam).toMatchObject({ IsSpam: false, Score: 0, Rules: [] });
  });

  it('link-checks a message through checks.links, following redirects only with follow=true', async () => {
    const site = http.createServer((req, res) => {
      if (req.url === '/moved') res.writeHead(301, { location: '/ok' }).end();
      else if (req.url === '/ok') res.writeHead(200).end('ok');
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    try {
      await smtp({
        from: 'news@example.test',
        to: 'links@example.test',
        subject: 'link check',
        html: `<a href="${base}/ok">ok</a> <a href="${base}/moved">moved</a> <a href="${base}/gone">gone</a>
          <img src="${base}/ok" alt=""> <a href="${base}/unsubscribe?u=1">unsubscribe</a>`,
      });
      const id = (await mailpit.waitForMessages({ query: 'to:links@example.test', count: 1 }, WAIT)).messages[0]!.ID;
      // Loopback is refused by default: every fetched link is an error, with the reason.
      const refused = await mailpit.linkCheck(id);
      expect(refused.Errors).toBe(3);
      expect(refused.Links.find((l) => l.URL === `${base}/ok`)).toMatchObject({ StatusCode: 0 });
      expect(refused.Links.find((l) => l.URL === `${base}/ok`)?.Status).toMatch(/private address/);

      await callVerb('settings.update', { checks: { linksAllowPrivate: true } });
      const byStatus = (r: typeof refused) => Object.fromEntries(r.Links.map((l) => [l.URL, l.StatusCode]));
      const first = await mailpit.linkCheck(id);
      expect(byStatus(first)).toEqual({
        [`${base}/ok`]: 200,
        [`${base}/moved`]: 301,
        [`${base}/gone`]: 404,
        [`${base}/unsubscribe?u=1`]: 0,
      });
      expect(first.Links.find((l) => l.StatusCode === 404)?.Status).toBe('Not Found');
      expect(first.Links.find((l) => l.StatusCode === 0)?.Status).toMatch(/^Not checked: .*unsubscribe/);
      expect(first.Errors).toBe(1);
      const followed = await mailpit.linkCheck(id, true);
      expect(byStatus(followed)[`${base}/moved`]).toBe(200);
      expect(followed.Errors).toBe(1);
    } finally {
      await callVerb('settings.update', { checks: { linksAllowPrivate: false } });
      site.closeAllConnections();
      await new Promise<void>((resolve) => site.close(() => resolve()));
    }
  });

  it("html-checks a message through the caniemail compatibility check, in Mailpit's shape", async () => {
    await smtp({
      from: 'news@example.test',
      to: 'html@example.test',
      subject: 'html check',
      html: '<html><head><style>.row { display: flex; }</style></head><body>\n<div class="row" style="border-radius: 6px">x</div></body></html>',
    });
    const id = (await mailpit.waitForMessages({ query: 'to:html@example.test', count: 1 }, WAIT)).messages[0]!.ID;
    const check = await mailpit.htmlCheck(id);
    expect(Object.keys(check.Platforms)).toEqual(expect.arrayContaining(['outlook', 'gmail', 'apple-mail']));
    expect(check.Platforms.outlook).toContain('windows');
    expect(check.Total.Nodes).toBe(3); // style, body, div
    expect(check.Total.Tests).toBe(check.Warnings.length);
    expect(check.Total.Supported + check.Total.Partial + check.Total.Unsupported).toBeCloseTo(100, 1);
    const flex = check.Warnings.find((w) => w.Slug === 'css-display-flex');
    expect(flex).toBeDefined();
    expect(flex!).toMatchObject({ Category: 'css', URL: 'https://www.caniemail.com/features/css-display-flex/' });
    expect(flex!.Results.find((r) => r.Family === 'outlook' && r.Platform === 'windows')?.Support).toBe('no');
    expect(flex!.Results.some((r) => r.Support === 'yes')).toBe(true);
    expect(flex!.Score.Found).toBeGreaterThanOrEqual(1);
    expect(flex!.Score.Unsupported).toBeGreaterThan(0);
    expect(check.Warnings.some((w) => w.Slug === 'css-border-radius')).toBe(true);
    // A text-only message has no HTML to check: Mailpit's 400.
    const text = (await mailpit.listMessages()).messages.find((m) => m.Subject === 'after chaos')!.ID;
    await expect(mailpit.htmlCheck(text)).rejects.toThrow(/400/);
  });

  it('releases through the composer profile compat.releaseProfile names, and refuses without one', async () => {
    const id = (await mailpit.listMessages()).messages[0]!.ID;
    await expect(mailpit.releaseMessage(id, { To: ['relay@example.test'] })).rejects.toThrow(/400 .*releaseProfile/);
    const api = async (verb: string, args: unknown): Promise<void> => {
      const res = await fetch(`${serve.http}/api/call/${verb}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(args),
      });
      const result = (await res.json()) as { ok: boolean; error?: { message: string } };
      if (!result.ok) throw new Error(`${verb}: ${result.error?.message ?? ''}`);
    };
    // Released back into this same Mailwright: a real SMTP delivery through a real profile, all on loopback.
    await api('compose.profiles.create', {
      profile: {
        id: 'loop',
        name: 'Loopback',
        host: '127.0.0.1',
        port: serve.smtpPort,
        security: 'starttls',
        tls: { verify: false },
      },
    });
    await api('settings.update', { compat: { mailhog: false, releaseProfile: 'loop' } });
    expect((await mailpit.getConfiguration()).MessageRelay.Enabled).toBe(true);
    expect(await mailpit.releaseMessage(id, { To: ['relay@example.test'] })).toBe('ok');
    const relayed = await mailpit.waitForMessages({ query: 'to:relay@example.test', count: 1 }, WAIT);
    expect(relayed.messages[0]?.To.map((t) => t.Address)).not.toContain('relay@example.test'); // envelope only
    await api('settings.update', { compat: { mailhog: false, releaseProfile: '' } });
  });

  it('makes 180x120 JPEG thumbnails of image attachments, and a blank one for other parts', async () => {
    // A wide red PNG with a transparent band: scaled to fit, centred on white (Mailpit's rule for a small side).
    const wide = new Jimp({ width: 360, height: 60, color: 0xff0000ff });
    for (let x = 0; x < 360; x++) for (let y = 0; y < 10; y++) wide.setPixelColor(0x00000000, x, y);
    // A large blue JPEG: covers the box.
    const large = new Jimp({ width: 900, height: 900, color: 0x0000ffff });
    await smtp({
      from: 'designer@example.test',
      to: 'review@example.test',
      subject: 'thumbs',
      text: 'see attached',
      attachments: [
        { filename: 'wide.png', content: await wide.getBuffer(JimpMime.png), contentType: 'image/png' },
        { filename: 'large.jpg', content: await large.getBuffer(JimpMime.jpeg), contentType: 'image/jpeg' },
        { filename: 'notes.txt', content: 'not an image' },
        { filename: 'broken.png', content: 'no PNG here', contentType: 'image/png' },
      ],
    });
    const [found] = (await mailpit.waitForMessages({ query: 'subject:thumbs', count: 1 }, WAIT)).messages;
    const message = await mailpit.getMessageSummary(found!.ID);
    const part = (name: string): string => message.Attachments.find((a) => a.FileName === name)!.PartID;
    const decode = async (name: string) => {
      const blob = await mailpit.getAttachmentThumbnail(message.ID, part(name));
      expect(blob.type).toBe('image/jpeg');
      const image = await Jimp.fromBuffer(Buffer.from(await blob.arrayBuffer()));
      expect([image.width, image.height]).toEqual([180, 120]);
      return (x: number, y: number) => intToRGBA(image.getPixelColor(x, y));
    };
    const near = (c: { r: number; g: number; b: number }, r: number, g: number, b: number) =>
      Math.abs(c.r - r) < 40 && Math.abs(c.g - g) < 40 && Math.abs(c.b - b) < 40;
    const widePixel = await decode('wide.png');
    expect(near(widePixel(90, 60), 255, 0, 0)).toBe(true); // the image, scaled to 180x30 and centred
    expect(near(widePixel(90, 5), 255, 255, 255)).toBe(true); // white above it
    expect(near(widePixel(90, 46), 255, 255, 255)).toBe(true); // its transparent band shows white, not black
    const largePixel = await decode('large.jpg');
    for (const [x, y] of [
      [2, 2],
      [90, 60],
      [177, 117],
    ] as const)
      expect(near(largePixel(x, y), 0, 0, 255)).toBe(true);
    for (const name of ['notes.txt', 'broken.png']) {
      const pixel = await decode(name);
      expect(near(pixel(90, 60), 255, 255, 255)).toBe(true);
    }
    await expect(mailpit.getAttachmentThumbnail(message.ID, '9.9')).rejects.toThrow(/404/);
  });

  it('answers 404 for unknown ids, as Mailpit does', async () => {
    await expect(mailpit.getMessageSummary('999999')).rejects.toThrow(/404/);
    await expect(mailpit.getMessageSummary('not-an-id')).rejects.toThrow(/404/);
    await expect(mailpit.getMessageSource('999999')).rejects.toThrow(/404/);
    await expect(mailpit.renderMessageHTML('999999')).rejects.toThrow(/404/);
  });

  it('deletes by IDs, then everything', async () => {
    const { messages } = await mailpit.listMessages();
    expect(messages.length).toBeGreaterThanOrEqual(2);
    await mailpit.deleteMessages({ IDs: [messages[0]!.ID] });
    expect((await mailpit.listMessages()).total).toBe(messages.length - 1);
    await mailpit.deleteMessages();
    expect((await mailpit.listMessages()).total).toBe(0);
    expect((await mailpit.getInfo()).Messages).toBe(0);
  });
});
