// The message both sides of the bulk benchmark send: plain fields (From, To, Subject, a ~5 KB text body), composed
// by nodemailer's MailComposer on each side, `{{n}}` in the subject filled with the message's number.
import { FROM, TO } from './messages.js';

const LINE = 'Bulk benchmark body line: the quick brown fox jumps over the lazy dog, twice over.';
/** About 4.7 KB of text: with the headers MailComposer writes, each message is about 5 KB. */
export const BULK_TEXT = Array.from({ length: 57 }, (_, i) => `${String(i).padStart(2, '0')} ${LINE}`).join('\n');
export const BULK_FROM = FROM;
export const BULK_TO = TO;
export const BULK_SUBJECT = 'Bulk bench {{n}}';

export function subjectFor(n: number): string {
  return BULK_SUBJECT.replace('{{n}}', String(n));
}
