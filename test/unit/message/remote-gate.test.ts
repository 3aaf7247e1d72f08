// The remote-content gate: only the message's own key, from this process's secret, turns remote content on.
import { describe, expect, it } from 'vitest';
import { MailwrightError } from '../../../src-shared/index.js';
import { RemoteContentGate, renderPreview } from '../../../src-main/message/index.js';
import { fixture } from './helpers.js';

function refusal(fn: () => unknown): MailwrightError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MailwrightError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('RemoteContentGate', () => {
  it('allows remote content with the message key only, blocks with 0 or nothing, and refuses the rest', () => {
    const gate = new RemoteContentGate();
    const key = gate.keyFor(7);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(gate.allowsRemote(7, key)).toBe(true);
    expect(gate.allowsRemote(7, '0')).toBe(false);
    expect(gate.allowsRemote(7, null)).toBe(false);
    for (const wrong of ['1', 'true', '', gate.keyFor(8), key.slice(1), `${key}=`, key.toUpperCase()]) {
      const err = refusal(() => gate.allowsRemote(7, wrong));
      expect(err.code, wrong).toBe('forbidden');
      expect(err.field, wrong).toBe('remote');
    }
  });

  it('derives keys from a secret of its own: another process (or restart) has other keys', () => {
    const a = new RemoteContentGate();
    const b = new RemoteContentGate();
    expect(a.keyFor(1)).not.toBe(b.keyFor(1));
    expect(refusal(() => b.allowsRemote(1, a.keyFor(1))).code).toBe('forbidden');
    // The same secret gives the same keys: the key is a function of (secret, id), nothing else.
    const secret = Buffer.alloc(32, 9);
    expect(new RemoteContentGate(secret).keyFor(1)).toBe(new RemoteContentGate(secret).keyFor(1));
    expect(new RemoteContentGate(secret).keyFor(1)).not.toBe(new RemoteContentGate(secret).keyFor(2));
  });

  it('keeps the key out of the preview document', async () => {
    const gate = new RemoteContentGate();
    const raw = fixture('remote-hints.eml');
    const key = gate.keyFor(3);
    const doc = await renderPreview(raw, { allowRemote: gate.allowsRemote(3, key) });
    expect(doc.csp).toContain('img-src data: http: https:');
    expect(doc.html).not.toContain(key);
  });
});
