// Shared inputs for the message tests: the corpus beside the project, fixtures, and a summary to extend.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Envelope, MessageSummary } from '../../../src-shared/index.js';
import { CORPUS_DIR, corpusFiles as corpusPaths } from '../../helpers/corpus.js';
import { testEnvelope } from '../../helpers/envelope.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../fixtures/message');

export function corpus(name: string): Buffer {
  return readFileSync(path.join(CORPUS_DIR, name));
}

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

/** Every .eml under the corpus, as [name relative to the corpus, bytes]. */
export function corpusFiles(): [string, Buffer][] {
  return corpusPaths().map((p) => [path.relative(CORPUS_DIR, p), readFileSync(p)]);
}

export const base: MessageSummary = {
  id: 7,
  receivedAt: '2026-11-28T08:00:00.000Z',
  from: null,
  to: [],
  cc: [],
  bcc: [],
  subject: 'stored subject',
  date: null,
  size: 0,
  read: false,
  hasAttachments: false,
  snippet: '',
  indexed: true,
  parseError: null,
};

export const envelope: Envelope = testEnvelope({ mailFrom: 'a@example.test', rcptTo: ['b@example.test'] });
