// The Checks area's state against the fake api: opening asks once (cached answers come from the core), re-run asks
// with refresh, a "what if" run passes the address, the chosen clients are remembered, a slower answer for an older
// message never replaces the newer one, and errors become text.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageChecks } from '../../../../src-shared/contract/index.js';
import { ApiCallError, backend, callsOf, reset } from './fake-api.js';

vi.mock('../../../../src-renderer/src/lib/api.js', () => import('./fake-api.js'));
const { MessageChecksState } = await import('../../../../src-renderer/src/lib/checks.svelte.js');

function result(id: number, spf = 'none'): MessageChecks {
  return {
    id,
    checkedAt: '2026-12-04T08:00:00.000Z',
    parseProblem: null,
    auth: {
      input: { ip: '127.0.0.1', helo: 'client.test', mailFrom: 'a@example.test' },
      fromDomain: 'example.test',
      dkim: [],
      spf: { domain: 'example.test', ip: '127.0.0.1', helo: 'client.test', result: spf, reason: 'r', record: null },
      dmarc: {
        domain: 'example.test',
        record: null,
        policy: null,
        subdomainPolicy: null,
        pct: null,
        dkimMode: 'relaxed',
        spfMode: 'relaxed',
        dkimAligned: null,
        spfAligned: null,
        result: 'none',
        reason: 'none',
      },
      arc: { result: 'none', chainLength: 0, reason: 'none' },
      dns: [],
    },
    lint: [],
    compat: { checked: false, clients: [], score: null, scoreExplained: '', perClient: [], findings: [] },
    dsn: null,
  };
}

const storage = new Map<string, string>();
beforeEach(() => {
  reset();
  storage.clear();
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => void storage.set(k, v),
    removeItem: (k: string) => void storage.delete(k),
  });
});

describe('MessageChecksState', () => {
  it('opens a message once, re-runs with refresh and runs a what-if with the address', async () => {
    backend.checks.set(1, result(1));
    const s = new MessageChecksState();
    await s.open(1);
    await s.open(1);
    // No choice made in this browser: the core uses the setting's clients.
    expect(callsOf('checks.message')).toEqual([{ name: 'checks.message', args: { id: 1 } }]);
    expect(s.result?.auth.spf.result).toBe('none');
    await s.rerun();
    expect(callsOf('checks.message')[1]?.args).toMatchObject({ id: 1, refresh: true });
    backend.checks.set(1, result(1, 'pass'));
    await s.whatIf(' 192.0.2.1 ', '');
    expect(callsOf('checks.message')[2]?.args).toEqual({ id: 1, ip: '192.0.2.1' });
    expect(s.result?.auth.spf.result).toBe('pass');
  });

  it('remembers the chosen clients and refuses an empty choice', async () => {
    backend.checks.set(2, result(2));
    const s = new MessageChecksState();
    await s.open(2);
    await s.setClients(['Outlook.windows', ' gmail.* ']);
    expect(JSON.parse(storage.get('mailwright.checks.clients') ?? '[]')).toEqual(['outlook.windows', 'gmail.*']);
    expect(callsOf('checks.message').at(-1)?.args).toMatchObject({ clients: ['outlook.windows', 'gmail.*'] });
    expect(new MessageChecksState().clients).toEqual(['outlook.windows', 'gmail.*']);
    await s.setClients([' ']);
    expect(s.error).toContain('at least one client');
  });

  it('follows the setting until a choice is made, and goes back to it', async () => {
    const r = result(3);
    backend.checks.set(3, { ...r, compat: { ...r.compat, clients: ['gmail.*', 'yahoo.*'] } });
    const s = new MessageChecksState();
    await s.open(3);
    expect(s.clientsFromSetting).toBe(true);
    expect(s.clients).toEqual(['gmail.*', 'yahoo.*']);
    await s.setClients(['outlook.windows']);
    expect(s.clientsFromSetting).toBe(false);
    expect(s.clients).toEqual(['outlook.windows']);
    await s.useSettingClients();
    expect(s.clientsFromSetting).toBe(true);
    expect(storage.has('mailwright.checks.clients')).toBe(false);
    expect(callsOf('checks.message').at(-1)?.args).toEqual({ id: 3 });
    expect(new MessageChecksState().clientsFromSetting).toBe(true);
  });

  it('keeps the newer message when an older answer arrives late, and shows errors as text', async () => {
    backend.checks.set(3, result(3));
    backend.checks.set(4, result(4));
    const s = new MessageChecksState();
    const first = s.open(3);
    const second = s.open(4);
    await Promise.all([first, second]);
    expect(s.result?.id).toBe(4);
    backend.failWith = new ApiCallError({ code: 'not_found', message: 'message 4 not found' });
    await s.rerun();
    expect(s.error).toBe('message 4 not found');
  });

  it('shows the spamd answer it gets', async () => {
    backend.checks.set(5, result(5));
    const s = new MessageChecksState();
    await s.open(5);
    await s.runSpam();
    expect(s.spam?.error).toContain('spamd not reachable at 127.0.0.1:783');
  });
});
