// The text and HTML bodies of one message, as mailparser assembles them (charsets, format=flowed, multipart choice).
import { simpleParser } from 'mailparser';

export interface MessageBodies {
  text: string | null;
  html: string | null;
  /** Why mailparser gave up, when it did; the bodies are then null. */
  error: string | null;
}

/**
 * mailparser's own text and HTML selection. cid: links are left alone (the preview resolves them against
 * the MIME walk, within its own budget) and no HTML-to-text conversion runs: the detail view wants the
 * sender's text part, and skipping the conversion keeps hostile HTML (htmllargecallstack.eml) cheap.
 */
export async function parseBodies(raw: Buffer): Promise<MessageBodies> {
  try {
    const mail = await simpleParser(raw, {
      keepCidLinks: true,
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
    });
    return {
      text: typeof mail.text === 'string' ? mail.text : null,
      html: typeof mail.html === 'string' ? mail.html : null,
      error: null,
    };
  } catch (err) {
    return { text: null, html: null, error: err instanceof Error ? err.message : String(err) };
  }
}
