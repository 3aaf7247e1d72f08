import { describe, expect, it } from 'vitest';
import { explainBasicCode, explainEnhancedCode, explainReply } from '../../../src-shared/reply-codes.js';

describe('reply-code explainer', () => {
  it('reads the basic and the enhanced code of a server reply', () => {
    const e = explainReply('550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown');
    expect(e.code).toBe(550);
    expect(e.enhanced).toBe('5.1.1');
    expect(e.kind).toBe('permanent');
    expect(e.enhancedInfo?.detail).toBe('Bad destination mailbox address');
    expect(e.summary).toContain('Bad destination mailbox address');
  });

  it('explains the failures a connection test names in plain words', () => {
    expect(explainReply('530 5.7.0 Must issue a STARTTLS command first').summary).toMatch(/STARTTLS/);
    expect(explainReply('535 5.7.8 Error: authentication failed').basic?.explanation).toMatch(/password/);
    expect(explainReply('538 5.7.11 Encryption required').summary).toMatch(/TLS/);
    expect(explainReply('554 5.7.1 Spam message rejected').kind).toBe('permanent');
    expect(explainReply('451 4.7.1 Greylisted, try again').kind).toBe('transient');
    expect(explainReply('421 4.7.0 Too many connections').basic?.meaning).toMatch(/not available/);
  });

  it('takes bare codes and multi-line replies', () => {
    expect(explainReply('535').basic?.code).toBe(535);
    expect(explainReply('4.2.2').enhancedInfo?.detail).toBe('Mailbox full');
    expect(explainReply('4.2.2').kind).toBe('transient');
    expect(explainReply('250-mail.example\r\n250-SIZE 1000\r\n250 OK').code).toBe(250);
    expect(explainReply('250 OK', '2.0.0').enhanced).toBe('2.0.0');
  });

  it('covers the registry for every subject and names unregistered pairs by subject', () => {
    for (const subject of ['0', '1', '2', '3', '4', '5', '6', '7'])
      expect(explainEnhancedCode(`5.${subject}.0`)?.detail).toBeTruthy();
    expect(explainEnhancedCode('5.7.30')?.detail).toMatch(/REQUIRETLS/);
    const unregistered = explainEnhancedCode('4.1.99');
    expect(unregistered?.detail).toBeNull();
    expect(unregistered?.subject).toBe('Addressing status');
    expect(explainEnhancedCode('3.1.1')).toBeNull();
    expect(explainEnhancedCode('5.9.1')).toBeNull();
  });

  it('says clearly when the text is not a reply, and never throws on hostile input', () => {
    expect(explainReply('hello').code).toBeNull();
    expect(explainReply('hello').summary).toMatch(/Not an SMTP reply/);
    expect(explainReply('999 what').code).toBeNull();
    expect(explainBasicCode(299)?.meaning).toMatch(/Unregistered/);
    expect(explainReply('5'.repeat(1_000_000)).code).toBeNull();
    expect(explainReply('\u0000\uffff 550').code).toBeNull();
  });
});
