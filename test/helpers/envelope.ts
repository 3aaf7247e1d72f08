// An SMTP envelope for tests that store or parse messages without a real SMTP session.
import type { Envelope } from '../../src-shared/index.js';

export function testEnvelope(over: Partial<Envelope> = {}): Envelope {
  return {
    mailFrom: 'sender@example.test',
    rcptTo: ['rcpt@example.test'],
    heloName: 'client.example.test',
    clientAddress: '127.0.0.1',
    clientPort: 40000,
    tls: null,
    authUser: null,
    listener: 'smtp',
    ...over,
  };
}
